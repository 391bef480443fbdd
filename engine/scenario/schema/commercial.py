"""Commercial terms: pricing and promotions, collections, and the planning policy."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.scenario.limits import MAX_SEGMENTS
from engine.scenario.schema.common import Id, NonNegative, Positive, Share, Strict, Week


class Promotion(Strict):
    """A planned price promotion on one channel."""

    id: Id
    """Identifier."""
    channel: Id
    """The channel it runs on."""
    weeks: list[Week] = Field(min_length=1)
    """Weeks it runs."""
    discount: Share
    """Share taken off the price while it runs."""
    products: list[Id] = []
    """Products it covers; empty means all."""


class CompetitorShock(Strict):
    """A competitor's move that changes our demand for a few weeks."""

    weeks: list[Week] = Field(min_length=1)
    """Weeks it lasts."""
    demand_multiplier: Positive
    """Multiplies lead arrivals while it lasts (0.8: 20% fewer leads)."""
    regions: list[Id] = []
    """Regions hit; empty means all."""
    description: str = ""
    """What the competitor does."""


class Pricing(Strict):
    """How price moves demand."""

    elasticity: float = Field(default=0.0, ge=-50, le=0)
    """Elasticity (-50 to 0): a discount d multiplies demand by (1 - d) ** elasticity."""
    promotions: list[Promotion] = []
    """Planned promotions."""
    competitor_shocks: list[CompetitorShock] = []
    """Expected competitor moves."""


class CreditTier(Strict):
    """Customers of one credit tier and how they pay."""

    id: Id
    """Identifier (``A``, ``B``, ``C``)."""
    share: Share
    """Share of revenue invoiced to this tier (tiers sum to 1)."""
    terms_days: NonNegative
    """Payment terms (days after invoice)."""
    late_probability: Share = 0.0
    """Probability that an invoice is paid late."""
    late_days: NonNegative = 0.0
    """Mean extra days a late invoice takes (exponential)."""


class Collections(Strict):
    """Cash collection by credit tier; no tiers means cash on delivery."""

    tiers: list[CreditTier] = []
    """The credit tiers."""


class TargetRule(Strict):
    """How regional targets are set from the forecast."""

    rule: Literal["percentile", "stretch"] = "stretch"
    """``percentile``: the given percentile of the simulated outcome; ``stretch``: the expected
    outcome times ``stretch``."""
    percentile: float = Field(default=50.0, gt=0, lt=100)
    """Percentile of the forecast (for ``percentile``)."""
    stretch: Positive = 1.0
    """Multiplier of the expected outcome (for ``stretch``)."""


class MarginFloors(Strict):
    """Least gross margin (share of realised revenue) by channel and by product."""

    channels: dict[Id, Share] = {}
    """Margin floor per channel."""
    products: dict[Id, Share] = {}
    """Margin floor per product."""


class PilotIntent(Strict):
    """Pilot regions must produce a minimum of intent customers in month one."""

    stage: Id
    """The funnel stage whose entrants count as intent customers."""
    min_per_region: NonNegative
    """Least intent customers per pilot region in the first month."""


class Policy(Strict):
    """The objective and the business's constraints on the plan."""

    objective: Literal["gross_profit", "revenue"] = "gross_profit"
    """What the plan maximises (gross profit after marketing and rep cost, or revenue)."""
    margin_floor: MarginFloors = MarginFloors()
    """Margin floors by channel and product."""
    new_product_share_min: Share = 0.0
    """Least share of quarter revenue from new products."""
    pilot_intent: PilotIntent | None = None
    """Minimum intent customers per pilot region in month one."""
    key_account_coverage: Share = 0.0
    """Least share of key accounts the field reps must cover this quarter."""
    target: TargetRule = TargetRule()
    """How targets are set from the forecast."""
    integer_reps: bool = True
    """Reps are whole people; ``False`` relaxes them to fractions."""
    mip_gap: float = Field(default=0.005, gt=0, lt=1)
    """Relative optimality gap at which the integer plan is accepted."""
    segments: int = Field(default=0, ge=0, le=MAX_SEGMENTS)
    """Pieces per response curve in the linear model (0: chosen automatically; at most 200)."""
