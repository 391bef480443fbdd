"""``quarterplan recalibrate``: load the files, re-plan, explain it in plain words, and shape it
for the terminal (``render_recalibration``) and the run folder (``report_data``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import engine
from engine.actuals import load_actuals
from engine.actuals.beliefs import BeliefOptions
from engine.commands.review import render_review
from engine.errors import UsageError
from engine.jobs.recalibrate import FORECASTS, RecalibrateOptions, Recalibration, recalibrate
from engine.jobs.review import Review, review
from engine.optimize.optimizer import optimize
from engine.output import render_table
from engine.plan import Plan, read_plan
from engine.report.data import Headline, ReportData
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo

MOVES_SHOWN = 6
"""Belief changes listed in the explanation."""


def quarter_over(s: Scenario, as_of_week: int) -> bool:
    """Whether ``as_of_week`` is the quarter's last week (nothing left to re-plan); a week
    beyond the quarter is a ``UsageError``."""
    if as_of_week > s.horizon.weeks:
        raise UsageError(f"--as-of-week {as_of_week} is beyond the quarter's "
                         f"{s.horizon.weeks} weeks")
    return as_of_week == s.horizon.weeks


def final_review(scenario: str | Path, actuals: str | Path, plan: str | Path | None = None,
                 prior_strength: float = 100.0) -> Review:
    """The quarter's final review when the actuals cover all of it: the weeks as they
    happened against the plan in force (``plan``, or the scenario's optimised plan)."""
    s = engine.load_scenario(scenario)
    a = load_actuals(actuals, s, s.horizon.weeks)
    a = type(a)(a.frame, s.horizon.weeks, a.source)
    in_force = read_plan(plan) if plan is not None else optimize(s).plan
    return review(a, s, in_force, BeliefOptions(prior_strength=prior_strength))


def final_review_text(r: Review, s: Scenario) -> str:
    """The final review, saying why there is no re-plan."""
    return (f"Week {r.weeks} of {s.horizon.weeks}: the quarter is over, nothing is left to "
            "re-plan; its final review follows.\n\n" + render_review(r))


def recalibrate_files(scenario: str | Path, actuals: str | Path, as_of_week: int,
                      plan: str | Path | None = None,
                      options: RecalibrateOptions | None = None,
                      mc: MonteCarlo | None = None) -> tuple[Recalibration, Scenario]:
    """Re-plan ``scenario`` with the actuals file up to ``as_of_week``; the plan in force is
    ``plan`` (a ``plan.json``) or, without one, the scenario's optimised plan."""
    s = engine.load_scenario(scenario)
    quarter_over(s, as_of_week)
    a = load_actuals(actuals, s, as_of_week)
    a = type(a)(a.frame, as_of_week, a.source)
    in_force = read_plan(plan) if plan is not None else optimize(s).plan
    return recalibrate(s, a, in_force, options, mc), s


def _money(value: float, currency: str) -> str:
    if abs(value) >= 1e6:
        return f"{currency}{value / 1e6:,.2f}M"
    if abs(value) >= 1e3:
        return f"{currency}{value / 1e3:,.0f}k"
    return f"{currency}{value:,.0f}"


def _phrase(parameter: str, prior: float, post: float, low: float, high: float) -> str:
    """One belief change in a planner's words."""
    name = parameter.split("[", 1)[-1].split("]", 1)[0]
    ci = f"({low:.3g}-{high:.3g})"
    if parameter.startswith("funnel.stages"):
        return f"stage {name} converts {post:.1%} {ci}; the scenario assumed {prior:.1%}"
    if parameter.endswith("conversion_multiplier"):
        return f"{name} converts at x{post:.3g} the pooled funnel {ci}, assumed x{prior:.3g}"
    if parameter.endswith("lead_rate"):
        return f"{name} brings x{post:.3g} the leads its spend should {ci}"
    if parameter.endswith("organic_leads"):
        return f"{name} gets {post:.3g} organic leads a week {ci}, assumed {prior:.3g}"
    if parameter.endswith("max_leads") or parameter.endswith("cost_per_lead"):
        ratio = post / prior if parameter.endswith("max_leads") else prior / post
        return f"channel {name} brings x{ratio:.3g} the leads its spend should"
    if parameter.startswith("customers.repurchase"):
        return f"customers reorder at {post:.1%} a quarter {ci}, assumed {prior:.1%}"
    return f"{parameter}: {post:.4g} {ci}, was {prior:.4g}"


def belief_moves(rc: Recalibration) -> list[str]:
    """The applied beliefs whose credible interval excludes the scenario's value, largest moves
    first, in plain words."""
    t = rc.beliefs.table
    clear = t[t.applied & ((t.prior < t.low) | (t.prior > t.high))]
    clear = clear.reindex(clear.moved_sd.abs().sort_values(ascending=False).index)
    out = [_phrase(str(p), float(a), float(b), float(lo), float(hi))
           for p, a, b, lo, hi in zip(clear.parameter, clear.prior, clear.posterior, clear.low,
                                      clear.high, strict=True)][:MOVES_SHOWN]
    if len(clear) > MOVES_SHOWN:
        out.append(f"... and {len(clear) - MOVES_SHOWN} more (see the beliefs table)")
    level = round(100 * rc.beliefs.options.level)
    return [f"({level}% credible intervals; only values whose interval excludes the "
            "scenario's are listed)", *out] if out else [
        "no parameter moved beyond its credible interval: the quarter runs as the scenario "
        "assumed"]


def _spend_moves(rc: Recalibration, currency: str) -> str:
    by = rc.spend.groupby("channel")[["old_remaining", "new_remaining"]].sum()
    change = (by.new_remaining - by.old_remaining).sort_values()
    parts = [f"{c} {'+' if v > 0 else '-'}{_money(abs(v), currency)}"
             for c, v in change.items() if abs(v) >= 0.005 * max(by.old_remaining.sum(), 1)]
    return ", ".join(parts) if parts else "no channel moves by more than 0.5% of the money left"


def _target_moves(rc: Recalibration, currency: str) -> list[str]:
    t = rc.targets
    new = float(t.new_target.sum())
    rule = float(t.rule_before_actuals.sum())
    head = (f"Targets for the weeks left: {_money(new, currency)}; the same rule on the "
            f"forecast before the quarter gives {_money(rule, currency)} "
            f"({new / rule - 1:+.1%})" if rule > 0 else
            f"Targets for the weeks left: {_money(new, currency)}")
    if t.old_target.isna().all():
        return [head + "; the plan in force had none."]
    old = float(t.old_target.sum())
    out = [head + f"; the plan in force had {_money(old, currency)} ({new / old - 1:+.1%})."]
    big = t.reindex(t.change.abs().sort_values(ascending=False).index).head(3)
    for region, line, target, change in zip(big.region, big.line, big.new_target, big.change,
                                            strict=True):
        if pd.notna(change):
            out.append(f"  {region} {line}: {_money(float(target), currency)} "
                       f"({float(change):+.1%})")
    return out


def _choice(rc: Recalibration, currency: str) -> str:
    mean, se = rc.gain
    diff = (f"{_money(abs(mean), currency)} {'more' if mean > 0 else 'less'} gross profit after "
            f"marketing than the plan in force (standard error {_money(se, currency)})")
    if rc.adopted == FORECASTS[1]:
        return (f"Keep the plan in force for the money left: the re-optimised plan gives {diff}; "
                "only the targets are recalibrated.")
    return f"Adopt the re-optimised plan for the money left: it gives {diff}."


def explain(rc: Recalibration, s: Scenario) -> list[str]:
    """What changed and why, in plain words."""
    cur, W, K = s.currency, s.horizon.weeks, rc.as_of_week
    f = rc.forecast.set_index("forecast").astype(float)
    before, old, new = (f.loc[n].to_dict() for n in FORECASTS)
    booked = sum(rc.state.revenue_booked.values())
    spent = float(rc.spend.spent.sum())
    better = "more" if new['contribution'] > old['contribution'] else "less"
    return [
        f"Week {K} of {W}: {_money(booked, cur)} booked; {_money(spent, cur)} of marketing "
        "money already spent stays where it was spent.",
        "What the actuals changed:",
        *(f"  {line}" for line in belief_moves(rc)),
        f"Quarter revenue under the plan in force: {_money(old['revenue'], cur)} "
        f"(P10-P90 {_money(old['p10'], cur)}-{_money(old['p90'], cur)}); before the quarter "
        f"it was {_money(before['revenue'], cur)} ({old['revenue'] / before['revenue'] - 1:+.1%}).",
        f"Re-optimised plan: {_money(new['revenue'], cur)} revenue and "
        f"{_money(new['contribution'], cur)} gross profit after marketing, {better} than the "
        f"plan in force ({_money(old['contribution'], cur)}).",
        f"Money left moves: {_spend_moves(rc, cur)}.",
        _choice(rc, cur),
        *_target_moves(rc, cur),
    ]


def render_recalibration(rc: Recalibration, s: Scenario) -> str:
    """The re-plan as text: the explanation, then its tables."""
    parts = ["\n".join(explain(rc, s)) + "\n"]
    parts.append(render_table(rc.forecast, "Forecast of the quarter"))
    by_channel = rc.spend.groupby("channel", sort=False)[
        ["planned", "spent", "old_remaining", "new_remaining", "new_quarter"]].sum()
    parts.append(render_table(by_channel.reset_index(), "Spend by channel"))
    by_region = rc.targets.groupby("region", sort=False)[
        ["old_target", "rule_before_actuals", "new_target"]].sum()
    by_region["change"] = by_region.new_target / by_region.old_target - 1
    parts.append(render_table(by_region.reset_index(),
                              f"Targets for weeks {rc.as_of_week + 1}-{s.horizon.weeks}"))
    t = rc.beliefs.table
    parts.append(render_table(t[t.applied][["parameter", "prior", "posterior", "low", "high",
                                            "moved_sd"]], "Updated beliefs"))
    return "\n".join(parts)


def _fan(rc: Recalibration) -> pd.DataFrame:
    """Cumulative revenue: the booked weeks as they happened, then booked plus simulated under
    the plan adopted from here; the cumulative target of the new plan."""
    fan = rc.simulations[rc.adopted].bands("revenue")
    booked = np.cumsum(rc.booked_weekly) if rc.booked_weekly else np.zeros(0)
    past = fan.week <= rc.as_of_week
    cols = ["mean", "p10", "p50", "p90"]
    fan.loc[~past, cols] = fan.loc[~past, cols] + (booked[-1] if booked.size else 0.0)
    for col in cols:
        fan.loc[past, col] = booked[: int(past.sum())]
    target = rc.new_plan.targets.groupby("week").target.sum().cumsum()
    fan["target"] = fan.week.map(target).astype(float)
    return fan


def _kpis(rc: Recalibration) -> pd.DataFrame:
    """The adopted plan's simulated KPIs, without those the re-plan reports itself (targets,
    contribution after marketing)."""
    kpis = rc.simulations[rc.adopted].summary()
    dropped = {"net_contribution", "target", "attainment", "hit_target"}
    return kpis[~kpis.metric.isin(dropped)].reset_index(drop=True)


def report_data(rc: Recalibration, s: Scenario) -> ReportData:
    """The re-plan for the run folder and HTML report (kind ``recalibrate``)."""
    rows = {str(r["forecast"]): r for r in rc.forecast.to_dict(orient="records")}
    heads = [Headline(f"Revenue, {name}", float(rows[name]["p10"]), float(rows[name]["p50"]),
                      float(rows[name]["p90"]), note="booked plus simulated")
             for name in FORECASTS]
    plan: Plan = rc.new_plan
    tables = {
        "spend": plan.spend, "reps": plan.reps, "targets": plan.targets,
        "revenue_fan": _fan(rc), "kpis": _kpis(rc),
        "forecasts": rc.forecast, "target_changes": rc.targets, "replan_spend": rc.spend,
        "beliefs": rc.beliefs.table,
    }
    return ReportData(title=f"Re-plan of {s.name} after week {rc.as_of_week}",
                      scenario=s.name, currency=s.currency, headline=heads, tables=tables,
                      meta={"as_of_week": rc.as_of_week, "explanation": explain(rc, s)},
                      kind="recalibrate")
