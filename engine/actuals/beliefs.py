"""Updating the scenario's beliefs with actuals: conjugate Bayes, the scenario as the prior.

- **Stage conversions** (beta-binomial): the prior on a stage's base conversion ``p`` is
  ``Beta(n0 p0, n0 (1 - p0))``, ``n0`` = ``prior_strength`` pseudo-leads; the evidence is the
  leads that moved on out of those that resolved in the stage, the resolved leads counted at
  the channel's and segments' lift (``evidence.conversion_counts``; exact when the lift is 1).
  Pooled over regions and channels it is written back to ``funnel.stages[k].conversion``; per
  region it is reported only (the scenario has no regional conversion).
- **Lead rates** (gamma-Poisson): each source's leads are ``Poisson(lam * E)`` with ``E`` the
  leads the response curve promises for the spend actually made; the multiplier ``lam`` has the
  prior ``Gamma(n0, n0)`` (mean 1, ``n0`` pseudo-leads). Pooled over regions per channel it
  scales the channel's ``response.max_leads`` (``cost_per_lead`` is divided for a linear
  curve); per region it scales ``organic_leads``; per region x channel it is reported only.
- **Repurchase** (beta-binomial): the pooled probability that an existing or dormant customer
  orders in the quarter, from the repeat orders over the customers exposed for the share of the
  quarter covered; its ratio to the prior scales every repeat segment's rate.

Every belief carries an equal-tailed credible interval (``level``) and how far it moved, in
its own units and in prior standard deviations. Nothing is mutated: ``update_beliefs`` returns
a new ``Scenario`` made with ``model_copy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from engine import economics as ec
from engine.actuals.evidence import (
    conversion_counts,
    lead_counts,
    repeat_counts,
    repeat_customers,
)
from engine.actuals.format import REPEAT
from engine.actuals.table import Actuals
from engine.scenario.schema import CompetitorShock, Scenario

BELIEF_COLUMNS = [
    "parameter", "scope", "family", "prior", "posterior", "low", "high",
    "observed", "exposure", "moved", "moved_sd", "applied",
]


@dataclass(frozen=True)
class BeliefOptions:
    """How strongly the scenario is believed.

    Attributes
    ----------
    prior_strength:
        Pseudo-observations behind the scenario's values: pseudo-leads for a stage conversion
        and for a lead-rate multiplier, pseudo-customers for the repurchase rate.
    level:
        Probability inside each credible interval.
    """

    prior_strength: float = 100.0
    level: float = 0.90


@dataclass(frozen=True)
class Beliefs:
    """Updated beliefs: one row per parameter and scope, and the scenario they imply.

    ``table`` has ``BELIEF_COLUMNS``: the parameter's path in the scenario, its scope (``all``,
    a region, ``region/channel``), ``beta`` or ``gamma``, prior and posterior means, the
    credible interval, the evidence (``observed`` out of ``exposure``), ``moved`` (posterior -
    prior, in the parameter's unit), ``moved_sd`` (in prior standard deviations) and whether it
    was written into ``scenario``.
    """

    table: pd.DataFrame
    scenario: Scenario
    options: BeliefOptions

    def to_frame(self) -> pd.DataFrame:
        """The beliefs table."""
        return self.table

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"prior_strength": self.options.prior_strength, "level": self.options.level,
                "beliefs": self.table.to_dict(orient="records")}


def _beta_row(name: str, scope: str, p0: float, moved_on: float, exposure: float,
              o: BeliefOptions, applied: bool) -> list[Any]:
    p0 = min(max(p0, 1e-6), 1 - 1e-6)
    a0, b0 = o.prior_strength * p0, o.prior_strength * (1 - p0)
    a, b = a0 + moved_on, max(b0 + exposure - moved_on, 1e-6)
    tail = (1 - o.level) / 2
    low, high = stats.beta.ppf([tail, 1 - tail], a, b)
    post, sd0 = a / (a + b), float(stats.beta.std(a0, b0))
    return [name, scope, "beta", p0, post, low, high, moved_on, exposure, post - p0,
            (post - p0) / sd0, applied]


def _gamma_row(name: str, scope: str, value: float, leads: float, expected: float,
               o: BeliefOptions, applied: bool, inverse: bool = False) -> list[Any]:
    """A lead-rate multiplier's posterior, reported as ``value`` times the multiplier (or
    divided by it, for a cost per lead)."""
    a, b = o.prior_strength + leads, o.prior_strength + expected
    tail = (1 - o.level) / 2
    lam_low, lam_high = stats.gamma.ppf([tail, 1 - tail], a, scale=1 / b)
    lam = a / b
    sd0 = 1 / np.sqrt(o.prior_strength)
    if inverse:
        post, low, high = value / lam, value / lam_high, value / lam_low
    else:
        post, low, high = value * lam, value * lam_low, value * lam_high
    return [name, scope, "gamma", value, post, low, high, leads, expected, post - value,
            (lam - 1) / sd0, applied]


def conversion_beliefs(a: Actuals, s: Scenario, o: BeliefOptions) -> list[list[Any]]:
    """Stage conversions pooled (applied) and per region x stage (reported); then each region's
    conversion multiplier (applied): its leads that moved on against what the pooled estimates
    expect of them, as a gamma-Poisson multiplier of the region's current one."""
    counts = conversion_counts(a, s)
    rows, pooled = [], {}
    for st in s.funnel.stages:
        mine = counts[counts.stage == st.id]
        name = f"funnel.stages[{st.id}].conversion"
        row = _beta_row(name, "all", st.conversion, mine.moved_on.sum(), mine.exposure.sum(), o,
                        applied=mine.exposure.sum() > 0)
        rows.append(row)
        pooled[st.id] = float(row[4])
        for region, part in mine.groupby("region", sort=False):
            rows.append(_beta_row(name, str(region), st.conversion, part.moved_on.sum(),
                                  part.exposure.sum(), o, applied=False))
    for r in s.regions:
        mine = counts[counts.region == r.id]
        expected = float((mine.stage.map(pooled) * mine.exposure).sum())
        rows.append(_gamma_row(f"regions[{r.id}].conversion_multiplier", r.id,
                               r.conversion_multiplier, float(mine.moved_on.sum()), expected,
                               o, expected > 0))
    return rows


