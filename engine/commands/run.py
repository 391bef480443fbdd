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
from engine.jobs.run import RunResult
from engine.output import to_jsonable
from engine.report.data import Headline, ReportData
from engine.simulate import SimulationResult

KPI_HEADLINES: tuple[tuple[str, str, str], ...] = (
    ("gross_profit", "Gross profit", "money"),
    ("revenue", "Revenue", "money"),
    ("hit_target", "Chance of hitting target", "share"),
    ("new_product_share", "New-product share", "share"),
    ("fill_rate", "Fill rate", "share"),
    ("dso", "Days sales outstanding", "days"),
)


def _kpi(sim: SimulationResult, metric: str) -> pd.Series:
    summary = sim.summary()
    return summary[summary.metric == metric].iloc[0]


def headline(run: RunResult) -> list[Headline]:
    """Headline figures: P50 with P10-P90 (the chance of hitting target is a probability)."""
    out = []
    for metric, label, unit in KPI_HEADLINES:
        k = _kpi(run.simulation, metric)
        if metric == "hit_target":
            target = float(_kpi(run.simulation, "target")["mean"])
            out.append(
                Headline(
                    label,
                    k["mean"],
                    k["mean"],
                    k["mean"],
                    "share",
                    note=f"target {run.scenario.currency}{target / 1e6:,.1f}M",
                )
            )
        else:
            out.append(Headline(label, k["p10"], k["p50"], k["p90"], unit))  # type: ignore[arg-type]
    spend = run.plan.total_spend
    out.append(
        Headline(
            "Marketing spend",
            spend,
            spend,
            spend,
            "money",
            note=f"{run.scenario.budget.reserve_share:.0%} reserve held back",
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
    if run.optimization is not None:
        tables["shadow_prices"] = run.optimization.shadow_prices
        tables["expected_outcome"] = run.optimization.outcome
    return tables


def run_report_data(run: RunResult, now: datetime | None = None) -> ReportData:
    """The run as the report layer's input (kind ``run``)."""
    when = now or datetime.now()
    return ReportData(
        title=f"Quarter plan — {run.scenario.name}",
        scenario=run.scenario.name,
        currency=run.scenario.currency,
        headline=headline(run),
        tables=run_tables(run),
        meta=run_meta(run, when),
        kind="run",
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
        }
    )


def _band(k: pd.Series, money: bool, currency: str) -> str:
    if money:
        return (
            f"{currency}{k['p50'] / 1e6:,.2f}M (P10–P90 {currency}{k['p10'] / 1e6:,.2f}M–"
            f"{currency}{k['p90'] / 1e6:,.2f}M)"
        )
    return f"{k['p50']:.1%} (P10–P90 {k['p10']:.1%}–{k['p90']:.1%})"


def headline_text(run: RunResult) -> str:
    """What the terminal shows after a run."""
    s, sim, cur = run.scenario, run.simulation, run.scenario.currency
    hit = float(_kpi(sim, "hit_target")["mean"])
    target = float(_kpi(sim, "target")["mean"])
    lines = [
        f"{s.name}: {sim.replications} simulated quarters, seed {sim.seed}",
        f"  gross profit  {_band(_kpi(sim, 'gross_profit'), True, cur)}",
        f"  revenue       {_band(_kpi(sim, 'revenue'), True, cur)}",
        f"  target        {cur}{target / 1e6:,.2f}M ({s.policy.target.rule} rule): "
        f"hit in {hit:.0%} of quarters",
        f"  new products  {_band(_kpi(sim, 'new_product_share'), False, cur)} of revenue",
        "",
    ]
    by_channel = run.plan.spend.groupby("channel").spend.sum().sort_values(ascending=False)
    total = by_channel.sum()
    split = ", ".join(f"{c} {v / total:.0%}" for c, v in by_channel.items() if total > 0)
    lines.append(f"Spend {cur}{total:,.0f} of {cur}{s.budget.spendable:,.0f}: {split}")
    if run.optimization is not None:
        lines.append("What the constraints cost:")
        lines += [f"  {m}" for m in _top_prices(run.optimization.shadow_prices)]
    lines += _alert_lines(sim.alerts)
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
