"""Reading a plan file as a planner writes it: CSV, Excel, YAML (or the ``plan.json`` that
``optimize --out`` writes), into raw tables of rows that remember where each row was.

A plan file holds up to three tables. ``spend`` is required and comes in one of three forms,
told apart by its columns: ``region, channel, spend`` (amounts), ``channel, spend`` (an amount
per channel, shared over regions by a rule) or ``channel, share`` (shares of the spendable
budget). ``reps`` (``region, role, reps``, or the ``on_hand, hires, added`` of ``plan.json``)
and ``targets`` (``region, line, week, target``) are optional.

* CSV: the spend table alone (any of the three forms).
* Excel: sheets named ``spend``, ``reps``, ``targets`` (the first sheet is the spend table when
  none is named ``spend``).
* YAML / JSON: a mapping with the keys ``spend``, ``reps``, ``targets`` (lists of rows; an
  empty ``targets: []`` means no targets, an absent one targets from the forecast; the
  spend may also be a mapping ``channel: amount`` under ``spend_by_channel`` or ``channel:
  share`` under ``shares``) and optionally ``spread`` (``optimizer``, ``potential``, ``even``).

Nothing here knows the scenario; ``engine.plans.checks`` validates and completes the tables.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import Problem, ScenarioError
from engine.scenario.limits import MAX_ACTUALS_BYTES, read_bounded
from engine.scenario.yaml_io import read_yaml

SPREAD_RULES = ("optimizer", "potential", "even")
"""How an amount per channel is shared over regions: as the optimiser's plan shares it, by
region potential, or evenly."""

Row = dict[str, Any]


@dataclass(frozen=True)
class RawTable:
    """Rows of one table as written, with ``where`` naming each (``row 4``, ``spend[2]``)."""

    rows: list[Row]
    where: list[str]

    @property
    def columns(self) -> set[str]:
        """Every column any row has."""
        return {k for r in self.rows for k in r}


@dataclass(frozen=True)
class RawPlan:
    """A plan file's tables before validation; ``reps``/``targets`` are ``None`` when absent."""

    source: str
    spend: RawTable
    reps: RawTable | None = None
    targets: RawTable | None = None
    spread: str | None = None
    label: str = ""
    """The plan's own name (``source`` in ``plan.json``), if it has one."""


def _fail(source: str, where: str, message: str, value: Any = None, has: bool = False) -> None:
    raise ScenarioError(source, [Problem(where, message, value, has_value=has)])


def _csv_table(text: str, source: str, label: str = "row") -> RawTable:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        _fail(source, "", "the file is empty: expected a header row")
    header = [h.strip().lower() for h in reader.fieldnames or []]
    rows, where = [], []
    for n, record in enumerate(reader, start=2):
        values = list(record.values())
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if None in record:
            _fail(source, f"{label} {n}", "more cells than columns in the header")
        rows.append({h: _cell(v) for h, v in zip(header, values, strict=True)})
        where.append(f"{label} {n}")
    return RawTable(rows, where)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return None if value == "" else value
    return value


def _sheet_table(sheet: Any, label: str) -> RawTable:
    values = list(sheet.iter_rows(values_only=True))
    if not values:
        return RawTable([], [])
    header = [str(h).strip().lower() if h is not None else "" for h in values[0]]
    rows, where = [], []
    for n, cells in enumerate(values[1:], start=2):
        if all(_cell(c) is None for c in cells):
            continue
        rows.append({h: _cell(c) for h, c in zip(header, cells, strict=False) if h})
        where.append(f"{label} row {n}")
    return RawTable(rows, where)


def _read_excel(path: Path, source: str) -> RawPlan:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken file
        raise ScenarioError(source, [Problem("", f"not an Excel workbook: {exc}",
                                             has_value=False)]) from None
    names = {n.strip().lower(): n for n in book.sheetnames}
    spend_name = names.get("spend", book.sheetnames[0])
    tables = {key: _sheet_table(book[names[key]], f"sheet {names[key]}")
              for key in ("reps", "targets") if key in names}
    return RawPlan(source, _sheet_table(book[spend_name], f"sheet {spend_name}"),
                   tables.get("reps"), tables.get("targets"))


def _rows(data: Any, key: str, source: str) -> RawTable:
    if not isinstance(data, list):
        _fail(source, key, "must be a list of rows", type(data).__name__, True)
    for i, row in enumerate(data):
        if not isinstance(row, dict):
            _fail(source, f"{key}[{i}]", "each row must be a mapping", row, True)
    return RawTable([{str(k).lower(): v for k, v in r.items()} for r in data],
                    [f"{key}[{i}]" for i in range(len(data))])


