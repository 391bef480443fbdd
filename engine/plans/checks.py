"""Validating a plan file against its scenario and completing it into a ``Plan``.

Strict: every problem names the file and the row (unknown region, channel, role, product line
or week; an amount that is negative, text or not finite; a head count that is not a whole
number; a row written twice; spend over the spendable budget or outside a scenario bound). All
problems of a file are reported at once as one ``ScenarioError`` (exit code 2).

Completing: spend given per channel (or as shares of the spendable budget) is shared over
regions by the rule ``spread``; missing reps are the scenario's reps on hand with no hires;
rows missing from a reps table given are the reps on hand too, but an empty reps table (``reps:
[]``) or one of zeros is a quarter without a salesforce, refused unless asked for; targets left
out stay empty (``engine.jobs.plans`` sets them from the plan's own forecast).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from engine.errors import Problem, ScenarioError
from engine.plan import REPS_COLUMNS, SPEND_COLUMNS, TARGET_COLUMNS, Plan
from engine.plans.read import SPREAD_RULES, RawPlan, RawTable
from engine.scenario.schema import Scenario
from engine.scenario.schema.common import ROLES

TOLERANCE = 1e-6
"""Relative slack on the budget and the bounds (rounding in a spreadsheet)."""


@dataclass(frozen=True)
class PlanRules:
    """How to complete a plan file: ``spread`` rule for spend per channel (when the file does
    not say), and whether a salesforce of zero reps may be asked for."""

    spread: str = "optimizer"
    allow_no_reps: bool = False


@dataclass(frozen=True)
class PlanInput:
    """A validated plan file: the ``plan``, what was filled in (``notes``), and whether its
    targets still have to come from its forecast (``needs_targets``)."""

    plan: Plan
    notes: list[str] = field(default_factory=list)
    needs_targets: bool = False


class _Problems:
    """Problems found so far in one file."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, where: str, message: str, value: Any = None, has: bool = True) -> None:
        self.items.append(Problem(where, message, value, has_value=has))


def _number(value: Any, where: str, what: str, problems: _Problems,
            percent: bool = False) -> float | None:
    """A finite number >= 0 from a cell (``1,200,000`` and, for shares, ``25%`` accepted)."""
    number: float | None = None
    if isinstance(value, bool) or value is None:
        number = None
    elif isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.replace(",", "").replace("_", "").strip()
        scale = 1.0
        if percent and text.endswith("%"):
            text, scale = text[:-1], 0.01
        try:
            number = float(text) * scale
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        problems.add(where, f"{what} must be a number", value)
        return None
    if number < 0:
        problems.add(where, f"{what} must be >= 0", value)
        return None
    return number


def _known(value: Any, known: list[str], where: str, what: str, problems: _Problems) -> bool:
    if str(value) in known:
        return True
    problems.add(where, f"unknown {what} (known: {', '.join(known)})", value)
    return False


def _spend_form(table: RawTable, source: str) -> str:
    cols = table.columns
    if {"region", "channel", "spend"} <= cols:
        return "amounts"
    if {"channel", "share"} <= cols and "region" not in cols:
        return "shares"
    if {"channel", "spend"} <= cols and "region" not in cols:
        return "channel"
    got = ", ".join(sorted(cols)) or "nothing"
    raise ScenarioError(source, [Problem(
        "spend", "the spend table needs the columns region,channel,spend or channel,spend or "
        f"channel,share (got {got})", has_value=False)])


def _weights(s: Scenario, rule: str, reference: Plan | None) -> dict[str, dict[str, float]]:
    """Channel -> region -> share of the channel's spend, by ``rule``."""
    regions = [r.id for r in s.regions]
    potential = {r.id: r.potential / sum(x.potential for x in s.regions) for r in s.regions}
    out = {}
    for c in s.channels:
        shares = potential if rule == "potential" else {r: 1 / len(regions) for r in regions}
        if rule == "optimizer":
            if reference is None:
                raise ValueError("the 'optimizer' spread rule needs the optimiser's plan")
            own = {r: reference.spend_of(r, c.id) for r in regions}
            total = sum(own.values())
            shares = {r: v / total for r, v in own.items()} if total > 0 else potential
        out[c.id] = shares
    return out


SPREAD_WORDS = {"optimizer": "as the optimiser's plan shares it",
                "potential": "by region potential", "even": "evenly"}


