"""The HTML report: self-contained, escaped, one section per table present."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from engine.report import Headline, ReportData, render_html
from engine.report.sample import HOSTILE_CHANNEL, HOSTILE_PRODUCT, sample_report_data

SVG = re.compile(r"<svg\b.*?</svg>", re.S)


def section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', page)


def test_run_report_has_a_section_per_table_in_reading_order():
    page = render_html(sample_report_data("run"))
    assert section_ids(page) == ["revenue", "spend", "funnel", "stock", "cash", "kpis", "reps",
                                 "targets", "shadow-prices", "alerts", "about"]


@pytest.mark.parametrize(("kind", "first"), [("compare", "comparison"), ("sweep", "frontier")])
def test_compare_and_sweep_lead_with_their_own_section(kind, first):
    assert section_ids(render_html(sample_report_data(kind)))[0] == first


def test_absent_tables_give_no_section():
    data = sample_report_data("run")
    only = ReportData(title="t", scenario="s", currency="$", tables={
        "funnel": data.tables["funnel"]}, headline=[Headline("Revenue", 1, 2, 3)])
    page = render_html(only)
    assert section_ids(page) == ["funnel", "about"]
    assert "$2" in page


def test_every_chart_is_well_formed_svg():
    page = render_html(sample_report_data("compare"))
    charts = SVG.findall(page)
    assert len(charts) >= 12
    for chart in charts:
        ET.fromstring(chart)


def test_self_contained_no_script_no_network():
    page = render_html(sample_report_data("sweep"))
    assert "<script" not in page.lower()
    urls = set(re.findall(r"https?://[^\s\"')]+", page))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_hostile_names_are_escaped_everywhere():
    data = sample_report_data("run", hostile=True)
    titled = ReportData(title="<b>Q</b>", scenario="<i>x</i>", currency="¥",
                        headline=[Headline("<img src=x>", 1, 2, 3)], tables=data.tables,
                        meta={"<seed>": "<1>"})
    page = render_html(titled)
    assert HOSTILE_PRODUCT not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    for raw in ("<b>Q</b>", "<i>x</i>", "<img src=x>", "<seed>", "<1>"):
        assert raw not in page
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page and HOSTILE_CHANNEL not in page


def test_headline_cards_show_median_and_band():
    data = ReportData(title="t", scenario="s", currency="¥", headline=[
        Headline("Gross profit", 27.9e6, 29.4e6, 30.8e6, "money", "objective"),
        Headline("Chance", 0.58, 0.58, 0.58, "share")])
    page = render_html(data)
    assert '<div class="value">¥29.4M</div>' in page
    assert "P10–P90: ¥27.9M – ¥30.8M" in page
    assert '<div class="value">58.0%</div>' in page
    assert page.count("P10–P90:") == 1  # an exact figure has no band


def test_contract_is_checked():
    with pytest.raises(ValueError, match="lacks column"):
        ReportData(title="t", scenario="s", currency="¥",
                   tables={"spend": sample_report_data().tables["funnel"]})
    with pytest.raises(ValueError, match="kind"):
        ReportData(title="t", scenario="s", currency="¥", kind="other")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unit"):
        Headline("x", 1, 2, 3, "euros")  # type: ignore[arg-type]


def test_recalibrate_report_opens_with_what_changed_and_why() -> None:
    from dataclasses import replace

    from engine.report import render_html
    from engine.report.sample import sample_report_data

    data = sample_report_data("run")
    lines = ["conversion at proposal fell from 65% to 52% <in two regions>", "targets lowered"]
    data = replace(data, kind="recalibrate", meta={**data.meta, "explanation": lines})
    html = render_html(data)
    section = html.split('id="explanation"', 1)[1]
    assert "What changed and why" in section.split("</section>", 1)[0]
    assert "&lt;in two regions&gt;" in section and "<in two regions>" not in html
    assert html.index('id="explanation"') < html.index('id="revenue"')
    assert html.split('id="about"', 1)[1].count("targets lowered") == 0
