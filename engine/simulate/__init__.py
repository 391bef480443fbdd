"""The quarter simulated: a Monte Carlo of the funnel, reps, stock, pricing and collections, on
a SimPy clock whose reviews apply the scenario's management rules (``engine.simulate.clock``).

``simulate(scenario, plan, MonteCarlo(...))`` (``engine.simulate.monte_carlo``) runs
replications of the quarter under a plan and returns a ``SimulationResult``;
``simulate_quarter`` runs one replication on named random streams from ``spawn_streams`` (with
``detail=True``, its per-channel ``Detail`` too). A run can start
mid-quarter from a ``QuarterState``. Each replication draws its own lead rates and conversions
around the scenario's when ``simulation.lead_rate_cv`` / ``conversion_cv`` are set
(``engine.simulate.uncertainty``).
"""

from engine.simulate.detail import Detail
from engine.simulate.inputs import SimInputs, build_inputs
from engine.simulate.monte_carlo import (
    POOL_FROM,
    POOL_FROM_LEADS,
    MonteCarlo,
    default_workers,
    max_workers,
    simulate,
)
from engine.simulate.quarter import ReplicationRecord, simulate_quarter
from engine.simulate.result import SimulationResult
from engine.simulate.runner import Progress, prepare_processes
from engine.simulate.state import QuarterState
from engine.simulate.streams import STREAMS, replication_streams, spawn_streams

__all__ = [
    "POOL_FROM",
    "POOL_FROM_LEADS",
    "STREAMS",
    "Detail",
    "MonteCarlo",
    "Progress",
    "QuarterState",
    "ReplicationRecord",
    "SimInputs",
    "SimulationResult",
    "build_inputs",
    "default_workers",
    "max_workers",
    "prepare_processes",
    "replication_streams",
    "simulate",
    "simulate_quarter",
    "spawn_streams",
]
