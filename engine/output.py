"""One writer for everything a command prints: aligned text tables, JSON and CSV."""

from __future__ import annotations

import io
import json
import math
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

FORMATS = ("table", "json", "csv")


def to_jsonable(obj: Any) -> Any:
    """Plain Python data from numpy scalars, DataFrames, dataclasses with ``to_dict``, paths."""
    if hasattr(obj, "to_dict") and not isinstance(obj, pd.DataFrame | pd.Series):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, pd.DataFrame):
        return [to_jsonable(r) for r in obj.to_dict(orient="records")]
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        value = float(obj)
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, str | int | bool) or obj is None:
        return obj
    return str(obj)


def render_json(obj: Any) -> str:
    """Pretty JSON with a trailing newline."""
    return json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False) + "\n"


def render_csv(frame: pd.DataFrame) -> str:
    """CSV text of a tidy table."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:,.4g}"
    return str(value)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide and full-width characters (CJK) take two,
    combining marks none."""
    return sum(0 if unicodedata.combining(ch) else
               2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(width - display_width(text), 0)
    return fill + text if right else text + fill


def render_table(frame: pd.DataFrame, title: str | None = None,
                 right: Sequence[str] = ()) -> str:
    """An aligned text table: text columns left, numbers (and the columns named in ``right``,
    such as formatted figures) right; widths are display widths (CJK characters count two)."""
    columns = [str(c) for c in frame.columns]
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) or str(c) in right for c in frame.columns]
    widths = [max([display_width(c), *(display_width(r[i]) for r in rows)])
              for i, c in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        parts = [_pad(cell, w, num) for cell, w, num in zip(cells, widths, numeric, strict=True)]
        return "  ".join(parts).rstrip()

    out = [title] if title else []
    out += [line(columns), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out) + "\n"
