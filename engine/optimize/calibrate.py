"""The plan model made to agree with the simulated quarter: congestion and the pilot forecast.

The linear model counts a lead's value as if a rep were always free and stock always on the
shelf. ``Correction`` holds what the quarter does to that, per region x source:

1. ``congestion`` — the rep queues of the plan, evaluated analytically
   (``engine.optimize.congestion``): leads gone cold, and deals closing after the quarter's end
   because they waited;
2. ``region`` x ``product`` — what a pilot simulation of the plan shows the analytic queues missed
   (queue shapes the formula approximates, stock-outs, back-orders still open at the quarter's
   end): the pilot's revenue by region and by product over that of the same plan simulated with
   unlimited reps and stock on the same random numbers, matched by factors on the analytic model;
3. ``backup_cost`` — the premium the reorder policy pays the backup suppliers in the pilot.

``corrected_inputs`` scales the model's coefficients by (1) and (2); the objective subtracts (3).
Rep hours are not scaled: the capacity rows keep asking for the hours of every lead offered, so
the model cannot fill reps by counting on leads going cold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from engine.optimize.congestion import Congestion
from engine.optimize.forecast import rep_cost
from engine.optimize.inputs import ModelInputs
from engine.optimize.outcome import lead_rates
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, SimulationResult, simulate

PILOT_LEADS = 10_000_000
"""Leads a pilot run simulates at most: past that, more quarters add little to what the pilot
measures (per-region ratios on common random numbers), and at 200 regions a quarter costs a
fifth of a second."""
PAIRED_LEADS = 2_500_000
"""Leads a paired comparison of two plans (the choice, one more rep) simulates at most."""
MIN_PILOT = 10
"""Fewest quarters a run sized by leads simulates (unless fewer were asked)."""


def quarter_leads(d: ModelInputs, plan: Plan) -> float:
    """Expected leads of a quarter of ``plan``."""
    return float(lead_rates(d, plan).sum()) * d.scenario.horizon.weeks


def pilot_quarters(d: ModelInputs, plan: Plan, asked: int, leads: float = PILOT_LEADS) -> int:
    """Quarters to simulate ``plan`` for: ``asked``, but no more than simulate ``leads`` leads,
    and no fewer than ``MIN_PILOT`` (nor than ``asked`` when that is smaller).

    Base (about 47,000 leads a quarter) keeps its 200 quarters of pilot; the 200-region
    benchmark scenario (about half a million) runs 20."""
    per_quarter = quarter_leads(d, plan)
    by_leads = math.ceil(leads / per_quarter) if per_quarter > 0 else asked
    return max(1, min(asked, max(MIN_PILOT, by_leads)))


@dataclass(frozen=True)
class Correction:
    """What the simulated quarter does to the model's per-lead coefficients (module docstring)."""

    congestion: Congestion
    revenue: np.ndarray
    """(R x P) residual factor on revenue, measured by the pilot (1: none)."""
    units: np.ndarray
    """(R x P) residual factor on the units of new business, measured by the pilot (1: none;
    repeat orders are at list price, so their units follow ``revenue``)."""
    backup_cost: float = 0.0
    """Expected premium paid to backup suppliers (money per quarter)."""
    model_backup: float = 0.0
    """Premium the model's own backup purchases cost at the measured plan (money); the
    objective's constant is ``backup_cost - model_backup`` so that it is not paid twice."""
    management_cost: float = 0.0
    """What the scenario's management rules spend in the pilot beyond the plan (money released
    from the reserve, overtime; money per quarter)."""

    @classmethod
    def none(cls, d: ModelInputs) -> Correction:
        """No correction: the congestion-free model."""
        ones = np.ones((len(d.regions), len(d.products)))
        return cls(Congestion.none(d), ones, ones)

    def with_congestion(self, congestion: Congestion) -> Correction:
        """This correction with the queues of another plan."""
        return replace(self, congestion=congestion)


def corrected_inputs(d: ModelInputs, c: Correction) -> ModelInputs:
    """``d`` with its per-lead coefficients scaled by what the quarter lets through."""
    f = c.congestion.served
    return replace(
        d,
        wins=d.wins * f,
        units=d.units * f[:, :, None] * c.units[:, None, :],
        revenue=d.revenue * f[:, :, None] * c.revenue[:, None, :],
        intent=d.intent * c.congestion.intent,
        repeat_units=d.repeat_units * c.revenue,
        premium=c.backup_cost - c.model_backup,
    )


def ideal_scenario(s: Scenario) -> Scenario:
    """``s`` with unlimited reps and stock and no management rules: the quarter the uncorrected
    model describes."""
    return s.model_copy(update={
        "salesforce": s.salesforce.model_copy(update={"unlimited": True}),
        "inventory": s.inventory.model_copy(update={"stock": []}),
        "management": None,
    })


