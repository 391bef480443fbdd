"""`run`, `compare` and `sweep`: exit codes, what the terminal shows, and the files written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
from engine import load_scenario
from tests.conftest import BASE, SCENARIOS


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def base_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("runs") / "base-run"
    result = _run("run", str(BASE), "--replications", "40", "--seed", "5", "--workers", "1",
                  "--out", str(out))
    return result, out


def test_run_prints_the_headline_and_writes_the_folder(base_run: tuple[Any, Path]) -> None:
    result, out = base_run
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "base: 40 simulated quarters, seed 5"
    assert lines[1].startswith("  gross profit      ¥") and "(P10–P90 ¥" in lines[1]
    assert lines[2].startswith("  net contribution  ¥") and "(P10–P90 ¥" in lines[2]
    assert "(percentile rule): hit in" in lines[4]
    assert any(line.startswith("Spend ¥5,400,000 of ¥5,400,000: Offline stores")
               for line in lines)  # display names
    assert "  one more ¥ of budget is worth ¥0." in result.stdout
    assert lines[-1] == f"Wrote {out}/ (report.html, workbook.xlsx, result.json, tables/)"
    names = {p.name for p in out.iterdir()}
    assert {"result.json", "report.html", "workbook.xlsx", "tables", "meta.json",
            "scenario.resolved.yaml"} <= names


def test_run_folder_numbers_agree_across_formats(base_run: tuple[Any, Path]) -> None:
    _, out = base_run
    doc = json.loads((out / "result.json").read_text())
    assert doc["schema_version"] == 1 and doc["kind"] == "run"
    spend_csv = pd.read_csv(out / "tables" / "spend.csv")
    assert spend_csv.spend.sum() == pytest.approx(5_400_000, rel=1e-6)
    book = openpyxl.load_workbook(out / "workbook.xlsx")
    assert {"spend", "kpis", "targets", "revenue_fan"} <= set(book.sheetnames)
    rows = list(book["spend"].iter_rows(values_only=True))
    header = list(rows[0])
    total = sum(r[header.index("spend")] for r in rows[1:])
    assert total == pytest.approx(spend_csv.spend.sum(), rel=1e-9)
    kpis = {r["metric"]: r for r in doc["tables"]["kpis"]}
    assert 0 <= kpis["hit_target"]["mean"] <= 1
    assert kpis["revenue"]["p10"] <= kpis["revenue"]["p50"] <= kpis["revenue"]["p90"]


def test_run_folder_has_outcomes_where_targets_land(base_run: tuple[Any, Path]) -> None:
    """Per-region, line, channel and segment tables with the chance of hitting the target; the
    regions' revenue and targets add up to the quarter's KPIs (computed another way)."""
    _, out = base_run
    doc = json.loads((out / "result.json").read_text())
    kpis = {r["metric"]: r for r in doc["tables"]["kpis"]}
    tables = {name: pd.read_csv(out / "tables" / f"outcomes_{name}.csv")
              for name in ("region", "line", "region_line", "channel", "segment")}
    names = [r.name for r in load_scenario(BASE).regions]
    for name, frame in tables.items():
        quarter = frame[frame.period == "quarter"]
        assert quarter.revenue.sum() == pytest.approx(kpis["revenue"]["mean"], rel=1e-9), name
        months = frame[frame.period != "quarter"]
        assert months.revenue.sum() == pytest.approx(quarter.revenue.sum(), rel=1e-9), name
    for name in ("region", "line", "region_line"):
        quarter = tables[name][tables[name].period == "quarter"]
        assert quarter.target.sum() == pytest.approx(kpis["target"]["mean"], rel=1e-9)
        assert quarter.hit_target.between(0, 1).all()
    regions = tables["region"]
    assert list(regions[regions.period == "quarter"].region) == names  # names, scenario order
    assert tables["channel"].hit_target.isna().all()  # channels carry no targets
    assert set(doc["result"]["outcomes"]) == set(tables)  # ids, for programs
    page = (out / "report.html").read_text()
    assert '<section id="risk">' in page and "Chance of hitting each month" in page


def test_run_never_overwrites_silently(base_run: tuple[Any, Path]) -> None:
    _, out = base_run
    before = (out / "result.json").read_bytes()
    again = _run("run", str(BASE), "--replications", "10", "--workers", "1", "--out", str(out))
    assert again.exit_code == 2
    assert "exists" in again.stderr and "Traceback" not in again.stderr
    assert (out / "result.json").read_bytes() == before


def test_run_of_an_infeasible_scenario_is_exit_1(write_yaml: Callable[..., Path],
                                                 tmp_path: Path) -> None:
    path = write_yaml(f"extends: {BASE}\npolicy: {{new_product_share_min: 0.6}}\n", "np.yaml")
    result = _run("run", str(path), "--replications", "5", "--out", str(tmp_path / "never"))
    assert result.exit_code == 1
    assert "new-product share" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "never").exists()


def test_compare_with_itself_gives_zero_differences() -> None:
    result = _run("compare", str(BASE), str(BASE), "--replications", "20", "--workers", "1",
                  "--format", "json")
    assert result.exit_code == 0, result.stderr
    table = pd.DataFrame(json.loads(result.stdout)["tables"]["comparison"])
    other = table[table.scenario == "base (2)"]
    assert len(other) > 5
    assert (other.diff_mean.abs() < 1e-9).all()
    binary = other.metric == "hit_target"  # a 0/1 KPI: no P(better), the difference instead
    assert (other[~binary].prob_better == 0.5).all() and other[binary].prob_better.isna().all()


def test_compare_stress_test_holds_the_plan_fixed() -> None:
    result = _run("compare", str(BASE), str(SCENARIOS / "price-war.yaml"), "--plan-from",
                  "base", "--replications", "20", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "the plan of base is held fixed" in result.stdout
    revenue = next(line for line in result.stdout.splitlines() if line.startswith("revenue"))
    assert "-" in revenue.split()[3]  # the price war costs revenue under the same plan


def test_compare_needs_two_scenarios_and_a_known_plan_source() -> None:
    assert _run("compare", str(BASE)).exit_code == 2
    bad = _run("compare", str(BASE), str(BASE), "--plan-from", "nowhere")
    assert bad.exit_code == 2 and "--plan-from" in bad.stderr


def test_budget_frontier_is_non_decreasing_and_marks_the_current_budget() -> None:
    result = _run("sweep", str(SCENARIOS / "lean-budget.yaml"), "--budget", "0.6:1.4:5",
                  "--format", "json")
    assert result.exit_code == 0, result.stderr
    frontier = pd.DataFrame(json.loads(result.stdout)["result"]["frontier"])
    objective = frontier.objective.to_numpy()
    gap = 0.005 * objective.max()  # the MILP is solved to the scenario's 0.5% gap
    assert (objective[1:] >= objective[:-1] - gap).all()
    assert frontier.current.sum() == 1 and frontier[frontier.current].point.iloc[0] == "x1"
    assert (frontier.shadow_price.diff().dropna() <= 1e-6).all()  # concave: prices fall


def test_sweep_grid_and_usage_errors() -> None:
    result = _run("sweep", str(BASE), "--set", "channels.social.quality=0.6,1.0")
    assert result.exit_code == 0, result.stderr
    assert "channels.social.quality=0.6" in result.stdout
    assert _run("sweep", str(BASE)).exit_code == 2
    bad = _run("sweep", str(BASE), "--set", "channels.tiktok.quality=1")
    assert bad.exit_code == 2 and "no field or row 'tiktok'" in bad.stderr


def test_simulated_grid_points_are_the_same_serially_and_in_processes() -> None:
    from engine import read_document
    from engine.jobs.grid import parse_setting
    from engine.jobs.sweep import grid_sweep
    from engine.simulate import MonteCarlo

    doc = read_document(BASE)
    settings = [parse_setting("channels.social.quality=0.7,1.0")]
    serial = grid_sweep(doc, "base", settings, MonteCarlo(replications=8, seed=3), True)
    pooled = grid_sweep(doc, "base", settings, MonteCarlo(replications=8, seed=3, workers=2),
                        True)
    pd.testing.assert_frame_equal(serial.frontier, pooled.frontier)
    assert serial.frontier.sim_revenue_p50.notna().all()


def test_simulated_grid_points_on_a_dask_cluster_match_the_serial_run() -> None:
    from distributed import LocalCluster

    from engine import read_document
    from engine.jobs.grid import parse_setting
    from engine.jobs.sweep import grid_sweep
    from engine.simulate import MonteCarlo

    doc = read_document(BASE)
    settings = [parse_setting("channels.social.quality=0.7,1.0")]
    serial = grid_sweep(doc, "base", settings, MonteCarlo(replications=6, seed=4), True)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                      dashboard_address=None) as cluster:
        dask = grid_sweep(doc, "base", settings,
                          MonteCarlo(replications=6, seed=4, scheduler=cluster.scheduler_address),
                          True)
    pd.testing.assert_frame_equal(serial.frontier, dask.frontier)


def test_target_sheets_add_up_to_the_company_target(base_run: tuple[Any, Path]) -> None:
    _, out = base_run
    targets = pd.read_csv(out / "tables" / "targets.csv").target.sum()
    book = openpyxl.load_workbook(out / "workbook.xlsx")
    for name, keys in (("target_sheet", 1), ("target_sheet_lines", 2)):
        rows = list(book[name].iter_rows(values_only=True))
        header, body, total = list(rows[0]), rows[1:-1], rows[-1]
        assert header[keys:] == ["month 1", "month 2", "month 3", "quarter"]
        assert total[0] == "total"
        quarter = header.index("quarter")
        assert sum(r[quarter] for r in body) == pytest.approx(targets, rel=1e-9)
        assert total[quarter] == pytest.approx(targets, rel=1e-9)
        for r in body:  # each row's months add up to its quarter
            assert sum(r[keys:quarter]) == pytest.approx(r[quarter], rel=1e-9)
        cell = book[name].cell(row=2, column=quarter + 1)
        assert cell.number_format.startswith('"¥"')
