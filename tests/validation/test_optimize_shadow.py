"""Shadow prices against finite differences of re-solved plans, and monotonicity.

The LP's optimal value is piecewise linear and concave in a right-hand side, so a dual is a
supergradient: it lies between the one-sided differences ``(f(b) - f(b - e)) / e`` and
``(f(b + e) - f(b)) / e``, which are equal away from the kinks. Every check uses the LP
(``relax_reps``) so the value function has no integer jumps.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine import load_scenario
from engine.optimize import OptimizeOptions, build_inputs, build_model, optimize, solve
from tests.conftest import SCENARIOS

LP = OptimizeOptions(relax_reps=True, congestion=False, pilot=0)
"""The plan model itself, as an LP: duals are checked against re-solves of the same model (the
queue loop and the pilot would change the model between the re-solves)."""


def policy(s: Any, **update: Any) -> Any:
    return s.model_copy(update={"policy": s.policy.model_copy(update=update)})


def product_floor(s: Any, product: str, floor: float) -> Any:
    floors = s.policy.margin_floor
    products = {**floors.products, product: floor}
    return policy(s, margin_floor=floors.model_copy(update={"products": products}))


def stock(s: Any, product: str, on_hand: float) -> Any:
    items = [
        i.model_copy(update={"on_hand": on_hand}) if i.product == product else i
        for i in s.inventory.stock
    ]
    return s.model_copy(update={"inventory": s.inventory.model_copy(update={"stock": items})})


def pilot_min(s: Any, least: float) -> Any:
    intent = s.policy.pilot_intent.model_copy(update={"min_per_region": least})
    return policy(s, pilot_intent=intent)


def shadow(s: Any, constraint: str) -> float:
    table = optimize(s, LP).shadow_prices.set_index("constraint")
    return float(table.loc[constraint, "value"])


def assert_between_one_sided(
    objective: Callable[[float], float], at: float, step: float, dual: float, scale: float
) -> None:
    """``dual`` (per unit of the parameter / ``scale``) lies between the one-sided slopes."""
    here = objective(at)
    left = (here - objective(at - step)) / step * scale
    right = (objective(at + step) - here) / step * scale
    low, high = min(left, right), max(left, right)
    slack = 1e-6 * max(1.0, abs(low), abs(high))
    assert low - slack <= dual <= high + slack, (left, right, dual)
    assert abs(dual) > 0, "the constraint should bind with a non-zero price"


RHS_CASES = [
    # (scenario file, modifier, parameter value, step, constraints moved by the parameter)
    (
        "supply-shock.yaml",
        lambda s, v: stock(s, "aurora_home", v),
        120.0,
        0.5,
        ["supply[aurora_home]"],
    ),
    (
        "pilot-push.yaml",
        pilot_min,
        240.0,
        0.5,
        ["pilot_intent[xian]", "pilot_intent[kunming]", "pilot_intent[urumqi]"],
    ),
]


@pytest.mark.parametrize("case", RHS_CASES, ids=[c[4][0] for c in RHS_CASES])
def test_right_hand_side_prices_match_one_sided_differences(case: tuple[Any, ...]) -> None:
    file, modify, at, step, constraints = case
    s = load_scenario(SCENARIOS / file)
    dual = sum(shadow(modify(s, at), c) for c in constraints)
    assert_between_one_sided(lambda v: optimize(modify(s, v), LP).objective, at, step, dual, 1.0)


SHARE_CASES = [
    # (modifier, parameter value, constraint): a floor on a share of revenue moves the row's
    # coefficients, so the value is smooth (not piecewise linear) in it: central differences
    # with a small step, checked to 0.1%.
    (lambda s, v: product_floor(s, "aurora_pro", v), 0.43, "product_margin_floor[aurora_pro]"),
    (lambda s, v: policy(s, new_product_share_min=v), 0.23, "new_product_share"),
]


@pytest.mark.parametrize("case", SHARE_CASES, ids=[c[2] for c in SHARE_CASES])
def test_floor_prices_match_central_differences(case: tuple[Any, ...]) -> None:
    modify, at, constraint = case
    s = load_scenario(SCENARIOS / "base.yaml")
    per_point = shadow(modify(s, at), constraint)
    step = 1e-5
    up, down = (optimize(modify(s, at + e), LP).objective for e in (step, -step))
    assert per_point == pytest.approx((up - down) / (2 * step) * 0.01, rel=1e-3)
    assert per_point < 0


def test_budget_shadow_price_matches_a_resolve_of_the_same_model() -> None:
    s = load_scenario(SCENARIOS / "lean-budget.yaml")
    m = build_model(build_inputs(s, LP))
    spendable = s.budget.spendable
    dual = shadow(s, "budget")

    def objective(budget: float) -> float:
        m.set_budget(budget)
        return solve(m, LP).objective

    assert_between_one_sided(objective, spendable, 1_000.0, dual, 1.0)


def test_rep_shadow_price_matches_one_more_hour() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    m = build_model(build_inputs(s, LP))
    name = "rep_capacity[tier3_west,support]"
    hours = m.row(name).upper
    per_hour = shadow(s, name)

    def objective(bound: float) -> float:
        m.set_row_bounds(name, -float("inf"), bound)
        return solve(m, LP).objective

    assert_between_one_sided(objective, hours, 1.0, per_hour, 1.0)


def test_more_budget_never_lowers_the_objective() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    m = build_model(build_inputs(s, OptimizeOptions(relax_reps=True, budget=8e6,
                                                    congestion=False, pilot=0)))
    values = []
    for budget in (0.5e6, 1e6, 2e6, 3e6, 4e6, 5e6, 6e6, 8e6):
        m.set_budget(budget)
        values.append(solve(m, LP).objective)
    assert all(b >= a - 1e-6 * abs(a) for a, b in itertools.pairwise(values))
    assert values[-1] > values[0]


def test_a_higher_margin_floor_never_raises_the_objective() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    values = [
        optimize(product_floor(s, "aurora_pro", f), LP).objective
        for f in (0.30, 0.38, 0.41, 0.42, 0.43, 0.44)
    ]
    assert all(b <= a + 1e-6 * abs(a) for a, b in itertools.pairwise(values))
    assert values[-1] < values[0]


RANGE_CASES = [
    # (scenario file, constraint): a limit whose row is the business quantity itself
    ("lean-budget.yaml", "budget"),
    ("base.yaml", "budget"),
    ("base.yaml", "rep_capacity[tier3_west,support]"),
    ("supply-shock.yaml", "supply[aurora_home]"),
]


@pytest.mark.parametrize("case", RANGE_CASES, ids=[f"{c[0]}:{c[1]}" for c in RANGE_CASES])
def test_a_price_holds_over_its_stated_range_and_no_further_up(case: tuple[str, str]) -> None:
    # Re-solve the same LP with the limit at two points inside the stated range: the slope
    # between them is the printed value. Past the top of the range the value function, being
    # concave, gains no more than that per unit.
    file, name = case
    s = load_scenario(SCENARIOS / file)
    row = optimize(s, LP).shadow_prices.set_index("constraint").loc[name]
    low, high, dual = float(row.holds_from), float(row.holds_to), float(row.value)
    assert dual != 0 and low < high
    m = build_model(build_inputs(s, LP))
    bound = m.row(name)
    at_upper = np.isfinite(bound.upper)

    def objective(v: float) -> float:
        m.set_row_bounds(name, -np.inf if at_upper else v, v if at_upper else np.inf)
        return solve(m, LP).objective

    here = bound.upper if at_upper else bound.lower
    start = max(low, 0.0)
    span = (high if np.isfinite(high) else 2 * here) - start
    a, b = start + 0.25 * span, start + 0.75 * span
    slope = (objective(b) - objective(a)) / (b - a)
    assert slope == pytest.approx(dual, rel=1e-5, abs=1e-7)
    if np.isfinite(high):
        step = max(1.0, 0.05 * span)
        beyond = (objective(high + step) - objective(high)) / step
        assert beyond <= dual + 1e-6 * max(1.0, abs(dual))
