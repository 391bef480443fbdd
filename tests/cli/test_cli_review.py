"""`quarterplan review`: the quarter's tables, the next-quarter overlay that loads as a scenario,
and bad actuals as exit code 2 with one line per problem."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
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


def test_review_writes_a_run_folder_with_the_scenarios_rule_targets(quarter, tmp_path):
    """Actuals without target rows, reviewed with a scenario: targets come from the scenario's
    rule, attainment prints as percentages, regions in the scenario's order under their names."""
    out = tmp_path / "folder"
    result = CliRunner().invoke(cli.main, ["review", str(quarter), "--scenario", str(BASE),
                                           "--overlay", str(tmp_path / "n.yaml"),
                                           "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {"report.html", "workbook.xlsx", "result.json", "tables"} <= {
        p.name for p in out.iterdir()}
    doc = json.loads((out / "result.json").read_text())
    regions = [r for r in doc["result"]["review"]["attainment"] if r["by"] == "region"]
    base = load_scenario(BASE)
    assert [r["id"] for r in regions] == [r.id for r in base.regions]
    assert all(r["target"] > 0 for r in regions)
    lines = result.stdout.splitlines()
    start = lines.index("Revenue by region") + 3
    shown = lines[start:start + len(base.regions)]
    assert [line.split("  ")[0].strip() for line in shown] == [r.name for r in base.regions]
    assert all(line.rstrip().endswith("%") for line in shown)
    assert "Revenue by customer tier" in result.stdout
    tiers = {r["tier"]: r for r in doc["result"]["review"]["tiers"]}
    assert set(tiers) == {"new business", "repeat business"}
    assert sum(t["target"] for t in tiers.values()) == pytest.approx(
        sum(r["target"] for r in regions), rel=1e-9)  # tier targets add up to the company's


def _partial(quarter: Path, tmp_path: Path, drop) -> Path:
    frame = pd.read_csv(quarter, keep_default_na=False, dtype={"week": int})
    path = tmp_path / "partial.csv"
    frame[~drop(frame)].to_csv(path, index=False)
    return path


def test_partial_actuals_warn_by_name(quarter, tmp_path):
    path = _partial(quarter, tmp_path, lambda f: f.region.isin(["xian", "urumqi"])
                    | (f.metric == "spend") | ((f.metric == "wins") & (f.week == 4)))
    result = CliRunner().invoke(cli.main, ["review", str(path), "--scenario", str(BASE),
                                           "--plan", str(_plan(tmp_path)), "--overlay",
                                           str(tmp_path / "n.yaml")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert any("region(s) xian, urumqi" in w for w in warnings), warnings
    assert any("no spend rows" in w for w in warnings), warnings
    assert any("wins missing for week(s) 4 of 1-13" in w for w in warnings), warnings


def test_actuals_without_revenue_are_an_error(quarter, tmp_path):
    path = _partial(quarter, tmp_path, lambda f: f.metric == "revenue")
    result = CliRunner().invoke(cli.main, ["review", str(path), "--scenario", str(BASE)])
    assert result.exit_code == 2
    assert "no revenue rows" in result.stderr and "Traceback" not in result.stderr


def _plan(tmp_path: Path) -> Path:
    """An even plan of base as plan.json (no pilot forecast: a fast review)."""
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(even_plan(load_scenario(BASE)).to_dict()), encoding="utf-8")
    return path
