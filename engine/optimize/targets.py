"""Revenue targets per region x product line, from the plan's expected outcome and the policy's
target rule, phased into weeks (and so months) by when the expected revenue closes.

- ``stretch``: target = ``stretch`` x expected revenue.
- ``percentile``: target = the given percentile of quarter revenue under a normal approximation,
  ``mean + z * sd``, with the compound-Poisson variance of
  ``outcome.line_revenue_variance`` (each order an independent event).

Either way the quarter target of a region x line is spread over the weeks in proportion to the
revenue expected to close in each (the funnel's lag, promotions, competitor shocks).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from engine.optimize.inputs import ModelInputs
from engine.optimize.outcome import line_revenue_variance, weekly_line_revenue
from engine.plan import TARGET_COLUMNS


def quarter_targets(d: ModelInputs, rates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Quarter target and weekly expected revenue by region x line (R x lines, R x H x lines)."""
    weekly = weekly_line_revenue(d, rates)
    expected = weekly.sum(axis=1)
    rule = d.scenario.policy.target
    if rule.rule == "stretch":
        return rule.stretch * expected, weekly
    z = NormalDist().inv_cdf(rule.percentile / 100.0)
    return np.maximum(0.0, expected + z * np.sqrt(line_revenue_variance(d, rates))), weekly


def make_targets(d: ModelInputs, rates: np.ndarray) -> pd.DataFrame:
    """``region, line, week, target``: weekly revenue targets (money), weeks from 1."""
    target, weekly = quarter_targets(d, rates)
    expected = weekly.sum(axis=1)
    scale = np.divide(target, expected, out=np.zeros_like(target), where=expected > 0)
    phased = weekly * scale[:, None, :]
    r, w, k = np.meshgrid(
        np.arange(len(d.regions)), np.arange(d.weeks), np.arange(len(d.lines)), indexing="ij"
    )
    return pd.DataFrame(
        {
            "region": np.array(d.regions, dtype=object)[r.ravel()],
            "line": np.array(d.lines, dtype=object)[k.ravel()],
            "week": (w.ravel() + 1).astype(int),
            "target": phased.ravel(),
        },
        columns=TARGET_COLUMNS,
    )


def monthly_targets(d: ModelInputs, targets: pd.DataFrame) -> pd.DataFrame:
    """Targets summed into the horizon's months: ``region, line, month, target``."""
    month = targets.week.map(d.scenario.horizon.month_of_week)
    frame = targets.assign(month=month).groupby(["region", "line", "month"], sort=False)
    return frame.target.sum().reset_index()