def _spend_values(raw: RawPlan, s: Scenario, form: str,
                  problems: _Problems) -> dict[tuple[str, ...], float]:
    """The spend rows checked: ``(region, channel)`` or ``(channel,)`` -> money (shares are
    turned into money of the spendable budget)."""
    regions, channels = [r.id for r in s.regions], [c.id for c in s.channels]
    column = "share" if form == "shares" else "spend"
    scale = s.budget.spendable if form == "shares" else 1.0
    values: dict[tuple[str, ...], float] = {}
    seen: dict[tuple[str, ...], str] = {}
    for row, where in zip(raw.spend.rows, raw.spend.where, strict=True):
        key = ((str(row.get("region")),) if form == "amounts" else ()) + (str(row.get("channel")),)
        ok = _known(row.get("channel"), channels, where, "channel", problems)
        if form == "amounts":
            ok = _known(row.get("region"), regions, where, "region", problems) and ok
        value = _number(row.get(column), where, column, problems, percent=form == "shares")
        if key in seen:
            problems.add(where, f"written twice (first at {seen[key]})", "/".join(key))
        elif ok and value is not None:
            values[key] = value * scale
        seen.setdefault(key, where)
    return values


def _spend(raw: RawPlan, s: Scenario, rules: PlanRules, reference: Plan | None,
           problems: _Problems) -> tuple[pd.DataFrame, list[str]]:
    """The spend table of every region and channel (rows not written are 0), and a note on
    the spread rule when the file gives spend per channel."""
    form = _spend_form(raw.spend, raw.source)
    values = _spend_values(raw, s, form, problems)
    regions, channels = [r.id for r in s.regions], [c.id for c in s.channels]
    notes = []
    if form == "shares" and sum(values.values()) > s.budget.spendable * (1 + TOLERANCE):
        problems.add("share", "shares of the spendable budget add up to more than 1",
                     round(sum(values.values()) / s.budget.spendable, 6))
    if form != "amounts":
        rule = raw.spread or rules.spread
        weights = _weights(s, rule, reference)
        values = {(r, c): v * weights[c][r] for (c,), v in values.items() for r in regions}
        notes.append(f"spend per channel shared over regions {SPREAD_WORDS[rule]}")
    rows = [{"region": r, "channel": c, "spend": values.get((r, c), 0.0)}
            for r in regions for c in channels]
    return pd.DataFrame(rows, columns=SPEND_COLUMNS), notes


def _bounds(spend: pd.DataFrame, s: Scenario, problems: _Problems) -> None:
    total = float(spend.spend.sum())
    if total > s.budget.spendable * (1 + TOLERANCE):
        problems.add("spend", f"total spend is over the spendable budget "
                     f"{s.budget.spendable:,.0f} (total less the "
                     f"{s.budget.reserve_share:.0%} reserve)", round(total, 2))
    by_channel = spend.groupby("channel").spend.sum()
    by_region = spend.groupby("region").spend.sum()
    checks = [("channel", c.id, c.spend, by_channel.get(c.id, 0.0)) for c in s.channels]
    checks += [("region", r.id, r.spend, by_region.get(r.id, 0.0)) for r in s.regions]
    for kind, key, bounds, value in checks:
        slack = TOLERANCE * max(1.0, abs(float(value)))
        if value < bounds.min - slack:
            problems.add(f"spend of {kind} {key}", f"below the scenario's minimum "
                         f"{bounds.min:,.0f}", round(float(value), 2))
        if bounds.max is not None and value > bounds.max + slack:
            problems.add(f"spend of {kind} {key}", f"above the scenario's maximum "
                         f"{bounds.max:,.0f}", round(float(value), 2))


def _count(value: Any, where: str, what: str, problems: _Problems) -> int | None:
    number = _number(value, where, what, problems)
    if number is None:
        return None
    if number != int(number):
        problems.add(where, f"{what} must be a whole number of reps", value)
        return None
    return int(number)


def _rep_row(row: dict[str, Any], where: str, on_hand: int, hires: int,
             problems: _Problems) -> dict[str, Any] | None:
    if "reps" in row and not {"on_hand", "hires", "added"} & set(row):
        total = _count(row.get("reps"), where, "reps", problems)
        if total is None:
            return None
        kept = min(total, on_hand)
        planned = min(total - kept, hires)
        return {"on_hand": kept, "hires": planned, "added": total - kept - planned,
                "reps": total}
    counts = [_count(row.get(k), where, k, problems) for k in ("on_hand", "hires", "added")]
    if any(c is None for c in counts):
        return None
    a, b, c = (int(x or 0) for x in counts)
    return {"on_hand": a, "hires": b, "added": c, "reps": a + b + c}


def _rep_counts(table: RawTable, s: Scenario,
                problems: _Problems) -> dict[tuple[str, str], dict[str, Any]]:
    """The reps rows checked: ``(region, role)`` -> head counts."""
    regions = {r.id: r for r in s.regions}
    given: dict[tuple[str, str], dict[str, Any]] = {}
    seen: dict[tuple[str, str], str] = {}
    for row, where in zip(table.rows, table.where, strict=True):
        ok = _known(row.get("region"), list(regions), where, "region", problems)
        ok = _known(row.get("role"), list(ROLES), where, "role", problems) and ok
        key = (str(row.get("region")), str(row.get("role")))
        if key in seen:
            problems.add(where, f"written twice (first at {seen[key]})", "/".join(key))
        elif ok:
            r = regions[key[0]]
            counts = _rep_row(row, where, r.reps.get(key[1]), r.hires.get(key[1]), problems)
            if counts is not None:
                given[key] = counts
        seen.setdefault(key, where)
    return given


