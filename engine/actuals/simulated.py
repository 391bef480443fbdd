"""Actuals from a simulation: one replication's first ``K`` weeks in the actuals format.

``from_simulation`` runs replication ``replication`` of ``seed`` (the same random streams as that
replication of ``engine.simulate.simulate``) and writes what a planner would have seen by the
end of week ``K``. The simulator records its funnel per region, so the export is regional:

- per region x channel and week: ``spend`` (the plan's quarter spend spread evenly over weeks);
- per region and week, with a blank channel: ``leads``, ``entered`` per stage, ``cold``,
  ``wins`` (deals won from leads), ``revenue``, ``gross_profit``; ``repeat`` wins are the
  region's other orders (existing and dormant customers); ``cash`` and ``receivables``;
- per product and week: ``on_hand`` and ``backorders`` (all regions).

The simulator counts the leads in each stage at a week's end over all regions only, so the
``open`` rows share that count among regions by their entries to the stage in that week and the
week before (exact in total, approximate per region).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from engine.actuals.format import REPEAT
from engine.actuals.table import actuals_frame, write_actuals
from engine.errors import UsageError
from engine.plan import Plan
from engine.schema import Scenario

REGION_COLUMNS = {"leads": "leads", "wins": "wins", "cold": "cold", "revenue": "revenue",
                  "gross_profit": "gross_profit", "cash": "cash", "receivables": "receivables"}
"""Actuals metric -> the simulator's region metric."""
PRODUCT_COLUMNS = {"on_hand": "stock", "backorders": "backordered"}
"""Actuals metric -> the simulator's product metric."""


def _record(scenario: Scenario, plan: Plan, seed: int, replication: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, tuple[str, ...]]]:
    """Adapter to the simulator: region (R x W x m), product (P x W x m) and funnel
    (K x W x m) weekly arrays of one replication, and the metric names of each."""
    from engine.simulate import replication_streams, simulate_quarter
    from engine.simulate.funnel import FUNNEL_WEEKLY
    from engine.simulate.inputs import build_inputs
    from engine.simulate.quarter import product_metrics, region_metrics

    record = simulate_quarter(scenario, plan, replication_streams(seed, replication))
    inp = build_inputs(scenario, plan)
    names = {"region": region_metrics(inp), "product": product_metrics(),
             "funnel": FUNNEL_WEEKLY}
    return record.region_weekly, record.product_weekly, record.funnel_weekly, names


def _open_records(s: Scenario, rw: np.ndarray, fw: np.ndarray, names: dict[str, tuple[str, ...]],
                  weeks: int) -> list[dict[str, object]]:
    """Leads in each stage at each week's end: the simulator's count over all regions, shared
    among regions by their entries to the stage in that week and the week before."""
    rcol = {n: i for i, n in enumerate(names["region"])}
    wip = names["funnel"].index("wip")
    out: list[dict[str, object]] = []
    for k, st in enumerate(s.funnel.stages):
        entries = rw[:, :, rcol[f"stage:{st.id}"]]
        for w in range(weeks):
            recent = entries[:, max(0, w - 1):w + 1].sum(axis=1)
            share = recent / recent.sum() if recent.sum() > 0 else np.zeros(len(recent))
            counts = _whole(share * fw[k, w, wip])
            out += [dict(week=w + 1, region=r.id, stage=st.id, metric="open", value=float(n))
                    for r, n in zip(s.regions, counts, strict=True)]
    return out


def _whole(values: np.ndarray) -> np.ndarray:
    """Whole numbers with the same (rounded) total, by largest remainders."""
    floor = np.floor(values)
    rest = round(float(values.sum())) - int(floor.sum())
    floor[np.argsort(values - floor)[::-1][:max(rest, 0)]] += 1
    return floor


def _spend_records(s: Scenario, plan: Plan, weeks: int) -> list[dict[str, object]]:
    per_week = s.horizon.weeks
    return [dict(week=w, region=r.id, channel=c.id, metric="spend",
                 value=plan.spend_of(r.id, c.id) / per_week)
            for w in range(1, weeks + 1) for r in s.regions for c in s.channels]


def _region_records(s: Scenario, rw: np.ndarray, names: tuple[str, ...], weeks: int
                    ) -> list[dict[str, object]]:
    col = {n: i for i, n in enumerate(names)}
    out: list[dict[str, object]] = []
    for i, r in enumerate(s.regions):
        for w in range(weeks):
            week = rw[i, w]
            out += [dict(week=w + 1, region=r.id, metric=m, value=float(week[col[n]]))
                    for m, n in REGION_COLUMNS.items()]
            out += [dict(week=w + 1, region=r.id, stage=st.id, metric="entered",
                         value=float(week[col[f"stage:{st.id}"]]))
                    for st in s.funnel.stages]
            repeat = max(0.0, float(week[col["orders"]] - week[col["wins"]]))
            out.append(dict(week=w + 1, region=r.id, channel=REPEAT, metric="wins",
                            value=repeat))
    return out


def _product_records(s: Scenario, pw: np.ndarray, names: tuple[str, ...], weeks: int
                     ) -> list[dict[str, object]]:
    col = {n: i for i, n in enumerate(names)}
    stocked = {item.product for item in s.inventory.stock}
    return [dict(week=w + 1, product=p.id, metric=m, value=float(pw[j, w, col[n]]))
            for j, p in enumerate(s.products) if p.id in stocked
            for w in range(weeks) for m, n in PRODUCT_COLUMNS.items()]


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
    if not 0 <= weeks <= scenario.horizon.weeks:
        raise UsageError(
            f"--export-actuals {weeks}: the week must be in 0..{scenario.horizon.weeks}")
    if weeks == 0:
        return actuals_frame([])
    root = scenario.simulation.seed if seed is None else seed
    rw, pw, fw, names = _record(scenario, plan, root, replication)
    records = (_spend_records(scenario, plan, weeks)
               + _region_records(scenario, rw, names["region"], weeks)
               + _open_records(scenario, rw, fw, names, weeks)
               + _product_records(scenario, pw, names["product"], weeks))
    frame = actuals_frame(records)
    counts = frame.metric.isin(["leads", "entered", "cold", "wins"])
    frame.loc[counts, "value"] = frame.loc[counts, "value"].round()
    return frame


def default_actuals_path(scenario_path: str | Path, weeks: int) -> Path:
    """``<scenario name>-actuals-week<K>.csv`` in the current folder."""
    return Path(f"{Path(scenario_path).stem}-actuals-week{weeks}.csv")


def export_actuals(scenario: Scenario, plan: Plan, weeks: int, seed: int | None,
                   path: str | Path) -> Path:
    """Write replication 0's first ``weeks`` weeks (``from_simulation``) to ``path`` (CSV, or
    a workbook for ``.xlsx``)."""
    return write_actuals(from_simulation(scenario, plan, weeks, seed), path)
