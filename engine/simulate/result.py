"""What a Monte Carlo run returns: tidy long-form tables and their summaries.

``weekly`` has one row per replication x week x (region or product) x metric. To keep large
scenarios in memory it is aggregated two ways, never per region x product: region metrics
(``leads``, ``wins``, ``revenue``, ``cash``, ``stage:<id>`` entries...) per region with
``product = "all"``, and product metrics (``units``, ``revenue``, ``stock``, ``backordered``,
``lost``...) per product with ``region = "all"``. Money metrics appear in both, so sum one
aggregation only. Flows are per week; ``stock``, ``backordered``, ``receivables`` are levels at the
week's end.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from engine.simulate.breakdown import Breakdown, outcomes
from engine.simulate.columns import product_metrics, region_metrics
from engine.simulate.inputs import SimInputs
from engine.simulate.review import FIRING_COLUMNS, Firing

SUMMARY_COLUMNS = ["metric", "mean", "se", "p10", "p50", "p90"]
BAND_COLUMNS = ["week", "mean", "p10", "p50", "p90"]
ALERT_COLUMNS = ["kind", "subject", "week", "detail"]


def _long(
    values: np.ndarray, names: dict[str, tuple[str, ...]], start: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """Long form of ``values`` (N x rows x W x metrics) with row labels under ``names``, and
    the metric index of each row."""
    N, n_rows, W, M = values.shape
    (key, labels), = names.items()
    grid = np.indices((N, n_rows, W, M)).reshape(4, -1)
    frame = {
        "replication": (grid[0] + start).astype(np.int32),
        "week": (grid[2] + 1).astype(np.int16),
        key: pd.Categorical.from_codes(grid[1], pd.Index(labels)),
        "value": values.reshape(-1),
    }
    return pd.DataFrame(frame), grid[3]


def weekly_frame(inp: SimInputs, region_weekly: np.ndarray, product_weekly: np.ndarray,
                 start: int = 0) -> pd.DataFrame:
    """``replication, week, region, product, metric, value`` (see the module docstring)."""
    rmetrics, pmetrics = region_metrics(inp), product_metrics()
    metrics = tuple(dict.fromkeys((*rmetrics, *pmetrics)))
    by_region, rcodes = _long(region_weekly, {"region": (*inp.regions, "all")}, start)
    by_product, pcodes = _long(product_weekly, {"product": (*inp.products, "all")}, start)
    by_region["product"] = pd.Categorical.from_codes(
        np.full(len(by_region), len(inp.products)), pd.Index([*inp.products, "all"]))
    by_product["region"] = pd.Categorical.from_codes(
        np.full(len(by_product), len(inp.regions)), pd.Index([*inp.regions, "all"]))
    index = {m: i for i, m in enumerate(metrics)}
    rmap = np.array([index[m] for m in rmetrics])
    pmap = np.array([index[m] for m in pmetrics])
    by_region["metric"] = pd.Categorical.from_codes(rmap[rcodes], pd.Index(metrics))
    by_product["metric"] = pd.Categorical.from_codes(pmap[pcodes], pd.Index(metrics))
    columns = ["replication", "week", "region", "product", "metric", "value"]
    return pd.concat([by_region[columns], by_product[columns]], ignore_index=True)


def summarise(kpis: pd.DataFrame) -> pd.DataFrame:
    """``metric, mean, se, p10, p50, p90`` over replications (NaN values skipped)."""
    rows = []
    for metric, values in kpis.groupby("metric", sort=False, observed=True)["value"]:
        v = values.to_numpy(dtype=float)
        v = v[~np.isnan(v)]
        if v.size == 0:
            rows.append([metric, *[np.nan] * 5])
            continue
        se = v.std(ddof=1) / np.sqrt(v.size) if v.size > 1 else np.nan
        rows.append([metric, v.mean(), se, *np.percentile(v, [10, 50, 90])])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def firing_frame(rows: list[tuple[int, Firing]]) -> pd.DataFrame:
    """The firings of replications as ``replication`` + ``FIRING_COLUMNS``."""
    data = [(i, *astuple(f)) for i, f in rows]
    frame = pd.DataFrame(data, columns=["replication", *FIRING_COLUMNS])
    return frame.astype({"replication": int, "week": int, "amount": float, "cost": float})


MANAGEMENT_COLUMNS = ["rule", "action", "unit", "fired_share", "per_replication", "first_week",
                      "amount", "cost"]


def management_summary(firings: pd.DataFrame, replications: int) -> pd.DataFrame:
    """How often and when each rule fired, and what it moved (see
    ``SimulationResult.management``)."""
    rows = []
    for (rule, action, unit), f in firings.groupby(["rule", "action", "unit"], sort=False):
        first = f.groupby("replication")["week"].min()
        rows.append([rule, action, unit, first.size / replications, len(f) / replications,
                     float(first.mean()), f["amount"].sum() / replications,
                     f["cost"].sum() / replications])
    return pd.DataFrame(rows, columns=MANAGEMENT_COLUMNS)


@dataclass
class SimulationResult:
    """A Monte Carlo run of a quarter under a plan.

    Attributes
    ----------
    kpis:
        ``replication, metric, value``: quarter KPIs of each replication (money, shares, days).
    alerts:
        ``kind, subject, week, detail``: safety-stock breaches, milestone lags, the bottleneck
        stage, churn-risk segments.
    funnel:
        One row per stage: mean entries, pick-ups, cold leads, conversions and waits.
    notes:
        What the reader should know (which plan, missing targets...).
    """

    scenario: str
    plan_source: str
    seed: int
    replications: int
    start_week: int
    inputs: SimInputs = field(repr=False)
    region_weekly: np.ndarray = field(repr=False)
    product_weekly: np.ndarray = field(repr=False)
    funnel_weekly: np.ndarray = field(repr=False)
    kpis: pd.DataFrame = field(repr=False)
    alerts: pd.DataFrame = field(repr=False)
    funnel: pd.DataFrame = field(repr=False)
    notes: list[str] = field(default_factory=list)
    firings: pd.DataFrame = field(default_factory=lambda: firing_frame([]), repr=False)
    """``replication, rule, week, action, target, amount, unit, cost``: every action management
    took (``engine.simulate.review.FIRING_COLUMNS``); empty without rules."""

    def management(self) -> pd.DataFrame:
        """One row per rule that fired: ``rule, action, fired_share`` (share of replications
        in which it fired), ``per_replication`` (firings per replication), ``first_week``
        (mean week of its first firing where it fired), ``amount`` (mean per replication, in
        ``unit``), ``cost`` (mean per replication, money)."""
        return management_summary(self.firings, self.replications)
    breakdown: Breakdown | None = field(default=None, repr=False)
    """Sales by region x line, source and segment per month, every replication."""

    @cached_property
    def weekly(self) -> pd.DataFrame:
        """``replication, week, region, product, metric, value`` (see the module docstring)."""
        return weekly_frame(self.inputs, self.region_weekly, self.product_weekly)

    def summary(self) -> pd.DataFrame:
        """``metric, mean, se, p10, p50, p90`` of every KPI (``hit_target``'s mean is the
        probability of hitting the target)."""
        return summarise(self.kpis)

    def by_region(self, metric: str) -> np.ndarray:
        """(replications x regions x weeks) ``metric`` per region (``inputs.regions`` order).

        Raises ``KeyError`` for a name not in ``region_metrics``."""
        names = region_metrics(self.inputs)
        if metric not in names:
            raise KeyError(f"no weekly region metric {metric!r}")
        return self.region_weekly[..., names.index(metric)]

    def by_product(self, metric: str) -> np.ndarray:
        """(replications x products x weeks) ``metric`` per product (``inputs.products`` order).

        Raises ``KeyError`` for a name not in ``product_metrics``."""
        names = product_metrics()
        if metric not in names:
            raise KeyError(f"no weekly product metric {metric!r}")
        return self.product_weekly[..., names.index(metric)]

    def totals(self, metric: str) -> np.ndarray:
        """(replications x weeks) ``metric`` summed over regions (or over products)."""
        if metric in region_metrics(self.inputs):
            return self.by_region(metric).sum(axis=1)
        if metric in product_metrics():
            return self.by_product(metric).sum(axis=1)
        raise KeyError(f"no weekly metric {metric!r}")

    def bands(self, metric: str = "revenue", cumulative: bool = True) -> pd.DataFrame:
        """``week, mean, p10, p50, p90`` of ``metric`` summed over regions, week by week
        (cumulated over the weeks when ``cumulative``; use ``False`` for levels like stock)."""
        values = self.totals(metric)
        if cumulative:
            values = np.cumsum(values, axis=1)
        p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
        weeks = np.arange(1, values.shape[1] + 1)
        return pd.DataFrame(
            {"week": weeks, "mean": values.mean(axis=0), "p10": p10, "p50": p50, "p90": p90}
        )

    def outcomes(self, targets: pd.DataFrame,
                 segment_targets: np.ndarray | None = None) -> dict[str, pd.DataFrame]:
        """Outcome tables by region, line, region x line, channel and segment against the
        plan's ``targets`` (``region, line, week, target``); see ``engine.simulate.breakdown``.

        Raises ``ValueError`` when the run kept no breakdown."""
        if self.breakdown is None:
            raise ValueError("this simulation kept no breakdown by region, line and segment")
        return outcomes(self.inputs, self.breakdown, targets, self.start_week, segment_targets)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data: settings, notes, KPI summary, revenue bands, funnel, alerts."""
        return {
            "scenario": self.scenario,
            "plan": self.plan_source,
            "seed": self.seed,
            "replications": self.replications,
            "start_week": self.start_week,
            "notes": list(self.notes),
            "summary": self.summary().to_dict(orient="records"),
            "revenue_bands": self.bands("revenue").to_dict(orient="records"),
            "funnel": self.funnel.to_dict(orient="records"),
            "alerts": self.alerts.to_dict(orient="records"),
            "management": self.management().to_dict(orient="records"),
        }
