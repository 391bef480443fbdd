"""Solving the plan with CBC through PuLP (the fallback solver), statuses mapped to ours.

PuLP does not raise on an infeasible or unbounded model, so both its status and its solution
status are read. CBC's duals are not used: shadow prices come from HiGHS on the LP (with the
hires fixed at CBC's values for a MILP), and the solution says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pulp

from engine.optimize.highs import HighsSession
from engine.optimize.model import INF, PlanModel, Row
from engine.optimize.options import OptimizeOptions, SolveStatus
from engine.optimize.solution import Solution


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
    problem, variables = to_pulp(m)
    with warnings.catch_warnings():
        # PuLP 3.3 marks its bundled CBC deprecated (for 4.0); it is still the CBC it ships
        warnings.filterwarnings("ignore", "PULP_CBC_CMD is deprecated", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=options.time_limit, gapRel=mip_gap)
        problem.solve(solver)
    status = map_pulp_status(problem.status, problem.sol_status, options.time_limit is not None)
    if not status.has_plan:
        return Solution(status, float("nan"), float("nan"), np.zeros(0), np.zeros(0), "cbc")
    x = np.array([v.varValue or 0.0 for v in variables])
    dual, source, ranges = HighsSession(m).duals_at(x)
    gap = 0.0 if not any(m.integer) else float("nan")
    objective = float(m.cost @ x + m.offset)
    return Solution(status, objective, gap, x, dual, "cbc", f"{source} (solved by HiGHS)",
                    ranges)


def to_pulp(
    m: PlanModel, name: str = "quarterplan"
) -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
    """The same model as a PuLP problem (for CBC and MPS); rows are built as
    ``LpAffineExpression`` from (variable, coefficient) lists. The objective's constant
    sits on an extra column ``objective_constant`` fixed at 1, so MPS keeps it."""
    problem = pulp.LpProblem(name, pulp.LpMaximize)
    variables = [
        problem.add_variable(
            n,
            None if lo == -INF else lo,
            None if up == INF else up,
            pulp.LpInteger if integer else pulp.LpContinuous,
        )
        for n, lo, up, integer in zip(
            m.names, m.lower, m.upper, m.integer, strict=True
        )
    ]
    # MPS has no objective constant: carry it on a column fixed at 1
    one = problem.add_variable("objective_constant", 1.0, 1.0)
    nz = np.flatnonzero(m.cost)
    problem += pulp.LpAffineExpression(
        [(variables[j], float(m.cost[j])) for j in nz] + [(one, m.offset)]
    )
    for row in m.rows:
        expr = pulp.LpAffineExpression(
            [
                (variables[j], c)
                for j, c in zip(row.cols.tolist(), row.coefs.tolist(), strict=True)
            ]
        )
        for sense, rhs, suffix in _senses(row):
            problem += pulp.LpConstraint(expr, sense, row.name + suffix, rhs)
    return problem, variables


def _senses(row: Row) -> list[tuple[int, float, str]]:
    """PuLP has no ranged rows: one or two one-sided constraints per row."""
    if row.lower == row.upper:
        return [(pulp.LpConstraintEQ, row.lower, "")]
    out = []
    if row.lower > -INF:
        out.append((pulp.LpConstraintGE, row.lower, "" if row.upper == INF else ":lower"))
    if row.upper < INF:
        out.append((pulp.LpConstraintLE, row.upper, "" if row.lower == -INF else ":upper"))
    return out
