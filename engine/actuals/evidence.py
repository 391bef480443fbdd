"""The evidence in actuals, as counts against their exposure under the scenario.

- ``conversion_counts``: per region x channel x stage, the leads that resolved in the stage
  (entered, less those still open at the as-of week and those that went cold waiting) and the
  ones that moved on (entered the next stage; won, for the last stage). ``exposure`` is the
  resolved leads times the channel's and segments' lift on the stage (``economics``), so that
  ``moved_on / exposure`` estimates the scenario's base stage conversion.
- ``lead_counts``: per region x source, the leads that arrived and the leads the scenario
  expects from the spend actually made (response curve at the week's spend pace, times the
  week's demand factor).
- ``repeat_counts``: repeat orders against the customers who could order, over the weeks
  covered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from engine import economics as ec
from engine.actuals.format import REPEAT
from engine.actuals.table import Actuals
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import Distribution

ENTRY_POINTS = 28
"""Points per week at which the survival of a stage is averaged (entries spread over the week)."""
COUNT_COLUMNS = ["region", "channel", "stage", "moved_on", "resolved", "exposure"]
LEAD_COLUMNS = ["region", "channel", "leads", "expected", "reported"]


def stage_lift(s: Scenario, channel: str, region: str | None = None) -> np.ndarray:
    """Observed conversion per stage over the base conversion, for leads of ``channel`` in
    ``region``: channel quality on the first stage, the region's multiplier, and the segments'
    multipliers weighted by who reaches the stage."""
    seg = ec.lead_segments(s)
    conv = ec.stage_conversions(s, channel, region)
    reach = np.cumprod(np.hstack([np.ones((conv.shape[0], 1)), conv[:, :-1]]), axis=1)
    weight = seg.share[:, None] * reach
    observed = (weight * conv).sum(axis=0) / np.maximum(weight.sum(axis=0), 1e-12)
    base = np.array([st.conversion for st in s.funnel.stages])
    return np.divide(observed, base, out=np.ones_like(base), where=base > 0)


def region_lift(s: Scenario, region: str, leads: dict[str, float]) -> np.ndarray:
    """``stage_lift`` of a region's leads of all sources together, the sources weighted by
    ``leads`` (expected leads by channel id) and by how many of them reach each stage."""
    num = np.zeros(len(s.funnel.stages))
    den = np.zeros(len(s.funnel.stages))
    for channel, n in leads.items():
        reach = ec.stage_reach(s, channel, region)
        num += n * reach * stage_lift(s, channel, region)
        den += n * reach
    return np.divide(num, den, out=np.ones_like(num), where=den > 0)


def still_in_stage(dist: Distribution, days: np.ndarray) -> np.ndarray:
    """Probability that a stage of duration ``dist`` (days) lasts longer than ``days``."""
    if dist.dist == "fixed":
        return (days < dist.mean).astype(float)
    if dist.dist == "exponential":
        return np.exp(-days / dist.mean)
    if dist.dist == "uniform":
        width = max(dist.high - dist.low, 1e-12)
        return np.clip((dist.high - days) / width, 0.0, 1.0)
    if dist.dist == "gamma":
        shape = (dist.mean / dist.sd) ** 2
        return np.asarray(stats.gamma.sf(days, shape, scale=dist.sd**2 / dist.mean))
    sigma2 = np.log1p((dist.sd / dist.mean) ** 2)
    mu = np.log(dist.mean) - sigma2 / 2
    return np.asarray(stats.lognorm.sf(days, np.sqrt(sigma2), scale=np.exp(mu)))


def stage_order(a: Actuals, s: Scenario | None) -> list[str]:
    """The funnel's stages in order: the scenario's, or without one the stages in the actuals
    from most to fewest entries."""
    if s is not None:
        return [st.id for st in s.funnel.stages]
    return [str(k) for k in a.total("entered", ["stage"]).sort_values(ascending=False).index]


def open_leads(a: Actuals, s: Scenario | None) -> pd.Series:
    """Leads in each stage at the as-of week: the ``open`` snapshot when the actuals carry
    it, else (with a scenario) the entries not yet through the stage's mean duration."""
    keys = ["region", "channel", "stage"]
    if a.has("open") or s is None:
        return a.at_week("open", a.as_of_week, keys)
    entered = a.rows("entered")
    dist = {st.id: st.duration for st in s.funnel.stages}
    # entries spread evenly over their week: average the survival over the week's days
    within = (np.arange(ENTRY_POINTS) + 0.5) / ENTRY_POINTS * ec.DAYS_PER_WEEK
    stay_of = {
        (st, w): float(still_in_stage(dist[st], ec.DAYS_PER_WEEK * (a.as_of_week - w + 1)
                                      - within).mean())
        for st, w in set(zip(entered.stage, entered.week, strict=True))
    }
    stay = np.array([stay_of[(st, w)]
                     for st, w in zip(entered.stage, entered.week, strict=True)])
    return (entered.assign(value=entered.value.to_numpy() * stay)
            .groupby(keys, sort=False).value.sum())


