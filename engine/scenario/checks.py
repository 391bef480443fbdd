"""Checks across the scenario that no single field can make: ids that must exist, shares that
must add up, weeks inside the horizon, stock policies that make sense."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from engine.errors import Problem
from engine.scenario.schema import Scenario

Check = Callable[[Scenario], Iterator[Problem]]
SHARE_TOLERANCE = 1e-6


def _duplicates(items: Iterable[tuple[str, str]]) -> Iterator[Problem]:
    seen: set[str] = set()
    for path, ident in items:
        if ident in seen:
            yield Problem(path, "duplicate id", ident)
        seen.add(ident)


def unique_ids(s: Scenario) -> Iterator[Problem]:
    """Every id is unique within its table."""
    tables: dict[str, list] = {
        "regions": list(s.regions),
        "products": list(s.products),
        "channels": list(s.channels),
        "customers": list(s.customers),
        "funnel.stages": list(s.funnel.stages),
        "inventory.suppliers": list(s.inventory.suppliers),
        "pricing.promotions": list(s.pricing.promotions),
        "collections.tiers": list(s.collections.tiers),
    }
    for table, rows in tables.items():
        yield from _duplicates((f"{table}[{i}].id", r.id) for i, r in enumerate(rows))
    yield from _duplicates(
        (f"inventory.stock[{i}].product", r.product) for i, r in enumerate(s.inventory.stock)
    )


def _missing(path: str, value: str, known: set[str], what: str) -> Iterator[Problem]:
    if value not in known:
        yield Problem(path, f"no {what} with this id", value)


def references(s: Scenario) -> Iterator[Problem]:
    """Ids named in one table exist in the table they point to."""
    regions = {r.id for r in s.regions}
    products = {p.id for p in s.products}
    channels = {c.id for c in s.channels}
    suppliers = {x.id for x in s.inventory.suppliers}
    for i, c in enumerate(s.channels):
        for pid in c.product_mix or {}:
            yield from _missing(f"channels[{i}].product_mix.{pid}", pid, products, "product")
    for i, item in enumerate(s.inventory.stock):
        yield from _missing(f"inventory.stock[{i}].product", item.product, products, "product")
        yield from _missing(f"inventory.stock[{i}].supplier", item.supplier, suppliers, "supplier")
        if item.backup is not None:
            yield from _missing(f"inventory.stock[{i}].backup", item.backup, suppliers, "supplier")
    for i, promo in enumerate(s.pricing.promotions):
        yield from _missing(f"pricing.promotions[{i}].channel", promo.channel, channels, "channel")
        for j, pid in enumerate(promo.products):
            yield from _missing(f"pricing.promotions[{i}].products[{j}]", pid, products, "product")
    for i, shock in enumerate(s.pricing.competitor_shocks):
        for j, rid in enumerate(shock.regions):
            yield from _missing(
                f"pricing.competitor_shocks[{i}].regions[{j}]", rid, regions, "region"
            )
    floors = s.policy.margin_floor
    for cid in floors.channels:
        yield from _missing(f"policy.margin_floor.channels.{cid}", cid, channels, "channel")
    for pid in floors.products:
        yield from _missing(f"policy.margin_floor.products.{pid}", pid, products, "product")
    if s.policy.pilot_intent is not None:
        stages = {st.id for st in s.funnel.stages}
        stage = s.policy.pilot_intent.stage
        yield from _missing("policy.pilot_intent.stage", stage, stages, "funnel stage")


def _sums_to_one(path: str, values: list[float]) -> Iterator[Problem]:
    total = sum(values)
    if abs(total - 1.0) > SHARE_TOLERANCE:
        yield Problem(path, "shares must add up to 1", round(total, 9))


def shares(s: Scenario) -> Iterator[Problem]:
    """Shares that split a whole add up to 1."""
    yield from _sums_to_one("products[*].mix", [p.mix for p in s.products])
    for i, c in enumerate(s.channels):
        if c.product_mix is not None:
            yield from _sums_to_one(f"channels[{i}].product_mix", list(c.product_mix.values()))
    if s.collections.tiers:
        yield from _sums_to_one(
            "collections.tiers[*].share", [t.share for t in s.collections.tiers]
        )
    lead_shares = [seg.lead_share for seg in s.customers]
    if sum(lead_shares) > 1.0 + SHARE_TOLERANCE:
        yield Problem(
            "customers[*].lead_share",
            "lead shares must add up to at most 1",
            round(sum(lead_shares), 9),
        )


def weeks(s: Scenario) -> Iterator[Problem]:
    """Every week named lies inside the horizon."""
    last = s.horizon.weeks
    named: list[tuple[str, list[int]]] = [
        (f"pricing.promotions[{i}].weeks", p.weeks) for i, p in enumerate(s.pricing.promotions)
    ]
    named += [
        (f"pricing.competitor_shocks[{i}].weeks", c.weeks)
        for i, c in enumerate(s.pricing.competitor_shocks)
    ]
    for i, sup in enumerate(s.inventory.suppliers):
        named += [
            (f"inventory.suppliers[{i}].disruptions[{j}].weeks", d.weeks)
            for j, d in enumerate(sup.disruptions)
        ]
    for path, ws in named:
        for j, w in enumerate(ws):
            if w > last:
                yield Problem(f"{path}[{j}]", f"week is beyond the horizon of {last} weeks", w)


def stock_policy(s: Scenario) -> Iterator[Problem]:
    """Reorder settings are sane: reorder at or above safety stock, and reorder something."""
    for i, item in enumerate(s.inventory.stock):
        if item.reorder_qty > 0 and item.reorder_point < item.safety_stock:
            yield Problem(
                f"inventory.stock[{i}].reorder_point",
                f"must be >= safety_stock ({item.safety_stock:g}) or stock is only replenished "
                "after it breaches safety stock",
                item.reorder_point,
            )
        if item.reorder_point > 0 and item.reorder_qty == 0:
            yield Problem(
                f"inventory.stock[{i}].reorder_qty",
                "must be > 0 when a reorder point is set",
                item.reorder_qty,
            )


def budget(s: Scenario) -> Iterator[Problem]:
    """Spend bounds that no plan could meet are caught here, in the planner's terms."""
    least = sum(c.spend.min for c in s.channels)
    if least > s.budget.spendable + 1e-9:
        yield Problem(
            "channels[*].spend.min",
            f"channel minimums add up to more than the spendable budget "
            f"({s.budget.spendable:,.0f} after the reserve)",
            round(least, 2),
        )


