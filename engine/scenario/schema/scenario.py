"""The root of a scenario: the quarter's horizon, budget, and every part of the business."""

from __future__ import annotations

from pydantic import Field, model_validator

from engine.scenario.limits import MAX_REPLICATIONS
from engine.scenario.schema.commercial import Collections, Policy, Pricing
from engine.scenario.schema.common import Count, Money, NonNegative, Share, Strict
from engine.scenario.schema.market import Channel, Product, Region, Segment
from engine.scenario.schema.operations import Funnel, Inventory, Salesforce


class Horizon(Strict):
    """The quarter's length and how its weeks group into months."""

    weeks: int = Field(default=13, ge=1, le=53)
    """Weeks in the quarter."""
    months: list[int] = [4, 4, 5]
    """Weeks in each month, for monthly milestones; must add up to ``weeks``."""

    @model_validator(mode="after")
    def _months_cover_weeks(self) -> Horizon:
        if sum(self.months) != self.weeks or any(m < 1 for m in self.months):
            raise ValueError(
                f"months {self.months} must be positive and add up to weeks ({self.weeks})"
            )
        return self

    def month_of_week(self, week: int) -> int:
        """The month (from 1) that ``week`` (from 1) falls in."""
        end = 0
        for month, length in enumerate(self.months, start=1):
            end += length
            if week <= end:
                return month
        raise ValueError(f"week {week} is outside the horizon of {self.weeks} weeks")


class Budget(Strict):
    """The quarter's marketing budget."""

    total: Money
    """Marketing money for the quarter."""
    reserve_share: Share = 0.10
    """Share held back as contingency reserve; the plan may spend the rest."""

    @property
    def spendable(self) -> float:
        """Money the plan may allocate: total less the reserve."""
        return self.total * (1.0 - self.reserve_share)


class Simulation(Strict):
    """Monte Carlo settings."""

    replications: int = Field(default=200, ge=1, le=MAX_REPLICATIONS)
    """Replications of the quarter (at most 100,000)."""
    seed: Count = 20261128
    """Root seed; every replication's streams are spawned from it."""
    lead_rate_cv: NonNegative = 0.0
    """How uncertain the lead response is: each replication multiplies each channel's lead rate
    by its own mean-one lognormal factor with this coefficient of variation (0: rates known)."""
    conversion_cv: NonNegative = 0.0
    """How uncertain the funnel is: each replication multiplies each stage's conversion by its
    own mean-one lognormal factor with this coefficient of variation (capped at 1)."""


class Scenario(Strict):
    """A quarter to plan: the whole scenario file after ``extends:`` is resolved."""

    name: str = ""
    """Name shown in reports; defaults to the file name."""
    description: str = ""
    """What the scenario is about."""
    currency: str = "¥"
    """Currency symbol used in reports."""
    horizon: Horizon = Horizon()
    """Weeks and months."""
    budget: Budget
    """Marketing budget and reserve."""
    regions: list[Region] = Field(min_length=1)
    """Sales regions."""
    products: list[Product] = Field(min_length=1)
    """Products."""
    channels: list[Channel] = Field(min_length=1)
    """Channels."""
    customers: list[Segment] = []
    """Customer segments."""
    funnel: Funnel
    """The sales funnel."""
    salesforce: Salesforce = Salesforce()
    """Reps: hours, cost, ramp, caps."""
    inventory: Inventory = Inventory()
    """Stock and suppliers."""
    pricing: Pricing = Pricing()
    """Elasticity, promotions, competitor shocks."""
    collections: Collections = Collections()
    """Credit tiers."""
    policy: Policy = Policy()
    """Objective and constraints."""
    simulation: Simulation = Simulation()
    """Monte Carlo settings."""
