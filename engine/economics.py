"""Expected-value economics of the quarter, shared by the optimiser and the simulator.

Both sides read the scenario through these functions, so the plan's expected outcome and the
simulation's mean agree when capacity and stock do not bind. The conventions:

- **Leads** of a region x channel arrive at ``response.leads_per_week(spend)`` per week, times the
  week's demand factor (competitor shocks, and promotions through the price elasticity).
  Organic leads (``region.organic_leads`` per week) behave as the pseudo-channel ``organic``:
  quality 1, full price, the products' own mix, worked by telesales.
- **Segments**: marketing leads split over the ``new`` and ``vertical`` segments by
  ``lead_share``; the share left over is plain new prospects (multipliers 1).
- **Conversion**: stage k converts with ``min(1, p_k * m_g * m_r * q_c**[k == 0])``: the
  channel's quality ``q_c`` lifts the first stage, the segment's ``conversion_multiplier``
  ``m_g`` and the region's ``m_r`` every stage. Functions that take ``region=None`` use
  ``m_r = 1``.
- **Orders**: a won deal buys one product by the channel's mix, ``units_per_order *
  order_multiplier`` units, at ``price * price_realisation * (1 - promotion discount)``.
- **Timing**: a lead arriving in week w closes ``D`` days later, ``D`` the sum of expected stage
  durations; only deals closed inside the horizon count (arrivals spread evenly in the week).
- **Repeat business**: an existing customer churns with ``churn_rate``, otherwise repurchases with
  ``repurchase_rate``; a dormant one reactivates with ``reactivation_rate``; both at full price,
  the products' mix, spread evenly over regions by potential and over weeks.
- **Capacity**: a rep gives ``hours_per_week``; a new hire gives that times the ramp
  productivity of the week; field capacity gains sub-agents' hours and loses the hours of
  the region's weekly visits and of covering its key accounts.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from engine.scenario.schema import Channel, Scenario
from engine.scenario.schema.common import ROLES

ORGANIC = "organic"
"""The pseudo-channel of leads that come without marketing spend."""

_T = TypeVar("_T")
_MEMO: dict[int, tuple[weakref.ref[Scenario], dict[str, Any]]] = {}


def _memo(s: Scenario, key: str, build: Callable[[Scenario], _T]) -> _T:
    """``build(s)``, computed once per scenario object (a scenario is frozen; the entry goes
    with the object). The optimiser and the simulator read these per region x channel x stage:
    at 200 regions, scanning the scenario's lists each time was a third of building a model."""
    entry = _MEMO.get(id(s))
    if entry is None or entry[0]() is not s:
        entry = (weakref.ref(s), {})
        _MEMO[id(s)] = entry
        weakref.finalize(s, _MEMO.pop, id(s), None)
    table = entry[1]
    if key not in table:
        table[key] = build(s)
    return table[key]
DAYS_PER_WEEK = 7.0


@dataclass(frozen=True)
class SegmentMix:
    """Lead segments: their shares of marketing leads and their multipliers."""

    ids: tuple[str, ...]
    share: np.ndarray
    conversion: np.ndarray
    order: np.ndarray


def lead_segments(s: Scenario) -> SegmentMix:
    """The segments marketing leads fall into; a plain ``prospects`` remainder is added when the
    scenario's lead shares add up to less than 1."""
    return _memo(s, "segments", _lead_segments)


def _lead_segments(s: Scenario) -> SegmentMix:
    segs = [g for g in s.customers if g.kind in ("new", "vertical") and g.lead_share > 0]
    ids = [g.id for g in segs]
    share = [g.lead_share for g in segs]
    conv = [g.conversion_multiplier for g in segs]
    order = [g.order_multiplier for g in segs]
    rest = 1.0 - sum(share)
    if rest > 1e-9:
        ids.append("prospects" if "prospects" not in ids else "prospects_other")
        share.append(rest)
        conv.append(1.0)
        order.append(1.0)
    arrays = [np.array(a, dtype=float) for a in (share, conv, order)]
    for a in arrays:
        a.flags.writeable = False  # shared by every caller of this scenario (``_memo``)
    return SegmentMix(tuple(ids), *arrays)


