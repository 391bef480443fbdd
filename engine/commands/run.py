"""From results to what a planner reads: report tables, headline figures, terminal text.

``run_report_data`` turns a run into the report layer's ``ReportData`` (which ``engine.report``
writes as JSON, CSV, Excel and HTML); ``headline_text`` is what the terminal shows. Comparisons
are in ``engine.commands.compare``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd

import engine
from engine.commands.names import display_names, named_tables, outcome_tables
from engine.commands.targetsheet import target_sheets
from engine.jobs.run import RunResult
from engine.jobs.tiers import segment_month_targets, tier_targets
from engine.kpis import format_kpi, kpi
from engine.output import display_width, to_jsonable
from engine.report.data import Headline, ReportData, Unit
from engine.report.i18n import money_zh, tr
from engine.simulate import SimulationResult

KPI_HEADLINES: tuple[str, ...] = (
    "gross_profit", "net_contribution", "revenue", "hit_target", "new_product_share",
    "fill_rate", "dso",
)
"""The headline cards, in order (labels, units and statistics from ``engine.kpis``)."""


def _kpi(sim: SimulationResult, metric: str) -> pd.Series:
    summary = sim.summary()
    return summary[summary.metric == metric].iloc[0]


def headline(run: RunResult, lang: str | None = None) -> list[Headline]:
    """Headline figures: P50 with P10-P90 (the chance of hitting target is a probability)."""
    out = []
    cur, lang = run.scenario.currency, lang or run.scenario.language
    for metric in KPI_HEADLINES:
        k, info = _kpi(run.simulation, metric), kpi(metric)
        unit: Unit = info.unit if info.unit != "number" else "count"
        if info.stat == "mean":
            target = float(_kpi(run.simulation, "target")["mean"])
            note = tr(lang)("target {target}").format(
                target=money_zh(target, cur) if lang == "zh"
                else format_kpi("target", target, cur))
            out.append(Headline(info.label, k["mean"], k["mean"], k["mean"], unit, note=note))
        else:
            out.append(Headline(info.label, k["p10"], k["p50"], k["p90"], unit))
    spend = run.plan.total_spend
    out.append(
        Headline(
            kpi("spend").label,
            spend,
            spend,
            spend,
            "money",
            note=tr(lang)("{share} reserve held back").format(
                share=f"{run.scenario.budget.reserve_share:.0%}"),
        )
    )
    return out


def revenue_fan(run: RunResult) -> pd.DataFrame:
    fan = run.simulation.bands("revenue")
    target = run.plan.targets.groupby("week").target.sum().cumsum()
    fan["target"] = fan.week.map(target).astype(float)
    return fan


def _stock(run: RunResult) -> pd.DataFrame | None:
    sim = run.simulation
    items = {i.product: i.safety_stock for i in run.scenario.inventory.stock}
    if not items:
        return None
    frame = sim.weekly
    stock = frame[(frame.metric == "stock") & frame["product"].isin(items)]
    bands = stock.groupby(["week", "product"]).value.quantile([0.1, 0.5, 0.9]).unstack()  # type: ignore[arg-type]
    bands.columns = ["p10", "p50", "p90"]
    bands = bands.reset_index()
    bands["safety_stock"] = bands["product"].map(items).astype(float)
    return bands


def _cash(run: RunResult) -> pd.DataFrame:
    frames = []
    for metric, cumulative in (("cash", True), ("receivables", False)):
        band = run.simulation.bands(metric, cumulative=cumulative)
        frames.append(band.assign(metric=metric)[["week", "metric", "p10", "p50", "p90"]])
    return pd.concat(frames, ignore_index=True)


def funnel_with_bottleneck(sim: SimulationResult) -> pd.DataFrame:
    """The simulated funnel with a ``bottleneck`` flag on the stage the alerts name."""
    f = sim.funnel.copy()
    f["bottleneck"] = False
    bottleneck = sim.alerts[sim.alerts.kind == "bottleneck"]
    if not bottleneck.empty:
        f.loc[f.stage == bottleneck.iloc[0].subject, "bottleneck"] = True
    return f


def run_meta(run: RunResult, now: datetime) -> dict[str, Any]:
    opt = run.optimization
    meta: dict[str, Any] = {
        "created": now.isoformat(timespec="seconds"),
        "seed": run.simulation.seed,
        "replications": run.simulation.replications,
        "plan": run.plan.source,
        "targets": f"policy rule '{run.scenario.policy.target.rule}' on a pilot forecast",
        "quarterplan": engine.__version__,
        "description": run.scenario.description,
    }
    if opt is not None:
        meta |= {
            "solver": opt.solver,
            "status": opt.status.value,
            "objective": opt.objective,
            "mip_gap": opt.gap,
            "shadow_prices_from": opt.duals_from,
        }
    return meta


def run_tables(run: RunResult) -> dict[str, pd.DataFrame]:
    """Every table of a run, under the report layer's names."""
    sim, plan = run.simulation, run.plan
    tables = {
        "spend": plan.spend,
        "reps": plan.reps,
        "targets": plan.targets,
        "revenue_fan": revenue_fan(run),
        "funnel": funnel_with_bottleneck(sim),
        "cash": _cash(run),
        "kpis": sim.summary(),
        "alerts": sim.alerts,
    }
    stock = _stock(run)
    if stock is not None:
        tables["stock"] = stock
    tables |= target_sheets(plan.targets, run.scenario)
    tiers = tier_targets(plan.targets, sim)
    if not tiers.empty:
        tables["tier_targets"] = tiers
    tables |= outcome_tables(sim.outcomes(plan.targets, segment_month_targets(tiers, sim)))
    if run.optimization is not None:
        tables["shadow_prices"] = run.optimization.shadow_prices
        tables["expected_outcome"] = run.optimization.outcome
    if not sim.firings.empty:
        tables["management"] = sim.management()
    return tables


