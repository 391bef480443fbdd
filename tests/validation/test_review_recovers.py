"""`review` recovers known conversion rates, lead rates and the repurchase rate from actuals
generated with them (the independent generator in ``tests/synthetic_actuals.py``), within four
posterior standard deviations, and names the stage that was made worse as the bottleneck."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from engine import load_scenario
from engine.actuals import Actuals
from engine.actuals.beliefs import BeliefOptions
from engine.jobs.review import review
from engine.plan import even_plan
from tests.conftest import BASE
from tests.synthetic_actuals import synthetic_actuals

TRUE_CONVERSIONS = {"qualify": 0.55, "demo": 0.40, "proposal": 0.70, "negotiate": 0.60}


@pytest.fixture(scope="module")
def reviewed():
    base = load_scenario(BASE)
    stages = [st.model_copy(update={"conversion": TRUE_CONVERSIONS[st.id]})
              for st in base.funnel.stages]
    online = base.channels[0].model_copy(update={"response": base.channels[0].response
                                                 .model_copy(update={"max_leads": 120.0})})
    truth = base.model_copy(update={"funnel": base.funnel.model_copy(update={"stages": stages}),
                                    "channels": [online, *base.channels[1:]]})
    frame = synthetic_actuals(truth, even_plan(base), 13, np.random.default_rng(2026))
    a = Actuals(frame.assign(row=range(2, len(frame) + 2)), 13)
    return review(a, base, options=BeliefOptions(prior_strength=1.0)), truth


def _sd(row) -> float:
    a = 1.0 * row.prior + row.observed
    b = 1.0 * (1 - row.prior) + row.exposure - row.observed
    return float(stats.beta.std(a, b))


@pytest.mark.slow
def test_conversions_are_recovered(reviewed):
    r, _ = reviewed
    t = r.beliefs.table
    for stage, truth in TRUE_CONVERSIONS.items():
        row = t[(t.parameter == f"funnel.stages[{stage}].conversion") & (t.scope == "all")].iloc[0]
        assert abs(row.posterior - truth) < 4 * _sd(row), (stage, row.posterior)
    funnel = r.funnel.set_index("stage")
    assert funnel.loc["demo", "estimate"] == pytest.approx(0.40, abs=0.02)


@pytest.mark.slow
def test_the_worsened_stage_is_the_bottleneck(reviewed):
    r, _ = reviewed
    assert r.bottleneck == "demo"


@pytest.mark.slow
def test_lead_rate_and_repurchase_are_recovered(reviewed):
    r, _ = reviewed
    t = r.beliefs.table
    online = t[t.parameter == "channels[online].response.max_leads"].iloc[0]
    sd = online.prior * np.sqrt(1 + online.observed) / (1 + online.exposure)
    assert abs(online.posterior - 120.0) < 4 * sd
    assert online.high < 150.0
    repeat = t[t.parameter == "customers.repurchase (pooled)"].iloc[0]
    assert repeat.low <= repeat.prior <= repeat.high
