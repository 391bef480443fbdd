"""The region x month heat map: the chance of hitting each month's target, one cell each."""

from __future__ import annotations

import itertools

import pandas as pd

from engine.report.formatting import format_share
from engine.report.i18n import tr
from engine.report.svg import MUTED, document, empty, rect, text

WIDTH, CELL_H, LEFT, TOP = 1000.0, 26.0, 170.0, 34.0
"""Drawn at the report's column width, so cells share what the labels leave."""


def _colour(p: float) -> str:
    """Red (likely to miss) through amber to green (likely to hit); grey without a target."""
    if pd.isna(p):
        return "#e4e7eb"
    stops = ((0.0, (201, 42, 42)), (0.5, (245, 159, 0)), (1.0, (43, 138, 62)))
    for (x0, c0), (x1, c1) in itertools.pairwise(stops):
        if p <= x1:
            t = (p - x0) / (x1 - x0)
            r, g, b = (round(a + (b_ - a) * t) for a, b_ in zip(c0, c1, strict=True))
            return f"#{r:02x}{g:02x}{b:02x}"
    return "#2b8a3e"


def heatmap_svg(outcomes: pd.DataFrame, row: str = "region", value: str = "hit_target",
                label: str = "Chance of hitting each month's target, by region",
                lang: str = "en") -> str:
    """Rows (``row``, in the table's order) x months of ``value`` (a share) from an outcomes
    table (``period`` ``month 1`` ...); each cell shows its percentage."""
    months = [p for p in dict.fromkeys(outcomes["period"]) if p != "quarter"]
    rows = list(dict.fromkeys(outcomes[row]))
    if not months or not rows:
        return empty(600, 80, "no monthly outcomes")
    cells = outcomes.set_index([row, "period"])[value]
    cell_w = (WIDTH - LEFT - 10) / len(months)
    width, height = WIDTH, TOP + CELL_H * len(rows) + 10
    t = tr(lang)
    label = t(label)
    body = [text(LEFT + cell_w * (j + 0.5), TOP - 10, t(m), anchor="middle", fill=MUTED)
            for j, m in enumerate(months)]
    for i, key in enumerate(rows):
        y = TOP + CELL_H * i
        body.append(text(LEFT - 8, y + CELL_H / 2 + 4, key, anchor="end"))
        for j, month in enumerate(months):
            p = float(cells.get((key, month), float("nan")))
            shown = format_share(p) if not pd.isna(p) else "—"
            body.append(rect(LEFT + cell_w * j + 1, y + 1, cell_w - 2, CELL_H - 2,
                             fill=_colour(p), rx=3, tip=f"{key}, {t(month)}: {shown}"))
            body.append(text(LEFT + cell_w * (j + 0.5), y + CELL_H / 2 + 4, shown,
                             anchor="middle", fill="white" if not pd.isna(p) else MUTED,
                             weight="600"))
    return document(width, height, label, body)
