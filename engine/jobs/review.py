"""Last quarter's review from actuals: attainment, funnel, customers, channels, stock, and the
parameters they imply for next quarter.

``review(actuals, scenario, plan)`` returns a ``Review`` of tidy tables. With a scenario, the
stage conversions, lead rates and repurchase rate are updated from it as the prior
(``engine.actuals.beliefs``) and ``engine.actuals.overlay.write_overlay`` writes them as a
scenario overlay for next quarter; without one, the review reports what was observed only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from engine.actuals import REPEAT, Actuals
from engine.actuals.beliefs import BeliefOptions, Beliefs, update_beliefs
from engine.actuals.evidence import conversion_counts, stage_order
from engine.plan import Plan
from engine.scenario.schema import Scenario


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
    """

    weeks: int
    attainment: pd.DataFrame
    funnel: pd.DataFrame
    bottleneck: str
    customers: pd.DataFrame
    channels: pd.DataFrame
    stock: pd.DataFrame
    beliefs: Beliefs | None

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
        }


def _targets(a: Actuals, plan: Plan | None) -> pd.DataFrame:
    """Targets of the weeks covered: the actuals' own, else the plan's."""
    if a.has("target"):
        return a.rows("target")[["region", "line", "week", "value"]]
    if plan is None or plan.targets.empty:
        return pd.DataFrame(columns=["region", "line", "week", "value"])
    t = plan.targets[plan.targets.week <= a.as_of_week]
    return t.rename(columns={"target": "value"})[["region", "line", "week", "value"]]


def attainment(a: Actuals, plan: Plan | None = None) -> pd.DataFrame:
    """Revenue against target by region and by product line (see ``Review.attainment``)."""
    revenue = a.rows("revenue")
    targets = _targets(a, plan)
    parts = []
    for by in ("region", "line"):
        got = revenue.groupby(by).value.sum().rename("revenue")
        want = targets.groupby(by).value.sum().rename("target")
        table = pd.concat([got, want], axis=1).fillna({"revenue": 0.0})
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
    table = table.reset_index(names="channel")
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


def review(a: Actuals, s: Scenario | None = None, plan: Plan | None = None,
           options: BeliefOptions | None = None) -> Review:
    """Review the quarter in ``a`` (against ``s`` and ``plan``'s targets when given)."""
    beliefs = update_beliefs(a, s, options) if s is not None else None
    funnel = funnel_table(a, s, beliefs)
    return Review(
        weeks=a.as_of_week,
        attainment=attainment(a, plan),
        funnel=funnel,
        bottleneck=bottleneck(funnel),
        customers=customers_table(a, beliefs),
        channels=channels_table(a, s),
        stock=stock_table(a, s),
        beliefs=beliefs,
    )
