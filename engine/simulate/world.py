"""A replication's quarter as the compiled kernels computed it so far, and how it is cut back.

The kernels run ahead: ``start_world`` simulates the whole quarter at once (funnel, orders,
stock and supply, invoices), drawing exactly as the unmanaged simulator always has. When
management acts at a review (day ``t``), ``rerun_from`` keeps everything that happened before
``t`` and runs the rest again under the changed inputs:

- the funnel restarts at ``t`` with the leads then in flight (stage, entry, pick-up, their
  already-drawn duration and conversion uniform); new arrivals after ``t`` come from the
  replication's own arrival streams replayed (Poisson by inversion: cells whose rate did not
  change get the same counts), everything else from fresh sub-streams of the replication;
- orders won before ``t`` keep their products; repeat business is unchanged;
- stock is run again from the quarter's start on all orders with the same lead times (the
  kernel is causal, so nothing before ``t`` moves), plus the expedited orders;
- invoices issued before ``t`` keep their payment days, later ones are drawn afresh.

Stage statistics that the funnel tallies by the week a lead *entered* (wait, pick-ups,
conversions, rep hours) keep, for the weeks before ``t``, the path the leads in flight had
before the action; tallies by week of event (arrivals, cold leads, leads open at a week's end,
wins, sales, cash) are exact. A rep busy with a lead at ``t`` stays busy with it until its
work is done (``funnel._busy_reps``), so a review that changes nothing leaves the quarter as
it was (a test checks it).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from engine.simulate.cash import Invoices, invoice
from engine.simulate.distributions import draw
from engine.simulate.funnel import Carried, FunnelOutcome, Leads, StageTrail, run_funnel
from engine.simulate.inputs import SimInputs
from engine.simulate.orders import (
    Orders,
    RepeatOutcome,
    carried_orders,
    merge,
    repeat_orders,
    won_orders,
)
from engine.simulate.state import QuarterState
from engine.simulate.streams import Streams
from engine.simulate.supply import LeadTimes, Shipments, draw_lead_times, ship_with
from engine.simulate.uncertainty import uncertain_inputs

REPLAYED = ("arrivals", "segments")
"""Streams a rerun replays from the replication's start (counts by inversion stay coupled)."""


@dataclass
class World:
    """Everything one replication has computed (mutated only by ``rerun_from``)."""

    inp: SimInputs
    """Inputs in force (with this replication's uncertainty; actions change later weeks)."""
    state: QuarterState
    streams: Streams
    pristine: Streams
    """Copies of the replayed streams as they were before the first draw."""
    funnel: FunnelOutcome
    trail: list[StageTrail]
    won: Orders
    repeat: Orders
    segments: RepeatOutcome
    orders: Orders
    leads: LeadTimes
    ships: Shipments
    invoices: Invoices
    forced: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    reruns: int = 0


def invoices_of(inp: SimInputs, orders: Orders, ships: Shipments, rng: np.random.Generator,
                state: QuarterState) -> Invoices:
    """Invoices of the shipments inside the quarter (``state``'s receivables first)."""
    invoiced = ships.day < inp.days
    region = orders.region[ships.order][invoiced]
    amount = (ships.units * orders.unit_revenue[ships.order])[invoiced]
    return invoice(inp, region, ships.day[invoiced], amount, rng, state)


def start_world(inp: SimInputs, streams: Streams, state: QuarterState,
                keep_trail: bool = False) -> World:
    """The whole quarter straight through, on the replication's streams (the unmanaged
    simulator's draws, in its order)."""
    pristine = {k: copy.deepcopy(streams[k]) for k in REPLAYED} if keep_trail else {}
    inp = uncertain_inputs(inp, streams["uncertainty"])
    trail: list[StageTrail] = []
    funnel = run_funnel(inp, streams, state, trail=trail if keep_trail else None)
    repeat, segments = repeat_orders(inp, streams["repeat"], state.start_day)
    won = won_orders(inp, funnel, streams["products"])
    orders = merge(won, repeat, carried_orders(inp, state))
    leads = draw_lead_times(inp, orders, streams["supply"], state)
    ships = ship_with(inp, orders, leads, state)
    invoices = invoices_of(inp, orders, ships, streams["payments"], state)
    return World(inp, state, streams, pristine, funnel, trail, won, repeat, segments, orders,
                 leads, ships, invoices)


