"""The rolling re-plan: update beliefs from actuals, start from where the quarter stands,
re-optimise what is still movable, re-simulate the rest, recalibrate the remaining targets.

``recalibrate(scenario, actuals, plan)`` runs the phases

1. ``update_beliefs`` — the scenario as prior, the actuals as evidence (``engine.actuals``);
2. ``quarter_state`` — pipeline, stock, supply orders, back-orders, receivables, booked money;
3. ``remainder_scenario`` + ``optimize`` — the money not yet spent over the weeks left, spent
   money locked, reps fixed unless hiring is allowed (``engine.jobs.remainder``);
4. ``simulate`` from the state — under the old plan and under the re-optimised one;
5. ``remaining_targets`` — the policy's target rule on the re-optimised forecast, per region x
   product line x week left;

and returns a ``Recalibration`` of plain tables (``engine.commands.recalibrate`` explains it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from engine.actuals import Actuals
from engine.actuals.beliefs import BeliefOptions, Beliefs, update_beliefs
from engine.actuals.evidence import counts_of
from engine.actuals.state import quarter_state
from engine.jobs.remainder import remainder_scenario
from engine.optimize.optimizer import optimize
from engine.optimize.options import OptimizeOptions
from engine.optimize.targets import rule_targets
from engine.plan import SPEND_COLUMNS, Plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, QuarterState, SimulationResult, simulate

FORECASTS = ("original plan, before the quarter", "original plan, from here",
             "re-optimised plan, from here")


@dataclass(frozen=True)
class RecalibrateOptions:
    """How to re-plan (the Monte Carlo settings are a separate ``MonteCarlo``).

    Attributes
    ----------
    prior_strength:
        Pseudo-observations behind each scenario value (see ``BeliefOptions``).
    allow_hiring:
        Let the re-plan add hires (within the scenario's limits); otherwise reps stay as planned.
    """

    prior_strength: float = 100.0
    allow_hiring: bool = False


@dataclass(frozen=True)
class Recalibration:
    """A mid-quarter re-plan (money in the scenario's currency).

    Attributes
    ----------
    as_of_week:
        Weeks completed; the re-plan covers the weeks after it.
    beliefs:
        Updated parameters and the scenario they imply.
    state:
        Where the quarter stands.
    old_plan, new_plan:
        The plan in force and the re-plan for the whole quarter (spent money included; targets
        of past weeks kept).
    spend:
        ``region, channel, planned, spent, old_remaining, new_remaining, new_quarter``.
    targets:
        ``region, line, old_target, rule_before_actuals, new_target, change`` over the weeks
        left: the plan's targets, the target rule applied to the forecast made before the
        quarter (what the actuals alone change is ``new_target`` against it), the recalibrated
        targets, and ``new / old - 1``.
    forecast:
        ``forecast, revenue, p10, p50, p90, gross_profit, spend, net_contribution``: the quarter's
        revenue and gross profit (booked plus simulated, means and revenue percentiles) under
        each of ``FORECASTS``, its marketing spend, and its mean net contribution (gross profit
        less that spend, the rep cost and the backup supplier's premium, see ``engine.kpis``).
    adopted:
        The plan ``new_plan`` carries on from here: the re-optimised one, unless it does not
        beat the plan in force in simulation and the plan in force still fits the quarter's
        budget and spend bounds (then the plan in force is kept and only targets change).
    gain:
        Mean and standard error of the re-optimised plan's net contribution less the plan in
        force's, replication by replication (common random numbers; money).
    booked_weekly:
        Revenue booked in each week up to ``as_of_week`` (money).
    """

    as_of_week: int
    beliefs: Beliefs
    state: QuarterState
    old_plan: Plan
    new_plan: Plan
    spend: pd.DataFrame
    targets: pd.DataFrame
    forecast: pd.DataFrame
    adopted: str = FORECASTS[2]
    gain: tuple[float, float] = (0.0, 0.0)
    booked_weekly: tuple[float, ...] = ()
    simulations: dict[str, SimulationResult] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data of the re-plan."""
        return {"as_of_week": self.as_of_week, "forecast": self.forecast,
                "targets": self.targets, "spend": self.spend,
                "beliefs": self.beliefs.table, "new_plan": self.new_plan.to_dict()}


def spent_so_far(a: Actuals) -> dict[tuple[str, str], float]:
    """Money spent per ``(region, channel)`` in the weeks covered."""
    if not a.has("spend"):
        return {}
    return {(k[0], k[1]): v for k, v in counts_of(a.total("spend", ["region", "channel"])).items()}


def _spend_table(s: Scenario, old: Plan, spent: dict[tuple[str, str], float],
                 remaining: Plan, start: int) -> pd.DataFrame:
    left = (s.horizon.weeks - start) / s.horizon.weeks
    rows = []
    for r in s.regions:
        for c in s.channels:
            planned = old.spend_of(r.id, c.id)
            done = spent.get((r.id, c.id), 0.0)
            new = remaining.spend_of(r.id, c.id)
            rows.append([r.id, c.id, planned, done, planned * left, new, done + new])
    return pd.DataFrame(rows, columns=["region", "channel", "planned", "spent", "old_remaining",
                                       "new_remaining", "new_quarter"])


def _pace_plan(remaining: Plan, start: int, weeks: int, source: str) -> Plan:
    """The remaining spend as the quarter spend that buys the same weekly pace (what the
    simulator reads from a plan)."""
    pace = remaining.spend.assign(spend=remaining.spend.spend * weeks / (weeks - start))
    return Plan(remaining.scenario, pace[SPEND_COLUMNS], remaining.reps, source=source)


def remaining_targets(sim: SimulationResult, s: Scenario, start: int) -> pd.DataFrame:
    """``region, line, week, target`` for the weeks after ``start``: the one target rule
    (``engine.optimize.targets.rule_targets``) on the forecast of the weeks left."""
    return rule_targets(sim, s, start)


def _target_table(old: Plan, new: pd.DataFrame, before: pd.DataFrame,
                  start: int) -> pd.DataFrame:
    was = old.targets[old.targets.week > start].groupby(["region", "line"]).target.sum()
    now = new.groupby(["region", "line"], sort=False).target.sum()
    prior = before.groupby(["region", "line"], sort=False).target.sum()
    table = pd.concat([was.rename("old_target"), prior.rename("rule_before_actuals"),
                       now.rename("new_target")], axis=1)
    table = table.reindex(now.index)
    table["change"] = table.new_target / table.old_target.where(table.old_target > 0) - 1.0
    return table.reset_index()


def _booked_weekly(a: Actuals) -> tuple[float, ...]:
    weekly = a.total("revenue", ["week"]) if a.has("revenue") else pd.Series(dtype=float)
    return tuple(float(weekly.get(w, 0.0)) for w in range(1, a.as_of_week + 1))


def _hired(plan: Plan) -> dict[tuple[str, str], int]:
    """Hires the plan in force added, per ``(region, role)``: on the payroll once the quarter
    has started (at week 0 with hiring allowed they are still a decision)."""
    reps = plan.reps
    return {(r, o): int(n) for r, o, n in zip(reps.region, reps.role, reps.added, strict=True)
            if n}


def _as_quarter_reps(rest: Plan, hired: dict[tuple[str, str], int]) -> Plan:
    """The remainder plan's reps in the quarter's terms: hires the plan in force added count as
    added, not as the scenario's planned hires."""
    before = np.array([hired.get((r, o), 0) for r, o in zip(rest.reps.region, rest.reps.role,
                                                            strict=True)])
    reps = rest.reps.assign(hires=rest.reps.hires - before, added=rest.reps.added + before)
    return Plan(rest.scenario, rest.spend, reps, rest.targets, rest.source)


def net_contribution(sim: SimulationResult, quarter_spend: float) -> np.ndarray:
    """Each replication's net contribution (``engine.kpis``) with ``quarter_spend`` as the
    quarter's marketing spend (money already spent included): gross profit less that spend,
    the plan's rep cost and the backup supplier's premium."""
    def kpi(name: str) -> np.ndarray:
        k = sim.kpis[sim.kpis.metric == name].sort_values("replication")
        return k.value.to_numpy(dtype=float)

    return kpi("gross_profit") - kpi("backup_cost") - sim.inputs.rep_cost - quarter_spend


def paired_gain(old: SimulationResult, new: SimulationResult, old_spend: float,
                new_spend: float) -> tuple[float, float]:
    """Mean and standard error of the difference in net contribution (money), paired by
    replication (both runs share their random streams)."""
    diff = net_contribution(new, new_spend) - net_contribution(old, old_spend)
    se = float(diff.std(ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else float("nan")
    return float(diff.mean()), se


def continued_fits(s: Scenario, spend: pd.DataFrame) -> bool:
    """Whether the plan in force, carried on after the money actually spent, keeps the
    quarter's budget and every channel and region spend bound."""
    quarter = spend.assign(total=spend.spent + spend.old_remaining)
    if quarter.total.sum() > s.budget.spendable * (1 + 1e-9):
        return False
    for key, items in (("channel", s.channels), ("region", s.regions)):
        sums = quarter.groupby(key).total.sum()
        for item in items:
            got, b = float(sums.get(item.id, 0.0)), item.spend
            if got < b.min - 1e-6 or (b.max is not None and got > b.max + 1e-6):
                return False
    return True


def _forecast_row(name: str, sim: SimulationResult, spend: float) -> list[Any]:
    kpis = sim.kpis
    revenue = kpis[kpis.metric == "revenue"].value.to_numpy(dtype=float)
    profit = kpis[kpis.metric == "gross_profit"].value.to_numpy(dtype=float)
    return [name, revenue.mean(), *np.percentile(revenue, [10, 50, 90]), profit.mean(), spend,
            float(net_contribution(sim, spend).mean())]


def recalibrate(s: Scenario, a: Actuals, plan: Plan, options: RecalibrateOptions | None = None,
                mc: MonteCarlo | None = None) -> Recalibration:
    """Re-plan the quarter ``s`` after the weeks in ``a``, starting from ``plan``; every
    simulation runs with the Monte Carlo settings ``mc``.

    Raises
    ------
    InfeasiblePlanError
        The weeks left cannot meet the constraints (e.g. a spend minimum beyond the money left).
    """
    o, m = options or RecalibrateOptions(), mc or MonteCarlo()
    start, weeks = a.as_of_week, s.horizon.weeks
    beliefs = update_beliefs(a, s, BeliefOptions(prior_strength=o.prior_strength), start + 1)
    u = beliefs.scenario
    state = quarter_state(a, u)
    spent = spent_so_far(a)
    hired = _hired(plan) if start > 0 or not o.allow_hiring else {}
    rest = _as_quarter_reps(
        optimize(remainder_scenario(u, start, spent, state.stock, o.allow_hiring, hired),
                 OptimizeOptions(pilot=0)).plan,
        hired)
    sims = {
        FORECASTS[0]: simulate(s, plan, m),
        FORECASTS[1]: simulate(u, plan, m, initial_state=state),
        FORECASTS[2]: simulate(u, _pace_plan(rest, start, weeks, "re-optimised"), m,
                               initial_state=state),
    }
    spend = _spend_table(s, plan, spent, rest, start)
    totals = (plan.total_spend, sum(spent.values()) + float(spend.old_remaining.sum()),
              float(spend.new_quarter.sum()))
    gain = paired_gain(sims[FORECASTS[1]], sims[FORECASTS[2]], totals[1], totals[2])
    keep = gain[0] <= 0 and continued_fits(s, spend)
    adopted = FORECASTS[1] if keep else FORECASTS[2]
    new_targets = remaining_targets(sims[adopted], u, start)
    past = plan.targets[plan.targets.week <= start]
    quarter = spend.spent + (spend.old_remaining if keep else spend.new_remaining)
    new_plan = Plan(s.name, spend.assign(spend=quarter)[SPEND_COLUMNS],
                    plan.reps if keep else rest.reps,
                    pd.concat([past, new_targets], ignore_index=True),
                    source=f"recalibrated at week {start}")
    totals = (plan.total_spend, sum(spent.values()) + float(spend.old_remaining.sum()),
              float(spend.new_quarter.sum()))
    forecast = pd.DataFrame(
        [_forecast_row(n, sims[n], t) for n, t in zip(FORECASTS, totals, strict=True)],
        columns=["forecast", "revenue", "p10", "p50", "p90", "gross_profit", "spend",
                 "net_contribution"])
    before = remaining_targets(sims[FORECASTS[0]], s, start)
    return Recalibration(start, beliefs, state, plan, new_plan, spend,
                         _target_table(plan, new_targets, before, start), forecast, adopted,
                         gain, _booked_weekly(a), sims)

