"""`quarterplan review`: the quarter's tables, the next-quarter overlay that loads as a scenario,
and bad actuals as exit code 2 with one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import cli
from engine import load_scenario
from engine.actuals import write_actuals
from engine.plan import even_plan
from tests.conftest import BASE, SCENARIOS
from tests.synthetic_actuals import synthetic_actuals


@pytest.fixture(scope="module")
def quarter(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("review")
    base = load_scenario(BASE)
    frame = synthetic_actuals(base, even_plan(base), 13, np.random.default_rng(11))
    return write_actuals(frame, folder / "q4.csv")


def test_review_prints_the_quarter_and_writes_an_overlay(quarter):
    result = CliRunner().invoke(cli.main, ["review", str(quarter), "--scenario", str(BASE)])
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("Review of weeks 1-13", "Revenue by region", "Revenue by line",
                    "Funnel (conversion per stage)", "Bottleneck: ", "New and repeat customers",
                    "Channel contribution", "Next quarter's estimates"):
        assert heading in out
    overlay = quarter.with_name("q4-next.yaml")
    assert f"Wrote {overlay}" in out
    text = overlay.read_text(encoding="utf-8")
    assert "extends: " in text and "funnel:" in text
    nxt = load_scenario(overlay)
    base = load_scenario(BASE)
    assert nxt.name == "q4-next"
    assert [st.id for st in nxt.funnel.stages] == [st.id for st in base.funnel.stages]
    assert nxt.funnel.stages[1].duration == base.funnel.stages[1].duration
    assert nxt.regions[0].reps == base.regions[0].reps


def test_review_without_a_scenario_reports_what_was_observed(quarter, tmp_path):
    overlay = tmp_path / "next.yaml"
    result = CliRunner().invoke(cli.main, ["review", str(quarter), "--overlay", str(overlay)])
    assert result.exit_code == 0, result.output
    assert "Funnel (conversion per stage)" in result.output
    assert "Next quarter's estimates" not in result.output
    assert not overlay.exists()


def test_review_json_and_csv(quarter, tmp_path):
    runner = CliRunner()
    args = ["review", str(quarter), "--scenario", str(BASE), "--overlay",
            str(tmp_path / "n.yaml")]
    data = json.loads(runner.invoke(cli.main, [*args, "--format", "json"]).output)
    assert data["review"]["weeks"] == 13
    assert {b["parameter"] for b in data["review"]["beliefs"]} >= {
        "funnel.stages[demo].conversion", "channels[online].response.max_leads"}
    assert data["overlay"] == str(tmp_path / "n.yaml")
    csv = runner.invoke(cli.main, [*args, "--format", "csv"]).output
    assert csv.splitlines()[0] == "table,key,metric,value"


def test_bad_actuals_exit_2_with_row_numbers(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("week,region,channel,stage,product,line,metric,value\n"
                    "1,solo,direct,,,,leads,5\n"
                    "1,solo,direct,,widget,,wins,-1\n"
                    "3,mars,direct,,,,leads,1\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli.main, ["review", str(path), "--scenario", str(SCENARIOS / "tiny.yaml")])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}: row 3: wins: must be >= 0 (got '-1')",
        f"{path}: row 4: region: unknown region (got 'mars')",
    ]
    assert "Traceback" not in result.output


def test_review_help():
    result = CliRunner().invoke(cli.main, ["review", "--help"])
    assert result.exit_code == 0
    assert "--prior-strength" in result.output
