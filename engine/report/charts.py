"""Charts over time and budget: the revenue fan, stock per product, cash, the frontier.

Pure functions from tidy tables (see ``engine.report.data``) to self-contained SVG text. Bar
charts (spend split, funnel, comparisons) are in ``engine.report.bars``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from engine.report.formatting import format_count, format_money, format_value
from engine.report.i18n import tr
from engine.report.svg import (
    ALERT,
    CATEGORY,
    MUTED,
    PRIMARY,
    TARGET,
    Box,
    Point,
    Scale,
    circle,
    document,
    empty,
    legend,
    line,
    nice_ticks,
    polygon,
    polyline,
    rect,
    text,
    week_ticks,
    x_ticks,
    y_grid,
)

WIDTH = 760.0


def _points(xs: Iterable[float], ys: Iterable[float], sx: Scale, sy: Scale) -> list[Point]:
    """Pixel points of the pairs whose value is not missing."""
    return [(sx(x), sy(y)) for x, y in zip(xs, ys, strict=True) if pd.notna(y)]


def _fan(frame: pd.DataFrame, x: str, sx: Scale, sy: Scale, colour: str, cls: str,
         width: float = 2.5) -> list[str]:
    """A P10–P90 band and a P50 line of ``frame`` (sorted by ``x``)."""
    upper = _points(frame[x], frame["p90"], sx, sy)
    lower = _points(frame[x], frame["p10"], sx, sy)
    return [polygon(upper + lower[::-1], fill=colour, opacity=0.18, cls="band"),
            polyline(_points(frame[x], frame["p50"], sx, sy), stroke=colour, width=width,
                     cls=cls)]


def _end_labels(labels: Sequence[tuple[float, str, str]], x: float) -> list[str]:
    """Labels at the right end of lines, pushed apart so they do not overlap (pixel y)."""
    out, last_y = [], -1e9
    for y, content, colour in sorted(labels):
        y = max(y, last_y + 15)
        out.append(text(x, y + 4, content, fill=colour, size=11.5, weight="600", halo=True))
        last_y = y
    return out


def _value_range(frame: pd.DataFrame, columns: Sequence[str],
                 zero: bool = True) -> tuple[float, float]:
    """Smallest (at most 0 when ``zero``) and largest value over ``columns``, ignoring missing
    values; a little headroom is added when the axis does not start at zero."""
    values = pd.concat([frame[c] for c in columns if c in frame.columns]).dropna()
    if values.empty:
        return 0.0, 1.0
    low, high = float(values.min()), float(values.max())
    if zero:
        return min(0.0, low), high
    pad = 0.08 * (high - low or abs(high) or 1.0)
    return low - pad, high + pad


def revenue_fan_svg(fan: pd.DataFrame, currency: str, *, height: float = 330,
                    lang: str = "en") -> str:
    """Cumulative revenue by week: P10–P90 band, P50 line and the cumulative target line.

    ``fan`` has ``week, p10, p50, p90, target`` (money, cumulative); a missing target is not drawn.
    """
    if fan.empty:
        return empty(WIDTH, 80, "No revenue bands")
    fan = fan.sort_values("week")
    box = Box(70, 40, WIDTH - 70 - 100, height - 40 - 36)
    weeks = fan["week"].astype(float)
    sx = Scale(float(weeks.min()), float(weeks.max()), box.left, box.right)
    ticks = nice_ticks(*_value_range(fan, ("p10", "p90", "p50", "target")))
    sy = Scale(ticks[0], ticks[-1], box.bottom, box.top)
    body = y_grid(box, sy, ticks, lambda v: format_money(v, currency))
    body += x_ticks(box, sx, week_ticks(int(weeks.min()), int(weeks.max())), lambda w: f"W{w:.0f}")
    body += _fan(fan, "week", sx, sy, PRIMARY, "p50")
    last = fan.iloc[-1]
    labels = [(sy(last["p50"]), "P50 " + format_money(last["p50"], currency), PRIMARY)]
    if fan["target"].notna().any():
        body.append(polyline(_points(weeks, fan["target"], sx, sy), stroke=TARGET, width=2,
                             dash="7 5", cls="target"))
        target = fan["target"].dropna().iloc[-1]
        labels.append((sy(target), "Target " + format_money(target, currency), TARGET))
    body += _end_labels(labels, box.right + 8)
    t = tr(lang)
    body += legend([("P10–P90", PRIMARY, "band"), (t("P50 (median)"), PRIMARY, "line"),
                    (t("Cumulative target"), TARGET, "dash")], box.left, 20)
    return document(WIDTH, height, "Cumulative revenue against target", body)


def cash_svg(cash: pd.DataFrame, currency: str, *, height: float = 300) -> str:
    """Cash and receivables by week: one P10–P90 band and P50 line per ``metric`` (money)."""
    if cash.empty:
        return empty(WIDTH, 80, "No cash series")
    box = Box(70, 40, WIDTH - 70 - 110, height - 40 - 36)
    weeks = cash["week"].astype(float)
    sx = Scale(float(weeks.min()), float(weeks.max()), box.left, box.right)
    ticks = nice_ticks(*_value_range(cash, ("p10", "p50", "p90")))
    sy = Scale(ticks[0], ticks[-1], box.bottom, box.top)
    body = y_grid(box, sy, ticks, lambda v: format_money(v, currency))
    body += x_ticks(box, sx, week_ticks(int(weeks.min()), int(weeks.max())), lambda w: f"W{w:.0f}")
    items, labels = [], []
    for i, (metric, part) in enumerate(cash.groupby("metric", sort=False)):
        part = part.sort_values("week")
        colour = (PRIMARY, CATEGORY[1], CATEGORY[2], CATEGORY[4])[i % 4]
        body += _fan(part, "week", sx, sy, colour, "p50")
        items.append((str(metric).capitalize(), colour, "line"))
        end = part.iloc[-1]["p50"]
        labels.append((sy(end), format_money(end, currency), colour))
    body += _end_labels(labels, box.right + 8)
    body += legend([*items, ("P10–P90", MUTED, "band")], box.left, 20)
    return document(WIDTH, height, "Cash and receivables by week", body)


def _panel(part: pd.DataFrame, name: str, alerts: Iterable[float], box: Box) -> list[str]:
    """One product's stock panel: band, P50, safety stock, alert weeks shaded."""
    weeks = part["week"].astype(float)
    sx = Scale(float(weeks.min()), float(weeks.max()), box.left, box.right)
    ticks = nice_ticks(*_value_range(part, ("p10", "p90", "safety_stock")), count=3)
    sy = Scale(ticks[0], ticks[-1], box.bottom, box.top)
    body = [text(box.left - 34, box.top - 10, name[:28], weight="600", size=12)]
    half = (sx(weeks.min() + 1) - sx(weeks.min())) / 2 if len(weeks) > 1 else 6
    for week in sorted(set(alerts)):
        x = sx(week)
        body.append(rect(max(x - half, box.left), box.top, min(2 * half, box.right - x + half),
                         box.height, fill=ALERT, opacity=0.14, cls="alert",
                         tip=f"{name}: alert in week {week:.0f}"))
        body.append(circle(x, box.bottom, 3, fill=ALERT, cls="alert-dot"))
    body += y_grid(box, sy, ticks, format_count)
    first, last = weeks.min(), weeks.max()
    body += x_ticks(box, sx, [first, last], lambda w: f"W{w:.0f}")
    body += _fan(part, "week", sx, sy, PRIMARY, "p50", width=1.8)
    body.append(polyline(_points(weeks, part["safety_stock"], sx, sy), stroke=TARGET, width=1.5,
                         dash="5 3", cls="safety"))
    return body


