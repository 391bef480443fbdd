"""Each action changes the rest of the quarter only, by the amounts it says."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import build_scenario
from engine.plan import even_plan
from engine.scenario.schema.management import MoveMoney, Overtime, StartPromotion, StopPromotion
from engine.simulate.inputs import SimInputs, build_inputs
from engine.simulate.levers import Book, move, overtime, promote

DOC: dict[str, Any] = {
    "name": "levers",
    "horizon": {"weeks": 13, "months": [4, 4, 5]},
    "budget": {"total": 100_000.0, "reserve_share": 0.2},
    "regions": [{"id": "solo", "kind": "core", "potential": 1.0,
                 "reps": {"telesales": 4, "field": 2}}],
    "products": [{"id": "widget", "line": "core", "price": 100.0, "unit_cost": 60.0,
                  "mix": 1.0}],
    "channels": [{"id": "a", "response": {"kind": "linear", "cost_per_lead": 100.0},
                  "role": "telesales"},
                 {"id": "b", "response": {"kind": "linear", "cost_per_lead": 50.0},
                  "role": "telesales"}],
    "funnel": {"stages": [{"id": "close", "conversion": 0.3, "hours": 1.0,
                           "duration": {"dist": "fixed", "mean": 3.0}}]},
    "pricing": {"elasticity": -2.0,
                "promotions": [{"id": "p", "channel": "a", "weeks": [10, 11], "discount": 0.2}]},
    "management": {"rules": [{"id": "r", "when": [{"metric": "week", "above": 0}],
                              "then": {"do": "expedite"}}]},
}


def _setup() -> tuple[Any, Book, SimInputs]:
    s = build_scenario(DOC, "levers")
    inp = build_inputs(s, even_plan(s))
    assert inp.levers is not None
    return inp.levers, Book.open(inp.levers, inp.lead_rate), inp


def test_moving_money_keeps_the_total_and_moves_leads_from_the_week_on() -> None:
    lv, book, inp = _setup()
    out, target, money = move(lv, book, inp, 5, MoveMoney(do="move_money", from_channel="a",
                                                          to_channel="b", share=0.5))
    assert target == "a->b" and np.isclose(money, 0.5 * 40_000 * 8 / 13)
    assert out.spend == inp.spend
    assert np.array_equal(out.lead_rate[:5], inp.lead_rate[:5])
    leads = (out.lead_rate[5:] - inp.lead_rate[5:]).sum(axis=0) * 7  # over weeks 6-13
    lift = (6 + 2 * 0.8 ** -2.0) / 8  # a's planned promotion lifts weeks 10-11
    assert np.allclose(leads[0, :2], [-money / 100 * lift, money / 50])  # at each one's cost


def test_overtime_speeds_the_role_up_and_costs_its_hours() -> None:
    lv, _, inp = _setup()
    a = Overtime(do="overtime", role="telesales", hours_per_week=7.0, cost_per_hour=30.0, weeks=3)
    out, target, hours, cost = overtime(lv, inp, 4, a)
    assert target == "telesales" and hours == 4 * 7.0 * 3 and cost == hours * 30.0
    assert out.rep_cost == inp.rep_cost + cost
    ratio = out.pools.speed / inp.pools.speed
    assert np.allclose(ratio[:, :4], 1.0) and np.allclose(ratio[:, 7:], 1.0)
    assert np.allclose(ratio[:, 4:7], 1.0 + 7.0 / 35.0)  # 35 hours a week by default


def test_promotions_start_and_stop_on_their_channel_only() -> None:
    lv, book, inp = _setup()
    out, _, _ = promote(lv, book, inp, 3, StartPromotion(do="start_promotion", channel="b",
                                                         discount=0.1, weeks=2))
    assert np.allclose(out.unit_revenue[1, 3:5], 0.9 * inp.unit_revenue[1, 3:5])
    assert np.array_equal(out.unit_revenue[1, 5:], inp.unit_revenue[1, 5:])
    assert np.allclose(out.lead_rate[3:5, 0, 1], inp.lead_rate[3:5, 0, 1] * 0.9 ** -2.0)
    assert np.array_equal(out.lead_rate[:, 0, 0], inp.lead_rate[:, 0, 0])
    stopped, _, _ = promote(lv, book, out, 8, StopPromotion(do="stop_promotion", channel="a"))
    assert np.allclose(stopped.unit_revenue[0, 9:11], inp.unit_revenue[0, 0])  # full price
    assert np.allclose(stopped.lead_rate[9:11, 0, 0], inp.lead_rate[0, 0, 0])  # no lift
    assert np.array_equal(stopped.lead_rate[:8], out.lead_rate[:8])
