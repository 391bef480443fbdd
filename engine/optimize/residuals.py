"""``check_plan``: every constraint recomputed from a plan, independently of the solver.

It reads only the plan's spend and reps and the scenario's economics; it never looks at the
solver's row activities. Leads come from the model's response pieces (``response="model"``, the
curve the optimiser planned on; the exact curve gives slightly more leads, by less than the
approximation error). Each row of the result is one constraint: its left-hand side, sense,
right-hand side and ``residual``, the violation relative to the larger side
(``max(0, violation) / max(1, |lhs|, |rhs|)``); a correct plan has residuals of solver
tolerance, about 1e-9.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from engine.optimize.inputs import ModelInputs, build_inputs
from engine.optimize.options import OptimizeOptions
from engine.optimize.outcome import Response, lead_rates, spend_grid
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES

CHECK_COLUMNS = ["constraint", "family", "lhs", "sense", "rhs", "residual"]
Record = tuple[str, str, float, str, float]


class _State:
    """What the checks read: the plan's spend, reps and leads per week."""

    def __init__(self, d: ModelInputs, plan: Plan, response: Response) -> None:
        self.spend = spend_grid(d, plan)
        self.rates = lead_rates(d, plan, response)
        self.added = np.zeros_like(d.on_hand)
        rows = {r: i for i, r in enumerate(d.regions)}
        for region, role, added in plan.reps[["region", "role", "added"]].itertuples(index=False):
            if region in rows and role in ROLES:
                self.added[rows[region], ROLES.index(role)] += float(added)


def _budget(d: ModelInputs, st: _State) -> Iterator[Record]:
    yield "budget", "budget", float(st.spend.sum()), "<=", d.spendable
    for (i, j), value in d.locked.items():
        name = f"locked_spend[{d.regions[i]},{d.channels[j]}]"
        yield name, "locked_spend", float(st.spend[i, j]), "==", value
    yield "spend_nonnegative", "bounds", float(st.spend.min(initial=0.0)), ">=", 0.0


def _spend_bounds(d: ModelInputs, st: _State) -> Iterator[Record]:
    for j, c in enumerate(d.scenario.channels):
        yield from _range("channel", c.id, float(st.spend[:, j].sum()), c.spend.min, c.spend.max)
    for i, r in enumerate(d.scenario.regions):
        yield from _range("region", r.id, float(st.spend[i].sum()), r.spend.min, r.spend.max)


def _range(kind: str, key: str, value: float, low: float, high: float | None) -> Iterator[Record]:
    if low > 0:
        yield f"{kind}_min[{key}]", f"{kind}_min", value, ">=", low
    if high is not None:
        yield f"{kind}_max[{key}]", f"{kind}_max", value, "<=", high


def _reps(d: ModelInputs, st: _State) -> Iterator[Record]:
    for i, region in enumerate(d.regions):
        for k, role in enumerate(ROLES):
            key = f"{region},{role}"
            yield f"max_hires[{key}]", "max_hires", st.added[i, k], "<=", d.max_added[i, k]
            yield f"hires_nonnegative[{key}]", "bounds", st.added[i, k], ">=", 0.0
            if d.integer_reps:
                whole = abs(st.added[i, k] - round(st.added[i, k]))
                yield f"whole_hires[{key}]", "integer", whole, "<=", 0.0
            if not d.scenario.salesforce.unlimited:
                need = float(st.rates[i] @ d.hours[i, :, k])
                have = (
                    d.on_hand[i, k] * d.hours_tenured[k]
                    - d.overhead[i, k]
                    + (d.hires[i, k] + st.added[i, k]) * d.hours_hire[k]
                )
                yield f"rep_capacity[{key}]", "rep_capacity", need, "<=", have
    sf = d.scenario.salesforce
    if sf.headcount_cap is not None:
        heads = float(d.on_hand.sum() + d.hires.sum() + st.added.sum())
        yield "headcount_cap", "headcount_cap", heads, "<=", float(sf.headcount_cap)
    if sf.hiring_limit is not None:
        yield "hiring_limit", "hiring_limit", float(st.added.sum()), "<=", float(sf.hiring_limit)


def _supply(d: ModelInputs, st: _State) -> Iterator[Record]:
    sold = np.einsum("rs,rsp->p", st.rates, d.units) + d.repeat_units.sum(axis=0)
    for p, product in enumerate(d.products):
        if np.isfinite(d.supply.limit[p]):
            room = d.supply.limit[p] + d.supply.backup[p]
            yield f"supply[{product}]", "supply", float(sold[p]), "<=", float(room)


def _policy(d: ModelInputs, st: _State) -> Iterator[Record]:
    revenue = st.rates[:, :, None] * d.revenue
    profit = revenue - st.rates[:, :, None] * d.units * d.unit_cost
    floors = d.scenario.policy.margin_floor
    for j, channel in enumerate(d.channels):
        if channel in floors.channels:
            rev, gp = float(revenue[:, j].sum()), float(profit[:, j].sum())
            floor = floors.channels[channel] * rev
            yield f"margin_floor[{channel}]", "margin_floor", gp, ">=", floor
    rep_rev = d.repeat_revenue.sum(axis=0)
    rep_gp = rep_rev - d.repeat_units.sum(axis=0) * d.unit_cost
    product_rev = revenue.sum(axis=(0, 1)) + rep_rev
    product_gp = profit.sum(axis=(0, 1)) + rep_gp
    for p, product in enumerate(d.products):
        if product in floors.products:
            yield (
                f"product_margin_floor[{product}]",
                "product_margin_floor",
                float(product_gp[p]),
                ">=",
                floors.products[product] * float(product_rev[p]),
            )
    share = d.scenario.policy.new_product_share_min
    if share > 0:
        new = float(product_rev[d.new].sum())
        yield "new_product_share", "new_product_share", new, ">=", share * float(product_rev.sum())
    yield from _pilots(d, st)


def _pilots(d: ModelInputs, st: _State) -> Iterator[Record]:
    policy = d.scenario.policy.pilot_intent
    if policy is None:
        return
    for i, r in enumerate(d.scenario.regions):
        if r.kind == "pilot":
            intent = float(st.rates[i] @ d.intent[i])
            yield f"pilot_intent[{r.id}]", "pilot_intent", intent, ">=", policy.min_per_region


CHECKS: tuple[Callable[[ModelInputs, _State], Iterator[Record]], ...] = (
    _budget,
    _spend_bounds,
    _reps,
    _supply,
    _policy,
)


def _residual(lhs: float, sense: str, rhs: float) -> float:
    violation = {"<=": lhs - rhs, ">=": rhs - lhs, "==": abs(lhs - rhs)}[sense]
    return max(0.0, violation) / max(1.0, abs(lhs), abs(rhs))


def check_plan(
    scenario: Scenario,
    plan: Plan,
    options: OptimizeOptions | None = None,
    response: Response = "model",
    inputs: ModelInputs | None = None,
) -> pd.DataFrame:
    """``constraint, family, lhs, sense, rhs, residual`` for every constraint of the plan.

    ``options`` must be those the plan was optimised with (budget override, locks, pieces);
    ``inputs``, when given, are ``build_inputs(scenario, options)`` already computed.
    """
    d = inputs if inputs is not None else build_inputs(scenario, options)
    st = _State(d, plan, response)
    records = [rec for check in CHECKS for rec in check(d, st)]
    frame = pd.DataFrame(records, columns=CHECK_COLUMNS[:-1])
    frame["residual"] = [_residual(*r) for r in zip(frame.lhs, frame.sense, frame.rhs, strict=True)]
    return frame
