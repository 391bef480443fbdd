"""Display names: every table a planner reads shows a region's, channel's, product's or
segment's ``name`` where the scenario gives one, and its id where not.

The run folder's ``result.json`` and ``plan.json`` keep the ids (they are read back by
``compare``, ``simulate --plan`` and ``recalibrate``); the tables of the report, the workbook
and ``tables/*.csv`` show the names.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from engine.scenario.schema import Scenario

NAMED_COLUMNS = ("region", "channel", "product", "segment")
"""Columns whose values are ids of the scenario's items of that kind."""


def display_names(s: Scenario) -> dict[str, dict[str, str]]:
    """Column -> id -> display name (the id when no name is given)."""
    def names(items: Sequence[Any]) -> dict[str, str]:
        return {i.id: i.name or i.id for i in items}

    return {"region": names(s.regions), "channel": names(s.channels),
            "product": names(s.products), "segment": names(s.customers)}


def named(frame: pd.DataFrame, names: dict[str, dict[str, str]]) -> pd.DataFrame:
    """``frame`` with the ids in its ``NAMED_COLUMNS`` replaced by display names."""
    out = frame
    for column in NAMED_COLUMNS:
        if column in frame.columns and names.get(column):
            mapping = names[column]
            if out is frame:
                out = frame.copy()
            out[column] = [mapping.get(str(v), v) if isinstance(v, str) else v
                           for v in frame[column]]
    return out


def named_tables(tables: dict[str, pd.DataFrame], s: Scenario) -> dict[str, pd.DataFrame]:
    """Every table of a report with display names."""
    names = display_names(s)
    return {key: named(frame, names) for key, frame in tables.items()}


def outcome_tables(outcomes: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``SimulationResult.outcomes`` under the report's table names (``outcomes_region``...)."""
    return {f"outcomes_{key}": frame for key, frame in outcomes.items()}
