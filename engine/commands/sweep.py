"""Running a sweep from command-line words, and what a planner reads of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from engine.errors import UsageError
from engine.jobs.grid import Setting, check_grid_size, parse_range, parse_setting
from engine.jobs.plans import forecast_targets
from engine.jobs.splits import split_points
from engine.jobs.sweep import Sweep, budget_frontier, grid_sweep, simulate_frontier
from engine.output import render_table
from engine.report.data import Headline, ReportData
from engine.scenario.loading import read_document
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo


def run_sweep(
    path: str,
    s: Scenario,
    budget: str | None,
    sets: Sequence[str],
    splits: Sequence[str],
    simulate: bool,
    mc: MonteCarlo,
    progress: Callable[[int, int], None] | None = None,
) -> Sweep:
    """A budget frontier (``budget`` given) or a grid of ``sets`` and ``splits``; ``progress``
    counts points."""
    if budget and (sets or splits):
        raise UsageError("sweep: use --budget alone, or --set/--split")
    if budget:
        sweep = budget_frontier(s, parse_range(budget), None, progress)
        return simulate_frontier(s, sweep, mc, progress) if simulate else sweep
    if not (sets or splits):
        raise UsageError(
            "sweep: give --budget START:STOP:COUNT, --set PATH=VALUES or "
            "--split CHANNEL=START:STOP:COUNT"
        )
    doc = read_document(path)
    settings = [parse_setting(x) for x in sets]
    shares = [_split(x) for x in splits]
    check_grid_size([*settings, *shares])
    from engine.optimize import optimize

    current = optimize(s).plan if splits or simulate else None
    points = split_points(s, shares, current) if splits and current is not None else None
    targets = forecast_targets(s, current, mc) if simulate and current is not None \
        else None
    return grid_sweep(doc, path, settings, mc, simulate, progress, None, points, targets)


def _intervals(f: pd.DataFrame, column: str, signed: bool = False) -> list[str]:
    """``12.34M [12.10M, 12.58M]`` for the mean in ``column`` and its ``_lo``/``_hi``."""
    if column not in f:
        return [""] * len(f)
    sign = "+" if signed else ""
    return ["" if pd.isna(m) else
            f"{m / 1e6:{sign},.2f}M [{lo / 1e6:{sign},.2f}M, {hi / 1e6:{sign},.2f}M]"
            for m, lo, hi in zip(f[column], f[f"{column}_lo"], f[f"{column}_hi"], strict=True)]


def _split(text: str) -> Setting:
    """``--split CHANNEL=START:STOP:COUNT``: shares of the budget, each >= 0."""
    setting = parse_setting(text)
    if any(not isinstance(v, int | float) or v < 0 for v in setting.values):
        raise UsageError(f"--split: shares of the budget must be numbers >= 0 (got {text!r})")
    return setting


def sweep_text(sweep: Sweep, s: Scenario) -> str:
    """The frontier or grid as a table."""
    f = sweep.frontier.copy()
    f["point"] = [f"{p} *" if cur else p for p, cur in zip(f.point, f.current, strict=True)]
    if "sim_net_contribution" in f:
        f["sim net contribution (95%)"] = _intervals(f, "sim_net_contribution")
        if "sim_net_vs_anchor" in f:
            f["vs current (95%)"] = _intervals(f, "sim_net_vs_anchor", signed=True)
    if "best" in f:
        f["best"] = ["◀ best" if b else "" for b in f.best.fillna(False).astype(bool)]
        f = f if "sim_net_contribution" in f else f.drop(columns="best")
    if "sim_hit_target" in f:
        f["sim_hit_target"] = ["" if pd.isna(v) else f"{v:.0%}" for v in f.sim_hit_target]
    columns = [
        c
        for c in (
            "point",
            "budget",
            "objective",
            "revenue",
            "shadow_price",
            "status",
            "sim_revenue_p50",
            "sim_net_contribution_p50",
            "sim_hit_target",
            "sim net contribution (95%)",
            "vs current (95%)",
            "best",
        )
        if c in f.columns
    ]
    title = (
        f"{s.name}: budget frontier ({s.policy.objective.replace('_', ' ')} objective; "
        f"* marks the current budget; shadow price = {s.currency} of objective per "
        f"{s.currency} of budget)"
        if sweep.kind == "budget"
        else f"{s.name}: sweep of {len(f)} points"
    )
    if "sim_net_contribution" in f:
        anchor = f.get("target_from")
        against = (f"the plan of {anchor.dropna().iloc[0]}" if anchor is not None
                   else "the current plan")
        title += ("; simulated: each point's own plan on common random numbers, hit target "
                  f"measured against {against}; best = highest simulated net contribution")
    return render_table(f[columns], title)


def sweep_report_data(sweep: Sweep, s: Scenario, now: datetime | None = None) -> ReportData:
    """A sweep as the report layer's input (kind ``sweep``)."""
    f = sweep.frontier
    simulated = [c for c in ("sim_net_contribution", "sim_net_contribution_lo",
                             "sim_net_contribution_hi", "best") if c in f]
    frontier = f[f.status != "infeasible"][
        ["budget", "objective", "revenue", "shadow_price", "current", *simulated]
    ].astype({"current": bool})
    best = (
        f.iloc[int(np.nanargmax(f.objective.to_numpy(dtype=float)))]
        if f.objective.notna().any()
        else None
    )
    heads = []
    if best is not None:
        heads.append(
            Headline(
                "Best objective in the sweep",
                best.objective,
                best.objective,
                best.objective,
                "money",
                note=str(best.point),
            )
        )
    if "best" in f and f.best.fillna(False).astype(bool).any():
        top = f[f.best.fillna(False).astype(bool)].iloc[0]
        net = float(top.sim_net_contribution)
        heads.append(Headline(
            "Best simulated net contribution", net, net, net, "money",
            note=f"{top.point}: 95% interval {s.currency}{top.sim_net_contribution_lo:,.0f} – "
                 f"{s.currency}{top.sim_net_contribution_hi:,.0f}"))
    when = (now or datetime.now()).isoformat(timespec="seconds")
    return ReportData(
        title=f"Sweep — {s.name}",
        scenario=s.name,
        currency=s.currency,
        headline=heads,
        tables={"frontier": frontier, "points": pd.DataFrame(f)},
        meta={"created": when, "kind": sweep.kind},
        kind="sweep",
    )
