"""The optimiser: marketing budget, reps and regional targets as an LP/MILP.

``optimize(scenario, options)`` runs check -> build -> solve -> extract and returns an
``OptimizationResult`` (plan, expected outcome, shadow prices, binding constraints, residuals).
For repeated solves of one model (a budget sweep), use ``build_inputs`` -> ``build_model`` ->
``solve``, then ``PlanModel.set_budget`` and ``solve`` again: the HiGHS session is reused.
"""

from engine.optimize.build import build_model
from engine.optimize.diagnose import Diagnosis, diagnose
from engine.optimize.inputs import ModelInputs, build_inputs
from engine.optimize.model import PlanModel
from engine.optimize.optimizer import optimize, raise_for_status, result_of
from engine.optimize.options import OptimizeOptions, SolveStatus
from engine.optimize.residuals import check_plan
from engine.optimize.result import OptimizationResult
from engine.optimize.solution import Solution
from engine.optimize.solve import solve

__all__ = [
    "Diagnosis",
    "ModelInputs",
    "OptimizationResult",
    "OptimizeOptions",
    "PlanModel",
    "Solution",
    "SolveStatus",
    "build_inputs",
    "build_model",
    "check_plan",
    "diagnose",
    "optimize",
    "raise_for_status",
    "result_of",
    "solve",
]
