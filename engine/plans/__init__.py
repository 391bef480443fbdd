"""Plans as inputs: plan files a planner writes or edits (CSV, Excel, YAML), read, checked
against the scenario and completed into a ``Plan``; and the optimiser's plan written back as a
template to edit."""

from engine.plans.checks import PlanInput, PlanRules, complete_plan
from engine.plans.read import SPREAD_RULES, RawPlan, read_plan_file

__all__ = ["SPREAD_RULES", "PlanInput", "PlanRules", "RawPlan", "complete_plan",
           "read_plan_file"]
