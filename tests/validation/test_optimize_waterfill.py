"""A concave budget allocation solved exactly by water-filling on the Lagrange multiplier.

Four channels in one region, exponential responses ``L_i(s) = M_i (1 - 2**(-s / h_i))``, one
funnel stage converting half the leads at once, price 100 and cost 40, unlimited reps and
stock. A lead per week of channel i earns ``v_i = 13 x 0.5 x (100 r_i - 40)`` over the quarter
(``r_i`` its price realisation), so the plan maximises ``sum v_i L_i(s_i) - s_i`` subject to
``sum s_i <= B``. At the optimum ``v_i L_i'(s_i) = 1 + lambda`` wherever ``s_i > 0``:
``s_i = h_i log2(v_i M_i ln 2 / (h_i (1 + lambda)))``; ``lambda`` is found with brentq.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy.optimize import brentq

from engine import build_scenario
from engine.optimize import OptimizeOptions, optimize

MAX_LEADS = np.array([100.0, 80.0, 60.0, 120.0])
HALF = np.array([5e3, 8e3, 3e3, 1.2e4])
REALISATION = np.array([1.0, 0.9, 0.8, 0.95])
VALUE = 13 * 0.5 * (100 * REALISATION - 40)
BUDGET = 25_000.0


def scenario(budget: float) -> Any:
    channels = [
        {
            "id": f"c{i}",
            "price_realisation": float(r),
            "response": {"kind": "exponential", "max_leads": float(m), "half_saturation": float(h)},
        }
        for i, (m, h, r) in enumerate(zip(MAX_LEADS, HALF, REALISATION, strict=True))
    ]
    doc = {
        "name": "waterfill",
        "budget": {"total": budget, "reserve_share": 0.0},
        "regions": [{"id": "solo", "kind": "core", "potential": 1.0}],
        "products": [{"id": "p", "line": "l", "price": 100.0, "unit_cost": 40.0, "mix": 1.0}],
        "channels": channels,
        "funnel": {
            "stages": [
                {"id": "close", "conversion": 0.5, "duration": {"dist": "fixed", "mean": 0.0}}
            ]
        },
        "salesforce": {"unlimited": True},
    }
    return build_scenario(doc, "waterfill.yaml")


def spend_at(lam: float) -> np.ndarray:
    ratio = VALUE * MAX_LEADS * math.log(2) / (HALF * (1 + lam))
    return np.where(ratio > 1, HALF * np.log2(np.maximum(ratio, 1e-300)), 0.0)


def exact_optimum(budget: float) -> tuple[float, float]:
    """(objective, lambda) of the exact concave problem."""
    lam = (
        0.0
        if spend_at(0.0).sum() <= budget
        else brentq(lambda x: spend_at(x).sum() - budget, 0.0, 1e3, xtol=1e-14)
    )
    s = spend_at(lam)
    leads = MAX_LEADS * (1 - np.exp2(-s / HALF))
    return float(VALUE @ leads - s.sum()), float(lam)


def test_the_budget_binds_in_this_instance() -> None:
    assert spend_at(0.0).sum() > BUDGET


@pytest.mark.parametrize("segments", [24, 64])
def test_plan_reaches_the_water_filling_optimum(segments: int) -> None:
    exact, lam = exact_optimum(BUDGET)
    result = optimize(scenario(BUDGET), OptimizeOptions(segments=segments, pilot=0))
    # chords lie below the curve: the plan is a little worse, by the approximation error
    assert result.objective <= exact + 1e-6
    assert result.objective == pytest.approx(exact, rel=1e-3 if segments == 24 else 2e-4)
    np.testing.assert_allclose(
        result.plan.spend.spend.to_numpy(), spend_at(lam), rtol=0.1, atol=0.02 * BUDGET
    )


@pytest.mark.parametrize("segments", [24, 64])
def test_budget_shadow_price_is_the_multiplier(segments: int) -> None:
    _, lam = exact_optimum(BUDGET)
    result = optimize(scenario(BUDGET), OptimizeOptions(segments=segments, pilot=0))
    budget = result.shadow_prices.set_index("constraint").loc["budget", "value"]
    # on chords the marginal value jumps between neighbouring pieces' slopes
    assert budget == pytest.approx(lam, rel=0.1 if segments == 24 else 0.03)
