"""Reading an actuals file (CSV or ``.xlsx``) into rows of text with their row numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from engine.actuals.format import COLUMNS
from engine.errors import Problem, ScenarioError

REQUIRED_COLUMNS = ("week", "metric", "value")
FIRST_DATA_ROW = 2
"""Row number of the first data row (the header is row 1), as a spreadsheet shows it."""


def _cell_text(value: object) -> str:
    """Excel cells come back as numbers; ``3.0`` reads as ``3`` so ids and weeks compare."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_table(path: Path, source: str) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            raw = pd.read_excel(path, sheet_name=0, dtype=object)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        missing = Problem("", "no such actuals file", has_value=False)
        raise ScenarioError(source, [missing]) from None
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        problem = Problem("", f"cannot read the file as a table: {exc}", has_value=False)
        raise ScenarioError(source, [problem]) from None
    return raw


def read_rows(path: str | Path) -> pd.DataFrame:
    """The file's rows as text in the columns ``COLUMNS`` plus ``row`` (the file's row number).

    Raises
    ------
    ScenarioError
        The file is missing or unreadable, lacks a required column, or has an unknown one.
    """
    source = str(path)
    raw = _read_table(Path(path), source)
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    problems = [
        Problem(f"column {c}", "unknown column", has_value=False)
        for c in raw.columns
        if c not in COLUMNS
    ]
    problems += [
        Problem(f"column {c}", "required column is missing", has_value=False)
        for c in REQUIRED_COLUMNS
        if c not in raw.columns
    ]
    if problems:
        raise ScenarioError(source, problems)
    text = pd.DataFrame({c: raw[c].map(_cell_text) if c in raw else "" for c in COLUMNS})
    text["row"] = range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(text))
    blank = (text[list(COLUMNS)] == "").all(axis=1)
    return text[~blank].reset_index(drop=True)
