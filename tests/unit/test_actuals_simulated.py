"""Actuals exported from a simulated replication: valid against the scenario, equal to that
replication's own weekly records, and cut at the as-of week."""

from __future__ import annotations

import numpy as np
import pytest

from engine import UsageError, load_scenario
from engine.actuals import validate_rows
from engine.actuals.simulated import from_simulation
from engine.plan import even_plan
from engine.simulate import simulate
from engine.simulate.funnel import FUNNEL_WEEKLY
from engine.simulate.quarter import region_metrics
from tests.conftest import BASE


@pytest.fixture(scope="module")
def base():
    return load_scenario(BASE)


def test_export_matches_the_replication_and_validates(base):
    plan = even_plan(base)
    frame = from_simulation(base, plan, 5, seed=9, replication=2)
    text = frame.astype(str).assign(row=range(2, len(frame) + 2))
    a = validate_rows(text, base, 5)
    assert a.frame.week.max() == 5
    sim = simulate(base, plan, replications=3, seed=9)
    names = region_metrics(sim.inputs)
    weekly = sim.region_weekly[2]
    for metric in ("leads", "revenue", "cash"):
        got = a.total(metric, ["region"]).reindex([r.id for r in base.regions]).to_numpy()
        want = weekly[:, :5, names.index(metric)].sum(axis=1)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6)
    spent = a.total("spend").iloc[0]
    assert spent == pytest.approx(plan.total_spend * 5 / 13)
    opened = a.at_week("open", 5, ["stage"])
    wip = sim.funnel_weekly[2, :, 4, FUNNEL_WEEKLY.index("wip")]
    np.testing.assert_allclose(opened.to_numpy(), wip, atol=0.5 + 1e-9)


def test_week_zero_is_empty_and_beyond_the_quarter_is_an_error(base):
    assert from_simulation(base, even_plan(base), 0).empty
    with pytest.raises(UsageError, match=r"must be in 0\.\.13"):
        from_simulation(base, even_plan(base), 14)
