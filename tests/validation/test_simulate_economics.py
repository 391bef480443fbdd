"""With unlimited reps and stock and fixed stage durations, the simulated mean revenue and gross
profit equal the plan's expected value computed from ``engine.economics`` (the optimiser's
semantics), region by region and week by week in total."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from engine import build_scenario
from engine import economics as ec
from engine.plan import Plan, even_plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, simulate

pytestmark = pytest.mark.slow


def unconstrained(doc: dict[str, Any]) -> Scenario:
    """``doc`` with unlimited reps, no stock policy and fixed stage durations of the same mean."""
    doc["salesforce"]["unlimited"] = True
    doc["inventory"] = {}
    for stage in doc["funnel"]["stages"]:
        dist = stage["duration"]
        mean = (dist["low"] + dist["high"]) / 2 if dist["dist"] == "uniform" else dist["mean"]
        stage["duration"] = {"dist": "fixed", "mean": float(mean)}
    return build_scenario(doc, "unconstrained")


def expected_value(s: Scenario, plan: Plan) -> tuple[float, float]:
    """Expected revenue and gross profit of the quarter by the economics conventions."""
    revenue = profit = 0.0
    cost = ec.unit_costs(s)
    timing = ec.in_quarter_fraction(s)
    channels = [(c.id, c.response) for c in s.channels] + [(ec.ORGANIC, None)]
    for r in s.regions:
        for cid, response in channels:
            if response is None:
                base = r.organic_leads
            else:
                base = response.leads_per_week(plan.spend_of(r.id, cid), r.potential,
                                               s.horizon.weeks)
            weekly = base * ec.demand_factor(s, r.id, cid) * timing
            wins = weekly * ec.win_probability(s, cid, r.id)
            units = ec.units_per_win(s, cid, r.id)
            disc = ec.promotion_discounts(s, cid)
            price = np.array([ec.revenue_per_unit(s, cid, disc[w]) for w in range(len(wins))])
            revenue += float(wins @ price @ units)
            profit += float(wins @ (price - cost) @ units)
    mix = np.array([p.mix * p.units_per_order for p in s.products])
    price = np.array([p.price for p in s.products])
    revenue += ec.repeat_orders(s) * float(mix @ price)
    profit += ec.repeat_orders(s) * float(mix @ (price - cost))
    return revenue, profit


def test_mean_revenue_matches_economics_on_base(base_doc: dict[str, Any]) -> None:
    s = unconstrained(base_doc)
    plan = even_plan(s)
    result = simulate(s, plan, MonteCarlo(replications=150, seed=3))
    summary = result.summary().set_index("metric")
    revenue, profit = expected_value(s, plan)
    for metric, expected in (("revenue", revenue), ("gross_profit", profit)):
        row = summary.loc[metric]
        assert abs(row["mean"] - expected) < 4 * row["se"], (metric, row["mean"], expected)
        assert row["se"] < 0.005 * expected  # the check is sharp: 4 se < 2% of the value
    assert summary.loc["fill_rate", "mean"] == 1.0
    assert math.isnan(summary.loc["rep_utilisation", "mean"])
