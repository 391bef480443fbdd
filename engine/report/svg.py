"""SVG building blocks for the report's charts: scales, nice ticks, shapes, axes, legends.

Every function returns markup text; every piece of text passes through ``esc`` so names from a
scenario (``<script>``, ``=cmd|' /C calc'!A0``) are shown, never interpreted. The output is
well-formed XML and needs no stylesheet, script or font download: colours and fonts are
presentation attributes on the elements themselves.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

CJK_FONTS = ("'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', "
             "'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei'")
"""Fonts with Chinese glyphs, named after the Latin ones so Latin text keeps its look."""
FONT = ("system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, "
        f"{CJK_FONTS}, sans-serif")
INK = "#1f2933"
MUTED = "#616e7c"
GRID = "#e4e7eb"
AXIS = "#9aa5b1"
PRIMARY = "#2456a6"
TARGET = "#d9480f"
ALERT = "#c92a2a"
GOOD = "#2b8a3e"
CATEGORY = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)
"""Colours for categories (channels, metrics), in order."""

Point = tuple[float, float]


def esc(text: object) -> str:
    """Text made safe for XML/HTML content and attribute values."""
    return html.escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate with at most one decimal (keeps files small)."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Scale:
    """Linear map from a data interval ``lo..hi`` to a pixel interval ``start..end``."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        """Pixel position of ``value`` (the middle of the range when ``lo == hi``)."""
        if self.hi == self.lo:
            return (self.start + self.end) / 2
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)


@dataclass(frozen=True)
class Box:
    """The plotting area of a chart in pixels."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        """Pixel x of the right edge."""
        return self.left + self.width

    @property
    def bottom(self) -> float:
        """Pixel y of the bottom edge."""
        return self.top + self.height


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` intervals."""
    raw = span / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering ``lo..hi`` (the first ≤ lo, the last ≥ hi)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + (abs(lo) if lo else 1.0)
    step = nice_step(hi - lo, count)
    first = math.floor(lo / step + 1e-9) * step
    last = math.ceil(hi / step - 1e-9) * step
    n = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(n + 1)]


def document(width: float, height: float, label: str, body: Sequence[str]) -> str:
    """A standalone ``<svg>`` with a ``viewBox`` (scales to its container) and a title."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" height="{num(height)}" '
        f'font-family="{esc(FONT)}" font-size="12" fill="{INK}" aria-label="{esc(label)}">'
    )
    return head + f"<title>{esc(label)}</title>" + "".join(body) + "</svg>"


def text(x: float, y: float, content: object, *, anchor: str = "start", size: float = 12,
         fill: str = INK, weight: str = "normal", cls: str = "", halo: bool = False) -> str:
    """A text label; ``anchor`` is ``start``, ``middle`` or ``end``; ``halo`` outlines it in
    white so it stays readable over lines."""
    attrs = f' class="{cls}"' if cls else ""
    attrs += ' stroke="white" stroke-width="4" paint-order="stroke"' if halo else ""
    bold = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{num(size)}" '
            f'fill="{fill}"{bold}{attrs}>{esc(content)}</text>')


def line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = AXIS, width: float = 1,
         dash: str = "", cls: str = "") -> str:
    """A straight line segment."""
    extra = (f' stroke-dasharray="{dash}"' if dash else "") + (f' class="{cls}"' if cls else "")
    return (f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
            f'stroke="{stroke}" stroke-width="{num(width)}"{extra}/>')


def rect(x: float, y: float, w: float, h: float, *, fill: str, opacity: float = 1.0,
         stroke: str = "", cls: str = "", rx: float = 0, tip: str = "") -> str:
    """A rectangle; ``tip`` becomes a hover tooltip."""
    extra = f' fill-opacity="{opacity:g}"' if opacity < 1 else ""
    extra += f' stroke="{stroke}" stroke-width="1.5"' if stroke else ""
    extra += f' rx="{num(rx)}"' if rx else ""
    extra += f' class="{cls}"' if cls else ""
    body = f"<title>{esc(tip)}</title></rect>" if tip else "/>"
    return (f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" '
            f'height="{num(max(h, 0))}" fill="{fill}"{extra}' + (">" + body if tip else body))


def polyline(points: Sequence[Point], *, stroke: str, width: float = 2, dash: str = "",
             cls: str = "") -> str:
    """A line through ``points`` (no fill)."""
    coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    extra = (f' stroke-dasharray="{dash}"' if dash else "") + (f' class="{cls}"' if cls else "")
    return (f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
            f'stroke-width="{num(width)}" stroke-linejoin="round"{extra}/>')


def polygon(points: Sequence[Point], *, fill: str, opacity: float = 0.2, cls: str = "") -> str:
    """A filled area through ``points``."""
    coords = " ".join(f"{num(x)},{num(y)}" for x, y in points)
    extra = f' class="{cls}"' if cls else ""
    return f'<polygon points="{coords}" fill="{fill}" fill-opacity="{opacity:g}"{extra}/>'


def circle(x: float, y: float, r: float, *, fill: str, stroke: str = "white",
           cls: str = "", tip: str = "") -> str:
    """A dot (marker); ``tip`` becomes a hover tooltip."""
    extra = f' class="{cls}"' if cls else ""
    head = (f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="1.5"{extra}')
    return head + (f"><title>{esc(tip)}</title></circle>" if tip else "/>")


def y_grid(box: Box, scale: Scale, ticks: Sequence[float],
           label: Callable[[float], str]) -> list[str]:
    """Horizontal grid lines with tick labels left of the plotting area."""
    out = []
    for tick in ticks:
        y = scale(tick)
        out.append(line(box.left, y, box.right, y, stroke=GRID))
        out.append(text(box.left - 6, y + 4, label(tick), anchor="end", size=11, fill=MUTED))
    return out


def x_ticks(box: Box, scale: Scale, ticks: Sequence[float],
            label: Callable[[float], str]) -> list[str]:
    """A bottom axis line with tick marks and labels."""
    out = [line(box.left, box.bottom, box.right, box.bottom, stroke=AXIS)]
    for tick in ticks:
        x = scale(tick)
        out.append(line(x, box.bottom, x, box.bottom + 4, stroke=AXIS))
        out.append(text(x, box.bottom + 17, label(tick), anchor="middle", size=11, fill=MUTED))
    return out


def week_ticks(first: int, last: int) -> list[float]:
    """Week numbers to label on a time axis: all when few, otherwise every second or fourth."""
    span = last - first
    step = 1 if span <= 13 else 2 if span <= 26 else 4
    return [float(w) for w in range(first, last + 1, step)]


def legend(items: Sequence[tuple[str, str, str]], x: float, y: float) -> list[str]:
    """A one-line legend; items are ``(label, colour, mark)`` with mark ``band|line|dash|box``."""
    out: list[str] = []
    for label, colour, mark in items:
        if mark == "band":
            out.append(rect(x, y - 9, 18, 10, fill=colour, opacity=0.25))
        elif mark == "box":
            out.append(rect(x, y - 9, 12, 10, fill=colour))
        else:
            out.append(line(x, y - 4, x + 18, y - 4, stroke=colour, width=2.5,
                            dash="6 4" if mark == "dash" else ""))
        out.append(text(x + 23, y, label, size=11.5, fill=MUTED))
        x += 23 + 7.0 * len(label) + 18
    return out


def empty(width: float, height: float, message: str) -> str:
    """A chart placeholder saying why there is nothing to draw."""
    return document(width, height, message,
                    [text(width / 2, height / 2, message, anchor="middle", fill=MUTED)])
