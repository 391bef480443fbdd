"""Where the quarter stands when a simulation starts: empty at week 0, or mid-quarter for a
re-plan.

A ``QuarterState`` is plain data. The simulator reads it and never changes it: a run from
``start_week = K`` simulates days ``7K .. 7 * weeks`` and adds what was already booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OpenLeads:
    """Leads in one funnel stage at the start (day ``7K``).

    A lead not yet ``started`` has waited ``elapsed_days`` for a rep: it keeps its place in the
    queue (ahead of later leads), its patience runs from when it joined, and reps take it from
    day ``7K`` on. A ``started`` lead has had a rep for ``elapsed_days``: it does not queue and
    takes no more rep hours; it leaves the stage after the rest of its duration, drawn given
    that the stage has already lasted ``elapsed_days``.
    """

    region: str
    channel: str
    """A scenario channel id or ``organic``."""
    stage: str
    count: int
    segment: str | None = None
    """Their segment; ``None`` spreads them over the marketing segments by ``lead_share``."""
    arrival_week: int | None = None
    """Week they first arrived (sets a promotion's price); ``None``: the start week."""
    started: bool = False
    """A rep has them (in service) rather than their waiting for one."""
    elapsed_days: float = 0.0
    """Days since a rep took them (``started``) or since they joined the queue (waiting)."""


@dataclass(frozen=True)
class OpenOrder:
    """A replenishment order already placed with a supplier."""

    product: str
    quantity: float
    """Units."""
    arrival_day: float
    """Day of the quarter (from 0) it is delivered."""
    backup: bool = False
    """Placed with the backup supplier."""


@dataclass(frozen=True)
class Backorder:
    """Customer units won but not yet shipped."""

    region: str
    product: str
    units: float
    unit_revenue: float
    """Money per unit booked when shipped."""


@dataclass(frozen=True)
class Receivable:
    """An invoice not yet paid."""

    region: str
    amount: float
    """Money."""
    invoice_day: float
    """Day of the quarter (from 0) it was issued; payment terms run from it."""


@dataclass(frozen=True)
class QuarterState:
    """The state of the quarter after ``start_week`` completed weeks.

    Attributes
    ----------
    start_week:
        Completed weeks; the simulation covers weeks ``start_week + 1 .. weeks``.
    leads:
        Leads in each funnel stage.
    stock:
        Units on hand by product (products not given keep the scenario's ``on_hand``).
    open_orders:
        Replenishment orders in transit.
    backorders:
        Won units waiting for stock.
    receivables:
        Unpaid invoices.
    revenue_booked, gross_profit_booked, cash_collected:
        Money already booked or collected by region before ``start_week``.
    """

    start_week: int = 0
    leads: tuple[OpenLeads, ...] = ()
    stock: dict[str, float] = field(default_factory=dict)
    open_orders: tuple[OpenOrder, ...] = ()
    backorders: tuple[Backorder, ...] = ()
    receivables: tuple[Receivable, ...] = ()
    revenue_booked: dict[str, float] = field(default_factory=dict)
    gross_profit_booked: dict[str, float] = field(default_factory=dict)
    cash_collected: dict[str, float] = field(default_factory=dict)

    @property
    def start_day(self) -> float:
        """First simulated day (from 0)."""
        return 7.0 * self.start_week
