"""What the caller may ask of the optimiser, and the solver's outcome as our own enum."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

SOLVERS = ("highs", "cbc")


class SolveStatus(Enum):
    """Outcome of a solve, in our terms (PuLP and HiGHS codes are mapped onto these)."""

    OPTIMAL = "optimal"
    """Solved to optimality (a MILP: within the requested gap)."""
    FEASIBLE = "feasible"
    """Stopped by the time limit (or before closing the gap) with a usable plan."""
    INFEASIBLE = "infeasible"
    """The constraints cannot all hold."""
    UNBOUNDED = "unbounded"
    """The objective can grow without limit (a modelling error)."""
    TIME_LIMIT = "time_limit"
    """Stopped by the time limit before any plan was found."""
    ERROR = "error"
    """The solver failed or returned a status we cannot interpret."""

    @property
    def has_plan(self) -> bool:
        """Whether a solution worth extracting exists."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class OptimizeOptions:
    """How to solve the plan.

    Attributes
    ----------
    solver:
        ``highs`` (in-process, default) or ``cbc`` (PuLP's bundled CBC).
    time_limit:
        Seconds the solver may take; ``None``: no limit.
    relax_reps:
        Treat added hires as fractions (the LP relaxation).
    mip_gap:
        Relative gap at which an integer plan is accepted; ``None``: the scenario's
        ``policy.mip_gap``.
    segments:
        Pieces per response curve; ``None``: the scenario's ``policy.segments`` or, when that
        is 0, ``response.DEFAULT_SEGMENTS``.
    budget:
        Spendable marketing money (after the reserve) to use instead of the scenario's
        (money per quarter); ``None``: ``budget.total * (1 - reserve_share)``.
    locked_spend:
        Spend fixed per ``(region, channel)`` (money per quarter), e.g. money already spent
        in a mid-quarter re-plan: lower and upper bound of that pair's spend.
    congestion:
        Plan for waiting for reps (``engine.optimize.congestion``); ``False``: the
        congestion-free model, which over-promises wherever reps run busy.
    pilot:
        Replications of the pilot forecast that calibrates the model and sets the targets
        (``None``: the scenario's ``simulation.replications``; 0: no pilot, so no targets and
        no stock or residual correction).
    workers:
        Local processes for the pilot (``None``: the Monte Carlo default).
    seed:
        Root seed the pilot's stream is derived from (``None``: the scenario's).
    """

    solver: Literal["highs", "cbc"] = "highs"
    time_limit: float | None = None
    relax_reps: bool = False
    mip_gap: float | None = None
    segments: int | None = None
    budget: float | None = None
    locked_spend: Mapping[tuple[str, str], float] = field(default_factory=dict)
    congestion: bool = True
    pilot: int | None = None
    workers: int | None = None
    seed: int | None = None
    scheduler: object | None = None
    """A Dask scheduler address for the pilot (``None``: local processes)."""
