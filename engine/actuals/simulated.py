"""Actuals from a simulation: one replication's first ``K`` weeks in the actuals format.

``from_simulation`` runs replication ``replication`` of ``seed`` (the same random streams as that
replication of ``engine.simulate.simulate``) with its per-source detail
(``engine.simulate.detail``) and writes exactly what a planner would have seen by the end of
week ``K``:

- per region x channel and week: ``spend`` (the plan's quarter spend spread evenly over weeks);
- per region x source (channels and ``organic``) and week: ``leads``, and per stage
  ``entered``, ``cold`` (by the week they went cold) and ``open`` (in the stage at the week's
  end);
- per region x source x product and week, with ``repeat`` for existing and dormant customers:
  ``wins`` (orders placed), ``units``, ``revenue`` and ``gross_profit`` (shipped); product
  combinations with nothing in a week are left out;
- per region and week: ``cash`` and ``receivables``; the plan's ``target`` per region x line;
- per stocked product and week: ``on_hand``, ``backorders``, ``ordered`` and ``received``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from engine.actuals.table import actuals_frame, write_actuals
from engine.errors import UsageError
from engine.plan import Plan
from engine.scenario.schema import Scenario

if TYPE_CHECKING:
    from engine.simulate.detail import Detail

Records = list[dict[str, object]]
SALES = ("wins", "units", "revenue", "gross_profit")
"""Actuals metrics read from the detail's sales arrays (same names)."""
PRODUCT_COLUMNS = {"on_hand": "stock", "backorders": "backordered"}
"""Actuals metric -> the simulator's product metric."""
SUPPLY_COLUMNS = {"ordered": "ordered", "received": "received"}
"""Actuals metric -> the detail's supply column."""


def _run(scenario: Scenario, plan: Plan, seed: int, replication: int
         ) -> tuple[np.ndarray, np.ndarray, Detail]:
    """Adapter to the simulator: region (R x W x m) and product (P x W x m) weekly arrays of
    one replication, and its detail."""
    from engine.simulate import replication_streams, simulate_quarter

    record = simulate_quarter(scenario, plan, replication_streams(seed, replication),
                              detail=True)
    assert record.detail is not None
    return record.region_weekly, record.product_weekly, record.detail


def _spend_records(s: Scenario, plan: Plan, weeks: int) -> Records:
    per_week = s.horizon.weeks
    return [dict(week=w, region=r.id, channel=c.id, metric="spend",
                 value=plan.spend_of(r.id, c.id) / per_week)
            for w in range(1, weeks + 1) for r in s.regions for c in s.channels]


def _funnel_records(s: Scenario, d: Detail, weeks: int) -> Records:
    """Leads, and entries, cold and open leads per stage, by region x source x week."""
    out: Records = []
    sources = d.sources[:d.entered.shape[2]]
    for (i, j, w), n in np.ndenumerate(d.entered[0, :, :, :weeks]):
        out.append(dict(week=w + 1, region=s.regions[i].id, channel=sources[j], metric="leads",
                        value=float(n)))
    for k, st in enumerate(s.funnel.stages):
        for metric, values in (("entered", d.entered), ("cold", d.cold), ("open", d.open)):
            for (i, j, w), n in np.ndenumerate(values[k, :, :, :weeks]):
                out.append(dict(week=w + 1, region=s.regions[i].id, channel=sources[j],
                                stage=st.id, metric=metric, value=float(n)))
    return out


def _sales_records(s: Scenario, d: Detail, weeks: int) -> Records:
    """Orders, units, revenue and gross profit by region x source x product x week (combinations
    with nothing in the week left out; back-orders carried in do not occur from week 0)."""
    out: Records = []
    sources = d.sources
    arrays = {m: getattr(d, m)[..., :weeks] for m in SALES}
    busy = np.argwhere(sum(np.abs(a) for a in arrays.values()) > 0)
    for i, j, p, w in busy:
        product = s.products[p]
        for metric, values in arrays.items():
            out.append(dict(week=w + 1, region=s.regions[i].id, channel=sources[j],
                            product=product.id, metric=metric,
                            value=float(values[i, j, p, w])))
    return out


def _region_records(s: Scenario, rw: np.ndarray, names: tuple[str, ...], weeks: int) -> Records:
    col = {n: i for i, n in enumerate(names)}
    return [dict(week=w + 1, region=r.id, metric=m, value=float(rw[i, w, col[m]]))
            for i, r in enumerate(s.regions) for w in range(weeks)
            for m in ("cash", "receivables")]


def _target_records(plan: Plan, weeks: int) -> Records:
    t = plan.targets
    t = t[t.week <= weeks] if not t.empty else t
    return [dict(week=int(w), region=r, line=line, metric="target", value=float(v))
            for r, line, w, v in zip(t.region, t.line, t.week, t.target, strict=True)]


def _product_records(s: Scenario, pw: np.ndarray, d: Detail, names: tuple[str, ...],
                     weeks: int) -> Records:
    from engine.simulate.detail import SUPPLY

    col = {n: i for i, n in enumerate(names)}
    stocked = {item.product for item in s.inventory.stock}
    out: Records = []
    for j, p in enumerate(s.products):
        if p.id not in stocked:
            continue
        for w in range(weeks):
            out += [dict(week=w + 1, product=p.id, metric=m, value=float(pw[j, w, col[n]]))
                    for m, n in PRODUCT_COLUMNS.items()]
            out += [dict(week=w + 1, product=p.id, metric=m,
                         value=float(d.supply[j, w, SUPPLY.index(n)]))
                    for m, n in SUPPLY_COLUMNS.items()]
    return out


def from_simulation(scenario: Scenario, plan: Plan, weeks: int, seed: int | None = None,
                    replication: int = 0) -> pd.DataFrame:
    """Weeks ``1 .. weeks`` of one simulated quarter as a tidy actuals table (see module).

    Parameters
    ----------
    weeks:
        The as-of week ``K`` (0 gives an empty table).
    seed, replication:
        Which replication (default seed: the scenario's).

    Raises
    ------
    UsageError
        ``weeks`` outside ``0 .. horizon``.
    """
    from engine.simulate.columns import product_metrics, region_metrics
    from engine.simulate.inputs import build_inputs

    if not 0 <= weeks <= scenario.horizon.weeks:
        raise UsageError(
            f"--export-actuals {weeks}: the week must be in 0..{scenario.horizon.weeks}")
    if weeks == 0:
        return actuals_frame([])
    root = scenario.simulation.seed if seed is None else seed
    rw, pw, d = _run(scenario, plan, root, replication)
    names = region_metrics(build_inputs(scenario, plan))
    records = (_spend_records(scenario, plan, weeks) + _funnel_records(scenario, d, weeks)
               + _sales_records(scenario, d, weeks)
               + _region_records(scenario, rw, names, weeks) + _target_records(plan, weeks)
               + _product_records(scenario, pw, d, product_metrics(), weeks))
    return actuals_frame(records)


def default_actuals_path(scenario_path: str | Path, weeks: int) -> Path:
    """``<scenario name>-actuals-week<K>.csv`` in the current folder."""
    return Path(f"{Path(scenario_path).stem}-actuals-week{weeks}.csv")


def export_actuals(scenario: Scenario, plan: Plan, weeks: int, seed: int | None,
                   path: str | Path) -> Path:
    """Write replication 0's first ``weeks`` weeks (``from_simulation``) to ``path`` (CSV, or
    a workbook for ``.xlsx``)."""
    return write_actuals(from_simulation(scenario, plan, weeks, seed), path)
