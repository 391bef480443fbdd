"""One vocabulary: every KPI the simulator produces is in the registry, and every output shows
it in its unit (money with the currency, shares as percentages) under the registry's label."""

from __future__ import annotations

import re

import numpy as np
import pytest

import engine
from engine.commands.simulate import render_text
from engine.jobs.recalibrate import net_contribution
from engine.kpis import REGISTRY, display_frame, format_kpi, kpi, label_of, unit_of
from engine.plan import even_plan
from engine.report import render_html
from engine.report.sample import sample_report_data
from engine.simulate import MonteCarlo, simulate
from tests.conftest import SCENARIOS

NOT_SIMULATED = {"spend", "rep_cost"}
"""Registry entries that are plan inputs, not simulated per replication."""


@pytest.fixture(scope="module")
def tiny_run():
    s = engine.load_scenario(SCENARIOS / "base.yaml")
    plan = even_plan(s)
    return s, plan, simulate(s, plan, MonteCarlo(replications=8, seed=5, workers=1))


def test_every_simulated_kpi_is_registered_and_every_registered_one_simulated(tiny_run):
    _, _, result = tiny_run
    simulated = set(result.kpis.metric)
    registered = {k.name for k in REGISTRY}
    assert simulated == registered - NOT_SIMULATED


def test_units_labels_and_directions_of_the_quantities_planners_misread():
    assert [unit_of(m) for m in ("net_contribution", "target", "hit_target", "dso")] == [
        "money", "money", "share", "days"]
    assert kpi("hit_target").stat == "mean"
    assert kpi("stockout_days").higher_is_better is False
    assert label_of("net_contribution", "zh") == "净贡献"
    assert label_of("not_a_kpi") == "not_a_kpi"
    with pytest.raises(KeyError, match="no KPI 'profit'"):
        kpi("profit")


def test_format_follows_the_unit():
    assert format_kpi("net_contribution", -540_000.0, "¥") == "−¥540k"
    assert format_kpi("hit_target", 0.6, "¥") == "60.0%"
    assert format_kpi("lead_response_days", 1.25, "¥") == "1.2 d"


def _row(page: str, label: str) -> str:
    match = re.search(rf"<tr><td>[a-z_]+</td><td>{re.escape(label)}</td>(.*?)</tr>", page)
    assert match, label
    return match.group(1)


def test_html_kpi_table_shows_money_with_currency_and_shares_as_percentages():
    page = render_html(sample_report_data("run"))
    assert "¥11.2M" in _row(page, "Net contribution")
    assert "¥60.2M" in _row(page, "Revenue target")
    assert "58.0%" in _row(page, "Chance of hitting target")
    assert "0.58<" not in _row(page, "Chance of hitting target")


def test_simulate_table_lists_net_contribution_in_money(tiny_run):
    s, _, result = tiny_run
    text = render_text(result, s.currency)
    line = next(x for x in text.splitlines() if x.startswith("net_contribution"))
    p50 = float(result.summary().set_index("metric").loc["net_contribution", "p50"])
    assert format_kpi("net_contribution", p50, s.currency) in line
    assert "Net contribution" in line


def test_display_frame_formats_each_statistic_for_its_kpi(tiny_run):
    _, _, result = tiny_run
    frame = display_frame(result.summary(), "¥").set_index("metric")
    assert frame.loc["fill_rate", "mean"].endswith("%")
    assert frame.loc["hit_target", "mean"] == ""  # no targets in an even plan: NaN, not "nan"
    assert frame.loc["revenue", "p50"].startswith("¥")


def test_net_contribution_with_the_plans_spend_is_the_simulators_own(tiny_run):
    """The re-plan's net contribution (from gross profit, the backup premium, rep cost and a
    given spend) equals the simulator's per-replication KPI when the spend is the plan's."""
    _, plan, result = tiny_run
    mine = net_contribution(result, plan.total_spend)
    own = result.kpis[result.kpis.metric == "net_contribution"].sort_values("replication")
    np.testing.assert_allclose(mine, own.value.to_numpy(), rtol=1e-12)
    assert (mine < result.kpis[result.kpis.metric == "gross_profit"].value.to_numpy()).all()
