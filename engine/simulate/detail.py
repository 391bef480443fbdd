"""Per-source detail of one replication, for actuals exported from a simulation.

``simulate_quarter(..., detail=True)`` adds a ``Detail`` to the record: the funnel per region x
channel (``organic`` included) x stage x week, sales per region x source x product x week, and
supply per product x week. Monte Carlo runs leave it out (it is the largest part of a record).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.simulate.columns import PRODUCT_WEEKLY
from engine.simulate.funnel import FunnelOutcome
from engine.simulate.inputs import SimInputs
from engine.simulate.orders import Orders
from engine.simulate.state import QuarterState
from engine.simulate.supply import Shipments

REPEAT, CARRIED = "repeat", "carried"
"""Sources of orders that are not a lead's channel: repeat business, back-orders carried in."""
SUPPLY = ("ordered", "received", "in_transit")
"""Per product and week: units ordered from suppliers, units delivered, units ordered and not
yet delivered at the week's end."""


@dataclass(frozen=True)
class Detail:
    """Arrays of one replication by source (index letters as in ``engine.simulate.inputs``;
    ``S`` sources: the ``C`` channels, then ``repeat`` and ``carried``)."""

    sources: tuple[str, ...]
    entered: np.ndarray
    """(K x R x C x W) leads entering each stage (stage 0: leads arrived)."""
    cold: np.ndarray
    """(K x R x C x W) leads gone cold waiting in each stage, by the week they went cold."""
    open: np.ndarray
    """(K x R x C x W) leads in each stage at each week's end."""
    wins: np.ndarray
    """(R x S x P x W) customer orders by the week they were placed (won deals by channel)."""
    units: np.ndarray
    """(R x S x P x W) units shipped by week."""
    revenue: np.ndarray
    """(R x S x P x W) money booked by week shipped."""
    gross_profit: np.ndarray
    """(R x S x P x W) revenue less the units' cost (backup-supply premiums not included)."""
    supply: np.ndarray
    """(P x W x len(SUPPLY)) units ordered, received and in transit."""


def _cells(inp: SimInputs, region: np.ndarray, source: np.ndarray, product: np.ndarray,
           day: np.ndarray, values: np.ndarray | None = None) -> np.ndarray:
    """(R x S x P x W) sums of ``values`` (default: counts) by region, source, product, week."""
    R, S, P, W = len(inp.regions), len(inp.channels) + 2, len(inp.products), inp.weeks
    week = np.minimum((day // 7).astype(np.int64), W - 1)
    flat = ((region * S + source) * P + product) * W + week
    return np.bincount(flat, values, minlength=R * S * P * W).reshape(R, S, P, W)


def _supply(inp: SimInputs, ships: Shipments, state: QuarterState) -> np.ndarray:
    ordered = ships.weekly[..., PRODUCT_WEEKLY.index("ordered")]
    received = ships.weekly[..., PRODUCT_WEEKLY.index("received")]
    pending = np.zeros(len(inp.products))
    for o in state.open_orders:
        pending[inp.products.index(o.product)] += o.quantity
    transit = pending[:, None] + np.cumsum(ordered - received, axis=1)
    return np.stack([ordered, received, transit], axis=-1)


def detail(inp: SimInputs, funnel: FunnelOutcome, orders: Orders, ships: Shipments,
           state: QuarterState) -> Detail:
    """The detail of one replication from its phases' outcomes."""
    shipped = ships.order
    units = ships.units
    revenue = units * orders.unit_revenue[shipped]
    product = orders.product[shipped]
    where = (orders.region[shipped], orders.source[shipped], product, ships.day)
    return Detail(
        sources=(*inp.channels, REPEAT, CARRIED),
        entered=funnel.entered,
        cold=funnel.cold,
        open=funnel.open_weeks,
        wins=_cells(inp, orders.region, orders.source, orders.product, orders.day),
        units=_cells(inp, *where, units),
        revenue=_cells(inp, *where, revenue),
        gross_profit=_cells(inp, *where, revenue - units * inp.unit_cost[product]),
        supply=_supply(inp, ships, state),
    )
