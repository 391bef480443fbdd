"""``Actuals``: a validated actuals table and the sums every analysis needs."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from engine.actuals.format import COLUMNS, KEYS
from engine.files import atomic_write


@dataclass(frozen=True)
class Actuals:
    """Weeks ``1 .. as_of_week`` of a quarter as it happened.

    Attributes
    ----------
    frame:
        ``week, region, channel, stage, product, line, metric, value, row``: one number per row
        (blank keys are ``""``; ``row`` is the row in the source file).
    as_of_week:
        The last week the actuals cover (0: none yet).
    source:
        Where they came from (a file name, or ``simulation``).
    """

    frame: pd.DataFrame
    as_of_week: int
    source: str = "actuals"

    def rows(self, metric: str) -> pd.DataFrame:
        """The rows of ``metric``."""
        return self.frame[self.frame.metric == metric]

    def has(self, metric: str) -> bool:
        """Whether any row carries ``metric``."""
        return bool((self.frame.metric == metric).any())

    def total(
        self, metric: str, by: Sequence[str] = (), weeks: tuple[int, int] | None = None
    ) -> pd.Series:
        """Sum of ``metric`` over weeks ``weeks`` (inclusive; default all), grouped ``by`` keys.

        Returns a Series indexed by the ``by`` keys (a one-element Series when ``by`` is
        empty), in the metric's unit.
        """
        rows = self.rows(metric)
        if weeks is not None:
            rows = rows[(rows.week >= weeks[0]) & (rows.week <= weeks[1])]
        if not by:
            return pd.Series([float(rows.value.sum())], index=["all"])
        return rows.groupby(list(by), sort=False).value.sum()

    def at_week(self, metric: str, week: int, by: Sequence[str]) -> pd.Series:
        """A snapshot metric (``open``, ``on_hand``, ...) at the end of ``week``, by keys."""
        rows = self.rows(metric)
        rows = rows[rows.week == week]
        return rows.groupby(list(by), sort=False).value.sum()

    def to_frame(self) -> pd.DataFrame:
        """The tidy table in the file's column order (without row numbers)."""
        return self.frame[list(COLUMNS)].reset_index(drop=True)


def actuals_frame(records: list[dict[str, object]]) -> pd.DataFrame:
    """A tidy actuals table from records (missing keys become blank)."""
    frame = pd.DataFrame(records, columns=list(COLUMNS))
    for key in KEYS:
        frame[key] = ["" if pd.isna(v) else str(v) for v in frame[key]]
    return frame.astype({"week": int, "value": float})


def write_actuals(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a tidy actuals table as CSV, or as a workbook when ``path`` ends in ``.xlsx``."""
    target = Path(path)
    table = frame[list(COLUMNS)]
    if target.suffix.lower() == ".xlsx":
        buffer = io.BytesIO()
        table.to_excel(buffer, index=False, sheet_name="actuals")
        return atomic_write(target, buffer.getvalue())
    text = io.StringIO()
    table.to_csv(text, index=False, lineterminator="\n")
    return atomic_write(target, text.getvalue())
