"""The one target rule: the policy's rule applied to the forecast of the company's revenue, then
shared out over regions, product lines and weeks.

Every command sets targets here: ``optimize`` and ``run`` on the optimised plan's pilot forecast,
``simulate`` of a plan without targets on that plan's own forecast, ``recalibrate`` on the
re-plan's forecast of the weeks left. The forecast is a simulation of the plan (a pilot run on a
stream of its own, ``pilot_seed``, so that the chance of hitting the target measured in any other
simulation is out of sample).

- ``percentile``: the company target is the ``percentile``-th percentile of the simulated
  company revenue over the weeks covered: a target set at the 40th percentile is hit in about
  60% of quarters.
- ``stretch``: the company target is ``stretch`` x the mean simulated company revenue.

The optimiser's pilot of a large scenario is short (``engine.optimize.calibrate.pilot_quarters``)
and its forecast is more precise than the pilot's own mean (common random numbers against an
unlimited run). Its targets are then centred on the forecast: the rule's level is the forecast's
revenue plus the percentile of the pilot's quarters about their mean, read from a normal fit when
the pilot has fewer than ``EMPIRICAL_FROM`` quarters (a company's revenue is a sum over many
leads and regions; the empirical percentile of a dozen quarters would miss by ten points of
hit rate).

The company target is shared over region x line x week in proportion to the forecast's mean
revenue there, so the pieces add up to it exactly.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from engine.plan import TARGET_COLUMNS, Plan
from engine.scenario.schema import Scenario
from engine.simulate import SimulationResult


def pilot_seed(seed: int) -> int:
    """A seed for the pilot forecast, derived from the run's root seed but not equal to it."""
    return int(np.random.SeedSequence([seed, 1]).generate_state(1)[0])


EMPIRICAL_FROM = 50
"""Quarters from which a percentile is read from the simulated quarters themselves."""


def company_target(quarter_revenue: np.ndarray, s: Scenario, center: float | None = None
                   ) -> float:
    """The policy's target rule applied to simulated company revenues (money); ``center``: a
    forecast of their mean more precise than their own mean, to centre the rule on.

    >>> from types import SimpleNamespace as N
    >>> s = N(policy=N(target=N(rule="stretch", stretch=1.1, percentile=50)))
    >>> company_target(np.array([90.0, 110.0]), s)
    110.00000000000001
    >>> s = N(policy=N(target=N(rule="percentile", stretch=1.0, percentile=50)))
    >>> company_target(np.array([90.0, 110.0]), s, center=104.0)
    104.0
    """
    rule = s.policy.target
    mean = float(np.mean(quarter_revenue))
    shift = 0.0 if center is None else center - mean
    if rule.rule == "stretch":
        return float(rule.stretch * (mean + shift))
    if quarter_revenue.size >= EMPIRICAL_FROM or quarter_revenue.size < 2:
        return float(np.percentile(quarter_revenue, rule.percentile)) + shift
    z = NormalDist().inv_cdf(rule.percentile / 100)
    return mean + shift + z * float(np.std(quarter_revenue, ddof=1))


def region_line_weekly(sim: SimulationResult, s: Scenario) -> np.ndarray:
    """Simulated revenue per replication x region x line x week (N x R x L x W; money): each
    region's weekly revenue split over lines by that week's product revenue."""
    lines = list(dict.fromkeys(p.line for p in s.products))
    rev = sim.by_region("revenue")
    prod = sim.by_product("revenue")
    onehot = np.zeros((len(s.products), len(lines)))
    onehot[np.arange(len(s.products)), [lines.index(p.line) for p in s.products]] = 1.0
    by_line = np.einsum("npw,pl->nlw", prod, onehot)
    total = by_line.sum(axis=1, keepdims=True)
    share = np.divide(by_line, total, out=np.full_like(by_line, 1 / len(lines)),
                      where=total > 0)
    return rev[:, :, None, :] * share[:, None, :, :]


def rule_targets(sim: SimulationResult, s: Scenario, start: int = 0,
                 center: float | None = None) -> pd.DataFrame:
    """``region, line, week, target`` for the weeks after ``start`` (0: the whole quarter): the
    policy's rule on the company revenue of those weeks in ``sim`` (centred on ``center``, see
    ``company_target``), shared out as the mean revenue falls over region x line x week (rows in
    the scenario's region order, then week, then line)."""
    values = region_line_weekly(sim, s)[..., start:]
    level = company_target(values.sum(axis=(1, 2, 3)), s, center)
    mean = values.mean(axis=0)  # R x L x W
    scale = level / mean.sum() if mean.sum() > 0 else 0.0
    phased = mean * scale
    lines = list(dict.fromkeys(p.line for p in s.products))
    rows = [[r.id, line, start + w + 1, float(phased[i, j, w])]
            for i, r in enumerate(s.regions) for w in range(phased.shape[2])
            for j, line in enumerate(lines)]
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def targets_from_forecast(s: Scenario, plan: Plan, pilot: SimulationResult,
                          center: float | None = None) -> Plan:
    """``plan`` with its targets set by the rule on ``pilot``, a forecast of that plan
    (centred on ``center`` when the pilot is short: see the module's docstring)."""
    ahead = center if center is not None and pilot.replications < EMPIRICAL_FROM else None
    return Plan(plan.scenario, plan.spend, plan.reps, rule_targets(pilot, s, center=ahead),
                plan.source)


def monthly_targets(s: Scenario, targets: pd.DataFrame) -> pd.DataFrame:
    """Targets summed into the horizon's months: ``region, line, month, target``."""
    month = targets.week.map(s.horizon.month_of_week)
    frame = targets.assign(month=month).groupby(["region", "line", "month"], sort=False)
    return frame.target.sum().reset_index()
