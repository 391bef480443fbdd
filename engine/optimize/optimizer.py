"""``optimize``: check -> build -> solve -> extract -> explain, for one scenario.

The library returns an ``OptimizationResult``; an infeasible plan raises
``InfeasiblePlanError`` with a diagnosis in the planner's words, any other failure
``SolverError``. Only the CLI turns those into exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from engine.errors import InfeasiblePlanError, SolverError
from engine.optimize.build import build_model
from engine.optimize.calibrate import (
    PAIRED_LEADS,
    PILOT_LEADS,
    Correction,
    corrected_inputs,
    measure,
    pilot_quarters,
    quarter_leads,
)
from engine.optimize.congestion import Congestion, congestion
from engine.optimize.diagnose import diagnose
from engine.optimize.extract import backup_premium, extract_plan
from engine.optimize.forecast import forecast_of
from engine.optimize.inputs import ModelInputs, build_inputs
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions, SolveStatus
from engine.optimize.outcome import expected_outcome
from engine.optimize.residuals import check_plan
from engine.optimize.result import OptimizationResult
from engine.optimize.shadow import binding, shadow_prices
from engine.optimize.solution import Solution
from engine.optimize.solve import solve
from engine.optimize.targets import EMPIRICAL_FROM, pilot_seed, targets_from_forecast
from engine.optimize.worth import (
    REP_COLUMNS,
    budget_steps,
    idle_resources,
    net_by_replication,
    rep_values,
    shut_down,
    simulated_rep_values,
)
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, SimulationResult, prepare_processes, simulate

MAX_ROUNDS = 6
"""Most rounds of solve -> read the queues -> correct the model."""
CHOICE_REPLICATIONS = 50
"""Most quarters of the short pilot that chooses between the candidate plans and measures
what one more rep is worth (fewer when a quarter has many leads: ``PAIRED_LEADS``)."""

Solved = tuple[PlanModel, Solution, Plan]

_FAILURES = {
    SolveStatus.UNBOUNDED: "the plan's objective is unbounded (a modelling error: some gain "
    "has no limit)",
    SolveStatus.TIME_LIMIT: "the solver reached its time limit before finding any plan",
    SolveStatus.ERROR: "the solver failed without a usable answer",
}


def raise_for_status(m: PlanModel, sol: Solution) -> None:
    """Raise our error for a solve that produced no plan."""
    if sol.status.has_plan:
        return
    if sol.status is SolveStatus.INFEASIBLE:
        diagnosis = diagnose(m)
        raise InfeasiblePlanError(diagnosis.message, diagnosis)
    raise SolverError(f"{m.inputs.scenario.name}: {_FAILURES[sol.status]} ({sol.solver})")


def _solved(d: ModelInputs, opts: OptimizeOptions, start: PlanModel | None = None
            ) -> tuple[PlanModel, Solution]:
    m = build_model(d)
    sol = solve(m, opts, start)
    raise_for_status(m, sol)
    return m, sol


def _same_plan(a: Plan, b: Plan) -> bool:
    """Whether two plans spend within 0.1% of the budget of each other, cell by cell, with the
    same reps."""
    gap = np.abs(a.spend.spend.to_numpy() - b.spend.spend.to_numpy()).sum()
    scale = max(float(a.spend.spend.sum()), 1.0)
    return gap <= 1e-3 * scale and np.allclose(a.reps.reps.to_numpy(float),
                                               b.reps.reps.to_numpy(float))


def _blend(old: Congestion, new: Congestion) -> Congestion:
    """Half way between two congestion readings (damps the plan <-> queue iteration)."""
    return replace(new, served=(old.served + new.served) / 2,
                   intent=(old.intent + new.intent) / 2)


def _fixed_point(d0: ModelInputs, opts: OptimizeOptions, corr: Correction,
                 solved: Solved, rounds: int = MAX_ROUNDS) -> tuple[Correction, Solved]:
    """Solve, read the plan's queues, correct the model, and again, until the plan stands
    still (at most ``rounds`` rounds). The rounds solve the LP relaxation; the last solve is
    the model as asked (whole hires), with the correction the rounds arrived at."""
    m, sol, plan = solved
    for k in range(rounds):
        seen = congestion(d0, plan)
        corr = corr.with_congestion(seen if k == 0 else _blend(corr.congestion, seen))
        relaxed = m if k else None  # the first round's model is the first LP of its shape
        m, sol = _solved(replace(corrected_inputs(d0, corr), integer_reps=False), opts, relaxed)
        new = extract_plan(m, sol)
        done = _same_plan(plan, new)
        plan = new
        if done:
            break
    if d0.integer_reps:
        m, sol = _solved(corrected_inputs(d0, corr), opts)
        plan = extract_plan(m, sol)
    return corr, (m, sol, plan)


def _asked(s: Scenario, opts: OptimizeOptions) -> int:
    """Quarters of pilot asked for: ``opts.pilot``, else the scenario's replications."""
    return s.simulation.replications if opts.pilot is None else opts.pilot


