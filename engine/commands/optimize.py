"""The optimised plan as a planner reads it (text tables) and as files (``--out DIR``), and the
model as MPS (``--export-mps``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from engine.files import atomic_write
from engine.optimize.build import build_model
from engine.optimize.cbc import to_pulp
from engine.optimize.inputs import ModelInputs, build_inputs
from engine.optimize.options import OptimizeOptions
from engine.optimize.result import OptimizationResult
from engine.optimize.targets import monthly_targets
from engine.output import render_json, render_table
from engine.report.data import Headline, ReportData
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES

TOP_SHADOW = 10


def spend_split(result: OptimizationResult) -> pd.DataFrame:
    """Spend by region (rows) and channel (columns), with totals (money per quarter)."""
    spend = result.plan.spend
    table = spend.pivot_table(
        index="region", columns="channel", values="spend", sort=False, aggfunc="sum"
    )
    table["total"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    return table.reset_index()


def reps_view(result: OptimizationResult) -> pd.DataFrame:
    """Reps by region and role, and the hires the plan adds."""
    reps = result.plan.reps
    table = reps.pivot_table(
        index="region", columns="role", values="reps", sort=False, aggfunc="sum"
    )[list(ROLES)]
    added = reps[reps.added > 0]
    notes = added.groupby("region", sort=False).apply(
        lambda g: ", ".join(f"{r.role} +{r.added:g}" for r in g.itertuples())
    )
    table["added by the plan"] = [notes.get(r, "") for r in table.index]
    return table.reset_index()


def month_view(result: OptimizationResult, scenario: Scenario) -> pd.DataFrame:
    """Revenue targets by region and month (money), with the quarter and totals."""
    monthly = monthly_targets(scenario, result.plan.targets)
    table = monthly.pivot_table(
        index="region", columns="month", values="target", sort=False, aggfunc="sum"
    )
    table.columns = [f"month {m}" for m in table.columns]
    table["quarter"] = table.sum(axis=1)
    table.loc["total"] = table.sum(axis=0)
    return table.reset_index()


def top_shadow_prices(shadow: pd.DataFrame, count: int = TOP_SHADOW) -> pd.DataFrame:
    """The non-zero shadow prices, the largest of each family first, then the next largest,
    ``count`` in all."""
    priced = shadow[shadow.value != 0]
    firsts = priced.drop_duplicates("family")
    top = pd.concat([firsts, priced.drop(firsts.index)]).head(count)
    return top.loc[top.value.abs().sort_values(ascending=False, kind="stable").index]


def unpriced_families(shadow: pd.DataFrame, binding: pd.DataFrame | None = None) -> list[str]:
    """Families none of whose constraints is worth anything at the margin or binds."""
    priced = set(shadow.family[shadow.value != 0])
    if binding is not None:
        priced |= set(binding.family)
    return [f for f in dict.fromkeys(shadow.family) if f not in priced]


def rep_table(result: OptimizationResult, currency: str) -> pd.DataFrame:
    """What one more tenured rep is worth where the reps are busiest (re-solved)."""
    reps = result.rep_values
    return pd.DataFrame({
        "region": reps.region, "role": reps.role,
        "busy": [f"{u:.0%}" for u in reps.utilisation],
        f"net contribution gained ({currency})": [f"{v:+,.0f}" for v in reps.value],
        f"rep cost included ({currency})": [f"{c:,.0f}" for c in reps.cost],
        "95% interval": ["" if h != h else f"± {h:,.0f}" for h in reps.interval],
        "verdict": reps.verdict,
    })


def render_result(result: OptimizationResult, scenario: Scenario) -> str:
    """The table view of ``quarterplan optimize``."""
    shadow = result.shadow_prices
    shadow = shadow[shadow.family != "rep_capacity"]
    top = top_shadow_prices(shadow)[["meaning"]]
    parts = [
        headline(result, scenario),
        render_table(spend_split(result), f"Spend by region and channel ({scenario.currency})"),
        render_table(reps_view(result), "Reps by region and role"),
        render_table(
            month_view(result, scenario), f"Revenue targets by month ({scenario.currency})"
        ),
        render_table(
            top.rename(columns={"meaning": "what one more unit is worth"}),
            f"Top shadow prices (from {result.duals_from})",
        )
        + "worth nothing more at the margin: "
        + (", ".join(unpriced_families(result.shadow_prices, result.binding)) or "-")
        + "\n",
    ]
    if len(result.rep_values):
        title = "One more tenured rep, the plan's spend kept (busiest pools first)"
        parts.append(render_table(rep_table(result, scenario.currency), title))
    parts.append(f"{len(result.binding)} binding constraints: "
                 + ", ".join(result.binding.constraint.head(8))
                 + (" ..." if len(result.binding) > 8 else ""))
    parts.extend(f"note: {line}" for line in [*result.shut_down.values(), *result.idle])
    return "\n".join(parts) + "\n"


def headline(result: OptimizationResult, scenario: Scenario) -> str:
    """The headline: the plan's forecast (net contribution and gross profit) and the solve."""
    gap = "" if result.gap != result.gap else f", gap {result.gap:.2%}"
    f, cur = result.forecast, scenario.currency
    return (
        f"{result.plan.scenario}: {result.status.value}; forecast net contribution {cur}"
        f"{f.net_contribution:,.0f}, gross profit {cur}{f.gross_profit:,.0f}, revenue {cur}"
        f"{f.revenue:,.0f} ({result.solver}{gap}, {result.segments} pieces per response "
        f"curve, largest constraint residual {result.max_residual:.1e})\n"
    )


