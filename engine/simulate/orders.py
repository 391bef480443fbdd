"""Customer orders of a replication: won deals, repeat business, carried back-orders.

A won deal buys one product by its channel's mix, ``units_per_order * order_multiplier`` units, at
the channel's realised price less the promotion running in the week the lead arrived (the lead
came for that price). Repeat business follows ``engine.economics.repeat_orders``: of an existing
or key-account segment, ``Binomial(size, churn_rate)`` customers churn and each other customer
orders with ``repurchase_rate``; a dormant customer comes back with ``reactivation_rate``; repeat
orders are spread over regions by potential and uniformly over the quarter, at full price, by the
products' own mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.simulate.funnel import FunnelOutcome
from engine.simulate.inputs import SimInputs
from engine.simulate.state import QuarterState


@dataclass(frozen=True)
class Orders:
    """One entry per customer order, sorted by day."""

    day: np.ndarray
    region: np.ndarray
    product: np.ndarray
    units: np.ndarray
    unit_revenue: np.ndarray
    repeat: np.ndarray
    """True for repeat business (existing, key-account and dormant customers)."""
    source: np.ndarray
    """Where the order came from: the won lead's channel (``0 .. C - 1``, ``organic`` last),
    ``C`` for repeat business, ``C + 1`` for back-orders carried into the run."""
    segment: np.ndarray
    """The customer segment: a won lead's (``0 .. G - 1``, ``SimInputs.segments``), then the
    repeat segments (``G + i``, ``SimInputs.repeat_names``); back-orders carried in last."""


@dataclass(frozen=True)
class RepeatOutcome:
    """Customers of each repeat segment who churned and who ordered."""

    churned: np.ndarray
    ordered: np.ndarray


def _pick(rng: np.random.Generator, cum: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Product index of each order: inverse CDF of the mix of its row (channel) in ``cum``."""
    u = rng.random(rows.size)
    flat = (cum + np.arange(cum.shape[0])[:, None]).ravel()
    pos = np.searchsorted(flat, rows + u, side="right") - rows * cum.shape[1]
    return np.clip(pos, 0, cum.shape[1] - 1)


def won_orders(inp: SimInputs, funnel: FunnelOutcome, rng: np.random.Generator) -> Orders:
    """Orders of the leads won in the funnel."""
    leads, won = funnel.leads, funnel.won
    channel, segment = leads.channel[won], leads.segment[won]
    product = _pick(rng, inp.mix_cum, channel)
    week = np.minimum((leads.arrival[won] // 7).astype(np.int64), inp.weeks - 1)
    return Orders(
        day=funnel.won_day,
        region=leads.region[won],
        product=product,
        units=inp.units_per_order[product] * inp.order_multiplier[segment],
        unit_revenue=inp.unit_revenue[channel, week, product],
        repeat=np.zeros(won.size, dtype=bool),
        source=channel,
        segment=segment.astype(np.int64),
    )


def repeat_orders(
    inp: SimInputs, rng: np.random.Generator, start_day: float
) -> tuple[Orders, RepeatOutcome]:
    """Repeat orders from ``start_day`` on, and each segment's churned and ordering customers."""
    size, prob, mult = inp.repeat_buyers.T if inp.repeat_buyers.size else (np.zeros(0),) * 3
    churned = rng.binomial(inp.repeat_churn[:, 0].astype(np.int64), inp.repeat_churn[:, 1])
    ordered = rng.binomial((size - churned).astype(np.int64), prob)
    n = int(ordered.sum())
    segment = np.repeat(np.arange(ordered.size), ordered)
    cum = np.cumsum(inp.potential_share)
    region = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), cum.size - 1)
    day = rng.uniform(0.0, inp.days, n)
    product = _pick(rng, inp.mix_cum, np.full(n, inp.mix_cum.shape[0] - 1))
    keep = day >= start_day
    orders = Orders(
        day=day[keep],
        region=region[keep],
        product=product[keep],
        units=(inp.units_per_order[product] * mult[segment])[keep],
        unit_revenue=inp.price[product][keep],
        repeat=np.ones(int(keep.sum()), dtype=bool),
        source=np.full(int(keep.sum()), len(inp.channels), dtype=np.int64),
        segment=(len(inp.segments) + segment[keep]).astype(np.int64),
    )
    return orders, RepeatOutcome(churned.astype(float), ordered.astype(float))


def carried_orders(inp: SimInputs, state: QuarterState) -> Orders:
    """Back-orders of ``state``, as orders placed on its first day."""
    rows = state.backorders
    return Orders(
        day=np.full(len(rows), state.start_day),
        region=np.array([inp.regions.index(b.region) for b in rows], dtype=np.int64),
        product=np.array([inp.products.index(b.product) for b in rows], dtype=np.int64),
        units=np.array([b.units for b in rows], dtype=float),
        unit_revenue=np.array([b.unit_revenue for b in rows], dtype=float),
        repeat=np.zeros(len(rows), dtype=bool),
        source=np.full(len(rows), len(inp.channels) + 1, dtype=np.int64),
        segment=np.full(len(rows), len(inp.segments) + len(inp.repeat_names), dtype=np.int64),
    )


def merge(*parts: Orders) -> Orders:
    """All orders, sorted by day."""
    cols = {k: np.concatenate([vars(p)[k] for p in parts]) for k in vars(parts[0])}
    order = np.argsort(cols["day"], kind="stable")
    return Orders(**{k: v[order] for k, v in cols.items()})
