"""Turning pydantic's validation errors into problems a planner can read."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from engine.errors import Problem

_PLAIN = re.compile(r"^[^\W\d][\w\-]*$")
_KEY = "[key]"
"""pydantic's last location part when a mapping's key (not its value) is invalid."""
_NO_VALUE = {"missing", "value_error", "assertion_error", "model_type", "model_attributes_type"}


def field_path(loc: tuple[Any, ...]) -> str:
    """``('regions', 3, 'potential')`` -> ``regions[3].potential``."""
    out = ""
    for part in loc:
        if part == _KEY:
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        elif not _PLAIN.match(str(part)):
            out += f"[{str(part)!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(err: Any) -> str:
    text = _plain_message(err)
    return f"key {text}" if err["loc"] and err["loc"][-1] == _KEY else text


def _plain_message(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    bounds = {
        "greater_than": ">",
        "greater_than_equal": ">=",
        "less_than": "<",
        "less_than_equal": "<=",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return (
            f"must be {bounds[kind]} {limit:g}"
            if isinstance(limit, float)
            else f"must be {bounds[kind]} {limit}"
        )
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("float_type", "int_type", "float_parsing", "int_parsing", "int_from_float"):
        return "must be a whole number" if kind.startswith("int") else "must be a number"
    if kind in ("finite_number",):
        return "must be a finite number"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind in ("string_pattern_mismatch",):
        return "must use only letters, digits, '_' and '-'"
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    return msg[:1].lower() + msg[1:]


def problems_from_validation(exc: ValidationError) -> list[Problem]:
    """One ``Problem`` per pydantic error, with the field path and the offending value."""
    problems = []
    for err in exc.errors():
        text = isinstance(err["input"], str)
        has_value = (err["type"] not in _NO_VALUE or (err["type"] == "value_error" and text)) \
            and not isinstance(err["input"], dict)
        problems.append(
            Problem(
                field_path(err["loc"]),
                _message(err),
                err["input"] if has_value else None,
                has_value=has_value,
            )
        )
    return problems
