"""A short description of a scenario: what it holds, in a planner's words."""

from __future__ import annotations

from collections import Counter
from typing import Any

from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES


def describe_scenario(s: Scenario) -> dict[str, Any]:
    """Counts and totals of ``s`` as plain data (money per quarter, weeks)."""
    return {
        "name": s.name,
        "description": s.description.strip(),
        "weeks": s.horizon.weeks,
        "months": list(s.horizon.months),
        "budget": s.budget.total,
        "reserve_share": s.budget.reserve_share,
        "spendable": s.budget.spendable,
        "regions": len(s.regions),
        "regions_by_kind": dict(Counter(r.kind for r in s.regions)),
        "channels": [c.id for c in s.channels],
        "products": len(s.products),
        "product_lines": sorted({p.line for p in s.products}),
        "new_products": [p.id for p in s.products if p.new],
        "funnel_stages": [st.id for st in s.funnel.stages],
        "reps": {role: sum(r.reps.get(role) for r in s.regions) for role in ROLES},
        "hires": {role: sum(r.hires.get(role) for r in s.regions) for role in ROLES},
        "customer_segments": [seg.id for seg in s.customers],
        "promotions": len(s.pricing.promotions),
        "competitor_shocks": len(s.pricing.competitor_shocks),
        "credit_tiers": len(s.collections.tiers),
        "objective": s.policy.objective,
        "replications": s.simulation.replications,
        "seed": s.simulation.seed,
    }


def summary_lines(info: dict[str, Any], currency: str = "¥") -> list[str]:
    """The description as a few lines of text."""
    kinds = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in info["regions_by_kind"].items())
    reps = ", ".join(f"{n} {role}" for role, n in info["reps"].items())
    hires = sum(info["hires"].values())
    months = "-".join(str(m) for m in info["months"])
    return [
        f"{info['name']}: {info['regions']} regions ({kinds}), "
        f"{len(info['channels'])} channels, {info['products']} products "
        f"in {len(info['product_lines'])} lines ({len(info['new_products'])} new)",
        f"budget {currency}{info['budget']:,.0f} per quarter, "
        f"{info['reserve_share']:.0%} reserve, {currency}{info['spendable']:,.0f} to allocate",
        f"{info['weeks']} weeks ({months}); funnel {' > '.join(info['funnel_stages'])}",
        f"reps on hand: {reps}; {hires} new hires ramping",
        f"{info['promotions']} promotions, {info['competitor_shocks']} competitor shocks, "
        f"{info['credit_tiers']} credit tiers; objective {info['objective'].replace('_', ' ')}",
    ]
