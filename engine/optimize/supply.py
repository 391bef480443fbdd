"""What stock and suppliers can deliver inside the quarter, as the plan model sees it.

A product's units sold in the quarter may not exceed its stock on hand plus what its primary
supplier can deliver in time, plus what the backup supplier adds at its cost premium. A
supplier delivers ``capacity`` units per quarter, scaled by the share of the quarter's weeks
in which an order placed at the start of the week arrives before the quarter ends (expected
lead time plus any disruption of that week). A product with ``reorder_qty`` 0 is never
replenished; a product without a stock item, or a supplier without a capacity, is unlimited.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.economics import DAYS_PER_WEEK
from engine.scenario.schema import Scenario, Supplier


@dataclass(frozen=True)
class SupplyLimits:
    """Units each product can be sold in the quarter (P each)."""

    limit: np.ndarray
    """On hand plus what the primary supplier delivers in time (inf: unlimited)."""
    backup: np.ndarray
    """What the backup supplier can add in time (units)."""
    premium: np.ndarray
    """Extra cost per backup unit (money)."""


def on_time_share(s: Scenario, supplier: Supplier) -> float:
    """Share of the quarter's order weeks whose delivery arrives before the quarter ends."""
    end = s.horizon.weeks * DAYS_PER_WEEK
    on_time = 0
    for week in range(1, s.horizon.weeks + 1):
        extra = sum(d.extra_days for d in supplier.disruptions if week in d.weeks)
        on_time += (week - 1) * DAYS_PER_WEEK + supplier.lead_time.expected + extra <= end
    return on_time / s.horizon.weeks


def deliverable(s: Scenario, supplier_id: str | None, reorder_qty: float) -> float:
    """Units ``supplier_id`` can deliver per product inside the quarter (inf: no limit)."""
    if supplier_id is None or reorder_qty <= 0:
        return 0.0
    supplier = next(x for x in s.inventory.suppliers if x.id == supplier_id)
    if supplier.capacity is None:
        return float("inf")
    return supplier.capacity * on_time_share(s, supplier)


def _premium(s: Scenario, supplier_id: str | None, unit_cost: float) -> float:
    if supplier_id is None:
        return 0.0
    supplier = next(x for x in s.inventory.suppliers if x.id == supplier_id)
    return supplier.cost_premium * unit_cost


def supply_limits(s: Scenario) -> SupplyLimits:
    """Stock plus in-time deliveries per product, in ``s.products`` order."""
    items = {item.product: item for item in s.inventory.stock}
    limit, backup, premium = [], [], []
    for p in s.products:
        item = items.get(p.id)
        if item is None:
            limit.append(float("inf"))
            backup.append(0.0)
            premium.append(0.0)
            continue
        limit.append(item.on_hand + deliverable(s, item.supplier, item.reorder_qty))
        backup.append(deliverable(s, item.backup, item.reorder_qty))
        premium.append(_premium(s, item.backup, p.unit_cost))
    return SupplyLimits(np.array(limit), np.array(backup), np.array(premium))
