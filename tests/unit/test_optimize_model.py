"""The optimiser on a quarter small enough to solve by hand, and its building blocks.

The hand quarter: one region, one channel with a linear response (¥10 buys one lead), one
product (price 100, cost 40), one funnel stage converting half the leads in no time and taking
one telesales hour per lead; one telesales rep on hand (10 h/week, 130 h/quarter, ¥500), at most
one hire (productive at once, ¥500). A lead earns 0.5 x (100 - 40) = ¥30 of gross profit.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import highspy
import numpy as np
import pulp
import pytest

from engine import build_scenario, load_scenario
from engine.economics import in_quarter_fraction
from engine.optimize import OptimizeOptions, SolveStatus, build_inputs, build_model, optimize, solve
from engine.optimize.cbc import map_pulp_status
from engine.optimize.highs import map_status
from engine.optimize.inputs import close_share
from engine.optimize.response import pieces, tangent_pieces
from engine.scenario.schema import ResponseCurve, TargetRule
from tests.conftest import SCENARIOS

ROLE = {"hours_per_week": 10, "cost": 500}
HAND: dict[str, Any] = {
    "name": "hand",
    "budget": {"total": 2000.0, "reserve_share": 0.0},
    "regions": [
        {
            "id": "r1",
            "kind": "core",
            "potential": 1.0,
            "reps": {"telesales": 1},
            "max_hires": {"telesales": 1},
        }
    ],
    "products": [{"id": "p1", "line": "l1", "price": 100.0, "unit_cost": 40.0, "mix": 1.0}],
    "channels": [{"id": "c1", "response": {"kind": "linear", "cost_per_lead": 10.0}}],
    "funnel": {
        "stages": [
            {
                "id": "close",
                "conversion": 0.5,
                "hours": 1.0,
                "role": "telesales",
                "duration": {"dist": "fixed", "mean": 0.0},
            }
        ]
    },
    "salesforce": {
        "roles": {"field": ROLE, "telesales": ROLE, "support": ROLE},
        "ramp": {"weeks": 0, "start": 1.0},
    },
}


def hand(**changes: Any) -> Any:
    """The hand quarter with top-level sections replaced or (for dicts) updated."""
    doc = copy.deepcopy(HAND)
    for key, value in changes.items():
        doc[key] = {**doc[key], **value} if isinstance(doc.get(key), dict) else value
    return build_scenario(doc, "hand.yaml")


MODEL = OptimizeOptions(congestion=False, pilot=0)
"""The plan model alone (no queue loop, no pilot): its objective is checked by hand."""


def value(result: Any, constraint: str) -> float:
    rows = result.shadow_prices[result.shadow_prices.constraint == constraint]
    return float(rows.value.iloc[0])


def test_hand_quarter_hires_one_rep_and_spends_the_budget() -> None:
    # 200 leads need 200 h > 130 h: hiring (¥500) to work them beats 130 leads.
    # 200 x 30 - 2000 spend - 500 hire - 500 rep on hand = 3000.
    result = optimize(hand(), MODEL)
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(3000.0, abs=1e-6)
    assert result.plan.total_spend == pytest.approx(2000.0, abs=1e-6)
    assert int(result.plan.reps.set_index("role").loc["telesales", "added"]) == 1
    # one more ¥ buys 0.1 lead worth ¥3, less the ¥1 itself
    assert value(result, "budget") == pytest.approx(2.0, abs=1e-9)


def test_hand_quarter_without_hires_is_capped_by_rep_hours() -> None:
    # 130 h work 130 leads: 130 x 30 - 1300 - 500 = 2100; an hour is worth 30 - 10 = ¥20.
    result = optimize(hand(regions=[{**HAND["regions"][0], "max_hires": None}]), MODEL)
    assert result.objective == pytest.approx(2100.0, abs=1e-6)
    assert result.plan.total_spend == pytest.approx(1300.0, abs=1e-6)
    assert value(result, "budget") == pytest.approx(0.0, abs=1e-9)
    # priced per hour: a whole rep's worth is re-solved (engine.optimize.worth)
    assert value(result, "rep_capacity[r1,telesales]") == pytest.approx(20.0, rel=1e-9)
    assert "rep_capacity[r1,telesales]" in set(result.binding.constraint)


def test_whole_hires_versus_the_lp_relaxation() -> None:
    # Budget 1500: 150 leads need 20 h more. A whole hire costs 500 and earns 20 x 20 = 400,
    # so the MILP keeps 130 leads (2100); the LP hires 20/130 of a rep (cost 76.92) and
    # works all 150: 150 x 30 - 1500 - 500 - 500 x 20 / 130.
    lean = hand(budget={"total": 1500.0})
    assert optimize(lean, MODEL).objective == pytest.approx(2100.0, abs=1e-6)
    relaxed = optimize(lean, OptimizeOptions(relax_reps=True, congestion=False, pilot=0))
    assert relaxed.objective == pytest.approx(4500 - 1500 - 500 - 500 * 20 / 130, abs=1e-6)
    added = relaxed.plan.reps.set_index("role").loc["telesales", "added"]
    assert float(added) == pytest.approx(20 / 130, abs=1e-9)


def test_revenue_objective_ignores_costs() -> None:
    result = optimize(hand(policy={"objective": "revenue"}), MODEL)
    assert result.objective == pytest.approx(200 * 0.5 * 100, abs=1e-6)


def test_a_margin_floor_above_the_channel_margin_stops_its_spend() -> None:
    # At 70% of list price the margin is 30/70 = 43% < 50%: no lead may come from c1.
    channel = {**HAND["channels"][0], "price_realisation": 0.7}
    floor = {"margin_floor": {"channels": {"c1": 0.5}}}
    result = optimize(hand(channels=[channel], policy=floor), MODEL)
    assert result.plan.total_spend == pytest.approx(0.0, abs=1e-6)
    assert result.objective == pytest.approx(-500.0, abs=1e-6)


def test_rows_have_predictable_business_names() -> None:
    m = build_model(build_inputs(load_scenario(SCENARIOS / "base.yaml")))
    names = {r.name for r in m.rows}
    for name in (
        "budget",
        "rep_capacity[shanghai,field]",
        "margin_floor[distributor]",
        "product_margin_floor[aurora_pro]",
        "new_product_share",
        "pilot_intent[xian]",
        "supply[aurora_pro]",
        "channel_min[offline]",
        "channel_max[livestream]",
        "headcount_cap",
        "hiring_limit",
    ):
        assert name in names
    assert all(r.meaning for r in m.rows if r.family not in ("spend_pieces", "lead_response"))


def test_set_budget_resolves_the_same_model_like_a_fresh_build() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    opts = OptimizeOptions(relax_reps=True)
    d = build_inputs(s, opts)
    m = build_model(d)
    solve(m, opts)
    session = m.session
    for budget in (2.0e6, 3.5e6):
        m.set_budget(budget)
        again = solve(m, opts)
        fresh = build_model(d)
        fresh.set_budget(budget)
        assert m.session is session
        assert again.objective == pytest.approx(solve(fresh, opts).objective, rel=1e-9)
        assert again.x[fresh.index["spend"]].sum() <= budget * (1 + 1e-9)


def test_locked_spend_is_kept() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    lock = {("xian", "distributor"): 55_000.0}
    result = optimize(s, OptimizeOptions(locked_spend=lock, pilot=0))
    assert result.plan.spend_of("xian", "distributor") == pytest.approx(55_000.0, abs=1e-6)
    assert result.max_residual <= 1e-6


@pytest.mark.parametrize("kind", ["hill", "exponential"])
def test_pieces_are_chords_below_the_curve_and_tangents_above(kind: str) -> None:
    curve = ResponseCurve(kind=kind, max_leads=100.0, half_saturation=5e4, shape=0.85)
    chords = pieces(curve, 1.5, 13, 2e6, 24, useful=3e5)
    outer = tangent_pieces(chords, curve, 1.5)
    assert chords.breaks[0] == 0 and chords.breaks[-1] == pytest.approx(2e6)
    assert np.all(np.diff(chords.slopes) <= 1e-12)
    exact = [curve.leads_per_week(s, 1.5, 13) for s in chords.breaks]
    np.testing.assert_allclose(chords.leads, exact, rtol=1e-12)
    grid = np.linspace(0.0, 2e6, 5001)
    true = np.array([curve.leads_per_week(s, 1.5, 13) for s in grid])
    assert np.all(np.interp(grid, chords.breaks, chords.leads) <= true + 1e-9)
    assert np.all(np.interp(grid, outer.breaks, outer.leads) >= true - 1e-9)


def test_close_share_rows_add_up_to_the_in_quarter_fraction() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    d = build_inputs(s)
    np.testing.assert_allclose(d.close_share.sum(axis=1), in_quarter_fraction(s), atol=1e-12)
    assert close_share(4, 7.0)[0].tolist() == [0.0, 1.0, 0.0, 0.0]


def test_highs_statuses_map_onto_ours() -> None:
    ms = highspy.HighsModelStatus
    assert map_status(ms.kOptimal, 2) is SolveStatus.OPTIMAL
    assert map_status(ms.kInfeasible, 0) is SolveStatus.INFEASIBLE
    assert map_status(ms.kUnbounded, 0) is SolveStatus.UNBOUNDED
    assert map_status(ms.kTimeLimit, 2) is SolveStatus.FEASIBLE
    assert map_status(ms.kTimeLimit, 0) is SolveStatus.TIME_LIMIT
    assert map_status(ms.kSolveError, 0) is SolveStatus.ERROR
    assert map_status(ms.kNotset, 0) is SolveStatus.ERROR


def test_pulp_statuses_map_onto_ours() -> None:
    assert map_pulp_status(1, 1, False) is SolveStatus.OPTIMAL
    assert map_pulp_status(1, 2, True) is SolveStatus.FEASIBLE
    assert map_pulp_status(-1, -1, False) is SolveStatus.INFEASIBLE
    assert map_pulp_status(-2, -2, False) is SolveStatus.UNBOUNDED
    assert map_pulp_status(0, 0, True) is SolveStatus.TIME_LIMIT
    assert map_pulp_status(-3, 0, False) is SolveStatus.ERROR
    assert pulp.LpStatusOptimal == 1


def test_check_plan_sees_a_plan_that_overspends() -> None:
    from engine.optimize import check_plan
    from engine.plan import Plan

    s = hand()
    result = optimize(s, MODEL)
    spend = result.plan.spend.assign(spend=result.plan.spend.spend * 1.5)
    bad = Plan(s.name, spend, result.plan.reps)
    residuals = check_plan(s, bad, response="exact").set_index("constraint").residual
    assert residuals["budget"] == pytest.approx((3000 - 2000) / 3000)
    assert residuals["rep_capacity[r1,telesales]"] > 0


@pytest.mark.parametrize("percentile", [50.0, 90.0])
def test_percentile_targets_are_that_percentile_of_the_forecast(percentile: float) -> None:
    # tiny: 180 won orders of one unit at 100 in the quarter, each an independent event, so
    # company revenue ~ Normal(18000, 180 x 100**2); the pilot's percentile estimates its
    # quantile within the sampling error of a 400-quarter sample quantile.
    from statistics import NormalDist

    s = load_scenario(SCENARIOS / "tiny.yaml")
    rule = TargetRule(rule="percentile", percentile=percentile)
    s = s.model_copy(update={"policy": s.policy.model_copy(update={"target": rule})})
    targets = optimize(s).plan.targets
    q = percentile / 100
    sd = math.sqrt(180 * 100**2)
    quantile = 18000 + NormalDist().inv_cdf(q) * sd
    se = math.sqrt(q * (1 - q) / 400) / NormalDist().pdf(NormalDist().inv_cdf(q)) * sd
    assert abs(targets.target.sum() - quantile) < 4 * se
    # the first week gets nothing: a deal takes 7 days, so nothing closes in week 1
    by_week = targets.groupby("week").target.sum()
    assert by_week[1] == pytest.approx(0.0, abs=1e-9)
    assert by_week[13] > 0


def test_a_solve_stopped_at_its_first_plan_is_feasible_with_its_gap() -> None:
    from engine.optimize import result_of
    from engine.optimize.highs import HighsSession

    s = load_scenario(SCENARIOS / "base.yaml")
    m = build_model(build_inputs(s))
    m.session = HighsSession(m)
    m.session.highs.setOptionValue("mip_max_improving_sols", 1)
    opts = OptimizeOptions(mip_gap=1e-9)
    sol = solve(m, opts)
    assert sol.status is SolveStatus.FEASIBLE
    assert sol.gap > 1e-9
    result = result_of(m, sol, opts)
    assert result.max_residual <= 1e-6
    best = optimize(s, OptimizeOptions(mip_gap=1e-9, congestion=False, pilot=0))
    assert result.objective <= best.objective + 1e-6


def test_a_rep_verdict_reads_the_whole_interval() -> None:
    from engine.optimize.worth import rep_verdict

    assert rep_verdict(10.0, 5.0) == "pays"
    assert rep_verdict(-10.0, 5.0) == "does not pay"
    assert rep_verdict(3.0, 5.0) == rep_verdict(-3.0, 5.0) == "not clear either way"
    assert rep_verdict(5.0, 5.0) == "not clear either way"  # touching zero is not surely
    assert rep_verdict(3.0, float("nan")) == ""  # a re-read of the model: no interval
