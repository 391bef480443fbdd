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
]


def _wide(kpis: pd.DataFrame) -> pd.DataFrame:
    return kpis.pivot_table(index="replication", columns="metric", values="value", aggfunc="first")


def paired_difference(
    base: np.ndarray, other: np.ndarray, higher_is_better: bool = True, level: float = 0.95
) -> dict[str, float]:
    """Mean paired difference ``other - base`` with its ``level`` interval, and the share of
    replications in which ``other`` is better (ties count half)."""
    diff = np.asarray(other, dtype=float) - np.asarray(base, dtype=float)
    n = diff.size
    mean = float(diff.mean())
    half = 0.0
    if n > 1:
        half = float(stats.t.ppf(0.5 + level / 2, n - 1) * diff.std(ddof=1) / np.sqrt(n))
    signed = diff if higher_is_better else -diff
    better = float(((signed > 0) + 0.5 * (signed == 0)).mean())
    return {
        "diff_mean": mean,
        "diff_lo": mean - half,
        "diff_hi": mean + half,
        "prob_better": better,
    }


def compare_kpis(
    names: Sequence[str], kpis: Sequence[pd.DataFrame], metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Side-by-side KPIs of several scenarios and paired differences against the first.

    ``kpis`` are per-replication tables (``replication, metric, value``) from runs with the same
    seed and replications. Returns one row per scenario and metric with the columns
    ``COMPARISON_COLUMNS``; the baseline's difference columns are NaN.
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
            rows.append(row)
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
