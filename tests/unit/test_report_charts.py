"""Charts are well-formed SVG with one mark per data item, placed where the data says."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from engine.report import (
    cash_svg,
    comparison_svg,
    difference_svg,
    frontier_svg,
    funnel_svg,
    revenue_fan_svg,
    spend_bars_svg,
    stock_svg,
)
from engine.report.formatting import format_count, format_money, format_share
from engine.report.sample import HOSTILE_CHANNEL, HOSTILE_PRODUCT, sample_report_data
from engine.report.svg import nice_ticks

NS = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox")
    return root


def marks(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}{tag}") if e.get("class") == cls]


def points(element: ET.Element) -> list[tuple[float, float]]:
    pairs = (p.split(",") for p in element.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    data = sample_report_data("run")
    return {**data.tables, **sample_report_data("compare").tables,
            **sample_report_data("sweep").tables}


def test_fan_has_band_median_and_target_with_one_point_per_week(tables):
    root = parse(revenue_fan_svg(tables["revenue_fan"], "¥"))
    (band,) = marks(root, "polygon", "band")
    (median,) = marks(root, "polyline", "p50")
    (target,) = marks(root, "polyline", "target")
    assert len(points(band)) == 2 * 13
    assert len(points(median)) == len(points(target)) == 13
    ys = [y for _, y in points(median)]
    assert all(a > b for a, b in itertools.pairwise(ys))  # cumulative: rises on screen


def test_fan_median_lies_inside_its_band(tables):
    root = parse(revenue_fan_svg(tables["revenue_fan"], "¥"))
    band = points(marks(root, "polygon", "band")[0])
    upper, lower = band[:13], band[13:][::-1]
    for (x, y), (_, top), (_, bottom) in zip(points(marks(root, "polyline", "p50")[0]), upper,
                                             lower, strict=True):
        assert top <= y <= bottom, x


def test_fan_without_target_draws_no_target_line(tables):
    fan = tables["revenue_fan"].assign(target=np.nan)
    assert marks(parse(revenue_fan_svg(fan, "¥")), "polyline", "target") == []


def test_spend_bars_one_per_channel_with_lengths_proportional_to_spend(tables):
    spend = tables["spend"]
    root = parse(spend_bars_svg(spend, "channel", "¥"))
    bars = marks(root, "rect", "bar")
    assert len(bars) == 6
    totals = spend.groupby("channel")["spend"].sum().sort_values(ascending=False)
    widths = [float(b.get("width")) for b in bars]
    ratios = np.array(widths) / widths[0]
    assert ratios == pytest.approx((totals / totals.iloc[0]).to_numpy(), abs=0.01)


def test_spend_bars_beyond_the_limit_are_grouped_as_other(tables):
    root = parse(spend_bars_svg(tables["spend"], "region", "¥", limit=5))
    assert len(marks(root, "rect", "bar")) == 5
    labels = [t.text for t in root.iter(f"{NS}text")]
    assert "Other (9)" in labels


def test_funnel_has_a_bar_per_stage_and_marks_the_bottleneck(tables):
    root = parse(funnel_svg(tables["funnel"]))
    assert len(marks(root, "rect", "bar")) == 4
    assert len(marks(root, "rect", "converted")) == 4
    assert len(marks(root, "text", "bottleneck")) == 1
    outlined = [b for b in marks(root, "rect", "bar") if b.get("stroke")]
    assert len(outlined) == 1


def test_stock_draws_a_panel_per_product_and_shades_alert_weeks(tables):
    stock = tables["stock"]
    alerts = {"aurora_pro": [3.0, 4.0], "refill": [11.0]}
    root = parse(stock_svg(stock, alerts))
    assert len(marks(root, "polyline", "p50")) == 8
    assert len(marks(root, "polyline", "safety")) == 8
    assert len(marks(root, "rect", "alert")) == 3
    assert len(marks(root, "circle", "alert-dot")) == 3


def test_cash_draws_one_line_per_metric(tables):
    root = parse(cash_svg(tables["cash"], "¥"))
    assert len(marks(root, "polyline", "p50")) == 2
    assert len(marks(root, "polygon", "band")) == 2


def test_comparison_bars_and_whiskers_per_scenario(tables):
    comparison = tables["comparison"]
    root = parse(comparison_svg(comparison, "revenue", "money", "¥"))
    assert len(marks(root, "rect", "bar")) == 3
    whiskers = marks(root, "line", "whisker")
    assert len(whiskers) == 3
    for whisker, bar in zip(whiskers, marks(root, "rect", "bar"), strict=True):
        end_of_bar = float(bar.get("x")) + float(bar.get("width"))
        assert float(whisker.get("x1")) <= end_of_bar <= float(whisker.get("x2"))


def test_difference_leaves_out_the_baseline(tables):
    root = parse(difference_svg(tables["comparison"], "revenue", "money", "¥"))
    assert len(marks(root, "circle", "diff")) == 2
    assert len(marks(root, "line", "whisker")) == 2


def test_frontier_marks_every_point_and_the_current_budget(tables):
    frontier = tables["frontier"]
    root = parse(frontier_svg(frontier, "¥"))
    dots = marks(root, "circle", "point")
    assert len(dots) == len(frontier) == 9
    (current,) = marks(root, "line", "current")
    is_current = frontier["current"].to_numpy()
    assert float(current.get("x1")) == pytest.approx(float(dots[int(is_current.argmax())]
                                                           .get("cx")), abs=0.1)


def test_hostile_names_are_text_not_markup():
    data = sample_report_data("run", hostile=True)
    for svg, name in ((stock_svg(data.tables["stock"]), HOSTILE_PRODUCT),
                      (spend_bars_svg(data.tables["spend"], "channel", "¥"), HOSTILE_CHANNEL)):
        root = parse(svg)
        assert not list(root.iter("script")) and not list(root.iter(f"{NS}script"))
        assert name in "".join(root.itertext())  # shown verbatim, as text
        assert "<script>" not in svg


@pytest.mark.parametrize("builder", [
    lambda: revenue_fan_svg(pd.DataFrame(columns=["week", "p10", "p50", "p90", "target"]), "¥"),
    lambda: stock_svg(pd.DataFrame(columns=["week", "product", "p10", "p50", "p90",
                                            "safety_stock"])),
    lambda: spend_bars_svg(pd.DataFrame(columns=["region", "channel", "spend"]), "channel", "¥"),
])
def test_empty_tables_give_a_placeholder(builder):
    root = parse(builder())
    assert "No" in "".join(root.itertext())


@pytest.mark.parametrize(("value", "expected"), [
    (1_234_567, "¥1.2M"), (950, "¥950"), (12_500, "¥12.5k"), (120_000, "¥120k"),
    (999_999, "¥1M"), (-3.2e9, "−¥3.2B"), (0, "¥0"), (float("nan"), ""),
])
def test_money_is_short_and_readable(value, expected):
    assert format_money(value, "¥") == expected


def test_shares_and_counts():
    assert format_share(0.4523) == "45.2%"
    assert format_count(1234) == "1,234"
    assert format_count(12.25) == "12.2"


@pytest.mark.parametrize(("lo", "hi"), [(0, 63.3e6), (0, 1), (-5, 17), (4.8e6, 7.2e6), (3, 3)])
def test_nice_ticks_cover_the_range_with_round_equal_steps(lo, hi):
    ticks = nice_ticks(lo, hi)
    assert ticks[0] <= lo and ticks[-1] >= hi
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0])
    mantissa = steps[0] / 10 ** math.floor(math.log10(steps[0]))
    assert round(mantissa, 6) in (1, 2, 2.5, 5, 10)
    assert 2 <= len(ticks) <= 8


def _negative_comparison() -> pd.DataFrame:
    """Net contribution below zero for every plan (a loss-making quarter), two worlds."""
    rows = []
    for world, plan, p50 in (("base", "a", -2.0e6), ("base", "b", -3.0e6),
                             ("war", "a", -4.0e6), ("war", "b", -3.5e6)):
        base = plan == "a"
        diff = np.nan if base else p50 - (-2.0e6 if world == "base" else -4.0e6)
        rows.append({"scenario": f"{plan} @ {world}", "plan": plan, "world": world,
                     "metric": "net_contribution", "mean": p50, "p10": p50 - 1e6, "p50": p50,
                     "p90": p50 + 0.5e6, "diff_mean": diff, "diff_lo": diff - 2e5,
                     "diff_hi": diff + 2e5, "prob_better": np.nan if base else 0.3})
    return pd.DataFrame(rows)


def test_comparison_of_negative_values_stays_on_the_card():
    root = parse(comparison_svg(_negative_comparison(), "net_contribution", "money", "¥"))
    width = float(root.get("viewBox", "0 0 0 0").split()[2])
    bars, whiskers = marks(root, "rect", "bar"), marks(root, "line", "whisker")
    assert len(bars) == 4 and len(whiskers) == 4
    for bar, whisker in zip(bars, whiskers, strict=True):
        left, right = float(bar.get("x")), float(bar.get("x")) + float(bar.get("width"))
        assert 0 <= left < right <= width
        x1, x2 = float(whisker.get("x1")), float(whisker.get("x2"))
        assert 0 <= x1 < x2 <= width
        assert x1 <= left <= x2  # a negative P50: the bar ends (on the left) inside its whisker


def test_difference_leaves_out_each_worlds_baseline():
    root = parse(difference_svg(_negative_comparison(), "net_contribution", "money", "¥"))
    assert len(marks(root, "circle", "diff")) == 2


def test_a_yes_no_outcome_is_drawn_as_a_probability_with_its_difference_interval():
    frame = pd.DataFrame([
        {"scenario": "a", "metric": "hit_target", "mean": 0.6, "p10": 0.0, "p50": 1.0,
         "p90": 1.0, "diff_mean": np.nan, "diff_lo": np.nan, "diff_hi": np.nan,
         "prob_better": np.nan},
        {"scenario": "b", "metric": "hit_target", "mean": 0.2, "p10": 0.0, "p50": 0.0,
         "p90": 1.0, "diff_mean": -0.4, "diff_lo": -0.5, "diff_hi": -0.3, "prob_better": np.nan},
    ])
    root = parse(comparison_svg(frame, "hit_target", "share", "¥"))
    bars = marks(root, "rect", "bar")
    assert marks(root, "line", "whisker") == []
    widths = [float(b.get("width")) for b in bars]
    assert widths[1] == pytest.approx(widths[0] * 0.2 / 0.6, rel=1e-6)
    diff = difference_svg(frame, "hit_target", "share", "¥")
    assert "P(better)" not in diff and "[−50.0%, −30.0%]" in diff
