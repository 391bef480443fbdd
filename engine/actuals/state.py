"""Where the quarter stands at the as-of week, read from actuals: the simulator's
``QuarterState``.

- **Pipeline**: the ``open`` snapshot at the as-of week, or (without one) the entries not yet
  through their stage's duration (``evidence``); a region's totals without a channel are split
  over its sources by the leads the scenario expects of each, weighted by who reaches the stage.
- **Stock** on hand at the as-of week; **supply orders** in transit are the units ordered and not
  yet received, newest orders first, due a primary lead time after the week they were ordered
  (an overdue order is due the day after the as-of week).
- **Back-orders** at the as-of week, spread over regions by their revenue when the actuals give
  them per product only; they pay the product's realised price so far (list price if unknown).
- **Receivables** at the as-of week, dated back over the latest weeks' revenue.
- **Booked**: revenue, gross profit (revenue less units at cost when the actuals do not carry
  it) and cash collected, by region.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine import economics as ec
from engine.actuals.evidence import counts_of, expected_leads, open_leads
from engine.actuals.table import Actuals
from engine.schema import Scenario
from engine.simulate.state import Backorder, OpenLeads, OpenOrder, QuarterState, Receivable


def _split(s: Scenario, region: str, stage: str, count: float,
           weights: dict[tuple[str, str], float]) -> dict[str, int]:
    """A region's open leads of one stage split over its sources (whole leads, rounded so that
    the total is kept)."""
    k = [st.id for st in s.funnel.stages].index(stage)
    sources = [c.id for c in s.channels] + [ec.ORGANIC]
    w = np.array([weights.get((region, c), 0.0) * ec.stage_reach(s, c, region)[k]
                  for c in sources])
    share = w / w.sum() if w.sum() > 0 else np.full(len(sources), 1 / len(sources))
    raw = share * round(count)
    whole = np.floor(raw).astype(int)
    rest = round(count) - int(whole.sum())
    whole[np.argsort(raw - whole)[::-1][:rest]] += 1
    return {c: int(n) for c, n in zip(sources, whole, strict=True) if n > 0}


def pipeline(a: Actuals, s: Scenario) -> tuple[OpenLeads, ...]:
    """Open leads per region x source x stage at the as-of week."""
    weights = expected_leads(a, s)
    out = []
    for (region, channel, stage), count in counts_of(open_leads(a, s)).items():
        if channel:
            if round(count) > 0:
                out.append(OpenLeads(region, channel, stage, round(count)))
            continue
        for source, n in _split(s, region, stage, count, weights).items():
            out.append(OpenLeads(region, source, stage, n))
    return tuple(out)


def _lead_time(s: Scenario, product: str, week: int) -> float:
    """Expected days from ordering in ``week`` to delivery by the product's primary supplier."""
    item = next((i for i in s.inventory.stock if i.product == product), None)
    if item is None:
        return 0.0
    sup = next(x for x in s.inventory.suppliers if x.id == item.supplier)
    extra = sum(d.extra_days for d in sup.disruptions if week in d.weeks)
    return sup.lead_time.expected + extra


def supply_orders(a: Actuals, s: Scenario) -> tuple[OpenOrder, ...]:
    """Units ordered and not yet received, as orders in transit (see the module docstring)."""
    ordered = a.rows("ordered")
    received = a.total("received", ["product"])
    now = ec.DAYS_PER_WEEK * a.as_of_week
    out = []
    for product, rows in ordered.groupby("product", sort=False):
        due = float(rows.value.sum() - received.get(product, 0.0))
        for week, qty in zip(rows.week[::-1], rows.value[::-1], strict=True):
            if due <= 0:
                break
            units = min(float(qty), due)
            arrival = ec.DAYS_PER_WEEK * (week - 0.5) + _lead_time(s, str(product), int(week))
            out.append(OpenOrder(str(product), units, max(arrival, now + 1.0)))
            due -= units
    return tuple(out)


def _unit_revenue(a: Actuals, s: Scenario) -> dict[str, float]:
    units = a.total("units", ["product"])
    revenue = a.total("revenue", ["product"])
    price = {p.id: p.price for p in s.products}
    return {p: float(revenue.get(p, 0.0) / units[p]) if units.get(p, 0.0) > 0 else price[p]
            for p in price}


def backorders(a: Actuals, s: Scenario) -> tuple[Backorder, ...]:
    """Back-orders at the as-of week (see the module docstring)."""
    rows = a.rows("backorders")
    rows = rows[rows.week == a.as_of_week]
    price = _unit_revenue(a, s)
    revenue = a.total("revenue", ["region"])
    share = (revenue / revenue.sum()) if revenue.sum() > 0 else pd.Series(
        {r.id: r.potential for r in s.regions}) / sum(r.potential for r in s.regions)
    out = []
    for region, product, units in zip(rows.region, rows["product"], rows.value, strict=True):
        spread = {region: 1.0} if region else share.to_dict()
        out += [Backorder(str(r), product, float(units) * float(w), price[product])
                for r, w in spread.items() if units * w > 0]
    return tuple(out)


def receivables(a: Actuals) -> tuple[Receivable, ...]:
    """Unpaid invoices at the as-of week, dated back over the latest weeks' revenue."""
    owed = a.at_week("receivables", a.as_of_week, ["region"])
    weekly = a.total("revenue", ["region", "week"])
    out = []
    for region, amount in owed.items():
        left = float(amount)
        for week in range(a.as_of_week, 0, -1):
            if left <= 0:
                break
            billed = float(weekly.get((region, week), 0.0)) if week > 1 else left
            part = min(left, billed)
            if part > 0:
                out.append(Receivable(str(region), part, ec.DAYS_PER_WEEK * (week - 0.5)))
                left -= part
    return tuple(out)


def _gross_profit(a: Actuals, s: Scenario) -> dict[str, float]:
    if a.has("gross_profit"):
        return {str(k): float(v) for k, v in a.total("gross_profit", ["region"]).items()}
    units = a.rows("units")
    cost = {p.id: p.unit_cost for p in s.products}
    spent = (units.value * units["product"].map(cost)).groupby(units.region).sum()
    revenue = a.total("revenue", ["region"])
    return {str(k): float(v - spent.get(k, 0.0)) for k, v in revenue.items()}


def quarter_state(a: Actuals, s: Scenario) -> QuarterState:
    """The simulator's starting point after the actuals' ``as_of_week`` completed weeks."""
    stock = a.at_week("on_hand", a.as_of_week, ["product"])
    return QuarterState(
        start_week=a.as_of_week,
        leads=pipeline(a, s) if a.as_of_week > 0 else (),
        stock={str(k): float(v) for k, v in stock.items()},
        open_orders=supply_orders(a, s),
        backorders=backorders(a, s),
        receivables=receivables(a),
        revenue_booked={str(k): float(v) for k, v in a.total("revenue", ["region"]).items()},
        gross_profit_booked=_gross_profit(a, s),
        cash_collected={str(k): float(v) for k, v in a.total("cash", ["region"]).items()},
    )
