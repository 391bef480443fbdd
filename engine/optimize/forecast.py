"""The optimiser's forecast of its plan: the quarter's expected revenue, gross profit and net
contribution, in the words every command uses (see ``engine.kpis`` where it exists).

- ``revenue``: money booked in the quarter (new business closing in it, organic and repeat
  orders), after the channels' price realisation and promotions.
- ``gross_profit``: revenue less the cost of the units sold; before marketing and people.
- ``net_contribution``: gross profit less the plan's marketing spend, the cost of its reps and
  the premium paid to backup suppliers.

The figures are those of the corrected model (``engine.optimize.calibrate``): rep queues and
what the pilot simulation of the plan measured are in them, so they are what the simulator gives
for the same plan, within its Monte Carlo error.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from engine.optimize.inputs import ModelInputs
from engine.plan import Plan
from engine.scenario.schema import RoleSpec

DEFINITIONS = {
    "revenue": "money booked in the quarter, after price realisation and promotions",
    "gross_profit": "revenue less the cost of the units sold (before marketing and people)",
    "net_contribution": "gross profit less marketing spend, rep cost, the backup "
    "supplier's premium and what management rules spend beyond the plan",
}


@dataclass(frozen=True)
class Forecast:
    """Expected quarter figures of a plan (money per quarter)."""

    revenue: float
    gross_profit: float
    net_contribution: float
    spend: float
    rep_cost: float
    backup_cost: float
    management_cost: float = 0.0
    """Spent by the scenario's management rules beyond the plan (reserve released, overtime)."""

    def to_dict(self) -> dict[str, object]:
        """The figures and their definitions, JSON-able."""
        return {**asdict(self), "definitions": dict(DEFINITIONS)}


def rep_cost(d: ModelInputs, plan: Plan) -> float:
    """Cost of every rep the plan has for the quarter (on hand, hired and added; money)."""
    roles = d.scenario.salesforce.roles
    cost: dict[str, float] = {str(name): spec.cost for name, spec in roles.items()}
    return float(sum(cost.get(str(role), RoleSpec().cost) * float(reps)
                     for role, reps in zip(plan.reps.role, plan.reps.reps, strict=True)))


def forecast_of(d: ModelInputs, plan: Plan, outcome: pd.DataFrame,
                backup_cost: float, management_cost: float = 0.0) -> Forecast:
    """The forecast of ``plan`` from its expected ``outcome`` under ``d``."""
    revenue = float(outcome.revenue.sum())
    profit = float(outcome.gross_profit.sum())
    spend, people = plan.total_spend, rep_cost(d, plan)
    net = profit - spend - people - backup_cost - management_cost
    return Forecast(revenue, profit, net, spend, people, backup_cost, management_cost)
