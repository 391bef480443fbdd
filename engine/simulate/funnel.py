"""Leads through the funnel: daily cohorts of arrivals, rep queues, stage durations, conversions.

Leads are drawn as cohorts — one Poisson count per day x region x channel, in one draw — and then
carried as arrays (one entry per lead), stage by stage: every draw of a stage (durations,
conversions) is one vectorised call over all its leads. A lead entering stage ``k`` at day ``e``
waits for a rep of its pool (``queueing.serve_fifo``), is picked up at ``s``, leaves the stage at
``s + D`` (``D`` the stage duration) and moves on with the stage's conversion probability; one that
waits more than ``patience`` days goes cold. Only what happens before the quarter's end counts.

A lead's rep work in a stage is ``hours * D / E[D]``: a stage that runs longer takes
proportionally more of the rep's time (fixed durations: exactly ``hours``; exponential ones:
exponential work, as in the M/M/c queue).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.simulate.distributions import draw
from engine.simulate.inputs import SimInputs
from engine.simulate.poisson import poisson
from engine.simulate.queueing import clock_table, serve_ordered
from engine.simulate.state import QuarterState
from engine.simulate.streams import Streams
from engine.simulate.tally import prepare, tally_stage

FUNNEL_WEEKLY = (
    "entered",
    "started",
    "cold",
    "waited",
    "wait_days",
    "sojourn_days",
    "converted",
    "wip",
    "work_hours",
)
"""Per stage and week of entry: leads entering, picked up in the quarter, gone cold, that had to
wait, their total wait (days), total days in the stage (to leaving or the quarter's end),
converted in the quarter, work hours; ``wip`` is leads in the stage at the week's end."""


@dataclass(frozen=True)
class Leads:
    """One entry per lead: where it comes from and when it arrived (day)."""

    region: np.ndarray
    channel: np.ndarray
    segment: np.ndarray
    arrival: np.ndarray


@dataclass(frozen=True)
class FunnelOutcome:
    """What the funnel produced in one replication."""

    leads: Leads
    won: np.ndarray
    """Indices (into ``leads``) of won leads."""
    won_day: np.ndarray
    weekly: np.ndarray
    """(K x W x len(FUNNEL_WEEKLY)) stage statistics by week."""
    entered_by_region: np.ndarray
    """(K x R x W) leads entering each stage by region and week."""
    cold_by_region: np.ndarray
    """(R x W) leads gone cold by region and week."""
    open_at_end: np.ndarray
    """(K x R x C) leads still in each stage at the quarter's end."""


def _categorical(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def draw_arrivals(inp: SimInputs, streams: Streams, start_day: float) -> Leads:
    """New leads from ``start_day`` to the quarter's end: Poisson cohorts per day x region x
    channel, spread uniformly within their day, with segments by ``lead_share``."""
    days = int(inp.days)
    first = int(start_day)
    rate = np.repeat(inp.lead_rate, 7, axis=0)[first:days]
    counts = poisson(streams["arrivals"], rate)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    day, region, channel = np.unravel_index(cell, counts.shape)
    arrival = first + day + streams["arrivals"].random(cell.size)
    segment = _categorical(streams["segments"], np.cumsum(inp.segment_share), cell.size)
    return Leads(region.astype(np.int64), channel.astype(np.int64), segment, arrival)


def open_leads(inp: SimInputs, state: QuarterState, streams: Streams) -> tuple[Leads, np.ndarray]:
    """Leads of ``state`` (waiting at ``state.start_day``) and the stage index of each."""
    rows = [lead for lead in state.leads for _ in range(lead.count)]
    n = len(rows)
    seg = _categorical(streams["segments"], np.cumsum(inp.segment_share), n)
    known = np.array(
        [inp.segments.index(r.segment) if r.segment is not None else -1 for r in rows],
        dtype=np.int64,
    )
    week = [state.start_week if r.arrival_week is None else r.arrival_week - 1 for r in rows]
    leads = Leads(
        np.array([inp.regions.index(r.region) for r in rows], dtype=np.int64),
        np.array([inp.channels.index(r.channel) for r in rows], dtype=np.int64),
        np.where(known >= 0, known, seg),
        np.array(week, dtype=float) * 7.0,
    )
    return leads, np.array([inp.stages.index(r.stage) for r in rows], dtype=np.int64)


def _concat(a: Leads, b: Leads) -> Leads:
    pairs = zip(vars(a).values(), vars(b).values(), strict=True)
    return Leads(*(np.concatenate([x, y]) for x, y in pairs))


def _queue(inp: SimInputs, order: np.ndarray, pool: np.ndarray, enter: np.ndarray,
           work: np.ndarray) -> np.ndarray:
    """Pick-up days: the queued leads ``order`` (sorted by pool, then entry) through their
    pools; the others at once."""
    start = enter.copy()
    pools = inp.pools
    serve_ordered(order, pool, enter, work, inp.patience, pools.servers, pools.speed,
                  clock_table(pools.speed), start)
    return start


def run_funnel(inp: SimInputs, streams: Streams, state: QuarterState) -> FunnelOutcome:
    """Move this replication's leads through every stage (see the module docstring)."""
    K, R, C, W = len(inp.stages), len(inp.regions), len(inp.channels), inp.weeks
    end = inp.days
    fresh = draw_arrivals(inp, streams, state.start_day)
    carried, carried_stage = open_leads(inp, state, streams)
    leads = _concat(carried, fresh)
    stage_of = np.concatenate([carried_stage, np.zeros(fresh.arrival.size, dtype=np.int64)])
    weekly = np.zeros((K, W, len(FUNNEL_WEEKLY)))
    entered_by_region = np.zeros((K, R, W))
    cold_by_region = np.zeros((R, W))
    open_at_end = np.zeros((K, R, C))
    idx = np.flatnonzero(stage_of == 0)
    enter = leads.arrival[idx]
    table = np.stack([leads.region, leads.channel, leads.segment])
    for k in range(K):
        extra = np.flatnonzero(stage_of == k) if k > 0 else np.zeros(0, dtype=np.int64)
        idx = np.concatenate([idx, extra])
        enter = np.concatenate([enter, np.full(extra.size, state.start_day)])
        dist = inp.durations[k]
        length = draw(streams["durations"], dist, idx.size)
        pool, work, key, queued = prepare(
            idx, leads.region, leads.channel, enter, length, inp.pools.of_stage[k],
            inp.pools.hours_per_day, inp.stage_hours[k], dist.expected, end,
        )
        start = _queue(inp, np.argsort(key)[:queued], pool, enter, work)
        u = streams["conversions"].random(idx.size)
        moved, leave = tally_stage(
            idx, table, enter, start, length, u, inp.conversion[..., k], pool, work,
            inp.pools.hours_per_day, inp.patience, end, state.start_week, weekly[k],
            entered_by_region[k], cold_by_region, open_at_end[k],
        )
        idx, enter = idx[moved], leave[moved]
    return FunnelOutcome(leads, idx, enter, weekly, entered_by_region, cold_by_region, open_at_end)
