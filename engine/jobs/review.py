"""Last quarter's review from actuals: attainment, funnel, customers, channels, stock, and the
parameters they imply for next quarter.

``review(actuals, scenario, plan)`` returns a ``Review`` of tidy tables. With a scenario, the
stage conversions, lead rates and repurchase rate are updated from it as the prior
(``engine.actuals.beliefs``) and ``engine.actuals.overlay.write_overlay`` writes them as a
scenario overlay for next quarter; without one, the review reports what was observed only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from engine.actuals import REPEAT, Actuals
from engine.actuals.beliefs import BeliefOptions, Beliefs, update_beliefs
from engine.actuals.evidence import conversion_counts, stage_order
from engine.errors import Problem, ScenarioError
from engine.jobs.run import forecast_plan
from engine.jobs.tiers import business_of, tier_attainment, tier_targets
from engine.optimize import optimize
from engine.plan import Plan
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, simulate


@dataclass(frozen=True)
class Review:
    """A quarter's review (money in the scenario's currency, counts in leads or orders).

    Attributes
    ----------
    weeks:
        Weeks the actuals cover.
    attainment:
        ``by, id, revenue, target, attainment``: revenue against target by region and by
        product line (``attainment`` is revenue / target; NaN without targets).
    funnel:
        ``stage, entered, resolved, moved_on, observed, scenario, estimate, low, high``: leads
        per stage, the observed conversion (moved on / resolved), the scenario's base conversion
        and its updated estimate with a credible interval.
    bottleneck:
        The stage whose conversion fell clearly (credible interval and all) and furthest below
        the scenario's; without a scenario, or when none did, the stage with the lowest
        observed conversion.
    customers:
        ``measure, value``: new customers won, repeat orders, repeat share, repurchase rate.
    channels:
        ``channel, spend, leads, wins, revenue, gross_profit, revenue_share, cost_per_lead,
        cost_per_win``.
    stock:
        ``product, weeks_out, weeks_below_safety, min_on_hand, max_backorders``.
    beliefs:
        The updated beliefs (``None`` without a scenario).
    warnings:
        What partial actuals lack, by name: regions of the scenario without rows, weeks
        without rows of a metric given in other weeks, metrics the review reads that are
        absent (their tables then show zeros).
    """

    weeks: int
    attainment: pd.DataFrame
    funnel: pd.DataFrame
    bottleneck: str
    customers: pd.DataFrame
    channels: pd.DataFrame
    stock: pd.DataFrame
    beliefs: Beliefs | None
    warnings: tuple[str, ...] = ()
    tiers: pd.DataFrame | None = None
    """``tier, revenue, target, attainment`` by customer tier (``engine.jobs.tiers``), when
    tier targets were set."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data of the whole review."""
        return {
            "weeks": self.weeks,
            "bottleneck": self.bottleneck,
            "attainment": self.attainment,
            "funnel": self.funnel,
            "customers": self.customers,
            "channels": self.channels,
            "stock": self.stock,
            "beliefs": self.beliefs.table if self.beliefs is not None else [],
            "warnings": list(self.warnings),
            "tiers": self.tiers if self.tiers is not None else [],
        }


def _targets(a: Actuals, plan: Plan | None) -> pd.DataFrame:
    """Targets of the weeks covered: the actuals' own, else the plan's."""
    if a.has("target"):
        return a.rows("target")[["region", "line", "week", "value"]]
    if plan is None or plan.targets.empty:
        return pd.DataFrame(columns=["region", "line", "week", "value"])
    t = plan.targets[plan.targets.week <= a.as_of_week]
    return t.rename(columns={"target": "value"})[["region", "line", "week", "value"]]


