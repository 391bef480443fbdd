"""The quarter simulated: a Monte Carlo of the funnel, reps, stock, pricing and collections.

``simulate(scenario, plan)`` runs replications of the quarter under a plan and returns a
``SimulationResult``; ``simulate_quarter`` runs one replication on named random streams from
``spawn_streams`` (with ``detail=True``, its per-channel ``Detail`` too). A run can start
mid-quarter from a ``QuarterState``. Each replication draws its own lead rates and conversions
around the scenario's when ``simulation.lead_rate_cv`` / ``conversion_cv`` are set
(``engine.simulate.uncertainty``).
"""

from __future__ import annotations

import pandas as pd

from engine.errors import Problem, ScenarioError, SimulationError
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate.alerts import alerts, funnel_table
from engine.simulate.detail import Detail
from engine.simulate.inputs import SimInputs, build_inputs
from engine.simulate.quarter import ReplicationRecord, simulate_quarter
from engine.simulate.result import SimulationResult
from engine.simulate.runner import Progress, run_replications, stack
from engine.simulate.state import QuarterState
from engine.simulate.streams import STREAMS, replication_streams, spawn_streams

__all__ = [
    "STREAMS",
    "Detail",
    "QuarterState",
    "ReplicationRecord",
    "SimulationResult",
    "build_inputs",
    "replication_streams",
    "simulate",
    "simulate_quarter",
    "spawn_streams",
]


def _check_plan(s: Scenario, plan: Plan) -> None:
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


def _notes(inp: SimInputs, plan: Plan, state: QuarterState) -> list[str]:
    notes = [f"plan: {plan.source or 'given'}"]
    if plan.targets.empty:
        notes.append("the plan has no targets: attainment and hit_target are NaN")
    if state.start_week:
        notes.append(f"simulated from week {state.start_week + 1}; earlier weeks are as given")
    return notes


def simulate(
    scenario: Scenario,
    plan: Plan,
    *,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    scheduler: object | None = None,
    progress: Progress | None = None,
    initial_state: QuarterState | None = None,
) -> SimulationResult:
    """Simulate ``replications`` quarters of ``scenario`` under ``plan``.

    Parameters
    ----------
    replications, seed:
        Default to ``scenario.simulation``.
    workers:
        Processes working, this one included (1: serial; N: this process and a pool of N - 1).
    scheduler:
        A Dask scheduler address (or ``distributed.Client``); overrides ``workers``.
    progress:
        Called with ``(replications done, replications)`` as chunks finish.
    initial_state:
        Where the quarter stands (default: its empty start).

    Raises
    ------
    ScenarioError
        The plan names regions or channels the scenario lacks.
    SimulationError
        Bad replication or worker counts, or a start week outside the quarter.
    """
    _check_plan(scenario, plan)
    state = initial_state or QuarterState()
    if not 0 <= state.start_week < scenario.horizon.weeks:
        raise SimulationError(
            f"start week {state.start_week} is outside 0..{scenario.horizon.weeks - 1}")
    n = scenario.simulation.replications if replications is None else replications
    root = scenario.simulation.seed if seed is None else seed
    inp = build_inputs(scenario, plan)
    records = run_replications(inp, state, n, root, workers, scheduler, progress)
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
    )
