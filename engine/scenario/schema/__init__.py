"""The scenario schema: frozen pydantic models, one module per part of the quarter.

Every model forbids unknown keys and validates strictly (no text silently read as a number).
Units are stated on every field: money is per quarter unless the field says otherwise,
durations are in days, rates in leads or units per week.
"""

from engine.scenario.schema.commercial import (
    Collections,
    CompetitorShock,
    CreditTier,
    Policy,
    Pricing,
    Promotion,
    TargetRule,
)
from engine.scenario.schema.common import Distribution, SpendBounds
from engine.scenario.schema.management import Condition, Management, Rule
from engine.scenario.schema.market import Channel, Product, Region, ResponseCurve, Segment
from engine.scenario.schema.operations import (
    Disruption,
    Funnel,
    Inventory,
    Ramp,
    RoleSpec,
    Salesforce,
    Stage,
    StockItem,
    Supplier,
)
from engine.scenario.schema.scenario import Budget, Horizon, Scenario, Simulation

__all__ = [
    "Budget",
    "Channel",
    "Collections",
    "CompetitorShock",
    "Condition",
    "CreditTier",
    "Disruption",
    "Distribution",
    "Funnel",
    "Horizon",
    "Inventory",
    "Management",
    "Policy",
    "Pricing",
    "Product",
    "Promotion",
    "Ramp",
    "Region",
    "ResponseCurve",
    "RoleSpec",
    "Rule",
    "Salesforce",
    "Scenario",
    "Segment",
    "Simulation",
    "SpendBounds",
    "Stage",
    "StockItem",
    "Supplier",
    "TargetRule",
]
