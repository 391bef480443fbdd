"""The per-source detail of a replication adds up to the record's regional and product series,
and is left out unless asked for."""

from __future__ import annotations

import numpy as np
import pytest

from engine import load_scenario
from engine.plan import even_plan
from engine.simulate import replication_streams, simulate_quarter
from engine.simulate.columns import FUNNEL_WEEKLY, product_metrics, region_metrics
from engine.simulate.inputs import build_inputs
from tests.conftest import BASE


@pytest.fixture(scope="module")
def base_run():
    s = load_scenario(BASE)
    plan = even_plan(s)
    record = simulate_quarter(s, plan, replication_streams(4, 0), detail=True)
    return s, build_inputs(s, plan), record


def test_detail_is_off_by_default() -> None:
    s = load_scenario(BASE)
    assert simulate_quarter(s, even_plan(s), replication_streams(4, 0)).detail is None


def test_detail_adds_up_to_the_region_and_product_series(base_run) -> None:
    _, inp, record = base_run
    d = record.detail
    rcol = {m: i for i, m in enumerate(region_metrics(inp))}
    pcol = {m: i for i, m in enumerate(product_metrics())}
    rw, pw = record.region_weekly, record.product_weekly
    C = len(inp.channels)
    assert d.sources == (*inp.channels, "repeat", "carried")
    np.testing.assert_array_equal(d.entered[0].sum(axis=1), rw[..., rcol["leads"]])
    for k, stage in enumerate(inp.stages):
        np.testing.assert_array_equal(d.entered[k].sum(axis=1), rw[..., rcol[f"stage:{stage}"]])
    np.testing.assert_array_equal(d.cold.sum(axis=(0, 2)), rw[..., rcol["cold"]])
    np.testing.assert_array_equal(d.wins[:, :C].sum(axis=(1, 2)), rw[..., rcol["wins"]])
    np.testing.assert_array_equal(d.wins.sum(axis=(1, 2)), rw[..., rcol["orders"]])
    for metric in ("units", "revenue", "gross_profit"):
        values = getattr(d, metric)
        np.testing.assert_allclose(values.sum(axis=(1, 2)), rw[..., rcol[metric]], rtol=1e-9)
        np.testing.assert_allclose(values.sum(axis=(0, 1)), pw[..., pcol[metric]], rtol=1e-9)
    assert d.wins[:, C + 1].sum() == 0  # nothing carried into a run from week 0
    assert d.wins[:, C].sum() > 0 and d.revenue[:, :C].sum() > 0


def test_open_leads_and_supply_at_week_ends(base_run) -> None:
    _, _, record = base_run
    d = record.detail
    np.testing.assert_array_equal(d.open[..., -1], record.open_leads)
    wip = record.funnel_weekly[..., FUNNEL_WEEKLY.index("wip")]
    np.testing.assert_array_equal(d.open.sum(axis=(1, 2)), wip)
    ordered, received, transit = np.moveaxis(d.supply, -1, 0)
    assert (transit >= -1e-9).all() and ordered.sum() > 0 and received.sum() > 0
    np.testing.assert_allclose(transit[:, -1], ordered.sum(axis=1) - received.sum(axis=1))
