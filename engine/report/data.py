"""What a report is made of: the input contract of the output layer.

``ReportData`` is plain data produced by ``run``, ``compare``, ``sweep`` or ``recalibrate``; every
writer in ``engine.report`` (HTML, CSV, Excel, run folder) reads it and nothing else. Tables are
tidy ``pandas.DataFrame`` objects under known names; any may be absent and the outputs show the
sections they have. Tables under other names are allowed: they are written to CSV and Excel and
shown as plain tables at the end of the HTML report.

Known tables and their columns (money is in the scenario's ``currency``):

``spend``         region, channel, spend (money per quarter)
``reps``          region, role, on_hand, hires, added, reps (head counts)
``targets``       region, line, week, target (money per week)
``revenue_fan``   week, p10, p50, p90, mean, target (cumulative revenue and target, money)
``funnel``        stage, entered, converted, cold (leads or deals), bottleneck (bool)
``stock``         week, product, p10, p50, p90, safety_stock (units on hand)
``cash``          week, metric (``cash`` | ``receivables``), p10, p50, p90 (money)
``kpis``          metric, mean, se, p10, p50, p90 (unit per metric; optional ``unit`` column)
``alerts``        kind, subject, week, detail
``shadow_prices`` constraint, family, meaning, value, unit
``comparison``    scenario, metric, p10, p50, p90, diff_mean, diff_lo, diff_hi, prob_better
                  (the first scenario is the baseline; its diff columns are NaN)
``frontier``      budget, objective, revenue (money), shadow_price (money per money), current (bool)
``plan_spend``    region, channel, then one money column per plan compared (side by side)
``plan_spend_by_channel`` channel, one money column per plan, ``<plan> share`` columns (0–1)
``plan_reps``     region, role, one head-count column per plan
``plan_targets``  region, week, one money column per plan (its own target), common (the
                  target every plan is measured against)
``plan_by_world`` plan, one money column per world (mean net contribution)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

import pandas as pd

from engine.kpis import label_of, unit_of

Unit = Literal["money", "share", "count", "days"]
Kind = Literal["run", "compare", "sweep", "recalibrate", "simulate", "optimize", "review"]
UNITS: tuple[str, ...] = get_args(Unit)
KINDS: tuple[str, ...] = get_args(Kind)

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "spend": ("region", "channel", "spend"),
    "reps": ("region", "role", "on_hand", "hires", "added", "reps"),
    "targets": ("region", "line", "week", "target"),
    "revenue_fan": ("week", "p10", "p50", "p90", "mean", "target"),
    "funnel": ("stage", "entered", "converted", "cold", "bottleneck"),
    "stock": ("week", "product", "p10", "p50", "p90", "safety_stock"),
    "cash": ("week", "metric", "p10", "p50", "p90"),
    "kpis": ("metric", "mean", "se", "p10", "p50", "p90"),
    "alerts": ("kind", "subject", "week", "detail"),
    "shadow_prices": ("constraint", "family", "meaning", "value", "unit"),
    "comparison": (
        "scenario", "metric", "p10", "p50", "p90", "diff_mean", "diff_lo", "diff_hi", "prob_better",
    ),
    "frontier": ("budget", "objective", "revenue", "shadow_price", "current"),
    "plan_spend_by_channel": ("channel",),
    "plan_spend": ("region", "channel"),
    "plan_reps": ("region", "role"),
    "plan_targets": ("region", "week", "common"),
    "plan_by_world": ("plan",),
}
"""Required columns of every known table, in display order."""

COLUMN_UNITS: dict[str, dict[str, str]] = {
    "spend": {"spend": "money"},
    "reps": {c: "count" for c in ("on_hand", "hires", "added", "reps")},
    "targets": {"target": "money"},
    "revenue_fan": {c: "money" for c in ("p10", "p50", "p90", "mean", "target")},
    "funnel": {c: "count" for c in ("entered", "converted", "cold")},
    "stock": {c: "count" for c in ("p10", "p50", "p90", "safety_stock")},
    "cash": {c: "money" for c in ("p10", "p50", "p90")},
    "comparison": {"prob_better": "share"},
    "frontier": {"budget": "money", "objective": "money", "revenue": "money",
                 "shadow_price": "number", "sim_net_contribution": "money",
                 "sim_net_contribution_lo": "money", "sim_net_contribution_hi": "money"},
    "shadow_prices": {"value": "number"},
}
"""Unit of each numeric column whose unit does not depend on the row."""

OUTCOME_TABLES = ("outcomes_region", "outcomes_line", "outcomes_region_line", "outcomes_channel",
                  "outcomes_segment")
"""Simulated outcomes by region, line, region x line, channel and segment (columns:
``engine.simulate.breakdown.OUTCOME_COLUMNS`` after the keys)."""
OUTCOME_UNITS: dict[str, str] = {
    **{c: "money" for c in ("revenue", "revenue_p10", "revenue_p50", "revenue_p90",
                            "gross_profit", "target")},
    **{c: "count" for c in ("wins", "orders")},
    **{c: "share" for c in ("attainment", "attainment_p10", "attainment_p50", "attainment_p90",
                            "hit_target", "chance_of_missing")},
}
COLUMN_UNITS |= {name: OUTCOME_UNITS for name in (*OUTCOME_TABLES, "risk", "attainment",
                                                   "tier_targets", "tier_attainment")}

TARGET_SHEETS = ("target_sheet", "target_sheet_lines")
"""Targets as a region manager reads them: region x month, and region x line x month (money,
with totals)."""
COLUMN_UNITS |= {name: {"quarter": "money", **{f"month {m}": "money" for m in range(1, 13)}}
                 for name in TARGET_SHEETS}

ROW_UNIT_COLUMNS: dict[str, tuple[str, ...]] = {
    "kpis": ("mean", "se", "p10", "p50", "p90"),
    "comparison": ("mean", "p10", "p50", "p90", "diff_mean", "diff_lo", "diff_hi"),
}
"""Columns whose unit is the unit of the row's ``metric`` (from the KPI registry)."""

