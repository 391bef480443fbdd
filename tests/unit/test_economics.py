"""Shared economics against hand computations on small cases."""

from __future__ import annotations

import numpy as np
import pytest

from engine import economics as ec
from engine import load_scenario
from tests.conftest import BASE, SCENARIOS


def test_tiny_funnel_by_hand() -> None:
    s = load_scenario(SCENARIOS / "tiny.yaml")
    assert ec.win_probability(s, "direct") == pytest.approx(0.3)
    assert ec.funnel_days(s) == 7
    # arrivals in week 13 (days 84-91) close after day 91: none; week 12 (77-84): all by day 91
    frac = ec.in_quarter_fraction(s)
    assert frac[-1] == 0 and frac[-2] == 1 and frac.sum() == pytest.approx(12.0)


def test_base_conversion_with_quality_segments_and_region() -> None:
    s = load_scenario(BASE)
    conv = [st.conversion for st in s.funnel.stages]
    seg = ec.lead_segments(s)
    q = next(c.quality for c in s.channels if c.id == "offline")
    expected = sum(
        share * min(1, conv[0] * q * m) * np.prod([min(1, p * m) for p in conv[1:]])
        for share, m in zip(seg.share, seg.conversion, strict=True)
    )
    assert ec.win_probability(s, "offline") == pytest.approx(expected)
    lowered = s.model_copy(
        update={
            "regions": [
                r.model_copy(update={"conversion_multiplier": 0.8}) if r.id == "xian" else r
                for r in s.regions
            ]
        }
    )
    ratio = ec.win_probability(lowered, "online", "xian") / ec.win_probability(s, "online")
    assert ratio == pytest.approx(0.8**4, rel=0.02)
    assert ec.win_probability(lowered, "online", "beijing") == ec.win_probability(s, "online")


def test_hours_per_lead_weights_stages_by_reach() -> None:
    s = load_scenario(BASE)
    reach = ec.stage_reach(s, "online")
    hours = ec.hours_per_lead(s, "online")
    h = [st.hours for st in s.funnel.stages]
    # qualify (telesales), demo (the channel's role: telesales online), proposal (support),
    # negotiate (the channel's role)
    assert hours["telesales"] == pytest.approx(h[0] * reach[0] + h[1] * reach[1] + h[3] * reach[3])
    assert hours["support"] == pytest.approx(h[2] * reach[2])
    assert hours["field"] == 0


def test_promotion_lift_follows_elasticity() -> None:
    s = load_scenario(BASE)
    factor = ec.demand_factor(s, "beijing", "livestream")
    assert factor[4] == pytest.approx(0.85**s.pricing.elasticity)  # spring_flash, week 5
    assert factor[0] == 1.0
    shocked = ec.demand_factor(s, "shanghai", "online")
    assert shocked[6] == pytest.approx(0.8) and shocked[5] == 1.0


def test_ramp_rises_linearly_to_full_productivity() -> None:
    s = load_scenario(BASE)
    ramp = ec.ramp_productivity(s)
    assert ramp[0] == pytest.approx(0.3) and ramp[8] == 1.0
    assert np.diff(ramp[:9]) == pytest.approx(np.full(8, 0.7 / 8))


def test_repeat_orders_by_hand() -> None:
    s = load_scenario(BASE)
    expected = 18000 * 0.96 * 0.22 + 9000 * 0.05 + 103 * 0.6 * 8.0
    assert ec.repeat_orders(s) == pytest.approx(expected)
