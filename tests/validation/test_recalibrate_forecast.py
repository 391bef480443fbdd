"""Recalibration against a known truth: the quarter is simulated under a "truth" scenario that
differs from the plan's (conversion 20% lower in the two largest regions, a supplier three
weeks late), the first six weeks are exported as actuals, and the re-plan must

- forecast the quarter's revenue closer to the truth's simulated outcome than the forecast made
  before the quarter, on each of several seeds;
- find the two slow regions (their conversion multiplier's interval lies below 1);
- give stage-conversion intervals that cover the truth at about their nominal rate over
  repeated exports (tolerance: four binomial standard errors); with parameter uncertainty the
  truth of an export is the world its replication drew (the stage conversions times that
  replication's factors).
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import Scenario, load_scenario
from engine.actuals import Actuals
from engine.actuals.beliefs import BeliefOptions, update_beliefs
from engine.actuals.simulated import from_simulation
from engine.jobs.recalibrate import FORECASTS, recalibrate
from engine.optimize.optimizer import optimize
from engine.scenario.schema import Disruption
from engine.simulate import MonteCarlo, replication_streams, simulate
from engine.simulate.inputs import build_inputs
from engine.simulate.uncertainty import factors
from tests.conftest import BASE

SLOW = ("shanghai", "beijing")
WEEK = 6


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(BASE)


@pytest.fixture(scope="module")
def plan(base):
    return optimize(base).plan


def late_supplier(s: Scenario) -> dict:
    late = [Disruption(weeks=list(range(1, 7)), extra_days=21)]
    suppliers = [x.model_copy(update={"disruptions": late}) if x.id == "aurora_fab" else x
                 for x in s.inventory.suppliers]
    return {"inventory": s.inventory.model_copy(update={"suppliers": suppliers})}


def regional_truth(s: Scenario) -> Scenario:
    regions = [r.model_copy(update={"conversion_multiplier": 0.8}) if r.id in SLOW else r
               for r in s.regions]
    return s.model_copy(update={"regions": regions, **late_supplier(s)})


def exported(truth: Scenario, plan, seed: int) -> Actuals:
    frame = from_simulation(truth, plan, WEEK, seed=seed)
    return Actuals(frame.assign(row=range(2, len(frame) + 2)), WEEK)


def realised_conversions(truth: Scenario, plan, seed: int) -> np.ndarray:
    """The stage conversions of the world replication 0 of ``seed`` was drawn in: the truth's
    conversions times that replication's factors (``simulation.conversion_cv``)."""
    inp = build_inputs(truth, plan)
    _, factor = factors(inp, replication_streams(seed, 0)["uncertainty"])
    return np.minimum([st.conversion for st in truth.funnel.stages] * factor, 1.0)


@pytest.mark.slow
def test_recalibrated_forecast_is_closer_to_the_truth(base, plan):
    truth = regional_truth(base)
    kpis = simulate(truth, plan, MonteCarlo(replications=100, seed=999)).kpis
    true_revenue = kpis[kpis.metric == "revenue"].value.mean()
    for seed in (1, 2, 3):
        rc = recalibrate(base, exported(truth, plan, seed), plan,
                         mc=MonteCarlo(replications=50, seed=seed + 50))
        revenue = rc.forecast.set_index("forecast").revenue
        before = abs(revenue[FORECASTS[0]] - true_revenue)
        after = abs(revenue[FORECASTS[1]] - true_revenue)
        assert after < before, (seed, revenue.to_dict(), true_revenue)
        t = rc.beliefs.table
        mult = t[t.parameter.str.endswith("conversion_multiplier")].set_index("scope")
        assert all(mult.loc[r, "high"] < 1.0 for r in SLOW), mult.loc[list(SLOW)]


@pytest.mark.slow
def test_stage_intervals_cover_the_truth_over_repeated_exports(base, plan):
    stages = [st.model_copy(update={"conversion": 0.44}) if st.id == "demo" else st
              for st in base.funnel.stages]
    truth = base.model_copy(update={"funnel": base.funnel.model_copy(update={"stages": stages}),
                                    **late_supplier(base)})
    level, trials = 0.8, 40
    hits = []
    for seed in range(trials):
        t = update_beliefs(exported(truth, plan, 100 + seed), base,
                           BeliefOptions(prior_strength=1.0, level=level)).table
        pooled = t[t.parameter.str.startswith("funnel.stages") & (t.scope == "all")]
        true = realised_conversions(truth, plan, 100 + seed)
        hits.append((pooled.low.to_numpy() <= true) & (true <= pooled.high.to_numpy()))
    rate = np.array(hits).mean()
    se = np.sqrt(level * (1 - level) / (trials * len(stages)))
    assert abs(rate - level) < 4 * se, (rate, np.array(hits).mean(axis=0))
