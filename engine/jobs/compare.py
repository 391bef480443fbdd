"""Comparing scenarios run with common random numbers: side-by-side KPIs and paired differences.

Replication ``i`` of every scenario draws from the same random streams, so the difference of a
KPI between two scenarios is taken replication by replication; its spread is far smaller than
that of two independent runs, and its 95% interval is the mean paired difference plus or minus
``t(0.975, n-1) * sd / sqrt(n)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

LOWER_IS_BETTER = frozenset(
    {
        "stockout_days",
        "lead_response_days",
        "dso",
        "overdue_share",
        "lost_units",
        "backordered_units",
        "cold_leads",
        "marketing_spend",
    }
)
"""KPIs where a smaller value is the better outcome."""

BINARY_METRICS = frozenset({"hit_target"})
"""0/1 KPIs: their paired difference is a difference in probability (with its interval); a
share of replications where one is "better" would mostly count ties, so it is left out (NaN)."""

METRIC_UNITS = {
    "revenue": "money", "gross_profit": "money", "net_contribution": "money",
    "marketing_spend": "money", "attainment": "share", "hit_target": "share",
    "new_product_share": "share", "fill_rate": "share", "rep_utilisation": "share",
    "overdue_share": "share", "stockout_days": "days", "lead_response_days": "days",
    "dso": "days",
}
"""Units of the compared KPIs, written to the ``unit`` column of the comparison table."""

COMPARISON_COLUMNS = [
    "scenario",
    "metric",
    "mean",
    "p10",
    "p50",
    "p90",
    "diff_mean",
    "diff_lo",
    "diff_hi",
    "prob_better",
    "unit",
]


def _wide(kpis: pd.DataFrame) -> pd.DataFrame:
    return kpis.pivot_table(index="replication", columns="metric", values="value", aggfunc="first")


def mean_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean of ``values`` and its ``level`` t-interval."""
    x = np.asarray(values, dtype=float)
    mean = float(x.mean())
    half = 0.0
    if x.size > 1:
        half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def paired_difference(
    base: np.ndarray, other: np.ndarray, higher_is_better: bool = True, level: float = 0.95
) -> dict[str, float]:
    """Mean paired difference ``other - base`` with its ``level`` interval, and the share of
    replications in which ``other`` is better (ties count half)."""
    diff = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    mean, low, high = mean_interval(diff, level)
    signed = diff if higher_is_better else -diff
    better = float(((signed > 0) + 0.5 * (signed == 0)).mean())
    return {"diff_mean": mean, "diff_lo": low, "diff_hi": high, "prob_better": better}


def compare_kpis(
    names: Sequence[str], kpis: Sequence[pd.DataFrame], metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Side-by-side KPIs of several scenarios and paired differences against the first.

    ``kpis`` are per-replication tables (``replication, metric, value``) from runs with the same
    seed and replications. Returns one row per scenario and metric with the columns
    ``COMPARISON_COLUMNS``; the baseline's difference columns are NaN, and so is
    ``prob_better`` of a 0/1 KPI (``BINARY_METRICS``).
    """
    if len(names) != len(kpis) or not names:
        raise ValueError("one KPI table per scenario name is needed")
    wides = [_wide(k) for k in kpis]
    common = sorted(set.intersection(*(set(w.columns) for w in wides)))
    chosen = [m for m in (metrics or common) if m in common]
    rows = []
    base = wides[0]
    for name, wide in zip(names, wides, strict=True):
        paired = wide.index.intersection(base.index)
        for metric in chosen:
            values = wide[metric].dropna().to_numpy(dtype=float)
            row = {
                "scenario": name,
                "metric": metric,
                "mean": float(np.mean(values)),
                **dict(
                    zip(("p10", "p50", "p90"), np.percentile(values, [10, 50, 90]), strict=True)
                ),
            }
            if wide is base:
                row.update(diff_mean=np.nan, diff_lo=np.nan, diff_hi=np.nan, prob_better=np.nan)
            else:
                pair = pd.concat([base.loc[paired, metric], wide.loc[paired, metric]], axis=1)
                pair = pair.dropna().to_numpy(dtype=float)
                row.update(paired_difference(pair[:, 0], pair[:, 1], metric not in LOWER_IS_BETTER))
                if metric in BINARY_METRICS:
                    row["prob_better"] = np.nan
            row["unit"] = METRIC_UNITS.get(metric, "number")
            rows.append(row)
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
