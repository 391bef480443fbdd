"""Actuals: what happened in the quarter so far, in a documented tidy format, validated strictly
against a scenario (see ``engine.actuals.format`` for the columns and metrics)."""

from engine.actuals.format import COLUMNS, METRICS, REPEAT, format_reference
from engine.actuals.table import Actuals, actuals_frame, write_actuals
from engine.actuals.validate import load_actuals, validate_rows

__all__ = [
    "COLUMNS",
    "METRICS",
    "REPEAT",
    "Actuals",
    "actuals_frame",
    "format_reference",
    "load_actuals",
    "validate_rows",
    "write_actuals",
]
