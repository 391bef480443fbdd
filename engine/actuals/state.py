"""Where the quarter stands at the as-of week, read from actuals: the simulator's
``QuarterState``.

- **Pipeline**: the ``open`` snapshot at the as-of week, or (without one) the entries not yet
  through their stage's duration (``evidence``); a region's totals without a channel are split
  over its sources by the leads the scenario expects of each, weighted by who reaches the stage.
  Open leads keep their elapsed time: by Little's law, a stage's entry rate times its mean
  duration are with a rep (in service, aged by the steady-state age distribution, so the
  simulator draws only the rest of their stage); the others wait for a rep, in the order they
  came, so the pipeline does not restart at the as-of week.
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
from engine.actuals.evidence import counts_of, expected_leads, open_leads, still_in_stage
from engine.actuals.table import Actuals
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import Distribution
from engine.simulate.state import Backorder, OpenLeads, OpenOrder, QuarterState, Receivable

AGE_POINTS = 4
"""Groups of open leads of one region x source x stage, each with its own elapsed time."""


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


def _open_counts(a: Actuals, s: Scenario) -> dict[tuple[str, str, str], int]:
    """Whole open leads per region x source x stage at the as-of week."""
    weights = expected_leads(a, s)
    out: dict[tuple[str, str, str], int] = {}
    for (region, channel, stage), count in counts_of(open_leads(a, s)).items():
        split = {channel: round(count)} if channel else _split(s, region, stage, count, weights)
        for source, n in split.items():
            if n > 0:
                out[(region, source, stage)] = out.get((region, source, stage), 0) + n
    return out


def _whole_parts(n: int, weights: np.ndarray) -> list[int]:
    """``n`` split by ``weights`` into whole numbers (largest remainders; the total is kept)."""
    w = np.asarray(weights, dtype=float)
    raw = n * w / w.sum() if w.sum() > 0 else np.full(w.size, n / w.size)
    whole = np.floor(raw).astype(int)
    whole[np.argsort(raw - whole)[::-1][:n - int(whole.sum())]] += 1
    return [int(m) for m in whole]


def segment_weights(s: Scenario, region: str, source: str, k: int) -> np.ndarray:
    """How the leads of ``source`` in ``region`` that reach stage ``k`` fall into the lead
    segments (``economics.lead_segments``): their arrival shares times each one's reach."""
    conv = ec.stage_conversions(s, source, region)
    reach = np.prod(conv[:, :k], axis=1)
    return np.asarray(ec.lead_segments(s).share * reach)


def service_ages(dist: Distribution) -> np.ndarray:
    """Days since pick-up of leads in service in a stage of duration ``dist``, at the
    ``AGE_POINTS`` mid-quantiles of the steady-state age density ``P(D > a) / E[D]``."""
    grid = np.linspace(0.0, dist.expected * 12.0, 2001)
    cdf = np.concatenate([[0.0], np.cumsum(np.diff(grid) * still_in_stage(dist, grid[1:]))])
    q = (np.arange(AGE_POINTS) + 0.5) / AGE_POINTS
    return np.asarray(np.interp(q * cdf[-1], cdf, grid))


def _entry_rate(a: Actuals) -> dict[tuple[str, ...], float]:
    """Leads entering each region x stage per day in the as-of week."""
    rows = a.rows("entered")
    rows = rows[rows.week == a.as_of_week]
    weekly = counts_of(rows.groupby(["region", "stage"]).value.sum())
    return {key: n / ec.DAYS_PER_WEEK for key, n in weekly.items()}


def _in_service_share(a: Actuals, s: Scenario, counts: dict[tuple[str, str, str], int]
                      ) -> dict[tuple[str, str], float]:
    """Per region x stage, the share of its open leads a rep already has. By Little's law the
    leads in service are the stage's entry rate (its entries in the as-of week, per day) times
    its mean duration; the rest wait for a rep. Stages without rep work never queue."""
    rates = _entry_rate(a)
    total: dict[tuple[str, str], int] = {}
    for (region, _, stage), n in counts.items():
        total[(region, stage)] = total.get((region, stage), 0) + n
    stages = {st.id: st for st in s.funnel.stages}
    out = {}
    for (region, stage), n in total.items():
        st = stages[stage]
        if s.salesforce.unlimited or st.hours <= 0 or not a.has("entered"):
            out[(region, stage)] = 1.0
            continue
        rate = rates.get((region, stage), 0.0)
        out[(region, stage)] = min(1.0, rate * st.duration.expected / n)
    return out


def _arrival_week(s: Scenario, k: int, days_in_stage: float, as_of: int) -> int:
    """The week a lead in stage ``k`` for ``days_in_stage`` most likely arrived: the earlier
    stages' mean durations before that (what sets its promotion price)."""
    before = sum(st.duration.expected for st in s.funnel.stages[:k])
    day = ec.DAYS_PER_WEEK * as_of - days_in_stage - before
    return int(min(max(day // ec.DAYS_PER_WEEK + 1, 1), as_of))


def _aged(s: Scenario, key: tuple[str, str, str, str], busy: int, waiting: int, rate: float,
          as_of: int) -> list[OpenLeads]:
    """``busy`` leads in service and ``waiting`` ones of one region x source x stage x
    segment, in ``AGE_POINTS`` groups each with its elapsed time (see ``pipeline``)."""
    region, source, stage, segment = key
    k = [st.id for st in s.funnel.stages].index(stage)
    ages = service_ages(s.funnel.stages[k].duration)
    span = min(waiting / rate, ec.DAYS_PER_WEEK * as_of) if rate > 0 else 0.0
    waits = (np.arange(AGE_POINTS) + 0.5) / AGE_POINTS * span
    even = np.ones(AGE_POINTS)
    out = []
    for started, count, elapsed in ((True, busy, ages), (False, waiting, waits)):
        for m, e in zip(_whole_parts(count, even), elapsed, strict=True):
            if m:
                out.append(OpenLeads(region, source, stage, m, segment,
                                     _arrival_week(s, k, float(e), as_of), started, float(e)))
    return out


def pipeline(a: Actuals, s: Scenario) -> tuple[OpenLeads, ...]:
    """Open leads per region x source x stage at the as-of week, as leads in service and leads
    waiting (``_in_service_share``), each with how long it has been so, its likely segment
    (``segment_weights``) and arrival week (``_arrival_week``).

    Leads in service get the mid-quantile ages of ``service_ages``; waiting leads, taken first
    come first served, joined over the last ``waiting / entry rate`` days, spread evenly.
    """
    counts = _open_counts(a, s)
    share = _in_service_share(a, s, counts)
    rates = _entry_rate(a)
    stages = [st.id for st in s.funnel.stages]
    segments = ec.lead_segments(s).ids
    out = []
    for (region, source, stage), n in counts.items():
        weights = segment_weights(s, region, source, stages.index(stage))
        for segment, m in zip(segments, _whole_parts(n, weights), strict=True):
            busy = round(m * share[(region, stage)])
            out += _aged(s, (region, source, stage, segment), busy, m - busy,
                         rates.get((region, stage), 0.0), a.as_of_week)
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
