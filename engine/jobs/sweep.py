"""Sweeps: the budget frontier (one model re-solved at each budget) and grids of any field.

``budget_frontier`` builds the model once, at the largest budget, and re-solves it with the
budget row's bound changed (HiGHS keeps its session and basis). ``grid_sweep`` rebuilds the
scenario at each point of a ``--set`` or ``--split`` grid. Either can also simulate each point.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from engine.errors import InfeasiblePlanError
from engine.jobs.grid import Setting, apply_setting
from engine.jobs.run import run_scenario
from engine.optimize import (
    OptimizationResult,
    OptimizeOptions,
    build_inputs,
    build_model,
    raise_for_status,
    result_of,
    solve,
)
from engine.scenario.loading import build_scenario
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, Progress

FRONTIER_COLUMNS = [
    "point",
    "budget",
    "objective",
    "revenue",
    "gross_profit",
    "shadow_price",
    "current",
    "status",
]


@dataclass(frozen=True)
class Sweep:
    """Points of a sweep: ``frontier`` (one row per point; simulated KPIs appended when asked)."""

    scenario: str
    kind: str
    frontier: pd.DataFrame


def _point(result: OptimizationResult, budget: float) -> dict[str, Any]:
    prices = result.shadow_prices
    budget_price = prices[prices.constraint == "budget"].value
    return {
        "budget": budget,
        "objective": result.objective,
        "revenue": float(result.outcome.revenue.sum()),
        "gross_profit": float(result.outcome.gross_profit.sum()),
        "shadow_price": float(budget_price.iloc[0]) if len(budget_price) else 0.0,
        "status": result.status.value,
    }


def budget_frontier(
    s: Scenario,
    multipliers: Sequence[float],
    options: OptimizeOptions | None = None,
    progress: Progress | None = None,
) -> Sweep:
    """Objective, revenue and the budget's shadow price at each multiple of the spendable budget.

    Budgets the constraints cannot meet (spend minimums above the budget) are reported with
    status ``infeasible`` rather than stopping the sweep.
    """
    opts = options or OptimizeOptions()
    base = s.budget.spendable
    levels = sorted({float(m) for m in multipliers})
    m = build_model(
        build_inputs(s, replace(opts, budget=base * max(levels)))
    )
    rows = []
    for i, mult in enumerate(levels):
        m.set_budget(base * mult)
        sol = solve(m, opts)
        try:
            raise_for_status(m, sol)
        except InfeasiblePlanError:
            rows.append(
                {
                    "point": f"x{mult:g}",
                    "budget": base * mult,
                    "status": "infeasible",
                    "current": mult == 1.0,
                }
            )
            continue
        finally:
            if progress:
                progress(i + 1, len(levels))
        rows.append(
            {
                "point": f"x{mult:g}",
                **_point(result_of(m, sol, opts), base * mult),
                "current": mult == 1.0,
            }
        )
    return Sweep(s.name, "budget", pd.DataFrame(rows, columns=FRONTIER_COLUMNS))


def grid_points(settings: Sequence[Setting]) -> list[tuple[str, list[tuple[str, Any]]]]:
    """Every combination of the settings' values: ``(label, [(path, value), ...])``."""
    points = []
    for combo in itertools.product(*(range(len(x.values)) for x in settings)):
        name = ", ".join(x.name(i) for x, i in zip(settings, combo, strict=True))
        points.append((name, [(x.path, x.values[i]) for x, i in zip(settings, combo, strict=True)]))
    return points


def split_settings(doc: dict[str, Any], splits: Sequence[Setting]) -> list[Setting]:
    """``--split online=0.2:0.6:5``: the channel's share of the spendable budget, as equal
    lower and upper spend bounds on that channel."""
    spendable = doc["budget"]["total"] * (1 - doc["budget"].get("reserve_share", 0.1))
    out = []
    for sp in splits:
        values = tuple({"min": v * spendable, "max": v * spendable} for v in sp.values)
        names = tuple(f"{sp.path} share={v:.0%}" for v in sp.values)
        out.append(Setting(f"channels.{sp.path}.spend", values, names))
    return out


