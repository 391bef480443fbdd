"""CSV tables: tidy, numbers untouched, formula-like text neutralised."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from engine.report import neutralise, table_csv, tables_csv
from engine.report.sample import HOSTILE_CHANNEL, sample_report_data


@pytest.mark.parametrize("text", ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  HOSTILE_CHANNEL])
def test_formula_like_text_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["online", "a=b", "", " =x", 5, -5.5, None, True])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_neutralises_text_cells_and_headers_but_not_numbers():
    frame = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "plain", "-5"],
                          "value": [-5.0, 2.5, -1e6], "@head": [1, 2, 3]})
    out = rows(table_csv(frame))
    assert out[0] == ["name", "value", "'@head"]
    assert [r[0] for r in out[1:]] == ["'=cmd|' /C calc'!A0", "plain", "'-5"]
    assert [float(r[1]) for r in out[1:]] == [-5.0, 2.5, -1e6]


def test_csv_leaves_the_input_frame_alone():
    frame = pd.DataFrame({"name": ["=x"], "value": [1.0]})
    table_csv(frame)
    assert frame.loc[0, "name"] == "=x"


def test_every_table_becomes_csv_with_all_rows():
    data = sample_report_data("compare", hostile=True)
    texts = tables_csv(data)
    assert set(texts) == set(data.tables)
    for name, text in texts.items():
        parsed = rows(text)
        assert parsed[0] == list(data.tables[name].columns)
        assert len(parsed) == len(data.tables[name]) + 1
    spend = pd.read_csv(io.StringIO(texts["spend"]))
    assert spend["spend"].tolist() == data.tables["spend"]["spend"].tolist()
    assert "'" + HOSTILE_CHANNEL in set(spend["channel"])
