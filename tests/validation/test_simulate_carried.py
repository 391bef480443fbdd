"""Leads carried into a mid-quarter start keep their elapsed time.

- The rest of a stage that has lasted ``e`` days is drawn from ``D - e | D > e`` (checked
  against the exact conditional distribution function with a Kolmogorov-Smirnov test).
- Leads that joined a queue before the start keep their place and their patience.
- A quarter continued from week 6 with every lead of the first six weeks still in its stage
  carried in service gives the same wins as the quarter run straight through: paired on
  common random numbers (the same arrivals after week 6), the mean difference is within four
  standard errors of zero.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from engine.plan import even_plan
from engine.scenario.schema.common import Distribution
from engine.simulate import QuarterState, replication_streams
from engine.simulate.distributions import draw_remaining, lognormal_parameters
from engine.simulate.funnel import draw_arrivals
from engine.simulate.inputs import build_inputs
from engine.simulate.quarter import run_replication
from engine.simulate.queueing import clock_table, serve_fifo
from engine.simulate.state import OpenLeads
from tests.validation.test_simulate_theory import lane

P_MIN = 1e-4


def _sf(dist: Distribution) -> stats.rv_continuous:
    if dist.dist == "lognormal":
        mu, sigma = lognormal_parameters(dist.mean, dist.sd)
        return stats.lognorm(sigma, scale=math.exp(mu))
    if dist.dist == "gamma":
        shape = (dist.mean / dist.sd) ** 2
        return stats.gamma(shape, scale=dist.sd**2 / dist.mean)
    return stats.uniform(dist.low, dist.high - dist.low)


@pytest.mark.parametrize("dist", [
    Distribution(dist="lognormal", mean=5.0, sd=2.0),
    Distribution(dist="gamma", mean=14.0, sd=4.0),
    Distribution(dist="uniform", low=2.0, high=6.0),
])
@pytest.mark.parametrize("elapsed", [0.0, 3.0, 9.0])
def test_the_rest_of_a_stage_is_drawn_given_its_elapsed_time(dist: Distribution,
                                                            elapsed: float) -> None:
    law = _sf(dist)
    if law.sf(elapsed) <= 0:
        rest = draw_remaining(np.random.default_rng(1), dist, np.full(50, elapsed))
        assert np.all(rest == 0.0)  # past the distribution's end: the stage is over
        return
    rest = draw_remaining(np.random.default_rng(1), dist, np.full(4000, elapsed))

    def cdf(x: np.ndarray) -> np.ndarray:
        return (law.cdf(elapsed + x) - law.cdf(elapsed)) / law.sf(elapsed)

    assert stats.kstest(rest, cdf).pvalue > P_MIN


def test_fixed_and_exponential_rests() -> None:
    rng = np.random.default_rng(2)
    fixed = draw_remaining(rng, Distribution(dist="fixed", mean=7.0), np.array([2.5, 8.0]))
    assert fixed.tolist() == [4.5, 0.0]
    rest = draw_remaining(rng, Distribution(dist="exponential", mean=4.0), np.full(4000, 9.0))
    assert stats.kstest(rest, stats.expon(scale=4.0).cdf).pvalue > P_MIN  # memoryless


def test_leads_queued_before_the_start_keep_their_place_and_patience() -> None:
    # one rep free from day 10; leads joined at days 6, 9 and 10.5 with 1 day of work each;
    # patience 3.5 days: the first went cold at 9.5 (before the rep was free), the second is
    # picked up at 10, the third waits for it until 11
    speed = np.ones((1, 3))
    start = serve_fifo(np.zeros(3, dtype=np.int64), np.array([6.0, 9.0, 10.5]), np.ones(3), 3.5,
                       np.array([1]), speed, clock_table(speed), t0=10.0)
    assert np.isinf(start[0]) and start[1:].tolist() == [10.0, 11.0]


@pytest.mark.slow
def test_a_quarter_continued_from_week_six_matches_the_quarter_run_through() -> None:
    dist = {"dist": "lognormal", "mean": 12.0, "sd": 5.0}
    stages = [{"id": "meet", "conversion": 0.6, "duration": {"dist": "exponential", "mean": 5}},
              {"id": "close", "conversion": 0.5, "duration": dist}]
    s = lane(funnel={"stages": stages})
    inp = build_inputs(s, even_plan(s))
    week, n = 6, 300
    day = 7.0 * week
    pick = np.random.default_rng(5)  # which earlier leads are still in a stage, and where
    diff, first_week = np.empty(n), np.empty(n)
    for i in range(n):
        through = run_replication(inp, replication_streams(3, i), QuarterState())
        arrived = draw_arrivals(inp, replication_streams(3, i), 0.0).arrival
        carried = _in_stages(pick, arrived[arrived < day], day)
        later = run_replication(inp, replication_streams(3, i),
                                QuarterState(start_week=week, leads=carried))
        booked = through.region_weekly[0, :week, 1].sum()  # wins of the first six weeks
        diff[i] = booked + later.kpis["wins"] - through.kpis["wins"]
        first_week[i] = later.region_weekly[0, week, 1] - through.region_weekly[0, week, 1]
    for d in (diff, first_week):  # the quarter, and the week right after the start
        se = d.std(ddof=1) / math.sqrt(n)
        assert abs(d.mean()) < 4 * se, (d.mean(), se)
    # sharp: restarting the carried leads' stages would lose three quarters of week 7's wins
    assert 4 * se < 0.25 * 0.3 * 50


def _in_stages(rng: np.random.Generator, arrival: np.ndarray, day: float
               ) -> tuple[OpenLeads, ...]:
    """Leads that arrived before ``day`` and are still in the funnel then, drawn by the
    stages' laws (exponential 5 days converting 0.6, then lognormal 12 +- 5 days), in service
    since they entered their stage (unlimited reps: no one waits)."""
    meet = rng.exponential(5.0, arrival.size)
    mu, sigma = lognormal_parameters(12.0, 5.0)
    close = rng.lognormal(mu, sigma, arrival.size)
    moved = rng.random(arrival.size) < 0.6
    out = []
    for a, m, c, on in zip(arrival, meet, close, moved, strict=True):
        if a + m > day:
            out.append(OpenLeads("solo", "direct", "meet", 1, started=True, elapsed_days=day - a))
        elif on and a + m + c > day:
            out.append(OpenLeads("solo", "direct", "close", 1, started=True,
                                 elapsed_days=day - a - m))
    return tuple(out)
