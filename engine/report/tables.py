"""Tidy CSV text of the report's tables, safe to open in a spreadsheet.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run
as a formula by Excel or LibreOffice (``=cmd|' /C calc'!A0``); such cells get a leading ``'``,
which spreadsheets show as plain text. Numbers are never changed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from engine.output import render_csv
from engine.report.data import ReportData

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` when it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised; numeric columns are untouched."""
    out = frame.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def table_csv(frame: pd.DataFrame) -> str:
    """CSV text of one table (header row, no index), neutralised."""
    return render_csv(neutralise_frame(frame))


def tables_csv(data: ReportData) -> dict[str, str]:
    """CSV text of every table of ``data``, keyed by table name."""
    return {name: table_csv(frame) for name, frame in data.tables.items()}