def _pilots(s: Scenario, opts: OptimizeOptions, d: ModelInputs, plan: Plan
            ) -> tuple[MonteCarlo, MonteCarlo] | None:
    """The pilot runs on the pilot's own stream: a short one for paired comparisons (the choice
    between candidate plans, one more rep) and the full one of the chosen plan (its forecast
    and targets); none when ``opts.pilot`` is 0. Both are sized by the leads of ``plan``
    (``calibrate.pilot_quarters``): a large scenario needs fewer quarters for the same
    precision of what the pilot measures."""
    asked = _asked(s, opts)
    if asked <= 0:
        return None
    root = s.simulation.seed if opts.seed is None else opts.seed
    n = pilot_quarters(d, plan, asked)
    full = MonteCarlo(replications=n, seed=pilot_seed(root), workers=opts.workers,
                      scheduler=opts.scheduler)
    paired = min(CHOICE_REPLICATIONS, pilot_quarters(d, plan, n, PAIRED_LEADS))
    short = replace(full, replications=max(2, min(n, paired)))
    if full.uses_pool(n, quarter_leads(d, plan)):
        prepare_processes()  # the pool's fork server loads while the queue loop solves
    return short, full


def _pilot_note(s: Scenario, opts: OptimizeOptions,
                pilots: tuple[MonteCarlo, MonteCarlo] | None) -> list[str]:
    """A sentence when the pilot runs fewer quarters than asked (sized by leads)."""
    asked = _asked(s, opts)
    if pilots is None or (pilots[1].replications or 0) >= asked:
        return []
    n = pilots[1].replications or 0
    how = ""
    if n < EMPIRICAL_FROM:
        how = (" (the targets: the forecast plus a normal fit of the pilot's spread)"
               if s.policy.target.rule == "percentile" else
               " (the targets: the rule's stretch times the forecast)")
    return [f"the pilot simulated {n} quarters, not {asked}: at this scenario's leads a "
            f"quarter, {PILOT_LEADS:,} leads measure what it needs{how}"]


@dataclass(frozen=True)
class Candidate:
    """A plan the optimiser may return, with the model it was solved in."""

    name: str
    correction: Correction
    solved: Solved


def _choose(s: Scenario, cands: list[Candidate], mc: MonteCarlo
            ) -> tuple[Candidate, str, SimulationResult]:
    """The queue-aware plan (``cands[1]``) when, on common random numbers, it simulates more
    net contribution than the queue-free one (``cands[0]``) with 95% confidence; otherwise the
    queue-free plan. A sentence says which and by how much; the kept plan's run comes back."""
    runs = [simulate(s, c.solved[2], mc) for c in cands[:2]]
    gain = net_by_replication(runs[1]) - net_by_replication(runs[0])
    half = 1.96 * gain.std(ddof=1) / np.sqrt(gain.size) if gain.size > 1 else float("inf")
    keep = 1 if gain.mean() - half > 0 else 0
    cur = s.currency
    sign = "+" if gain.mean() >= 0 else "-"
    note = (f"kept the {cands[keep].name} plan: on a {gain.size}-quarter pilot the queue-aware "
            f"plan simulates {sign}{cur}{abs(gain.mean()):,.0f} (± {cur}{half:,.0f}) of net "
            "contribution against the queue-free one"
            + ("" if keep else " (it is kept only when that is surely more)"))
    return cands[keep], note, runs[keep]


