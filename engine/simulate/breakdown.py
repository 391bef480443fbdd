"""Simulated outcomes where targets land: by region, product line, channel and segment, by month.

Each replication tallies its sales into small arrays (``tally``: region x line, source and
segment, month by month) so that a run keeps ``replications x (R x L + S + G) x months x 4``
numbers, never the orders themselves; ``outcomes`` turns the stacked arrays and the plan's
targets into tables: revenue, gross profit, wins and orders, the target, attainment (mean and
P10/P50/P90) and the probability of hitting the target, for the quarter and each month.

Revenue and gross profit count by the day units ship, wins (deals won from leads, organic
included) and orders (won deals, repeat orders and carried back-orders) by the day they were
placed. Only the simulated weeks are tallied: a run from week ``k`` compares them with the
targets of weeks after ``k``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.simulate.inputs import SimInputs
from engine.simulate.orders import Orders
from engine.simulate.supply import Shipments

METRICS = ("revenue", "gross_profit", "wins", "orders")
"""The last axis of every breakdown array."""
CARRIED_SEGMENT = "carried"
"""The segment (and source) of back-orders carried into a run from actuals."""
REPEAT_SOURCE = "repeat"
"""The source of repeat business (existing, key-account and dormant customers)."""
DIMENSIONS = ("region", "line", "region_line", "channel", "segment")
"""The tables ``outcomes`` returns, by name."""


@dataclass(frozen=True)
class Breakdown:
    """Sales of one replication (or, stacked, of every replication: a leading axis) by month.

    ``region_line`` is (R x L x M x 4), ``source`` (S x M x 4) with the ``C`` channels (organic
    last), ``repeat`` and ``carried``, ``segment`` (G x M x 4) with the lead segments, the
    repeat segments and ``carried``; the last axis is ``METRICS``.
    """

    region_line: np.ndarray
    source: np.ndarray
    segment: np.ndarray
    tier_revenue: np.ndarray
    """(R x L x G) revenue of the quarter by region, line and segment (the forecast's shares
    that customer-tier targets are decomposed by, see ``engine.jobs.tiers``)."""


def sources(inp: SimInputs) -> tuple[str, ...]:
    """Labels of ``Breakdown.source``'s rows."""
    return (*inp.channels, REPEAT_SOURCE, CARRIED_SEGMENT)


def segments(inp: SimInputs) -> tuple[str, ...]:
    """Labels of ``Breakdown.segment``'s rows."""
    return (*inp.segments, *inp.repeat_names, CARRIED_SEGMENT)


