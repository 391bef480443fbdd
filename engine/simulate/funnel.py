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

from engine.simulate.columns import FUNNEL_WEEKLY
from engine.simulate.distributions import draw, draw_remaining
from engine.simulate.inputs import SimInputs
from engine.simulate.poisson import poisson
from engine.simulate.queueing import clock_table, serve_ordered
from engine.simulate.state import QuarterState
from engine.simulate.streams import Streams
from engine.simulate.tally import prepare, tally_stage


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
    entered: np.ndarray
    """(K x R x C x W) leads entering each stage by region, channel and week."""
    cold: np.ndarray
    """(K x R x C x W) leads gone cold waiting in each stage, by the week they went cold."""
    open_at_end: np.ndarray
    """(K x R x C) leads still in each stage at the quarter's end."""
    open_weeks: np.ndarray
    """(K x R x C x W) leads in each stage at each week's end."""

    @property
    def entered_by_region(self) -> np.ndarray:
        """(K x R x W) leads entering each stage by region and week."""
        return self.entered.sum(axis=2)

    @property
    def cold_by_region(self) -> np.ndarray:
        """(R x W) leads gone cold by region and week."""
        return self.cold.sum(axis=(0, 2))


def _categorical(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def draw_arrivals(inp: SimInputs, streams: Streams, start_day: float) -> Leads:
    """New leads from ``start_day`` to the quarter's end: Poisson cohorts per day x region x
    channel, spread uniformly within their day, with segments by ``lead_share``.

    The whole quarter is drawn and the days before ``start_day`` dropped, so that a run from
    week ``K`` gets the same later arrivals as the run from week 0 on the same streams (common
    random numbers between a forecast made mid-quarter and the quarter run straight through).
    """
    days = int(inp.days)
    rate = np.repeat(inp.lead_rate, 7, axis=0)[:days]
    counts = poisson(streams["arrivals"], rate)
    cell = np.repeat(np.arange(counts.size), counts.ravel())
    day, region, channel = np.unravel_index(cell, counts.shape)
    arrival = day + streams["arrivals"].random(cell.size)
    segment = _categorical(streams["segments"], np.cumsum(inp.segment_share), cell.size)
    keep = day >= int(start_day)
    return Leads(region[keep].astype(np.int64), channel[keep].astype(np.int64), segment[keep],
                 arrival[keep])


@dataclass(frozen=True)
class Carried:
    """The leads of a ``QuarterState``, one entry each."""

    leads: Leads
    stage: np.ndarray
    started: np.ndarray
    """A rep has the lead (no queue, no more rep hours)."""
    elapsed: np.ndarray
    """Days in service (``started``) or waiting (days)."""
    length: np.ndarray | None = None
    """Known duration of the current stage (days) and ``u`` the known conversion uniform, per
    lead; given when the leads come from an earlier run of the same replication (a review
    where management acted), drawn otherwise."""
    u: np.ndarray | None = None


@dataclass(frozen=True)
class StageTrail:
    """Per lead of one stage in a run: lead index, entry, pick-up (``inf``: never), duration,
    leaving day (``inf``: still there at the end) and conversion uniform."""

    idx: np.ndarray
    enter: np.ndarray
    start: np.ndarray
    length: np.ndarray
    leave: np.ndarray
    u: np.ndarray


def open_leads(inp: SimInputs, state: QuarterState, streams: Streams) -> Carried:
    """Leads of ``state`` (in their stages at ``state.start_day``), one entry per lead; a
    waiting lead has waited at most ``patience`` days, and none longer than the quarter so
    far."""
    rows = state.leads
    count = np.array([r.count for r in rows], dtype=np.int64)

    def each(values: list[float] | list[int] | list[bool], dtype: type) -> np.ndarray:
        return np.repeat(np.array(values, dtype=dtype), count)

    n = int(count.sum())
    seg = _categorical(streams["segments"], np.cumsum(inp.segment_share), n)
    known = each([-1 if r.segment is None else inp.segments.index(r.segment) for r in rows],
                 np.int64)
    week = [state.start_week if r.arrival_week is None else r.arrival_week - 1 for r in rows]
    started = each([r.started for r in rows], bool)
    elapsed = np.minimum(each([r.elapsed_days for r in rows], float), state.start_day)
    elapsed = np.where(started, elapsed, np.minimum(elapsed, inp.patience))
    leads = Leads(
        each([inp.regions.index(r.region) for r in rows], np.int64),
        each([inp.channels.index(r.channel) for r in rows], np.int64),
        np.where(known >= 0, known, seg),
        each(week, float) * 7.0,
    )
    return Carried(leads, each([inp.stages.index(r.stage) for r in rows], np.int64), started,
                   elapsed)


def _concat(a: Leads, b: Leads) -> Leads:
    pairs = zip(vars(a).values(), vars(b).values(), strict=True)
    return Leads(*(np.concatenate([x, y]) for x, y in pairs))


NO_BUSY = np.full((0, 0), np.nan)


def _queue(inp: SimInputs, order: np.ndarray, pool: np.ndarray, enter: np.ndarray,
           work: np.ndarray, t0: float, cum: np.ndarray, free0: np.ndarray = NO_BUSY
           ) -> np.ndarray:
    """Pick-up days: the queued leads ``order`` (sorted by pool, then entry) through their
    pools, reps free from day ``t0`` (or as ``free0`` says); the others at once (not before
    ``t0``)."""
    start = np.maximum(enter, t0)
    pools = inp.pools
    if free0.shape[0] == 0:
        free0 = np.full((pools.servers.size, 0), np.nan)
    serve_ordered(order, pool, enter, work, inp.patience, pools.servers, pools.speed,
                  cum, start, t0, free0)
    return start


def _busy_reps(inp: SimInputs, k: int, leads: Leads, idx: np.ndarray, busy: np.ndarray,
               started: np.ndarray, length: np.ndarray, t0: float, cum: np.ndarray
               ) -> np.ndarray:
    """(pools x reps) work clock at which each rep of stage ``k`` finishes the carried lead it
    has at ``t0`` (NaN: free): a lead started at ``s`` holds its rep until ``clock(s) +
    work``."""
    pools = inp.pools
    free0 = np.full((pools.servers.size, int(pools.servers.max(initial=0))), np.nan)
    if not busy.size or not free0.size:
        return free0
    lead = idx[busy]
    p = pools.of_stage[k, leads.region[lead], leads.channel[lead]]
    ok = p >= 0
    p, s, size = p[ok], started[lead][ok], length[busy][ok]
    expected = inp.durations[k].expected
    work = inp.stage_hours[k] * (size / expected if expected > 0 else 1.0) / pools.hours_per_day[p]
    week = np.minimum((s // 7).astype(np.int64), inp.weeks - 1)
    until = cum[p, week] + pools.speed[p, week] * (s - 7.0 * week) + work
    w0 = min(int(t0 // 7), inp.weeks - 1)
    now = cum[p, w0] + pools.speed[p, w0] * (t0 - 7.0 * w0)
    for q in np.unique(p):
        mine = np.sort(until[(p == q) & (until > now)])[::-1][: pools.servers[q]]
        free0[q, : mine.size] = mine
    return free0


def _carry_in(inp: SimInputs, streams: Streams, k: int, in_service: np.ndarray,
              served: np.ndarray, idx: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Positions (in ``idx``) of the carried leads a rep already has in stage ``k``
    (``in_service``: that stage per lead, -1 for others); their ``length`` becomes the days
    ``served`` so far plus the rest, drawn given the time served."""
    busy = np.flatnonzero(in_service[idx] == k)
    if busy.size:
        done = served[idx[busy]]
        length[busy] = done + draw_remaining(streams["carried"], inp.durations[k], done)
    return busy


def _known(n: int, stage_of: np.ndarray, idx: np.ndarray, k: int) -> np.ndarray:
    """Positions (in ``idx``) of the carried leads whose carried stage is ``k``."""
    mine = np.flatnonzero(idx < n)
    return mine[stage_of[idx[mine]] == k]


def run_funnel(inp: SimInputs, streams: Streams, state: QuarterState,
               carried: Carried | None = None,
               trail: list[StageTrail] | None = None) -> FunnelOutcome:
    """Move this replication's leads through every stage (see the module docstring).

    Carried leads (``state.leads``, or ``carried`` when given) join their stage at ``start_day``
    less the days they have waited or been served; those a rep already has skip the queue
    (``_carry_in``). ``trail``, when given, receives each stage's per-lead ``StageTrail``."""
    K, R, C, W = len(inp.stages), len(inp.regions), len(inp.channels), inp.weeks
    end, t0 = inp.days, state.start_day
    fresh = draw_arrivals(inp, streams, t0)
    if carried is None:
        carried = open_leads(inp, state, streams)
    n = carried.stage.size
    leads = _concat(carried.leads, fresh)
    stage_of = np.concatenate([carried.stage, np.zeros(fresh.arrival.size, dtype=np.int64)])
    joined = np.concatenate([t0 - carried.elapsed, fresh.arrival])
    in_service = np.concatenate([np.where(carried.started, carried.stage, -1),
                                 np.full(fresh.arrival.size, -1)])
    served = np.concatenate([carried.elapsed, np.zeros(fresh.arrival.size)])
    started_at = t0 - served
    cum = clock_table(inp.pools.speed)
    weekly = np.zeros((K, W, len(FUNNEL_WEEKLY)))
    entered, cold, open_weeks = (np.zeros((K, R, C, W)) for _ in range(3))
    open_at_end = np.zeros((K, R, C))
    idx = np.flatnonzero(stage_of == 0)
    enter = joined[idx]
    table = np.stack([leads.region, leads.channel, leads.segment])
    for k in range(K):
        extra = np.flatnonzero(stage_of[:n] == k) if k > 0 else np.zeros(0, dtype=np.int64)
        idx = np.concatenate([idx, extra])
        enter = np.concatenate([enter, joined[extra]])
        dist = inp.durations[k]
        length = draw(streams["durations"], dist, idx.size)
        known = None
        if carried.length is None or carried.u is None:
            busy = _carry_in(inp, streams, k, in_service, served, idx, length)
        else:
            busy = np.flatnonzero(in_service[idx] == k)
            known = _known(n, stage_of, idx, k)
            length[known] = carried.length[idx[known]]
        pool, work, key, queued = prepare(
            idx, leads.region, leads.channel, enter, length, inp.pools.of_stage[k],
            inp.pools.hours_per_day, inp.stage_hours[k], dist.expected, end,
        )
        if busy.size:
            pool[busy], work[busy], key[busy] = -1, 0.0, np.inf
            queued = int(np.isfinite(key).sum())
        free0 = NO_BUSY if known is None else _busy_reps(
            inp, k, leads, idx, busy, started_at, length, t0, cum)
        start = _queue(inp, np.argsort(key)[:queued], pool, enter, work, t0, cum, free0)
        start[busy] = enter[busy]
        u = streams["conversions"].random(idx.size)
        if known is not None and carried.u is not None:
            u[known] = carried.u[idx[known]]
        moved, leave = tally_stage(
            idx, table, enter, start, length, u, inp.conversion[..., k], pool, work,
            inp.pools.hours_per_day, inp.patience, end, state.start_week, weekly[k],
            entered[k], cold[k], open_at_end[k], open_weeks[k],
        )
        if trail is not None:
            trail.append(StageTrail(idx, enter, start, length, leave, u))
        idx, enter = idx[moved], leave[moved]
    return FunnelOutcome(leads, idx, enter, weekly, entered, cold, open_at_end, open_weeks)