def management_lines(sim: SimulationResult, name: str | None = None,
                     currency: str = "") -> list[str]:
    """How often each rule fired (empty when the run had no rules or none fired)."""
    if sim.inputs.levers is None:
        return []
    table = sim.management()
    head = f"Management{f' ({name})' if name else ''}: "
    if table.empty:
        return [head + "no rule fired"]
    lines = [head + "how often each rule fired"]
    for r in table.itertuples(index=False):
        if r.unit == "discount":
            per_firing = table.amount[table.rule == r.rule].iloc[0] / r.per_replication
            moved = f"{per_firing:.0%} off when it fired"
        else:
            amount = f"{currency}{r.amount:,.0f}" if r.unit == "money" else \
                f"{r.amount:,.0f} {r.unit}"
            moved = f"{amount} per quarter on average"
        lines.append(f"  {r.rule}: {r.action} in {r.fired_share:.1%} of quarters "
                     f"(first at week {r.first_week:.1f} on average), {r.per_replication:.2f} "
                     f"times per quarter, {moved}")
    return lines


def run_report_data(run: RunResult, now: datetime | None = None,
                    lang: str | None = None) -> ReportData:
    """The run as the report layer's input (kind ``run``) in ``lang`` (default: the
    scenario's language)."""
    when, lang = now or datetime.now(), lang or run.scenario.language
    return ReportData(
        title=tr(lang)("Quarter plan — {name}").format(name=run.scenario.name),
        scenario=run.scenario.name,
        currency=run.scenario.currency,
        headline=headline(run, lang),
        tables=named_tables(run_tables(run), run.scenario),
        meta=run_meta(run, when),
        kind="run",
        lang=lang,
    )


def run_json(run: RunResult) -> dict[str, Any]:
    """The whole result as plain data (optimisation and simulation)."""
    opt = run.optimization
    return to_jsonable(
        {
            "scenario": run.scenario.name,
            "plan": run.plan.to_dict(),
            "optimization": opt.to_dict() if opt is not None else None,
            "simulation": run.simulation.to_dict(),
            "outcomes": run.simulation.outcomes(run.plan.targets, segment_month_targets(
                tier_targets(run.plan.targets, run.simulation), run.simulation)),
        }
    )


