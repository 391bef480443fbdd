"""Loading a scenario: read the YAML, resolve ``extends:``, pull in CSV tables, validate.

The phases are ``read_document`` (raw mapping, overrides resolved) and ``build_scenario``
(strict validation and cross-checks); ``load_scenario`` does both. Every problem of a file is
collected into one ``ScenarioError``.
"""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.errors import MAX_PROBLEMS, Problem, ScenarioError
from engine.scenario.checks import check_scenario
from engine.scenario.limits import MAX_EXTENDS, MAX_SCENARIO_BYTES, read_bounded
from engine.scenario.problems import problems_from_validation
from engine.scenario.schema import Scenario
from engine.scenario.yaml_io import bad_text, parse_scalar, read_yaml

log = logging.getLogger(__name__)

CSV_TABLES = ("regions", "products", "channels", "customers")
"""Top-level tables that may be given as the name of a CSV file beside the YAML."""


def deep_merge(base: Any, override: Any, path: str = "", changed: list[str] | None = None) -> Any:
    """Merge ``override`` into ``base`` without touching either.

    Mappings merge key by key; lists of mappings that all carry an ``id`` merge row by row
    (rows with a new id are appended); anything else is replaced. ``changed`` collects the
    paths whose value the override changed or added.
    """
    log = changed if changed is not None else []
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            sub = f"{path}.{key}" if path else str(key)
            if key in base:
                merged[key] = deep_merge(base[key], value, sub, log)
            else:
                merged[key] = value
                log.append(sub)
        return merged
    if _id_rows(base) and _id_rows(override):
        rows = {row["id"]: row for row in base}
        for row in override:
            sub = f"{path}[{row['id']}]"
            if row["id"] in rows:
                rows[row["id"]] = deep_merge(rows[row["id"]], row, sub, log)
            else:
                rows[row["id"]] = row
                log.append(sub)
        return list(rows.values())
    if override != base:
        log.append(path)
    return override


def _id_rows(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(r, dict) and isinstance(r.get("id"), str | int) for r in value)
    )


def _csv_text(path: Path, source: str, field: str) -> str:
    """The CSV file's text (UTF-8, a BOM allowed); a problem naming the row otherwise."""
    try:
        raw = read_bounded(path, MAX_SCENARIO_BYTES, "the CSV file")
    except FileNotFoundError:
        raise ScenarioError(source, [Problem(field, "no such CSV file", path.name)]) from None
    except (OSError, ValueError) as exc:
        raise ScenarioError(source, [Problem(field, f"cannot read {path.name}: {exc}",
                                             has_value=False)]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        problem = Problem(field, f"{path.name} row {row}: not UTF-8 text; save the table as "
                          "CSV UTF-8", has_value=False)
        raise ScenarioError(source, [problem]) from None


def _read_csv(path: Path, source: str, field: str) -> list[dict[str, Any]]:
    """The rows of a CSV table, strictly: a duplicate or blank column name, or a row with more
    cells than the header, is an error naming the row."""
    lines = list(csv.reader(io.StringIO(_csv_text(path, source, field), newline="")))
    if not lines:
        return []
    header = [c.strip() for c in lines[0]]
    twice = sorted({c for c in header if header.count(c) > 1})
    problems = [Problem(f"{field} ({path.name})", f"column {c!r} is written twice",
                        has_value=False) for c in twice]
    problems += [Problem(f"{field} ({path.name})", f"column {i + 1} has no name", has_value=False)
                 for i, c in enumerate(header) if not c]
    problems += [Problem(f"{field} ({path.name})", f"row {n}: {len(cells)} cells, but the header "
                         f"has {len(header)}", has_value=False)
                 for n, cells in enumerate(lines[1:], start=2) if len(cells) > len(header)]
    problems += [Problem(f"{field} ({path.name})", f"row {n}: the text {why}", has_value=False)
                 for n, cells in enumerate(lines, start=1)
                 for why in {bad_text(c) for c in cells} - {None}][:MAX_PROBLEMS]
    if problems:
        raise ScenarioError(source, problems)
    return [_nest(dict(zip(header, cells, strict=False))) for cells in lines[1:] if any(cells)]


def _nest(row: dict[str, str]) -> dict[str, Any]:
    """Turn CSV columns like ``reps.field`` into nested mappings; blank cells are left out."""
    nested: dict[str, Any] = {}
    for column, cell in row.items():
        value = parse_scalar(cell or "")
        if value is None:
            continue
        *parents, leaf = column.strip().split(".")
        target = nested
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return nested


def _pull_tables(doc: dict[str, Any], folder: Path, source: str) -> dict[str, Any]:
    out = dict(doc)
    for table in CSV_TABLES:
        value = out.get(table)
        if isinstance(value, str) and value.lower().endswith(".csv"):
            out[table] = _read_csv(folder / value, source, table)
    return out


def read_document(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario at ``path`` as one mapping, with ``extends:`` and CSV tables resolved."""
    file = Path(path)
    source = str(path)
    resolved = file.resolve()
    if resolved in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, resolved))
        raise ScenarioError(source, [Problem("extends", f"cycle: {cycle}", has_value=False)])
    if len(_chain) >= MAX_EXTENDS:
        deep = Problem("extends", f"more than {MAX_EXTENDS} files extend one another",
                       has_value=False)
        raise ScenarioError(str(_chain[0]), [deep])
    raw = read_yaml(file, source)
    if not isinstance(raw, dict):
        raise ScenarioError(
            source, [Problem("", "a scenario must be a mapping of fields", type(raw).__name__)]
        )
    doc = _pull_tables(raw, file.parent, source)
    parent = doc.pop("extends", None)
    if "name" not in doc:
        doc["name"] = file.stem
    if parent is None:
        return doc
    if not isinstance(parent, str):
        raise ScenarioError(source, [Problem("extends", "must be a file name", parent)])
    parent_path = file.parent / parent
    if not parent_path.exists():
        raise ScenarioError(source, [Problem("extends", "no such scenario file", parent)])
    base = read_document(parent_path, (*_chain, resolved))
    changed: list[str] = []
    merged = deep_merge(base, doc, changed=changed)
    log.info("%s overrides %s: %s", file.name, parent, ", ".join(changed))
    return merged


def source_files(path: str | Path) -> list[Path]:
    """The files a scenario is read from: itself, what it ``extends:``, its CSV tables
    (those that exist; read for names only, after ``read_document`` has accepted them)."""
    found: list[Path] = []
    file: Path | None = Path(path)
    while file is not None and file.is_file() and file.resolve() not in found:
        found.append(file.resolve())
        raw = read_yaml(file)
        if not isinstance(raw, dict):
            break
        found += [(file.parent / v).resolve() for t in CSV_TABLES
                  if isinstance(v := raw.get(t), str) and (file.parent / v).is_file()]
        parent = raw.get("extends")
        file = file.parent / parent if isinstance(parent, str) else None
    return found


def build_scenario(doc: dict[str, Any], source: str) -> Scenario:
    """Validate a resolved document strictly; raise one ``ScenarioError`` with every problem."""
    try:
        scenario = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ScenarioError(source, problems_from_validation(exc)) from None
    problems = check_scenario(scenario)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def load_scenario(path: str | Path) -> Scenario:
    """Read, resolve and validate the scenario file at ``path``."""
    return build_scenario(read_document(path), str(path))
