"""The columns of the simulator's weekly arrays, in one place.

A replication returns three arrays (see ``engine.simulate.quarter.ReplicationRecord``): region x
week x ``region_metrics``, product x week x ``product_metrics`` and stage x week x
``FUNNEL_WEEKLY``. Outside ``engine.simulate`` read them through ``SimulationResult.by_region``
and ``SimulationResult.by_product``, not by position.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.simulate.inputs import SimInputs

REGION_WEEKLY = (
    "leads",
    "wins",
    "cold",
    "orders",
    "units",
    "revenue",
    "gross_profit",
    "cash",
    "receivables",
)
"""Per region and week: new leads, won deals, leads gone cold, customer orders (won and
repeat), units shipped, revenue and gross profit booked (money), cash collected (money),
receivables at the week's end (money). Stage entries follow as ``stage:<id>``."""

PRODUCT_SALES = ("units", "revenue", "gross_profit")
"""Per product and week, before the stock statistics (``PRODUCT_WEEKLY``)."""

PRODUCT_WEEKLY = (
    "demand",
    "filled",
    "lost",
    "stock",
    "backordered",
    "below_safety",
    "stockout_days",
    "stock_days",
    "backordered_days",
    "ordered",
    "received",
)
"""Per product and week: units demanded, filled at once from stock, lost; on hand and
back-ordered at the week's end; 1 if stock fell below safety stock; days with no stock; unit-days
on hand and back-ordered (time integrals); units ordered from suppliers (primary and backup) and
units delivered by them."""

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


def region_metrics(inp: SimInputs) -> tuple[str, ...]:
    """Names of the region metrics, stage entries included."""
    return (*REGION_WEEKLY, *(f"stage:{k}" for k in inp.stages))


def product_metrics() -> tuple[str, ...]:
    """Names of the product metrics."""
    return (*PRODUCT_SALES, *PRODUCT_WEEKLY)
