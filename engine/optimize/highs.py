"""Solving the plan with HiGHS in-process: the whole matrix in one ``passModel`` call, a session
that can change bounds and re-solve without rebuilding, every status mapped to ``SolveStatus``.

Duals follow one convention throughout quarterplan: a row's dual is the change in the optimal
objective (money) per unit increase of the row's bound, ``d objective / d rhs`` — HiGHS's own
sign for a maximisation. For a MILP the duals come from the LP with the integers fixed at the
plan's values.
"""

from __future__ import annotations

import highspy
import numpy as np
from highspy._core import _Highs

from engine.errors import SolverError
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions, SolveStatus
from engine.optimize.solution import Solution

_MS = highspy.HighsModelStatus
_STOPPED = {
    _MS.kTimeLimit,
    _MS.kIterationLimit,
    _MS.kSolutionLimit,
    _MS.kInterrupt,
    _MS.kObjectiveBound,
    _MS.kObjectiveTarget,
}
_FEASIBLE_SOLUTION = 2  # HiGHS's kSolutionStatusFeasible


def to_highs_lp(model: PlanModel) -> highspy.HighsLp:
    """The model as a ``HighsLp`` (row-wise matrix, names, integrality, maximise)."""
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = model.num_cols, len(model.rows)
    lp.col_cost_ = np.asarray(model.cost, dtype=float)
    lp.col_lower_ = np.array(model.lower, dtype=float)
    lp.col_upper_ = np.array(model.upper, dtype=float)
    lp.row_lower_ = np.array([r.lower for r in model.rows], dtype=float)
    lp.row_upper_ = np.array([r.upper for r in model.rows], dtype=float)
    start, index, value = model.csr()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = start, index, value
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.offset_ = model.offset
    lp.col_names_ = list(model.names)
    lp.row_names_ = [r.name for r in model.rows]
    if any(model.integer):
        kinds = (highspy.HighsVarType.kInteger, highspy.HighsVarType.kContinuous)
        lp.integrality_ = [kinds[0] if i else kinds[1] for i in model.integer]
    return lp


def new_highs() -> _Highs:
    """A silent HiGHS instance (the core class: ``highspy.Highs`` prints a banner on stdout)."""
    h = _Highs()
    h.setOptionValue("output_flag", False)
    return h


class HighsSession:
    """One model loaded in HiGHS; change bounds and ``run`` again, reusing the basis."""

    def __init__(self, model: PlanModel) -> None:
        self.model = model
        self.highs = new_highs()
        self.integer = np.flatnonzero(model.integer).astype(np.int32)
        _check(self.highs.passModel(to_highs_lp(model)), "passModel")

    def start_from(self, other: HighsSession) -> None:
        """Start the next run from ``other``'s final basis (a model of the same shape whose
        coefficients moved: the queue loop's rounds); nothing when the shapes differ."""
        if (other.model.num_cols, len(other.model.rows)) != (self.model.num_cols,
                                                              len(self.model.rows)):
            return
        basis = other.highs.getBasis()
        if basis.valid:
            _check(self.highs.setBasis(basis), "setBasis")

    def change_row_bounds(self, row: int, lower: float, upper: float) -> None:
        """Set the bounds of row ``row``."""
        _check(self.highs.changeRowBounds(row, lower, upper), "changeRowBounds")

    def run(self, options: OptimizeOptions, mip_gap: float) -> Solution:
        """Solve and read the solution; duals from the LP (integers fixed for a MILP)."""
        h = self.highs
        h.setOptionValue("time_limit", float(options.time_limit or "inf"))
        h.setOptionValue("mip_rel_gap", float(mip_gap))
        h.run()
        status = self._status()
        if not status.has_plan:
            return Solution(status, float("nan"), float("nan"), np.zeros(0), np.zeros(0), "highs")
        info = h.getInfo()
        x = np.array(h.getSolution().col_value)
        gap = float(info.mip_gap) if len(self.integer) else 0.0
        if len(self.integer):
            dual, source, ranges = self._duals(x)
        else:
            dual, source, ranges = self._row_dual(), "the LP", self._row_range()
        return Solution(status, float(info.objective_function_value), gap, x, dual, "highs",
                        source, ranges)

    def duals_at(self, x: np.ndarray) -> tuple[np.ndarray, str, np.ndarray]:
        """Row duals and their ranges at a solution found elsewhere (CBC): the LP, integers
        fixed at ``x``."""
        if len(self.integer):
            return self._duals(x)
        self.highs.run()
        if self.highs.getModelStatus() != _MS.kOptimal:
            return np.zeros(0), "the LP", np.zeros((0, 2))
        return self._row_dual(), "the LP", self._row_range()

    def _status(self) -> SolveStatus:
        code = self.highs.getModelStatus()
        if code == _MS.kUnboundedOrInfeasible:
            self.highs.setOptionValue("presolve", "off")
            self.highs.run()
            self.highs.setOptionValue("presolve", "choose")
            code = self.highs.getModelStatus()
        return map_status(code, self.highs.getInfo().primal_solution_status)

    def _row_dual(self) -> np.ndarray:
        solution = self.highs.getSolution()
        return np.array(solution.row_dual) if solution.dual_valid else np.zeros(0)

    def _row_range(self) -> np.ndarray:
        """(rows x 2) the values between which each row's binding bound can move with its dual
        unchanged (HiGHS ranging of the optimal basis; empty when not available)."""
        status, ranging = self.highs.getRanging()
        if status == highspy.HighsStatus.kError or not ranging.valid:
            return np.zeros((0, 2))
        return np.column_stack([np.array(ranging.row_bound_dn.value_, dtype=float),
                                np.array(ranging.row_bound_up.value_, dtype=float)])

    def _duals(self, x: np.ndarray) -> tuple[np.ndarray, str, np.ndarray]:
        """Row duals (and their ranges) of the LP with the integer columns fixed at their
        (rounded) values."""
        h, cols = self.highs, self.integer
        lower = np.array([self.model.lower[j] for j in cols])
        upper = np.array([self.model.upper[j] for j in cols])
        fixed = np.round(x[cols])
        continuous = np.full(len(cols), highspy.HighsVarType.kContinuous)
        integer = np.full(len(cols), highspy.HighsVarType.kInteger)
        h.changeColsIntegrality(len(cols), cols, continuous)
        h.changeColsBounds(len(cols), cols, fixed, fixed)
        h.run()
        ok = h.getModelStatus() == _MS.kOptimal
        dual = self._row_dual() if ok else np.zeros(0)
        ranges = self._row_range() if ok else np.zeros((0, 2))
        h.changeColsBounds(len(cols), cols, lower, upper)
        h.changeColsIntegrality(len(cols), cols, integer)
        return dual, "the LP with hires fixed at the plan's values", ranges


def map_status(code: highspy.HighsModelStatus, primal_status: int) -> SolveStatus:
    """Our status for a HiGHS model status (and whether a feasible solution exists)."""
    if code == _MS.kOptimal:
        return SolveStatus.OPTIMAL
    if code == _MS.kInfeasible:
        return SolveStatus.INFEASIBLE
    if code == _MS.kUnbounded:
        return SolveStatus.UNBOUNDED
    if code in _STOPPED:
        has = primal_status == _FEASIBLE_SOLUTION
        return SolveStatus.FEASIBLE if has else SolveStatus.TIME_LIMIT
    return SolveStatus.ERROR


def _check(status: highspy.HighsStatus, what: str) -> None:
    if status == highspy.HighsStatus.kError:
        raise SolverError(f"HiGHS rejected the model in {what}")