def channel_quality(s: Scenario, channel: str) -> float:
    """Quality multiplier of ``channel`` (1 for organic leads)."""
    return 1.0 if channel == ORGANIC else _channel(s, channel).quality


def _channel(s: Scenario, channel: str) -> Channel:
    return _memo(s, "channels", lambda sc: {c.id: c for c in sc.channels})[channel]


def region_conversion(s: Scenario, region: str | None) -> float:
    """The region's conversion multiplier (1 when ``region`` is ``None``)."""
    if region is None:
        return 1.0
    by_id = _memo(s, "region_conversion",
                  lambda sc: {r.id: r.conversion_multiplier for r in sc.regions})
    return by_id[region]


def stage_conversions(s: Scenario, channel: str, region: str | None = None) -> np.ndarray:
    """Conversion probability per stage (rows: segments, columns: stages)."""
    seg = lead_segments(s)
    base = np.array([st.conversion for st in s.funnel.stages]) * region_conversion(s, region)
    lift = np.ones_like(base)
    lift[0] = channel_quality(s, channel)
    return np.minimum(1.0, base[None, :] * lift[None, :] * seg.conversion[:, None])


def stage_reach(s: Scenario, channel: str, region: str | None = None) -> np.ndarray:
    """Probability that a lead of ``channel`` enters each stage, averaged over segments."""
    conv = stage_conversions(s, channel, region)
    reach = np.cumprod(np.hstack([np.ones((conv.shape[0], 1)), conv[:, :-1]]), axis=1)
    return lead_segments(s).share @ reach


def win_probability(s: Scenario, channel: str, region: str | None = None) -> float:
    """Probability that a lead of ``channel`` is won, averaged over segments."""
    conv = stage_conversions(s, channel, region)
    return float(lead_segments(s).share @ np.prod(conv, axis=1))


def product_mix(s: Scenario, channel: str) -> np.ndarray:
    """Share of won orders by product (in ``s.products`` order) for ``channel``."""
    if channel != ORGANIC and _channel(s, channel).product_mix is not None:
        mix = _channel(s, channel).product_mix or {}
        return np.array([mix.get(p.id, 0.0) for p in s.products])
    return np.array([p.mix for p in s.products])


def price_realisation(s: Scenario, channel: str) -> float:
    """Share of list price kept on ``channel`` (1 for organic and repeat orders)."""
    return 1.0 if channel == ORGANIC else _channel(s, channel).price_realisation


def order_multiplier_of_wins(s: Scenario, channel: str, region: str | None = None) -> float:
    """Average order-size multiplier of won deals (segments weighted by their wins)."""
    seg = lead_segments(s)
    wins = seg.share * np.prod(stage_conversions(s, channel, region), axis=1)
    return float(wins @ seg.order / wins.sum()) if wins.sum() > 0 else 1.0


def units_per_win(s: Scenario, channel: str, region: str | None = None) -> np.ndarray:
    """Expected units per won deal of ``channel``, by product."""
    units = np.array([p.units_per_order for p in s.products])
    return product_mix(s, channel) * units * order_multiplier_of_wins(s, channel, region)


def revenue_per_unit(s: Scenario, channel: str, discount: np.ndarray | None = None) -> np.ndarray:
    """Realised revenue per unit by product on ``channel`` (money), under ``discount``."""
    price = np.array([p.price for p in s.products]) * price_realisation(s, channel)
    return price if discount is None else price * (1.0 - discount)


def unit_costs(s: Scenario) -> np.ndarray:
    """Cost per unit by product (money)."""
    return np.array([p.unit_cost for p in s.products])


def stage_roles(s: Scenario, channel: str) -> list[str]:
    """The rep role that works each stage for leads of ``channel``."""
    own = "telesales" if channel == ORGANIC else _channel(s, channel).role
    return [own if st.role == "channel" else st.role for st in s.funnel.stages]


