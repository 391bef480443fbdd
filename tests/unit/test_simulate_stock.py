"""The stock kernel on small cases worked by hand: reorder point, safety stock and the backup
supplier, disruptions, back-orders served first-come-first-served, lost sales."""

from __future__ import annotations

import numpy as np

from engine.simulate.columns import PRODUCT_WEEKLY
from engine.simulate.stock import run_product

COL = {name: i for i, name in enumerate(PRODUCT_WEEKLY)}


def run(times: list[float], units: list[float], policy: list[float], *, lead1: float = 10.0,
        lead2: float = 2.0, extra1: float = 0.0, lost: bool = False, weeks: int = 3
        ) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Ship the orders; policy = on hand, safety, r, Q, backup qty, capacities (inf)."""
    n = len(times)
    weekly = np.zeros((weeks, len(PRODUCT_WEEKLY)))
    ships = np.zeros((n + 20, 3))
    pend_t, pend_q, pend_b = np.full(20, np.inf), np.zeros(20), np.zeros(20)
    count, used1, used2 = run_product(
        np.arange(n), np.array(times), np.array(units), np.array([*policy, np.inf, np.inf]),
        np.full(8, lead1), np.full(8, lead2), np.full(weeks, extra1), np.zeros(weeks),
        pend_t, pend_q, pend_b, 0.0, 7.0 * weeks, lost, weekly, ships, 0, np.zeros(0), np.zeros(0),
    )
    return ships[:count], weekly, used1, used2


def test_reorder_safety_stock_and_backup_supplier() -> None:
    days = [0.5 + d for d in range(6)]
    # on hand 5, safety 3, reorder at 4 for 10 (lead 10 days), backup 10 (lead 2 days)
    ships, weekly, used1, used2 = run(days, [1.0] * 6, [5, 3, 4, 10, 10])
    # day 0.5: position 4 <= 4 -> order 10 (arrives 10.5); day 2.5: on hand 2 < 3 -> backup
    # 10 arriving 4.5, before that day's order; every order ships at once
    assert used1 == 10 and used2 == 10
    assert ships[:, 1].tolist() == days and (ships[:, 2] == 1).all()
    assert weekly[0, COL["below_safety"]] == 1 and weekly[1, COL["below_safety"]] == 0
    assert weekly[0, COL["stock"]] == 5 - 6 + 10  # end of week 1
    assert weekly[1, COL["stock"]] == 19  # primary delivery on day 10.5
    assert weekly[0, COL["filled"]] == 6 and weekly[0, COL["stockout_days"]] == 0
    # both orders placed in week 1; the backup arrives in week 1, the primary in week 2
    assert weekly[:, COL["ordered"]].tolist() == [20, 0, 0]
    assert weekly[:, COL["received"]].tolist() == [10, 10, 0]


def test_backorders_wait_for_the_disrupted_delivery_in_order() -> None:
    # 2 on hand, reorder at 0 for 5, lead 3 days + 4 days of disruption: arrives day 8.0
    ships, weekly, _, _ = run([0.5, 1.0, 1.5, 2.0], [1.0, 2.0, 1.0, 1.0], [2, 0, 0, 5, 0],
                              lead1=3.0, extra1=4.0)
    assert ships.tolist() == [[0, 0.5, 1], [1, 1.0, 1], [1, 8.0, 1], [2, 8.0, 1], [3, 8.0, 1]]
    assert weekly[0, COL["backordered"]] == 3 and weekly[1, COL["backordered"]] == 0
    assert weekly[0, COL["filled"]] == 2 and weekly[0, COL["demand"]] == 5
    assert weekly[0, COL["stockout_days"]] == 6.0  # from day 1.0 to the week's end
    assert weekly[0, COL["backordered_days"]] == 1 * 0.5 + 2 * 0.5 + 3 * 5.0


def test_lost_sales_are_not_served_later() -> None:
    ships, weekly, _, _ = run([0.5, 1.0, 1.5], [1.0, 2.0, 1.0], [2, 0, 0, 5, 0], lead1=3.0,
                              lost=True)
    assert ships.tolist() == [[0, 0.5, 1], [1, 1.0, 1]]
    assert weekly[0, COL["lost"]] == 2  # one of order 1, all of order 2
    assert weekly[0, COL["stock"]] == 5  # the reorder at day 1.0 arrived on day 4.0
