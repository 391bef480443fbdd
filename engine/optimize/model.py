"""The plan model as plain arrays: named columns, named rows, an objective.

``PlanModel`` is the one representation every solver path reads: HiGHS receives it whole in one
``passModel`` call (``engine.optimize.highs``); PuLP builds its ``LpProblem`` from it for CBC and
for writing MPS (``engine.optimize.cbc.to_pulp``). Row names are the business's (``budget``,
``rep_capacity[shanghai,field]``), each with a family and a plain-language meaning, so a
diagnosis can speak in the planner's words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from engine.optimize.inputs import ModelInputs

INF = float("inf")
INTERNAL = ("spend_pieces", "lead_response")
"""Families that define variables rather than restrict the plan (no shadow price shown)."""


@dataclass
class Row:
    """One constraint: ``lower <= sum(coefs * x[cols]) <= upper``."""

    name: str
    family: str
    cols: np.ndarray
    coefs: np.ndarray
    lower: float
    upper: float
    meaning: str = ""
    """What the row says in the planner's words."""
    unit: str = ""
    """Unit of one unit of the row's right-hand side."""


@dataclass
class PlanModel:
    """Columns, rows and objective of one plan, plus where each decision lives.

    Index arrays hold column numbers (``-1`` where a decision does not exist): ``spend`` and
    ``leads`` are ``R x C``, ``added`` is ``R x O``, ``backup`` is ``P``.
    """

    inputs: ModelInputs
    names: list[str] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    row_index: dict[str, int] = field(default_factory=dict)
    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    offset: float = 0.0
    index: dict[str, np.ndarray] = field(default_factory=dict)
    session: Any = None
    """The solver session kept for re-solves (a ``HighsSession``), created by ``solve``."""

    @property
    def num_cols(self) -> int:
        """Number of columns (decision variables)."""
        return len(self.names)

    def add_columns(
        self,
        names: Sequence[str],
        lower: Sequence[float] | np.ndarray,
        upper: Sequence[float] | np.ndarray,
        integer: bool = False,
    ) -> np.ndarray:
        """Add columns; return their indices."""
        start = len(self.names)
        self.names.extend(names)
        self.lower.extend(float(v) for v in lower)
        self.upper.extend(float(v) for v in upper)
        self.integer.extend([integer] * len(names))
        return np.arange(start, len(self.names))

    def add_row(
        self,
        name: str,
        family: str,
        terms: tuple[np.ndarray, np.ndarray],
        lower: float = -INF,
        upper: float = INF,
        meaning: str = "",
        unit: str = "",
    ) -> None:
        """Add ``lower <= sum(coef * x) <= upper`` with ``terms = (cols, coefs)``."""
        cols, coefs = terms
        keep = coefs != 0
        row = Row(
            name,
            family,
            cols[keep].astype(np.int32),
            coefs[keep].astype(float),
            lower,
            upper,
            meaning,
            unit,
        )
        self.row_index[name] = len(self.rows)
        self.rows.append(row)

    def set_objective(self, cols: np.ndarray, coefs: np.ndarray, offset: float) -> None:
        """Maximise ``sum(coefs * x[cols]) + offset`` (money)."""
        self.cost = np.zeros(self.num_cols)
        np.add.at(self.cost, cols, coefs)
        self.offset = float(offset)

    def row(self, name: str) -> Row:
        """The row called ``name``."""
        return self.rows[self.row_index[name]]

    def set_row_bounds(self, name: str, lower: float, upper: float) -> None:
        """Change a row's bounds, here and in a live solver session."""
        row = self.row(name)
        row.lower, row.upper = lower, upper
        if self.session is not None:
            self.session.change_row_bounds(self.row_index[name], lower, upper)

    def set_budget(self, spendable: float) -> None:
        """Change the money the plan may spend (money per quarter) without rebuilding.

        The response pieces were placed for the budget the model was built with; beyond it the
        last piece extends in a straight line. For a sweep, build with the largest budget
        (``OptimizeOptions(budget=...)``) and set smaller ones.
        """
        self.set_row_bounds("budget", -INF, float(spendable))

    def activity(self, x: np.ndarray) -> np.ndarray:
        """Each row's ``sum(coef * x)`` at the column values ``x``."""
        return np.array([float(r.coefs @ x[r.cols]) for r in self.rows])

    def csr(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The constraint matrix row-wise: ``(start, index, value)``."""
        lengths = np.array([len(r.cols) for r in self.rows], dtype=np.int64)
        start = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        if not self.rows:
            return start, np.zeros(0, np.int32), np.zeros(0)
        index = np.concatenate([r.cols for r in self.rows]).astype(np.int32)
        value = np.concatenate([r.coefs for r in self.rows])
        return start, index, value
