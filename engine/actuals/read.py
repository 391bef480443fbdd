"""Reading an actuals file (CSV or ``.xlsx``) into rows of text with their row numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from engine.actuals.format import COLUMNS
from engine.errors import Problem, ScenarioError, clip
from engine.scenario.limits import MAX_ACTUALS_BYTES, read_bounded

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


def _fail(source: str, message: str) -> ScenarioError:
    return ScenarioError(source, [Problem("", message, has_value=False)])


def _csv_text(path: Path, source: str) -> str:
    raw = read_bounded(path, MAX_ACTUALS_BYTES, "the file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        raise _fail(source, f"row {row}: not UTF-8 text; save the file as CSV UTF-8") from None


def _check_shape(text: str, source: str) -> None:
    """A column named twice, or a row with more cells than the header, is an error."""
    rows = csv.reader(io.StringIO(text))
    names = [c.strip().lower() for c in next(rows, [])]
    twice = sorted({c for c in names if names.count(c) > 1})
    problems = [Problem(f"column {c}", "is written twice", has_value=False) for c in twice]
    problems += [Problem(f"row {n}", f"{len(cells)} cells, but the header has {len(names)}",
                         has_value=False)
                 for n, cells in enumerate(rows, start=FIRST_DATA_ROW) if len(cells) > len(names)]
    if problems:
        raise ScenarioError(source, problems)


def _read_table(path: Path, source: str) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            read_bounded(path, MAX_ACTUALS_BYTES, "the file")
            return pd.read_excel(path, sheet_name=0, dtype=object)
        text = _csv_text(path, source)
        _check_shape(text, source)
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise _fail(source, "no such actuals file") from None
    except IsADirectoryError:
        raise _fail(source, "is a folder, not a file") from None
    except ScenarioError:
        raise
    except pd.errors.ParserError as exc:
        raise _fail(source, f"rows do not match the header: {exc}".replace("line", "row")
                    ) from None
    except Exception as exc:  # openpyxl and zipfile raise many types on a broken workbook
        raise _fail(source, f"cannot read the file as a table: {clip(str(exc), 200)}") from None


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
    if len(set(raw.columns)) < len(raw.columns):
        raise _fail(source, "a column is written twice")
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