def _by_channel(data: Any, key: str, column: str, source: str) -> RawTable:
    if not isinstance(data, dict):
        _fail(source, key, "must be a mapping channel: value", type(data).__name__, True)
    return RawTable([{"channel": c, column: v} for c, v in data.items()],
                    [f"{key}.{c}" for c in data])


KNOWN_KEYS = {"scenario", "source", "spend", "spend_by_channel", "shares", "reps", "targets",
              "spread"}


def _read_mapping(data: Any, source: str) -> RawPlan:
    if not isinstance(data, dict):
        _fail(source, "", "a plan file must be a mapping with a 'spend' table",
              type(data).__name__, True)
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        _fail(source, unknown[0], f"unknown key (known: {', '.join(sorted(KNOWN_KEYS))})")
    given = [k for k in ("spend", "spend_by_channel", "shares") if k in data]
    if len(given) != 1:
        _fail(source, "spend", "give exactly one of 'spend', 'spend_by_channel', 'shares'",
              given, True)
    key = given[0]
    if key == "spend":
        spend = _rows(data[key], key, source)
    else:
        spend = _by_channel(data[key], key, "spend" if key == "spend_by_channel" else "share",
                            source)
    reps = _rows(data["reps"], "reps", source) if data.get("reps") is not None else None
    targets = _rows(data["targets"], "targets", source) if data.get("targets") is not None \
        else None
    spread = data.get("spread")
    if spread is not None and spread not in SPREAD_RULES:
        _fail(source, "spread", f"must be one of {', '.join(SPREAD_RULES)}", spread, True)
    return RawPlan(source, spend, reps, targets, spread, str(data.get("source") or ""))


def _bounded_text(p: Path, source: str, binary: bool = False) -> str:
    """The file's text (``""`` for a workbook, only its size checked), at most
    ``MAX_ACTUALS_BYTES``; ``ScenarioError`` naming the file otherwise."""
    try:
        data = read_bounded(p, MAX_ACTUALS_BYTES, "the plan file")
        return "" if binary else data.decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ScenarioError(source, [Problem("", f"cannot read: {exc}", has_value=False)]) \
            from None


def read_plan_file(path: str | Path) -> RawPlan:
    """The tables of the plan file at ``path`` (by its extension); ``ScenarioError`` naming
    the file when it cannot be read."""
    p, source = Path(path), str(path)
    suffix = p.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm", ".yaml", ".yml", ".json"):
        _fail(source, "", "a plan file must be .csv, .xlsx, .yaml or .json", p.suffix, True)
    if not p.is_file():
        _fail(source, "", "no such plan file")
    if suffix in (".yaml", ".yml"):
        return _read_mapping(read_yaml(p, source), source)
    text = _bounded_text(p, source, binary=suffix in (".xlsx", ".xlsm"))
    if suffix in (".xlsx", ".xlsm"):
        return _read_excel(p, source)
    if suffix == ".json":
        try:
            return _read_mapping(json.loads(text), source)
        except json.JSONDecodeError as exc:
            raise ScenarioError(source, [Problem("", f"not JSON: {exc}", has_value=False)]) \
                from None
    return RawPlan(source, _csv_table(text, source))


def read_targets_file(path: str | Path) -> RawTable:
    """The targets table of ``path``: a CSV of ``region, line, week, target``, the sheet
    ``targets`` of a workbook, or the ``targets`` key of a YAML/JSON plan."""
    p, source = Path(path), str(path)
    suffix = p.suffix.lower()
    if not p.is_file():
        _fail(source, "", "no such targets file")
    if suffix == ".csv":
        return _csv_table(_bounded_text(p, source), source)
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        _bounded_text(p, source, binary=True)
        try:
            book = load_workbook(p, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise ScenarioError(source, [Problem("", f"not an Excel workbook: {exc}",
                                                 has_value=False)]) from None
        names = {n.strip().lower(): n for n in book.sheetnames}
        if "targets" not in names:
            _fail(source, "", "the workbook has no sheet named 'targets'")
        return _sheet_table(book[names["targets"]], "sheet targets")
    try:
        data = read_yaml(p, source) if suffix in (".yaml", ".yml") else \
            json.loads(_bounded_text(p, source))
    except json.JSONDecodeError as exc:
        raise ScenarioError(source, [Problem("", f"not JSON: {exc}", has_value=False)]) \
            from None
    if not isinstance(data, dict) or not data.get("targets"):
        _fail(source, "targets", "the file has no 'targets' rows")
    return _rows(data["targets"], "targets", source)
