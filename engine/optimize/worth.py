"""What a planner gets for acting on the plan's margins: one more rep, money left unspent, a floor
that shut something down.

A row dual says what the next sliver of a resource is worth; a rep comes whole, and with rep
queues its worth is not a dual at all (an extra rep shortens the waits before the capacity row
binds). So ``rep_values`` puts one more tenured rep of a role in a region into the plan, re-reads
the queues with it (the pilot's residual correction kept) and reports the change in the
forecast's net contribution, the rep's cost included: what the planner gets by adding that rep
to this plan. (Re-solving the whole model around the rep moves money as well; with the queues
near full the loop's own wobble is then larger than many a rep's worth.)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from engine.optimize.calibrate import Correction, corrected_inputs
from engine.optimize.congestion import congestion
from engine.optimize.forecast import Forecast, forecast_of
from engine.optimize.inputs import ModelInputs
from engine.optimize.model import PlanModel
from engine.optimize.options import OptimizeOptions
from engine.optimize.outcome import expected_outcome
from engine.optimize.shadow import goal_words
from engine.optimize.solve import solve
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES
from engine.simulate import MonteCarlo, SimulationResult, simulate

REP_STATEMENTS = 3
"""How many (region, role) pairs get a re-solved rep value: the busiest pools first."""
REP_COLUMNS = ["region", "role", "value", "interval", "verdict", "cost", "utilisation",
               "meaning"]
"""``interval``: half-width of the value's 95% interval (NaN when it is not simulated);
``verdict``: what the interval says (``rep_verdict``)."""
IDLE_SHARE = 0.995
"""A budget spent below this share of the spendable money is reported as idle."""



def forecast_under(d: ModelInputs, corr: Correction, plan: Plan) -> Forecast:
    """The forecast of ``plan`` under ``d`` corrected by ``corr``."""
    dc = corrected_inputs(d, corr)
    return forecast_of(dc, plan, expected_outcome(dc, plan), corr.backup_cost,
                       corr.management_cost)


def busiest(corr: Correction, d: ModelInputs, count: int = REP_STATEMENTS) -> list[tuple[str,
                                                                                       str, float]]:
    """The (region, role, utilisation) pairs whose pools are busiest, most first."""
    c = corr.congestion
    best: dict[tuple[str, str], float] = {}
    for (region, _stage, role), util in zip(c.pools, c.utilisation, strict=True):
        key = (region, role)
        best[key] = max(best.get(key, 0.0), float(util))
    order = sorted(best.items(), key=lambda kv: -kv[1])
    return [(r, o, u) for (r, o), u in order if r in d.regions][:count]


def with_one_more(d: ModelInputs, plan: Plan, region: str, role: str) -> tuple[ModelInputs, Plan]:
    """``d`` and ``plan`` with one more tenured rep of ``role`` in ``region``."""
    i, k = d.regions.index(region), ROLES.index(role)
    on_hand = d.on_hand.copy()
    on_hand[i, k] += 1
    reps = plan.reps.copy()
    at = (reps.region == region) & (reps.role == role)
    reps.loc[at, "on_hand"] = reps.loc[at, "on_hand"] + 1
    reps.loc[at, "reps"] = reps.loc[at, "reps"] + 1
    return replace(d, on_hand=on_hand), Plan(plan.scenario, plan.spend, reps, plan.targets,
                                             plan.source)


def rep_values(d: ModelInputs, corr: Correction, plan: Plan) -> pd.DataFrame:
    """``region, role, value, cost, utilisation, meaning``: the change in the forecast's net
    contribution when one more tenured rep joins a pool's role in a region and the plan's spend
    stays as it is (the queues re-read with the rep; its cost included), busiest pools first."""
    s = d.scenario
    now = forecast_under(d, corr, plan).net_contribution
    rows = []
    for region, role, util in busiest(corr, d):
        d1, plan1 = with_one_more(d, plan, region, role)
        corr1 = corr.with_congestion(congestion(d1, plan1))
        value = forecast_under(d1, corr1, plan1).net_contribution - now
        cost = float(d.rep_cost[ROLES.index(role)])
        rows.append((region, role, value, np.nan, "", cost, util,
                     _rep_sentence(s.currency, region, role, value, cost, util)))
    return pd.DataFrame(rows, columns=REP_COLUMNS)


def rep_verdict(value: float, half: float) -> str:
    """Whether one more rep pays, at 95%: "pays" (the whole interval above zero), "does not pay"
    (below), "not clear either way" (it spans zero); "" for a value not simulated (the model's
    re-read, no interval)."""
    if not np.isfinite(half):
        return ""
    if value - half > 0:
        return "pays"
    if value + half < 0:
        return "does not pay"
    return "not clear either way"


def _rep_sentence(currency: str, region: str, role: str, value: float, cost: float,
                  util: float) -> str:
    sign = "+" if value >= 0 else "-"
    return (f"one more tenured {role} rep in {region} (pools {util:.0%} busy), the plan's spend "
            f"kept: net contribution {sign}{currency}{abs(value):,.0f}, its {currency}{cost:,.0f} "
            "cost included")


def idle_resources(d: ModelInputs, corr: Correction, plan: Plan) -> list[str]:
    """What the plan leaves unused, and why, in the planner's words."""
    s = d.scenario
    notes = []
    spent = plan.total_spend
    if d.spendable > 0 and spent < IDLE_SHARE * d.spendable:
        notes.append(
            f"{s.currency}{d.spendable - spent:,.0f} of the {s.currency}{d.spendable:,.0f} "
            "spendable budget is left unspent: at these response curves, rep capacity and "
            "margin floors, no channel in any region brings back more net contribution than "
            "the next unit of money costs")
    c = corr.congestion
    quiet: dict[tuple[str, str], float] = {}
    for (region, _stage, role), util in zip(c.pools, c.utilisation, strict=True):
        quiet[(region, role)] = max(quiet.get((region, role), 0.0), float(util))
    slack = [f"{role} in {region} ({u:.0%})" for (region, role), u in quiet.items() if u < 0.5]
    if slack:
        notes.append("reps less than half busy: " + ", ".join(slack[:8])
                     + (" ..." if len(slack) > 8 else ""))
    return notes


