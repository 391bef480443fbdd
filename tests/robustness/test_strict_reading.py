"""Strict reading of every input kind: scenario YAML and its CSV tables, actuals (CSV and Excel),
numbers that must be finite; each problem one line naming the file, the row or field."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine import load_scenario
from engine.errors import ScenarioError
from tests.conftest import BASE
from tests.robustness.conftest import TINY, ended, invoke

REGIONS = "id,kind,potential\nsolo,core,1.0\n"


def tiny_with_regions_csv(folder: Path, table: bytes) -> Path:
    (folder / "regions.csv").write_bytes(table)
    text = TINY.read_text(encoding="utf-8").replace(
        "regions:\n  - {id: solo, kind: core, potential: 1.0}", "regions: regions.csv")
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_table_saved_by_excel_with_a_bom_reads_like_one_without(tmp_path: Path) -> None:
    plain = load_scenario(tiny_with_regions_csv(tmp_path, REGIONS.encode()))
    excel = load_scenario(tiny_with_regions_csv(tmp_path, b"\xef\xbb\xbf" + REGIONS.encode()))
    assert plain == excel == load_scenario(TINY)


@pytest.mark.parametrize(("table", "message"), [
    ("id,kind,potential\nsolo,core,1.0\n长沙,core,1\n".encode("gbk"),
     "regions: regions.csv row 3: not UTF-8 text"),
    (b"id,kind,potential\nsolo,core,1.0,extra\n",
     "regions (regions.csv): row 2: 4 cells, but the header has 3"),
    (b"id,kind,potential,kind\nsolo,core,1.0,pilot\n",
     "regions (regions.csv): column 'kind' is written twice"),
    (b"id,,potential\nsolo,core,1.0\n", "regions (regions.csv): column 2 has no name"),
    (b"\x00\x01\x02\xff\xfe binary", "regions: regions.csv row 1: not UTF-8 text"),
    (b'id,kind,potential\nsolo,core,"1\x1b"\n',
     "regions (regions.csv): row 2: the text contains the control character U+001B"),
])
def test_a_broken_csv_table_is_named_by_row(table: bytes, message: str, tmp_path: Path) -> None:
    path = tiny_with_regions_csv(tmp_path, table)
    ended(invoke("validate", path), 2, f"{path}: {message}")


def actuals(tmp_path: Path, text: bytes, name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text)
    return path


@pytest.mark.parametrize(("text", "message"), [
    ("week,region,channel,metric,value\n1,solo,direct,leads,３\n1,长沙,direct,leads,1\n"
     .encode("gbk"), "row 2: not UTF-8 text"),
    (b"week,region,channel,metric,value\n1,solo,direct,leads,3,9\n", "row 2: 6 cells, but the "
     "header has 5"),
    (b"week,region,metric,value,region\n1,solo,leads,3,solo\n", "column region: is written twice"),
    (b"week,region,channel,metric,value\n1,solo,direct,leads,10000000\n",
     "row 2: leads: is more than one week can hold"),
    (b"week,region,channel,metric,value\n1,solo,direct,spend,1e300\n",
     "row 2: spend: is implausibly large"),
    (b"week,region,channel,metric,value\n1,solo,direct,spend,5\n",
     "spend: totals 5, more than the quarter's whole budget 0"),
])
def test_broken_or_implausible_actuals_are_named(text: bytes, message: str,
                                                 tmp_path: Path) -> None:
    path = actuals(tmp_path, text)
    ended(invoke("review", path, "--scenario", TINY), 2, f"{path}: {message}")
    assert not (tmp_path / "a-next.yaml").exists()


def test_actuals_with_a_bom_are_read(tmp_path: Path) -> None:
    path = actuals(tmp_path, b"\xef\xbb\xbfweek,region,channel,metric,value\n"
                   b"1,solo,direct,leads,3\n")
    ended(invoke("review", path, "--scenario", TINY, "--format", "json"), 0)


@pytest.mark.parametrize("content", [b"PK\x03\x04not really a zip", b"", b"\x00" * 100])
def test_a_workbook_that_is_not_one_is_named(content: bytes, tmp_path: Path) -> None:
    path = actuals(tmp_path, content, "a.xlsx")
    ended(invoke("review", path), 2, f"{path}: cannot read the file as a table")


def test_more_open_leads_than_a_replan_carries_is_refused(tmp_path: Path) -> None:
    text = ("week,region,channel,stage,metric,value\n"
            "1,solo,direct,close,open,900000\n1,solo,organic,close,open,900000\n"
            "1,solo,,close,open,900000\n")
    path = actuals(tmp_path, text.encode())
    ended(invoke("review", path, "--scenario", TINY), 2, "open: 2,700,000 leads open at once")


@pytest.mark.parametrize(("yaml_text", "message"), [
    ("? [a, b]\n: 1\n", "a key must be a single word or number"),
    ('name: "bad\\ename"\n', "the text contains the control character U+001B"),
    ('name: "bad\\ud800name"\n', "contains an unpaired surrogate U+D800"),
    ("pricing: {elasticity: -.inf}\n", "pricing.elasticity: must be a finite number"),
    ("budget: {total: .nan}\n", "budget.total: must be a finite number"),
    ("simulation: {lead_rate_cv: .inf}\n", "simulation.lead_rate_cv: must be a finite number"),
])
def test_scenario_text_and_numbers_are_checked(yaml_text: str, message: str,
                                               tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {BASE}\n{yaml_text}", encoding="utf-8")
    ended(invoke("validate", path), 2, message)


def test_a_list_id_merged_by_extends_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {TINY}\nregions:\n  - {{id: [a, b], potential: 1}}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"regions\[0\]\.id"):
        load_scenario(path)
