"""``build_model``: the plan model as a list of ``define_*`` calls, one per constraint family.

The flow is check -> build -> solve -> extract (``engine.optimize.optimize``); this is the build.
"""

from __future__ import annotations

from engine.optimize import constraints as con
from engine.optimize import variables as var
from engine.optimize.inputs import ModelInputs
from engine.optimize.model import PlanModel


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