def lead_beliefs(a: Actuals, s: Scenario, o: BeliefOptions) -> list[list[Any]]:
    """Lead-rate multipliers per channel (applied), organic per region (applied) and per
    region x channel (reported)."""
    counts = lead_counts(a, s)
    counts = counts[counts.reported]
    rows = []
    for c in s.channels:
        mine = counts[counts.channel == c.id]
        linear = c.response.kind == "linear"
        field = "cost_per_lead" if linear else "max_leads"
        rows.append(_gamma_row(f"channels[{c.id}].response.{field}", "all",
                               getattr(c.response, field), mine.leads.sum(),
                               mine.expected.sum(), o, mine.expected.sum() > 0, linear))
    for r in s.regions:
        mine = counts[(counts.region == r.id) & (counts.channel == ec.ORGANIC)]
        rows.append(_gamma_row(f"regions[{r.id}].organic_leads", r.id, r.organic_leads,
                               mine.leads.sum(), mine.expected.sum(), o,
                               mine.expected.sum() > 0))
    totals = counts[counts.channel == ""]
    for region, leads, expected in zip(totals.region, totals.leads, totals.expected,
                                       strict=True):
        rows.append(_gamma_row(f"regions[{region}].lead_rate", str(region), 1.0, float(leads),
                               float(expected), o, float(expected) > 0))
    pairs = counts[(counts.channel != ec.ORGANIC) & (counts.channel != "")]
    for region, channel, leads, expected in zip(pairs.region, pairs.channel, pairs.leads,
                                                pairs.expected, strict=True):
        rows.append(_gamma_row("lead multiplier", f"{region}/{channel}", 1.0, float(leads),
                               float(expected), o, False))
    return rows


def repeat_beliefs(a: Actuals, s: Scenario, o: BeliefOptions) -> list[list[Any]]:
    """The pooled repurchase probability, when the scenario has repeat customers and the
    actuals cover at least one week."""
    customers, orders = repeat_customers(s)
    if customers <= 0 or a.as_of_week == 0:
        return []
    observed, exposure = repeat_counts(a, s)
    if not (a.frame.channel == REPEAT).any():
        return []
    return [_beta_row("customers.repurchase (pooled)", "all", orders / customers, observed,
                      exposure, o, applied=exposure > 0)]


