"""``compare --rules``: the same plan with and without its management rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from click.testing import CliRunner

import cli
from tests.conftest import BASE


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, list(args))


def test_compare_rules_none_prints_the_value_of_the_rule_set_and_the_firings() -> None:
    result = _run("compare", str(BASE), "--rules", "none", "--replications", "30",
                  "--workers", "1")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "the plan of base is held fixed" in out
    line = next(x for x in out.splitlines() if x.startswith("net_contribution"))
    assert "[" in line and "]" in line  # the paired difference with its interval
    assert "Management (base): how often each rule fired" in out
    assert "expedite_below_safety: expedite in " in out


def test_compare_two_rule_sets_from_a_file(tmp_path: Path) -> None:
    rules = tmp_path / "cautious.yaml"
    rules.write_text("management:\n  rules:\n    - {id: early_reserve, weeks: [2], "
                     "when: [{metric: week, above: 1}], then: {do: release_reserve, "
                     "share: 0.5, channel: online}}\n", encoding="utf-8")
    result = _run("compare", str(BASE), "--rules", "none", "--rules", str(rules),
                  "--replications", "20", "--workers", "1", "--format", "json")
    assert result.exit_code == 0, result.stderr
    tables = json.loads(result.stdout)["tables"]
    names = set(pd.DataFrame(tables["comparison"]).scenario)
    assert names == {"base (no rules)", "base (rules of cautious)", "base"}
    fired = pd.DataFrame(tables["management"])
    early = fired[fired.rule == "early_reserve"].iloc[0]
    assert early.fired_share == 1.0 and early.amount == 0.5 * 6.0e6 * 0.10


def test_compare_rules_usage_errors(tmp_path: Path) -> None:
    assert _run("compare", str(BASE), str(BASE), "--rules", "none").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: []\n", encoding="utf-8")
    result = _run("compare", str(BASE), "--rules", str(bad))
    assert result.exit_code == 2 and "management:" in result.stderr
