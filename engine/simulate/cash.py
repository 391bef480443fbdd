"""Collections: every shipment is invoiced and paid by its customer's credit tier.

An invoice falls in a tier with the tier's share (shares are of revenue, so they are drawn per
invoice); it is paid ``terms_days`` after the invoice, or, with ``late_probability``, an extra
exponential time of mean ``late_days`` later. No tiers means cash on delivery.
DSO is receivables at the quarter's end over the quarter's revenue, times its days; the overdue
share is the part of those receivables already past their due date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.simulate.inputs import SimInputs
from engine.simulate.state import QuarterState


@dataclass(frozen=True)
class Collections:
    """Cash and receivables by region and week, and the quarter-end overdue amount."""

    cash: np.ndarray
    """(R x W) money collected in each week."""
    receivables: np.ndarray
    """(R x W) money invoiced but unpaid at each week's end."""
    overdue: float
    """Receivables at the quarter's end already past their due date (money)."""


def _payment_days(
    inp: SimInputs, day: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Due day and payment day of invoices issued on ``day``."""
    if inp.tier_share.size == 0:
        return day.copy(), day.copy()
    cum = np.cumsum(inp.tier_share) / inp.tier_share.sum()
    tier = np.minimum(np.searchsorted(cum, rng.random(day.size), side="right"), cum.size - 1)
    late = rng.random(day.size) < inp.tier_late_probability[tier]
    delay = rng.exponential(1.0, day.size) * inp.tier_late_days[tier]
    due = day + inp.tier_terms[tier]
    return due, due + np.where(late, delay, 0.0)


@dataclass(frozen=True)
class Invoices:
    """One entry per invoice: region, issue day, amount (money), due day and payment day."""

    region: np.ndarray
    issued: np.ndarray
    amount: np.ndarray
    due: np.ndarray
    paid: np.ndarray

    def select(self, keep: np.ndarray) -> Invoices:
        """The invoices where ``keep`` is true."""
        return Invoices(*(v[keep] for v in vars(self).values()))


def invoice(inp: SimInputs, region: np.ndarray, day: np.ndarray, amount: np.ndarray,
            rng: np.random.Generator, state: QuarterState) -> Invoices:
    """Invoices (``region``, issue ``day``, ``amount``) plus ``state``'s receivables, with
    their due and payment days drawn by credit tier."""
    old = state.receivables
    region = np.concatenate([[inp.regions.index(x.region) for x in old], region]).astype(np.int64)
    issued = np.concatenate([[x.invoice_day for x in old], day])
    amount = np.concatenate([[x.amount for x in old], amount])
    due, paid = _payment_days(inp, issued, rng)
    return Invoices(region, issued, amount, due, paid)


def collections(inp: SimInputs, inv: Invoices, state: QuarterState) -> Collections:
    """Cash and receivables by region and week of ``inv`` (payments from ``state``'s first
    day)."""
    R, W = len(inp.regions), inp.weeks
    region, amount, due = inv.region, inv.amount, inv.due
    paid = np.maximum(inv.paid, state.start_day)
    issued = np.maximum(inv.issued, state.start_day)
    ends = 7.0 * np.arange(1, W + 1)
    cash = np.zeros((R, W))
    in_quarter = paid < inp.days
    week = np.minimum((paid[in_quarter] // 7).astype(np.int64), W - 1)
    np.add.at(cash, (region[in_quarter], week), amount[in_quarter])
    receivables = np.zeros((R, W))
    for w, end in enumerate(ends):
        open_ = (issued < end) & (paid >= end)
        receivables[:, w] = np.bincount(region[open_], amount[open_], minlength=R)
    overdue = float(amount[(due < inp.days) & (paid >= inp.days)].sum())
    receivables[:, : state.start_week] = 0.0
    return Collections(cash, receivables, overdue)


def collect(
    inp: SimInputs,
    region: np.ndarray,
    day: np.ndarray,
    amount: np.ndarray,
    rng: np.random.Generator,
    state: QuarterState,
) -> Collections:
    """Collections of invoices (``region``, issue ``day``, ``amount``) plus ``state``'s
    receivables."""
    return collections(inp, invoice(inp, region, day, amount, rng, state), state)
