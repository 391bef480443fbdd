"""Management's rules and the levers they can pull, read once from the scenario and the plan.

``Levers`` travel with the simulator's inputs (``SimInputs.levers``); the actions that pull them
are in ``engine.simulate.levers``, the reviews that decide in ``engine.simulate.review``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from engine import economics as ec
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES
from engine.scenario.schema.management import Rule


@dataclass(frozen=True)
class Levers:
    """The scenario's levers as arrays (``R`` regions, ``C`` scenario channels, ``W`` weeks)."""

    scenario: Scenario
    rules: tuple[Rule, ...]
    review_weeks: tuple[int, ...]
    """Review points: ends of these weeks (1..W-1)."""
    reserve: float
    """The budget's reserve (money)."""
    spend: np.ndarray
    """(R x C) the plan's spend (money per quarter)."""
    shock: np.ndarray
    """(W x R) competitor-shock multiplier of lead arrivals."""
    discount: np.ndarray
    """(C x W x P) planned promotion discounts."""
    profit_per_lead: np.ndarray
    """(R x C) expected gross profit of one lead, undiscounted (money)."""
    heads: np.ndarray
    """(R x roles x 2) reps on hand and hired by region and role."""
    effective: np.ndarray
    """(R x roles x W) reps at a tenured rep's productivity."""
    capacity: np.ndarray
    """(R x roles x W) funnel hours per week by region and role."""

    @property
    def metrics(self) -> frozenset[str]:
        """The metrics the rules read."""
        return frozenset(c.metric for rule in self.rules for c in rule.when)

    @property
    def shock_weeks(self) -> np.ndarray:
        """Weeks (from 0) in which some competitor shock runs."""
        return np.flatnonzero((self.shock != 1.0).any(axis=1))


def build_levers(s: Scenario, plan: Plan, capacity: Callable[[str, str], np.ndarray]
                 ) -> Levers | None:
    """The levers of ``s`` under ``plan``; ``capacity(region, role)`` gives the funnel hours
    per week (W); ``None`` without management rules."""
    m = s.management
    if m is None or not m.rules:
        return None
    W = s.horizon.weeks
    regions, channels = [r.id for r in s.regions], [c.id for c in s.channels]
    shock = np.ones((W, len(regions)))
    for sh in s.pricing.competitor_shocks:
        cols = [regions.index(r) for r in sh.regions] if sh.regions else list(range(len(regions)))
        for w in sh.weeks:
            shock[w - 1, cols] *= sh.demand_multiplier
    cost = ec.unit_costs(s)
    profit = np.array([[ec.win_probability(s, c, r) * ec.units_per_win(s, c, r)
                        @ (ec.revenue_per_unit(s, c) - cost) for c in channels] for r in regions])
    heads = np.array([[plan.reps_of(r, o) for o in ROLES] for r in regions])
    ramp = ec.ramp_productivity(s)
    return Levers(
        scenario=s, rules=tuple(m.rules),
        review_weeks=tuple(range(m.review_every, W, m.review_every)),
        reserve=s.budget.total * s.budget.reserve_share,
        spend=np.array([[plan.spend_of(r, c) for c in channels] for r in regions]),
        shock=shock,
        discount=np.array([ec.promotion_discounts(s, c) for c in channels]),
        profit_per_lead=profit,
        heads=heads,
        effective=heads[..., :1] + heads[..., 1:] * ramp,
        capacity=np.array([[capacity(r, o) for o in ROLES] for r in regions]),
    )