def hours_per_lead(s: Scenario, channel: str, region: str | None = None) -> dict[str, float]:
    """Expected rep hours one lead of ``channel`` takes, by role."""
    reach = stage_reach(s, channel, region)
    hours = np.array([st.hours for st in s.funnel.stages])
    roles = stage_roles(s, channel)
    return {
        role: float(sum(r * h for r, h, ro in zip(reach, hours, roles, strict=True) if ro == role))
        for role in ROLES
    }


def funnel_days(s: Scenario) -> float:
    """Expected days from arrival to close through every stage (waiting for reps excluded)."""
    return float(sum(st.duration.expected for st in s.funnel.stages))


def in_quarter_fraction(s: Scenario) -> np.ndarray:
    """For each week, the share of that week's arrivals that close inside the horizon."""
    end = s.horizon.weeks * DAYS_PER_WEEK - funnel_days(s)
    start = np.arange(s.horizon.weeks) * DAYS_PER_WEEK
    return np.clip((end - start) / DAYS_PER_WEEK, 0.0, 1.0)


def promotion_discounts(s: Scenario, channel: str) -> np.ndarray:
    """Discount by week and product on ``channel`` (weeks x products; 0 where none runs)."""
    disc = np.zeros((s.horizon.weeks, len(s.products)))
    ids = [p.id for p in s.products]
    for promo in s.pricing.promotions:
        if promo.channel != channel:
            continue
        cols = [ids.index(p) for p in promo.products] if promo.products else range(len(ids))
        for w in promo.weeks:
            for j in cols:
                disc[w - 1, j] = max(disc[w - 1, j], promo.discount)
    return disc


def demand_factor(s: Scenario, region: str, channel: str) -> np.ndarray:
    """Multiplier of lead arrivals by week: competitor shocks times the promotion lift
    ``1 + sum_p mix_p * ((1 - d_p) ** elasticity - 1)``."""
    factor = np.ones(s.horizon.weeks)
    for shock in s.pricing.competitor_shocks:
        if not shock.regions or region in shock.regions:
            for w in shock.weeks:
                factor[w - 1] *= shock.demand_multiplier
    mix = product_mix(s, channel)
    lift = 1.0 + ((1.0 - promotion_discounts(s, channel)) ** s.pricing.elasticity - 1.0) @ mix
    return factor * lift


def ramp_productivity(s: Scenario) -> np.ndarray:
    """Productivity of a new hire by week, as a share of a tenured rep's."""
    ramp = s.salesforce.ramp
    if ramp.weeks == 0:
        return np.ones(s.horizon.weeks)
    progress = np.minimum(1.0, np.arange(s.horizon.weeks) / ramp.weeks)
    return ramp.start + (1.0 - ramp.start) * progress


def overhead_hours(s: Scenario, region: str) -> dict[str, float]:
    """Hours per week a region's field reps must give outside the funnel (visits, key
    accounts) less the hours its sub-agents add; other roles have none."""
    r = next(x for x in s.regions if x.id == region)
    sf = s.salesforce
    field = (
        r.visits_per_week * sf.visit_hours
        + s.policy.key_account_coverage * r.key_accounts * sf.key_account_hours / s.horizon.weeks
        - r.sub_agents * sf.sub_agent_hours
    )
    return {"field": field, "telesales": 0.0, "support": 0.0}


def repeat_orders(s: Scenario) -> float:
    """Expected repeat orders in the quarter over all regions (existing, key accounts, dormant)."""
    total = 0.0
    for g in s.customers:
        if g.kind in ("existing", "key_account"):
            total += g.size * (1.0 - g.churn_rate) * g.repurchase_rate * g.order_multiplier
        elif g.kind == "dormant":
            total += g.size * g.reactivation_rate * g.order_multiplier
    return total


def potential_shares(s: Scenario) -> dict[str, float]:
    """Each region's share of total potential (how repeat business is spread)."""
    total = sum(r.potential for r in s.regions)
    return {r.id: r.potential / total for r in s.regions}
