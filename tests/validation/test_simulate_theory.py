"""The simulator against theory: Poisson wins, Little's law, Erlang C, (r, Q) and Erlang B stock,
promotion lift by elasticity, DSO by tier mix.

Scenarios are degenerate one-lane quarters built here (``lane``). Tolerances are 4 standard
errors of the quantity compared, estimated across replications (so correlation inside a
replication is accounted for).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from scipy import stats
from stockpyl.rq import r_q_cost_poisson

from engine import build_scenario
from engine.plan import even_plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, SimulationResult, simulate
from engine.simulate.columns import FUNNEL_WEEKLY

pytestmark = pytest.mark.slow
Z = 4.0


def lane(weeks: int = 13, rate: float = 50.0, **parts: Any) -> Scenario:
    """One region, one channel with a fixed lead rate (leads/week), one product, one fixed
    7-day stage converting 0.3, unlimited reps, unlimited stock; ``parts`` replace sections."""
    months = [weeks] if weeks % 4 else [weeks // 4] * 4
    doc: dict[str, Any] = {
        "name": "lane",
        "horizon": {"weeks": weeks, "months": months},
        "budget": {"total": 0, "reserve_share": 0.0},
        "regions": [{"id": "solo", "kind": "core", "potential": 1.0}],
        "products": [{"id": "widget", "line": "core", "price": 100, "unit_cost": 60, "mix": 1.0}],
        "channels": [{"id": "direct", "response": {"kind": "fixed", "max_leads": rate}}],
        "funnel": {"stages": [{"id": "close", "conversion": 0.3,
                               "duration": {"dist": "fixed", "mean": 7}}]},
        "salesforce": {"unlimited": True},
    }
    doc.update(parts)
    return build_scenario(doc, "lane")


def run(s: Scenario, n: int, seed: int = 11) -> SimulationResult:
    return simulate(s, even_plan(s), MonteCarlo(replications=n, seed=seed))


def kpi(result: SimulationResult, metric: str) -> np.ndarray:
    k = result.kpis
    return k[k.metric == metric].value.to_numpy()


def within(values: np.ndarray, expected: float) -> None:
    """The mean of ``values`` is within Z standard errors of ``expected``."""
    se = values.std(ddof=1) / math.sqrt(values.size)
    assert abs(values.mean() - expected) < Z * se, (values.mean(), expected, se)


def ratio_within(num: np.ndarray, den: np.ndarray, expected: float) -> None:
    """sum(num) / sum(den) is within Z standard errors of ``expected``: per replication
    ``num - expected * den`` has mean 0 (the linearised ratio, free of the ratio's bias)."""
    within(num - expected * den, 0.0)


def funnel_sums(result: SimulationResult, metric: str, weeks: slice) -> np.ndarray:
    """Per replication: ``metric`` summed over stage-0 entries of ``weeks``."""
    return result.funnel_weekly[:, 0, weeks, FUNNEL_WEEKLY.index(metric)].sum(axis=1)


def test_wins_are_poisson_with_fixed_delays() -> None:
    stages = [
        {"id": "meet", "conversion": 0.5, "duration": {"dist": "fixed", "mean": 3}},
        {"id": "close", "conversion": 0.6, "duration": {"dist": "fixed", "mean": 4}},
    ]
    result = run(lane(funnel={"stages": stages}), 1000)
    wins = kpi(result, "wins")
    mean = 50 / 7 * 0.5 * 0.6 * (91 - 3 - 4)
    within(wins, mean)
    # sample variance of n Poisson draws: sd ~ sqrt((mu + 2 mu^2) / n)
    assert abs(wins.var(ddof=1) - mean) < Z * math.sqrt((mean + 2 * mean**2) / wins.size)


def test_littles_law_in_a_queued_stage() -> None:
    stage = {"id": "work", "conversion": 1.0, "hours": 24.0, "role": "channel",
             "duration": {"dist": "exponential", "mean": 2.0}}
    s = lane(26, rate=21.0, funnel={"stages": [stage]},
             regions=[{"id": "solo", "kind": "core", "potential": 1.0,
                       "reps": {"telesales": 5}}],
             salesforce={"roles": {"telesales": {"hours_per_week": 168}}})
    result = run(s, 150)
    window = slice(4, 24)
    fw = result.funnel_weekly[:, 0, window, :]
    col = {m: i for i, m in enumerate(FUNNEL_WEEKLY)}
    wip = fw[..., col["wip"]].mean(axis=1)
    arrivals = fw[..., col["entered"]].sum(axis=1) / (7.0 * 20)
    sojourn = fw[..., col["sojourn_days"]].sum(axis=1) / fw[..., col["entered"]].sum(axis=1)
    within(wip - arrivals * sojourn, 0.0)
    assert wip.mean() > 6.0  # 3 leads/day x >2 days: the queue is really used


def erlang_c(c: int, a: float) -> float:
    """Probability of waiting in M/M/c with offered load ``a`` (independent formula)."""
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def test_one_stage_exponential_work_reproduces_erlang_c() -> None:
    c, lam, mean = 3, 2.0, 1.0  # leads/day, days of work
    stage = {"id": "serve", "conversion": 1.0, "hours": 24.0 * mean, "role": "channel",
             "duration": {"dist": "exponential", "mean": mean}}
    s = lane(40, rate=7 * lam, funnel={"stages": [stage]},
             regions=[{"id": "solo", "kind": "core", "potential": 1.0, "reps": {"telesales": c}}],
             salesforce={"roles": {"telesales": {"hours_per_week": 168}}})
    result = run(s, 150)
    window = slice(4, 38)  # after a 4-week warm-up from an empty queue
    p_wait = erlang_c(c, lam * mean)
    started = funnel_sums(result, "started", window)
    ratio_within(funnel_sums(result, "waited", window), started, p_wait)
    ratio_within(funnel_sums(result, "wait_days", window), started, p_wait / (c / mean - lam))


def stocked(shortage: str, r: int, q: int, lead: float, on_hand: float) -> dict[str, Any]:
    return {
        "shortage": shortage,
        "suppliers": [{"id": "maker", "lead_time": {"dist": "fixed", "mean": lead}}],
        "stock": [{"product": "widget", "on_hand": on_hand, "reorder_point": r,
                   "reorder_qty": q, "supplier": "maker"}],
    }


def instant_sale(rate_per_day: float, weeks: int, inventory: dict[str, Any]) -> Scenario:
    """Every lead buys one unit at once: Poisson unit demand of ``rate_per_day``."""
    stage = {"id": "buy", "conversion": 1.0, "duration": {"dist": "fixed", "mean": 0}}
    return lane(weeks, rate=7 * rate_per_day, funnel={"stages": [stage]}, inventory=inventory)


def stock_window(result: SimulationResult, metric: str, weeks: slice) -> np.ndarray:
    from engine.simulate.columns import product_metrics

    return result.product_weekly[:, 0, weeks, product_metrics().index(metric)].sum(axis=1)


def test_rq_policy_with_backorders_matches_stockpyl() -> None:
    lam, lead, r, q = 2.0, 5.0, 8, 10
    result = run(instant_sale(lam, 40, stocked("backorder", r, q, lead, r + q)), 120)
    weeks = slice(8, 40)
    days = 7.0 * 32
    on_hand = stock_window(result, "stock_days", weeks) / days
    backorders = stock_window(result, "backordered_days", weeks) / days
    demand = stock_window(result, "demand", weeks)

    def cost(h: float, p: float) -> float:
        return float(r_q_cost_poisson(r, q, h, p, 1.0, lam, lead))

    within(on_hand, cost(2, 1) - cost(1, 1))
    within(backorders, cost(1, 2) - cost(1, 1))
    # fill rate: P(net inventory >= 1) with inventory position uniform on r+1..r+Q
    exact = np.mean([stats.poisson.cdf(y - 1, lam * lead) for y in range(r + 1, r + q + 1)])
    ratio_within(stock_window(result, "filled", weeks), demand, exact)


def test_lost_sales_one_for_one_is_erlang_b() -> None:
    lam, lead, units = 2.0, 3.0, 6
    result = run(instant_sale(lam, 30, stocked("lost", units - 1, 1, lead, units)), 120)
    weeks = slice(2, 30)
    a = lam * lead
    erlang_b = a**units / math.factorial(units) / sum(a**k / math.factorial(k)
                                                        for k in range(units + 1))
    ratio_within(stock_window(result, "lost", weeks), stock_window(result, "demand", weeks),
                 erlang_b)


def test_promotion_lifts_leads_by_the_elasticity() -> None:
    pricing = {"elasticity": -1.5, "promotions": [
        {"id": "sale", "channel": "direct", "weeks": [5, 6], "discount": 0.2}]}
    result = run(lane(pricing=pricing), 300)
    leads = result.totals("leads")
    within(leads[:, 4:6].mean(axis=1), 50 * 0.8**-1.5)
    within(leads[:, :4].mean(axis=1), 50.0)
    revenue = result.totals("revenue")[:, 5:7].sum(1) / result.totals("units")[:, 5:7].sum(1)
    assert np.allclose(revenue, 80.0)  # deals of promotion leads close 7 days later at 80


def test_dso_matches_the_tier_mix_when_nobody_is_late() -> None:
    tiers = [{"id": "A", "share": 0.6, "terms_days": 30}, {"id": "B", "share": 0.4,
                                                           "terms_days": 60}]
    stage = {"id": "buy", "conversion": 1.0, "duration": {"dist": "fixed", "mean": 0}}
    s = lane(rate=700.0, funnel={"stages": [stage]}, collections={"tiers": tiers})
    result = run(s, 60)
    within(kpi(result, "dso"), 0.6 * 30 + 0.4 * 60)
    assert np.all(kpi(result, "overdue_share") == 0.0)