def metric_unit(metric: str) -> str:
    """The unit of a KPI from the registry (``engine.kpis``); ``number`` when unregistered."""
    return unit_of(metric)


def with_labels(name: str, frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """``frame`` with a ``label`` column (the KPI registry's label) after ``metric`` when it is a
    table keyed by KPI (``kpis``, ``comparison``); other tables unchanged."""
    if name not in ROW_UNIT_COLUMNS or "metric" not in frame.columns or "label" in frame.columns:
        return frame
    out = frame.copy()
    out.insert(list(out.columns).index("metric") + 1, "label",
               [label_of(str(m), lang) for m in out["metric"]])
    return out


def row_units(frame: pd.DataFrame) -> list[str]:
    """Unit of each row of a table keyed by ``metric`` (its ``unit`` column, else the name)."""
    if "unit" in frame.columns:
        return [str(u) if str(u) in UNITS else "number" for u in frame["unit"]]
    return [metric_unit(str(m)) for m in frame["metric"]]


@dataclass(frozen=True)
class Headline:
    """One headline figure with its uncertainty band.

    ``p10``/``p50``/``p90`` are in ``unit``: money (currency units), share (0–1), count, days.
    A figure known exactly has ``p10 == p50 == p90``.
    """

    label: str
    p10: float
    p50: float
    p90: float
    unit: Unit = "money"
    note: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"headline {self.label!r}: unit must be one of {UNITS}, "
                             f"got {self.unit!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"label": self.label, "p10": self.p10, "p50": self.p50, "p90": self.p90,
                "unit": self.unit, "note": self.note}


@dataclass(frozen=True)
class ReportData:
    """Everything the report writers show; see the module docstring for the tables.

    Raises ``ValueError`` when ``kind`` is unknown or a known table lacks a required column
    (a programming error in the caller, not bad planner input).
    """

    title: str
    scenario: str
    currency: str
    headline: list[Headline] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    kind: Kind = "run"
    lang: str = "en"
    """The language of labels and headers (``engine.report.i18n.LANGS``)."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"report kind must be one of {KINDS}, got {self.kind!r}")
        for name, frame in self.tables.items():
            missing = [c for c in TABLE_COLUMNS.get(name, ()) if c not in frame.columns]
            if missing:
                raise ValueError(f"table {name!r} lacks column(s) {', '.join(missing)}")

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` when present and not empty, else ``None``."""
        frame = self.tables.get(name)
        return None if frame is None or frame.empty else frame

    def to_dict(self) -> dict[str, Any]:
        """Plain data: headline as dicts, tables as lists of records."""
        return {
            "kind": self.kind,
            "title": self.title,
            "scenario": self.scenario,
            "currency": self.currency,
            "headline": [h.to_dict() for h in self.headline],
            "tables": {name: frame.to_dict(orient="records")
                       for name, frame in self.tables.items()},
            "meta": dict(self.meta),
        }
