"""Same seed, same numbers on every backend; different seeds differ; common random numbers shrink
the variance of a paired difference."""

from __future__ import annotations

import numpy as np
import pytest
from distributed import LocalCluster

from engine.plan import even_plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, simulate
from tests.validation.test_simulate_theory import lane

pytestmark = pytest.mark.slow


def _queued_lane() -> Scenario:
    stage = {"id": "work", "conversion": 0.4, "hours": 6.0, "role": "channel",
             "duration": {"dist": "exponential", "mean": 2.0}}
    stock = {"suppliers": [{"id": "maker", "lead_time": {"dist": "lognormal", "mean": 6,
                                                         "sd": 2}}],
             "stock": [{"product": "widget", "on_hand": 20, "reorder_point": 10,
                        "reorder_qty": 25, "supplier": "maker"}]}
    tiers = [{"id": "A", "share": 1.0, "terms_days": 20, "late_probability": 0.3,
              "late_days": 9}]
    return lane(funnel={"stages": [stage], "patience_days": 3},
                regions=[{"id": "solo", "kind": "core", "potential": 1.0,
                          "reps": {"telesales": 2}}],
                inventory=stock, collections={"tiers": tiers})


def test_serial_processes_and_dask_give_identical_results() -> None:
    s = _queued_lane()
    plan = even_plan(s)
    serial = simulate(s, plan, MonteCarlo(replications=30, seed=5))
    pooled = simulate(s, plan, MonteCarlo(replications=30, seed=5, workers=2))
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        mc = MonteCarlo(replications=30, seed=5, scheduler=cluster.scheduler_address)
        dask = simulate(s, plan, mc)
    for other in (pooled, dask):
        assert other.kpis.equals(serial.kpis)
        assert np.array_equal(other.region_weekly, serial.region_weekly)
        assert np.array_equal(other.product_weekly, serial.product_weekly)
    assert serial.kpis.value.nunique() > 20  # the numbers are not trivially equal
    few = simulate(s, plan, MonteCarlo(replications=4, seed=5, workers=2))  # two pieces
    assert few.kpis.equals(serial.kpis[serial.kpis.replication < 4])


def test_different_seeds_differ_and_the_same_seed_repeats() -> None:
    s = _queued_lane()
    plan = even_plan(s)
    a = simulate(s, plan, MonteCarlo(replications=10, seed=1))
    b = simulate(s, plan, MonteCarlo(replications=10, seed=1))
    c = simulate(s, plan, MonteCarlo(replications=10, seed=2))
    assert a.kpis.equals(b.kpis)
    revenue_a = a.kpis[a.kpis.metric == "revenue"].value.to_numpy()
    revenue_c = c.kpis[c.kpis.metric == "revenue"].value.to_numpy()
    assert not np.array_equal(revenue_a, revenue_c)


def _wins(rate: float, conversion: float, seed: int) -> np.ndarray:
    stages = [{"id": "close", "conversion": conversion, "duration": {"dist": "fixed", "mean": 7}}]
    s = lane(rate=rate, funnel={"stages": stages})
    k = simulate(s, even_plan(s), MonteCarlo(replications=200, seed=seed)).kpis
    return k[k.metric == "wins"].value.to_numpy()


@pytest.mark.parametrize(("rate", "conversion"), [(50.0, 0.33), (55.0, 0.3)])
def test_common_random_numbers_shrink_the_paired_difference(rate: float, conversion: float) -> None:
    base = _wins(50.0, 0.3, seed=9)
    paired = _wins(rate, conversion, seed=9) - base
    independent = _wins(rate, conversion, seed=10) - base
    # F-test for a variance ratio: with 199 and 199 degrees of freedom a ratio below 0.5 is far
    # beyond chance (P < 1e-6) if the variances were equal
    assert paired.var(ddof=1) < 0.5 * independent.var(ddof=1)
