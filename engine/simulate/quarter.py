"""One replication of the quarter: funnel -> orders -> stock and supply -> revenue -> collections.

The phases run one after the other on plain arrays (nothing feeds back: the funnel does not see
stock, since a won deal is won whether or not its units are on the shelf). Revenue and gross
profit are booked when units ship, so back-orders still open at the quarter's end, and lost
sales, are not revenue.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate.breakdown import Breakdown, tally
from engine.simulate.cash import Collections, collections
from engine.simulate.clock import run_quarter
from engine.simulate.columns import FUNNEL_WEEKLY, PRODUCT_SALES, REGION_WEEKLY, product_metrics
from engine.simulate.detail import Detail, detail
from engine.simulate.funnel import FunnelOutcome
from engine.simulate.inputs import SimInputs, build_inputs
from engine.simulate.orders import Orders
from engine.simulate.review import Firing
from engine.simulate.state import QuarterState
from engine.simulate.streams import Streams
from engine.simulate.supply import Shipments
from engine.simulate.world import World

KPIS = """Quarter KPIs of a replication (money in the scenario's currency):
revenue, gross_profit (booked plus simulated: revenue less the cost of the units sold, before
marketing, people and the backup supplier's premium), net_contribution (gross profit less the
plan's spend, its rep cost and the backup supplier's premium), target (sum of the plan's
targets), attainment (revenue / target; NaN without targets), hit_target (1 if revenue >= target),
new_product_share (of simulated revenue), fill_rate (units shipped at once / units ordered),
stockout_days (days with no stock, summed over stocked products), lost_units,
backordered_units (open at the end), backup_cost, leads, wins, cold_share (leads gone cold at
the first stage / leads entering it), rep_utilisation (rep hours worked / rep hours available),
lead_response_days (mean wait for the first stage's pick-up), cash (collected), receivables (at
the end), dso (receivables / revenue x days simulated), overdue_share (receivables past due)."""


@dataclass(frozen=True)
class ReplicationRecord:
    """Everything one replication produced (arrays; see the ``*_WEEKLY`` names for columns)."""

    region_weekly: np.ndarray
    """(R x W x (len(REGION_WEEKLY) + K))."""
    product_weekly: np.ndarray
    """(P x W x (len(PRODUCT_SALES) + len(PRODUCT_WEEKLY)))."""
    funnel_weekly: np.ndarray
    """(K x W x len(FUNNEL_WEEKLY))."""
    kpis: dict[str, float]
    churned: np.ndarray
    """Customers lost per repeat segment."""
    open_leads: np.ndarray
    """(K x R x C) leads still in each stage at the quarter's end."""
    detail: Detail | None = None
    """Per-source detail, when asked for (``simulate_quarter(..., detail=True)``)."""
    firings: tuple[Firing, ...] = ()
    """What management did at its reviews (``engine.simulate.review.Firing``), in order."""
    breakdown: Breakdown | None = None
    """Sales by region x line, source and segment per month (``engine.simulate.breakdown``)."""

    def weekly_frame(self, inp: SimInputs, replication: int = 0) -> pd.DataFrame:
        """This replication's weekly series in long form (see ``engine.simulate.result``)."""
        from engine.simulate.result import weekly_frame

        return weekly_frame(inp, self.region_weekly[None], self.product_weekly[None], replication)


def _by_week(inp: SimInputs, rows: np.ndarray, n_rows: int, day: np.ndarray,
             values: np.ndarray | None = None) -> np.ndarray:
    week = np.minimum((day // 7).astype(np.int64), inp.weeks - 1)
    flat = np.bincount(rows * inp.weeks + week, values, minlength=n_rows * inp.weeks)
    return flat.reshape(n_rows, inp.weeks)


def _sales(inp: SimInputs, orders: Orders, ships: Shipments) -> dict[str, np.ndarray]:
    """Units, revenue and gross profit shipped, by (region, week) and (product, week)."""
    R, P = len(inp.regions), len(inp.products)
    product, region = orders.product[ships.order], orders.region[ships.order]
    revenue = ships.units * orders.unit_revenue[ships.order]
    profit = revenue - ships.units * inp.unit_cost[product]
    out = {}
    for name, values in (("units", ships.units), ("revenue", revenue), ("gross_profit", profit)):
        out[f"r:{name}"] = _by_week(inp, region, R, ships.day, values)
        out[f"p:{name}"] = _by_week(inp, product, P, ships.day, values)
    return out


def _region_weekly(inp: SimInputs, funnel: FunnelOutcome, orders: Orders,
                   sales: dict[str, np.ndarray], cash: Collections) -> np.ndarray:
    R = len(inp.regions)
    won_region = funnel.leads.region[funnel.won]
    cols = [
        funnel.entered_by_region[0],
        _by_week(inp, won_region, R, funnel.won_day),
        funnel.cold_by_region,
        _by_week(inp, orders.region, R, orders.day),
        sales["r:units"], sales["r:revenue"], sales["r:gross_profit"],
        cash.cash, cash.receivables,
        *funnel.entered_by_region,
    ]
    return np.stack(cols, axis=-1)


def _kpis(inp: SimInputs, state: QuarterState, rw: np.ndarray, pw: np.ndarray,
          fw: np.ndarray, ships: Shipments, cash: Collections) -> dict[str, float]:
    col = {name: i for i, name in enumerate(REGION_WEEKLY)}
    pcol = {name: i for i, name in enumerate(product_metrics())}
    window = rw[:, state.start_week:]
    revenue_window = float(window[..., col["revenue"]].sum())
    backup_cost = float((ships.backup_units * inp.stock.backup_premium).sum())
    revenue = revenue_window + sum(state.revenue_booked.values())
    profit = float(window[..., col["gross_profit"]].sum())
    profit += sum(state.gross_profit_booked.values())
    target = float(inp.targets.sum())
    demand = pw[..., pcol["demand"]].sum()
    stocked = inp.stock.stocked
    receivables = float(rw[:, -1, col["receivables"]].sum())
    capacity = float((inp.pools.servers[:, None] * inp.pools.speed
                      * inp.pools.hours_per_day[:, None] * 7.0)[:, state.start_week:].sum())
    f = {name: fw[0, :, i].sum() for i, name in enumerate(FUNNEL_WEEKLY)}
    new_revenue = pw[inp.new_product, :, pcol["revenue"]].sum()
    days = inp.days - state.start_day
    return {
        "revenue": revenue,
        "gross_profit": profit,
        "net_contribution": profit - inp.spend - inp.rep_cost - backup_cost,
        "target": target,
        "attainment": revenue / target if target > 0 else np.nan,
        "hit_target": float(revenue >= target) if target > 0 else np.nan,
        "new_product_share": new_revenue / revenue_window if revenue_window > 0 else np.nan,
        "fill_rate": pw[..., pcol["filled"]].sum() / demand if demand > 0 else np.nan,
        "stockout_days": float(pw[stocked, :, pcol["stockout_days"]].sum()),
        "lost_units": float(pw[..., pcol["lost"]].sum()),
        "backordered_units": float(pw[:, -1, pcol["backordered"]].sum()),
        "backup_cost": backup_cost,
        "leads": float(window[..., col["leads"]].sum()),
        "wins": float(window[..., col["wins"]].sum()),
        "cold_share": f["cold"] / f["entered"] if f["entered"] > 0 else np.nan,
        "rep_utilisation": fw[..., FUNNEL_WEEKLY.index("work_hours")].sum() / capacity
        if capacity > 0 else np.nan,
        "lead_response_days": f["wait_days"] / f["started"] if f["started"] > 0 else np.nan,
        "cash": float(window[..., col["cash"]].sum()) + sum(state.cash_collected.values()),
        "receivables": receivables,
        "dso": receivables / revenue_window * days if revenue_window > 0 else np.nan,
        "overdue_share": cash.overdue / receivables if receivables > 0 else np.nan,
    }


def assemble(world: World, firings: list[Firing], with_detail: bool = False
             ) -> ReplicationRecord:
    """The record of a replication's quarter as ``world`` holds it."""
    inp, state, funnel = world.inp, world.state, world.funnel
    orders, ships = world.orders, world.ships
    sales = _sales(inp, orders, ships)
    cash = collections(inp, world.invoices, state)
    rw = _region_weekly(inp, funnel, orders, sales, cash)
    sold = np.stack([sales[f"p:{m}"] for m in PRODUCT_SALES], axis=-1)
    pw = np.concatenate([sold, ships.weekly], axis=-1)
    kpis = _kpis(inp, state, rw, pw, funnel.weekly, ships, cash)
    extra = detail(inp, funnel, orders, ships, state) if with_detail else None
    return ReplicationRecord(rw, pw, funnel.weekly, kpis, world.segments.churned,
                             funnel.open_at_end, extra, firings=tuple(firings),
                             breakdown=tally(inp, orders, ships))


def run_replication(inp: SimInputs, streams: Streams, state: QuarterState,
                    with_detail: bool = False) -> ReplicationRecord:
    """One replication on prepared inputs (what ``simulate`` runs in its workers): the quarter's
    clock (``engine.simulate.clock``) with its management; with ``with_detail``, the record
    carries its ``Detail``."""
    world, firings = run_quarter(inp, streams, state)
    return assemble(world, firings, with_detail)


def simulate_quarter(
    scenario: Scenario,
    plan: Plan,
    streams: Streams,
    initial_state: QuarterState | None = None,
    detail: bool = False,
) -> ReplicationRecord:
    """Simulate one quarter of ``scenario`` under ``plan`` with the named ``streams``
    (from ``spawn_streams``), from ``initial_state`` (default: the empty start of the quarter);
    ``detail`` adds the per-source ``Detail`` (``engine.simulate.detail``) to the record."""
    return run_replication(build_inputs(scenario, plan), streams, initial_state or QuarterState(),
                           detail)
