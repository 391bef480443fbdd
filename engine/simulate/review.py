"""Reviews: what a manager can see at the end of a week, the rules judged on it, and the
actions taken.

``observe`` reads only what happened in the weeks already completed: sales shipped, cash
collected, stock at the week's end, leads that arrived, went cold or were picked up. Every
array it reads is sliced to the completed weeks or filtered to events before the review's day
(a test poisons everything later and checks the observation does not move).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engine.scenario.schema.management import (
    Condition,
    Expedite,
    MoveMoney,
    ReleaseReserve,
    Rule,
    StartPromotion,
    StopPromotion,
)
from engine.simulate.columns import PRODUCT_WEEKLY
from engine.simulate.inputs import SimInputs
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
"""A firing: rule id, review week, action, what it acted on, how much (in ``unit``: money
released or moved, units expedited, the discount, overtime hours) and its direct cost (money:
overtime pay, or the backup supplier's premium on the expedited units, which the
``backup_cost`` KPI also counts; released reserve shows in the spend)."""


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


def _attainment_gap(world: World, week: int) -> float:
    target = float(np.nansum(world.inp.targets[:, :week]))
    return _revenue_to_date(world, 7.0 * week) / target - 1.0 if target > 0 else np.nan


def _below_safety(world: World, week: int) -> float:
    st = world.inp.stock
    return float(((_week_end_stock(world, week) < st.safety - 1e-9) & st.stocked).sum())


def _cash(world: World, week: int) -> float:
    inv, t = world.invoices, 7.0 * week
    paid = (inv.paid < t) & (inv.paid >= world.state.start_day)
    return float(inv.amount[paid].sum()) + sum(world.state.cash_collected.values())


def observe(world: World, lv: Levers, week: int, since: int,
            metrics: frozenset[str] | None = None) -> dict[str, float]:
    """The metrics a rule can use (only ``metrics`` when given; ``stock_cover_days`` is read
    per condition), at the end of ``week``; ``since`` is the previous review's week (the
    quarter's start for the first)."""
    want = metrics if metrics is not None else frozenset(
        ("attainment_gap", "below_safety", "queue_wait_days", "cold_share", "cash",
         "competitor_shock"))
    seen = {"week": float(week)}
    if "attainment_gap" in want:
        seen["attainment_gap"] = _attainment_gap(world, week)
    if "below_safety" in want:
        seen["below_safety"] = _below_safety(world, week)
    if want & {"queue_wait_days", "cold_share"}:
        seen["queue_wait_days"], seen["cold_share"] = _first_stage(world, 7.0 * since, 7.0 * week)
    if "cash" in want:
        seen["cash"] = _cash(world, week)
    if "competitor_shock" in want:
        seen["competitor_shock"] = float(week - 1 in lv.shock_weeks)
    return seen


def holds(cond: Condition, seen: dict[str, float], world: World, week: int) -> bool:
    """Whether ``cond`` holds on what was ``seen`` (NaN never holds)."""
    value = _cover(world, week, cond.product) if cond.metric == "stock_cover_days" \
        else seen[cond.metric]
    if np.isnan(value):
        return False
    return (cond.below is None or value < cond.below) and (cond.above is None or value > cond.above)


@dataclass
class Decision:
    """The actions taken at one review: the inputs for the rest of the quarter and whether the
    funnel must run again (expediting changes only stock and supply)."""

    inp: SimInputs
    funnel: bool = False
    firings: list[Firing] = field(default_factory=list)


def _expedite(world: World, lv: Levers, rule: Rule, week: int, a: Expedite) -> list[Firing]:
    picks = expedite_units(lv, world.inp, _week_end_stock(world, week), a)
    premium = world.inp.stock.backup_premium
    for j, units in picks.items():
        days, qty = world.forced.get(j, (np.zeros(0), np.zeros(0)))
        world.forced[j] = (np.append(days, 7.0 * week), np.append(qty, units))
    return [Firing(rule.id, week, "expedite", world.inp.products[j], units, "units",
                   units * float(premium[j])) for j, units in picks.items()]


def act(world: World, lv: Levers, book: Book, rule: Rule, week: int, d: Decision) -> bool:
    """Add ``rule``'s action at the end of ``week`` to ``d``; false when it had nothing to move
    (no reserve left, no product to expedite)."""
    a = rule.then
    unit, cost = "money", 0.0
    if isinstance(a, Expedite):
        done = _expedite(world, lv, rule, week, a)
        d.firings += done
        return bool(done)
    if isinstance(a, ReleaseReserve):
        if book.reserve_left <= 1e-9:
            return False
        d.inp, target, amount = release(lv, book, d.inp, week, a)
    elif isinstance(a, MoveMoney):
        d.inp, target, amount = move(lv, book, d.inp, week, a)
    elif isinstance(a, StartPromotion | StopPromotion):
        d.inp, target, amount = promote(lv, book, d.inp, week, a)
        unit = "discount"
    else:
        d.inp, target, amount, cost = overtime(lv, d.inp, week, a)
        unit = "hours"
    d.funnel = True
    d.firings.append(Firing(rule.id, week, a.do, target, float(amount), unit, cost))
    return True


def decide(world: World, lv: Levers, book: Book, rules: list[Rule], week: int) -> Decision:
    """Take the actions of ``rules`` (those that hold) and run the rest of the quarter again
    once, if any acted."""
    d = Decision(world.inp)
    acted = [rule.id for rule in rules if act(world, lv, book, rule, week, d)]
    if acted:
        rerun_from(world, week, d.inp, d.funnel)
    return d
