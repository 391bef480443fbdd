"""`quarterplan recalibrate`: the plain-words explanation and tables, the run folder, and bad
input as exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import load_scenario
from engine.actuals import write_actuals
from engine.actuals.simulated import from_simulation
from engine.optimize.optimizer import optimize
from tests.conftest import BASE


@pytest.fixture(scope="module")
def actuals(tmp_path_factory) -> Path:
    base = load_scenario(BASE)
    frame = from_simulation(base, optimize(base).plan, 6, seed=4)
    return write_actuals(frame, tmp_path_factory.mktemp("replan") / "weeks1-6.csv")


@pytest.mark.slow
def test_recalibrate_explains_and_writes_a_run_folder(actuals, tmp_path):
    out = tmp_path / "replan"
    result = CliRunner().invoke(cli.main, [
        "recalibrate", str(BASE), "--actuals", str(actuals), "--as-of-week", "6",
        "--replications", "20", "--seed", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("Week 6 of 13: ")
    for piece in ("What the actuals changed:", "Quarter revenue under the plan in force:",
                  "Re-optimised plan:", "Money left moves:", "Targets for the weeks left:",
                  "Forecast of the quarter", "Spend by channel", "Targets for weeks 7-13",
                  "Updated beliefs", f"Wrote {out}"):
        assert piece in text
    doc = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert doc["kind"] == "recalibrate"
    assert {"forecasts", "target_changes", "replan_spend", "beliefs", "targets"} <= set(
        doc["tables"])
    assert (out / "report.html").exists() and (out / "workbook.xlsx").exists()


def test_actuals_beyond_the_as_of_week_exit_2(actuals):
    result = CliRunner().invoke(cli.main, [
        "recalibrate", str(BASE), "--actuals", str(actuals), "--as-of-week", "4"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{actuals}: row ")
    assert lines[0].endswith("week: is beyond the as-of week 4 (got '5')")


def test_recalibrate_help():
    result = CliRunner().invoke(cli.main, ["recalibrate", "--help"])
    assert result.exit_code == 0
    assert "--allow-hiring" in result.output and "--as-of-week" in result.output
