"""The simulator's pieces: streams, one replication, result tables, mid-quarter start, errors."""

from __future__ import annotations

import json
import math
import os
import signal
import sys

import numpy as np
import pandas as pd
import pytest

from engine import ScenarioError, SimulationError, load_scenario
from engine.output import render_json
from engine.plan import even_plan, plan_from_dict
from engine.simulate import (
    STREAMS,
    MonteCarlo,
    QuarterState,
    simulate,
    simulate_quarter,
    spawn_streams,
)
from engine.simulate.poisson import poisson
from engine.simulate.queueing import clock_table, serve_fifo
from engine.simulate.state import Backorder, OpenLeads, OpenOrder, Receivable
from tests.conftest import BASE, SCENARIOS

TINY = SCENARIOS / "tiny.yaml"


def test_streams_are_named_and_do_not_depend_on_how_many_are_spawned() -> None:
    few, many = spawn_streams(3, 2), spawn_streams(3, 5)
    assert set(few[0]) == set(STREAMS)
    assert few[1]["supply"].random() == many[1]["supply"].random()
    assert few[0]["arrivals"].random() != few[0]["conversions"].random()


def test_poisson_by_inversion_is_monotone_in_the_rate() -> None:
    rng = [np.random.default_rng(4) for _ in range(2)]
    low, high = poisson(rng[0], np.full(500, 3.0)), poisson(rng[1], np.full(500, 3.5))
    assert np.all(high >= low) and high.sum() > low.sum()


def test_fifo_queue_by_hand() -> None:
    # two reps, four leads at day 0 needing 1 day each; the third waits for the first free rep
    pool = np.zeros(4, dtype=np.int64)
    speed = np.ones((1, 2))
    start = serve_fifo(pool, np.array([0.0, 0.0, 0.0, 0.5]), np.ones(4), np.inf,
                       np.array([2]), speed, clock_table(speed))
    assert start.tolist() == [0.0, 0.0, 1.0, 1.0]
    # patience of 0.4 days: the last two go cold; half speed doubles the wait
    start = serve_fifo(pool, np.array([0.0, 0.0, 0.0, 0.5]), np.ones(4), 0.4,
                       np.array([2]), speed * 0.5, clock_table(speed * 0.5))
    assert start[:2].tolist() == [0.0, 0.0] and np.isinf(start[2:]).all()


def test_one_replication_of_tiny() -> None:
    s = load_scenario(TINY)
    record = simulate_quarter(s, even_plan(s), spawn_streams(7, 1)[0])
    assert record.region_weekly.shape == (1, 13, 10)
    k = record.kpis
    assert k["revenue"] == pytest.approx(100 * k["wins"])  # one unit at 100 per deal
    assert k["gross_profit"] == pytest.approx(40 * k["wins"])
    assert 100 < k["wins"] < 260 and math.isnan(k["attainment"])


def test_result_tables_of_base() -> None:
    s = load_scenario(BASE)
    result = simulate(s, even_plan(s), MonteCarlo(replications=4, seed=1))
    weekly = result.weekly
    assert list(weekly.columns) == ["replication", "week", "region", "product", "metric", "value"]
    assert len(weekly) == 4 * 13 * (13 * 13 + 8 * 14)
    by_region = weekly[(weekly.metric == "revenue") & (weekly["product"] == "all")]
    by_product = weekly[(weekly.metric == "revenue") & (weekly.region == "all")]
    assert by_region.value.sum() == pytest.approx(by_product.value.sum())
    summary = result.summary().set_index("metric")
    assert summary.loc["revenue", "mean"] == pytest.approx(by_region.value.sum() / 4)
    bands = result.bands("revenue")
    assert bands["mean"].iloc[-1] == pytest.approx(summary.loc["revenue", "mean"])
    assert (bands.p10 <= bands.p50).all() and (bands.p50 <= bands.p90).all()
    assert set(result.alerts.kind) <= {"safety_stock", "milestone_lag", "bottleneck", "churn_risk"}
    assert list(result.funnel.stage) == ["qualify", "demo", "proposal", "negotiate"]
    assert json.loads(render_json(result))["replications"] == 4
    assert "the plan has no targets" in " ".join(result.notes)


def test_targets_give_attainment_and_milestone_alerts() -> None:
    s = load_scenario(TINY)
    plan = even_plan(s)
    data = plan.to_dict()
    data["targets"] = [{"region": "solo", "line": "core", "week": w, "target": 3000.0}
                       for w in range(1, 14)]
    result = simulate(s, plan_from_dict(data), MonteCarlo(replications=20, seed=2))
    k = result.kpis.pivot(index="replication", columns="metric", values="value")
    assert np.allclose(k.attainment, k.revenue / 39000.0)
    assert set(k.hit_target) <= {0.0, 1.0}
    lags = result.alerts[result.alerts.kind == "milestone_lag"]
    assert set(lags.week) == {4, 8, 13}  # week-1 arrivals close only in week 2: always behind


