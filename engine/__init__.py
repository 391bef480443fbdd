"""quarterplan: optimise, simulate, compare and re-plan a quarter of sales."""

from engine.errors import (
    InfeasiblePlanError,
    Problem,
    QuarterplanError,
    ScenarioError,
    SimulationError,
    SolverError,
    UsageError,
)
from engine.scenario.loading import build_scenario, load_scenario, read_document
from engine.scenario.schema import Scenario

__version__ = "0.1.0"

__all__ = [
    "InfeasiblePlanError",
    "Problem",
    "QuarterplanError",
    "Scenario",
    "ScenarioError",
    "SimulationError",
    "SolverError",
    "UsageError",
    "__version__",
    "build_scenario",
    "load_scenario",
    "read_document",
]
