"""The one target rule at company level (``engine.optimize.targets.company_target``) and the size
of the optimiser's pilot (``engine.optimize.calibrate.pilot_quarters``)."""

from __future__ import annotations

from types import SimpleNamespace as N

import numpy as np
import pytest
from scipy import stats

from engine import load_scenario
from engine.optimize import build_inputs, build_model, solve
from engine.optimize.calibrate import MIN_PILOT, PILOT_LEADS, pilot_quarters
from engine.optimize.extract import extract_plan
from engine.optimize.outcome import lead_rates
from engine.optimize.targets import EMPIRICAL_FROM, company_target


def rule(kind: str, percentile: float = 40, stretch: float = 1.0) -> N:
    return N(policy=N(target=N(rule=kind, percentile=percentile, stretch=stretch)))


def test_many_quarters_give_the_empirical_percentile() -> None:
    x = np.random.default_rng(3).gamma(2.0, 50.0, size=EMPIRICAL_FROM + 1)
    assert company_target(x, rule("percentile", 30)) == pytest.approx(np.percentile(x, 30))


def test_few_quarters_give_the_normal_fit_centred_on_the_forecast() -> None:
    x = np.array([96.0, 101.0, 99.0, 104.0, 100.0, 98.0])
    got = company_target(x, rule("percentile", 10), center=250.0)
    expected = 250.0 + stats.norm.ppf(0.10) * x.std(ddof=1)
    assert got == pytest.approx(expected, rel=1e-12)
    assert company_target(x, rule("stretch", stretch=1.05), center=250.0) == pytest.approx(262.5)


def test_a_normal_fit_on_a_dozen_quarters_is_hit_as_the_rule_says() -> None:
    # Pilots of 12 normal quarters around a known forecast: the 40th-percentile target is
    # exceeded in 60% of quarters on average over pilots (the normal fit's spread has 11
    # degrees of freedom; the empirical percentile of 12 would scatter about 14 points).
    rng = np.random.default_rng(7)
    hits = []
    for _ in range(4000):
        pilot = rng.normal(100.0, 5.0, size=12)
        target = company_target(pilot, rule("percentile", 40), center=100.0)
        hits.append(stats.norm.sf(target, 100.0, 5.0))
    hit = np.asarray(hits)
    assert abs(hit.mean() - 0.60) < 0.01
    assert hit.std() < 0.03


def test_the_pilot_is_sized_by_leads() -> None:
    s = load_scenario("scenarios/base.yaml")
    d = build_inputs(s)
    m = build_model(d)
    plan = extract_plan(m, solve(m))
    per_quarter = float(lead_rates(d, plan).sum()) * s.horizon.weeks
    assert pilot_quarters(d, plan, 7) == 7  # fewer asked than the least: as asked
    assert pilot_quarters(d, plan, 200) == 200  # base's own pilot fits in the leads
    many = pilot_quarters(d, plan, 100_000)
    assert many >= MIN_PILOT
    assert (many - 1) * per_quarter < PILOT_LEADS <= many * per_quarter
    assert pilot_quarters(d, plan, 100_000, leads=1.0) == MIN_PILOT


def test_a_pilot_shorter_than_asked_is_said_with_how_targets_are_set() -> None:
    from engine.optimize import OptimizeOptions
    from engine.optimize.optimizer import _pilot_note
    from engine.simulate import MonteCarlo

    s = load_scenario("scenarios/base.yaml")  # percentile rule
    short, full = MonteCarlo(replications=10), MonteCarlo(replications=20)
    (note,) = _pilot_note(s, OptimizeOptions(pilot=100), (short, full))
    assert "20 quarters, not 100" in note and "normal fit" in note
    assert _pilot_note(s, OptimizeOptions(pilot=20), (short, full)) == []
    stretch = s.model_copy(update={"policy": s.policy.model_copy(update={
        "target": s.policy.target.model_copy(update={"rule": "stretch"})})})
    (note,) = _pilot_note(stretch, OptimizeOptions(pilot=100), (short, full))
    assert "stretch times the forecast" in note
