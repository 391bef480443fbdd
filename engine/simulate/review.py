"""Reviews: what a manager can see at the end of a week, the rules judged on it, and the
actions taken.

``observe`` reads only what happened in the weeks already completed: sales shipped, cash
collected, stock at the week's end, leads that arrived, went cold or were picked up. Every
array it reads is sliced to the completed weeks or filtered to events before the review's day
(a test poisons everything later and checks the observation does not move).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.scenario.schema.management import (
    Condition,
    Expedite,
    MoveMoney,
    Overtime,
    ReleaseReserve,
    Rule,
    StartPromotion,
    StopPromotion,
)
from engine.simulate.columns import PRODUCT_WEEKLY
from engine.simulate.levers import (
    Book,
    Levers,
    expedite_units,
    move,
    overtime,
    promote,
    release,
)
from engine.simulate.world import World, rerun_from

FIRING_COLUMNS = ("rule", "week", "action", "target", "amount", "unit", "cost")
"""A firing: rule id, review week, action, what it acted on, how much (in ``unit``) and its
direct cost (money: overtime pay; released reserve and expediting premiums show in spend and
backup cost)."""


@dataclass(frozen=True)
class Firing:
    """One action taken at a review."""

    rule: str
    week: int
    action: str
    target: str
    amount: float
    unit: str
    cost: float = 0.0


def _week_end_stock(world: World, week: int) -> np.ndarray:
    return world.ships.weekly[:, week - 1, PRODUCT_WEEKLY.index("stock")]


def _cover(world: World, week: int, product: str | None) -> float:
    inp = world.inp
    demand = world.ships.weekly[:, :week, PRODUCT_WEEKLY.index("demand")].sum(axis=1)
    per_day = demand / (7.0 * week - world.state.start_day)
    cover = np.divide(_week_end_stock(world, week), per_day, out=np.full(per_day.shape, np.inf),
                      where=per_day > 0)
    picks = inp.stock.stocked.copy()
    if product is not None:
        picks[:] = False
        picks[inp.products.index(product)] = True
    return float(cover[picks].min()) if picks.any() else np.inf


def _revenue_to_date(world: World, t: float) -> float:
    ships, orders = world.ships, world.orders
    done = ships.day < t
    booked = sum(world.state.revenue_booked.values())
    return float((ships.units * orders.unit_revenue[ships.order])[done].sum()) + booked


def _first_stage(world: World, since: float, t: float) -> tuple[float, float]:
    """Mean wait of first-stage pick-ups in ``[since, t)``, and the leads gone cold (any stage)
    in that time over those that arrived in it."""
    st = world.trail[0]
    picked = (st.start >= since) & (st.start < t)
    wait = float((st.start - st.enter)[picked].mean()) if picked.any() else 0.0
    cold = world.funnel.cold[..., int(since // 7):int(t // 7)].sum()
    arrived = world.funnel.entered[0, ..., int(since // 7):int(t // 7)].sum()
    return wait, float(cold / arrived) if arrived > 0 else 0.0


def observe(world: World, lv: Levers, week: int, since: int) -> dict[str, float]:
    """Every metric a rule can use, at the end of ``week``; ``since`` is the previous review's
    week (the quarter's start for the first)."""
    t = 7.0 * week
    inp = world.inp
    target = float(np.nansum(inp.targets[:, :week]))
    revenue = _revenue_to_date(world, t)
    gap = revenue / target - 1.0 if target > 0 else np.nan
    wait, cold = _first_stage(world, 7.0 * since, t)
    below = (_week_end_stock(world, week) < inp.stock.safety - 1e-9) & inp.stock.stocked
    paid = (world.invoices.paid < t) & (world.invoices.paid >= world.state.start_day)
    cash = float(world.invoices.amount[paid].sum()) + sum(world.state.cash_collected.values())
    return {
        "week": float(week), "attainment_gap": gap, "below_safety": float(below.sum()),
        "queue_wait_days": wait, "cold_share": cold,
        "competitor_shock": float(week - 1 in lv.shock_weeks), "cash": cash,
    }


def holds(cond: Condition, seen: dict[str, float], world: World, week: int) -> bool:
    """Whether ``cond`` holds on what was ``seen`` (NaN never holds)."""
    value = _cover(world, week, cond.product) if cond.metric == "stock_cover_days" \
        else seen[cond.metric]
    if np.isnan(value):
        return False
    return (cond.below is None or value < cond.below) and (cond.above is None or value > cond.above)


def act(world: World, lv: Levers, book: Book, rule: Rule, week: int) -> list[Firing]:
    """Take ``rule``'s action at the end of ``week`` and run the rest of the quarter again;
    returns what was done (nothing when the action has nothing to move)."""
    a, inp = rule.then, world.inp
    unit, cost = "money", 0.0
    if isinstance(a, ReleaseReserve):
        if book.reserve_left <= 1e-9:
            return []
        inp, target, amount = release(lv, book, inp, week, a)
    elif isinstance(a, MoveMoney):
        inp, target, amount = move(lv, book, inp, week, a)
    elif isinstance(a, StartPromotion | StopPromotion):
        inp, target, amount = promote(lv, book, inp, week, a)
        unit = "discount"
    elif isinstance(a, Overtime):
        inp, target, amount, cost = overtime(lv, inp, week, a)
        unit = "hours"
    else:
        assert isinstance(a, Expedite)
        picks = expedite_units(lv, inp, _week_end_stock(world, week), a)
        if not picks:
            return []
        for j, units in picks.items():
            days, qty = world.forced.get(j, (np.zeros(0), np.zeros(0)))
            world.forced[j] = (np.append(days, 7.0 * week), np.append(qty, units))
        return _expedited(world, lv, rule, week, picks, inp)
    rerun_from(world, week, inp)
    return [Firing(rule.id, week, a.do, target, float(amount), unit, cost)]


def _expedited(world: World, lv: Levers, rule: Rule, week: int, picks: dict[int, float],
               inp: object) -> list[Firing]:
    rerun_from(world, week, world.inp)
    premium = world.inp.stock.backup_premium
    return [Firing(rule.id, week, "expedite", world.inp.products[j], units, "units",
                   units * float(premium[j])) for j, units in picks.items()]
