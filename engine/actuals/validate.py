"""Strict validation of actuals against a scenario: every problem, with its row number.

``load_actuals`` reads a file and ``validate_rows`` checks its rows; both raise one
``ScenarioError(source, problems)`` whose problem paths name the row and column
(``row 14: wins``). The rules are those of ``engine.actuals.format``.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import pandas as pd

from engine.actuals.format import KEYS, METRICS, REPEAT, MetricSpec
from engine.actuals.read import read_rows
from engine.actuals.table import Actuals
from engine.economics import ORGANIC
from engine.errors import Problem, ScenarioError
from engine.scenario.limits import MAX_ACTUAL_COUNT, MAX_ACTUAL_VALUE, MAX_OPEN_LEADS
from engine.scenario.schema import Scenario


def _known(s: Scenario | None) -> dict[str, set[str]] | None:
    """Ids allowed in each key column (``None``: no scenario, any id is accepted)."""
    if s is None:
        return None
    channels = {c.id for c in s.channels}
    return {
        "region": {r.id for r in s.regions},
        "marketing": channels,
        "sources": channels | {ORGANIC},
        "sales": channels | {ORGANIC, REPEAT},
        "stage": {st.id for st in s.funnel.stages},
        "product": {p.id for p in s.products},
        "line": {p.line for p in s.products},
    }


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _week_problem(text: str, last: int | None, horizon: int | None) -> str | None:
    value = _number(text)
    if value is None or not value.is_integer():
        return "must be a whole number of weeks"
    if value < 1:
        return "must be >= 1"
    if horizon is not None and value > horizon:
        return f"is beyond the quarter's {horizon} weeks"
    if last is not None and value > last:
        return f"is beyond the as-of week {last}"
    return None


def _value_problem(text: str, spec: MetricSpec) -> str | None:
    value = _number(text)
    if value is None:
        return "must be a finite number"
    if value < 0:
        return "must be >= 0"
    if spec.count and not value.is_integer():
        return "must be a whole number"
    if spec.count and value > MAX_ACTUAL_COUNT:
        return f"is more than one week can hold ({MAX_ACTUAL_COUNT:,} in one row)"
    if value > MAX_ACTUAL_VALUE:
        return f"is implausibly large (more than {MAX_ACTUAL_VALUE:.0e} in one row)"
    return None


def _key_problems(
    row: dict[str, Any], spec: MetricSpec, known: dict[str, set[str]] | None
) -> list[tuple[str, str, str | None]]:
    out: list[tuple[str, str, str | None]] = []
    for key in KEYS:
        cell = row[key]
        used = key in spec.required or key in spec.optional
        if key in spec.required and not cell:
            out.append((key, f"is required by metric {row['metric']}", None))
        elif cell and not used:
            out.append((key, f"is not used by metric {row['metric']}; leave it blank", cell))
        elif cell and known is not None:
            allowed = known[spec.channels] if key == "channel" else known[key]
            if cell not in allowed:
                out.append((key, f"unknown {key}", cell))
    return out


def _row_problems(
    row: dict[str, Any], s: Scenario | None, known: dict[str, set[str]] | None, last: int | None
) -> list[Problem]:
    where = f"row {row['row']}"
    spec = METRICS.get(row["metric"])
    if spec is None:
        return [Problem(f"{where}: metric", f"unknown metric; one of {', '.join(METRICS)}",
                        row["metric"])]
    out = []
    horizon = s.horizon.weeks if s is not None else None
    message = _week_problem(row["week"], last, horizon)
    if message:
        out.append(Problem(f"{where}: week", message, row["week"]))
    message = _value_problem(row["value"], spec)
    if message:
        out.append(Problem(f"{where}: {row['metric']}", message, row["value"]))
    out += [Problem(f"{where}: {k}", m, v, has_value=v is not None)
            for k, m, v in _key_problems(row, spec, known)]
    if s is not None and row["product"] and row["line"]:
        line = next((p.line for p in s.products if p.id == row["product"]), row["line"])
        if line != row["line"]:
            out.append(Problem(f"{where}: line", f"product {row['product']} is in line {line}",
                               row["line"]))
    return out


def _plausible(frame: pd.DataFrame, s: Scenario | None) -> list[Problem]:
    """Totals the scenario cannot have produced: spend beyond the quarter's whole budget, more
    leads open at once than the simulator carries."""
    out = []
    spend = float(frame.value[frame.metric == "spend"].sum())
    if s is not None and spend > s.budget.total:
        out.append(Problem("spend", f"totals {spend:,.0f}, more than the quarter's whole budget "
                           f"{s.budget.total:,.0f}", has_value=False))
    open_rows = frame[frame.metric == "open"]
    if len(open_rows):
        at_last = float(open_rows.value[open_rows.week == open_rows.week.max()].sum())
        if at_last > MAX_OPEN_LEADS:
            out.append(Problem("open", f"{at_last:,.0f} leads open at once; at most "
                               f"{MAX_OPEN_LEADS:,} are carried into a re-plan", has_value=False))
    return out


def _typed(text: pd.DataFrame, s: Scenario | None) -> pd.DataFrame:
    """Rows with week and value as numbers and the line filled in from the product."""
    frame = text.copy()
    frame["week"] = frame.week.astype(float).astype(int)
    frame["value"] = frame.value.astype(float)
    if s is not None:
        line_of = {p.id: p.line for p in s.products}
        frame["line"] = [line or line_of.get(product, "")
                         for line, product in zip(frame.line, frame["product"], strict=True)]
    return frame


def _duplicates(frame: pd.DataFrame) -> list[Problem]:
    keys = ["week", *KEYS, "metric"]
    dup = frame[frame.duplicated(keys, keep=False)]
    first = dup.groupby(keys, sort=False).row.transform("min")
    return [
        Problem(f"row {r}: {m}", f"repeats row {f} (same week, keys and metric)",
                has_value=False)
        for r, m, f in zip(dup.row, dup.metric, first, strict=True)
        if r != f
    ]


def _mixed_channels(frame: pd.DataFrame) -> list[Problem]:
    """A region gives a metric either per channel or as its total, never both."""
    out = []
    optional = [m for m, spec in METRICS.items() if "channel" in spec.optional]
    rows = frame[frame.metric.isin(optional) & (frame.channel != REPEAT)]
    for (metric, region), group in rows.groupby(["metric", "region"], sort=False):
        blank = group.channel == ""
        if blank.any() and not blank.all():
            first = int(group[blank].row.min())
            out.append(Problem(f"row {first}: channel",
                               f"{region} gives {metric} both per channel and as a total "
                               "without one", has_value=False))
    return out


def _cumulative(frame: pd.DataFrame, metric: str, stage: str = "") -> pd.DataFrame:
    rows = frame[(frame.metric == metric) & (frame.channel != REPEAT)]
    if stage:
        rows = rows[rows.stage == stage]
    if rows.empty:
        return pd.DataFrame(columns=["region", "channel", "week", "total", "row"])
    weekly = rows.groupby(["region", "channel", "week"]).agg(total=("value", "sum"),
                                                             row=("row", "min"))
    weekly["total"] = weekly.groupby(level=[0, 1]).total.cumsum()
    return weekly.reset_index()


def _label(count: tuple[str, str]) -> str:
    return f"entries to stage {count[1]}" if count[1] else count[0]


def _not_above(
    frame: pd.DataFrame, lower: tuple[str, str], upper: tuple[str, str]
) -> list[Problem]:
    """Problems where cumulative ``lower`` (metric, stage) exceeds cumulative ``upper``."""
    low, up = _cumulative(frame, *lower), _cumulative(frame, *upper)
    if low.empty or up.empty:
        return []
    up = up.sort_values("week")
    out = []
    for (region, channel), group in low.groupby(["region", "channel"]):
        ref = up[(up.region == region) & (up.channel == channel)]
        have = pd.merge_asof(group.sort_values("week"), ref[["week", "total"]], on="week",
                             suffixes=("", "_up")).fillna({"total_up": 0.0})
        bad = have[have.total > have.total_up + 1e-9]
        if not bad.empty:
            b = bad.iloc[0]
            out.append(Problem(
                f"row {int(b.row)}: {lower[0]}",
                f"{_label(lower)} of {region}/{channel} up to week {int(b.week)} ({b.total:g}) "
                f"exceed the {_label(upper)} ({b.total_up:g})", has_value=False))
    return out


def _funnel_order(frame: pd.DataFrame, s: Scenario | None) -> list[Problem]:
    """Cumulative counts never grow down the funnel (leads -> stages in order -> wins); without
    a scenario the stage order is unknown, so each stage and the wins are checked against leads."""
    present = set(frame[frame.metric == "entered"].stage)
    leads, wins = ("leads", ""), ("wins", "")
    if s is None:
        pairs = [(("entered", st), leads) for st in sorted(present)] + [(wins, leads)]
    else:
        chain = [leads, *[("entered", st.id) for st in s.funnel.stages if st.id in present], wins]
        pairs = [(lower, upper) for upper, lower in itertools.pairwise(chain)]
    return [p for lower, upper in pairs for p in _not_above(frame, lower, upper)]


def validate_rows(
    text: pd.DataFrame,
    scenario: Scenario | None = None,
    as_of_week: int | None = None,
    source: str = "actuals",
) -> Actuals:
    """Check rows read by ``read_rows`` and return them typed as ``Actuals``.

    Parameters
    ----------
    text:
        Rows as text with a ``row`` column (see ``read_rows``).
    scenario:
        Ids, stages and the horizon to check against; ``None`` checks the format only.
    as_of_week:
        Last week the actuals may cover; ``None``: the last week present.

    Raises
    ------
    ScenarioError
        Every problem found, each naming its row.
    """
    known = _known(scenario)
    records: list[dict[str, Any]] = text.to_dict(orient="records")  # type: ignore[assignment]
    problems = [p for row in records
                for p in _row_problems(row, scenario, known, as_of_week)]
    if problems:
        raise ScenarioError(source, problems)
    frame = _typed(text, scenario)
    problems = (_duplicates(frame) + _mixed_channels(frame) + _funnel_order(frame, scenario)
                + _plausible(frame, scenario))
    if problems:
        raise ScenarioError(source, problems)
    last = as_of_week if as_of_week is not None else int(frame.week.max() if len(frame) else 0)
    return Actuals(frame.reset_index(drop=True), last, source)


def load_actuals(
    path: str | Path, scenario: Scenario | None = None, as_of_week: int | None = None
) -> Actuals:
    """Read and validate the actuals file at ``path`` (CSV or ``.xlsx``)."""
    return validate_rows(read_rows(path), scenario, as_of_week, str(path))
