"""Sweep grids: parse ``0.8:1.2:9`` ranges and ``PATH=V1,V2`` settings, and apply a setting to a
scenario document without touching it.

Paths use the scenario's own field names; rows of id-keyed tables are addressed by id:
``channels.social.spend.max`` is the ``spend.max`` of the channel whose id is ``social``.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.errors import UsageError, clip
from engine.scenario.limits import MAX_SWEEP_POINTS
from engine.scenario.yaml_io import parse_scalar


@dataclass(frozen=True)
class Setting:
    """One field to sweep and the values it takes."""

    path: str
    values: tuple[Any, ...]
    names: tuple[str, ...] = ()
    """How each value is shown (default: ``path=value``)."""

    def name(self, index: int) -> str:
        """The label of value ``index``."""
        if self.names:
            return self.names[index]
        value = self.values[index]
        return f"{self.path}={value:g}" if isinstance(value, float) else f"{self.path}={value}"


def parse_range(text: str, option: str = "--budget") -> tuple[float, ...]:
    """``start:stop:count`` -> evenly spaced values (both ends included); ``a,b,c`` -> those.

    Values must be finite, at most ``MAX_SWEEP_POINTS`` of them; budget multiples (``--budget``,
    ``--split``) must also be >= 0.
    """
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            n = int(count)
            if not 1 <= n <= MAX_SWEEP_POINTS:
                raise UsageError(f"{option}: COUNT must be 1 to {MAX_SWEEP_POINTS:,} "
                                 f"(got {clip(count)})")
            ends = (float(start), float(stop))
            _check_values(ends, text, option)
            values = tuple(float(v) for v in np.linspace(*ends, n))
        else:
            values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise UsageError(
            f"{option}: expected START:STOP:COUNT or a comma-separated list (got {clip(text)!r})"
        ) from None
    _check_values(values, text, option)
    return values


def _check_values(values: tuple[float, ...], text: str, option: str) -> None:
    if len(values) > MAX_SWEEP_POINTS:
        raise UsageError(f"{option}: at most {MAX_SWEEP_POINTS:,} values (got {len(values):,})")
    if not all(math.isfinite(v) for v in values):
        raise UsageError(f"{option}: every value must be a finite number (got {clip(text)!r})")
    if option in ("--budget", "--split") and min(values) < 0:
        raise UsageError(f"{option}: multiples of the budget must be >= 0 (got {clip(text)!r})")


def check_grid_size(settings: list[Setting]) -> None:
    """A grid of at most ``MAX_SWEEP_POINTS`` points."""
    size = math.prod(len(x.values) for x in settings)
    if size > MAX_SWEEP_POINTS:
        raise UsageError(f"sweep: {size:,} points in the grid; at most {MAX_SWEEP_POINTS:,}")


def parse_setting(text: str) -> Setting:
    """``PATH=V1,V2,...`` or ``PATH=START:STOP:COUNT`` -> a ``Setting``."""
    path, sep, values = text.partition("=")
    if not sep or not path.strip() or not values.strip():
        raise UsageError(f"--set: expected PATH=VALUES (got {text!r})")
    if ":" in values:
        return Setting(path.strip(), parse_range(values, "--set"))
    if values.count(",") >= MAX_SWEEP_POINTS:
        raise UsageError(f"--set {clip(path.strip())}: at most {MAX_SWEEP_POINTS:,} values")
    return Setting(path.strip(), tuple(parse_scalar(v.strip()) for v in values.split(",")))


def _step(node: Any, key: str, path: str) -> tuple[Any, Any]:
    """The container and the key/index under which ``key`` lives in ``node``."""
    if isinstance(node, dict):
        return node, key
    if isinstance(node, list):
        for i, row in enumerate(node):
            if isinstance(row, dict) and row.get("id") == key:
                return node, i
        if key.isdigit() and int(key) < len(node):
            return node, int(key)
    raise UsageError(f"--set {path}: no field or row {key!r} in the scenario")


def apply_setting(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``doc`` with the field at ``path`` set to ``value`` (missing mappings created)."""
    out = copy.deepcopy(doc)
    parts = path.split(".")
    node: Any = out
    for part in parts[:-1]:
        parent, key = _step(node, part, path)
        if isinstance(parent, dict) and key not in parent:
            parent[key] = {}
        node = parent[key]
    parent, key = _step(node, parts[-1], path)
    parent[key] = value
    return out
