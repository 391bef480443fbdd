"""What management can move during the quarter, read once from the scenario and the plan, and
the actions that move it.

Each action returns new ``SimInputs`` for the weeks after the review (``week`` completed weeks;
array index ``week`` on) and leaves the earlier weeks alone. Money spent on a channel from a
review on buys leads at the channel's response curve evaluated at the *quarter-equivalent*
spend: ``m`` spent over the ``W - K`` remaining weeks counts as ``m * W / (W - K)`` a quarter.
A replication's own uncertainty factor on lead rates (``simulation.lead_rate_cv``) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine import economics as ec
from engine.scenario.schema.common import ROLES
from engine.scenario.schema.management import (
    Expedite,
    MoveMoney,
    Overtime,
    ReleaseReserve,
    StartPromotion,
    StopPromotion,
)
from engine.simulate.inputs import SimInputs
from engine.simulate.management import Levers


@dataclass
class Book:
    """What management has done so far in one replication (mutable)."""

    spend: np.ndarray
    """(W x R x C) quarter-equivalent spend by week."""
    discount: np.ndarray
    """(C x W x P) promotion discounts in force."""
    reserve_left: float
    base_rate: np.ndarray
    """(W x R x C+1) lead rates the plan gives, before the replication's uncertainty."""

    @classmethod
    def open(cls, lv: Levers, base_rate: np.ndarray) -> Book:
        W = base_rate.shape[0]
        return cls(np.repeat(lv.spend[None], W, axis=0), lv.discount.copy(), lv.reserve,
                   base_rate)


def _lift(lv: Levers, discount: np.ndarray, c: int) -> np.ndarray:
    s = lv.scenario
    mix = ec.product_mix(s, s.channels[c].id)
    return 1.0 + ((1.0 - discount[c]) ** s.pricing.elasticity - 1.0) @ mix


def _rates(lv: Levers, book: Book, c: int) -> np.ndarray:
    """(W x R) leads per day of channel ``c`` under the book's spend and discounts."""
    s = lv.scenario
    ch = s.channels[c]
    W = s.horizon.weeks
    leads = np.array([[ch.response.leads_per_week(x, r.potential, W) for r, x in
                       zip(s.regions, row, strict=True)] for row in book.spend[:, :, c]])
    return leads * lv.shock * _lift(lv, book.discount, c)[:, None] / ec.DAYS_PER_WEEK


def repriced(lv: Levers, book: Book, inp: SimInputs, week: int,
             channels: list[int]) -> SimInputs:
    """``inp`` with the lead rates and prices of ``channels`` from ``week`` on re-read from the
    book (the replication's uncertainty factor kept)."""
    rate, revenue = inp.lead_rate.copy(), inp.unit_revenue.copy()
    for c in channels:
        base = book.base_rate[:, :, c]
        factor = np.divide(inp.lead_rate[:, :, c], base, out=np.ones_like(base), where=base > 0)
        rate[week:, :, c] = (_rates(lv, book, c) * factor)[week:]
        cid = lv.scenario.channels[c].id
        revenue[c, week:] = ec.revenue_per_unit(lv.scenario, cid, book.discount[c])[week:]
    return replace(inp, lead_rate=rate, unit_revenue=revenue)


def best_channel(lv: Levers, book: Book, week: int, money: np.ndarray,
                 exclude: int | None = None) -> int:
    """The channel (other than ``exclude``) where ``money`` (by region) adds the most expected
    gross profit from ``week`` on."""
    s = lv.scenario
    W = s.horizon.weeks
    scale = W / (W - week)
    gains = []
    for c, ch in enumerate(s.channels):
        now = book.spend[week, :, c]
        more = [ch.response.leads_per_week(x + m * scale, r.potential, W)
                - ch.response.leads_per_week(x, r.potential, W)
                for r, x, m in zip(s.regions, now, money, strict=True)]
        gains.append(float(np.asarray(more) @ lv.profit_per_lead[:, c]))
    if exclude is not None:
        gains[exclude] = -np.inf
    return int(np.argmax(gains))


def _regions(lv: Levers, region: str | None) -> np.ndarray:
    """Share of an amount going to each region: ``region`` alone, or by potential."""
    s = lv.scenario
    if region is not None:
        out = np.zeros(len(s.regions))
        out[[r.id for r in s.regions].index(region)] = 1.0
        return out
    pot = np.array([r.potential for r in s.regions])
    return pot / pot.sum()


