"""What ``quarterplan compare`` prints and writes: scenarios (each with its own plan, or one plan
held fixed) or plans (``--plan NAME=FILE``) side by side, with paired differences.

``compare_report_data``/``comparison_text`` serve the comparison of scenarios;
``plans_report_data``/``plans_text`` the comparison of plans, which puts every alternative on
the record: each plan's spend by region and channel, its reps and its own targets side by side,
the common target they are all measured against, and per world the KPIs with paired
differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import engine
from engine.commands.names import named_tables
from engine.commands.outputs import inputs_of
from engine.commands.run import headline, management_lines, revenue_fan, run_meta
from engine.errors import UsageError
from engine.jobs.plans import (
    PlanComparison,
    choose_target,
    compare_plans,
    load_candidates,
    parse_plan_option,
    yardstick,
)
from engine.jobs.run import Comparison, compare_scenarios, unique_names
from engine.output import render_json, render_table
from engine.plans import PlanInput, PlanRules, complete_plan, read_plan_file
from engine.report.data import Headline, ReportData
from engine.scenario.loading import load_scenario
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo

MEAN_METRICS = frozenset({"hit_target"})
"""KPIs shown by their mean (a 0/1 outcome's mean is its probability; its median is not)."""
WINNER_METRIC = "net_contribution"
"""The KPI that says which plan wins: gross profit less spend, reps and the backup premium."""


def compare_report_data(c: Comparison, now: datetime | None = None) -> ReportData:
    """A comparison of scenarios as the report layer's input (kind ``compare``)."""
    base = c.runs[0]
    when = now or datetime.now()
    title = "Scenario comparison — " + " vs ".join(c.names)
    if c.plan_from:
        title += f" (plan of {c.plan_from} held fixed)"
    tables = {
        "comparison": c.table,
        "kpis": base.simulation.summary(),
        "revenue_fan": revenue_fan(base),
        "spend": base.plan.spend,
    }
    fired = [r.simulation.management().assign(scenario=name)
             for name, r in zip(c.names, c.runs, strict=True) if not r.simulation.firings.empty]
    if fired:
        tables["management"] = pd.concat(fired, ignore_index=True)
    return ReportData(
        title=title,
        scenario=", ".join(c.names),
        currency=base.scenario.currency,
        headline=headline(base),
        tables=named_tables(tables, base.scenario),
        meta={**run_meta(base, when), "scenarios": c.names},
        kind="compare",
        lang=base.scenario.language,
    )


def _kpi_table(t: pd.DataFrame, names: list[str], title: str) -> str:
    """Side-by-side value per KPI (P50; the probability for ``hit_target``) and each
    alternative's paired difference against the first with its 95% interval."""
    rows = []
    for metric in dict.fromkeys(t.metric):
        row: dict[str, Any] = {"metric": metric}
        for name in names:
            r = t[(t.metric == metric) & (t.scenario == name)].iloc[0]
            row[name] = _fmt(metric, r["mean"] if metric in MEAN_METRICS else r.p50)
            if name != names[0]:
                low, high = _fmt(metric, r.diff_lo, True), _fmt(metric, r.diff_hi, True)
                row[f"{name} − {names[0]} (95%)"] = (
                    f"{_fmt(metric, r.diff_mean, signed=True)} [{low}, {high}]"
                )
                better = r.prob_better
                row[f"P({name} better)"] = "" if pd.isna(better) else f"{better:.0%}"
        rows.append(row)
    return render_table(pd.DataFrame(rows), title)


KPI_TITLE = ("P50 by {what} (hit_target: probability; its difference is in percentage points, "
             "with no P(better)), paired difference against the first")


def comparison_text(c: Comparison) -> str:
    """The comparison of scenarios as the terminal shows it."""
    head = (
        f"Common random numbers: seed {c.runs[0].simulation.seed}, "
        f"{c.runs[0].simulation.replications} replications each"
    )
    if c.plan_from:
        head += f"; the plan of {c.plan_from} is held fixed"
    managed = [line for name, r in zip(c.names, c.runs, strict=True)
               for line in management_lines(r.simulation, name, r.scenario.currency)]
    tail = "\n" + "\n".join(managed) + "\n" if managed else ""
    return (head + "\n\n" + _kpi_table(c.table, c.names, KPI_TITLE.format(what="scenario"))
            + tail)


def _fmt(metric: str, value: float, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    sign = "+" if signed else ""
    if metric in ("revenue", "gross_profit", "net_contribution"):
        return f"{value / 1e6:{sign},.2f}M"
    if "share" in metric or metric in ("attainment", "hit_target", "fill_rate", "rep_utilisation"):
        return f"{value * 100:{sign}.1f}%"
    return f"{value:{sign},.2f}"


def _money(value: float, currency: str, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else "−" if value < 0 else ""
    return f"{sign}{currency}{abs(value) / 1e6:,.2f}M"


def winner_lines(table: pd.DataFrame, names: list[str], currency: str) -> list[str]:
    """Which plan wins on net contribution against the baseline, by how much, with the 95%
    interval of the paired difference (or that the interval does not decide)."""
    rows = table[table.metric == WINNER_METRIC].set_index("plan")
    base = names[0]
    lines = []
    for name in names[1:]:
        mean, lo, hi = (float(v) for v in
                        rows.loc[name, ["diff_mean", "diff_lo", "diff_hi"]].to_numpy(dtype=float))
        if lo > 0 or hi < 0:
            win, lose = (name, base) if lo > 0 else (base, name)
            a, b = (lo, hi) if lo > 0 else (-hi, -lo)
            lines.append(f"{win} wins on net contribution over {lose} by "
                         f"{_money(abs(mean), currency)} a quarter (95% interval "
                         f"{_money(a, currency)} to {_money(b, currency)})")
        else:
            lines.append(f"no clear winner on net contribution between {name} and {base}: "
                         f"{name} − {base} = {_money(mean, currency, True)} (95% interval "
                         f"{_money(lo, currency, True)} to {_money(hi, currency, True)} "
                         "includes 0)")
    return lines


def plan_spend(pc: PlanComparison) -> pd.DataFrame:
    """``region, channel, <plan>...``: every plan's spend side by side (money per quarter)."""
    frames = [c.plan.spend.set_index(["region", "channel"]).spend.rename(c.name)
              for c in pc.candidates]
    return pd.concat(frames, axis=1).reset_index()


def plan_spend_by_channel(pc: PlanComparison) -> pd.DataFrame:
    """``channel, <plan>..., <plan> share...``: spend per channel and its share of the total."""
    wide = plan_spend(pc).groupby("channel", sort=False)[pc.names].sum()
    shares = (wide / wide.sum().where(wide.sum() > 0, 1.0)).add_suffix(" share")
    out = pd.concat([wide, shares], axis=1).reset_index()
    total = {"channel": "total", **{n: float(wide[n].sum()) for n in pc.names},
             **{f"{n} share": 1.0 for n in pc.names}}
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def plan_reps(pc: PlanComparison) -> pd.DataFrame:
    """``region, role, <plan>...``: every plan's head count side by side."""
    frames = [c.plan.reps.set_index(["region", "role"]).reps.rename(c.name)
              for c in pc.candidates]
    return pd.concat(frames, axis=1).reset_index()


def plan_targets(pc: PlanComparison) -> pd.DataFrame:
    """``region, week, <plan>..., common``: each plan's own weekly target by region (summed over
    lines) and the common target every plan is measured against."""
    def weekly(targets: pd.DataFrame, name: str) -> pd.Series:
        return targets.groupby(["region", "week"]).target.sum().rename(name)

    frames = [weekly(c.plan.targets, c.name) for c in pc.candidates]
    frames.append(weekly(pc.yardstick.targets, "common"))
    return pd.concat(frames, axis=1).fillna(0.0).reset_index()


def plan_by_world(pc: PlanComparison) -> pd.DataFrame:
    """``plan, <world>...``: mean net contribution of each plan under each world."""
    t = pc.table[pc.table.metric == WINNER_METRIC]
    return t.pivot_table(index="plan", columns="world", values="mean", sort=False).reset_index()


def plans_tables(pc: PlanComparison) -> dict[str, pd.DataFrame]:
    """Every table a comparison of plans writes (under the report layer's names); every KPI of
    every plan is in ``comparison``."""
    tables = {
        "comparison": pc.table,
        "plan_spend_by_channel": plan_spend_by_channel(pc),
        "plan_spend": plan_spend(pc),
        "plan_reps": plan_reps(pc),
        "plan_targets": plan_targets(pc),
    }
    if len(pc.worlds) > 1:
        tables["plan_by_world"] = plan_by_world(pc)
    return tables


def _headline(pc: PlanComparison) -> list[Headline]:
    world = pc.worlds[0].name
    out = []
    for c in pc.candidates:
        summary = pc.simulations[(c.name, world)].summary().set_index("metric")
        p10, p50, p90 = (float(v) for v in
                         summary.loc[WINNER_METRIC, ["p10", "p50", "p90"]].to_numpy(dtype=float))
        out.append(Headline(c.name, p10, p50, p90, "money",
                            note=f"net contribution; spend {pc.worlds[0].currency}"
                                 f"{c.plan.total_spend:,.0f}"))
    return out


def plans_report_data(pc: PlanComparison, now: datetime | None = None) -> ReportData:
    """A comparison of plans as the report layer's input (kind ``compare``)."""
    s, first = pc.worlds[0], pc.simulations[(pc.names[0], pc.worlds[0].name)]
    worlds = [w.name for w in pc.worlds]
    meta = {
        "created": (now or datetime.now()).isoformat(timespec="seconds"),
        "seed": first.seed,
        "replications": first.replications,
        "plans": pc.names,
        "worlds": worlds,
        "common_target": f"{s.currency}{pc.yardstick.total:,.0f}: {pc.yardstick.description}",
        "verdict": [f"{w}: {line}" if len(worlds) > 1 else line for w in worlds
                    for line in winner_lines(pc.table[pc.table.world == w], pc.names,
                                             s.currency)],
        "plan_notes": {c.name: list(c.notes) for c in pc.candidates if c.notes},
        "quarterplan": engine.__version__,
    }
    return ReportData(
        title="Plan comparison — " + " vs ".join(pc.names) + " under " + ", ".join(worlds),
        scenario=", ".join(worlds),
        currency=s.currency,
        headline=_headline(pc),
        tables=plans_tables(pc),
        meta=meta,
        kind="compare",
    )


def plans_text(pc: PlanComparison) -> str:
    """The comparison of plans as the terminal shows it: the plans, the common target, spend
    by channel side by side, per world the KPI table and the verdict on net contribution."""
    s, cur = pc.worlds[0], pc.worlds[0].currency
    first = pc.simulations[(pc.names[0], s.name)]
    lines = [f"Plans compared: {', '.join(pc.names)} (baseline {pc.names[0]}); "
             f"common random numbers: seed {first.seed}, {first.replications} replications "
             "each",
             f"Common target {cur}{pc.yardstick.total:,.0f} for every plan: "
             f"{pc.yardstick.description}"]
    lines += [f"  {c.name}: {note}" for c in pc.candidates for note in c.notes]
    by_channel = plan_spend_by_channel(pc)
    shown = by_channel[["channel"]].copy()
    for n in pc.names:
        shown[n] = [f"{v:,.0f} ({sh:.0%})" for v, sh in
                    zip(by_channel[n], by_channel[f"{n} share"], strict=True)]
    reps = plan_reps(pc)[pc.names].sum()
    out = "\n".join(lines) + "\n\n" + render_table(shown, f"Spend by channel ({cur})")
    out += "\nReps: " + ", ".join(f"{n} {int(reps[n]):,}" for n in pc.names) + "\n"
    for w in pc.worlds:
        t = pc.table[pc.table.world == w.name]
        title = KPI_TITLE.format(what="plan") + (f" — world {w.name}" if len(pc.worlds) > 1
                                                  else "")
        out += "\n" + _kpi_table(t.assign(scenario=t.plan), pc.names, title)
        out += "".join(f"{line}\n" for line in winner_lines(t, pc.names, cur))
    if len(pc.worlds) > 1:
        grid = plan_by_world(pc)
        shown_grid = grid.assign(**{w.name: [_money(v, cur) for v in grid[w.name]]
                                    for w in pc.worlds})
        out += "\n" + render_table(shown_grid, "Mean net contribution, plan × world")
    return out


def rule_variants(path: str, specs: Sequence[str]) -> list[Scenario]:
    """The scenario at ``path`` under other rule sets, for ``compare --rules``: ``none`` drops
    its ``management:`` section; a YAML file holding a ``management:`` section replaces it.

    Raises ``UsageError`` for a file without exactly that section, ``ScenarioError`` when the
    rules do not fit the scenario."""
    from engine.scenario.loading import build_scenario, read_document
    from engine.scenario.yaml_io import read_yaml

    own = engine.load_scenario(path)
    out = []
    for spec in specs:
        if spec == "none":
            out.append(own.model_copy(update={"management": None,
                                              "name": f"{own.name} (no rules)"}))
            continue
        rules = read_yaml(Path(spec))
        if not isinstance(rules, dict) or set(rules) != {"management"}:
            raise UsageError(f"--rules {spec}: the file must hold one `management:` section")
        doc = {**read_document(path), "management": rules["management"]}
        doc["name"] = f"{own.name} (rules of {Path(spec).stem})"
        out.append(build_scenario(doc, f"{path} with {spec}"))
    return out


def compare_scenario_files(paths: Sequence[str], plan_from: str | None,
                           mc: MonteCarlo, rules: Sequence[str] = ()) -> Comparison:
    """``compare A.yaml B.yaml [--plan-from A]``: scenarios loaded and compared; ``compare
    A.yaml --rules none|FILE``: A's plan under other rule sets against A with its own rules
    (the last, whose plan is held)."""
    if not rules and len(paths) < 2:
        raise UsageError("compare: give at least two scenarios, or --plan NAME=FILE")
    loaded = [load_scenario(p) for p in paths]
    index = None
    if rules:
        loaded = [*rule_variants(paths[0], rules), *loaded]
        index = len(loaded) - 1
    elif plan_from is not None:
        names = [s.name for s in loaded]
        if plan_from not in names and plan_from not in paths:
            raise UsageError(f"--plan-from: {plan_from!r} is not one of the scenarios compared")
        index = list(paths).index(plan_from) if plan_from in paths else names.index(plan_from)
    return compare_scenarios(loaded, mc, index)


def compare_plan_files(paths: Sequence[str], plans: Sequence[str], mc: MonteCarlo,
                       spread: str = "optimizer", target: str | None = None,
                       allow_no_reps: bool = False, with_optimizer: bool = True
                       ) -> PlanComparison:
    """``compare SCENARIO... --plan NAME=FILE...``: every plan file read and checked against the
    first scenario, then every candidate simulated under every scenario against one target."""
    worlds = [load_scenario(p) for p in paths]
    names = unique_names(worlds)
    worlds = [w.model_copy(update={"name": n}) for w, n in zip(worlds, names, strict=True)]
    files = [parse_plan_option(p) for p in plans]
    rules = PlanRules(spread, allow_no_reps)
    choice = choose_target(worlds[0], target)
    candidates, opt = load_candidates(worlds[0], files, mc, rules, with_optimizer)
    yard = yardstick(worlds[0], candidates[0], choice, mc)
    return compare_plans(worlds, candidates, yard, mc, opt)


def check_plan_file(s: Scenario, path: str, spread: str = "optimizer",
                    allow_no_reps: bool = False) -> PlanInput:
    """``plan check``: the plan file checked and completed (the optimiser's plan as the
    reference for the ``optimizer`` spread rule); targets are left as the file has them."""
    from engine.optimize import optimize

    raw = read_plan_file(path)
    per_channel = "region" not in raw.spend.columns
    reference = optimize(s).plan if per_channel and (raw.spread or spread) == "optimizer" \
        else None
    rules = PlanRules(spread, allow_no_reps)
    return complete_plan(raw, s, rules, reference, raw.label or Path(path).stem)


def checked_text(given: PlanInput, s: Scenario) -> str:
    """A checked plan as the terminal shows it: what was filled in, spend by channel, reps."""
    plan, cur = given.plan, s.currency
    by_channel = plan.spend.groupby("channel", sort=False).spend.sum()
    total = float(by_channel.sum())
    lines = [f"{plan.source}: valid for {s.name}",
             *(f"  {note}" for note in given.notes),
             f"Spend {cur}{total:,.0f} of {cur}{s.budget.spendable:,.0f}: "
             + ", ".join(f"{c} {v / total:.0%}" for c, v in by_channel.items() if total > 0),
             f"Reps {int(plan.reps.reps.sum()):,} (on hand {int(plan.reps.on_hand.sum()):,}, "
             f"hires {int(plan.reps.hires.sum()):,}, added {int(plan.reps.added.sum()):,})"]
    return "\n".join(lines) + "\n"


def plan_files(pc: PlanComparison) -> dict[str, str]:
    """``plan-<name>.json`` for every plan compared (its spend, reps and own targets), the
    extra files of the run folder: every alternative on the record, ready for
    ``simulate --plan``."""
    return {f"plan-{c.name}.json": render_json(c.plan.to_dict()) for c in pc.candidates}


def compare_inputs(scenarios: Sequence[str], plans: Sequence[str], target: str | None,
                   plan_from: str | None = None, rules: Sequence[str] = ()) -> list[Path]:
    """Every file ``compare`` reads (which its outputs may not replace): the scenarios, the
    plan files, a ``--target`` file and rule files; the options checked together first
    (``UsageError``)."""
    if plans and plan_from is not None:
        raise UsageError("compare: --plan-from holds a scenario's plan; with --plan the plans "
                         "are the files given")
    if rules and (len(scenarios) != 1 or plan_from is not None or plans):
        raise UsageError("compare --rules: give exactly one scenario (and no --plan-from or "
                         "--plan)")
    if not plans and not rules and len(scenarios) < 2:
        raise UsageError("compare: give at least two scenarios, or --plan NAME=FILE")
    files = [parse_plan_option(p)[1] for p in plans]
    files += [r for r in rules if r != "none"]
    if target is not None and Path(target).suffix:
        files.append(target)
    return inputs_of(scenarios, *files)
