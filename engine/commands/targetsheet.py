"""The target sheet a region manager uses: targets by region x month and region x line x month,
with a total column and a total row that add up to the company target."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.scenario.schema import Scenario

TOTAL = "total"
"""The label of the total row."""


def month_of_week(s: Scenario) -> dict[int, str]:
    """Week (from 1) -> ``month 1`` ... by the scenario's month lengths."""
    ends = np.cumsum(s.horizon.months)
    return {w: f"month {int(np.searchsorted(ends, w - 1, side='right')) + 1}"
            for w in range(1, s.horizon.weeks + 1)}


def _pivot(targets: pd.DataFrame, s: Scenario, keys: list[str]) -> pd.DataFrame:
    months = list(dict.fromkeys(month_of_week(s).values()))
    frame = targets.assign(month=targets.week.map(month_of_week(s)))
    pivot = frame.pivot_table(index=keys, columns="month", values="target", aggfunc="sum",
                              fill_value=0.0, sort=False)
    pivot = pivot.reindex(columns=months, fill_value=0.0)
    order = {r.id: i for i, r in enumerate(s.regions)}
    pivot = pivot.reset_index()
    pivot = pivot.iloc[pivot.region.map(order).argsort(kind="stable")].reset_index(drop=True)
    pivot["quarter"] = pivot[months].sum(axis=1)
    total: dict[str, str | float] = {k: (TOTAL if i == 0 else "") for i, k in enumerate(keys)}
    total |= {c: float(pivot[c].sum()) for c in [*months, "quarter"]}
    pivot.columns = [str(c) for c in pivot.columns]
    return pd.concat([pivot, pd.DataFrame([total])], ignore_index=True)


def target_sheets(targets: pd.DataFrame, s: Scenario) -> dict[str, pd.DataFrame]:
    """``target_sheet`` (region x month) and ``target_sheet_lines`` (region x line x month) from
    a plan's ``region, line, week, target`` table; empty when the plan has no targets."""
    if targets.empty:
        return {}
    return {"target_sheet": _pivot(targets, s, ["region"]),
            "target_sheet_lines": _pivot(targets, s, ["region", "line"])}
