"""The rest of the quarter as a scenario: budget and bounds over the whole quarter, shifted
weeks, pace-preserving response curves, and week 0 giving back the original plan."""

from __future__ import annotations

import numpy as np
import pytest

from engine import load_scenario
from engine.jobs.remainder import remainder_scenario, remaining_months
from engine.optimize.optimizer import optimize
from engine.optimize.options import OptimizeOptions
from tests.conftest import BASE

MODEL = OptimizeOptions(pilot=0)
"""The model with its queue loop, without the pilot simulation."""


@pytest.fixture(scope="module")
def base():
    return load_scenario(BASE)


def test_week_zero_with_hiring_reproduces_the_original_plan(base):
    before = base.model_dump()
    original = optimize(base, MODEL).plan
    again = optimize(remainder_scenario(base, 0, {}, allow_hiring=True), MODEL).plan
    np.testing.assert_allclose(again.spend.spend, original.spend.spend, rtol=1e-9, atol=1e-6)
    assert again.reps.added.tolist() == original.reps.added.tolist()
    assert base.model_dump() == before


def test_months_are_cut_at_the_start_week():
    assert remaining_months([4, 4, 5], 0) == [4, 4, 5]
    assert remaining_months([4, 4, 5], 6) == [2, 5]
    assert remaining_months([4, 4, 5], 8) == [5]


def test_budget_bounds_and_weeks_after_six_weeks(base):
    spent = {("wuhan", "offline"): 3.0e5, ("wuhan", "livestream"): 1.2e6,
             ("xian", "online"): 1.0e5}
    r = remainder_scenario(base, 6, spent, {"refill": 10.0})
    assert r.horizon.weeks == 7 and r.horizon.months == [2, 5]
    assert r.budget.total == pytest.approx(base.budget.spendable - 1.6e6)
    assert r.budget.reserve_share == 0
    ch = {c.id: c for c in r.channels}
    assert ch["offline"].spend.min == pytest.approx(1.0e5)
    assert ch["livestream"].spend.max == pytest.approx(3.0e5)
    assert ch["online"].response.half_saturation == pytest.approx(1.2e5 * 7 / 13)
    assert [p.weeks for p in r.pricing.promotions] == [[3]]
    assert [c.weeks for c in r.pricing.competitor_shocks] == [[1, 2, 3]]
    assert r.policy.pilot_intent is None
    assert all(reg.max_hires is None for reg in r.regions)
    stock = {i.product: i.on_hand for i in r.inventory.stock}
    assert stock["refill"] == 10.0 and stock["daily_kit"] == 2000


def test_a_remaining_plan_keeps_spent_money_and_quarter_bounds(base):
    spent = {("wuhan", "offline"): 3.0e5, ("shanghai", "livestream"): 1.2e6}
    plan = optimize(remainder_scenario(base, 6, spent), MODEL).plan
    total = {c.id: plan.spend[plan.spend.channel == c.id].spend.sum()
             + sum(v for (_, ch), v in spent.items() if ch == c.id) for c in base.channels}
    assert total["offline"] >= 4.0e5 - 1e-6
    assert total["livestream"] <= 1.5e6 + 1e-6
    assert plan.total_spend + 1.5e6 <= base.budget.spendable + 1e-6
    assert plan.reps.added.sum() == 0