def grid_point(
    doc: dict[str, Any],
    source: str,
    name: str,
    point: list[tuple[str, Any]],
    mc: MonteCarlo,
    simulate: bool,
    optimize_options: OptimizeOptions | None = None,
) -> dict[str, Any]:
    """One grid point optimised (and simulated when asked); a plain row of results."""
    from engine.optimize import optimize

    changed = doc
    for path, value in point:
        changed = apply_setting(changed, path, value)
    s = build_scenario(changed, f"{source} [{name}]")
    row: dict[str, Any] = {"point": name, "budget": s.budget.spendable, "current": False}
    try:
        if simulate:
            result = run_scenario(s, mc, optimize_options)
            row |= _simulated(result.simulation.summary())
            opt = result.optimization
        else:
            opt = optimize(s, optimize_options)
        assert opt is not None
        row |= _point(opt, s.budget.spendable)
    except InfeasiblePlanError:
        row["status"] = "infeasible"
    return row


def _pool_rows(
    doc: dict[str, Any],
    source: str,
    points: list[tuple[str, Any]],
    mc: MonteCarlo,
    simulate: bool,
    progress: Progress | None,
    optimize_options: OptimizeOptions | None,
) -> list[dict[str, Any]]:
    """Grid points spread over local processes (each simulates serially) or a Dask cluster."""
    inner = replace(mc, workers=1, scheduler=None, progress=None)
    args = [(doc, source, name, point, inner, simulate, optimize_options)
            for name, point in points]
    if mc.scheduler is not None:
        from distributed import Client

        with Client(mc.scheduler) as client:
            futures = client.map(lambda a: grid_point(*a), args, pure=False)
            return list(client.gather(futures))
    context = multiprocessing.get_context("spawn")
    rows: list[dict[str, Any]] = []
    with ProcessPoolExecutor(max_workers=mc.workers or 1, mp_context=context) as pool:
        for row in pool.map(grid_point, *zip(*args, strict=True)):
            rows.append(row)
            if progress:
                progress(len(rows), len(args))
    return rows


def grid_sweep(
    doc: dict[str, Any],
    source: str,
    settings: Sequence[Setting],
    mc: MonteCarlo | None = None,
    simulate: bool = False,
    progress: Progress | None = None,
    optimize_options: OptimizeOptions | None = None,
) -> Sweep:
    """Optimise (and optionally simulate) the scenario at every point of the grid.

    With ``simulate``, points run in parallel over ``mc.workers`` processes (``None``: this one)
    or on ``mc.scheduler`` (each point's simulation serially, on the same seed); optimising alone
    is quicker in this process than the start-up of a pool. ``progress`` counts points.
    """
    opts = replace(mc or MonteCarlo(), progress=None)
    points = grid_points(settings)
    spread = simulate and ((opts.workers or 1) > 1 or opts.scheduler is not None)
    if spread and len(points) > 1:
        rows = _pool_rows(doc, source, points, opts, simulate, progress, optimize_options)
    else:
        rows = []
        for name, point in points:
            rows.append(grid_point(doc, source, name, point, opts, simulate, optimize_options))
            if progress:
                progress(len(rows), len(points))
    return Sweep(str(doc.get("name", source)), "grid", pd.DataFrame(rows))


def _simulated(summary: pd.DataFrame) -> dict[str, float]:
    rows = {r["metric"]: r for r in summary.to_dict(orient="records")}
    out = {
        f"sim_{m}_{q}": float(rows[m][q])
        for m in ("revenue", "gross_profit", "net_contribution")
        for q in ("p10", "p50", "p90")
        if m in rows
    }
    if "hit_target" in rows:
        out["sim_hit_target"] = float(rows["hit_target"]["mean"])
    return out


def simulate_frontier(s: Scenario, sweep: Sweep, mc: MonteCarlo | None = None,
                      optimize_options: OptimizeOptions | None = None) -> Sweep:
    """Simulate every feasible budget level of a frontier (same seed: common random numbers)."""
    opts = replace(mc or MonteCarlo(), progress=None)
    rows: list[dict[str, Any]] = []
    for record in sweep.frontier.to_dict(orient="records"):
        row: dict[str, Any] = {str(k): v for k, v in record.items()}
        if row["status"] != "infeasible":
            scaled = s.model_copy(
                update={
                    "budget": s.budget.model_copy(
                        update={"total": row["budget"] / (1 - s.budget.reserve_share)}
                    )
                }
            )
            row |= _simulated(run_scenario(scaled, opts, optimize_options).simulation.summary())
        rows.append(row)
    return Sweep(sweep.scenario, sweep.kind, pd.DataFrame(rows))
