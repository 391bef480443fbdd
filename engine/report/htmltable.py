"""HTML tables for the report: formatted by unit, long tables cut with a note, text escaped."""

from __future__ import annotations

from typing import Any

import pandas as pd

from engine.report.data import COLUMN_UNITS, ROW_UNIT_COLUMNS, row_units, with_labels
from engine.report.formatting import format_value
from engine.report.i18n import tr, translate_words
from engine.report.svg import esc


def _cell(value: Any, unit: str | None, currency: str) -> tuple[str, bool]:
    """Display text of one cell and whether it is numeric (right-aligned)."""
    if isinstance(value, bool):
        return ("yes" if value else "—"), False
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return "", True
    if isinstance(value, int | float):
        return format_value(float(value), unit or "number", currency), True
    return str(value), False


def _units(name: str, frame: pd.DataFrame, default: str) -> list[list[str | None]]:
    """Unit of every cell, column by column (``default`` for columns without a known unit)."""
    fixed = COLUMN_UNITS.get(name, {})
    per_row = ROW_UNIT_COLUMNS.get(name, ())
    rows = row_units(frame) if per_row and "metric" in frame.columns else None
    out: list[list[str | None]] = []
    for column in frame.columns:
        if rows is not None and column in per_row:
            out.append(list(rows))
        else:
            out.append([fixed.get(str(column), default)] * len(frame))
    return out


def html_table(frame: pd.DataFrame, currency: str, *, name: str = "", unit: str = "number",
               limit: int = 25, caption: str = "", lang: str = "en") -> str:
    """An HTML table of ``frame`` (first ``limit`` rows) with values formatted for their unit,
    headers and interface words in ``lang``.

    ``name`` is the table's name in ``ReportData.tables`` (it selects the known column units);
    numeric columns without a known unit are shown in ``unit`` (``money`` for a pivot of money).
    """
    t = tr(lang)
    shown = with_labels(name, frame.head(limit).reset_index(drop=True), lang)
    units = _units(name, shown, unit)
    shown = translate_words(shown, lang)
    head = "".join(
        f'<th class="num">{esc(t(_title(c)))}</th>' if pd.api.types.is_numeric_dtype(shown[c])
        and not pd.api.types.is_bool_dtype(shown[c]) else f"<th>{esc(t(_title(c)))}</th>"
        for c in shown.columns)
    body = []
    for r, row in enumerate(shown.itertuples(index=False)):
        cells = []
        for c, value in enumerate(row):
            content, numeric = _cell(_plain(value), units[c][r], currency)
            cells.append(f'<td class="num">{esc(content)}</td>' if numeric
                         else f"<td>{esc(content)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if len(frame) > limit:
        note = '<p class="note">' + esc(t(
            "Showing {shown} of {total} rows; the full table is in the CSV files and the "
            "workbook.").format(shown=limit, total=f"{len(frame):,}")) + "</p>"
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>{note}')


def _plain(value: Any) -> Any:
    """numpy scalars as Python values (``bool`` stays ``bool``)."""
    return value.item() if hasattr(value, "item") else value


def _title(column: object) -> str:
    """A column header as shown: underscores as spaces."""
    return str(column).replace("_", " ")
