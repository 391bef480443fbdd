"""Inventory under continuous review: customer orders, (r, Q) reorders, backup orders, supply.

Per stocked product, events run in time order: a customer order ships from stock (partly, if
stock is short; the rest is back-ordered first-come-first-served or lost), then the inventory
position (on hand + on order - back-ordered) is checked and ``Q`` units are ordered from the
primary supplier while it is at or below ``r``; stock below safety stock marks the week and, when
a backup supplier exists and no backup order is open, orders ``backup_qty`` from it. Deliveries
arrive after a supplier lead time (drawn beforehand) plus the disruption of the order's week, and
serve back-orders first. Supplier capacity caps the units ordered in the quarter.

The kernel is compiled with numba and draws nothing: lead times come in as arrays.
"""

from __future__ import annotations

import numba
import numpy as np

DAYS_PER_WEEK = 7.0
_DEMAND, _FILLED, _LOST, _STOCK, _BACK, _BELOW, _OUT, _STOCK_DAYS, _BACK_DAYS = range(9)
_ORDERED, _RECEIVED = 9, 10


@numba.njit(cache=True)
def _advance(t1, t2, oh, back, weekly):
    """Accumulate time integrals and week-end snapshots from day ``t1`` to ``t2``."""
    weeks = weekly.shape[0]
    while t1 < t2:
        w = min(int(t1 // DAYS_PER_WEEK), weeks - 1)
        end = min(t2, DAYS_PER_WEEK * (w + 1))
        dt = end - t1
        weekly[w, _STOCK_DAYS] += oh * dt
        weekly[w, _BACK_DAYS] += back * dt
        if oh <= 1e-9:
            weekly[w, _OUT] += dt
        if end >= DAYS_PER_WEEK * (w + 1):
            weekly[w, _STOCK] = oh
            weekly[w, _BACK] = back
        t1 = end


@numba.njit(cache=True)
def _next_delivery(pend_t, npend):
    k, best = -1, np.inf
    for q in range(npend):
        if pend_t[q] < best:
            best, k = pend_t[q], q
    return k, best


@numba.njit(cache=True)
def run_product(
    idx, time, units, policy, lead1, lead2, extra1, extra2, pend_t, pend_q, pend_b, t0, t_end,
    lost_sales, weekly, ships, nship, forced_t, forced_q,
):
    """Simulate one product; returns ``(nship, units from primary, units from backup)``.

    ``policy`` holds on hand, safety stock, r, Q, backup qty, primary and backup capacity.
    ``ships`` (rows: order index, day, units) receives shipments from row ``nship`` on.
    ``pend_*`` hold open replenishment orders (day, units, 1 if backup); ``inf`` marks free rows.
    ``forced_t``, ``forced_q``: backup orders management places (days, sorted; units), on top of
    the policy's (expediting).
    """
    oh, safety, r, q, bq, cap1, cap2 = policy
    weeks = weekly.shape[0]
    back, head, head_rem = 0.0, 0, 0.0
    on_order = 0.0
    npend = pend_t.shape[0]
    backup_open = False
    for k in range(npend):
        if np.isfinite(pend_t[k]):
            on_order += pend_q[k]
            backup_open = backup_open or pend_b[k] > 0
    n1, n2, used1, used2 = 0, 0, 0.0, 0.0
    t = t0
    i = 0
    n = idx.shape[0]
    first = True
    fi, nf = 0, forced_t.shape[0]
    while True:
        k, td = _next_delivery(pend_t, npend)
        to = time[i] if i < n else np.inf
        tf = forced_t[fi] if fi < nf else np.inf
        if not first and min(td, to, tf) >= t_end:
            break
        if not first and tf < td and tf < to:
            _advance(t, tf, oh, back, weekly)
            t = tf
            w = min(int(t // DAYS_PER_WEEK), weeks - 1)
            slot = _free_slot(pend_t)
            if used2 < cap2 and lead2.shape[0] > n2 and slot >= 0:
                size = min(forced_q[fi], cap2 - used2)
                pend_t[slot], pend_q[slot], pend_b[slot] = t + lead2[n2] + extra2[w], size, 1
                weekly[w, _ORDERED] += size
                n2 += 1
                used2 += size
                on_order += size
                backup_open = True
            fi += 1
            continue
        if not first and td <= to:
            _advance(t, td, oh, back, weekly)
            t = td
            weekly[min(int(t // DAYS_PER_WEEK), weeks - 1), _RECEIVED] += pend_q[k]
            oh += pend_q[k]
            on_order -= pend_q[k]
            backup_open = backup_open and pend_b[k] == 0
            pend_t[k] = np.inf
            while back > 1e-9 and oh > 1e-9:
                give = min(oh, head_rem)
                ships[nship, 0], ships[nship, 1], ships[nship, 2] = idx[head], t, give
                nship += 1
                oh -= give
                back -= give
                head_rem -= give
                if head_rem <= 1e-9 and back > 1e-9:
                    head += 1
                    head_rem = units[head]
            continue
        if not first:
            _advance(t, to, oh, back, weekly)
            t = to
            w = min(int(t // DAYS_PER_WEEK), weeks - 1)
            u = units[i]
            weekly[w, _DEMAND] += u
            if back > 1e-9 and not lost_sales:
                back += u
            else:
                give = min(oh, u)
                if give > 0:
                    ships[nship, 0], ships[nship, 1], ships[nship, 2] = idx[i], t, give
                    nship += 1
                    oh -= give
                    weekly[w, _FILLED] += give
                rest = u - give
                if rest > 1e-9:
                    if lost_sales:
                        weekly[w, _LOST] += rest
                    else:
                        back, head, head_rem = rest, i, rest
            i += 1
        first = False
        w = min(int(t // DAYS_PER_WEEK), weeks - 1)
        while q > 0 and oh + on_order - back <= r + 1e-9 and used1 < cap1:
            slot = _free_slot(pend_t)
            if slot < 0 or n1 >= lead1.shape[0]:
                break
            size = min(q, cap1 - used1)
            pend_t[slot], pend_q[slot], pend_b[slot] = t + lead1[n1] + extra1[w], size, 0
            weekly[w, _ORDERED] += size
            n1 += 1
            used1 += size
            on_order += size
        if oh < safety - 1e-9:
            weekly[w, _BELOW] = 1.0
            slot = _free_slot(pend_t)
            if bq > 0 and not backup_open and used2 < cap2 and lead2.shape[0] > n2 and slot >= 0:
                size = min(bq, cap2 - used2)
                pend_t[slot], pend_q[slot], pend_b[slot] = t + lead2[n2] + extra2[w], size, 1
                weekly[w, _ORDERED] += size
                n2 += 1
                used2 += size
                on_order += size
                backup_open = True
    _advance(t, t_end, oh, back, weekly)
    return nship, used1, used2


@numba.njit(cache=True)
def _free_slot(pend_t):
    for k in range(pend_t.shape[0]):
        if not np.isfinite(pend_t[k]):
            return k
    return -1