def report_data(result: OptimizationResult, scenario: Scenario) -> ReportData:
    """The plan for the run folder and HTML report (kind ``optimize``)."""
    f = result.forecast
    heads = [Headline("Net contribution", f.net_contribution, f.net_contribution,
                      f.net_contribution, "money", note=f"{result.status.value}, {result.solver}"),
             Headline("Gross profit", f.gross_profit, f.gross_profit, f.gross_profit, "money"),
             Headline("Revenue", f.revenue, f.revenue, f.revenue, "money")]
    tables = {
        "spend": result.plan.spend, "reps": result.plan.reps, "targets": result.plan.targets,
        "expected_outcome": result.outcome, "shadow_prices": result.shadow_prices,
        "binding": result.binding, "residuals": result.residuals,
        "rep_values": result.rep_values,
        "forecast": pd.DataFrame([{k: v for k, v in f.to_dict().items() if k != "definitions"}]),
    }
    meta = {"solver": result.solver, "status": result.status.value, "objective": result.objective,
            "mip_gap": result.gap, "shadow_prices_from": result.duals_from}
    return ReportData(title=f"Optimised plan — {scenario.name}", scenario=scenario.name,
                      currency=scenario.currency, headline=heads, tables=tables, meta=meta,
                      kind="optimize")


def plan_file(result: OptimizationResult) -> dict[str, str]:
    """``plan.json`` (``Plan.to_dict``), the extra file ``simulate --plan`` reads."""
    return {"plan.json": render_json(result.plan.to_dict())}


def export_mps(
    scenario: Scenario, path: str | Path, options: OptimizeOptions | None = None,
    inputs: ModelInputs | None = None,
) -> Path:
    """Write the plan model as MPS through PuLP (names sanitised by PuLP, objective sense
    written), atomically: the model that was solved (``inputs``, with its queue and pilot
    corrections), or the scenario's uncorrected model."""
    model = build_model(inputs if inputs is not None else build_inputs(scenario, options))
    problem, _ = to_pulp(model, scenario.name or "plan")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "model.mps"
        problem.writeMPS(str(scratch), with_objsense=True)
        return atomic_write(path, scratch.read_text(encoding="utf-8"))
