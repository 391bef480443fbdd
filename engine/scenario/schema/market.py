"""The market: regions, products, channels with their response curves, customer segments."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from engine.scenario.schema.common import (
    Count,
    Id,
    Money,
    NonNegative,
    Positive,
    Share,
    SpendBounds,
    Strict,
)


class RoleCounts(Strict):
    """A number of reps for each role."""

    field: Count = 0
    """Field reps (visits, demos, key accounts)."""
    telesales: Count = 0
    """Telesales reps (qualification, inbound leads)."""
    support: Count = 0
    """Technical-support staff (proposals, onboarding)."""

    def get(self, role: str) -> int:
        """The count for ``role``."""
        return int(getattr(self, role))


class Region(Strict):
    """A sales region.

    Its ``potential`` scales every channel's response curve: a region of potential 2 reaches
    twice the leads at twice the spend (see ``ResponseCurve``).
    """

    id: Id
    """Identifier used everywhere else in the scenario."""
    name: str = ""
    """Display name; defaults to the id."""
    kind: Literal["core", "key_city", "pilot", "lower_tier"]
    """``core`` established region, ``key_city`` top-tier city with visit quotas, ``pilot`` new
    market, ``lower_tier`` city served partly through sub-agents."""
    potential: Positive
    """Market potential index (1.0 = a typical region); multiplies lead response."""
    reps: RoleCounts = RoleCounts()
    """Tenured reps on hand at the start of the quarter, by role."""
    hires: RoleCounts = RoleCounts()
    """New hires joining at the start of the quarter, by role; they work at ramp productivity."""
    max_hires: RoleCounts | None = None
    """Most additional hires the optimiser may add in this region, by role (default: none)."""
    sub_agents: Count = 0
    """Sub-agents (independent resellers) working leads in this region."""
    visits_per_week: NonNegative = 0.0
    """Customer visits the field reps must make each week (key-city visit quota)."""
    key_accounts: Count = 0
    """Key accounts in this region (for the key-account coverage policy)."""
    spend: SpendBounds = SpendBounds()
    """Bounds on this region's total marketing spend (money per quarter)."""
    organic_leads: NonNegative = 0.0
    """Leads per week that arrive without marketing spend (referrals, walk-ins)."""
    conversion_multiplier: Positive = 1.0
    """Multiplies every stage's conversion for leads in this region (capped at 1)."""

    @property
    def label(self) -> str:
        """The name, or the id when no name is given."""
        return self.name or self.id


class Product(Strict):
    """A product sold in the quarter."""

    id: Id
    """Identifier."""
    name: str = ""
    """Display name."""
    line: Id
    """Product line it belongs to (targets are set per region x line)."""
    price: Positive
    """List price per unit (money)."""
    unit_cost: Money
    """Cost per unit (money); gross profit is realised price minus this."""
    new: bool = False
    """A new product (counts toward the new-product share policy)."""
    units_per_order: Positive = 1.0
    """Average units in one won order."""
    mix: Share
    """Share of won orders that buy this product (shares over all products sum to 1)."""


class ResponseCurve(Strict):
    """Leads bought by spend in one region, with diminishing returns.

    With ``s`` the spend in a region (money per quarter) and ``P`` the region's potential:

    - ``hill``:        leads/week = P * max_leads * x**shape / (x**shape + 1)
    - ``exponential``: leads/week = P * max_leads * (1 - 2**(-x))
    - ``linear``:      leads/week = s / cost_per_lead / weeks (no saturation)
    - ``fixed``:       leads/week = P * max_leads whatever the spend (no marketing response)

    where ``x = s / (P * half_saturation)``: ``half_saturation`` is the spend per unit of
    potential that buys half of ``max_leads``.
    ``shape`` must be <= 1 so that the curve is concave and the plan's optimum is global.
    """

    kind: Literal["hill", "exponential", "linear", "fixed"] = "hill"
    """The curve's family."""
    max_leads: NonNegative = 0.0
    """Leads per week at saturation, per unit of region potential."""
    half_saturation: Positive = 1.0
    """Spend (money per quarter, per unit of potential) that buys half the saturation leads."""
    shape: float = Field(default=1.0, gt=0, le=1)
    """Hill exponent; in (0, 1] so that the curve stays concave."""
    cost_per_lead: Positive = 1.0
    """Money per lead for the ``linear`` curve."""

    def leads_per_week(self, spend: float, potential: float, weeks: int) -> float:
        """Expected leads per week in a region of ``potential`` given quarter ``spend``."""
        if self.kind == "fixed":
            return potential * self.max_leads
        if self.kind == "linear":
            return spend / self.cost_per_lead / weeks
        x = spend / (potential * self.half_saturation)
        if self.kind == "exponential":
            return potential * self.max_leads * (1.0 - math.exp(-x * math.log(2.0)))
        return potential * self.max_leads * x**self.shape / (x**self.shape + 1.0)


class Channel(Strict):
    """A marketing and sales channel."""

    id: Id
    """Identifier (``online``, ``social``, ``offline``, ``distributor``, ``livestream``,
    ``group_buying``, ...)."""
    name: str = ""
    """Display name."""
    response: ResponseCurve
    """How spend in a region turns into leads."""
    quality: Positive = 1.0
    """Lead quality: multiplies the first stage's conversion probability (capped at 1)."""
    price_realisation: Share = 1.0
    """Share of list price kept after discounts, commissions and rebates."""
    spend: SpendBounds = SpendBounds()
    """Bounds on this channel's total spend over all regions (money per quarter)."""
    role: Literal["field", "telesales"] = "telesales"
    """The rep role that works this channel's leads through the funnel's selling stages."""
    product_mix: dict[Id, Share] | None = None
    """Optional share of orders by product for this channel (overrides the products' mix)."""


class Segment(Strict):
    """A customer segment and its behaviour over the quarter."""

    id: Id
    """Identifier."""
    name: str = ""
    """Display name; defaults to the id."""
    kind: Literal["new", "existing", "dormant", "key_account", "vertical"]
    """``new`` prospects from marketing, ``existing`` customers who may repurchase,
    ``dormant`` customers who may reactivate, ``key_account`` large accounts,
    ``vertical`` an industry (finance, healthcare, ...)."""
    size: Count = 0
    """Customers in the segment at the start of the quarter (existing, dormant, key accounts)."""
    lead_share: Share = 0.0
    """Share of marketing leads that belong to this segment (new and vertical segments)."""
    repurchase_rate: Share = 0.0
    """Probability that a customer orders again within the quarter (existing, key accounts)."""
    reactivation_rate: Share = 0.0
    """Probability that a dormant customer comes back within the quarter."""
    churn_rate: Share = 0.0
    """Probability that a customer is lost within the quarter."""
    conversion_multiplier: Positive = 1.0
    """Multiplies stage conversions for this segment's leads (verticals convert differently)."""
    order_multiplier: Positive = 1.0
    """Multiplies the units of an order from this segment."""
