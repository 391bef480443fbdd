"""What ``quarterplan simulate`` prints and writes: the plan it runs, tables, and a run folder."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from engine.commands.names import named_tables, outcome_tables
from engine.commands.run import funnel_with_bottleneck, management_lines
from engine.jobs.tiers import segment_month_targets, tier_targets
from engine.kpis import display_frame, kpi
from engine.output import render_table
from engine.plan import Plan, even_plan
from engine.report.data import Headline, ReportData
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo
from engine.simulate.result import SimulationResult, weekly_frame

HEADLINE = [
    "revenue", "gross_profit", "net_contribution", "target", "attainment", "hit_target",
    "new_product_share", "fill_rate",
    "stockout_days", "rep_utilisation", "lead_response_days", "cold_share", "dso",
    "overdue_share", "cash", "receivables",
]
"""KPIs shown in the table output, in this order (the JSON and CSV outputs have them all)."""
MAX_ALERTS_SHOWN = 12


def choose_plan(scenario: Scenario, plan_file: str | None, mc: MonteCarlo | None = None,
                allow_no_reps: bool = False) -> tuple[Plan, list[str]]:
    """The plan to simulate and what was filled in: the plan file if given (CSV, Excel, YAML
    or ``plan.json``, checked and completed; targets it lacks from its own forecast, see
    ``engine.plans``), else the optimiser's plan, else (when the optimiser is not installed)
    the solver-free ``even_plan``."""
    if plan_file is not None:
        from engine.commands.compare import check_plan_file
        from engine.jobs.plans import forecast_targets

        given = check_plan_file(scenario, plan_file, allow_no_reps=allow_no_reps)
        if not given.needs_targets:
            return given.plan, given.notes
        targets = forecast_targets(scenario, given.plan, mc or MonteCarlo())
        return replace(given.plan, targets=targets), given.notes
    return _default_plan(scenario, mc or MonteCarlo()), []


def _default_plan(scenario: Scenario, mc: MonteCarlo) -> Plan:
    try:
        from engine.jobs.run import optimize_with
    except ImportError:
        return even_plan(scenario)
    return optimize_with(scenario, mc).plan


def weekly_means(result: SimulationResult) -> pd.DataFrame:
    """``week, region, product, metric, value``: the weekly series averaged over replications."""
    rw = result.region_weekly.mean(axis=0, keepdims=True)
    pw = result.product_weekly.mean(axis=0, keepdims=True)
    return weekly_frame(result.inputs, rw, pw).drop(columns="replication")


def replication_weekly(result: SimulationResult, replication: int = 0) -> pd.DataFrame:
    """One replication's weekly series (what ``--export-actuals`` builds on)."""
    i = replication
    return weekly_frame(result.inputs, result.region_weekly[i:i + 1],
                        result.product_weekly[i:i + 1], replication)


def _headline(result: SimulationResult) -> pd.DataFrame:
    summary = result.summary().set_index("metric")
    rows = [m for m in HEADLINE if m in summary.index]
    return summary.loc[rows].reset_index()


def render_text(result: SimulationResult, currency: str = "") -> str:
    """The table output: settings and notes, headline KPIs, revenue fan, funnel, alerts."""
    head = (f"{result.scenario}: {result.replications} replications, seed {result.seed}, "
            f"plan: {result.plan_source or 'given'}")
    lines = [head, *(f"  note: {n}" for n in result.notes[1:]), ""]
    bands = result.bands("revenue")
    targets = result.inputs.targets.sum(axis=0)
    if not np.isnan(targets).all():
        bands["target"] = np.cumsum(targets)
    funnel = result.funnel[["stage", "entered", "converted", "cold", "cold_share",
                            "mean_wait_days"]]
    parts = [
        render_table(display_frame(_headline(result), currency), "Quarter KPIs "
                     "(the chance of hitting target is the mean of a 0/1 outcome)",
                     right=("mean", "p10", "p50", "p90")),
        render_table(bands, "Cumulative revenue by week"),
        render_table(funnel, "Funnel (mean per quarter)"),
        _alerts_text(result.alerts),
    ]
    managed = management_lines(result)
    tail = "\n".join(managed) + "\n" if managed else ""
    return "\n".join(lines) + "\n".join(parts) + tail


def _alerts_text(alerts: pd.DataFrame) -> str:
    if alerts.empty:
        return "Alerts: none\n"
    shown = alerts.head(MAX_ALERTS_SHOWN).assign(
        week=[("" if pd.isna(w) else str(w)) for w in alerts.week.head(MAX_ALERTS_SHOWN)]
    )
    text = render_table(shown, f"Alerts ({len(alerts)})")
    if len(alerts) > MAX_ALERTS_SHOWN:
        text += f"... {len(alerts) - MAX_ALERTS_SHOWN} more in the JSON output and alerts.csv\n"
    return text


def _fan(result: SimulationResult) -> pd.DataFrame:
    bands = result.bands("revenue")
    targets = result.inputs.targets.sum(axis=0)
    bands["target"] = np.cumsum(targets) if not np.isnan(targets).all() else np.nan
    return bands


def simulate_json(result: SimulationResult, plan: Plan) -> dict[str, Any]:
    """The JSON output: the simulation's data and its outcomes by region, line, channel and
    segment against the plan's targets."""
    return {**result.to_dict(), "outcomes": _outcomes(result, plan)}


def _outcomes(result: SimulationResult, plan: Plan) -> dict[str, pd.DataFrame]:
    """Outcomes against the plan's targets, the segments' against the tier targets."""
    tiers = tier_targets(plan.targets, result)
    return result.outcomes(plan.targets, segment_month_targets(tiers, result))


def report_data(result: SimulationResult, scenario: Scenario, plan: Plan) -> ReportData:
    """The simulation for the run folder and HTML report (kind ``simulate``): the KPI summary,
    every replication's KPIs, the revenue fan, the outcomes by region, line, channel and
    segment, the weekly means, replication 0's weekly series, the funnel and the alerts."""
    rows = {str(r["metric"]): r for r in result.summary().to_dict(orient="records")}
    heads = [Headline(kpi(m).label, float(rows[m]["p10"]), float(rows[m]["p50"]),
                      float(rows[m]["p90"]), "money")
             for m in ("revenue", "gross_profit", "net_contribution") if m in rows]
    tables = {
        "kpis": result.summary(), "replication_kpis": result.kpis, "revenue_fan": _fan(result),
        **outcome_tables(_outcomes(result, plan)),
        "weekly_mean": weekly_means(result), "weekly_replication0": replication_weekly(result),
        "funnel": funnel_with_bottleneck(result), "alerts": result.alerts,
    }
    if not result.firings.empty:
        tables["management"] = result.management()
        tables["firings"] = result.firings
    meta = {"seed": result.seed, "replications": result.replications,
            "plan": result.plan_source, "notes": "; ".join(result.notes),
            "description": scenario.description}
    return ReportData(title=f"Simulation — {result.scenario}", scenario=result.scenario,
                      currency=scenario.currency, headline=heads,
                      tables=named_tables(tables, scenario), meta=meta, kind="simulate",
                      lang=scenario.language)