def counts_of(series: pd.Series) -> dict[tuple[str, ...], float]:
    """A grouped sum as ``{key tuple: value}``."""
    out: dict[tuple[str, ...], float] = {}
    for key, value in series.items():
        parts = key if isinstance(key, tuple) else (key,)
        out[tuple(str(k) for k in parts)] = float(value)
    return out


def _lift(s: Scenario, region: str, channel: str,
          weights: dict[tuple[str, str], float]) -> np.ndarray:
    if channel:
        return stage_lift(s, channel, region)
    mine = {c: w for (r, c), w in weights.items() if r == region}
    return region_lift(s, region, mine)


def conversion_counts(a: Actuals, s: Scenario | None) -> pd.DataFrame:
    """``region, channel, stage, moved_on, resolved, exposure`` over the weeks covered
    (without a scenario the lift is 1, so ``exposure`` is ``resolved``)."""
    keys = ["region", "channel", "stage"]
    entered = counts_of(a.total("entered", keys)) if a.has("entered") else {}
    open_now = counts_of(open_leads(a, s))
    cold_rows = a.rows("cold")
    cold = counts_of(cold_rows[cold_rows.stage != ""].groupby(keys, sort=False).value.sum())
    win_rows = a.rows("wins")
    win_rows = win_rows[win_rows.channel != REPEAT]
    wins = counts_of(win_rows.groupby(["region", "channel"], sort=False).value.sum())
    stages = stage_order(a, s)
    weights = expected_leads(a, s) if s is not None else {}
    rows = []
    for (region, channel, stage), n in entered.items():
        k = stages.index(stage)
        resolved = max(0.0, n - open_now.get((region, channel, stage), 0.0)
                       - cold.get((region, channel, stage), 0.0))
        moved = wins.get((region, channel), 0.0) if k == len(stages) - 1 else \
            entered.get((region, channel, stages[k + 1]), 0.0)
        lift = 1.0 if s is None else float(_lift(s, region, channel, weights)[k])
        rows.append([region, channel, stage, moved, resolved, resolved * lift])
    return pd.DataFrame(rows, columns=COUNT_COLUMNS)


def _curve_leads(s: Scenario, region: str, channel: str, weekly_spend: float) -> float:
    """Expected leads per week from spending ``weekly_spend`` a week (pace of the quarter)."""
    if channel == ec.ORGANIC:
        return next(r.organic_leads for r in s.regions if r.id == region)
    r = next(x for x in s.regions if x.id == region)
    c = next(x for x in s.channels if x.id == channel)
    weeks = s.horizon.weeks
    return c.response.leads_per_week(weekly_spend * weeks, r.potential, weeks)


def expected_leads(a: Actuals, s: Scenario) -> dict[tuple[str, str], float]:
    """Leads each region x source should have brought in weeks ``1 .. as_of_week`` from the
    spend actually made (response curve at the week's spend pace, times the demand factor)."""
    spend = a.total("spend", ["region", "channel", "week"])
    out = {}
    for r in s.regions:
        for channel in [*(c.id for c in s.channels), ec.ORGANIC]:
            factor = ec.demand_factor(s, r.id, channel)
            out[(r.id, channel)] = float(sum(
                _curve_leads(s, r.id, channel, float(spend.get((r.id, channel, w), 0.0)))
                * factor[w - 1]
                for w in range(1, a.as_of_week + 1)))
    return out


def lead_counts(a: Actuals, s: Scenario) -> pd.DataFrame:
    """``region, channel, leads, expected, reported`` over weeks ``1 .. as_of_week``: per
    region x source (channels and ``organic``), or one row with a blank channel for a region
    whose actuals give its leads as a total; ``reported``: the actuals carry those leads."""
    expected = expected_leads(a, s)
    leads = counts_of(a.total("leads", ["region", "channel"])) if a.has("leads") else {}
    rows = []
    for r in s.regions:
        if (r.id, "") in leads:
            total = sum(v for (region, _), v in expected.items() if region == r.id)
            rows.append([r.id, "", leads[(r.id, "")], total, True])
            continue
        for channel in [*(c.id for c in s.channels), ec.ORGANIC]:
            count = leads.get((r.id, channel))
            rows.append([r.id, channel, count or 0.0, expected[(r.id, channel)],
                         count is not None])
    return pd.DataFrame(rows, columns=LEAD_COLUMNS)


def repeat_customers(s: Scenario) -> tuple[float, float]:
    """``(customers, expected_orders)`` of the quarter from existing, key-account and dormant
    segments (one order per customer at most; churned customers do not order)."""
    customers, orders = 0.0, 0.0
    for g in s.customers:
        if g.kind in ("existing", "key_account"):
            customers += g.size
            orders += g.size * (1.0 - g.churn_rate) * g.repurchase_rate
        elif g.kind == "dormant":
            customers += g.size
            orders += g.size * g.reactivation_rate
    return customers, orders


def repeat_counts(a: Actuals, s: Scenario) -> tuple[float, float]:
    """``(orders, exposure)``: repeat orders in the actuals, and the customers who could order
    times the share of the quarter covered (orders are spread evenly over the weeks)."""
    customers, _ = repeat_customers(s)
    wins = a.rows("wins")
    orders = float(wins[wins.channel == REPEAT].value.sum())
    return orders, customers * a.as_of_week / s.horizon.weeks
