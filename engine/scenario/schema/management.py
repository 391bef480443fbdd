"""Management in the loop: review points and contingency rules "when <condition> then <action>".

A rule is judged at each review point (the end of a week) only on what a manager knows then:
the weeks already completed. Its action changes the rest of the quarter (the weeks after the
review). Every firing is recorded per replication.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from engine.scenario.schema.common import Id, Money, NonNegative, Role, Share, Strict, Week

Metric = Literal[
    "week", "attainment_gap", "stock_cover_days", "below_safety", "queue_wait_days",
    "cold_share", "competitor_shock", "cash",
]
"""What a manager can observe at a review (see ``Condition.metric``)."""


class Condition(Strict):
    """One observable compared with a threshold; give ``below``, ``above`` or both."""

    metric: Metric
    """``week``: the review week (1..weeks). ``attainment_gap``: revenue shipped to date over the
    plan's target of the weeks to date, less 1 (a share; -0.05 lags by 5%; never holds without
    targets). ``stock_cover_days``: days the stock on hand covers at the demand rate seen so far
    (units / units per day; the lowest over stocked products, or of ``product``).
    ``below_safety``: stocked products under their safety stock at the review (count).
    ``queue_wait_days``: mean days the leads picked up in the first stage since the last review
    waited for a rep. ``cold_share``: leads gone cold since the last review over leads that
    arrived in that time (a share). ``competitor_shock``: 1 while a competitor shock runs in the
    week just ended, else 0. ``cash``: money collected to date."""
    below: float | None = None
    """Holds when the metric is strictly below this (in the metric's unit)."""
    above: float | None = None
    """Holds when the metric is strictly above this (in the metric's unit)."""
    product: Id | None = None
    """For ``stock_cover_days``: the one product to watch (default: the lowest cover)."""

    @model_validator(mode="after")
    def _threshold(self) -> Condition:
        if self.below is None and self.above is None:
            raise ValueError(f"condition on {self.metric} needs `below` or `above`")
        if self.product is not None and self.metric != "stock_cover_days":
            raise ValueError("`product` applies to stock_cover_days only")
        return self


class ReleaseReserve(Strict):
    """Spend some or all of the reserve over the rest of the quarter."""

    do: Literal["release_reserve"]
    """The action."""
    share: Share = 1.0
    """Share of the reserve still held to release (1: all of it)."""
    channel: Id | Literal["best"] = "best"
    """Channel to spend it on; ``best``: the one whose leads would add the most expected gross
    profit for the money at the review."""
    region: Id | None = None
    """Region to spend it in; default: every region, in proportion to its potential."""


class MoveMoney(Strict):
    """Move money not yet spent from one channel to another."""

    do: Literal["move_money"]
    """The action."""
    from_channel: Id
    """Channel the money leaves."""
    to_channel: Id | Literal["best"] = "best"
    """Channel it goes to; ``best`` as in ``release_reserve``."""
    share: Share = 0.5
    """Share of ``from_channel``'s money left for the rest of the quarter that moves."""
    region: Id | None = None
    """Region where it moves; default: every region."""


class Expedite(Strict):
    """Order at once from the backup supplier (faster, dearer)."""

    do: Literal["expedite"]
    """The action."""
    product: Id | None = None
    """Product to expedite; default: every stocked product with a backup supplier that is under
    its safety stock at the review."""
    units: NonNegative | None = None
    """Units to order; default: the product's backup order size (its reorder quantity)."""


class StartPromotion(Strict):
    """Start a price promotion on a channel from the next week."""

    do: Literal["start_promotion"]
    """The action."""
    channel: Id
    """Channel it runs on."""
    discount: Share
    """Share taken off the price of every product while it runs."""
    weeks: int = Field(default=2, ge=1)
    """Weeks it runs."""


class StopPromotion(Strict):
    """Stop every promotion planned on a channel from the next week."""

    do: Literal["stop_promotion"]
    """The action."""
    channel: Id
    """Channel whose promotions stop."""


class Overtime(Strict):
    """Add overtime hours to reps of one role for the rest of the quarter (or a few weeks)."""

    do: Literal["overtime"]
    """The action."""
    role: Role
    """Reps who work it."""
    hours_per_week: NonNegative
    """Extra hours per rep per week."""
    cost_per_hour: Money
    """Money paid per overtime hour."""
    region: Id | None = None
    """Region whose reps work it; default: every region."""
    weeks: int | None = Field(default=None, ge=1)
    """Weeks it lasts; default: to the quarter's end."""


Action = Annotated[
    ReleaseReserve | MoveMoney | Expedite | StartPromotion | StopPromotion | Overtime,
    Field(discriminator="do"),
]


class Rule(Strict):
    """When every condition holds at a review, take the action."""

    id: Id
    """Identifier, shown where the rule's firings are reported."""
    when: list[Condition] = Field(min_length=1)
    """Conditions that must all hold."""
    then: Action
    """What management does."""
    weeks: list[Week] = []
    """Review weeks at which the rule is considered; empty means every review."""
    once: bool = True
    """Fire at most once per quarter."""


class Management(Strict):
    """How the quarter is managed: when progress is reviewed and the contingency rules."""

    review_every: int = Field(default=2, ge=1)
    """Weeks between reviews; a review happens at the end of weeks review_every,
    2 * review_every, ... before the last week."""
    rules: list[Rule] = []
    """Rules, checked in this order at each review."""
