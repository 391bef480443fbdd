"""Imported once by the forkserver of the process pool: loads the simulator and runs a tiny
quarter so that every compiled kernel is loaded before workers are forked from it (each worker
then starts in milliseconds instead of a second)."""

from __future__ import annotations

from engine.plan import even_plan
from engine.scenario.loading import build_scenario
from engine.simulate.quarter import simulate_quarter
from engine.simulate.streams import replication_streams

WARM_UP = {
    "name": "warm-up",
    "horizon": {"weeks": 2, "months": [2]},
    "budget": {"total": 0},
    "regions": [{"id": "r", "kind": "core", "potential": 1.0, "reps": {"telesales": 1}}],
    "products": [{"id": "p", "line": "l", "price": 1.0, "unit_cost": 0.5, "mix": 1.0}],
    "channels": [{"id": "c", "response": {"kind": "fixed", "max_leads": 20}}],
    "funnel": {"patience_days": 2, "stages": [{"id": "s", "conversion": 0.5, "hours": 1.0}]},
    "inventory": {"suppliers": [{"id": "x", "lead_time": {"dist": "fixed", "mean": 1}}],
                  "stock": [{"product": "p", "on_hand": 1, "reorder_point": 1,
                             "reorder_qty": 2, "supplier": "x"}]},
    "collections": {"tiers": [{"id": "A", "share": 1.0, "terms_days": 3}]},
}


def warm_up() -> None:
    """Run one replication of a two-week quarter (loads every numba kernel)."""
    scenario = build_scenario(WARM_UP, "warm-up")
    simulate_quarter(scenario, even_plan(scenario), replication_streams(0, 0))


warm_up()
