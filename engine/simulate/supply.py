"""Orders against stock: runs ``stock.run_product`` for every stocked product.

Each stocked product gets its own supply sub-stream (spawned from the replication's ``supply``
stream in product order), so its lead-time draws do not shift when another product orders more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.simulate.columns import PRODUCT_WEEKLY
from engine.simulate.distributions import draw
from engine.simulate.inputs import SimInputs
from engine.simulate.orders import Orders
from engine.simulate.state import QuarterState
from engine.simulate.stock import run_product

_run_product: Callable[..., Any] = run_product


@dataclass(frozen=True)
class Shipments:
    """Units shipped to customers (rows of ``orders``), and the stock statistics."""

    order: np.ndarray
    day: np.ndarray
    units: np.ndarray
    weekly: np.ndarray
    """(P x W x len(PRODUCT_WEEKLY)) stock statistics."""
    backup_units: np.ndarray
    """Units ordered from backup suppliers, by product."""


def _open_orders(inp: SimInputs, state: QuarterState, j: int, rows: int) -> tuple[np.ndarray, ...]:
    pend_t, pend_q, pend_b = np.full(rows, np.inf), np.zeros(rows), np.zeros(rows)
    mine = [o for o in state.open_orders if o.product == inp.products[j]]
    for k, o in enumerate(mine):
        pend_t[k], pend_q[k], pend_b[k] = o.arrival_day, o.quantity, float(o.backup)
    return pend_t, pend_q, pend_b


def _policy(inp: SimInputs, state: QuarterState, j: int) -> np.ndarray:
    st = inp.stock
    on_hand = state.stock.get(inp.products[j], st.on_hand[j])
    return np.array(
        [on_hand, st.safety[j], st.reorder_point[j], st.reorder_qty[j], st.backup_qty[j],
         st.primary_capacity[j], st.backup_capacity[j]]
    )


def _max_orders(policy: np.ndarray, demand: float) -> int:
    """A bound on the replenishment orders one product can place in the quarter."""
    _, _, r, q, bq, _, _ = policy
    q_min = min(x for x in (q, bq) if x > 0) if max(q, bq) > 0 else 1.0
    return int((max(r, 0.0) + demand + policy[4]) / q_min) + 4


LeadTimes = list[tuple[np.ndarray, np.ndarray]]
"""Per product: the primary and the backup supplier's lead times (days), in the order the
product's replenishment orders use them (empty for unstocked products)."""
NO_FORCED = np.zeros(0)


def draw_lead_times(inp: SimInputs, orders: Orders, rng: np.random.Generator,
                    state: QuarterState) -> LeadTimes:
    """Lead times for every stocked product, enough for the replenishments ``orders`` can
    cause (each product on its own sub-stream of ``rng``)."""
    out: LeadTimes = [(NO_FORCED, NO_FORCED)] * len(inp.products)
    children = rng.spawn(len(inp.products))
    for j in np.flatnonzero(inp.stock.stocked):
        mine = orders.product == j
        m = _max_orders(_policy(inp, state, int(j)), float(orders.units[mine].sum()))
        lead1 = draw(children[j], inp.stock.primary[j], m)  # type: ignore[arg-type]
        dist2 = inp.stock.backup[j]
        lead2 = draw(children[j], dist2, m) if dist2 is not None else np.zeros(0)
        out[j] = (lead1, lead2)
    return out


def ship_with(inp: SimInputs, orders: Orders, leads: LeadTimes, state: QuarterState,
              forced: dict[int, tuple[np.ndarray, np.ndarray]] | None = None) -> Shipments:
    """Ship ``orders`` from stock with the given lead times; ``forced`` adds, per product,
    expedited backup orders (days, units)."""
    P, W = len(inp.products), inp.weeks
    weekly = np.zeros((P, W, len(PRODUCT_WEEKLY)))
    backup = np.zeros(P)
    free = ~inp.stock.stocked[orders.product]
    parts = [np.column_stack([np.flatnonzero(free), orders.day[free], orders.units[free]])]
    week = np.minimum((orders.day // 7).astype(np.int64), W - 1)
    for col in ("demand", "filled"):
        np.add.at(weekly[:, :, PRODUCT_WEEKLY.index(col)], (orders.product[free], week[free]),
                  orders.units[free])
    for j in np.flatnonzero(inp.stock.stocked):
        mine = np.flatnonzero(orders.product == j)
        policy = _policy(inp, state, int(j))
        lead1, lead2 = leads[j]
        f_t, f_q = (forced or {}).get(int(j), (NO_FORCED, NO_FORCED))
        rows = 2 * lead1.size + f_t.size + len(state.open_orders) + 1
        pend = _open_orders(inp, state, int(j), rows)
        ships = np.zeros((mine.size + pend[0].size, 3))
        n, _, used2 = _run_product(
            mine, orders.day[mine], orders.units[mine], policy, lead1, lead2,
            inp.stock.primary_extra[j], inp.stock.backup_extra[j], *pend, state.start_day,
            inp.days, inp.stock.lost_sales, weekly[j], ships, 0, f_t, f_q,
        )
        parts.append(ships[:n])
        backup[j] = used2
    rows_ = np.vstack(parts)
    return Shipments(rows_[:, 0].astype(np.int64), rows_[:, 1], rows_[:, 2], weekly, backup)


def ship_orders(
    inp: SimInputs, orders: Orders, rng: np.random.Generator, state: QuarterState
) -> Shipments:
    """Ship ``orders`` from stock (unstocked products ship at once); see ``simulate.stock``."""
    return ship_with(inp, orders, draw_lead_times(inp, orders, rng, state), state)
