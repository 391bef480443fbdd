"""Running a sweep from command-line words, and what a planner reads of it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import numpy as np
import pandas as pd

from engine.errors import UsageError
from engine.jobs.grid import Setting, check_grid_size, parse_range, parse_setting
from engine.jobs.sweep import Sweep, budget_frontier, grid_sweep, simulate_frontier, split_settings
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
        return simulate_frontier(s, sweep, mc) if simulate else sweep
    if not (sets or splits):
        raise UsageError(
            "sweep: give --budget START:STOP:COUNT, --set PATH=VALUES or "
            "--split CHANNEL=START:STOP:COUNT"
        )
    doc = read_document(path)
    settings = [parse_setting(x) for x in sets]
    settings += split_settings(doc, [_split(x) for x in splits])
    check_grid_size(settings)
    return grid_sweep(doc, path, settings, mc, simulate, progress)


def _split(text: str) -> Setting:
    """``--split CHANNEL=START:STOP:COUNT``: shares of the budget, each >= 0."""
    setting = parse_setting(text)
    if any(not isinstance(v, int | float) or v < 0 for v in setting.values):
        raise UsageError(f"--split: shares of the budget must be numbers >= 0 (got {text!r})")
    return setting


def sweep_text(sweep: Sweep, s: Scenario) -> str:
    """The frontier or grid as a table."""
    f = sweep.frontier.copy()
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
        )
        if c in f.columns
    ]
    f["point"] = [f"{p} *" if cur else p for p, cur in zip(f.point, f.current, strict=True)]
    title = (
        f"{s.name}: budget frontier ({s.policy.objective.replace('_', ' ')} objective; "
        f"* marks the current budget; shadow price = {s.currency} of objective per "
        f"{s.currency} of budget)"
        if sweep.kind == "budget"
        else f"{s.name}: sweep of {len(f)} points"
    )
    return render_table(f[columns], title)


def sweep_report_data(sweep: Sweep, s: Scenario, now: datetime | None = None) -> ReportData:
    """A sweep as the report layer's input (kind ``sweep``)."""
    f = sweep.frontier
    frontier = f[f.status != "infeasible"][
        ["budget", "objective", "revenue", "shadow_price", "current"]
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
