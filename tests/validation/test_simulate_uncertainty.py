"""Parameter uncertainty against theory: with a mean-one lognormal factor ``F`` of coefficient
of variation ``cv`` on a Poisson mean ``E``, a count is mixed Poisson with mean ``E`` and variance
``E + E^2 cv^2``; factors on the lead rate and on the conversion multiply
(``E[F_L^2 F_C^2] = (1 + a^2)(1 + b^2)``). Means do not move.

The variance is checked against the sampling distribution of the sample variance:
``Var(s^2) ~ (m4 - s^4 (n - 3) / (n - 1)) / n`` with ``m4`` the sample's fourth central moment;
tolerance four of its standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.plan import even_plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, replication_streams, simulate
from engine.simulate.inputs import build_inputs
from engine.simulate.streams import STREAMS
from engine.simulate.uncertainty import factors
from tests.validation.test_simulate_theory import lane

pytestmark = pytest.mark.slow
Z = 4.0
N = 600


def uncertain_lane(lead_cv: float, conversion_cv: float) -> Scenario:
    """50 leads a week from one channel, one fixed 7-day stage converting 0.3."""
    s = lane()
    sim = s.simulation.model_copy(update={"lead_rate_cv": lead_cv,
                                          "conversion_cv": conversion_cv})
    return s.model_copy(update={"simulation": sim})


def counts(s: Scenario, metric: str, seed: int = 21) -> np.ndarray:
    k = simulate(s, even_plan(s), MonteCarlo(replications=N, seed=seed)).kpis
    return k[k.metric == metric].value.to_numpy()


def variance_within(x: np.ndarray, expected: float) -> None:
    n = x.size
    s2 = x.var(ddof=1)
    m4 = float(((x - x.mean()) ** 4).mean())
    se = math.sqrt(max(m4 - s2**2 * (n - 3) / (n - 1), 0.0) / n)
    assert abs(s2 - expected) < Z * se, (s2, expected, se)


def mean_within(x: np.ndarray, expected: float) -> None:
    se = x.std(ddof=1) / math.sqrt(x.size)
    assert abs(x.mean() - expected) < Z * se, (x.mean(), expected, se)


@pytest.mark.parametrize(("lead_cv", "conversion_cv"), [(0.15, 0.0), (0.0, 0.2), (0.1, 0.1)])
def test_quarter_counts_are_mixed_poisson(lead_cv: float, conversion_cv: float) -> None:
    s = uncertain_lane(lead_cv, conversion_cv)
    leads = 50.0 * 13  # quarter leads
    wins = 0.3 * 50.0 * 12  # leads of the first 12 weeks finish their 7 days in the quarter
    for metric, mean, mixing in (
        ("leads", leads, lead_cv**2),
        ("wins", wins, (1 + lead_cv**2) * (1 + conversion_cv**2) - 1),
    ):
        x = counts(s, metric)
        mean_within(x, mean)
        variance_within(x, mean + mean**2 * mixing)


def test_the_variance_test_sees_a_missing_factor() -> None:
    # the check is sharp: ignoring the factor (pure Poisson variance) would fail it
    x = counts(uncertain_lane(0.1, 0.0), "leads")
    with pytest.raises(AssertionError):
        variance_within(x, 50.0 * 13)


def test_uncertainty_has_its_own_stream_and_the_others_keep_their_numbers() -> None:
    streams = replication_streams(5, 3)
    child = np.random.SeedSequence(5, spawn_key=(3,)).spawn(8)
    for name, seq in zip(STREAMS[:8], child, strict=True):
        assert streams[name].random() == np.random.Generator(np.random.PCG64(seq)).random()
    assert STREAMS[8] == "uncertainty"
    # same seed, different coefficients: the same arrival draws, scaled by the world's factor
    # (Poisson counts by inversion are monotone in the rate)
    s = uncertain_lane(0.3, 0.0)
    quiet = counts(uncertain_lane(0.0, 0.0), "leads", seed=4)
    noisy = counts(s, "leads", seed=4)
    inp = build_inputs(s, even_plan(s))
    lead = np.array([factors(inp, replication_streams(4, i)["uncertainty"])[0][0]
                     for i in range(N)])
    assert np.all(noisy[lead > 1.0] >= quiet[lead > 1.0])
    assert np.all(noisy[lead < 1.0] <= quiet[lead < 1.0])
    assert np.corrcoef(noisy / quiet, lead)[0, 1] > 0.9
