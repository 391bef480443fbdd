"""Conjugate belief updates: the arithmetic against scipy, write-back, and no mutation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine import Scenario, load_scenario
from engine.actuals import Actuals, actuals_frame
from engine.actuals.beliefs import BeliefOptions, update_beliefs
from engine.plan import even_plan
from tests.conftest import BASE, SCENARIOS
from tests.synthetic_actuals import synthetic_actuals


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return load_scenario(SCENARIOS / "tiny.yaml")


def actuals(frame, weeks: int) -> Actuals:
    return Actuals(frame.assign(row=range(2, len(frame) + 2)), weeks)


def row(beliefs, parameter: str, scope: str = "all"):
    t = beliefs.table
    return t[(t.parameter == parameter) & (t.scope == scope)].iloc[0]


def test_conversion_and_lead_posteriors_match_scipy(tiny):
    frame = synthetic_actuals(tiny, even_plan(tiny), 6, np.random.default_rng(3))
    a = actuals(frame, 6)
    b = update_beliefs(a, tiny, BeliefOptions(prior_strength=20, level=0.8))
    entered = frame[frame.metric == "entered"].value.sum()
    still_open = frame[(frame.metric == "open") & (frame.week == 6)].value.sum()
    wins = frame[frame.metric == "wins"].value.sum()
    alpha, beta = 20 * 0.3 + wins, 20 * 0.7 + (entered - still_open - wins)
    conv = row(b, "funnel.stages[close].conversion")
    assert conv.posterior == pytest.approx(alpha / (alpha + beta))
    assert (conv.low, conv.high) == pytest.approx(stats.beta(alpha, beta).interval(0.8))
    assert b.scenario.funnel.stages[0].conversion == pytest.approx(conv.posterior)
    leads = frame[frame.metric == "leads"].value.sum()
    shape, rate = 20 + leads, 20 + 50 * 6
    lead = row(b, "channels[direct].response.max_leads")
    assert lead.posterior == pytest.approx(50 * shape / rate)
    low, high = stats.gamma(shape, scale=1 / rate).interval(0.8)
    assert (lead.low, lead.high) == pytest.approx((50 * low, 50 * high))
    assert b.scenario.channels[0].response.max_leads == pytest.approx(lead.posterior)


def test_the_input_scenario_is_left_alone(tiny):
    before = tiny.model_dump()
    frame = synthetic_actuals(tiny, even_plan(tiny), 4, np.random.default_rng(1))
    b = update_beliefs(actuals(frame, 4), tiny)
    assert tiny.model_dump() == before
    assert b.scenario.model_dump() != before
    Scenario.model_validate(b.scenario.model_dump())


def test_no_actuals_change_nothing():
    base = load_scenario(BASE)
    b = update_beliefs(actuals(actuals_frame([]), 0), base)
    assert b.scenario.model_dump() == base.model_dump()
    assert not b.table.applied.any()


def test_prior_strength_sets_how_far_beliefs_move(tiny):
    truth = tiny.model_copy(update={"funnel": tiny.funnel.model_copy(update={
        "stages": [tiny.funnel.stages[0].model_copy(update={"conversion": 0.15})]})})
    frame = synthetic_actuals(truth, even_plan(truth), 8, np.random.default_rng(2))
    a = actuals(frame, 8)
    weak = row(update_beliefs(a, tiny, BeliefOptions(prior_strength=1)),
               "funnel.stages[close].conversion")
    strong = row(update_beliefs(a, tiny, BeliefOptions(prior_strength=1e6)),
                 "funnel.stages[close].conversion")
    assert weak.posterior == pytest.approx(weak.observed / weak.exposure, abs=0.005)
    assert strong.posterior == pytest.approx(0.3, abs=1e-3)
    assert weak.moved < 0 and weak.moved_sd < strong.moved_sd


def test_base_beliefs_cover_every_stage_channel_and_region():
    base = load_scenario(BASE)
    frame = synthetic_actuals(base, even_plan(base), 5, np.random.default_rng(4))
    b = update_beliefs(actuals(frame, 5), base)
    applied = b.table[b.table.applied]
    assert len(applied[applied.parameter.str.startswith("funnel.stages")]) == 4
    assert len(applied[applied.parameter.str.startswith("channels")]) == 6
    assert len(applied[applied.parameter.str.endswith("organic_leads")]) == 13
    assert len(applied[applied.parameter.str.startswith("customers")]) == 1
    regional = b.table[(b.table.parameter == "funnel.stages[demo].conversion")
                       & (b.table.scope != "all")]
    assert len(regional) == 13 and not regional.applied.any()


def regional_totals(frame):
    """The same actuals with the funnel given per region only (channels summed)."""
    funnel = frame.metric.isin(["leads", "entered", "open", "wins", "revenue", "units"])
    marketing = funnel & (frame.channel != "repeat")
    keys = ["week", "region", "stage", "product", "line", "metric"]
    summed = frame[marketing].groupby(keys, as_index=False).value.sum().assign(channel="")
    return pd.concat([frame[~marketing], summed], ignore_index=True)


def test_regional_totals_update_region_multipliers():
    base = load_scenario(BASE)
    slow = {"shanghai", "wuhan"}
    truth = base.model_copy(update={"regions": [
        r.model_copy(update={"conversion_multiplier": 0.8}) if r.id in slow else r
        for r in base.regions]})
    frame = regional_totals(synthetic_actuals(truth, even_plan(base), 6,
                                              np.random.default_rng(8)))
    b = update_beliefs(actuals(frame, 6), base, BeliefOptions(prior_strength=10), from_week=7)
    t = b.table
    mult = t[t.parameter.str.endswith("conversion_multiplier")].set_index("scope")
    for region in slow:
        assert mult.loc[region, "high"] < 0.9
        assert mult.loc[region, "low"] > 0.7
    others = mult.drop(index=list(slow))
    assert (others.low < 1.06).all() and (others.high > 0.97).all()
    assert {r.id: r.conversion_multiplier for r in b.scenario.regions}["wuhan"] == \
        pytest.approx(mult.loc["wuhan", "posterior"])
    rates = t[t.parameter.str.endswith("lead_rate")]
    assert len(rates) == 13 and rates.applied.all()
    added = b.scenario.pricing.competitor_shocks[len(base.pricing.competitor_shocks):]
    assert len(added) == 13
    assert all(shock.weeks == list(range(7, 14)) for shock in added)
