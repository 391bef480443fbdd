"""Sweeps: the budget frontier (one model re-solved at each budget) and grids of any field.

``budget_frontier`` builds the model once, at the largest budget, and re-solves it with the
budget row's bound changed (HiGHS keeps its session and basis); ``simulate_frontier`` simulates
each point's own plan. ``grid_sweep`` rebuilds the scenario at each point of a ``--set`` grid
and of a ``--split`` grid over the simplex of channel shares (``engine.jobs.splits``), and can
also simulate each point.
"""

from __future__ import annotations

import itertools
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from engine.errors import InfeasiblePlanError
from engine.jobs.compare import mean_interval, paired_difference
from engine.jobs.grid import Setting, apply_setting
from engine.jobs.plans import forecast_targets
from engine.jobs.run import optimize_with, run_scenario
from engine.jobs.splits import OUTSIDE_BOUNDS, GridPoint, combine
from engine.optimize import (
    OptimizationResult,
    OptimizeOptions,
    build_inputs,
    build_model,
    raise_for_status,
    result_of,
    solve,
)
from engine.plan import Plan
from engine.scenario.loading import build_scenario
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, Progress, SimulationResult
from engine.simulate import simulate as simulate_plan

NET = "net_contribution"
"""The KPI that says where more budget stops paying (gross profit less spend and reps)."""

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
    """Points of a sweep: ``frontier`` (one row per point; simulated KPIs appended when asked)
    and, for a budget frontier, each feasible point's own plan (``plans``, by point label)."""

    scenario: str
    kind: str
    frontier: pd.DataFrame
    plans: dict[str, Plan] = field(default_factory=dict)


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
    plans: dict[str, Plan] = {}
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
        result = result_of(m, sol, opts)
        plans[f"x{mult:g}"] = result.plan
        rows.append({"point": f"x{mult:g}", **_point(result, base * mult), "current": mult == 1.0})
    return Sweep(s.name, "budget", pd.DataFrame(rows, columns=FRONTIER_COLUMNS), plans)


def grid_points(settings: Sequence[Setting]) -> list[GridPoint]:
    """Every combination of the settings' values: ``(label, [(path, value), ...])``."""
    points = []
    for combo in itertools.product(*(range(len(x.values)) for x in settings)):
        name = ", ".join(x.name(i) for x, i in zip(settings, combo, strict=True))
        points.append((name, [(x.path, x.values[i]) for x, i in zip(settings, combo, strict=True)]))
    return points


def grid_point(
    doc: dict[str, Any],
    source: str,
    name: str,
    point: list[tuple[str, Any]],
    mc: MonteCarlo,
    simulate: bool,
    optimize_options: OptimizeOptions | None = None,
    targets: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """One grid point optimised (and simulated when asked); a plain row of results. With
    ``targets`` the point's plan is measured against them (one yardstick for the grid), else
    against its own targets from its forecast."""

    changed = doc
    for path, value in point:
        if path != OUTSIDE_BOUNDS:
            changed = apply_setting(changed, path, value)
    s = build_scenario(changed, f"{source} [{name}]")
    row: dict[str, Any] = {"point": name, "budget": s.budget.spendable, "current": False}
    outside = dict(point).get(OUTSIDE_BOUNDS)
    if outside is not None:
        return row | {"status": str(outside)}
    try:
        if simulate and targets is None:
            result = run_scenario(s, mc, optimize_options)
            row |= _simulated(result.simulation)
            opt: OptimizationResult | None = result.optimization
        else:
            opt = optimize_with(s, mc, optimize_options)
            if simulate and targets is not None:
                row |= _simulated(simulate_plan(s, replace(opt.plan, targets=targets), mc))
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
    targets: pd.DataFrame | None = None,
) -> list[dict[str, Any]]:
    """Grid points spread over local processes (each simulates serially) or a Dask cluster."""
    inner = replace(mc, workers=1, scheduler=None, progress=None)
    args = [(doc, source, name, point, inner, simulate, optimize_options, targets)
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
    splits: list[GridPoint] | None = None,
    targets: pd.DataFrame | None = None,
) -> Sweep:
    """Optimise (and optionally simulate) the scenario at every point of the grid: every
    combination of ``settings`` with every point of ``splits`` (see ``engine.jobs.splits``);
    simulated points are measured against ``targets`` when given (one yardstick).

    With ``simulate``, points run in parallel over ``mc.workers`` processes (``None``: this one)
    or on ``mc.scheduler`` (each point's simulation serially, on the same seed); optimising alone
    is quicker in this process than the start-up of a pool. ``progress`` counts points.
    """
    opts = replace(mc or MonteCarlo(), progress=None)
    points = combine(grid_points(settings), splits or [])
    spread = simulate and ((opts.workers or 1) > 1 or opts.scheduler is not None)
    if spread and len(points) > 1:
        rows = _pool_rows(doc, source, points, opts, simulate, progress, optimize_options,
                          targets)
    else:
        rows = []
        for name, point in points:
            rows.append(grid_point(doc, source, name, point, opts, simulate, optimize_options,
                                   targets))
            if progress:
                progress(len(rows), len(points))
    return Sweep(str(doc.get("name", source)), "grid", mark_best(pd.DataFrame(rows)))


