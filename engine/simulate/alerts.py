"""Alerts a planner acts on, read from all replications of a run, and the funnel table.

- ``safety_stock``: a product whose stock falls below safety stock in at least half of the
  replications in some week (``week`` is the first such week).
- ``milestone_lag``: a region whose median cumulative revenue at a month's end is more than
  ``MILESTONE_TOLERANCE`` below its cumulative target (needs targets in the plan).
- ``bottleneck``: the stage losing most leads to waiting (cold share), else the one with the
  longest mean wait.
- ``churn_risk``: a repeat segment losing at least ``CHURN_ALERT_SHARE`` of its customers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.simulate.columns import FUNNEL_WEEKLY, REGION_WEEKLY, product_metrics
from engine.simulate.inputs import SimInputs

BREACH_PROBABILITY = 0.5
MILESTONE_TOLERANCE = 0.05
"""How far (share of the cumulative target) a region's median revenue must trail a month's
milestone before it is an alert: smaller lags are within the quarter's ordinary noise (about
+-4% on a large region's revenue with base.yaml's parameter uncertainty) and carry no signal."""
CHURN_ALERT_SHARE = 0.03
FUNNEL_COLUMNS = [
    "stage", "entered", "started", "cold", "converted", "conversion", "cold_share",
    "waited_share", "mean_wait_days", "work_hours",
]


def funnel_table(inp: SimInputs, funnel_weekly: np.ndarray) -> pd.DataFrame:
    """Per stage, means over replications: entries, pick-ups, cold, conversions and waits."""
    total = funnel_weekly.sum(axis=2).mean(axis=0)
    col = {name: i for i, name in enumerate(FUNNEL_WEEKLY)}
    rows = []
    for k, stage in enumerate(inp.stages):
        t = total[k]
        entered, started = t[col["entered"]], t[col["started"]]
        rows.append([
            stage, entered, started, t[col["cold"]], t[col["converted"]],
            t[col["converted"]] / entered if entered else np.nan,
            t[col["cold"]] / entered if entered else np.nan,
            t[col["waited"]] / started if started else np.nan,
            t[col["wait_days"]] / started if started else np.nan,
            t[col["work_hours"]],
        ])
    return pd.DataFrame(rows, columns=FUNNEL_COLUMNS)


def _safety(inp: SimInputs, product_weekly: np.ndarray) -> list[list[object]]:
    below = product_weekly[..., product_metrics().index("below_safety")].mean(axis=0)
    rows: list[list[object]] = []
    for j, product in enumerate(inp.products):
        weeks = np.flatnonzero(below[j] >= BREACH_PROBABILITY)
        if weeks.size:
            detail = (f"stock below safety stock {inp.stock.safety[j]:g} in {weeks.size} of "
                      f"{inp.weeks} weeks (from week {weeks[0] + 1}, in "
                      f"{below[j, weeks[0]]:.0%} of replications)")
            rows.append(["safety_stock", product, int(weeks[0] + 1), detail])
    return rows


def _milestones(inp: SimInputs, revenue: np.ndarray, start_week: int) -> list[list[object]]:
    if np.isnan(inp.targets).all():
        return []
    median = np.median(np.cumsum(revenue, axis=2), axis=0)
    target = np.cumsum(inp.targets, axis=1)
    rows: list[list[object]] = []
    for m, end in enumerate(inp.month_ends, start=1):
        if end <= start_week:
            continue
        for i, region in enumerate(inp.regions):
            got, want = median[i, end - 1], target[i, end - 1]
            if want > 0 and got < want * (1.0 - MILESTONE_TOLERANCE):
                detail = f"month {m}: median revenue {got:,.0f} vs target {want:,.0f} " \
                         f"({got / want - 1:+.1%})"
                rows.append(["milestone_lag", region, int(end), detail])
    return rows


def _bottleneck(funnel: pd.DataFrame) -> list[list[object]]:
    if funnel.empty or funnel.entered.sum() == 0:
        return []
    key = "cold_share" if funnel.cold_share.max() > 0 else "mean_wait_days"
    if not funnel[key].max() > 0:
        return []
    row = funnel.iloc[int(np.nanargmax(funnel[key].to_numpy()))]
    detail = (f"{row.cold_share:.1%} of leads go cold waiting; mean wait "
              f"{row.mean_wait_days:.2f} days; {row.waited_share:.0%} wait at all")
    return [["bottleneck", row.stage, None, detail]]


def _churn(inp: SimInputs, churned: np.ndarray) -> list[list[object]]:
    rows: list[list[object]] = []
    for s, name in enumerate(inp.repeat_names):
        size = inp.repeat_churn[s, 0]
        mean = churned[:, s].mean() if churned.size else 0.0
        if size > 0 and mean / size >= CHURN_ALERT_SHARE:
            p90 = np.percentile(churned[:, s], 90)
            detail = f"{mean:,.0f} of {size:,.0f} customers lost this quarter " \
                     f"({mean / size:.1%}; P90 {p90:,.0f})"
            rows.append(["churn_risk", name, None, detail])
    return rows


def alerts(inp: SimInputs, region_weekly: np.ndarray, product_weekly: np.ndarray,
           funnel: pd.DataFrame, churned: np.ndarray, start_week: int) -> pd.DataFrame:
    """Every alert of a run (see the module docstring)."""
    revenue = region_weekly[..., REGION_WEEKLY.index("revenue")]
    rows = (_safety(inp, product_weekly) + _milestones(inp, revenue, start_week)
            + _bottleneck(funnel) + _churn(inp, churned))
    frame = pd.DataFrame(rows, columns=["kind", "subject", "week", "detail"])
    frame["week"] = frame["week"].astype("Int64")
    return frame