def optimize(scenario: Scenario, options: OptimizeOptions | None = None) -> OptimizationResult:
    """The best plan for ``scenario``: spend, reps and targets, its forecast, shadow prices.

    The model is solved as if reps were always free, then again with the plan's rep queues
    read and the model corrected until plan and queues agree (``options.congestion``). A short
    pilot simulation keeps the queue-aware plan only when it surely simulates more net
    contribution (common random numbers, 95%); the full pilot of the kept plan measures what
    the model still misses, and gives the forecast and the targets
    (``engine.optimize.calibrate``, ``engine.optimize.targets``).

    Raises
    ------
    InfeasiblePlanError
        The constraints cannot all hold; ``diagnosis`` names the conflicting ones and the
        smallest relaxation that makes the plan feasible.
    SolverError
        Unbounded, time limit without a plan, or a solver failure.
    """
    opts = options or OptimizeOptions()
    d0 = build_inputs(scenario, opts)
    m, sol = _solved(d0, opts)
    cands = [Candidate("queue-free", Correction.none(d0), (m, sol, extract_plan(m, sol)))]
    pilots = _pilots(scenario, opts, d0, cands[0].solved[2])
    if opts.congestion:
        corr, solved = _fixed_point(d0, opts, cands[0].correction, cands[0].solved)
        if not _same_plan(solved[2], cands[0].solved[2]):
            cands.append(Candidate("queue-aware", corr, solved))
    chosen, notes, short_run = cands[-1], _pilot_note(scenario, opts, pilots), None
    if pilots is not None and len(cands) > 1:
        chosen, note, short_run = _choose(scenario, cands, pilots[0])
        notes.append(note)
    m, sol, plan = chosen.solved
    queues = congestion(d0, plan) if opts.congestion else Correction.none(d0).congestion
    corr, pilot = chosen.correction.with_congestion(queues), None
    if pilots is not None:
        same = short_run is not None and pilots[0].replications == pilots[1].replications
        seen = measure(d0, queues, plan, pilots[1], backup_premium(m, sol),
                       short_run if same else None)
        corr, pilot = seen.correction, seen.pilot
    return _result(d0, corr, chosen, opts, pilot, notes, pilots[0] if pilots else None)


def result_of(m: PlanModel, sol: Solution, options: OptimizeOptions) -> OptimizationResult:
    """Extract and explain a model solved by the caller (e.g. re-solved at another budget): the
    forecast sees the plan's rep queues, but no pilot is run and no rep is re-solved."""
    d0 = m.inputs
    plan = extract_plan(m, sol)
    queues = congestion(d0, plan) if options.congestion else Congestion.none(d0)
    chosen = Candidate("given", Correction.none(d0), (m, sol, plan))
    return _result(d0, Correction.none(d0).with_congestion(queues), chosen,
                   replace(options, congestion=False), None, [])


def _result(d0: ModelInputs, corr: Correction, chosen: Candidate, options: OptimizeOptions,
            pilot: SimulationResult | None, notes: list[str],
            rep_mc: MonteCarlo | None = None) -> OptimizationResult:
    """Extract and explain a solved model; the forecast is the final plan's under its own
    correction."""
    m, sol, plan = chosen.solved
    s = d0.scenario
    d = corrected_inputs(d0, corr)
    outcome = expected_outcome(d, plan)
    forecast = forecast_of(d, plan, outcome, corr.backup_cost, corr.management_cost)
    if pilot is not None:
        plan = targets_from_forecast(s, plan, pilot, forecast.revenue)
    bound = binding(m, sol)
    if not options.congestion:
        reps = _no_reps()
    elif rep_mc is not None and pilot is not None:
        # without management rules the targets change nothing simulated: the pilot's first
        # quarters are the plan's own side of the comparison
        own = net_by_replication(pilot)[:rep_mc.replications]
        reuse = s.management is None and own.size == rep_mc.replications
        reps = simulated_rep_values(d0, corr, plan, rep_mc, own if reuse else None)
    else:
        reps = rep_values(d0, corr, plan)
    return OptimizationResult(
        status=sol.status,
        objective=sol.objective,
        gap=sol.gap,
        solver=sol.solver,
        plan=plan,
        outcome=outcome,
        forecast=forecast,
        shadow_prices=shadow_prices(m, sol),
        duals_from=sol.duals_from,
        binding=bound,
        residuals=check_plan(s, plan, options, inputs=m.inputs),
        segments=d.segments,
        rep_values=reps,
        idle=[*notes, *idle_resources(d, corr, plan), *_budget_note(m, sol, options, bound)],
        shut_down=shut_down(bound, plan),
        inputs=m.inputs,
    )


def _budget_note(m: PlanModel, sol: Solution, options: OptimizeOptions,
                 bound: pd.DataFrame) -> list[str]:
    if "budget" not in set(bound.constraint) or d_is_revenue(m):
        return []
    note = budget_steps(m, sol.objective, options)
    return [note] if note else []


def d_is_revenue(m: PlanModel) -> bool:
    return m.inputs.scenario.policy.objective == "revenue"


def _no_reps() -> pd.DataFrame:
    return pd.DataFrame(columns=REP_COLUMNS)
