"""Targets for a plan from its own forecast: the one target rule (``engine.optimize.targets``)
applied to a pilot simulation run on a stream of its own, so that the chance of hitting the
targets measured in any other simulation is an honest, out-of-sample figure.
"""

from __future__ import annotations

from dataclasses import replace

from engine.optimize.targets import pilot_seed, targets_from_forecast
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, simulate


def forecast_plan(s: Scenario, plan: Plan, mc: MonteCarlo) -> Plan:
    """``plan`` with targets: its own when it has them (the optimiser sets them from its
    pilot), otherwise the rule applied to a pilot forecast of the plan run on the pilot's
    stream (no progress reported)."""
    if not plan.targets.empty:
        return plan
    pilot = simulate(s, plan, replace(mc, seed=pilot_seed(mc.seed_for(s)), progress=None))
    return targets_from_forecast(s, plan, pilot)