def in_flight(world: World, t: float) -> Carried:
    """The leads in a funnel stage at day ``t``, with what the run already drew for them."""
    leads = world.funnel.leads
    parts: list[tuple[np.ndarray, ...]] = []
    for k, st in enumerate(world.trail):
        here = (st.enter <= t) & (st.leave > t)
        started = here & (st.start <= t)
        elapsed = np.where(started, t - st.start, t - st.enter)[here]
        parts.append((st.idx[here], np.full(int(here.sum()), k), started[here], elapsed,
                      st.length[here], st.u[here]))
    idx, stage, started, elapsed, length, u = (np.concatenate(c) for c in zip(*parts, strict=True))
    sel = Leads(leads.region[idx], leads.channel[idx], leads.segment[idx], leads.arrival[idx])
    return Carried(sel, stage.astype(np.int64), started.astype(bool), elapsed, length, u)


def _compose(before: FunnelOutcome, after: FunnelOutcome, week: int, t: float) -> FunnelOutcome:
    """Weeks before ``week`` from ``before``, the rest from ``after``; wins before ``t`` from
    ``before``."""
    n = before.leads.arrival.size
    early = before.won_day < t
    leads = Leads(*(np.concatenate([a, b]) for a, b in
                    zip(vars(before.leads).values(), vars(after.leads).values(), strict=True)))

    def split(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        out = b.copy()
        out[..., :week] = a[..., :week]
        return out

    weekly = after.weekly.copy()
    weekly[:, :week] = before.weekly[:, :week]
    return FunnelOutcome(
        leads, np.concatenate([before.won[early], after.won + n]),
        np.concatenate([before.won_day[early], after.won_day]), weekly,
        split(before.entered, after.entered), split(before.cold, after.cold),
        after.open_at_end, split(before.open_weeks, after.open_weeks))


def _fresh(world: World) -> Streams:
    """Streams of the next rerun: replayed arrivals and segments, fresh sub-streams else."""
    out = {k: g.spawn(1)[0] for k, g in world.streams.items()}
    out.update({k: copy.deepcopy(g) for k, g in world.pristine.items()})
    return out


def _extend(leads: LeadTimes, more: LeadTimes) -> LeadTimes:
    return [(np.concatenate([a1, b1]), np.concatenate([a2, b2]))
            for (a1, a2), (b1, b2) in zip(leads, more, strict=True)]


def _rerun_funnel(world: World, week: int, inp: SimInputs, streams: Streams) -> None:
    """The funnel from the end of ``week`` on under ``inp``, and the orders it wins."""
    t = 7.0 * week
    trail: list[StageTrail] = []
    after = run_funnel(inp, streams, QuarterState(start_week=week), in_flight(world, t), trail)
    won_after = won_orders(inp, after, streams["products"])
    early = world.won.day < t
    world.won = merge(Orders(**{k: v[early] for k, v in vars(world.won).items()}), won_after)
    world.orders = merge(world.won, world.repeat, carried_orders(inp, world.state))
    world.funnel = _compose(world.funnel, after, week, t)
    world.trail = trail


def _backup_leads(inp: SimInputs, forced: dict[int, tuple[np.ndarray, np.ndarray]],
                  rng: np.random.Generator) -> LeadTimes:
    """Backup-supplier lead times for the expedited orders (none for the primary: expediting
    never makes a product order more from it)."""
    none = np.zeros(0)
    out: LeadTimes = [(none, none)] * len(inp.products)
    for j, (days, _) in forced.items():
        dist = inp.stock.backup[j]
        if dist is not None:
            out[j] = (none, draw(rng, dist, days.size))
    return out


def rerun_from(world: World, week: int, inp: SimInputs, funnel: bool = True) -> None:
    """Keep the quarter up to the end of ``week`` and run the rest under ``inp`` (see the
    module docstring); ``world.forced`` holds the expedited orders to place. ``funnel=False``
    when nothing the funnel reads has changed (only stock and supply are run again)."""
    t = 7.0 * week
    streams = _fresh(world)
    if funnel:
        _rerun_funnel(world, week, inp, streams)
    orders = world.orders
    if funnel:
        more = draw_lead_times(inp, orders, streams["supply"], world.state)
    else:
        more = _backup_leads(inp, world.forced, streams["supply"])
    world.leads = _extend(world.leads, more)
    world.ships = ship_with(inp, orders, world.leads, world.state, world.forced)
    later = invoices_of(inp, orders, world.ships, streams["payments"], world.state)
    kept = world.invoices.select(world.invoices.issued < t)
    new = later.select(later.issued >= t)
    world.invoices = Invoices(*(np.concatenate([a, b]) for a, b in
                                zip(vars(kept).values(), vars(new).values(), strict=True)))
    world.inp = inp
    world.reruns += 1
