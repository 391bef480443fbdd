"""A small, independent generator of actuals for tests: the scenario's funnel drawn lead by
lead with binomial stage outcomes and deterministic stage durations (their means), no rep
capacity, no stock. It shares no code with the engine's estimators beyond the scenario's
expected-value economics, so the estimators can be checked against known parameters."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine import economics as ec
from engine.actuals import actuals_frame
from engine.actuals.evidence import repeat_customers
from engine.plan import Plan
from engine.scenario.schema import Scenario


def _source_rate(s: Scenario, region: int, channel: str, spend: float) -> float:
    r = s.regions[region]
    if channel == ec.ORGANIC:
        return r.organic_leads
    c = next(x for x in s.channels if x.id == channel)
    return c.response.leads_per_week(spend, r.potential, s.horizon.weeks)


def _funnel_events(s: Scenario, channel: str, leads: int, week: int, rng: np.random.Generator,
                   region: str | None = None) -> tuple[np.ndarray, np.ndarray, float]:
    """Counts of leads reaching each stage, and the wins, split by the day they happen; returns
    (reach counts per stage, days each stage is entered, wins) for leads of one week."""
    seg = ec.lead_segments(s)
    conv = ec.stage_conversions(s, channel, region)
    split = rng.multinomial(leads, seg.share / seg.share.sum())
    reach = np.zeros(conv.shape[1] + 1)
    for g, n in enumerate(split):
        alive = int(n)
        for k in range(conv.shape[1]):
            reach[k] += alive
            alive = int(rng.binomial(alive, conv[g, k]))
        reach[-1] += alive
    dur = np.array([st.duration.expected for st in s.funnel.stages])
    days = ec.DAYS_PER_WEEK * (week - 0.5) + np.concatenate([[0.0], np.cumsum(dur)])
    return reach, days, float(reach[-1])


def synthetic_actuals(s: Scenario, plan: Plan, weeks: int, rng: np.random.Generator
                      ) -> pd.DataFrame:
    """Tidy actuals for weeks ``1 .. weeks`` of ``s`` under ``plan``'s spend (see module)."""
    recs: list[dict[str, object]] = []
    stages = [st.id for st in s.funnel.stages]
    W = s.horizon.weeks
    for i, r in enumerate(s.regions):
        for channel in [*(c.id for c in s.channels), ec.ORGANIC]:
            spend = plan.spend_of(r.id, channel) if channel != ec.ORGANIC else 0.0
            factor = ec.demand_factor(s, r.id, channel)
            events: dict[tuple[str, int], float] = {}
            for w in range(1, weeks + 1):
                if channel != ec.ORGANIC:
                    recs.append(dict(week=w, region=r.id, channel=channel, metric="spend",
                                     value=spend / W))
                leads = int(rng.poisson(_source_rate(s, i, channel, spend) * factor[w - 1]))
                recs.append(dict(week=w, region=r.id, channel=channel, metric="leads",
                                 value=leads))
                reach, days, _ = _funnel_events(s, channel, leads, w, rng, r.id)
                for k, stage in enumerate(stages):
                    _add(events, stage, days[k], reach[k], weeks)
                    ends = days[k] + s.funnel.stages[k].duration.expected
                    if days[k] <= 7 * weeks < ends:
                        _add(events, "open:" + stage, 7 * weeks - 1, reach[k], weeks)
                _add(events, "wins", days[-1], reach[-1], weeks)
            recs += _event_records(s, r.id, channel, events, rng)
        recs += _repeat_records(s, r.id, weeks, rng)
    return actuals_frame(recs)


def _add(events: dict[tuple[str, int], float], what: str, day: float, n: float,
         weeks: int) -> None:
    week = int(day // 7) + 1
    if week <= weeks and n > 0:
        events[(what, week)] = events.get((what, week), 0.0) + n


def _event_records(s: Scenario, region: str, channel: str,
                   events: dict[tuple[str, int], float], rng: np.random.Generator
                   ) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    mix = ec.product_mix(s, channel)
    price = ec.revenue_per_unit(s, channel)
    per_order = np.array([p.units_per_order for p in s.products])
    for (what, week), n in sorted(events.items()):
        if what == "wins":
            split = rng.multinomial(int(n), mix / mix.sum())
            for j, p in enumerate(s.products):
                if split[j]:
                    units = split[j] * per_order[j]
                    out += [dict(week=week, region=region, channel=channel, product=p.id,
                                 metric=m, value=v)
                            for m, v in (("wins", split[j]), ("units", units),
                                         ("revenue", units * price[j]))]
        elif what.startswith("open:"):
            out.append(dict(week=week, region=region, channel=channel, stage=what[5:],
                            metric="open", value=n))
        else:
            out.append(dict(week=week, region=region, channel=channel, stage=what,
                            metric="entered", value=n))
    return out


def _repeat_records(s: Scenario, region: str, weeks: int, rng: np.random.Generator
                    ) -> list[dict[str, object]]:
    customers, orders = repeat_customers(s)
    if customers <= 0:
        return []
    share = ec.potential_shares(s)[region]
    mix = ec.product_mix(s, ec.ORGANIC)
    out: list[dict[str, object]] = []
    for w in range(1, weeks + 1):
        n = int(rng.poisson(orders * share / s.horizon.weeks))
        split = rng.multinomial(n, mix / mix.sum())
        for j, p in enumerate(s.products):
            if split[j]:
                units = split[j] * p.units_per_order
                out += [dict(week=w, region=region, channel="repeat", product=p.id,
                             metric=m, value=v)
                        for m, v in (("wins", split[j]), ("units", units),
                                     ("revenue", units * p.price))]
    return out