def sales_by_region_product(d: ModelInputs, plan: Plan) -> tuple[np.ndarray, np.ndarray]:
    """(R x P) expected revenue and units of ``plan`` under ``d`` (exact response curves)."""
    rates = lead_rates(d, plan)
    return (np.einsum("rs,rsp->rp", rates, d.revenue) + d.repeat_revenue,
            np.einsum("rs,rsp->rp", rates, d.units) + d.repeat_units)


def fit_margins(seed: np.ndarray, rows: np.ndarray, cols: np.ndarray, rounds: int = 50
                ) -> tuple[np.ndarray, np.ndarray]:
    """Factors ``g`` (rows) and ``h`` (columns) such that ``seed * g[:, None] * h[None, :]`` has
    row sums ``rows`` and column sums ``cols`` (iterative proportional fitting; ``cols`` is
    rescaled to the total of ``rows``).

    >>> g, h = fit_margins(np.ones((2, 2)), np.array([1.0, 3.0]), np.array([2.0, 2.0]))
    >>> np.round(np.outer(g, h), 6).tolist()
    [[0.5, 0.5], [1.5, 1.5]]
    """
    g, h = np.ones(seed.shape[0]), np.ones(seed.shape[1])
    if seed.sum() <= 0 or cols.sum() <= 0:
        return g, h
    cols = cols * rows.sum() / cols.sum()
    for _ in range(rounds):
        got = (seed * h[None, :]).sum(axis=1)
        g = np.divide(rows, got, out=np.ones_like(g), where=got > 0)
        got = (seed * g[:, None]).sum(axis=0)
        h = np.divide(cols, got, out=np.ones_like(h), where=got > 0)
    return g, h


@dataclass(frozen=True)
class Measurement:
    """A pilot simulation of a plan and what it says the model missed."""

    correction: Correction
    pilot: SimulationResult


def _kept(pilot: SimulationResult, ideal: SimulationResult, metric: str) -> tuple[np.ndarray,
                                                                                 np.ndarray]:
    """Share of ``metric`` the pilot keeps of the ideal run's, by region and by product (ratios
    of means over the same random numbers)."""
    out = []
    for name in ("by_region", "by_product"):
        got = getattr(pilot, name)(metric).sum(axis=2).mean(axis=0)
        free = getattr(ideal, name)(metric).sum(axis=2).mean(axis=0)
        out.append(np.divide(got, free, out=np.ones_like(got), where=free > 0))
    return out[0], out[1]


def _residual(plain: np.ndarray, queued: np.ndarray, kept: tuple[np.ndarray, np.ndarray],
              fixed: np.ndarray | None = None) -> np.ndarray:
    """(R x P) factors on ``queued`` that give it, plus ``fixed``, ``plain``'s margins times
    ``kept``."""
    rest = np.zeros_like(plain) if fixed is None else fixed
    rows = np.maximum(plain.sum(axis=1) * kept[0] - rest.sum(axis=1), 0.0)
    cols = np.maximum(plain.sum(axis=0) * kept[1] - rest.sum(axis=0), 0.0)
    g, h = fit_margins(queued, rows, cols)
    return np.outer(g, h)


def measure(d: ModelInputs, congestion: Congestion, plan: Plan, mc: MonteCarlo,
            model_backup: float = 0.0, pilot: SimulationResult | None = None) -> Measurement:
    """Simulate ``plan`` (the pilot; ``pilot`` when it was already simulated on ``mc``) and the
    same plan with unlimited reps and stock on the same random numbers. What the quarter keeps
    of each region's and each product's revenue and units is their ratio (common random numbers
    make it precise); the residual factors make the analytic model keep the same, region by
    region and product by product."""
    s = d.scenario
    if pilot is None:
        pilot = simulate(s, plan, mc)
    ideal = simulate(ideal_scenario(s), plan, replace(mc, progress=None))
    none = Correction.none(d)
    plain = sales_by_region_product(d, plan)
    queued = sales_by_region_product(corrected_inputs(d, replace(none, congestion=congestion)),
                                     plan)
    revenue = _residual(plain[0], queued[0], _kept(pilot, ideal, "revenue"))
    repeat = d.repeat_units * revenue
    units = _residual(plain[1], queued[1] - d.repeat_units, _kept(pilot, ideal, "units"), repeat)
    backup = _mean(pilot, "backup_cost")
    costs = _mean(pilot, "gross_profit") - _mean(pilot, "net_contribution")
    managed = costs - backup - plan.total_spend - rep_cost(d, plan)
    return Measurement(Correction(congestion, revenue, units, backup, model_backup,
                                  max(0.0, managed)), pilot)


def _mean(sim: SimulationResult, metric: str) -> float:
    return float(sim.kpis.loc[sim.kpis.metric == metric, "value"].mean())
