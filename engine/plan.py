"""The plan: the decisions a quarter runs on (spend, reps, targets), as tidy tables.

A ``Plan`` is what the optimiser produces and the simulator consumes; it can be written to and
read back from JSON (``plan.json``, ``read_plan``). Plan files a planner writes (CSV, Excel,
YAML, incomplete ones too) are read, checked and completed by ``engine.plans``. ``even_plan``
gives a simple hand-made plan (budget split by region potential, every rep on hand kept) that
needs no solver.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from engine.errors import Problem, ScenarioError
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES

SPEND_COLUMNS = ["region", "channel", "spend"]
REPS_COLUMNS = ["region", "role", "on_hand", "hires", "added", "reps"]
TARGET_COLUMNS = ["region", "line", "week", "target"]


@dataclass(frozen=True)
class Plan:
    """Decisions for one quarter.

    Attributes
    ----------
    scenario:
        Name of the scenario the plan was made for.
    spend:
        ``region, channel, spend``: marketing money per quarter.
    reps:
        ``region, role, on_hand, hires, added, reps``: tenured reps on hand, planned hires from the
        scenario, hires added by the plan, and the total (all head counts).
    targets:
        ``region, line, week, target``: revenue target per week (money); may be empty.
    source:
        Where the plan came from (``optimizer``, ``even``, a file name).
    """

    scenario: str
    spend: pd.DataFrame
    reps: pd.DataFrame
    targets: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TARGET_COLUMNS))
    source: str = ""

    def spend_of(self, region: str, channel: str) -> float:
        """Quarter spend on ``channel`` in ``region`` (0 when the plan has no row)."""
        return self._spend_index.get((region, channel), 0.0)

    def reps_of(self, region: str, role: str) -> tuple[float, float]:
        """``(tenured, ramping)`` reps of ``role`` in ``region``: on hand vs hires + added."""
        return self._reps_index.get((region, role), (0.0, 0.0))

    @cached_property
    def _spend_index(self) -> dict[tuple[str, str], float]:
        sums: dict[tuple[str, str], float] = {}
        for region, channel, spend in zip(self.spend.region, self.spend.channel,
                                          self.spend.spend, strict=True):
            key = (str(region), str(channel))
            sums[key] = sums.get(key, 0.0) + float(spend)
        return sums

    @cached_property
    def _reps_index(self) -> dict[tuple[str, str], tuple[float, float]]:
        index: dict[tuple[str, str], tuple[float, float]] = {}
        r = self.reps
        for region, role, on_hand, hires, added in zip(r.region, r.role, r.on_hand, r.hires,
                                                        r.added, strict=True):
            index.setdefault((str(region), str(role)),
                             (float(on_hand), float(hires) + float(added)))
        return index

    @property
    def total_spend(self) -> float:
        """All marketing money the plan spends (money per quarter)."""
        return float(self.spend.spend.sum())

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as written to ``plan.json``."""
        return {
            "scenario": self.scenario,
            "source": self.source,
            "spend": self.spend[SPEND_COLUMNS].to_dict(orient="records"),
            "reps": self.reps[REPS_COLUMNS].to_dict(orient="records"),
            "targets": self.targets[TARGET_COLUMNS].to_dict(orient="records"),
        }


def _frame(data: Any, columns: list[str], source: str, key: str) -> pd.DataFrame:
    if not isinstance(data, list):
        raise ScenarioError(source, [Problem(key, "must be a list of rows", type(data).__name__)])
    frame = pd.DataFrame(data, columns=columns) if data else pd.DataFrame(columns=columns)
    missing = [c for c in columns if c not in frame or frame[c].isna().any()]
    if missing:
        raise ScenarioError(source, [Problem(key, f"rows need the columns {columns}", missing)])
    return frame


def plan_from_dict(data: Any, source: str = "plan") -> Plan:
    """Read a plan written by ``Plan.to_dict``; raise ``ScenarioError`` naming ``source``."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", "a plan must be a mapping", type(data).__name__)])
    spend = _frame(data.get("spend"), SPEND_COLUMNS, source, "spend")
    if (pd.to_numeric(spend.spend, errors="coerce").fillna(-1) < 0).any():
        raise ScenarioError(
            source, [Problem("spend", "spend must be numbers >= 0", None, has_value=False)]
        )
    return Plan(
        scenario=str(data.get("scenario", "")),
        spend=spend.astype({"spend": float}),
        reps=_frame(data.get("reps"), REPS_COLUMNS, source, "reps"),
        targets=_frame(data.get("targets", []), TARGET_COLUMNS, source, "targets"),
        source=str(data.get("source") or source),
    )


def _reps_table(s: Scenario) -> pd.DataFrame:
    rows = [
        {
            "region": r.id,
            "role": role,
            "on_hand": r.reps.get(role),
            "hires": r.hires.get(role),
            "added": 0,
            "reps": r.reps.get(role) + r.hires.get(role),
        }
        for r in s.regions
        for role in ROLES
    ]
    return pd.DataFrame(rows, columns=REPS_COLUMNS)


def even_plan(s: Scenario) -> Plan:
    """A plan without a solver: the spendable budget split over regions by potential and evenly
    over channels, every rep on hand and every planned hire kept, no targets.

    It ignores spend bounds and policy; it is a baseline and a test input, not a recommendation.
    """
    total_potential = sum(r.potential for r in s.regions)
    per_channel = s.budget.spendable / len(s.channels)
    rows = [
        {"region": r.id, "channel": c.id, "spend": per_channel * r.potential / total_potential}
        for r in s.regions
        for c in s.channels
    ]
    return Plan(s.name, pd.DataFrame(rows, columns=SPEND_COLUMNS), _reps_table(s), source="even")


def read_plan(path: str | Path) -> Plan:
    """A plan written by ``Plan.to_dict`` (``plan.json``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(str(path), [Problem("", "no such plan file", has_value=False)]) \
            from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(str(path), [Problem("", f"not JSON: {exc}", has_value=False)]) \
            from None
    return plan_from_dict(data, str(path))
