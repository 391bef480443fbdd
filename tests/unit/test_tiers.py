"""Targets by customer tier: they add up to the company target, follow the forecast's segment
shares, and attainment by tier is measured from actuals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import engine
from engine.actuals import REPEAT, Actuals
from engine.jobs.tiers import (
    NEW_BUSINESS,
    REPEAT_BUSINESS,
    business_of,
    segment_month_targets,
    tier_attainment,
    tier_targets,
)
from engine.plan import even_plan
from engine.simulate import MonteCarlo, simulate
from engine.simulate.breakdown import segments
from tests.conftest import BASE


@pytest.fixture(scope="module")
def forecast():
    s = engine.load_scenario(BASE)
    return s, simulate(s, even_plan(s), MonteCarlo(replications=12, seed=4, workers=1))


def _weekly_targets(sim, per_cell: np.ndarray) -> pd.DataFrame:
    """Targets spread evenly over the weeks: ``per_cell`` (R x L) money per quarter."""
    inp = sim.inputs
    rows = [(r, x, w, per_cell[i, j] / inp.weeks) for i, r in enumerate(inp.regions)
            for j, x in enumerate(inp.lines) for w in range(1, inp.weeks + 1)]
    return pd.DataFrame(rows, columns=["region", "line", "week", "target"])


def test_tier_targets_add_up_to_each_cell_and_to_the_company_target(forecast):
    _, sim = forecast
    rng = np.random.default_rng(0)
    targets = _weekly_targets(sim, rng.uniform(1e5, 1e6, (len(sim.inputs.regions),
                                                         len(sim.inputs.lines))))
    tiers = tier_targets(targets, sim)
    assert tiers.target.sum() == pytest.approx(targets.target.sum(), rel=1e-12)
    cells = tiers.groupby(["region", "line", "week"]).target.sum()
    want = targets.set_index(["region", "line", "week"]).target
    np.testing.assert_allclose(cells.reindex(want.index).to_numpy(), want.to_numpy(), rtol=1e-12)
    assert set(tiers.segment) <= set(segments(sim.inputs))
    assert {"key_accounts", "repeat", "prospects", "finance"} <= set(tiers.segment)
    months = segment_month_targets(tiers, sim)
    assert months.sum() == pytest.approx(targets.target.sum(), rel=1e-12)


def test_targets_at_the_forecast_give_each_tier_its_forecast(forecast):
    """Metamorphic: when each region x line's target is its forecast revenue, each segment's
    tier target is the segment's forecast revenue, tallied separately by the simulator."""
    _, sim = forecast
    per_cell = sim.breakdown.region_line[..., 0].sum(axis=3).mean(axis=0)
    tiers = tier_targets(_weekly_targets(sim, per_cell), sim)
    by_segment = tiers.groupby("segment").target.sum()
    simulated = sim.breakdown.segment[..., 0].sum(axis=2).mean(axis=0)
    for g, name in enumerate(segments(sim.inputs)):
        assert by_segment.get(name, 0.0) == pytest.approx(simulated[g], rel=1e-9, abs=1e-6)


def test_attainment_by_tier_from_actuals(forecast):
    _, sim = forecast
    frame = pd.DataFrame([
        (1, "shanghai", "online", "", "", "", "revenue", 600.0, 2),
        (2, "shanghai", REPEAT, "", "", "", "revenue", 300.0, 3),
        (2, "beijing", "offline", "", "", "", "revenue", 200.0, 4),
        (3, "beijing", REPEAT, "", "", "", "revenue", 500.0, 5),  # after the as-of week
    ], columns=["week", "region", "channel", "stage", "product", "line", "metric", "value",
                "row"])
    a = Actuals(frame[frame.week <= 2], as_of_week=2)
    tiers = pd.DataFrame([
        ("shanghai", "smart", "prospects", 1, 1000.0),
        ("shanghai", "smart", "repeat", 2, 400.0),
        ("beijing", "smart", "key_accounts", 2, 200.0),
        ("beijing", "smart", "repeat", 3, 999.0),  # a later week: not yet due
    ], columns=["region", "line", "segment", "week", "target"])
    table = tier_attainment(a, tiers, business_of(sim)).set_index("tier")
    assert table.loc[NEW_BUSINESS, "revenue"] == 800.0
    assert table.loc[NEW_BUSINESS, "target"] == 1000.0
    assert table.loc[NEW_BUSINESS, "attainment"] == pytest.approx(0.8)
    assert table.loc[REPEAT_BUSINESS, "revenue"] == 300.0
    assert table.loc[REPEAT_BUSINESS, "target"] == 600.0
    assert table.loc[REPEAT_BUSINESS, "attainment"] == pytest.approx(0.5)