def _month(inp: SimInputs, day: np.ndarray) -> np.ndarray:
    week = np.minimum((day // 7).astype(np.int64), inp.weeks - 1)
    return np.searchsorted(inp.month_ends, week, side="right")


def _cells(rows: np.ndarray, n_rows: int, month: np.ndarray, n_months: int,
           values: np.ndarray | None) -> np.ndarray:
    flat = np.bincount(rows * n_months + month, values, minlength=n_rows * n_months)
    return flat.reshape(n_rows, n_months)


@dataclass(frozen=True)
class _Sales:
    """What every grouping of a replication shares: per shipment its revenue, gross profit and
    month; per order its month and whether it is a won deal."""

    revenue: np.ndarray
    profit: np.ndarray
    ship_month: np.ndarray
    order_month: np.ndarray
    won: np.ndarray

    @classmethod
    def of(cls, inp: SimInputs, orders: Orders, ships: Shipments) -> _Sales:
        revenue = ships.units * orders.unit_revenue[ships.order]
        profit = revenue - ships.units * inp.unit_cost[orders.product[ships.order]]
        return cls(revenue, profit, _month(inp, ships.day), _month(inp, orders.day),
                   orders.source < len(inp.channels))


def _tally(rows: np.ndarray, n_rows: int, n_months: int, ships: Shipments,
           sales: _Sales) -> np.ndarray:
    """(n_rows x M x 4) of one grouping; ``rows`` is the row of each order."""
    ship_rows = rows[ships.order]
    return np.stack([
        _cells(ship_rows, n_rows, sales.ship_month, n_months, sales.revenue),
        _cells(ship_rows, n_rows, sales.ship_month, n_months, sales.profit),
        _cells(rows[sales.won], n_rows, sales.order_month[sales.won], n_months, None),
        _cells(rows, n_rows, sales.order_month, n_months, None),
    ], axis=-1)


def tally(inp: SimInputs, orders: Orders, ships: Shipments) -> Breakdown:
    """One replication's ``Breakdown`` from its orders and shipments."""
    R, L, M, G = len(inp.regions), len(inp.lines), len(inp.month_ends), len(segments(inp))
    sales = _Sales.of(inp, orders, ships)
    cell = orders.region * L + inp.product_line[orders.product]
    region_line = _tally(cell, R * L, M, ships, sales).reshape(R, L, M, len(METRICS))
    by_source = _tally(orders.source, len(sources(inp)), M, ships, sales)
    by_segment = _tally(orders.segment, G, M, ships, sales)
    tier = np.bincount(cell[ships.order] * G + orders.segment[ships.order], sales.revenue,
                       minlength=R * L * G).reshape(R, L, G)
    return Breakdown(region_line, by_source, by_segment, tier)


def stack_breakdowns(parts: list[Breakdown]) -> Breakdown:
    """The replications' breakdowns with a leading replication axis."""
    return Breakdown(*(np.stack([getattr(p, f) for p in parts])
                       for f in ("region_line", "source", "segment", "tier_revenue")))


OUTCOME_COLUMNS = (
    "period", "revenue", "revenue_p10", "revenue_p50", "revenue_p90", "gross_profit", "wins",
    "orders", "target", "attainment", "attainment_p10", "attainment_p50", "attainment_p90",
    "hit_target",
)
"""Columns of every ``outcomes`` table after its key columns: means over replications unless
named by percentile; ``hit_target`` is the probability that revenue reaches the target (NaN
where there is none)."""


def periods(inp: SimInputs) -> list[str]:
    """The periods of an outcomes table: ``quarter``, then ``month 1`` ...."""
    return ["quarter", *(f"month {m}" for m in range(1, len(inp.month_ends) + 1))]


def _period_rows(values: np.ndarray, targets: np.ndarray, period: str) -> dict[str, Any]:
    """Columns of one period: ``values`` (N x K x 4), ``targets`` (K; NaN: none)."""
    revenue = values[..., 0]
    has = targets > 0
    safe = np.where(has, targets, 1.0)
    attainment = np.where(has, revenue / safe, np.nan)
    r10, r50, r90 = np.percentile(revenue, [10, 50, 90], axis=0)
    if has.any():
        a10, a50, a90 = np.percentile(attainment, [10, 50, 90], axis=0)
        amean = attainment.mean(axis=0)
    else:
        a10 = a50 = a90 = amean = np.full(targets.shape, np.nan)
    hit = np.where(has, (revenue >= targets).mean(axis=0), np.nan)
    return {"period": period, "revenue": revenue.mean(axis=0), "revenue_p10": r10,
            "revenue_p50": r50, "revenue_p90": r90,
            "gross_profit": values[..., 1].mean(axis=0), "wins": values[..., 2].mean(axis=0),
            "orders": values[..., 3].mean(axis=0), "target": np.where(has, targets, np.nan),
            "attainment": amean, "attainment_p10": a10, "attainment_p50": a50,
            "attainment_p90": a90, "hit_target": hit}


def outcome_table(keys: pd.DataFrame, values: np.ndarray, targets: np.ndarray | None,
                  period_names: list[str]) -> pd.DataFrame:
    """One table: ``keys`` (K rows of key columns) x periods, values (N x K x M x 4) against
    ``targets`` (K x M money, or ``None``)."""
    K, M = values.shape[1], values.shape[2]
    t = np.full((K, M), np.nan) if targets is None else targets
    frames = [_period_rows(values.sum(axis=2), t.sum(axis=1), period_names[0])]
    frames += [_period_rows(values[:, :, m], t[:, m], period_names[m + 1]) for m in range(M)]
    out = [keys.reset_index(drop=True).assign(**f) for f in frames]
    return pd.concat(out, ignore_index=True)[[*keys.columns, *OUTCOME_COLUMNS]]


def target_cube(inp: SimInputs, targets: pd.DataFrame, start_week: int = 0) -> np.ndarray | None:
    """(R x L x M) targets of the simulated weeks (after ``start_week``) from a plan's
    ``region, line, week, target`` table; ``None`` when it is empty."""
    if targets.empty:
        return None
    R, L, M = len(inp.regions), len(inp.lines), len(inp.month_ends)
    cube = np.zeros((R, L, M))
    region = {r: i for i, r in enumerate(inp.regions)}
    line = {x: i for i, x in enumerate(inp.lines)}
    for r, x, w, v in targets[["region", "line", "week", "target"]].itertuples(index=False):
        if r in region and x in line and start_week < int(w) <= inp.weeks:
            month = int(np.searchsorted(inp.month_ends, int(w) - 1, side="right"))
            cube[region[r], line[x], month] += float(v)
    return cube


def outcomes(inp: SimInputs, b: Breakdown, targets: pd.DataFrame, start_week: int = 0,
             segment_targets: np.ndarray | None = None) -> dict[str, pd.DataFrame]:
    """The outcome tables by ``DIMENSIONS`` (see ``OUTCOME_COLUMNS``) from the stacked
    breakdown ``b`` and the plan's targets; ``segment_targets`` (G x M money, ``segments``
    order) when targets are set by customer segment too. Channels have no targets."""
    cube = target_cube(inp, targets, start_week)
    names = periods(inp)
    R, L = len(inp.regions), len(inp.lines)
    rl = b.region_line
    pairs = pd.DataFrame({"region": np.repeat(inp.regions, L), "line": np.tile(inp.lines, R)})
    return {
        "region": outcome_table(pd.DataFrame({"region": inp.regions}), rl.sum(axis=2),
                                None if cube is None else cube.sum(axis=1), names),
        "line": outcome_table(pd.DataFrame({"line": inp.lines}), rl.sum(axis=1),
                              None if cube is None else cube.sum(axis=0), names),
        "region_line": outcome_table(pairs, rl.reshape(rl.shape[0], R * L, *rl.shape[3:]),
                                     None if cube is None else cube.reshape(R * L, -1), names),
        "channel": _without_empty_carried(outcome_table(
            pd.DataFrame({"channel": sources(inp)}), b.source, None, names), "channel"),
        "segment": _without_empty_carried(outcome_table(
            pd.DataFrame({"segment": segments(inp)}), b.segment, segment_targets, names),
            "segment"),
    }


def _without_empty_carried(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """``table`` without its ``carried`` rows when nothing was carried in (a run from the
    quarter's start)."""
    carried = table[key] == CARRIED_SEGMENT
    if (table.loc[carried, ["revenue", "orders"]] == 0).all(axis=None):
        return table[~carried].reset_index(drop=True)
    return table
