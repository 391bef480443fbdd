"""``optimize``: check -> build -> solve -> extract -> explain, for one scenario.

The library returns an ``OptimizationResult``; an infeasible plan raises
``InfeasiblePlanError`` with a diagnosis in the planner's words, any other failure
``SolverError``. Only the CLI turns those into exit codes.
"""

from __future__ import annotations

from engine.errors import InfeasiblePlanError, SolverError
from engine.optimize.build import build_model
from engine.optimize.diagnose import diagnose
from engine.optimize.extract import extract_plan
from engine.optimize.inputs import build_inputs
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions, SolveStatus
from engine.optimize.outcome import expected_outcome
from engine.optimize.residuals import check_plan
from engine.optimize.result import OptimizationResult
from engine.optimize.shadow import binding, shadow_prices
from engine.optimize.solution import Solution
from engine.optimize.solve import solve
from engine.scenario.schema import Scenario

_FAILURES = {
    SolveStatus.UNBOUNDED: "the plan's objective is unbounded (a modelling error: some gain "
    "has no limit)",
    SolveStatus.TIME_LIMIT: "the solver reached its time limit before finding any plan",
    SolveStatus.ERROR: "the solver failed without a usable answer",
}


def raise_for_status(m: PlanModel, sol: Solution) -> None:
    """Raise our error for a solve that produced no plan."""
    if sol.status.has_plan:
        return
    if sol.status is SolveStatus.INFEASIBLE:
        diagnosis = diagnose(m)
        raise InfeasiblePlanError(diagnosis.message, diagnosis)
    raise SolverError(f"{m.inputs.scenario.name}: {_FAILURES[sol.status]} ({sol.solver})")


def result_of(m: PlanModel, sol: Solution, options: OptimizeOptions) -> OptimizationResult:
    """Extract and explain a solved model."""
    d = m.inputs
    plan = extract_plan(m, sol)
    return OptimizationResult(
        status=sol.status,
        objective=sol.objective,
        gap=sol.gap,
        solver=sol.solver,
        plan=plan,
        outcome=expected_outcome(d, plan),
        shadow_prices=shadow_prices(m, sol),
        duals_from=sol.duals_from,
        binding=binding(m, sol),
        residuals=check_plan(d.scenario, plan, options, inputs=d),
        segments=d.segments,
    )


def optimize(scenario: Scenario, options: OptimizeOptions | None = None) -> OptimizationResult:
    """The best plan for ``scenario``: spend, reps and targets, with shadow prices.

    Raises
    ------
    InfeasiblePlanError
        The constraints cannot all hold; ``diagnosis`` names the conflicting ones and the
        smallest relaxation that makes the plan feasible.
    SolverError
        Unbounded, time limit without a plan, or a solver failure.
    """
    opts = options or OptimizeOptions()
    m = build_model(build_inputs(scenario, opts))
    sol = solve(m, opts)
    raise_for_status(m, sol)
    return result_of(m, sol, opts)
