"""`quarterplan simulate --export-actuals K`: replication 0's first K weeks as an actuals file
that validates against the scenario and equals ``engine.actuals.from_simulation``."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

import cli
from engine import load_scenario
from engine.actuals import load_actuals
from engine.actuals.simulated import from_simulation
from engine.jobs.run import optimize_with
from engine.simulate import MonteCarlo
from tests.conftest import SCENARIOS

TINY = SCENARIOS / "tiny.yaml"


def test_export_actuals_writes_the_first_weeks(tmp_path):
    path = tmp_path / "weeks.csv"
    result = CliRunner().invoke(cli.main, [
        "simulate", str(TINY), "--replications", "5", "--seed", "8", "--export-actuals", "4",
        "--actuals-file", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert f"Wrote actuals of weeks 1-4 to {path}" in result.stderr
    s = load_scenario(TINY)
    a = load_actuals(path, s, 4)
    # simulate's plan: the optimiser's, its pilot on the run's own settings
    plan = optimize_with(s, MonteCarlo(replications=5, seed=8)).plan
    want = from_simulation(s, plan, 4, seed=8)
    line_of = {p.id: p.line for p in s.products}
    want["line"] = [line or line_of.get(p, "")
                    for line, p in zip(want.line, want["product"], strict=True)]
    pd.testing.assert_frame_equal(a.to_frame(), want, check_dtype=False)  # lines filled in
    assert a.total("leads").iloc[0] > 0
    assert set(a.rows("revenue").channel) == {"direct"}  # per channel, with products
    assert set(a.rows("revenue").line) == {"core"}


def test_export_beyond_the_quarter_is_bad_input(tmp_path):
    result = CliRunner().invoke(cli.main, [
        "simulate", str(TINY), "--replications", "2", "--export-actuals", "14",
        "--actuals-file", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert "--export-actuals 14: the week must be in 0..13" in result.stderr