def _posterior(table: pd.DataFrame, parameter: str, scope: str = "all") -> float | None:
    rows = table[(table.parameter == parameter) & (table.scope == scope) & table.applied]
    return float(rows.posterior.iloc[0]) if len(rows) else None


def _updated_channels(s: Scenario, table: pd.DataFrame) -> list[Any]:
    out = []
    for c in s.channels:
        field = "cost_per_lead" if c.response.kind == "linear" else "max_leads"
        value = _posterior(table, f"channels[{c.id}].response.{field}")
        out.append(c if value is None else c.model_copy(
            update={"response": c.response.model_copy(update={field: value})}))
    return out


def _updated_customers(s: Scenario, table: pd.DataFrame) -> list[Any]:
    rows = table[(table.parameter == "customers.repurchase (pooled)") & table.applied]
    if rows.empty or rows.prior.iloc[0] <= 0:
        return list(s.customers)
    ratio = float(rows.posterior.iloc[0] / rows.prior.iloc[0])
    out = []
    for g in s.customers:
        if g.kind in ("existing", "key_account"):
            g = g.model_copy(update={"repurchase_rate": min(1.0, g.repurchase_rate * ratio)})
        elif g.kind == "dormant":
            g = g.model_copy(update={"reactivation_rate": min(1.0, g.reactivation_rate * ratio)})
        out.append(g)
    return out


def _updated_regions(s: Scenario, table: pd.DataFrame) -> list[Any]:
    out = []
    for r in s.regions:
        update = {}
        for field in ("organic_leads", "conversion_multiplier"):
            value = _posterior(table, f"regions[{r.id}].{field}", r.id)
            if value is not None:
                update[field] = value
        out.append(r.model_copy(update=update) if update else r)
    return out


def _lead_rate_shocks(s: Scenario, table: pd.DataFrame, from_week: int) -> list[Any]:
    """The scenario's demand shocks plus one per region whose lead rate was updated from
    regional totals (the scenario has no per-region lead-rate field; a demand multiplier from
    ``from_week`` to the quarter's end carries it)."""
    shocks = list(s.pricing.competitor_shocks)
    weeks = list(range(max(1, from_week), s.horizon.weeks + 1))
    for r in s.regions:
        value = _posterior(table, f"regions[{r.id}].lead_rate", r.id)
        if value is not None and weeks:
            shocks.append(CompetitorShock(
                weeks=weeks, demand_multiplier=max(value, 1e-6), regions=[r.id],
                description=f"lead rate recalibrated from actuals (x{value:.3g})"))
    return shocks


def apply_beliefs(s: Scenario, table: pd.DataFrame, from_week: int = 1) -> Scenario:
    """A copy of ``s`` with every applied belief's posterior mean written in (``s`` is left as
    it is); regional lead-rate multipliers apply from ``from_week`` on."""
    stages = []
    for st in s.funnel.stages:
        value = _posterior(table, f"funnel.stages[{st.id}].conversion")
        stages.append(st if value is None else st.model_copy(update={"conversion": value}))
    pricing = s.pricing.model_copy(
        update={"competitor_shocks": _lead_rate_shocks(s, table, from_week)})
    return s.model_copy(update={
        "funnel": s.funnel.model_copy(update={"stages": stages}),
        "channels": _updated_channels(s, table),
        "regions": _updated_regions(s, table),
        "customers": _updated_customers(s, table),
        "pricing": pricing,
    })


def update_beliefs(a: Actuals, s: Scenario, options: BeliefOptions | None = None,
                   from_week: int = 1) -> Beliefs:
    """Update ``s``'s conversions, lead rates and repurchase rate with the actuals ``a``.

    Returns
    -------
    Beliefs
        The table of every prior and posterior, and the updated scenario.
    """
    o = options or BeliefOptions()
    rows = conversion_beliefs(a, s, o) + lead_beliefs(a, s, o) + repeat_beliefs(a, s, o)
    table = pd.DataFrame(rows, columns=BELIEF_COLUMNS).astype({"applied": bool})
    return Beliefs(table, apply_beliefs(s, table, from_week), o)
