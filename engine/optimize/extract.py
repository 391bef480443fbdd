"""From the solver's column values to the plan: spend per region x channel, reps per region x
role (with the hires the plan adds), targets from the expected outcome."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.optimize.model import PlanModel
from engine.optimize.solution import Solution
from engine.plan import REPS_COLUMNS, SPEND_COLUMNS, Plan
from engine.scenario.schema.common import ROLES


def _values(sol: Solution, index: np.ndarray) -> np.ndarray:
    """Column values at ``index`` (0 where the decision does not exist)."""
    return np.where(index >= 0, sol.x[np.maximum(index, 0)], 0.0)


def spend_table(m: PlanModel, sol: Solution) -> pd.DataFrame:
    """``region, channel, spend`` (money per quarter; solver noise below 1e-6 cut to 0)."""
    d = m.inputs
    spend = _values(sol, m.index["spend"])
    spend = np.where(spend < 1e-6, 0.0, spend)
    rows = [
        (region, channel, float(spend[i, j]))
        for i, region in enumerate(d.regions)
        for j, channel in enumerate(d.channels)
    ]
    return pd.DataFrame(rows, columns=SPEND_COLUMNS)


def reps_table(m: PlanModel, sol: Solution) -> pd.DataFrame:
    """``region, role, on_hand, hires, added, reps`` (added rounded when hires are whole)."""
    d = m.inputs
    added = np.maximum(_values(sol, m.index["added"]), 0.0)
    if d.integer_reps:
        added = np.round(added)
    rows = []
    for i, region in enumerate(d.regions):
        for k, role in enumerate(ROLES):
            on_hand, hires, extra = d.on_hand[i, k], d.hires[i, k], float(added[i, k])
            rows.append((region, role, int(on_hand), int(hires), extra, on_hand + hires + extra))
    frame = pd.DataFrame(rows, columns=REPS_COLUMNS)
    if d.integer_reps:
        frame = frame.astype({"added": int, "reps": int})
    return frame


def extract_plan(m: PlanModel, sol: Solution) -> Plan:
    """The plan the solution describes (spend and reps; targets are set from its forecast by
    ``engine.optimize.targets``)."""
    d = m.inputs
    return Plan(d.scenario.name, spend_table(m, sol), reps_table(m, sol), source="optimizer")


def backup_premium(m: PlanModel, sol: Solution) -> float:
    """What the model's own backup purchases cost in premium (money)."""
    units = _values(sol, m.index["backup"])
    return float(units @ m.inputs.supply.premium)
