"""A company written in Chinese (``scenarios/east-china.yaml``: Chinese ids and names, language
zh) validates, runs, compares and recalibrates, and speaks Chinese unless told otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import cli
from tests.conftest import SCENARIOS

EAST = SCENARIOS / "east-china.yaml"


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def east_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("east") / "run"
    result = _run("run", str(EAST), "--replications", "20", "--seed", "2", "--workers", "1",
                  "--out", str(out))
    return result, out


def test_run_speaks_chinese_with_chinese_names(east_run: tuple[Any, Path]) -> None:
    result, out = east_run
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "华东饮品：20 个模拟季度，随机种子 2"
    assert lines[1].startswith("  毛利") and "万" in lines[1]
    assert any(line.startswith("投入 ¥") and "天猫旗舰店" in line for line in lines)
    book = openpyxl.load_workbook(out / "workbook.xlsx")
    assert {"摘要", "区域结果", "目标表_区域月度"} <= set(book.sheetnames)
    regions = [r[0] for r in book["目标表_区域月度"].iter_rows(min_row=2, values_only=True)]
    assert regions == ["上海", "北京", "杭州", "成都（试点）", "合计"]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "目标风险" in page and "社区团购" in page and "华东饮品公司第一季度" in page
    assert "季度计划 — 华东饮品" in page and "累计收入中位数" in page and "累计目标" in page


def test_lang_option_overrides_the_scenarios_language(tmp_path: Path) -> None:
    result = _run("run", str(EAST), "--replications", "5", "--workers", "1", "--lang", "en",
                  "--out", str(tmp_path / "en"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0] == "华东饮品: 5 simulated quarters, seed 20261201"
    page = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    assert "About this run" in page and "Quarter plan — 华东饮品" in page and "万" not in page


def test_compare_runs_on_chinese_ids() -> None:
    result = _run("compare", str(EAST), str(EAST), "--replications", "10", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "net_contribution" in result.stdout


@pytest.mark.slow
def test_recalibrate_runs_on_chinese_ids(tmp_path: Path) -> None:
    actuals = tmp_path / "act.csv"
    exported = _run("simulate", str(EAST), "--replications", "5", "--workers", "1",
                    "--export-actuals", "5", "--actuals-file", str(actuals))
    assert exported.exit_code == 0, exported.stderr
    result = _run("recalibrate", str(EAST), "--actuals", str(actuals), "--as-of-week", "5",
                  "--replications", "10", "--workers", "1", "--out", str(tmp_path / "re"))
    assert result.exit_code == 0, result.stderr
    assert "net contribution" in result.stdout and "上海" in result.stdout
