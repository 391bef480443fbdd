"""Rep pools as first-come-first-served multi-server queues with impatient leads.

Each pool has ``c`` reps. A lead joining the pool is picked up by the rep who frees up first, as
soon as one is free; a rep then works on it for its work time. A lead still waiting
``patience`` days after joining goes cold and takes no rep time. This is the exact G/G/c+D
queue, lead by lead (so with Poisson leads and exponential work it is the M/M/c queue of Erlang C).

Time-varying capacity (ramping hires, overheads) is a pace ``speed[w]`` for each week: the pool
runs on a *work clock* that advances ``speed[w]`` days per day, and work is measured in days of a
tenured rep. The kernel is compiled with numba: the leads of a replication are many (10^4 - 10^6)
and the queue is sequential by nature; it draws nothing, all randomness comes in as arrays.
"""

from __future__ import annotations

import numba
import numpy as np

DAYS_PER_WEEK = 7.0


def clock_table(speed: np.ndarray) -> np.ndarray:
    """Work clock at each week boundary: (pools x (W + 1)) days of tenured-rep work."""
    cum = np.zeros((speed.shape[0], speed.shape[1] + 1))
    cum[:, 1:] = np.cumsum(speed * DAYS_PER_WEEK, axis=1)
    return cum


@numba.njit(cache=True)
def _week(t, weeks):
    w = int(t * (1.0 / DAYS_PER_WEEK))
    return min(max(w, 0), weeks - 1)


@numba.njit(cache=True)
def _clock(speed, cum, t):
    w = _week(t, speed.shape[0])
    return cum[w] + speed[w] * (t - DAYS_PER_WEEK * w)


@numba.njit(cache=True)
def _real_time(speed, cum, x, w):
    """Earliest day at which the work clock reaches ``x``, searching from week ``w``."""
    weeks = speed.shape[0]
    while w < weeks - 1 and cum[w + 1] < x:
        w += 1
    if speed[w] > 0:
        return DAYS_PER_WEEK * w + (x - cum[w]) / speed[w]
    if w < weeks - 1 or x <= cum[w]:
        return DAYS_PER_WEEK * w
    return np.inf


@numba.njit(cache=True)
def serve_ordered(order, pool, arrival, work, patience, servers, speed, cum, start, t0, free0):
    """Fill ``start`` (pick-up day; ``inf``: went cold or no rep ever free) for the leads
    ``order`` lists, which must be sorted by pool then arrival; other entries are untouched.

    ``pool``, ``arrival``, ``work`` are per lead: pool index, day it joins the queue, work in
    days of a tenured rep; ``patience`` days before a lead goes cold (``inf``: never);
    ``servers``, ``speed``, ``cum``: reps per pool, (pools x W) pace, ``clock_table(speed)``.
    Reps are free from day ``t0`` on, except that ``free0[p, q]`` (pools x reps), when not NaN,
    is the work clock at which rep ``q`` of pool ``p`` finishes the lead it had at ``t0``; a lead
    that joined earlier (carried into a mid-quarter start) keeps its place and its patience but
    is picked up at ``t0`` at the earliest.
    """
    n = order.shape[0]
    weeks = speed.shape[1]
    impatient = np.isfinite(patience)
    i = 0
    while i < n:
        p = pool[order[i]]
        j = i
        while j < n and pool[order[j]] == p:
            j += 1
        c = servers[p]
        sp, cu = speed[p], cum[p]
        free = np.full(max(c, 1), _clock(sp, cu, t0))
        for q in range(min(c, free0.shape[1])):
            if not np.isnan(free0[p, q]):
                free[q] = free0[p, q]
        for m in order[i:j]:
            if c == 0:
                start[m] = np.inf
                continue
            a = arrival[m]
            ac = _clock(sp, cu, a)
            k, best = 0, free[0]
            for q in range(1, c):
                if free[q] < best:
                    k, best = q, free[q]
            if best <= ac:
                start[m] = max(a, t0)
                free[k] = ac + work[m]
            elif impatient and best > _clock(sp, cu, a + patience):
                start[m] = np.inf
            else:
                start[m] = max(a, t0, _real_time(sp, cu, best, _week(a, weeks)))
                free[k] = best + work[m]
        i = j


def serve_fifo(
    pool: np.ndarray,
    arrival: np.ndarray,
    work: np.ndarray,
    patience: float,
    servers: np.ndarray,
    speed: np.ndarray,
    cum: np.ndarray,
    t0: float = 0.0,
) -> np.ndarray:
    """Pick-up day of each lead of arrays already sorted by pool then arrival (see
    ``serve_ordered``)."""
    start = np.empty(pool.shape[0])
    order = np.arange(pool.shape[0])
    serve_ordered(order, pool, arrival, work, patience, servers, speed, cum, start, t0,
                  np.full((servers.shape[0], 0), np.nan))
    return start
