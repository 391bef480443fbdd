"""`quarterplan simulate`: table, JSON and CSV output, a run folder, the plan it chose, bad input
and Ctrl-C."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import cli
import engine.simulate
from engine import load_scenario
from engine.output import render_json
from engine.plan import even_plan
from tests.conftest import SCENARIOS

TINY = SCENARIOS / "tiny.yaml"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli.main, ["simulate", *args])


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(render_json(even_plan(load_scenario(TINY))), encoding="utf-8")
    return path


def test_json_output_is_the_whole_result(plan_file: Path) -> None:
    result = run(str(TINY), "--plan", str(plan_file), "--replications", "20", "--seed", "3",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["replications"] == 20 and data["seed"] == 3 and data["plan"] == "even"
    summary = {row["metric"]: row for row in data["summary"]}
    assert 1000 < summary["revenue"]["mean"] < 30000
    assert summary["attainment"]["mean"] is None  # no targets in the even plan: NaN
    assert len(data["revenue_bands"]) == 13
    assert result.stderr == ""  # no progress in JSON mode


def test_csv_output_is_the_summary(plan_file: Path) -> None:
    result = run(str(TINY), "--plan", str(plan_file), "--replications", "12", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "metric,mean,se,p10,p50,p90"
    assert lines[1].startswith("revenue,")


def test_table_output_and_run_folder(plan_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run(str(TINY), "--plan", str(plan_file), "--replications", "12", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "tiny: 12 replications, seed 7, plan: even"
    for title in ("Quarter KPIs", "Cumulative revenue by week", "Funnel (mean per quarter)"):
        assert any(line.startswith(title) for line in lines), title
    assert lines[-1] == f"Wrote {out}"
    assert "plan: even - simulating 12 replications" in result.stderr
    names = {p.name for p in out.iterdir()}
    assert names == {"result.json", "meta.json", "tables", "workbook.xlsx", "report.html",
                     "scenario.resolved.yaml", ".quarterplan-run"}
    tables = {p.name for p in (out / "tables").iterdir()}
    assert tables == {f"{n}.csv" for n in ("kpis", "replication_kpis", "revenue_fan",
                                           "weekly_mean", "weekly_replication0", "funnel",
                                           "alerts")}
    assert json.loads((out / "result.json").read_text())["kind"] == "simulate"
    rows = (out / "tables" / "replication_kpis.csv").read_text().splitlines()
    assert rows[0] == "replication,metric,value"
    metrics = {row.split(",")[1] for row in rows[1:]}
    assert {"revenue", "dso", "fill_rate", "hit_target"} <= metrics
    assert len(rows) == 1 + 12 * len(metrics)


def test_without_a_plan_it_simulates_the_optimisers_plan() -> None:
    result = run(str(TINY), "--replications", "10", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["plan"] == "optimizer"
    summary = {row["metric"]: row for row in data["summary"]}
    assert 0.5 < summary["attainment"]["mean"] < 1.5


def test_bad_plan_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run(str(TINY), "--plan", str(bad))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and str(bad) in result.stderr


def test_missing_scenario_exits_2(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2


def test_ctrl_c_stops_with_one_line_and_code_130(plan_file: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.simulate, "simulate", interrupted)
    result = run(str(TINY), "--plan", str(plan_file), "--format", "json")
    assert result.exit_code == 130
    assert result.stderr == "interrupted: simulation stopped\n"


def test_help_names_every_option() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for option in ("--plan", "--replications", "--seed", "--workers", "--scheduler", "--format",
                   "--out"):
        assert option in result.stdout