def _in_order(table: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """``table`` (indexed by id) with the ids of ``order`` first, in that order."""
    rank = {k: i for i, k in enumerate(order)}
    keys = sorted(table.index, key=lambda k: (rank.get(str(k), len(rank)), str(k)))
    return table.reindex(keys)


def scenario_order(s: Scenario | None) -> dict[str, list[str]]:
    """The scenario's order of regions, lines and channels (empty without a scenario)."""
    if s is None:
        return {"region": [], "line": [], "channel": []}
    return {"region": [r.id for r in s.regions],
            "line": list(dict.fromkeys(p.line for p in s.products)),
            "channel": [c.id for c in s.channels]}


def attainment(a: Actuals, plan: Plan | None = None, s: Scenario | None = None) -> pd.DataFrame:
    """Revenue against target by region and by product line (see ``Review.attainment``), in
    the scenario's order when one is given."""
    revenue = a.rows("revenue")
    targets = _targets(a, plan)
    parts = []
    for by in ("region", "line"):
        got = revenue.groupby(by).value.sum().rename("revenue")
        want = targets.groupby(by).value.sum().rename("target")
        table = _in_order(pd.concat([got, want], axis=1), scenario_order(s)[by])
        table = table.fillna({"revenue": 0.0})
        if len(targets):
            table["target"] = table.target.fillna(0.0)
        table.index = table.index.map(lambda x: x or "(unassigned)")
        table["attainment"] = np.where(table.target > 0,
                                       table.revenue / table.target.where(table.target > 0),
                                       np.nan)
        parts.append(table.reset_index(names="id").assign(by=by))
    return pd.concat(parts)[["by", "id", "revenue", "target", "attainment"]]


def funnel_table(a: Actuals, s: Scenario | None, beliefs: Beliefs | None) -> pd.DataFrame:
    """Leads and conversion per stage (see ``Review.funnel``)."""
    counts = conversion_counts(a, s)
    entered = a.total("entered", ["stage"])
    rows = []
    for stage in stage_order(a, s):
        mine = counts[counts.stage == stage]
        resolved, moved = float(mine.resolved.sum()), float(mine.moved_on.sum())
        row = [stage, float(entered.get(stage, 0.0)), resolved, moved,
               moved / resolved if resolved > 0 else np.nan]
        if beliefs is not None:
            t = beliefs.table
            b = t[(t.parameter == f"funnel.stages[{stage}].conversion") & (t.scope == "all")]
            row += [float(b.prior.iloc[0]), float(b.posterior.iloc[0]),
                    float(b.low.iloc[0]), float(b.high.iloc[0])]
        else:
            row += [np.nan] * 4
        rows.append(row)
    return pd.DataFrame(rows, columns=["stage", "entered", "resolved", "moved_on", "observed",
                                       "scenario", "estimate", "low", "high"])


def bottleneck(funnel: pd.DataFrame) -> str:
    """Among the stages whose whole credible interval lies below the scenario's conversion, the
    one that fell furthest; when none did, the stage with the lowest observed conversion (where
    the funnel loses most of its leads)."""
    if funnel.empty:
        return ""
    below = funnel[funnel.high < funnel.scenario]
    if len(below):
        ratio = (below.estimate / below.scenario).to_numpy()
        return str(below.stage.iloc[int(np.argmin(ratio))])
    observed = funnel.observed.to_numpy(dtype=float)
    return "" if np.isnan(observed).all() else str(funnel.stage.iloc[int(np.nanargmin(observed))])


def customers_table(a: Actuals, beliefs: Beliefs | None) -> pd.DataFrame:
    """New customers, repeat orders and the repurchase rate (see ``Review.customers``)."""
    wins = a.rows("wins")
    repeat = float(wins[wins.channel == REPEAT].value.sum())
    new = float(wins[wins.channel != REPEAT].value.sum())
    rows: list[tuple[str, float]] = [
        ("new customers won", new),
        ("repeat orders", repeat),
        ("repeat share of orders", repeat / (new + repeat) if new + repeat > 0 else np.nan),
    ]
    if beliefs is not None:
        t = beliefs.table
        b = t[t.parameter == "customers.repurchase (pooled)"]
        if len(b):
            rows += [("repurchase rate (scenario)", float(b.prior.iloc[0])),
                     ("repurchase rate (estimate)", float(b.posterior.iloc[0])),
                     ("repurchase rate (low)", float(b.low.iloc[0])),
                     ("repurchase rate (high)", float(b.high.iloc[0]))]
    return pd.DataFrame(rows, columns=["measure", "value"])


def _gross_profit(a: Actuals, s: Scenario | None) -> pd.Series:
    units = a.rows("units")
    if s is None or units.empty:
        return pd.Series(dtype=float)
    cost = {p.id: p.unit_cost for p in s.products}
    spent = units.assign(cost=units.value * units["product"].map(cost).fillna(0.0))
    revenue = a.rows("revenue").groupby("channel").value.sum()
    return revenue.sub(spent.groupby("channel").cost.sum(), fill_value=0.0)


def channels_table(a: Actuals, s: Scenario | None) -> pd.DataFrame:
    """Each channel's contribution and cost per won deal (see ``Review.channels``)."""
    sums = {m: a.total(m, ["channel"]) for m in ("spend", "leads", "wins", "revenue")}
    table = pd.DataFrame(sums).fillna(0.0)
    table["gross_profit"] = _gross_profit(a, s).reindex(table.index)
    total = table.revenue.sum()
    table["revenue_share"] = table.revenue / total if total > 0 else np.nan
    paid = table.spend > 0
    table["cost_per_lead"] = (table.spend / table.leads.where(table.leads > 0)).where(paid)
    table["cost_per_win"] = (table.spend / table.wins.where(table.wins > 0)).where(paid)
    table = _in_order(table, scenario_order(s)["channel"]).reset_index(names="channel")
    table["channel"] = table.channel.replace("", "(all sources)")
    return table


def _of(series: pd.Series, product: str) -> pd.Series:
    """The weekly values of one product from a (product, week) series."""
    products = series.index.get_level_values(0) if len(series) else pd.Index([])
    return series[products == product]


def stock_table(a: Actuals, s: Scenario | None) -> pd.DataFrame:
    """Stock-outs per product (see ``Review.stock``)."""
    on_hand = a.rows("on_hand").groupby(["product", "week"]).value.sum()
    back = a.rows("backorders").groupby(["product", "week"]).value.sum()
    safety = {i.product: i.safety_stock for i in s.inventory.stock} if s is not None else {}
    rows = []
    for product in dict.fromkeys([*on_hand.index.get_level_values(0),
                                  *back.index.get_level_values(0)]):
        levels = _of(on_hand, str(product))
        waiting = _of(back, str(product))
        rows.append([product, int((levels <= 0).sum()),
                     int((levels < safety.get(product, 0.0)).sum()),
                     float(levels.min()) if len(levels) else np.nan,
                     float(waiting.max()) if len(waiting) else 0.0])
    return pd.DataFrame(rows, columns=["product", "weeks_out", "weeks_below_safety",
                                       "min_on_hand", "max_backorders"])


def reviewed_targets(a: Actuals, plan: Plan | None) -> pd.DataFrame:
    """``region, line, week, target`` the review measures against (``_targets``)."""
    return _targets(a, plan).rename(columns={"value": "target"})


def with_tiers(r: Review, a: Actuals, s: Scenario, plan: Plan | None,
               mc: MonteCarlo | None = None) -> Review:
    """``r`` with attainment by customer tier: the reviewed targets shared over segments by a
    forecast of ``plan`` (the optimiser's plan without one; ``mc``: 100 replications)."""
    targets = reviewed_targets(a, plan)
    if targets.empty:
        return r
    sim = simulate(s, plan or optimize(s).plan, mc or MonteCarlo(replications=100))
    tiers = tier_targets(targets, sim)
    return replace(r, tiers=tier_attainment(a, tiers, business_of(sim)))


def rule_plan(s: Scenario, mc: MonteCarlo | None = None) -> Plan:
    """The optimiser's plan with targets set by the scenario's target rule on a pilot forecast
    (the targets ``run`` sets): what actuals without targets are reviewed against."""
    return forecast_plan(s, optimize(s).plan, mc or MonteCarlo())


REVIEWED = ("revenue", "wins", "leads", "spend")
"""Metrics the review's tables read; ``revenue`` it cannot do without."""


def check_reviewable(a: Actuals) -> None:
    """Raise ``ScenarioError`` (naming the file) when a metric the review cannot do without is
    absent altogether."""
    if not a.has("revenue"):
        raise ScenarioError(a.source, [Problem(
            "metric", "no revenue rows: the review needs revenue (region, week) to measure "
            "attainment", "revenue")])


def _names(items: list[str], most: int = 6) -> str:
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def _missing_weeks(a: Actuals, metric: str) -> list[int]:
    weeks = set(a.rows(metric).week.astype(int))
    return [w for w in range(1, a.as_of_week + 1) if w not in weeks]


def gaps(a: Actuals, s: Scenario | None) -> list[str]:
    """Warnings naming what partial actuals lack (see ``Review.warnings``)."""
    out = []
    if s is not None:
        present = set(a.frame.region[a.frame.region != ""])
        absent = [r.id for r in s.regions if r.id not in present]
        if absent:
            out.append(f"no rows for region(s) {_names(absent)} of the scenario: their figures "
                       "show as zero")
    for metric in REVIEWED:
        if not a.has(metric):
            out.append(f"no {metric} rows: the review shows zero {metric}")
        elif weeks := _missing_weeks(a, metric):
            out.append(f"{metric} missing for week(s) {_names([str(w) for w in weeks])} of "
                       f"1-{a.as_of_week}: counted as zero")
    return out


def review(a: Actuals, s: Scenario | None = None, plan: Plan | None = None,
           options: BeliefOptions | None = None) -> Review:
    """Review the quarter in ``a`` (against ``s`` and ``plan``'s targets when given).

    Raises ``ScenarioError`` when the actuals have no revenue at all (``check_reviewable``)."""
    check_reviewable(a)
    beliefs = update_beliefs(a, s, options) if s is not None else None
    funnel = funnel_table(a, s, beliefs)
    return Review(
        weeks=a.as_of_week,
        attainment=attainment(a, plan, s),
        funnel=funnel,
        bottleneck=bottleneck(funnel),
        customers=customers_table(a, beliefs),
        channels=channels_table(a, s),
        stock=stock_table(a, s),
        beliefs=beliefs,
        warnings=tuple(gaps(a, s)),
    )