def shut_down(binding: pd.DataFrame, plan: Plan) -> dict[str, str]:
    """Binding margin floors on channels the plan does not spend on: row name -> what it shut
    down."""
    by_channel = plan.spend.groupby("channel").spend.sum()
    out = {}
    for name, family in zip(binding.constraint, binding.family, strict=True):
        if family == "margin_floor":
            channel = name[name.index("[") + 1: -1]
            if float(by_channel.get(channel, 0.0)) <= 1e-6:
                out[name] = f"the margin floor on {channel} shuts {channel} down (no spend on it)"
    return out


BUDGET_STEP = 0.10
"""The share of the budget by which ``budget_steps`` moves it either way."""


def budget_steps(m: PlanModel, objective: float, options: OptimizeOptions) -> str | None:
    """What the last and the next ``BUDGET_STEP`` of the budget are worth per unit of money,
    from re-solves of the same model (a dual holds only until the next chord of a response
    curve; these hold over the whole step). ``None`` when the budget does not bind."""
    d = m.inputs
    row = m.row("budget")
    spendable = row.upper
    if not np.isfinite(spendable) or spendable <= 0:
        return None
    values = []
    for factor in (1.0 - BUDGET_STEP, 1.0 + BUDGET_STEP):
        m.set_budget(spendable * factor)
        sol = solve(m, options)
        values.append(sol.objective if sol.status.has_plan else float("nan"))
    m.set_budget(spendable)
    step = BUDGET_STEP * spendable
    last, after = (objective - values[0]) / step, (values[1] - objective) / step
    cur, goal = d.scenario.currency, goal_words(d.scenario.policy.objective)
    return (f"the last {BUDGET_STEP:.0%} of the budget brought {cur}{last:,.2f} of {goal} per "
            f"{cur} spent; the next {BUDGET_STEP:.0%} would bring {cur}{after:,.2f} per {cur} "
            "(re-solved, spend included)")


def net_by_replication(sim: SimulationResult) -> np.ndarray:
    """Net contribution in each replication of ``sim``, in replication order (money)."""
    kpis = sim.kpis
    rows = kpis[kpis.metric == "net_contribution"].sort_values("replication")
    return rows.value.to_numpy(dtype=float)


def simulated_net(s: Scenario, plan: Plan, mc: MonteCarlo) -> np.ndarray:
    """Net contribution of ``plan`` in each replication of ``mc`` (money)."""
    return net_by_replication(simulate(s, plan, mc))


def simulated_rep_values(d: ModelInputs, corr: Correction, plan: Plan, mc: MonteCarlo,
                         before: np.ndarray | None = None) -> pd.DataFrame:
    """``rep_values`` measured by simulation: the plan with one more tenured rep against the
    plan as it is, on the same random numbers (``mc``), for the busiest pools; the sentence
    gives the 95% interval. ``before``: the plan's own net contribution on ``mc`` when it was
    already simulated."""
    s = d.scenario
    if before is None:
        before = simulated_net(s, plan, mc)
    rows = []
    for region, role, util in busiest(corr, d):
        gain = simulated_net(s, with_one_more(d, plan, region, role)[1], mc) - before
        value = float(gain.mean())
        half = 1.96 * float(gain.std(ddof=1)) / np.sqrt(gain.size) if gain.size > 1 else np.nan
        cost = float(d.rep_cost[ROLES.index(role)])
        verdict = rep_verdict(value, half)
        sentence = (_rep_sentence(s.currency, region, role, value, cost, util)
                    + f" (± {s.currency}{half:,.0f}, simulated over {gain.size} quarters: "
                    f"{verdict})")
        rows.append((region, role, value, half, verdict, cost, util, sentence))
    return pd.DataFrame(rows, columns=REP_COLUMNS)
