"""Credible intervals cover the truth at their nominal rate over repeated trials.

Two settings, each over many trials on the one-region ``tiny`` scenario with actuals from the
independent generator in ``tests/synthetic_actuals.py``:

- the truth drawn from the prior itself: then a Bayesian interval is exactly calibrated, for any
  prior strength;
- a fixed truth away from the scenario with a weak prior: the interval is then close to a
  frequentist one and must cover at about its level.

The tolerance is four binomial standard errors of the coverage rate.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import Scenario, load_scenario
from engine.actuals import Actuals
from engine.actuals.beliefs import BeliefOptions, update_beliefs
from engine.plan import even_plan
from tests.conftest import SCENARIOS
from tests.synthetic_actuals import synthetic_actuals

TRIALS = 400
LEVEL = 0.8
CONVERSION = "funnel.stages[close].conversion"
LEADS = "channels[direct].response.max_leads"


def truth_of(s: Scenario, conversion: float, max_leads: float) -> Scenario:
    stage = s.funnel.stages[0].model_copy(update={"conversion": conversion})
    channel = s.channels[0].model_copy(
        update={"response": s.channels[0].response.model_copy(update={"max_leads": max_leads})})
    return s.model_copy(update={"funnel": s.funnel.model_copy(update={"stages": [stage]}),
                                "channels": [channel]})


def covered(s: Scenario, truth: Scenario, weeks: int, strength: float,
            rng: np.random.Generator) -> tuple[bool, bool]:
    frame = synthetic_actuals(truth, even_plan(truth), weeks, rng)
    a = Actuals(frame.assign(row=range(2, len(frame) + 2)), weeks)
    t = update_beliefs(a, s, BeliefOptions(prior_strength=strength, level=LEVEL)).table
    conv = t[t.parameter == CONVERSION].iloc[0]
    lead = t[t.parameter == LEADS].iloc[0]
    return (conv.low <= truth.funnel.stages[0].conversion <= conv.high,
            lead.low <= truth.channels[0].response.max_leads <= lead.high)


def assert_nominal(hits: np.ndarray) -> None:
    se = np.sqrt(LEVEL * (1 - LEVEL) / TRIALS)
    rates = hits.mean(axis=0)
    assert np.all(np.abs(rates - LEVEL) < 4 * se), rates


@pytest.mark.slow
def test_intervals_are_calibrated_when_the_truth_comes_from_the_prior():
    s = load_scenario(SCENARIOS / "tiny.yaml")
    rng = np.random.default_rng(20261128)
    strength = 60.0
    hits = []
    for _ in range(TRIALS):
        p = rng.beta(strength * 0.3, strength * 0.7)
        lam = rng.gamma(strength, 1 / strength)
        hits.append(covered(s, truth_of(s, p, 50 * lam), 3, strength, rng))
    assert_nominal(np.array(hits))


@pytest.mark.slow
def test_intervals_cover_a_fixed_truth_under_a_weak_prior():
    s = load_scenario(SCENARIOS / "tiny.yaml")
    rng = np.random.default_rng(7)
    truth = truth_of(s, 0.24, 40.0)
    hits = [covered(s, truth, 6, 0.5, rng) for _ in range(TRIALS)]
    assert_nominal(np.array(hits))
