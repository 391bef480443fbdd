"""The rest of a quarter as a scenario of its own, for re-optimising what is still movable.

After ``K`` of ``W`` weeks, ``remainder_scenario`` returns a scenario of ``W - K`` weeks whose
plan is the money still to spend and the reps for the weeks left:

- **Budget**: the quarter's spendable money less what was spent (no further reserve).
- **Spend bounds** stay quarter bounds: a channel or region that spent ``x`` may spend
  ``min - x`` to ``max - x`` more (never below 0), so the whole quarter meets them.
- **Response curves** keep their weekly pace: spending ``r`` over ``W - K`` weeks buys the leads
  per week that ``r * W / (W - K)`` buys over a quarter (``half_saturation`` scales by
  ``(W - K) / W``; linear and fixed curves need nothing).
- **Weeks** of promotions, competitor shocks and supplier disruptions move back by ``K``; past
  ones are dropped; months are cut at ``K``; the month-one pilot-intent policy is dropped once
  month one is over.
- **Reps**: planned hires (and hires the plan in force added) keep ramping from where they
  are; no hires may be added unless ``allow_hiring``; a rep's cost and the key-account
  coverage are the weeks-left share of the quarter's; repeat-purchase, reactivation and churn
  probabilities likewise.
- **Stock** starts from the actuals' on-hand units.

Other policy constraints (margin floors, the new-product share) apply to the weeks left.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine import economics as ec
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES, SpendBounds
from engine.scenario.schema.scenario import Budget, Horizon

Pair = tuple[str, str]


def _weeks(weeks: list[int], start: int) -> list[int]:
    return [w - start for w in weeks if w > start]


def remaining_months(months: list[int], start: int) -> list[int]:
    """Month lengths of the weeks after ``start``."""
    out, end = [], 0
    for length in months:
        first, end = end, end + length
        if end > start:
            out.append(end - max(first, start))
    return out


def _bounds(b: SpendBounds, spent: float) -> SpendBounds:
    top = None if b.max is None else max(0.0, b.max - spent)
    low = max(0.0, b.min - spent)
    return SpendBounds(min=low if top is None else min(low, top), max=top)


def _channels(s: Scenario, spent: Mapping[Pair, float], left: float) -> list[Any]:
    out = []
    for c in s.channels:
        total = sum(v for (_, ch), v in spent.items() if ch == c.id)
        resp = c.response
        if resp.kind in ("hill", "exponential"):
            resp = resp.model_copy(update={"half_saturation": resp.half_saturation * left})
        out.append(c.model_copy(update={"response": resp, "spend": _bounds(c.spend, total)}))
    return out


def _regions(s: Scenario, spent: Mapping[Pair, float], allow_hiring: bool,
             hired: Mapping[Pair, int]) -> list[Any]:
    out = []
    for r in s.regions:
        total = sum(v for (reg, _), v in spent.items() if reg == r.id)
        hires = {role: r.hires.get(role) + int(hired.get((r.id, role), 0)) for role in ROLES}
        update: dict[str, Any] = {"spend": _bounds(r.spend, total),
                                  "hires": r.hires.model_copy(update=hires)}
        if not allow_hiring:
            update["max_hires"] = None
        elif r.max_hires is not None:
            update["max_hires"] = r.max_hires.model_copy(update={
                role: max(0, r.max_hires.get(role) - int(hired.get((r.id, role), 0)))
                for role in ROLES})
        out.append(r.model_copy(update=update))
    return out


def _customers(s: Scenario, left: float) -> list[Any]:
    fields = ("repurchase_rate", "reactivation_rate", "churn_rate")
    return [g.model_copy(update={f: getattr(g, f) * left for f in fields}) for g in s.customers]


def _salesforce(s: Scenario, start: int, left: float, hired: int) -> Any:
    sf = s.salesforce
    productivity = float(ec.ramp_productivity(s)[min(start, s.horizon.weeks - 1)])
    ramp = sf.ramp.model_copy(update={"weeks": max(0, sf.ramp.weeks - start),
                                      "start": productivity})
    roles = {k: v.model_copy(update={"cost": v.cost * left}) for k, v in sf.roles.items()}
    limit = None if sf.hiring_limit is None else max(0, sf.hiring_limit - hired)
    return sf.model_copy(update={"ramp": ramp, "roles": roles, "hiring_limit": limit})


def _pricing(s: Scenario, start: int) -> Any:
    promos = [p.model_copy(update={"weeks": _weeks(p.weeks, start)})
              for p in s.pricing.promotions if _weeks(p.weeks, start)]
    shocks = [c.model_copy(update={"weeks": _weeks(c.weeks, start)})
              for c in s.pricing.competitor_shocks if _weeks(c.weeks, start)]
    return s.pricing.model_copy(update={"promotions": promos, "competitor_shocks": shocks})


def _inventory(s: Scenario, start: int, stock: Mapping[str, float]) -> Any:
    suppliers = []
    for sup in s.inventory.suppliers:
        hits = [d.model_copy(update={"weeks": _weeks(d.weeks, start)})
                for d in sup.disruptions if _weeks(d.weeks, start)]
        suppliers.append(sup.model_copy(update={"disruptions": hits}))
    items = [i.model_copy(update={"on_hand": float(stock.get(i.product, i.on_hand))})
             for i in s.inventory.stock]
    return s.inventory.model_copy(update={"suppliers": suppliers, "stock": items})


def _policy(s: Scenario, start: int, left: float) -> Any:
    update: dict[str, Any] = {"key_account_coverage": s.policy.key_account_coverage * left}
    if start >= s.horizon.months[0]:
        update["pilot_intent"] = None
    return s.policy.model_copy(update=update)


def remainder_scenario(
    s: Scenario,
    start_week: int,
    spent: Mapping[Pair, float],
    stock: Mapping[str, float] | None = None,
    allow_hiring: bool = False,
    hired: Mapping[Pair, int] | None = None,
) -> Scenario:
    """The weeks after ``start_week`` of ``s`` as a scenario (see the module docstring).

    Parameters
    ----------
    spent:
        Money already spent per ``(region, channel)`` (money).
    stock:
        Units on hand per product at ``start_week`` (products not given keep their stock).
    hired:
        Hires the plan in force added per ``(region, role)``: they are on the payroll now,
        count as the scenario's planned hires, and use up their share of the hiring limits.
    """
    W = s.horizon.weeks
    left = (W - start_week) / W
    budget = max(0.0, s.budget.spendable - sum(spent.values()))
    return s.model_copy(update={
        "name": f"{s.name} (weeks {start_week + 1}-{W})",
        "horizon": Horizon(weeks=W - start_week,
                           months=remaining_months(list(s.horizon.months), start_week)),
        "budget": Budget(total=budget, reserve_share=0.0),
        "channels": _channels(s, spent, left),
        "regions": _regions(s, spent, allow_hiring, hired or {}),
        "customers": _customers(s, left),
        "salesforce": _salesforce(s, start_week, left, sum((hired or {}).values())),
        "pricing": _pricing(s, start_week),
        "inventory": _inventory(s, start_week, stock or {}),
        "policy": _policy(s, start_week, left),
    })
