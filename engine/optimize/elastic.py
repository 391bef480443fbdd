"""The elastic re-solve: the smallest relaxation of the business constraints that makes an
infeasible plan feasible, said as advice (``lower the new-product share by 3.1 points``).

Every business row gets a slack column; every limit on added hires becomes a row with one. A
slack costs one over its row's size (the bound, or what the left-hand side reaches when every
decision sits at its upper bound), so the LP minimises the sum of relative relaxations.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from engine.optimize.highs import HighsSession
from engine.optimize.model import INF, PlanModel, Row
from engine.optimize.options import OptimizeOptions, SolveStatus
from engine.optimize.shadow import row_revenue
from engine.optimize.solution import Solution
from engine.scenario.schema.common import ROLES

RELAXABLE = frozenset(
    {
        "budget",
        "channel_min",
        "channel_max",
        "region_min",
        "region_max",
        "rep_capacity",
        "headcount_cap",
        "hiring_limit",
        "supply",
        "margin_floor",
        "product_margin_floor",
        "new_product_share",
        "pilot_intent",
    }
)


@dataclass(frozen=True)
class Relaxation:
    """One constraint to relax: by how much (in the row's own unit) and what to do."""

    constraint: str
    family: str
    amount: float
    advice: str

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return asdict(self)


def _reference(m: PlanModel) -> np.ndarray:
    """A column's size at full throttle: its finite upper bound, or the most leads its
    response curve gives."""
    ref = np.array([u if np.isfinite(u) else 0.0 for u in m.upper])
    leads = m.index["leads"]
    for flat, col in enumerate(leads.ravel()):
        ref[col] = float(m.inputs.pieces[flat].leads[-1])
    return ref


def _scale(row: Row, ref: np.ndarray) -> float:
    bounds = [abs(b) for b in (row.lower, row.upper) if np.isfinite(b)]
    return max([1.0, float(np.abs(row.coefs) @ ref[row.cols]), *bounds])


def elastic_model(m: PlanModel) -> tuple[PlanModel, list[tuple[int, Row, float]]]:
    """A copy of ``m`` with priced slacks; returns it and ``(slack column, row, sign)``."""
    e = PlanModel(m.inputs, list(m.names), list(m.lower), list(m.upper), [False] * m.num_cols)
    e.index = m.index
    ref, slacks = _reference(m), []
    for row in m.rows:
        cols, coefs = row.cols, row.coefs
        if row.family in RELAXABLE:
            for sign, bound in ((1.0, row.lower), (-1.0, row.upper)):
                if np.isfinite(bound):
                    j = int(e.add_columns([f"relax[{row.name}]"], [0.0], [INF])[0])
                    cols, coefs = np.append(cols, j), np.append(coefs, sign)
                    slacks.append((j, row, _scale(row, ref)))
        e.add_row(row.name, row.family, (cols, coefs), row.lower, row.upper, row.meaning)
    for col in m.index["added"][m.index["added"] >= 0]:
        j = int(e.add_columns([f"relax[{m.names[col]}]"], [0.0], [INF])[0])
        name = m.names[col].replace("added", "max_hires")
        hire_row = Row(name, "max_hires", np.array([col]), np.ones(1), -INF, m.upper[col])
        e.upper[col] = INF
        e.add_row(
            name, "max_hires", (np.array([col, j]), np.array([1.0, -1.0])), upper=hire_row.upper
        )
        slacks.append((j, hire_row, max(1.0, hire_row.upper)))
    cols = np.array([j for j, _, _ in slacks], dtype=np.int64)
    e.set_objective(cols, -1.0 / np.array([s for _, _, s in slacks]), 0.0)
    return e, slacks


def _advice(m: PlanModel, sol: Solution, row: Row, amount: float) -> str:
    d = m.inputs
    key = row.name[row.name.index("[") + 1 : -1] if "[" in row.name else ""
    cur = d.scenario.currency
    floors = d.scenario.policy.margin_floor
    if row.family in ("margin_floor", "product_margin_floor", "new_product_share"):
        points = 100.0 * amount / max(row_revenue(m, sol, row), 1.0)
        old = (
            d.scenario.policy.new_product_share_min
            if row.family == "new_product_share"
            else {**floors.channels, **floors.products}[key]
        )
        what = "the new-product share" if not key else f"the margin floor on {key}"
        return f"lower {what} by {points:.1f} points (to {100 * old - points:.1f}%)"
    if row.family == "rep_capacity":
        region, role = key.split(",")
        reps = amount / d.hours_tenured[ROLES.index(role)]
        return (
            f"find {amount:,.0f} more {role} hours in {region} (about {reps:.1f} tenured "
            f"{role} reps)"
        )
    words = {
        "budget": f"raise the spendable budget by {cur}{amount:,.0f}",
        "channel_min": f"lower the minimum spend on {key} by {cur}{amount:,.0f}",
        "region_min": f"lower the minimum spend in {key} by {cur}{amount:,.0f}",
        "channel_max": f"raise the maximum spend on {key} by {cur}{amount:,.0f}",
        "region_max": f"raise the maximum spend in {key} by {cur}{amount:,.0f}",
        "headcount_cap": f"raise the headcount cap by {amount:,.1f}",
        "hiring_limit": f"allow {amount:,.1f} more hires in total",
        "max_hires": f"allow {amount:,.1f} more hires in {key.replace(',', ' (')})",
        "supply": f"find {amount:,.0f} more units of {key} inside the quarter",
        "pilot_intent": f"accept {amount:,.1f} fewer intent customers in {key} (to "
        f"{_pilot_min(m) - amount:,.1f})",
    }
    return words.get(row.family, f"relax {row.name} by {amount:,.4g}")


def _pilot_min(m: PlanModel) -> float:
    policy = m.inputs.scenario.policy.pilot_intent
    return policy.min_per_region if policy is not None else 0.0


def elastic_relaxation(m: PlanModel) -> list[Relaxation]:
    """The relaxations the elastic re-solve needs, largest relative relaxation first."""
    e, slacks = elastic_model(m)
    sol = HighsSession(e).run(OptimizeOptions(), 1e-4)
    if sol.status is not SolveStatus.OPTIMAL:
        return []
    found = [(sol.x[j] / scale, j, row) for j, row, scale in slacks if sol.x[j] > 1e-7 * scale]
    found.sort(key=lambda t: -t[0])
    return [
        Relaxation(row.name, row.family, float(sol.x[j]), _advice(m, sol, row, sol.x[j]))
        for _, j, row in found
    ]