def _channel(lv: Levers, name: str) -> int:
    return [c.id for c in lv.scenario.channels].index(name)


def release(lv: Levers, book: Book, inp: SimInputs, week: int,
            a: ReleaseReserve) -> tuple[SimInputs, str, float]:
    """Spend ``a.share`` of the reserve left over the weeks after ``week``."""
    money = a.share * book.reserve_left
    by_region = money * _regions(lv, a.region)
    c = best_channel(lv, book, week, by_region) if a.channel == "best" else _channel(lv, a.channel)
    W = lv.scenario.horizon.weeks
    book.spend[week:, :, c] += by_region * W / (W - week)
    book.reserve_left -= money
    out = repriced(lv, book, inp, week, [c])
    return replace(out, spend=inp.spend + money), lv.scenario.channels[c].id, money


def move(lv: Levers, book: Book, inp: SimInputs, week: int,
         a: MoveMoney) -> tuple[SimInputs, str, float]:
    """Move ``a.share`` of ``a.from_channel``'s money left to another channel."""
    W = lv.scenario.horizon.weeks
    src = _channel(lv, a.from_channel)
    mask = _regions(lv, a.region) > 0 if a.region is not None else np.ones(len(lv.spend), bool)
    moved = np.where(mask, a.share * book.spend[week, :, src], 0.0)
    book.spend[week:, :, src] -= moved
    dst = best_channel(lv, book, week, moved * (W - week) / W, src) if a.to_channel == "best" \
        else _channel(lv, a.to_channel)
    book.spend[week:, :, dst] += moved
    out = repriced(lv, book, inp, week, sorted({src, dst}))
    return out, f"{a.from_channel}->{lv.scenario.channels[dst].id}", float(moved.sum()) * (
        W - week) / W


def promote(lv: Levers, book: Book, inp: SimInputs, week: int,
            a: StartPromotion | StopPromotion) -> tuple[SimInputs, str, float]:
    """Start (a discount on every product for ``a.weeks`` weeks) or stop promotions."""
    c = _channel(lv, a.channel)
    if isinstance(a, StartPromotion):
        span = slice(week, min(week + a.weeks, lv.scenario.horizon.weeks))
        book.discount[c, span] = np.maximum(book.discount[c, span], a.discount)
        amount = a.discount
    else:
        book.discount[c, week:] = 0.0
        amount = 0.0
    return repriced(lv, book, inp, week, [c]), a.channel, amount


def overtime(lv: Levers, inp: SimInputs, week: int, a: Overtime) -> tuple[SimInputs, str, float,
                                                                          float]:
    """Speed up the role's pools by the overtime hours; returns inputs, target, hours, cost."""
    o = ROLES.index(a.role)
    W = lv.scenario.horizon.weeks
    last = W if a.weeks is None else min(W, week + a.weeks)
    regions = _regions(lv, a.region) > 0 if a.region is not None else np.ones(len(lv.spend), bool)
    speed = inp.pools.speed.copy()
    cap, eff = lv.capacity[:, o, week:last], lv.effective[:, o, week:last]
    gain = np.divide(a.hours_per_week * eff, cap, out=np.zeros_like(cap), where=cap > 0)
    for p in np.flatnonzero((inp.pools.role == o) & regions[inp.pools.region]):
        speed[p, week:last] *= 1.0 + gain[inp.pools.region[p]]
    hours = float(lv.heads[regions, o].sum()) * a.hours_per_week * (last - week)
    cost = hours * a.cost_per_hour
    out = replace(inp, pools=replace(inp.pools, speed=speed), rep_cost=inp.rep_cost + cost)
    return out, a.role if a.region is None else f"{a.region}/{a.role}", hours, cost


def expedite_units(lv: Levers, inp: SimInputs, on_hand: np.ndarray, a: Expedite
                   ) -> dict[int, float]:
    """Products to expedite and the units of each."""
    st = inp.stock
    if a.product is not None:
        picks = [inp.products.index(a.product)]
    else:
        picks = [int(j) for j in np.flatnonzero(st.stocked & st.has_backup
                                                & (on_hand < st.safety - 1e-9))]
    return {j: (a.units if a.units is not None else float(st.backup_qty[j])) for j in picks}
