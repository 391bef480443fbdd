"""The Excel workbook: expected sheets, numbers equal to the tables, formats, safe text."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from openpyxl import load_workbook

import engine.report.workbook as workbook_module
from engine.report import write_workbook
from engine.report.data import with_labels
from engine.report.sample import HOSTILE_CHANNEL, HOSTILE_PRODUCT, sample_report_data


@pytest.fixture(scope="module")
def data():
    return sample_report_data("compare", hostile=True)


@pytest.fixture(scope="module")
def book(data, tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "workbook.xlsx"
    write_workbook(data, path)
    return load_workbook(path)


def same(cell, value) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return cell is None
    if isinstance(value, str):
        return cell in (value, "'" + value)
    return cell == pytest.approx(value) if isinstance(value, float) else cell == value


def test_one_sheet_per_table_after_the_summary(data, book):
    assert book.sheetnames == ["summary", *data.tables]


def test_every_cell_equals_the_table(data, book):
    for name, frame in data.tables.items():
        frame = with_labels(name, frame)
        sheet = book[name]
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == list(frame.columns)
        assert len(values) == len(frame) + 1
        for row, expected in zip(values[1:], frame.itertuples(index=False), strict=True):
            for cell, value in zip(row, expected, strict=True):
                assert same(cell, value.item() if hasattr(value, "item") else value), (name, row)


def test_money_share_and_count_formats(book):
    assert book["spend"]["C2"].number_format == '"¥"#,##0;-"¥"#,##0'
    comparison = book["comparison"]
    header = [c.value for c in comparison[1]]
    prob = comparison.cell(row=5, column=header.index("prob_better") + 1)
    assert prob.number_format == "0.0%"
    kpis = book["kpis"]
    metric_rows = {kpis.cell(row=r, column=1).value: r for r in range(2, kpis.max_row + 1)}
    mean = [c.value for c in kpis[1]].index("mean") + 1
    for money in ("revenue", "net_contribution", "target"):
        assert kpis.cell(row=metric_rows[money], column=mean).number_format.startswith('"¥"')
    for share in ("fill_rate", "hit_target", "attainment"):
        assert kpis.cell(row=metric_rows[share], column=mean).number_format == "0.0%"
    assert kpis.cell(row=metric_rows["net_contribution"], column=2).value == "Net contribution"
    assert book["reps"]["C2"].number_format == "#,##0"


def test_headers_are_bold_frozen_and_columns_sized(data, book):
    for name in data.tables:
        sheet = book[name]
        assert sheet.freeze_panes == "A2"
        assert all(c.font.bold for c in sheet[1])
        assert sheet.column_dimensions["A"].width >= len(str(sheet["A1"].value))


def test_hostile_text_is_stored_as_text_not_formula(book):
    channels = {c.value for c in book["spend"]["B"][1:]}
    assert "'" + HOSTILE_CHANNEL in channels
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(c.data_type != "f" for c in row)
    products = {c.value for c in book["stock"]["B"][1:]}
    assert HOSTILE_PRODUCT in products


def test_summary_holds_the_headline(data, book):
    labels = [c.value for c in book["summary"]["A"]]
    for item in data.headline:
        row = labels.index(item.label) + 1
        assert book["summary"].cell(row=row, column=3).value == pytest.approx(item.p50)


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(data, tmp_path, monkeypatch):
    path = tmp_path / "workbook.xlsx"
    path.write_bytes(b"old")

    def broken(_data):
        raise RuntimeError("disk full")

    monkeypatch.setattr(workbook_module, "workbook_bytes", broken)
    with pytest.raises(RuntimeError):
        write_workbook(data, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["workbook.xlsx"]


def test_write_leaves_no_temporary_file(data, tmp_path):
    write_workbook(data, tmp_path / "w.xlsx")
    assert [p.name for p in Path(tmp_path).iterdir()] == ["w.xlsx"]