def _band(k: pd.Series, money: bool, currency: str, lang: str = "en") -> str:
    if money and lang == "zh":
        low, mid, high = (money_zh(float(k[q]), currency) for q in ("p10", "p50", "p90"))
        return f"{mid}（P10–P90 {low}–{high}）"
    if money:
        return (
            f"{currency}{k['p50'] / 1e6:,.2f}M (P10–P90 {currency}{k['p10'] / 1e6:,.2f}M–"
            f"{currency}{k['p90'] / 1e6:,.2f}M)"
        )
    return f"{k['p50']:.1%} (P10–P90 {k['p10']:.1%}–{k['p90']:.1%})"


def _money_text(value: float, currency: str, lang: str, millions: bool = True) -> str:
    if lang == "zh":
        return money_zh(value, currency)
    return f"{currency}{value / 1e6:,.2f}M" if millions else f"{currency}{value:,.0f}"


def _label(text: str, width: int = 18) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    return "  " + text + " " * max(width - display_width(text), 1)


def headline_text(run: RunResult, lang: str = "en") -> str:
    """What the terminal shows after a run, in ``lang`` (labels from the message catalogue,
    money in 万/亿 in Chinese), with the scenario's display names."""
    s, sim, cur, t = run.scenario, run.simulation, run.scenario.currency, tr(lang)
    hit = float(_kpi(sim, "hit_target")["mean"])
    target = float(_kpi(sim, "target")["mean"])
    lines = [
        t("{name}: {n} simulated quarters, seed {seed}").format(
            name=s.name, n=sim.replications, seed=sim.seed),
        *(_label(t(word)) + _band(_kpi(sim, metric), True, cur, lang)
          for word, metric in (("gross profit", "gross_profit"),
                               ("net contribution", "net_contribution"), ("revenue", "revenue"))),
        _label(t("target")) + t("{target} ({rule} rule): hit in {share} of quarters").format(
            target=_money_text(target, cur, lang), rule=s.policy.target.rule, share=f"{hit:.0%}"),
        _label(t("new products")) + _band(_kpi(sim, "new_product_share"), False, cur)
        + " " + t("of revenue"),
        "",
    ]
    names = display_names(s)["channel"]
    by_channel = run.plan.spend.groupby("channel").spend.sum().sort_values(ascending=False)
    total = by_channel.sum()
    split = ", ".join(f"{names.get(str(c), c)} {v / total:.0%}" for c, v in by_channel.items()
                      if total > 0)
    lines.append(t("Spend {spent} of {budget}: {split}").format(
        spent=_money_text(total, cur, lang, False),
        budget=_money_text(s.budget.spendable, cur, lang, False), split=split))
    if run.optimization is not None:
        lines.append("What the constraints cost:")
        lines += [f"  {m}" for m in _top_prices(run.optimization.shadow_prices)]
    lines += _alert_lines(sim.alerts)
    lines += management_lines(sim, currency=cur)
    return "\n".join(lines) + "\n"


def _top_prices(prices: pd.DataFrame, n: int = 3) -> list[str]:
    """The budget's shadow price first (the planner's first question), then the largest others."""
    budget = prices[prices.constraint == "budget"]
    others = prices[prices.constraint != "budget"]
    others = others.assign(size=others.value.abs()).sort_values("size", ascending=False)
    return [*budget.meaning, *others.meaning.head(n - len(budget))]


def _alert_lines(alerts: pd.DataFrame) -> list[str]:
    if alerts.empty:
        return ["No alerts."]
    counts = alerts.kind.value_counts()
    lines = ["Alerts: " + ", ".join(f"{n} {str(k).replace('_', ' ')}" for k, n in counts.items())]
    for kind in counts.index:
        first = alerts[alerts.kind == kind].iloc[0]
        lines.append(f"  {str(kind).replace('_', ' ')}: {first.subject} — {first.detail}")
    return lines
