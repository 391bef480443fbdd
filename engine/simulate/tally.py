"""Weekly tallies of one funnel stage, in one compiled pass over its leads."""

from __future__ import annotations

import numba
import numpy as np

DAYS_PER_WEEK = 7.0
ENTERED, STARTED, COLD, WAITED, WAIT_DAYS, SOJOURN_DAYS, CONVERTED, WIP, WORK_HOURS = range(9)


@numba.njit(cache=True)
def _week(t, weeks):
    return min(max(int(t // DAYS_PER_WEEK), 0), weeks - 1)


@numba.njit(cache=True)
def tally_stage(
    enter, start, length, passes, hours, region, patience, end, weekly, by_region, cold_region,
):
    """Fill ``weekly`` (W x 9, columns as ``funnel.FUNNEL_WEEKLY``), ``by_region`` (R x W
    entries) and ``cold_region`` (R x W) for the leads of one stage; return the mask of leads
    that move on in the quarter and the day each lead leaves the stage (``inf``: still there).

    ``start`` is the pick-up day (``inf``: never picked up), ``length`` the stage duration,
    ``passes`` whether the lead converts, ``hours`` its rep work (hours).
    """
    weeks = weekly.shape[0]
    n = enter.shape[0]
    moved = np.zeros(n, dtype=np.bool_)
    leave = np.empty(n)
    for i in range(n):
        e = enter[i]
        w = _week(e, weeks)
        weekly[w, ENTERED] += 1.0
        by_region[region[i], w] += 1.0
        s = start[i]
        started = s < end
        cold = (not np.isfinite(s)) and e + patience < end
        if started:
            weekly[w, STARTED] += 1.0
            weekly[w, WAIT_DAYS] += s - e
            weekly[w, WORK_HOURS] += hours[i]
            if s - e > 1e-12:
                weekly[w, WAITED] += 1.0
            leave[i] = s + length[i]
            if passes[i] and leave[i] < end:
                moved[i] = True
                weekly[w, CONVERTED] += 1.0
        elif cold:
            leave[i] = e + patience
            weekly[w, COLD] += 1.0
            cold_region[region[i], _week(leave[i], weeks)] += 1.0
        else:
            leave[i] = np.inf
        weekly[w, SOJOURN_DAYS] += min(leave[i], end) - e
    return moved, leave
