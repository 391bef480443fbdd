"""What a solve returns, whichever solver ran it (HiGHS or CBC)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.optimize.options import SolveStatus


@dataclass(frozen=True)
class Solution:
    """What a solve returned.

    Attributes
    ----------
    status:
        Our status.
    objective:
        Objective value (money), NaN without a plan.
    gap:
        Relative MIP gap reached (0 for an LP), NaN without a plan.
    x:
        Column values (empty without a plan).
    row_dual:
        ``d objective / d rhs`` per row (empty when not available).
    solver:
        ``highs`` or ``cbc``.
    duals_from:
        ``"the LP"`` or ``"the LP with hires fixed at the plan's values"``.
    row_range:
        (rows x 2) for each row, the values between which its binding bound can move with
        ``row_dual`` unchanged (the same LP's ranging; empty when not available).
    """

    status: SolveStatus
    objective: float
    gap: float
    x: np.ndarray
    row_dual: np.ndarray
    solver: str
    duals_from: str = ""
    row_range: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
