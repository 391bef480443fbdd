"""Operations: the sales funnel, the salesforce, and inventory with its suppliers."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.scenario.schema.common import (
    Count,
    Distribution,
    Id,
    Money,
    NonNegative,
    Positive,
    Role,
    Share,
    Strict,
    Week,
)


class Stage(Strict):
    """One stage of the funnel. A lead entering it takes ``hours`` of a rep's time, lasts
    ``duration`` and moves on to the next stage with probability ``conversion``."""

    id: Id
    """Identifier (``qualify``, ``demo``, ``proposal``, ``negotiate``, ...)."""
    conversion: Share
    """Probability that a lead in this stage moves on (from the last stage: is won)."""
    duration: Distribution = Distribution()
    """Time the stage takes once a rep picks the lead up (days)."""
    hours: NonNegative = 0.0
    """Rep hours one lead takes in this stage."""
    role: Role | Literal["channel"] = "channel"
    """Who works the stage: a rep role, or ``channel`` for the role of the lead's channel."""


class Funnel(Strict):
    """The ordered stages a lead goes through, and how long it waits before going cold."""

    stages: list[Stage] = Field(min_length=1)
    """Stages in order; the last stage's conversion is the win."""
    patience_days: Positive | None = None
    """Days a lead waits for a rep before it goes cold; ``None`` means it waits forever."""


class RoleSpec(Strict):
    """What a rep of one role costs and can give."""

    hours_per_week: NonNegative = 35.0
    """Selling hours per rep-week."""
    cost: Money = 0.0
    """Cost of one rep for the quarter (money)."""


class Ramp(Strict):
    """How new hires come up to speed: productivity rises linearly from ``start`` to 1."""

    weeks: Count = 0
    """Weeks to reach full productivity (0: productive at once)."""
    start: Share = 1.0
    """Productivity in the first week, as a share of a tenured rep's."""


class Salesforce(Strict):
    """The people who work the funnel."""

    roles: dict[Role, RoleSpec] = {
        "field": RoleSpec(),
        "telesales": RoleSpec(),
        "support": RoleSpec(),
    }
    """Hours and cost per role."""
    ramp: Ramp = Ramp()
    """Productivity of new hires."""
    headcount_cap: Count | None = None
    """Most reps in total (on hand plus hires) over all regions and roles."""
    hiring_limit: Count | None = None
    """Most hires the optimiser may add in total this quarter."""
    unlimited: bool = False
    """Ignore rep capacity altogether (degenerate scenarios)."""
    visit_hours: NonNegative = 2.0
    """Field-rep hours one customer visit takes."""
    key_account_hours: NonNegative = 4.0
    """Field-rep hours per quarter to cover one key account."""
    sub_agent_hours: NonNegative = 20.0
    """Selling hours per week one sub-agent adds to a region's field capacity."""


class Disruption(Strict):
    """Extra supplier delay for orders placed in the given weeks."""

    weeks: list[Week] = Field(min_length=1)
    """Weeks in which orders are hit."""
    extra_days: NonNegative
    """Days added to the lead time of those orders."""


class Supplier(Strict):
    """A supplier of stock."""

    id: Id
    """Identifier."""
    lead_time: Distribution
    """Days from order to delivery."""
    capacity: NonNegative | None = None
    """Most units it can deliver per product in the quarter; ``None``: no limit."""
    cost_premium: NonNegative = 0.0
    """Extra cost as a share of the product's unit cost (0.25: a quarter dearer)."""
    disruptions: list[Disruption] = []
    """Weeks of extra delay."""


class StockItem(Strict):
    """Stock policy of one product."""

    product: Id
    """The product."""
    on_hand: NonNegative
    """Units in stock at the start of the quarter."""
    safety_stock: NonNegative = 0.0
    """Units below which an alert is raised (and the backup supplier used, if any)."""
    reorder_point: NonNegative = 0.0
    """Inventory position (on hand + on order - back-orders) at which to reorder."""
    reorder_qty: NonNegative = 0.0
    """Units ordered each time (0: never reorder)."""
    supplier: Id
    """The primary supplier."""
    backup: Id | None = None
    """The backup supplier used below safety stock (faster, dearer); ``None``: none."""


class Inventory(Strict):
    """Stock, suppliers and what happens when an order finds no stock."""

    suppliers: list[Supplier] = []
    """Suppliers, referenced by the stock items."""
    stock: list[StockItem] = []
    """Stock policy per product; products not listed have unlimited stock."""
    shortage: Literal["backorder", "lost"] = "backorder"
    """An order that finds no stock waits for it (``backorder``) or is lost (``lost``)."""