def _rule_refs(s: Scenario, path: str, action: object) -> Iterator[Problem]:
    """Ids an action names exist; what it expedites has a backup supplier."""
    channels = {c.id for c in s.channels}
    regions = {r.id for r in s.regions}
    for name in ("channel", "from_channel", "to_channel"):
        value = getattr(action, name, None)
        if value is not None and value != "best":
            yield from _missing(f"{path}.{name}", value, channels, "channel")
    region = getattr(action, "region", None)
    if region is not None:
        yield from _missing(f"{path}.region", region, regions, "region")
    product = getattr(action, "product", None)
    if product is not None and getattr(action, "do", "") == "expedite":
        backed = {i.product for i in s.inventory.stock if i.backup is not None}
        if product not in backed:
            yield Problem(f"{path}.product", "has no stock item with a backup supplier", product)


def management(s: Scenario) -> Iterator[Problem]:
    """Rules name what exists, at weeks inside the quarter, with unique ids."""
    if s.management is None:
        return
    yield from _duplicates((f"management.rules[{i}].id", r.id)
                           for i, r in enumerate(s.management.rules))
    stocked = {i.product for i in s.inventory.stock}
    for i, rule in enumerate(s.management.rules):
        path = f"management.rules[{i}]"
        yield from _rule_refs(s, f"{path}.then", rule.then)
        for j, cond in enumerate(rule.when):
            if cond.product is not None and cond.product not in stocked:
                yield Problem(f"{path}.when[{j}].product", "is not a stocked product", cond.product)
        every = s.management.review_every
        for j, w in enumerate(rule.weeks):
            if w >= s.horizon.weeks or w % every:
                yield Problem(f"{path}.weeks[{j}]", f"is not a review week (every {every} "
                              f"weeks, before week {s.horizon.weeks})", w)


CHECKS: tuple[Check, ...] = (unique_ids, references, shares, weeks, stock_policy, budget,
                             management)


def check_scenario(s: Scenario) -> list[Problem]:
    """All cross-field problems of ``s``, in a stable order (empty when it is consistent)."""
    return [problem for check in CHECKS for problem in check(s)]
