"""``build_model`` and ``solve``: the plan model as a list of ``define_*`` calls, then a solver.

The flow is check -> build -> solve -> extract (``engine.optimize.optimize``); here are the
middle two. ``solve`` keeps the HiGHS session on the model, so a caller can change a bound
(``PlanModel.set_budget``) and call ``solve`` again without rebuilding.
"""

from __future__ import annotations

from engine.optimize import constraints as con
from engine.optimize import variables as var
from engine.optimize.cbc import solve_cbc
from engine.optimize.highs import HighsSession, Solution
from engine.optimize.inputs import ModelInputs
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions


def build_model(d: ModelInputs) -> PlanModel:
    """The plan model of ``d``: decisions, constraint families, objective."""
    m = PlanModel(d)
    var.define_spend_variables(m, d)
    var.define_rep_variables(m, d)
    var.define_backup_variables(m, d)
    con.define_budget_constraints(m, d)
    con.define_spend_bound_constraints(m, d)
    con.define_rep_capacity_constraints(m, d)
    con.define_headcount_constraints(m, d)
    con.define_supply_constraints(m, d)
    con.define_margin_floor_constraints(m, d)
    con.define_new_product_share_constraints(m, d)
    con.define_pilot_intent_constraints(m, d)
    con.define_objective(m, d)
    return m


def solve(m: PlanModel, options: OptimizeOptions | None = None) -> Solution:
    """Solve ``m`` with the chosen solver; HiGHS sessions are kept for re-solves."""
    opts = options or OptimizeOptions()
    gap = opts.mip_gap if opts.mip_gap is not None else m.inputs.scenario.policy.mip_gap
    if opts.solver == "cbc":
        return solve_cbc(m, opts, gap)
    if m.session is None:
        m.session = HighsSession(m)
    return m.session.run(opts, gap)
