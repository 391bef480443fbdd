"""The plan's constraints, one family per ``define_*_constraints(m, d)`` function.

Names are predictable (``budget``, ``channel_min[offline]``, ``rep_capacity[shanghai,field]``,
``supply[aurora_pro]``, ``margin_floor[distributor]``, ``product_margin_floor[refill]``,
``new_product_share``, ``pilot_intent[xian]``); each row carries its meaning in plain words.
Leads are per week; every other quantity is over the quarter (money, units, hours).
"""

from __future__ import annotations

import numpy as np

from engine.optimize.inputs import ModelInputs
from engine.optimize.model import PlanModel
from engine.scenario.schema.common import ROLES


def money(d: ModelInputs, value: float) -> str:
    """``value`` in the scenario's currency, rounded to whole units."""
    return f"{d.scenario.currency}{value:,.0f}"


def fixed_part(d: ModelInputs, per_lead: np.ndarray) -> np.ndarray:
    """What organic leads bring (by region and the trailing axes of ``per_lead``)."""
    organic = per_lead[:, -1]
    return organic * d.organic.reshape((-1,) + (1,) * (organic.ndim - 1))


def _terms(cols: np.ndarray, coefs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = cols >= 0
    return cols[keep].ravel(), np.asarray(coefs, dtype=float)[keep].ravel()


def _leads(m: PlanModel, d: ModelInputs, per_lead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Terms ``per_lead[r,c] * leads[r,c]`` over the channels (organic is a constant)."""
    return _terms(m.index["leads"], per_lead[:, : len(d.channels)])


def define_budget_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``budget``: all marketing spend <= the spendable budget (total less the reserve)."""
    reserve = d.scenario.budget.reserve_share
    m.add_row(
        "budget",
        "budget",
        _terms(m.index["spend"], np.ones(m.index["spend"].shape)),
        upper=d.spendable,
        unit="budget",
        meaning=f"marketing spend <= {money(d, d.spendable)} (budget less the {reserve:.0%} "
        "reserve)",
    )


def define_spend_bound_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``channel_min|max[c]`` and ``region_min|max[r]``: the scenario's spend bounds."""
    spend = m.index["spend"]
    for j, c in enumerate(d.scenario.channels):
        terms = _terms(spend[:, j], np.ones(len(d.regions)))
        _bounds(m, d, "channel", c.id, terms, c.spend.min, c.spend.max)
    for i, r in enumerate(d.scenario.regions):
        terms = _terms(spend[i, :], np.ones(len(d.channels)))
        _bounds(m, d, "region", r.id, terms, r.spend.min, r.spend.max)


def _bounds(
    m: PlanModel,
    d: ModelInputs,
    kind: str,
    key: str,
    terms: tuple[np.ndarray, np.ndarray],
    low: float,
    high: float | None,
) -> None:
    if low > 0:
        m.add_row(
            f"{kind}_min[{key}]",
            f"{kind}_min",
            terms,
            lower=low,
            unit="spend",
            meaning=f"spend on {kind} {key} >= {money(d, low)}",
        )
    if high is not None:
        m.add_row(
            f"{kind}_max[{key}]",
            f"{kind}_max",
            terms,
            upper=high,
            unit="spend",
            meaning=f"spend on {kind} {key} <= {money(d, high)}",
        )


def define_rep_capacity_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``rep_capacity[r,o]``: hours the funnel needs from role ``o`` in region ``r`` over the
    quarter <= hours its reps give (tenured, planned and added hires at ramp productivity),
    less visits and key-account cover, plus sub-agents' hours."""
    if d.scenario.salesforce.unlimited:
        return
    organic = fixed_part(d, d.hours)
    for i, region in enumerate(d.regions):
        for k, role in enumerate(ROLES):
            cols, coefs = _terms(m.index["leads"][i], d.hours[i, : len(d.channels), k])
            hire = m.index["added"][i, k]
            if hire >= 0:
                cols, coefs = np.append(cols, hire), np.append(coefs, -d.hours_hire[k])
            have = d.on_hand[i, k] * d.hours_tenured[k] + d.hires[i, k] * d.hours_hire[k]
            rhs = have - d.overhead[i, k] - organic[i, k]
            if not coefs.any() and rhs >= 0:
                continue
            m.add_row(
                f"rep_capacity[{region},{role}]",
                "rep_capacity",
                (cols, coefs),
                upper=rhs,
                unit="rep-hour",
                meaning=f"{role} hours for marketing leads in {region} <= {have:,.0f} h "
                f"available{_other_work(d.overhead[i, k], organic[i, k])}",
            )


def _other_work(overhead: float, organic: float) -> str:
    """How the hours left for marketing leads differ from the reps' hours, in words."""
    parts = []
    if overhead > 0:
        parts.append(f"less {overhead:,.0f} h of visits and key accounts")
    elif overhead < 0:
        parts.append(f"plus {-overhead:,.0f} h from sub-agents")
    if organic > 0:
        parts.append(f"less {organic:,.0f} h for organic leads")
    return (" " + ", ".join(parts)) if parts else ""


def define_headcount_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``headcount_cap`` (all reps <= the cap) and ``hiring_limit`` (added hires <= limit)."""
    sf = d.scenario.salesforce
    added = _terms(m.index["added"], np.ones(m.index["added"].shape))
    if sf.headcount_cap is not None:
        fixed = float(d.on_hand.sum() + d.hires.sum())
        m.add_row(
            "headcount_cap",
            "headcount_cap",
            added,
            upper=sf.headcount_cap - fixed,
            unit="head",
            meaning=f"reps in total <= {sf.headcount_cap} ({fixed:.0f} on hand or already hired)",
        )
    if sf.hiring_limit is not None:
        m.add_row(
            "hiring_limit",
            "hiring_limit",
            added,
            upper=sf.hiring_limit,
            unit="hire",
            meaning=f"hires added by the plan <= {sf.hiring_limit}",
        )


def define_supply_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``supply[p]``: units sold in the quarter <= stock on hand + in-time deliveries from the
    primary supplier + units bought from the backup."""
    fixed = fixed_part(d, d.units).sum(axis=0) + d.repeat_units.sum(axis=0)
    for p, product in enumerate(d.products):
        if not np.isfinite(d.supply.limit[p]):
            continue
        cols, coefs = _leads(m, d, d.units[:, :, p])
        if m.index["backup"][p] >= 0:
            cols, coefs = np.append(cols, m.index["backup"][p]), np.append(coefs, -1.0)
        m.add_row(
            f"supply[{product}]",
            "supply",
            (cols, coefs),
            upper=d.supply.limit[p] - fixed[p],
            unit="unit",
            meaning=f"{product} units sold <= {d.supply.limit[p]:,.0f} "
            f"(stock and in-time deliveries; {fixed[p]:,.0f} go to organic and repeat orders)",
        )


def margin(d: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
    """Revenue and gross profit per lead per week (R x S x P; money over the quarter)."""
    return d.revenue, d.revenue - d.units * d.unit_cost


def define_margin_floor_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``margin_floor[c]``: channel c's gross margin >= its floor; ``product_margin_floor[p]``:
    product p's gross margin over all sales >= its floor."""
    revenue, profit = margin(d)
    floors = d.scenario.policy.margin_floor
    for j, channel in enumerate(d.channels):
        if channel in floors.channels:
            f = floors.channels[channel]
            coef = (profit[:, j] - f * revenue[:, j]).sum(axis=1)
            m.add_row(
                f"margin_floor[{channel}]",
                "margin_floor",
                _terms(m.index["leads"][:, j], coef),
                lower=0.0,
                unit="point",
                meaning=f"gross margin on {channel} >= {f:.0%} of its revenue",
            )
    repeat_rev = d.repeat_revenue.sum(axis=0)
    repeat_gp = repeat_rev - d.repeat_units.sum(axis=0) * d.unit_cost
    for p, product in enumerate(d.products):
        if product in floors.products:
            f = floors.products[product]
            coef = profit[:, :, p] - f * revenue[:, :, p]
            fixed = fixed_part(d, coef).sum() + repeat_gp[p] - f * repeat_rev[p]
            m.add_row(
                f"product_margin_floor[{product}]",
                "product_margin_floor",
                _leads(m, d, coef),
                lower=-fixed,
                unit="point",
                meaning=f"gross margin on {product} >= {f:.0%} of its revenue",
            )


def define_new_product_share_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``new_product_share``: revenue from new products >= the minimum share of all revenue."""
    share = d.scenario.policy.new_product_share_min
    if share <= 0:
        return
    coef = (d.revenue * (d.new - share)).sum(axis=2)
    fixed = fixed_part(d, coef).sum() + (d.repeat_revenue * (d.new - share)).sum()
    m.add_row(
        "new_product_share",
        "new_product_share",
        _leads(m, d, coef),
        lower=-fixed,
        unit="point",
        meaning=f"new products' revenue >= {share:.0%} of all revenue",
    )


def define_pilot_intent_constraints(m: PlanModel, d: ModelInputs) -> None:
    """``pilot_intent[r]``: leads reaching the intent stage in month one in each pilot region
    >= the policy's minimum."""
    policy = d.scenario.policy.pilot_intent
    if policy is None:
        return
    organic = fixed_part(d, d.intent)
    for i, r in enumerate(d.scenario.regions):
        if r.kind == "pilot":
            terms = _terms(m.index["leads"][i], d.intent[i, : len(d.channels)])
            m.add_row(
                f"pilot_intent[{r.id}]",
                "pilot_intent",
                terms,
                lower=policy.min_per_region - organic[i],
                unit="intent customer",
                meaning=f"intent customers ({policy.stage} stage) in {r.id} in month one "
                f">= {policy.min_per_region:,.0f}",
            )


def define_objective(m: PlanModel, d: ModelInputs) -> None:
    """Maximise net contribution (gross profit after marketing, reps and the backup supplier's
    premium), or revenue."""
    revenue, profit = margin(d)
    repeat_rev = float(d.repeat_revenue.sum())
    if d.scenario.policy.objective == "revenue":
        cols, coefs = _leads(m, d, revenue.sum(axis=2))
        m.set_objective(cols, coefs, fixed_part(d, revenue).sum() + repeat_rev)
        return
    cols, coefs = _leads(m, d, profit.sum(axis=2))
    spend = _terms(m.index["spend"], -np.ones(m.index["spend"].shape))
    added = _terms(m.index["added"], -np.broadcast_to(d.rep_cost, m.index["added"].shape))
    backup = _terms(m.index["backup"], -d.supply.premium)
    repeat_gp = repeat_rev - float((d.repeat_units * d.unit_cost).sum())
    people = float(((d.on_hand + d.hires) * d.rep_cost).sum())
    m.set_objective(
        np.concatenate([cols, spend[0], added[0], backup[0]]),
        np.concatenate([coefs, spend[1], added[1], backup[1]]),
        fixed_part(d, profit).sum() + repeat_gp - people - d.premium,
    )
