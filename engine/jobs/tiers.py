"""Targets by customer tier: the targets the rule set per region x line x week, shared over the
customer segments (key accounts, existing, new, verticals as the scenario defines them) by the
forecast's share of each region x line's revenue that comes from each segment.

The tier targets of a region x line x week add up to its target, so they add up to the company
target. Actuals carry no segment, only whether an order is repeat business (``channel`` =
``repeat``) or came from a lead; so attainment by tier from actuals is measured for the two
groups the actuals can tell apart: ``new business`` (lead segments) and ``repeat business``
(existing, key-account and dormant customers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.actuals import REPEAT, Actuals
from engine.simulate import SimulationResult
from engine.simulate.breakdown import segments

TIER_COLUMNS = ["region", "line", "segment", "week", "target"]
NEW_BUSINESS, REPEAT_BUSINESS = "new business", "repeat business"


def segment_shares(sim: SimulationResult) -> np.ndarray:
    """(R x L x G) share of each region x line's simulated revenue by segment (mean over
    replications; an even share where the forecast has no revenue)."""
    if sim.breakdown is None:
        raise ValueError("the simulation kept no breakdown by segment")
    revenue = sim.breakdown.tier_revenue.mean(axis=0)
    total = revenue.sum(axis=2, keepdims=True)
    even = np.full_like(revenue, 1.0 / revenue.shape[2])
    return np.where(total > 0, revenue / np.where(total > 0, total, 1.0), even)


def tier_targets(targets: pd.DataFrame, sim: SimulationResult) -> pd.DataFrame:
    """``region, line, segment, week, target``: each ``region, line, week, target`` row of the
    plan shared over segments by ``segment_shares``; empty without targets."""
    if targets.empty:
        return pd.DataFrame(columns=TIER_COLUMNS)
    inp, shares = sim.inputs, segment_shares(sim)
    names = segments(inp)
    region = targets.region.map({r: i for i, r in enumerate(inp.regions)})
    line = targets.line.map({x: i for i, x in enumerate(inp.lines)})
    known = region.notna() & line.notna()
    rows = targets[known]
    share = shares[region[known].astype(int).to_numpy(), line[known].astype(int).to_numpy()]
    out = pd.DataFrame({
        "region": np.repeat(rows.region.to_numpy(), len(names)),
        "line": np.repeat(rows.line.to_numpy(), len(names)),
        "segment": np.tile(names, len(rows)),
        "week": np.repeat(rows.week.to_numpy(), len(names)),
        "target": (rows.target.to_numpy()[:, None] * share).ravel(),
    })
    return out[out.target > 0].reset_index(drop=True)


def segment_month_targets(tiers: pd.DataFrame, sim: SimulationResult) -> np.ndarray | None:
    """(G x M) tier targets by segment and month (``segments`` order), for the outcomes table;
    ``None`` without targets."""
    if tiers.empty:
        return None
    inp = sim.inputs
    names = {g: i for i, g in enumerate(segments(inp))}
    out = np.zeros((len(names), len(inp.month_ends)))
    month = np.searchsorted(inp.month_ends, tiers.week.to_numpy() - 1, side="right")
    np.add.at(out, (tiers.segment.map(names).to_numpy(), month), tiers.target.to_numpy())
    return out


def business_of(sim: SimulationResult) -> dict[str, str]:
    """Segment -> ``new business`` (lead segments) or ``repeat business``."""
    inp = sim.inputs
    return {**{g: NEW_BUSINESS for g in inp.segments},
            **{g: REPEAT_BUSINESS for g in inp.repeat_names}}


def tier_attainment(a: Actuals, tiers: pd.DataFrame, business: dict[str, str]) -> pd.DataFrame:
    """``tier, revenue, target, attainment`` of the weeks in ``a``: revenue from repeat orders
    (``channel`` ``repeat``) and from leads against the tier targets of those weeks grouped
    the same way (``business``: segment -> group)."""
    revenue = a.rows("revenue")
    repeat = revenue.channel == REPEAT
    got = {NEW_BUSINESS: float(revenue[~repeat].value.sum()),
           REPEAT_BUSINESS: float(revenue[repeat].value.sum())}
    weeks = tiers[tiers.week <= a.as_of_week]
    want = weeks.assign(tier=weeks.segment.map(business)).groupby("tier").target.sum()
    rows = [(tier, got[tier], float(want.get(tier, 0.0))) for tier in got]
    table = pd.DataFrame(rows, columns=["tier", "revenue", "target"])
    table["attainment"] = table.revenue / table.target.where(table.target > 0)
    return table