def test_mid_quarter_start_adds_what_was_booked_and_carried() -> None:
    s = load_scenario(TINY)
    state = QuarterState(
        start_week=6,
        leads=(OpenLeads("solo", "direct", "close", 100),),
        revenue_booked={"solo": 1.0e5},
        backorders=(Backorder("solo", "widget", 5.0, 90.0),),
        receivables=(Receivable("solo", 500.0, 30.0),),
        open_orders=(OpenOrder("widget", 10.0, 50.0),),
    )
    plan = even_plan(s)
    record = simulate_quarter(s, plan, spawn_streams(1, 1)[0], state)
    leads = record.region_weekly[0, :, 0]
    assert leads[:6].sum() == 0 and leads[6:].sum() > 0
    assert record.funnel_weekly[0, 6, 0] >= 100  # the carried leads enter in week 7
    assert record.kpis["revenue"] > 1.0e5 + 450.0
    result = simulate(s, plan, MonteCarlo(replications=3, seed=1), initial_state=state)
    assert result.start_week == 6 and "week 7" in " ".join(result.notes)


def test_bad_inputs_raise_our_errors() -> None:
    s = load_scenario(TINY)
    plan = even_plan(s)
    with pytest.raises(SimulationError):
        simulate(s, plan, MonteCarlo(replications=0))
    with pytest.raises(SimulationError):
        simulate(s, plan, initial_state=QuarterState(start_week=13))
    bad = plan_from_dict({**plan.to_dict(), "spend": [{"region": "mars", "channel": "direct",
                                                       "spend": 1.0}]}, "bad.json")
    with pytest.raises(ScenarioError, match=r"spend\[0\].*mars"):
        simulate(s, bad)


def test_kpis_frame_is_long_and_numeric() -> None:
    s = load_scenario(TINY)
    result = simulate(s, even_plan(s), MonteCarlo(replications=3, seed=1))
    assert list(result.kpis.columns) == ["replication", "metric", "value"]
    assert pd.api.types.is_float_dtype(result.kpis.value)
    assert set(result.kpis.replication) == {0, 1, 2}


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_stops_the_run_between_replications(workers: int) -> None:
    s = load_scenario(TINY)
    calls: list[int] = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        mc = MonteCarlo(replications=400, seed=1, workers=workers, progress=interrupt)
        simulate(s, even_plan(s), mc)
    assert len(calls) == 1  # stopped at the first check after the signal
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_no_milestone_alert_when_revenue_runs_ahead_of_target() -> None:
    s = load_scenario(TINY)
    data = even_plan(s).to_dict()
    # from week 2 on, deals bring about 50 x 0.3 x 100 = 1,500 a week: far above 500
    data["targets"] = [{"region": "solo", "line": "core", "week": w, "target": 500.0}
                       for w in range(1, 14)]
    result = simulate(s, plan_from_dict(data), MonteCarlo(replications=20, seed=2))
    assert "milestone_lag" not in set(result.alerts.kind)


def test_milestone_alert_needs_a_lag_beyond_the_tolerance() -> None:
    from engine.simulate.alerts import MILESTONE_TOLERANCE, alerts, funnel_table
    from engine.simulate.columns import REGION_WEEKLY
    from engine.simulate.inputs import build_inputs

    s = load_scenario(TINY)
    data = even_plan(s).to_dict()
    data["targets"] = [{"region": "solo", "line": "core", "week": w, "target": 1000.0}
                       for w in range(1, 14)]
    inp = build_inputs(s, plan_from_dict(data))
    assert MILESTONE_TOLERANCE == 0.05
    rw = np.zeros((3, 1, 13, len(REGION_WEEKLY) + 1))
    empty_funnel = funnel_table(inp, np.zeros((3, 1, 13, 9)))
    for share, alerted in ((0.96, False), (0.94, True)):
        rw[..., REGION_WEEKLY.index("revenue")] = 1000.0 * share
        found = alerts(inp, rw, np.zeros((3, 1, 13, 14)), empty_funnel, np.zeros((3, 0)), 0)
        assert (found.kind == "milestone_lag").any() == alerted, share


@pytest.mark.parametrize(("replications", "workers"), [(1, 2), (7, 2), (200, 2), (1000, 4)])
def test_guided_chunks_cover_every_replication_largest_first(replications: int,
                                                             workers: int) -> None:
    from engine.simulate.runner import GUIDED_MIN, guided_chunks

    pieces = guided_chunks(replications, workers)
    firsts = [first for first, _ in pieces]
    sizes = [count for _, count in pieces]
    assert firsts == list(np.cumsum([0, *sizes[:-1]])) and sum(sizes) == replications
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= GUIDED_MIN for size in sizes[:-1])


def test_a_pool_is_the_default_for_a_run_of_many_leads_however_few_quarters() -> None:
    from engine.simulate import MonteCarlo, default_workers
    from engine.simulate.monte_carlo import POOL_FROM, POOL_FROM_LEADS

    per_quarter = POOL_FROM_LEADS / 8  # a quarter as big as the 200-region benchmark's
    assert default_workers(8, cpus=2, leads=per_quarter) == 2
    assert default_workers(7, cpus=2, leads=per_quarter) == 1
    assert default_workers(1, cpus=2, leads=1e12) == 1  # one quarter runs in one process
    assert default_workers(POOL_FROM - 1, cpus=2, leads=1_000) == 1
    assert default_workers(POOL_FROM, cpus=2) == 2
    mc = MonteCarlo()
    assert mc.uses_pool(8, per_quarter) == (mc.workers_for(8, per_quarter) > 1)
    assert not MonteCarlo(workers=1).uses_pool(10_000, per_quarter)
    assert not MonteCarlo(workers=2, scheduler="tcp://x:1").uses_pool(100, per_quarter)


def test_allocator_is_tuned_on_linux() -> None:
    from engine.simulate.memory import tune_allocator

    assert tune_allocator() is sys.platform.startswith("linux")
