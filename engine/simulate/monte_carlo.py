"""``simulate``: replications of the quarter under a plan, with one type for the Monte Carlo
settings (``MonteCarlo``) that every job and every command passes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import pandas as pd

from engine.errors import Problem, ScenarioError, SimulationError
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate.alerts import alerts, funnel_table
from engine.simulate.breakdown import Breakdown, stack_breakdowns
from engine.simulate.inputs import SimInputs, build_inputs
from engine.simulate.quarter import ReplicationRecord
from engine.simulate.result import SimulationResult, firing_frame
from engine.simulate.runner import Progress, run_replications, stack
from engine.simulate.state import QuarterState

POOL_FROM = 100
"""Replications from which the default is a process per core (below, a pool costs more than it
saves)."""
POOL_FROM_LEADS = 4_000_000
"""Leads (replications x expected leads a quarter) from which the default is a process per core
however few the replications: about a second of one core's work (base's 100 quarters; 8 quarters
of the 200-region benchmark scenario, where a quarter costs a fifth of a second)."""


def max_workers() -> int:
    """Most local processes a run uses: one per core (more only compete for the cores)."""
    return max(1, os.cpu_count() or 1)


def default_workers(replications: int, cpus: int | None = None, leads: float = 0.0) -> int:
    """Local processes to use by default: every core for runs of ``POOL_FROM`` replications or
    more, or of ``POOL_FROM_LEADS`` leads or more (``leads``: expected leads a quarter) in at
    least two replications; otherwise this process alone."""
    available = cpus if cpus is not None else (os.cpu_count() or 1)
    big = replications >= POOL_FROM or (replications >= 2
                                        and replications * leads >= POOL_FROM_LEADS)
    return max(1, available) if big else 1


@dataclass(frozen=True)
class MonteCarlo:
    """How to run the Monte Carlo, the same for every job and command.

    Attributes
    ----------
    replications, seed:
        Default (``None``) to the scenario's ``simulation`` settings.
    workers:
        Local processes, this one included (1: serial); ``None``: ``default_workers``.
    scheduler:
        A Dask scheduler address (or ``distributed.Client``); overrides ``workers``.
    progress:
        Called with ``(replications done, replications)`` as chunks finish.
    """

    replications: int | None = None
    seed: int | None = None
    workers: int | None = None
    scheduler: object | None = None
    progress: Progress | None = field(default=None, compare=False, repr=False)

    def replications_for(self, s: Scenario) -> int:
        """Replications to run of ``s``."""
        return s.simulation.replications if self.replications is None else self.replications

    def seed_for(self, s: Scenario) -> int:
        """Root seed for ``s``."""
        return s.simulation.seed if self.seed is None else self.seed

    def workers_for(self, replications: int, leads: float = 0.0) -> int:
        """Local processes for a run of ``replications`` (of ``leads`` expected leads a
        quarter): at most one per core."""
        if self.workers is None:
            return default_workers(replications, leads=leads)
        return min(self.workers, max_workers())

    def uses_pool(self, replications: int, leads: float = 0.0) -> bool:
        """Whether a run of ``replications`` (of ``leads`` expected leads a quarter) starts
        local processes (a caller may then ``prepare_processes`` ahead of it)."""
        return self.scheduler is None and replications > 1 and self.workers_for(
            replications, leads) > 1

    def resolved(self, s: Scenario) -> MonteCarlo:
        """These settings with ``workers`` made concrete for a run of ``s``."""
        return replace(self, workers=self.workers_for(self.replications_for(s)))


def _check_plan_names(s: Scenario, plan: Plan) -> None:
    regions, channels = {r.id for r in s.regions}, {c.id for c in s.channels}
    problems = [
        Problem(f"spend[{i}]", "names a region or channel the scenario does not have",
                f"{row.region}/{row.channel}")
        for i, row in enumerate(plan.spend.itertuples(index=False))
        if row.region not in regions or row.channel not in channels
    ]
    if problems:
        raise ScenarioError(plan.source or "plan", problems)


def _kpi_frame(records: list[ReplicationRecord]) -> pd.DataFrame:
    rows = [(i, k, v) for i, r in enumerate(records) for k, v in r.kpis.items()]
    frame = pd.DataFrame(rows, columns=["replication", "metric", "value"])
    frame["value"] = frame["value"].astype(float)
    return frame


def _breakdown(records: list[ReplicationRecord]) -> Breakdown | None:
    parts = [r.breakdown for r in records]
    return stack_breakdowns([p for p in parts if p is not None]) if all(
        p is not None for p in parts) and parts else None


def _notes(inp: SimInputs, plan: Plan, state: QuarterState) -> list[str]:
    notes = [f"plan: {plan.source or 'given'}"]
    if plan.targets.empty:
        notes.append("the plan has no targets: attainment and hit_target are NaN")
    if state.start_week:
        notes.append(f"simulated from week {state.start_week + 1}; earlier weeks are as given")
    if inp.levers is not None:
        rules = ", ".join(rule.id for rule in inp.levers.rules)
        notes.append(f"managed: reviews at the end of weeks "
                     f"{', '.join(map(str, inp.levers.review_weeks))}; rules {rules}")
    return notes


def simulate(
    scenario: Scenario,
    plan: Plan,
    mc: MonteCarlo | None = None,
    *,
    initial_state: QuarterState | None = None,
) -> SimulationResult:
    """Simulate quarters of ``scenario`` under ``plan`` with the Monte Carlo settings ``mc``
    (default ``MonteCarlo()``: the scenario's replications and seed, all cores from 100
    replications).

    Parameters
    ----------
    initial_state:
        Where the quarter stands (default: its empty start).

    Raises
    ------
    ScenarioError
        The plan names regions or channels the scenario lacks.
    SimulationError
        Bad replication or worker counts, or a start week outside the quarter.
    """
    _check_plan_names(scenario, plan)
    state = initial_state or QuarterState()
    if not 0 <= state.start_week < scenario.horizon.weeks:
        raise SimulationError(
            f"start week {state.start_week} is outside 0..{scenario.horizon.weeks - 1}")
    o = mc or MonteCarlo()
    n, root = o.replications_for(scenario), o.seed_for(scenario)
    inp = build_inputs(scenario, plan)
    records = run_replications(inp, state, n, root, o.workers_for(n, inp.leads), o.scheduler,
                               o.progress)
    rw, pw = stack(records, "region_weekly"), stack(records, "product_weekly")
    fw = stack(records, "funnel_weekly")
    funnel = funnel_table(inp, fw)
    return SimulationResult(
        scenario=scenario.name,
        plan_source=plan.source,
        seed=root,
        replications=n,
        start_week=state.start_week,
        inputs=inp,
        region_weekly=rw,
        product_weekly=pw,
        funnel_weekly=fw,
        kpis=_kpi_frame(records),
        alerts=alerts(inp, rw, pw, funnel, stack(records, "churned"), state.start_week),
        funnel=funnel,
        notes=_notes(inp, plan, state),
        firings=firing_frame([(i, f) for i, r in enumerate(records) for f in r.firings]),
        breakdown=_breakdown(records),
    )
