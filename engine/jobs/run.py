"""The planner's main jobs: optimise and simulate one scenario (``run_scenario``), several side by
side on common random numbers (``compare_scenarios``).

Each job takes plain data and returns plain data; writing files and printing is left to
``engine.commands.run`` and the CLI.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace as dc_replace

import pandas as pd

from engine.jobs.compare import compare_kpis
from engine.jobs.targets import forecast_plan
from engine.optimize import OptimizationResult, OptimizeOptions, optimize
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, SimulationResult, simulate

COMPARED_METRICS = (
    "revenue",
    "gross_profit",
    "net_contribution",
    "attainment",
    "hit_target",
    "new_product_share",
    "fill_rate",
    "stockout_days",
    "rep_utilisation",
    "lead_response_days",
    "dso",
    "overdue_share",
)
"""KPIs shown side by side by ``compare``, in this order."""


@dataclass(frozen=True)
class RunResult:
    """One scenario optimised and simulated under its optimised (or a given) plan."""

    scenario: Scenario
    optimization: OptimizationResult | None
    plan: Plan
    simulation: SimulationResult


def optimize_with(s: Scenario, mc: MonteCarlo,
                  options: OptimizeOptions | None = None) -> OptimizationResult:
    """``optimize`` with the job's Monte Carlo settings for its pilot forecast (replications,
    workers, scheduler) unless ``options`` set the pilot's size."""
    opts = options or OptimizeOptions()
    if opts.pilot is None:
        opts = dc_replace(opts, pilot=mc.replications_for(s), workers=mc.workers, seed=mc.seed)
    return optimize(s, opts)


def run_scenario(
    s: Scenario, mc: MonteCarlo | None = None, optimize_options: OptimizeOptions | None = None
) -> RunResult:
    """Optimise ``s`` (the optimiser sets the targets from its pilot forecast) and simulate the
    quarter with the Monte Carlo settings ``mc``.

    Raises ``InfeasiblePlanError`` (with the diagnosis) when the plan cannot meet the
    constraints, ``SolverError`` on solver failure, ``SimulationError`` on a failed run.
    """
    o = mc or MonteCarlo()
    result = optimize_with(s, o, optimize_options)
    plan = forecast_plan(s, result.plan, o)
    return RunResult(s, result, plan, simulate(s, plan, o))


@dataclass(frozen=True)
class Comparison:
    """Scenarios run on the same seed, side by side, with paired differences to the first."""

    runs: tuple[RunResult, ...]
    table: pd.DataFrame
    plan_from: str | None = None

    @property
    def names(self) -> list[str]:
        """Scenario names in the order compared (the first is the baseline)."""
        return [r.scenario.name for r in self.runs]


def unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names made unique (a second ``base`` becomes ``base (2)``)."""
    names: list[str] = []
    for s in scenarios:
        name, k = s.name, 2
        while name in names:
            name, k = f"{s.name} ({k})", k + 1
        names.append(name)
    return names


def compare_scenarios(
    scenarios: Sequence[Scenario],
    mc: MonteCarlo | None = None,
    plan_from: int | None = None,
    optimize_options: OptimizeOptions | None = None,
) -> Comparison:
    """Optimise and simulate each scenario with the same seed (common random numbers).

    With ``plan_from = i`` the plan of scenario ``i`` is held fixed and simulated under every
    scenario's conditions (the stress test); otherwise each scenario gets its own plan.
    """
    o = mc or MonteCarlo()
    names = unique_names(scenarios)
    scenarios = [s.model_copy(update={"name": n}) for s, n in zip(scenarios, names, strict=True)]
    runs: list[RunResult] = []
    if plan_from is not None:
        owner = scenarios[plan_from]
        fixed = optimize_with(owner, o, optimize_options)
        plan = forecast_plan(owner, fixed.plan, o)
        for s in scenarios:
            own = fixed if s is owner else None
            runs.append(RunResult(s, own, plan, simulate(s, plan, o)))
    else:
        runs = [run_scenario(s, o, optimize_options) for s in scenarios]
    table = compare_kpis(names, [r.simulation.kpis for r in runs], COMPARED_METRICS)
    source = scenarios[plan_from].name if plan_from is not None else None
    return Comparison(tuple(runs), table, source)
