"""Shared building blocks of the scenario schema: the strict base model and small value types."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ROLES: tuple[str, ...] = ("field", "telesales", "support")
"""The rep roles quarterplan knows, in display order."""

Role = Literal["field", "telesales", "support"]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")]
"""An identifier: letters, digits, ``_`` and ``-`` only, so it is safe in tables and names."""

Money = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""An amount of money (currency units), never negative."""

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
"""A share or probability in [0, 1]."""

Count = Annotated[int, Field(ge=0)]
"""A whole number of things (reps, customers, units), never negative."""

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Week = Annotated[int, Field(ge=1)]
"""A week of the quarter, counted from 1."""


class Strict(BaseModel):
    """Base of every scenario model: frozen, unknown keys forbidden, no silent type coercion,
    every number finite."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", strict=True, use_attribute_docstrings=True,
        allow_inf_nan=False,
    )


class SpendBounds(Strict):
    """Lower and upper bound on an amount of spend (money per quarter)."""

    min: Money = 0.0
    """Least spend allowed (money per quarter)."""
    max: Money | None = None
    """Most spend allowed (money per quarter); ``None`` means no upper bound."""

    @model_validator(mode="after")
    def _ordered(self) -> SpendBounds:
        if self.max is not None and self.max < self.min:
            raise ValueError(f"max ({self.max:g}) must be >= min ({self.min:g})")
        return self


class Distribution(Strict):
    """A duration distribution in days.

    ``fixed`` uses ``mean``; ``exponential`` uses ``mean``; ``lognormal`` and ``gamma`` use
    ``mean`` and ``sd``; ``uniform`` uses ``low`` and ``high``.
    """

    dist: Literal["fixed", "exponential", "lognormal", "gamma", "uniform"] = "fixed"
    """The family of the distribution."""
    mean: NonNegative = 0.0
    """Mean duration (days)."""
    sd: NonNegative = 0.0
    """Standard deviation (days); used by ``lognormal`` and ``gamma``."""
    low: NonNegative = 0.0
    """Lower end (days); used by ``uniform``."""
    high: NonNegative = 0.0
    """Upper end (days); used by ``uniform``."""

    @model_validator(mode="after")
    def _parameters(self) -> Distribution:
        if self.dist == "uniform" and self.high < self.low:
            raise ValueError(f"high ({self.high:g}) must be >= low ({self.low:g})")
        if self.dist in ("lognormal", "gamma") and (self.mean <= 0 or self.sd <= 0):
            raise ValueError(f"{self.dist} needs mean > 0 and sd > 0")
        if self.dist == "exponential" and self.mean <= 0:
            raise ValueError("exponential needs mean > 0")
        return self

    @property
    def expected(self) -> float:
        """The mean of the distribution (days)."""
        if self.dist == "uniform":
            return (self.low + self.high) / 2
        return self.mean
