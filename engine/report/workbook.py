"""The Excel workbook a planner opens: a summary sheet, then one formatted sheet per table.

Numbers are written as numbers (exactly the values of the tables) with number formats for their
unit: money with the scenario's currency, shares as percentages, counts with thousands
separators. Header rows are bold and frozen, columns sized to their content, text cells
neutralised against formula injection like the CSV files. The file is written atomically.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from engine.files import atomic_write
from engine.report.data import (
    COLUMN_UNITS,
    ROW_UNIT_COLUMNS,
    ReportData,
    row_units,
    with_labels,
)
from engine.report.formatting import excel_number_format
from engine.report.i18n import tr, translate_words
from engine.report.tables import neutralise

SUMMARY_SHEET = "summary"
HEADER_FILL = PatternFill("solid", fgColor="DCE4F2")
HEADER_FONT = Font(bold=True, color="1F2933")
MAX_WIDTH = 48


def sheet_name(name: str) -> str:
    """A valid worksheet name: at most 31 characters, none of ``[]:*?/\\``."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "table"


def cell_value(value: Any) -> Any:
    """A value openpyxl writes faithfully: plain numbers, ``None`` for missing, safe text."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) or math.isinf(number) else number
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return neutralise(str(value))


def _column_formats(name: str, frame: pd.DataFrame, currency: str) -> list[list[str | None]]:
    """Number format of every cell, column by column (``None``: leave as General)."""
    units = COLUMN_UNITS.get(name, {})
    per_row = ROW_UNIT_COLUMNS.get(name, ())
    rows = row_units(frame) if per_row and "metric" in frame.columns else None
    formats: list[list[str | None]] = []
    for column in frame.columns:
        numeric = frame[column]
        whole = bool(pd.api.types.is_numeric_dtype(numeric) and not pd.api.types.is_bool_dtype(
            numeric) and (numeric.dropna() % 1 == 0).all())
        if rows is not None and column in per_row:
            formats.append([excel_number_format(u, currency) for u in rows])
        elif column in units:
            formats.append([excel_number_format(units[column], currency, whole=whole)] * len(frame))
        else:
            formats.append([None] * len(frame))
    return formats


def _width(values: Sequence[Any], header: str) -> float:
    """Column width in characters for a header and its values (numbers counted formatted)."""
    longest = max([len(header), *(len(f"{v:,.0f}") + 2 if isinstance(v, float) else len(str(v))
                                  for v in values if v is not None)], default=8)
    return min(max(longest + 2, 8), MAX_WIDTH)


def header_text(column: object, lang: str) -> str:
    """A column header: the column's name in English (as in the CSV files), translated
    otherwise (``revenue_p50`` -> ``收入 P50``)."""
    if lang == "en":
        return str(column)
    words = str(column).replace("_", " ")
    translated = tr(lang)(words)
    return translated if translated != words else str(column)


def _write_table(sheet: Worksheet, name: str, frame: pd.DataFrame, currency: str,
                 lang: str = "en") -> None:
    """Header and rows of one table, with formats, frozen header, filter and widths."""
    frame = translate_words(with_labels(name, frame, lang), lang)
    headers = [header_text(c, lang) for c in frame.columns]
    sheet.append([neutralise(h) for h in headers])
    formats = _column_formats(name, frame, currency)
    columns = [[cell_value(v) for v in frame[c].tolist()] for c in frame.columns]
    for r in range(len(frame)):
        sheet.append([col[r] for col in columns])
        for c, column_formats in enumerate(formats):
            if column_formats[r]:
                sheet.cell(row=r + 2, column=c + 1).number_format = column_formats[r]
    for c, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=c)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(c)].width = _width(columns[c - 1], header)
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(frame) + 1}"


def _summary_frame(data: ReportData) -> pd.DataFrame:
    """The headline figures as a table (one row per figure)."""
    t = tr(data.lang)
    rows = [{"metric": t(h.label), "p10": h.p10, "p50": h.p50, "p90": h.p90, "unit": h.unit,
             "note": h.note} for h in data.headline]
    return pd.DataFrame(rows, columns=["metric", "p10", "p50", "p90", "unit", "note"])


def _write_summary(sheet: Worksheet, data: ReportData) -> None:
    """Title block, headline figures and run facts (seed, versions) on the first sheet."""
    sheet.append([neutralise(data.title)])
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append(["scenario", neutralise(data.scenario), "kind", data.kind])
    sheet.append([])
    frame = _summary_frame(data)
    start = sheet.max_row + 1
    sheet.append(list(frame.columns))
    for cell in sheet[start]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for row in frame.itertuples(index=False):
        sheet.append([cell_value(v) for v in row])
        number_format = excel_number_format(str(row.unit), data.currency)
        for column in (2, 3, 4):
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format
    sheet.append([])
    for key, value in data.meta.items():
        sheet.append([neutralise(str(key)), cell_value(value if _scalar(value) else str(value))])
    for letter, width in zip("ABCDEF", (34, 16, 16, 16, 10, 40), strict=True):
        sheet.column_dimensions[letter].width = width


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | np.generic) or value is None


def build_workbook(data: ReportData) -> Workbook:
    """The workbook in memory: ``summary`` then one sheet per table, in the tables' order."""
    book = Workbook()
    summary = book.active
    assert summary is not None
    t = tr(data.lang)
    summary.title = sheet_name(t(SUMMARY_SHEET))
    _write_summary(summary, data)
    for name, frame in data.tables.items():
        _write_table(book.create_sheet(sheet_name(t(name))), name, frame, data.currency,
                     data.lang)
    return book


def workbook_bytes(data: ReportData) -> bytes:
    """The ``.xlsx`` file's content."""
    buffer = io.BytesIO()
    build_workbook(data).save(buffer)
    return buffer.getvalue()


def write_workbook(data: ReportData, path: str | Path) -> Path:
    """Write the workbook to ``path`` atomically (temporary file in the same folder, rename)."""
    return atomic_write(path, workbook_bytes(data))
