"""Split sweeps: a grid over the simplex of channel shares.

``--split online=0.2:0.4:3 --split social=0.05:0.15:3`` takes every combination of the listed
channels' shares of the spendable budget that adds up to at most 1 (the simplex), and gives the
rest of the budget to the other channels in the proportions the optimiser's plan gives them
(the other channels scaled). At each point every channel's total is fixed (``spend.min =
spend.max``); the optimiser then chooses the regional split, hires and targets. A point whose
amounts break a channel's own bounds in the scenario is reported, not solved.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from engine.errors import UsageError
from engine.jobs.grid import Setting
from engine.plan import Plan
from engine.scenario.schema import Scenario

OUTSIDE_BOUNDS = "outside bounds"
"""The path that marks a point not to solve; its value says which bound it breaks."""

GridPoint = tuple[str, list[tuple[str, Any]]]
TOLERANCE = 1e-9


def _other_weights(s: Scenario, listed: set[str], reference: Plan) -> dict[str, float]:
    """Each unlisted channel's share of the unlisted channels' spend in ``reference``."""
    others = [c.id for c in s.channels if c.id not in listed]
    totals = {c: float(reference.spend[reference.spend.channel == c].spend.sum()) for c in others}
    total = sum(totals.values())
    if total <= 0:
        return {c: 1 / len(others) for c in others} if others else {}
    return {c: v / total for c, v in totals.items()}


def _bound_problem(s: Scenario, amounts: dict[str, float]) -> str | None:
    for c in s.channels:
        value, low, high = amounts.get(c.id, 0.0), c.spend.min, c.spend.max
        if value < low * (1 - TOLERANCE):
            return f"{OUTSIDE_BOUNDS}: {c.id} {value:,.0f} < min {low:,.0f}"
        if high is not None and value > high * (1 + TOLERANCE):
            return f"{OUTSIDE_BOUNDS}: {c.id} {value:,.0f} > max {high:,.0f}"
    return None


def split_points(s: Scenario, splits: Sequence[Setting], reference: Plan) -> list[GridPoint]:
    """Every point of the simplex grid of ``splits`` (``channel`` → shares of the spendable
    budget), with the other channels scaled as in ``reference``; see the module's doc."""
    known = [c.id for c in s.channels]
    for sp in splits:
        if sp.path not in known:
            raise UsageError(f"--split {sp.path}: no such channel (known: {', '.join(known)})")
        if any(not isinstance(v, float | int) or v < 0 or v > 1 for v in sp.values):
            raise UsageError(f"--split {sp.path}: shares must be numbers from 0 to 1")
    listed = {sp.path for sp in splits}
    if len(listed) != len(splits):
        raise UsageError("--split: each channel once")
    weights = _other_weights(s, listed, reference)
    spendable = s.budget.spendable
    points: list[GridPoint] = []
    for combo in itertools.product(*(sp.values for sp in splits)):
        used = float(sum(combo))
        if used > 1 + TOLERANCE:
            continue
        amounts = {sp.path: float(v) * spendable for sp, v in zip(splits, combo, strict=True)}
        amounts |= {c: (1 - used) * spendable * w for c, w in weights.items()}
        name = ", ".join(f"{sp.path} {v:.0%}" for sp, v in zip(splits, combo, strict=True))
        problem = _bound_problem(s, amounts)
        if problem is not None:
            points.append((name, [(OUTSIDE_BOUNDS, problem)]))
            continue
        points.append((name, [(f"channels.{c}.spend", {"min": a, "max": a})
                              for c, a in amounts.items()]))
    if not points:
        raise UsageError("--split: no combination of these shares adds up to at most 1")
    return points


def combine(first: list[GridPoint], second: list[GridPoint]) -> list[GridPoint]:
    """Every point of ``first`` with every point of ``second`` (names joined)."""
    return [(", ".join(n for n in (a, b) if n), pa + pb)
            for (a, pa), (b, pb) in itertools.product(first or [("", [])], second or [("", [])])]
