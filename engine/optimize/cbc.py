"""Solving the plan with CBC through PuLP (the fallback solver), statuses mapped to ours.

PuLP does not raise on an infeasible or unbounded model, so both its status and its solution
status are read. CBC's duals are not used: shadow prices come from HiGHS on the LP (with the
hires fixed at CBC's values for a MILP), and the solution says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pulp

from engine.optimize.highs import HighsSession, Solution
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions, SolveStatus


def map_pulp_status(status: int, sol_status: int, time_limited: bool) -> SolveStatus:
    """Our status from PuLP's ``status`` and ``sol_status`` codes."""
    if sol_status == pulp.LpSolutionOptimal and status == pulp.LpStatusOptimal:
        return SolveStatus.OPTIMAL
    if sol_status == pulp.LpSolutionIntegerFeasible:
        return SolveStatus.FEASIBLE
    if status == pulp.LpStatusInfeasible:
        return SolveStatus.INFEASIBLE
    if status == pulp.LpStatusUnbounded:
        return SolveStatus.UNBOUNDED
    if status == pulp.LpStatusNotSolved and time_limited:
        return SolveStatus.TIME_LIMIT
    return SolveStatus.ERROR


def solve_cbc(m: PlanModel, options: OptimizeOptions, mip_gap: float) -> Solution:
    """Solve ``m`` with PuLP's bundled CBC."""
    problem, variables = m.to_pulp()
    with warnings.catch_warnings():
        # PuLP 3.3 marks its bundled CBC deprecated (for 4.0); it is still the CBC it ships
        warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=options.time_limit, gapRel=mip_gap)
        problem.solve(solver)
    status = map_pulp_status(problem.status, problem.sol_status, options.time_limit is not None)
    if not status.has_plan:
        return Solution(status, float("nan"), float("nan"), np.zeros(0), np.zeros(0), "cbc")
    x = np.array([v.varValue or 0.0 for v in variables])
    dual, source = HighsSession(m).duals_at(x)
    gap = 0.0 if not any(m.integer) else float("nan")
    objective = float(m.cost @ x + m.offset)
    return Solution(status, objective, gap, x, dual, "cbc", f"{source} (solved by HiGHS)")
