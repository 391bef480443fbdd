"""Chinese and English from one catalogue: the .po is complete and agrees with the KPI
registry; the report and workbook speak the language asked for; Chinese money in 万 and 亿."""

from __future__ import annotations

from dataclasses import replace

import pytest
from babel.messages.pofile import read_po

from engine.kpis import REGISTRY
from engine.report import render_html
from engine.report.i18n import money_zh, po_path, tr
from engine.report.sample import sample_report_data
from engine.report.workbook import build_workbook


def test_the_catalogue_translates_every_message_it_lists():
    with po_path("zh").open("rb") as handle:
        catalog = read_po(handle)
    empty = [m.id for m in catalog if m.id and not m.string]
    assert empty == []
    assert len([m for m in catalog if m.id]) > 100


def test_kpi_labels_in_the_catalogue_equal_the_registry():
    t = tr("zh")
    assert {k.name: t(k.label) for k in REGISTRY} == {k.name: k.label_zh for k in REGISTRY}


def test_english_is_the_message_ids_and_unknown_text_passes_through():
    assert tr("en")("Targets at risk") == "Targets at risk"
    assert tr("zh")("shanghai") == "shanghai"


@pytest.mark.parametrize(("value", "text"), [
    (56_700_000, "¥5,670万"), (123_400_000, "¥1.23亿"), (523_000, "¥52.3万"),
    (8_500, "¥8,500"), (-1_500_000, "−¥150万"), (float("nan"), ""),
])
def test_money_in_wan_and_yi(value, text):
    assert money_zh(value, "¥") == text


def test_chinese_report_translates_titles_cards_and_headers():
    page = render_html(replace(sample_report_data("run"), lang="zh"))
    assert '<html lang="zh-CN">' in page
    for text in ("收入与目标", "关键指标", "关于本次运行", "毛利", "由 quarterplan 生成"):
        assert text in page, text
    assert "About this run" not in page and "Key figures" not in page
    assert "万" in page  # headline money in 万


def test_chinese_workbook_sheet_names_and_headers():
    book = build_workbook(replace(sample_report_data("run"), lang="zh"))
    assert book.sheetnames[0] == "摘要"
    assert {"关键指标", "投入", "目标", "预警"} <= set(book.sheetnames)
    header = [c.value for c in book["关键指标"][1]]
    assert header[:4] == ["指标", "名称", "均值", "标准误"]
    assert book["关键指标"].cell(row=2, column=2).value == "收入"