def _simulated(sim: SimulationResult) -> dict[str, float]:
    """Simulated columns of a point: revenue and gross profit P10/P50/P90, the chance of
    hitting target, and net contribution's mean with its 95% interval."""
    summary = sim.summary()
    rows = {r["metric"]: r for r in summary.to_dict(orient="records")}
    out = {
        f"sim_{m}_{q}": float(rows[m][q])
        for m in ("revenue", "gross_profit", "net_contribution")
        for q in ("p10", "p50", "p90")
        if m in rows
    }
    if "hit_target" in rows:
        out["sim_hit_target"] = float(rows["hit_target"]["mean"])
    net = sim.kpis[sim.kpis.metric == NET].value.to_numpy(dtype=float)
    if net.size:
        mean, low, high = mean_interval(net)
        out |= {"sim_net_contribution": mean, "sim_net_contribution_lo": low,
                "sim_net_contribution_hi": high}
    return out


def mark_best(frontier: pd.DataFrame) -> pd.DataFrame:
    """``frontier`` with ``best`` true on the point of highest simulated net contribution."""
    out = frontier.copy()
    out["best"] = False
    if "sim_net_contribution" in out and out.sim_net_contribution.notna().any():
        out.loc[out.sim_net_contribution.astype(float).idxmax(), "best"] = True
    return out


def _yardstick_point(sweep: Sweep) -> str:
    """The point whose plan's targets every point is measured against: the current budget's,
    else the feasible point nearest to it."""
    f = sweep.frontier[sweep.frontier.point.isin(list(sweep.plans))]
    current = f[f.current.astype(bool)]
    if not current.empty:
        return str(current.point.iloc[0])
    base = sweep.frontier.budget[sweep.frontier.current.astype(bool)]
    ref = float(base.iloc[0]) if len(base) else float(f.budget.median())
    return str(f.iloc[int(np.argmin(np.abs(f.budget.to_numpy(dtype=float) - ref)))].point)


def simulate_frontier(s: Scenario, sweep: Sweep, mc: MonteCarlo | None = None,
                      progress: Progress | None = None) -> Sweep:
    """Simulate every feasible point's OWN plan (the one the frontier found at that budget),
    all on the same seed (common random numbers) and against one target: the current
    budget's plan's targets from its pilot forecast (``forecast_plan``). Each point's net
    contribution has its mean with a 95% interval, and its paired difference from that anchor
    point (``sim_net_vs_anchor``, with ``_lo``/``_hi``): far narrower, since the points share
    their random numbers."""
    opts = replace(mc or MonteCarlo(), progress=None)
    if not sweep.plans:
        return sweep
    anchor = _yardstick_point(sweep)
    targets = forecast_targets(s, sweep.plans[anchor], opts)
    rows: list[dict[str, Any]] = []
    nets: dict[str, np.ndarray] = {}
    for record in sweep.frontier.to_dict(orient="records"):
        row: dict[str, Any] = {str(k): v for k, v in record.items()}
        plan = sweep.plans.get(str(row["point"]))
        if plan is not None:
            sim = simulate_plan(s, replace(plan, targets=targets), opts)
            row |= _simulated(sim) | {"target_from": anchor}
            nets[str(row["point"])] = sim.kpis[sim.kpis.metric == NET].value.to_numpy(float)
        rows.append(row)
        if progress:
            progress(len(rows), len(sweep.frontier))
    for row in rows:
        if str(row["point"]) in nets:
            diff = paired_difference(nets[anchor], nets[str(row["point"])])
            row |= {"sim_net_vs_anchor": diff["diff_mean"], "sim_net_vs_anchor_lo":
                    diff["diff_lo"], "sim_net_vs_anchor_hi": diff["diff_hi"]}
    return Sweep(sweep.scenario, sweep.kind, mark_best(pd.DataFrame(rows)), sweep.plans)