def _reps(raw: RawPlan, s: Scenario, rules: PlanRules,
          problems: _Problems) -> tuple[pd.DataFrame, list[str]]:
    """The reps of every region and role: as the file gives them, rows it leaves out the reps
    on hand with no hires; an empty salesforce refused unless ``rules`` allow it."""
    given = _rep_counts(raw.reps, s, problems) if raw.reps is not None else {}
    notes = [] if raw.reps is not None else [
        "reps: not in the file - the scenario's reps on hand, no hires"]
    empty = raw.reps is not None and not raw.reps.rows  # ``reps: []``: no salesforce at all
    rows = [{"region": r.id, "role": role,
             **given.get((r.id, role), {"on_hand": 0 if empty else r.reps.get(role),
                                        "hires": 0, "added": 0,
                                        "reps": 0 if empty else r.reps.get(role)})}
            for r in s.regions for role in ROLES]
    frame = pd.DataFrame(rows, columns=REPS_COLUMNS)
    on_hand = sum(r.reps.get(role) for r in s.regions for role in ROLES)
    refused = not (rules.allow_no_reps or s.salesforce.unlimited) and on_hand > 0
    if raw.reps is not None and frame.reps.sum() == 0 and refused:
        problems.add("reps", "the plan has no reps at all: every lead would go cold; "
                     "leave 'reps' out to keep the reps on hand, or pass --allow-no-reps "
                     "to simulate a quarter without a salesforce", has=False)
    return frame, notes


def _targets(table: RawTable | None, s: Scenario, problems: _Problems) -> pd.DataFrame:
    if table is None:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    regions, lines = [r.id for r in s.regions], sorted({p.line for p in s.products})
    weeks = [str(w) for w in range(1, s.horizon.weeks + 1)]
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str], str] = {}
    for row, where in zip(table.rows, table.where, strict=True):
        week = row.get("week")
        week_text = str(int(week)) if isinstance(week, float) and week.is_integer() else str(week)
        ok = _known(row.get("region"), regions, where, "region", problems)
        ok = _known(row.get("line"), lines, where, "product line", problems) and ok
        ok = _known(week_text, weeks, where, "week", problems) and ok
        value = _number(row.get("target"), where, "target", problems)
        key = (str(row.get("region")), str(row.get("line")), week_text)
        if key in seen:
            problems.add(where, f"written twice (first at {seen[key]})", "/".join(key))
            continue
        seen[key] = where
        if ok and value is not None:
            rows.append({"region": key[0], "line": key[1], "week": int(week_text),
                         "target": value})
    return pd.DataFrame(rows, columns=TARGET_COLUMNS)


def complete_targets(table: RawTable, s: Scenario, source: str) -> pd.DataFrame:
    """A targets table (``region, line, week, target``) checked against ``s``."""
    problems = _Problems()
    targets = _targets(table, s, problems)
    if not problems.items and targets.empty:
        problems.add("targets", "no target rows", has=False)
    if problems.items:
        raise ScenarioError(source, problems.items)
    return targets


def complete_plan(raw: RawPlan, s: Scenario, rules: PlanRules | None = None,
                  reference: Plan | None = None, name: str | None = None) -> PlanInput:
    """The plan file ``raw`` checked against ``s`` and completed (see the module's doc).

    ``reference`` is the optimiser's plan, used by the spread rule ``optimizer``. Raises
    ``ScenarioError`` naming the file and every row at fault.
    """
    rules = rules or PlanRules()
    if rules.spread not in SPREAD_RULES:
        raise ValueError(f"unknown spread rule {rules.spread!r}")
    problems = _Problems()
    spend, notes = _spend(raw, s, rules, reference, problems)
    if not problems.items:
        _bounds(spend, s, problems)
    reps, rep_notes = _reps(raw, s, rules, problems)
    targets = _targets(raw.targets, s, problems)
    if problems.items:
        raise ScenarioError(raw.source, problems.items)
    if raw.targets is None:
        notes.append(f"targets: not in the file - the policy's {s.policy.target.rule} rule "
                     "on this plan's own forecast")
    elif targets.empty:
        notes.append("targets: empty in the file - none set")
    plan = Plan(s.name, spend, reps, targets, name or raw.label or raw.source)
    return PlanInput(plan, notes + rep_notes, raw.targets is None)
