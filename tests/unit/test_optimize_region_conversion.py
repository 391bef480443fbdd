"""A region's conversion multiplier reaches the plan: fewer wins per lead there, so less spend."""

from __future__ import annotations

import pytest

from engine import economics as ec
from engine import load_scenario
from engine.optimize import OptimizeOptions, build_inputs, optimize
from tests.conftest import BASE

LP = OptimizeOptions(relax_reps=True, congestion=False, pilot=0)


def _lowered(region: str, factor: float):  # type: ignore[no-untyped-def]
    s = load_scenario(BASE)
    return s.model_copy(update={"regions": [
        r.model_copy(update={"conversion_multiplier": factor}) if r.id == region else r
        for r in s.regions
    ]})


def test_region_multiplier_scales_wins_per_lead_in_that_region_only() -> None:
    base, low = build_inputs(load_scenario(BASE)), build_inputs(_lowered("beijing", 0.8))
    i = list(base.regions).index("beijing")
    j = list(base.regions).index("shanghai")
    ratio = low.win_prob[i] / base.win_prob[i]
    expected = [ec.win_probability(_lowered("beijing", 0.8), c, "beijing")
                / ec.win_probability(load_scenario(BASE), c, "beijing")
                for c in (*base.channels, ec.ORGANIC)]
    assert ratio == pytest.approx(expected)
    assert (ratio < 0.8**3).all()  # every stage is lowered
    assert low.win_prob[j] == pytest.approx(base.win_prob[j])


def test_a_slower_region_gets_less_money() -> None:
    before = optimize(load_scenario(BASE), LP).plan.spend.groupby("region").spend.sum()
    after = optimize(_lowered("beijing", 0.8), LP).plan.spend.groupby("region").spend.sum()
    assert after["beijing"] < 0.9 * before["beijing"]
    assert after.drop("beijing").sum() > before.drop("beijing").sum()
