"""Targets set from the simulated forecast rather than from the plan's expected values.

The optimiser plans on expected values and ignores queueing for reps, stock-outs and the
spread of the quarter; the Monte Carlo sees all three. ``targets_from_forecast`` applies the
policy's target rule to a pilot simulation's quarter revenue (a percentile of it, or its mean
times the stretch factor), shares the company target over regions and weeks as the pilot's mean
revenue falls, and over product lines as the plan's own targets split each region-week.
The pilot runs on its own stream (``pilot_seed``), so the probability of hitting the target
measured in the main simulation is an honest, out-of-sample figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.plan import TARGET_COLUMNS, Plan
from engine.scenario.schema import Scenario
from engine.simulate import SimulationResult


def pilot_seed(seed: int) -> int:
    """A seed for the pilot forecast, derived from the run's root seed but not equal to it."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])


def company_target(quarter_revenue: np.ndarray, s: Scenario) -> float:
    """The policy's target rule applied to simulated quarter revenues (money)."""
    rule = s.policy.target
    if rule.rule == "percentile":
        return float(np.percentile(quarter_revenue, rule.percentile))
    return float(rule.stretch * np.mean(quarter_revenue))


def _line_shares(s: Scenario, plan: Plan) -> pd.DataFrame:
    """``region, week, line, share``: how the plan's targets split a region-week over lines
    (evenly by product mix when the plan has none)."""
    if not plan.targets.empty:
        t = plan.targets.copy()
        total = t.groupby(["region", "week"]).target.transform("sum")
        t["share"] = np.where(total > 0, t.target / total.where(total > 0, 1.0), 0.0)
        return t[["region", "week", "line", "share"]]
    mix = pd.DataFrame(
        {
            "line": [p.line for p in s.products],
            "share": [p.mix * p.price * p.units_per_order for p in s.products],
        }
    )
    mix = mix.groupby("line", as_index=False).agg(share=("share", "sum"))
    mix["share"] /= mix.share.sum()
    grid = pd.MultiIndex.from_product(
        [[r.id for r in s.regions], range(1, s.horizon.weeks + 1)], names=["region", "week"]
    ).to_frame(index=False)
    return grid.merge(mix, how="cross")


def targets_from_forecast(s: Scenario, plan: Plan, pilot: SimulationResult) -> Plan:
    """``plan`` with its targets replaced by the policy's rule on the pilot's forecast."""
    revenue = pilot.by_region("revenue")
    level = company_target(revenue.sum(axis=(1, 2)), s)
    mean = revenue.mean(axis=0)  # regions x weeks
    scale = level / mean.sum() if mean.sum() > 0 else 0.0
    regions = list(pilot.inputs.regions)
    weekly = pd.DataFrame(
        [
            (r, w + 1, float(mean[i, w] * scale))
            for i, r in enumerate(regions)
            for w in range(mean.shape[1])
        ],
        columns=["region", "week", "region_target"],
    )
    merged = weekly.merge(_line_shares(s, plan), on=["region", "week"], how="left")
    merged["target"] = merged.region_target * merged.share.fillna(0.0)
    targets = merged[TARGET_COLUMNS].sort_values(["region", "week", "line"], ignore_index=True)
    return Plan(plan.scenario, plan.spend, plan.reps, targets, plan.source)
