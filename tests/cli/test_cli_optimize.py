"""`quarterplan optimize`: the plan as a table, JSON or CSV, files in --out, MPS export, and
exit code 1 with a diagnosis when the plan is infeasible."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine.optimize.highs import new_highs
from engine.plan import plan_from_dict
from tests.conftest import BASE, SCENARIOS


def run(*args: str) -> object:
    # a 40-quarter pilot keeps the tests quick; the pilot's size is checked elsewhere
    return CliRunner().invoke(cli.main, ["optimize", *args, "--replications", "40"])


def test_table_view_shows_spend_reps_targets_and_shadow_prices() -> None:
    result = run(str(BASE))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("base: optimal; forecast net contribution ¥")
    assert ", gross profit ¥" in lines[0]
    assert "largest constraint residual" in lines[0]
    for title in (
        "Spend by region and channel (¥)",
        "Reps by region and role",
        "Revenue targets by month (¥)",
        "Top shadow prices (from the LP with hires",
    ):
        assert any(line.startswith(title) for line in lines), title
    assert any(line.startswith("One more tenured rep, the plan's spend kept") for line in lines)
    assert "net contribution gained (¥)" in result.stdout
    _check_rep_verdicts(lines)
    assert "one more ¥ of budget is worth ¥0." in result.stdout
    assert "worth nothing more at the margin: channel_min," in result.stdout
    assert any("binding constraints:" in line for line in lines)


def _check_rep_verdicts(lines: list[str]) -> None:
    """Each rep row's verdict is what its value and 95% interval say."""
    start = next(i for i, line in enumerate(lines) if line.startswith("One more tenured rep"))
    rows = []
    for line in lines[start + 3:]:
        if not line.strip():
            break
        rows.append(line)
    assert rows
    for line in rows:
        value = float(line.split()[3].replace(",", ""))
        half = float(line.split("±")[1].split()[0].replace(",", ""))
        verdict = line.split("±")[1].split(maxsplit=1)[1].strip()
        expected = ("pays" if value - half > 0 else "does not pay" if value + half < 0
                    else "not clear either way")
        assert verdict == expected, line


def test_table_view_prices_the_budget_when_it_binds() -> None:
    result = run(str(SCENARIOS / "lean-budget.yaml"), "--relax-reps")
    assert "one more ¥ of budget is worth ¥0." in result.stdout


def test_json_is_the_whole_result() -> None:
    result = run(str(BASE), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["status"] == "optimal" and data["solver"] == "highs"
    assert data["max_residual"] <= 1e-6
    assert {"spend", "reps", "targets"} <= set(data["plan"])
    assert data["shadow_prices"][0].keys() == {"constraint", "family", "meaning", "value", "unit",
                                               "holds_from", "holds_to"}
    budget = next(p for p in data["shadow_prices"] if p["constraint"] == "budget")
    assert budget["holds_from"] < 5_400_000 < budget["holds_to"]  # base's spendable budget
    assert "holds from" in budget["meaning"]
    forecast = data["forecast"]
    assert forecast["net_contribution"] == pytest.approx(
        forecast["gross_profit"] - forecast["spend"] - forecast["rep_cost"]
        - forecast["backup_cost"] - forecast["management_cost"])
    assert set(forecast["definitions"]) == {"revenue", "gross_profit", "net_contribution"}


def test_csv_is_the_expected_outcome() -> None:
    result = run(str(SCENARIOS / "tiny.yaml"), "--format", "csv")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "region,channel,spend,leads,wins,revenue,gross_profit"
    # 50 leads a week for 13 weeks; a 7-day close leaves 12 weeks of wins at 0.3, price 100
    region, channel, *numbers = lines[1].split(",")
    assert (region, channel) == ("solo", "direct")
    assert [float(x) for x in numbers] == pytest.approx([0.0, 650.0, 180.0, 18000.0, 7200.0])


def test_out_writes_a_plan_that_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "run"
    result = run(str(BASE), "--out", str(out), "--relax-reps", "--format", "json")
    assert result.exit_code == 0
    names = {p.name for p in out.iterdir()}
    assert names == {"plan.json", "result.json", "meta.json", "tables", "workbook.xlsx",
                     "report.html", "scenario.resolved.yaml", ".quarterplan-run"}
    tables = {p.name for p in (out / "tables").iterdir()}
    assert tables == {f"{n}.csv" for n in ("spend", "reps", "targets", "expected_outcome",
                                           "shadow_prices", "binding", "residuals",
                                           "rep_values", "forecast")}
    document = json.loads((out / "result.json").read_text(encoding="utf-8"))
    assert document["kind"] == "optimize"
    assert document["result"]["objective"] == json.loads(result.stdout)["objective"]
    plan = plan_from_dict(json.loads((out / "plan.json").read_text(encoding="utf-8")))
    assert plan.source == "optimizer" and len(plan.targets) == 13 * 4 * 13
    assert plan.total_spend == pytest.approx(
        json.loads(result.stdout)["outcome"][0]["spend"] * 0 + plan.spend.spend.sum()
    )


def test_exported_mps_solves_to_the_same_objective(tmp_path: Path) -> None:
    mps = tmp_path / "base.mps"
    result = run(str(BASE), "--export-mps", str(mps), "--relax-reps", "--format", "json")
    assert result.exit_code == 0
    h = new_highs()
    h.readModel(str(mps))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(
        json.loads(result.stdout)["objective"], rel=1e-7
    )


def test_cbc_and_a_time_limit_are_accepted() -> None:
    result = run(str(SCENARIOS / "tiny.yaml"), "--solver", "cbc", "--time-limit", "30")
    assert result.exit_code == 0
    assert result.stdout.startswith("tiny: optimal; forecast net contribution ¥7,200, gross "
                                    "profit ¥7,200, revenue ¥18,000 (cbc, gap 0.00%")


def test_infeasible_plan_exits_1_with_the_diagnosis(tmp_path: Path) -> None:
    path = tmp_path / "greedy.yaml"
    path.write_text(
        f"extends: {BASE}\npolicy:\n  pilot_intent: {{stage: demo, min_per_region: 1000}}\n",
        encoding="utf-8",
    )
    result = run(str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "the plan is infeasible" in result.stderr
    assert "pilot_intent[" in result.stderr and "fewer intent customers" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["--solver", "gurobi"], ["--time-limit", "0"], []])
def test_bad_usage_exits_2(args: list[str], tmp_path: Path) -> None:
    target = str(BASE) if args else str(tmp_path / "missing.yaml")
    result = run(target, *args)
    assert result.exit_code == 2


def test_help_lists_the_options() -> None:
    result = run("--help")
    for option in ("--format", "--out", "--solver", "--time-limit", "--relax-reps", "--export-mps"):
        assert option in result.stdout
