"""Actuals exported from a simulated replication: valid against the scenario, equal to that
replication's own records channel by channel, cut at the as-of week; and ``review`` of them
recovers each channel's spend, leads, wins and revenue, and revenue by product line."""

from __future__ import annotations

import numpy as np
import pytest

from engine import UsageError, load_scenario
from engine.actuals import validate_rows
from engine.actuals.simulated import from_simulation
from engine.jobs.review import review
from engine.plan import even_plan
from engine.simulate import MonteCarlo, replication_streams, simulate, simulate_quarter
from engine.simulate.columns import region_metrics
from tests.conftest import BASE

WEEKS = 5


@pytest.fixture(scope="module")
def base():
    return load_scenario(BASE)


@pytest.fixture(scope="module")
def exported(base):
    plan = even_plan(base)
    frame = from_simulation(base, plan, WEEKS, seed=9, replication=2)
    text = frame.astype(str).assign(row=range(2, len(frame) + 2))
    record = simulate_quarter(base, plan, replication_streams(9, 2), detail=True)
    return plan, validate_rows(text, base, WEEKS), record


def test_export_matches_the_replication_and_validates(base, exported):
    plan, a, _ = exported
    assert a.frame.week.max() == WEEKS
    sim = simulate(base, plan, MonteCarlo(replications=3, seed=9))
    names = region_metrics(sim.inputs)
    weekly = sim.region_weekly[2]
    for metric in ("leads", "revenue", "cash", "wins"):
        rows = a.rows(metric)
        if metric == "wins":
            rows = rows[rows.channel != "repeat"]
        got = rows.groupby("region").value.sum().reindex([r.id for r in base.regions])
        want = weekly[:, :WEEKS, names.index(metric)].sum(axis=1)
        np.testing.assert_allclose(got.to_numpy(), want, rtol=1e-9, atol=1e-6)
    spent = a.total("spend").iloc[0]
    assert spent == pytest.approx(plan.total_spend * WEEKS / 13)


def test_export_is_exact_per_channel_and_stage(base, exported):
    _, a, record = exported
    d = record.detail
    regions = [r.id for r in base.regions]
    channels = list(d.sources[:d.entered.shape[2]])
    for k, stage in enumerate(base.funnel.stages):
        for metric, values in (("entered", d.entered[k]), ("cold", d.cold[k])):
            rows = a.rows(metric)
            got = rows[rows.stage == stage.id].groupby(["region", "channel"]).value.sum()
            want = values[..., :WEEKS].sum(axis=2)
            table = got.unstack().reindex(index=regions, columns=channels)
            np.testing.assert_array_equal(table.to_numpy(), want)
        opened = a.at_week("open", WEEKS, ["region", "channel", "stage"])
        got = opened.xs(stage.id, level="stage").unstack().reindex(index=regions,
                                                                   columns=channels)
        np.testing.assert_array_equal(got.to_numpy(), d.open[k, :, :, WEEKS - 1])
    ordered = a.total("ordered", ["product"])
    assert ordered.sum() == pytest.approx(d.supply[:, :WEEKS, 0].sum())


def test_review_recovers_channel_contribution_and_revenue_by_line(base, exported):
    plan, a, record = exported
    d = record.detail
    r = review(a, base, plan).channels.set_index("channel")
    C = d.entered.shape[2]
    for j, channel in enumerate(d.sources[:C + 1]):  # channels, organic, repeat
        assert r.loc[channel, "revenue"] == pytest.approx(d.revenue[:, j, :, :WEEKS].sum())
        assert r.loc[channel, "wins"] == d.wins[:, j, :, :WEEKS].sum()
        if j < C:
            assert r.loc[channel, "leads"] == d.entered[0, :, j, :WEEKS].sum()
        if j < C - 1:  # marketing channels: the plan's spend of the weeks covered
            spend = plan.spend[plan.spend.channel == channel].spend.sum() * WEEKS / 13
            assert r.loc[channel, "spend"] == pytest.approx(spend)
            assert r.loc[channel, "cost_per_win"] == pytest.approx(
                spend / d.wins[:, j, :, :WEEKS].sum())
    attained = review(a, base, plan).attainment
    lines = attained[attained.by == "line"].set_index("id")
    assert set(lines.index) == {p.line for p in base.products}
    for line in lines.index:
        mine = [p for p, prod in enumerate(base.products) if prod.line == line]
        assert lines.loc[line, "revenue"] == pytest.approx(d.revenue[:, :, mine, :WEEKS].sum())


def test_week_zero_is_empty_and_beyond_the_quarter_is_an_error(base):
    assert from_simulation(base, even_plan(base), 0).empty
    with pytest.raises(UsageError, match=r"must be in 0\.\.13"):
        from_simulation(base, even_plan(base), 14)
