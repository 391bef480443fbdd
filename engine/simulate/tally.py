"""The per-lead bookkeeping of one funnel stage, compiled: which pool and how much work each lead
needs, and, once the queue has run, the weekly tallies of the stage."""

from __future__ import annotations

import numba
import numpy as np

DAYS_PER_WEEK = 7.0
ENTERED, STARTED, COLD, WAITED, WAIT_DAYS, SOJOURN_DAYS, CONVERTED, WIP, WORK_HOURS = range(9)


@numba.njit(cache=True)
def _week(t, weeks):
    w = int(t * (1.0 / DAYS_PER_WEEK))
    return min(max(w, 0), weeks - 1)


@numba.njit(cache=True)
def prepare(idx, lead_region, lead_channel, enter, length, of_stage, hours_per_day, hours,
            expected, days):
    """Per lead of the stage: pool (-1: no queue), work in days of a tenured rep (the stage's
    ``hours`` scaled by ``length / expected``), and a sort key (pool, then entry day; ``inf``
    for leads without a queue). Also returns how many leads queue."""
    n = idx.shape[0]
    pool = np.empty(n, dtype=np.int64)
    work = np.zeros(n)
    key = np.full(n, np.inf)
    queued = 0
    for i in range(n):
        p = of_stage[lead_region[idx[i]], lead_channel[idx[i]]]
        pool[i] = p
        if p >= 0:
            scale = length[i] / expected if expected > 0 else 1.0
            work[i] = hours * scale / hours_per_day[p]
            key[i] = p * (days + 1.0) + min(enter[i], days)
            queued += 1
    return pool, work, key, queued


@numba.njit(cache=True)
def tally_stage(idx, leads, enter, start, length, u, conversion, pool, work, hours_per_day,
                patience, end, start_week, weekly, entered, cold, open_cells, open_weeks):
    """Weekly tallies of the stage's leads; returns which move on in the quarter and the day
    each leaves the stage (``inf``: still there at the end).

    ``leads`` is (3 x all leads): region, channel, segment. A lead converts when its uniform
    ``u`` is below ``conversion[region, channel, segment]``. Fills ``weekly`` (W x 9, as
    ``funnel.FUNNEL_WEEKLY``, by week of entry; ``wip`` by week end), and per region x channel
    ``entered`` (R x C x W, by week of entry), ``cold`` (R x C x W, by week gone cold),
    ``open_cells`` (R x C, leads left at the end) and ``open_weeks`` (R x C x W, in the stage
    at each week's end).
    """
    weeks = weekly.shape[0]
    n = idx.shape[0]
    moved = np.zeros(n, dtype=np.bool_)
    leave = np.empty(n)
    for i in range(n):
        r, c, g = leads[0, idx[i]], leads[1, idx[i]], leads[2, idx[i]]
        e, s = enter[i], start[i]
        w = _week(e, weeks)
        weekly[w, ENTERED] += 1.0
        entered[r, c, w] += 1.0
        if s < end:
            weekly[w, STARTED] += 1.0
            weekly[w, WAIT_DAYS] += s - e
            if pool[i] >= 0:
                weekly[w, WORK_HOURS] += work[i] * hours_per_day[pool[i]]
            if s - e > 1e-12:
                weekly[w, WAITED] += 1.0
            leave[i] = s + length[i]
            if u[i] < conversion[r, c, g] and leave[i] < end:
                moved[i] = True
                weekly[w, CONVERTED] += 1.0
        elif not np.isfinite(s) and e + patience < end:
            leave[i] = e + patience
            weekly[w, COLD] += 1.0
            cold[r, c, _week(leave[i], weeks)] += 1.0
        else:
            leave[i] = np.inf
        weekly[w, SOJOURN_DAYS] += min(leave[i], end) - e
        if leave[i] >= end:
            open_cells[r, c] += 1.0
        for v in range(max(w, start_week), weeks):
            t = DAYS_PER_WEEK * (v + 1)
            if t >= leave[i]:
                break
            weekly[v, WIP] += 1.0
            open_weeks[r, c, v] += 1.0
    return moved, leave