def stock_svg(stock: pd.DataFrame, alert_weeks: Mapping[str, Iterable[float]] | None = None,
              *, columns: int = 4) -> str:
    """Stock on hand against safety stock, one small panel per product (units).

    ``alert_weeks`` maps a product to the weeks with a safety-stock alert; they are shaded red.
    """
    if stock.empty:
        return empty(WIDTH, 80, "No stock series")
    alert_weeks = alert_weeks or {}
    products = list(dict.fromkeys(stock["product"]))
    panel_w, panel_h = WIDTH / columns, 150.0
    rows = -(-len(products) // columns)
    body = legend([("P10–P90", PRIMARY, "band"), ("P50 on hand", PRIMARY, "line"),
                   ("Safety stock", TARGET, "dash"), ("Alert week", ALERT, "band")], 50, 18)
    for i, product in enumerate(products):
        x0, y0 = (i % columns) * panel_w, 30 + (i // columns) * panel_h
        box = Box(x0 + 46, y0 + 28, panel_w - 60, panel_h - 56)
        part = stock[stock["product"] == product].sort_values("week")
        body += _panel(part, str(product), alert_weeks.get(str(product), ()), box)
    return document(WIDTH, 30 + rows * panel_h, "Stock on hand against safety stock", body)


def frontier_svg(frontier: pd.DataFrame, currency: str, *, column: str = "objective",
                 unit: str = "money", height: float = 260, zero: bool = False) -> str:
    """``column`` (objective, revenue or shadow_price) against the budget, current budget marked;
    when ``frontier`` has ``<column>_lo`` and ``<column>_hi``, each point shows that interval.

    ``frontier`` has ``budget`` (money per quarter) and ``current`` (bool: the scenario's own
    budget); ``unit`` formats the vertical axis, which starts at zero only when ``zero``.
    """
    if frontier.empty:
        return empty(WIDTH, 80, "No frontier")
    frontier = frontier.sort_values("budget")
    box = Box(76, 40, WIDTH - 76 - 40, height - 40 - 40)
    budgets = frontier["budget"].astype(float)
    xt = nice_ticks(float(budgets.min()), float(budgets.max()), 6)
    sx = Scale(xt[0], xt[-1], box.left, box.right)
    spread = tuple(c for c in (f"{column}_lo", f"{column}_hi") if c in frontier)
    yt = nice_ticks(*_value_range(frontier, (column, *spread), zero), count=4)
    sy = Scale(yt[0], yt[-1], box.bottom, box.top)
    body = y_grid(box, sy, yt, lambda v: format_value(v, unit, currency))
    body += x_ticks(box, sx, xt, lambda v: format_money(v, currency))
    body.append(text(box.right, box.bottom + 34, "Marketing budget (quarter)", anchor="end",
                     size=11, fill=MUTED))
    body.append(polyline(_points(budgets, frontier[column], sx, sy), stroke=PRIMARY,
                         width=2.5, cls="frontier"))
    for row in frontier.to_dict(orient="records"):
        value, budget = float(row[column]), float(row["budget"])
        tip = f"{format_money(budget, currency)}: {format_value(value, unit, currency)}"
        if len(spread) == 2:
            low, high = float(row[spread[0]]), float(row[spread[1]])
            tip += f" (95% interval {format_value(low, unit, currency)} to " \
                   f"{format_value(high, unit, currency)})"
            body.append(line(sx(budget), sy(low), sx(budget), sy(high), stroke=PRIMARY,
                             width=1.5, cls="whisker"))
        body.append(circle(sx(budget), sy(value), 4, fill=PRIMARY, tip=tip, cls="point"))
    body += _current_marker(frontier, column, unit, currency, sx, sy, box)
    label = column.replace("_", " ").capitalize()
    body += legend([(label, PRIMARY, "line"), ("Current budget", TARGET, "dash")], box.left, 20)
    return document(WIDTH, height, f"{label} against budget", body)


def _current_marker(frontier: pd.DataFrame, column: str, unit: str, currency: str,
                    sx: Scale, sy: Scale, box: Box) -> list[str]:
    """The current budget: a dashed vertical line, a ringed point and its value."""
    current = frontier[frontier["current"].astype(bool)]
    if current.empty:
        return []
    row = current.iloc[0]
    x, y = sx(float(row["budget"])), sy(float(row[column]))
    value = format_value(float(row[column]), unit, currency)
    anchor, dx = ("end", -10) if x > box.left + box.width * 0.7 else ("start", 10)
    return [line(x, box.top, x, box.bottom, stroke=TARGET, width=1.5, dash="6 4", cls="current"),
            circle(x, y, 7, fill="none", stroke=TARGET, cls="current-point"),
            text(x + dx, y - 12, f"current {format_money(row['budget'], currency)} → {value}",
                 anchor=anchor, fill=TARGET, size=11.5, weight="600", halo=True)]
