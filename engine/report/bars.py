"""Bar charts: spend split, the funnel by stage, comparisons with intervals.

Pure functions from tidy tables (see ``engine.report.data``) to self-contained SVG text.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from engine.report.formatting import format_count, format_money, format_share, format_value
from engine.report.svg import (
    ALERT,
    AXIS,
    CATEGORY,
    GOOD,
    INK,
    MUTED,
    PRIMARY,
    Box,
    Scale,
    circle,
    document,
    empty,
    legend,
    line,
    nice_ticks,
    rect,
    text,
)

WIDTH = 760.0
ROW = 26.0
LABEL_WIDTH = 150.0


def _short_name(name: object, limit: int = 22) -> str:
    """A label cut to ``limit`` characters with an ellipsis (the full name is in the tooltip)."""
    label = str(name)
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _totals(spend: pd.DataFrame, by: str, limit: int) -> pd.Series:
    """Spend per ``by`` value, largest first; beyond ``limit`` rows the rest is one ``Other``."""
    totals = spend.groupby(by, sort=False)["spend"].sum().sort_values(ascending=False)
    if len(totals) <= limit:
        return totals
    rest = totals.iloc[limit - 1:]
    other = pd.Series([rest.sum()], index=[f"Other ({len(rest)})"])
    return pd.concat([totals.iloc[: limit - 1], other])


def spend_bars_svg(spend: pd.DataFrame, by: str, currency: str, *, limit: int = 14,
                   width: float = 480) -> str:
    """Quarter spend per ``by`` (``channel`` or ``region``) as horizontal bars with shares.

    ``spend`` has ``region, channel, spend`` (money per quarter). ``width`` is the drawing's
    width in pixels (two charts fit side by side at the default).
    """
    totals = _totals(spend, by, limit)
    if totals.empty or totals.sum() <= 0:
        return empty(width, 80, "No spend")
    box = Box(120, 10, width - 120 - 128, ROW * len(totals))
    sx = Scale(0, float(totals.max()), box.left, box.right)
    grand = float(totals.sum())
    body: list[str] = []
    for i, (name, value) in enumerate(totals.items()):
        y = box.top + i * ROW
        colour = CATEGORY[i % len(CATEGORY)] if by == "channel" else PRIMARY
        tip = f"{name}: {format_money(value, currency)} ({format_share(value / grand)})"
        body.append(text(box.left - 8, y + ROW / 2 + 4, _short_name(name, 17), anchor="end"))
        body.append(rect(box.left, y + 4, sx(value) - box.left, ROW - 8, fill=colour, rx=2,
                         cls="bar", tip=tip))
        body.append(text(sx(value) + 6, y + ROW / 2 + 4,
                         f"{format_money(value, currency)}  ·  {format_share(value / grand)}",
                         size=11.5, fill=MUTED))
    body.append(line(box.left, box.top, box.left, box.bottom, stroke=AXIS))
    return document(width, box.bottom + 10, f"Spend by {by}", body)


def funnel_svg(funnel: pd.DataFrame) -> str:
    """Funnel stages as bars: entered, converted (dark) and gone cold (grey); bottleneck in red.

    ``funnel`` has ``stage, entered, converted, cold, bottleneck`` in stage order (counts per
    quarter).
    """
    if funnel.empty:
        return empty(WIDTH, 80, "No funnel")
    box = Box(LABEL_WIDTH, 34, WIDTH - LABEL_WIDTH - 230, 34.0 * len(funnel))
    sx = Scale(0, float(funnel["entered"].max()) or 1.0, box.left, box.right)
    body = legend([("Entered", "#c9d6ea", "box"), ("Converted", PRIMARY, "box"),
                   ("Went cold", "#adb5bd", "box"), ("Bottleneck", ALERT, "box")], box.left, 16)
    for i, row in enumerate(funnel.to_dict(orient="records")):
        body += _funnel_row(row, box.top + i * 34.0, box, sx)
    return document(WIDTH, box.bottom + 12, "Funnel by stage", body)


def _funnel_row(row: dict[Hashable, Any], y: float, box: Box, sx: Scale) -> list[str]:
    """One stage: label, the three bars, the conversion rate and the bottleneck mark."""
    entered, converted = float(row["entered"]), float(row["converted"])
    cold, stage, bottleneck = float(row["cold"]), str(row["stage"]), bool(row["bottleneck"])
    rate = converted / entered if entered > 0 else float("nan")
    colour = ALERT if bottleneck else INK
    out = [text(box.left - 8, y + 21, _short_name(stage), anchor="end", fill=colour,
                weight="600" if bottleneck else "normal"),
           rect(box.left, y + 6, sx(entered) - box.left, 22, fill="#c9d6ea", rx=2, cls="bar",
                stroke=ALERT if bottleneck else "",
                tip=f"{stage}: {format_count(entered)} entered"),
           rect(box.left, y + 6, sx(converted) - box.left, 22, fill=PRIMARY, rx=2, cls="converted",
                tip=f"{stage}: {format_count(converted)} converted ({format_share(rate)})")]
    if cold > 0:
        out.append(rect(sx(entered) - (sx(cold) - box.left), y + 6, sx(cold) - box.left, 22,
                        fill="#adb5bd", cls="cold", tip=f"{stage}: {format_count(cold)} went cold"))
    label = f"{format_count(entered)} in → {format_count(converted)} ({format_share(rate)})"
    label += f" · {format_count(cold)} cold" if cold > 0 else ""
    out.append(text(max(sx(entered), box.left) + 8, y + 21, label, size=11.5, fill=MUTED))
    if bottleneck:
        out.append(text(WIDTH - 6, y + 21, "▲ bottleneck", anchor="end", fill=ALERT,
                        weight="700", size=11.5, cls="bottleneck"))
    return out


PROBABILITY_METRICS = frozenset({"hit_target"})
"""0/1 outcomes: shown by their mean, the probability (their percentiles are 0 or 1)."""


def comparison_svg(comparison: pd.DataFrame, metric: str, unit: str, currency: str) -> str:
    """One KPI across scenarios: P50 bars with P10–P90 whiskers; the first row is the baseline.

    ``comparison`` has ``scenario, metric, p10, p50, p90``; ``unit`` formats the values.
    """
    rows = comparison[comparison["metric"] == metric]
    if rows.empty:
        return empty(WIDTH / 2, 60, f"No comparison for {metric}")
    if metric in PROBABILITY_METRICS and "mean" in rows.columns:
        # a 0/1 outcome: its P10/P50/P90 are 0 or 1; the bar is the probability, no whisker
        mean = rows["mean"]
        rows = rows.assign(p10=mean, p50=mean, p90=mean)
    width, label_w = WIDTH / 2 - 10, 120.0
    box = Box(label_w, 34, width - label_w - 70, ROW * len(rows))
    lo = min(0.0, float(rows[["p10", "p50", "p90"]].min().min()))
    hi = max(0.0, float(rows[["p10", "p50", "p90"]].max().max()))
    ticks = nice_ticks(lo, hi if hi > lo else lo + 1.0, 3)
    sx = Scale(ticks[0], ticks[-1], box.left, box.right)
    body = [text(10, 18, metric.replace("_", " ").capitalize(), weight="700", size=13)]
    for i, row in enumerate(rows.to_dict(orient="records")):
        y = box.top + i * ROW + ROW / 2
        p10, p50, p90 = float(row["p10"]), float(row["p50"]), float(row["p90"])
        colour = AXIS if i == 0 else CATEGORY[(i - 1) % len(CATEGORY)]
        left, right = sorted((sx(0), sx(p50)))
        body += [text(box.left - 8, y + 4, _short_name(row["scenario"], 16), anchor="end"),
                 rect(left, y - 8, right - left, 16, fill=colour, rx=2, cls="bar",
                      tip=f"{row['scenario']}: {format_value(p50, unit, currency)}")]
        if p10 != p90:
            body += [line(sx(p10), y, sx(p90), y, stroke=INK, width=1.5, cls="whisker"),
                     line(sx(p10), y - 5, sx(p10), y + 5, stroke=INK, width=1.5),
                     line(sx(p90), y - 5, sx(p90), y + 5, stroke=INK, width=1.5)]
        body.append(text(max(sx(p10), sx(p90), right) + 6, y + 4,
                         format_value(p50, unit, currency), size=11, fill=MUTED))
    legend = ("bar: probability" if metric in PROBABILITY_METRICS
              else "bar: P50 · whisker: P10–P90")
    body.append(text(box.left, box.bottom + 16, legend, size=10.5, fill=MUTED))
    return document(width, box.bottom + 24, f"{metric} by scenario", body)


def _difference_colour(prob: float, low: float, high: float) -> str:
    """Green when the alternative is clearly better, red when clearly worse: by P(better), or
    for a 0/1 KPI (no P(better)) by the sign of the interval (higher is better)."""
    if np.isfinite(prob):
        return GOOD if prob >= 0.975 else ALERT if prob <= 0.025 else MUTED
    return GOOD if low > 0 else ALERT if high < 0 else MUTED


def difference_svg(comparison: pd.DataFrame, metric: str, unit: str, currency: str) -> str:
    """Paired difference from the baseline with its 95% interval and P(better), per scenario.

    The baseline (first row of ``metric``) is left out: its ``diff_*`` columns are NaN.
    """
    rows = comparison[comparison["metric"] == metric].iloc[1:]
    rows = rows[rows["diff_mean"].notna()]  # baselines (one per world in a plan × world table)
    if rows.empty:
        return empty(WIDTH / 2, 60, "No alternative to compare")
    width, label_w = WIDTH / 2 - 10, 120.0
    box = Box(label_w, 34, width - label_w - 100, 1.3 * ROW * len(rows))
    reach = float(rows[["diff_lo", "diff_hi", "diff_mean"]].abs().max().max()) or 1.0
    sx = Scale(-reach * 1.05, reach * 1.05, box.left, box.right)
    body = [text(10, 18, "Difference from baseline", weight="700", size=13),
            line(sx(0), box.top - 4, sx(0), box.bottom + 4, stroke=AXIS, dash="3 3")]
    for i, row in enumerate(rows.to_dict(orient="records")):
        y = box.top + (i + 0.5) * 1.3 * ROW - 3
        prob, low, high = float(row["prob_better"]), float(row["diff_lo"]), float(row["diff_hi"])
        colour = _difference_colour(prob, low, high)
        mean = format_value(float(row["diff_mean"]), unit, currency)
        sign = "+" if float(row["diff_mean"]) > 0 else ""
        note = f"P(better) {format_share(prob)}" if np.isfinite(prob) else (
            f"[{format_value(low, unit, currency)}, {format_value(high, unit, currency)}]")
        body += [text(box.left - 8, y + 4, _short_name(row["scenario"], 16), anchor="end"),
                 line(sx(float(row["diff_lo"])), y, sx(float(row["diff_hi"])), y, stroke=colour,
                      width=2, cls="whisker"),
                 circle(sx(float(row["diff_mean"])), y, 5, fill=colour, cls="diff",
                        tip=f"{row['scenario']}: {sign}{mean}, {note}"),
                 text(box.right + 8, y + 4, f"{sign}{mean}", size=11.5, fill=colour, weight="600"),
                 text(box.right + 8, y + 17, note, size=10, fill=MUTED)]
    body.append(text(box.left, box.bottom + 16, "dot: mean difference · line: 95% interval",
                     size=10.5, fill=MUTED))
    return document(width, box.bottom + 24, f"{metric}: difference from baseline", body)
