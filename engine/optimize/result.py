"""``OptimizationResult``: the plan and everything said about it, as tidy tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from engine.optimize.forecast import Forecast
from engine.optimize.inputs import ModelInputs
from engine.optimize.options import SolveStatus
from engine.output import to_jsonable
from engine.plan import Plan


@dataclass(frozen=True)
class OptimizationResult:
    """The optimised plan.

    Attributes
    ----------
    status:
        How the solve ended (``OPTIMAL`` or ``FEASIBLE``; other statuses raise).
    objective:
        Objective value (money per quarter): gross profit after marketing, rep and backup-supply
        cost, or revenue, per the scenario; on the model's piecewise-linear response.
    gap:
        Relative MIP gap reached (0 for an LP; NaN when the solver does not report it).
    solver:
        ``highs`` or ``cbc``.
    plan:
        Spend, reps (with the hires the plan adds) and weekly targets.
    outcome:
        ``region, channel, spend, leads, wins, revenue, gross_profit`` expected over the
        quarter (exact response curves, rep queues and the pilot's correction included;
        ``organic`` and ``repeat`` as channels).
    forecast:
        The plan's expected revenue, gross profit and net contribution (``Forecast``).
    shadow_prices:
        ``constraint, family, meaning, value, unit`` (see ``engine.optimize.shadow``).
    duals_from:
        Which problem the shadow prices come from (the LP, or the LP with hires fixed).
    binding:
        ``constraint, family, meaning, activity, bound`` of the rows at a bound.
    residuals:
        ``check_plan`` of the plan: every constraint recomputed independently.
    segments:
        Pieces per response curve.
    rep_values:
        ``region, role, value, cost, utilisation, meaning``: net contribution gained by one
        more tenured rep, re-solved (``engine.optimize.worth``).
    idle:
        What the plan leaves unused and why, in words.
    shut_down:
        Binding floors that shut a channel down: constraint -> sentence.
    """

    status: SolveStatus
    objective: float
    gap: float
    solver: str
    plan: Plan
    outcome: pd.DataFrame
    forecast: Forecast
    shadow_prices: pd.DataFrame
    duals_from: str
    binding: pd.DataFrame
    residuals: pd.DataFrame
    segments: int
    rep_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    idle: list[str] = field(default_factory=list)
    shut_down: dict[str, str] = field(default_factory=dict)
    inputs: ModelInputs | None = field(default=None, repr=False, compare=False)
    """The numbers of the model that was solved (the queue and pilot corrections in them)."""

    @property
    def max_residual(self) -> float:
        """Largest relative constraint violation of the plan."""
        return float(self.residuals.residual.max()) if len(self.residuals) else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-able data of the whole result."""
        return to_jsonable(
            {
                "status": self.status.value,
                "objective": self.objective,
                "gap": self.gap,
                "solver": self.solver,
                "segments": self.segments,
                "max_residual": self.max_residual,
                "duals_from": self.duals_from,
                "plan": self.plan.to_dict(),
                "forecast": self.forecast.to_dict(),
                "outcome": self.outcome,
                "shadow_prices": self.shadow_prices,
                "binding": self.binding,
                "residuals": self.residuals,
                "rep_values": self.rep_values,
                "idle": self.idle,
                "shut_down": self.shut_down,
            }
        )
