"""The run folder: every output of one run, written all at once or not at all.

Layout of ``runs/<scenario>-<YYYYmmdd-HHMMSS>/``::

    result.json             the whole result (schema below)
    tables/<name>.csv       one tidy CSV per table (formula-safe)
    workbook.xlsx           the same tables, formatted, plus a summary sheet
    report.html             the self-contained HTML report
    scenario.resolved.yaml  the scenario after ``extends:`` (when given)
    meta.json               seed, created time, versions of quarterplan, solver, Python
    <extra files>           what a command adds (``optimize``: ``plan.json``)

The folder is built in a hidden temporary sibling and renamed into place, so a killed run
leaves no half-written folder. An existing non-empty folder is replaced only when
``overwrite=True``.

``result.json`` (``RESULT_SCHEMA_VERSION`` 1) has these top-level keys:

``schema_version``  int, bumped on any incompatible change
``kind``            ``run`` | ``compare`` | ``sweep`` | ``recalibrate`` | ``simulate`` |
                    ``optimize`` | ``review``
``title``, ``scenario``, ``currency``
``headline``        list of ``{label, p10, p50, p90, unit, note}``
``tables``          ``{name: [row records]}``, the same rows as the CSV files
``result``          the producing command's own result (plan, solver outcome, …)
``meta``            as in ``meta.json``
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
import secrets
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from engine.errors import UsageError
from engine.files import atomic_write
from engine.output import render_json, to_jsonable
from engine.report.data import ReportData
from engine.report.html import render_html
from engine.report.tables import tables_csv
from engine.report.workbook import write_workbook

RESULT_SCHEMA_VERSION = 1
RESULT_KEYS = ("schema_version", "kind", "title", "scenario", "currency", "headline", "tables",
               "result", "meta")
VERSIONED = ("quarterplan", "pulp", "highspy", "numpy", "pandas", "simpy")


@dataclass(frozen=True)
class RunFolder:
    """Where a run's outputs are: the folder and each file by role."""

    path: Path
    files: dict[str, Path] = field(default_factory=dict)


def _safe(name: str) -> str:
    """``name`` usable as one file name: runs of unsafe characters become ``-``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-") or "unnamed"


def default_run_folder(scenario_name: str, now: datetime, root: Path = Path("runs")) -> Path:
    """``runs/<scenario>-<YYYYmmdd-HHMMSS>``; characters unsafe in a file name become ``-``."""
    return root / f"{_safe(scenario_name)}-{now:%Y%m%d-%H%M%S}"


def versions() -> dict[str, str]:
    """Versions of Python, quarterplan and the libraries that shape a result."""
    found = {"python": platform.python_version()}
    for package in VERSIONED:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def run_meta(data: ReportData) -> dict[str, Any]:
    """``meta.json``: the report's meta (seed, created, …) with the versions added."""
    return {**to_jsonable(data.meta), "versions": versions()}


def result_document(data: ReportData, result_json: dict[str, Any]) -> dict[str, Any]:
    """The content of ``result.json`` (also what ``--format json`` prints); keys in RESULT_KEYS."""
    plain = data.to_dict()
    document = {
        "schema_version": RESULT_SCHEMA_VERSION,
        **{k: plain[k] for k in ("kind", "title", "scenario", "currency", "headline", "tables")},
        "result": result_json,
        "meta": run_meta(data),
    }
    return dict(to_jsonable(document))


def _check_target(folder: Path, overwrite: bool) -> None:
    """Refuse a target that is a file, or a non-empty folder without ``overwrite``."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} exists and is not a folder; choose another --out")
    if folder.is_dir() and any(folder.iterdir()) and not overwrite:
        raise UsageError(f"run folder {folder} already exists; choose another --out or pass "
                         "--overwrite to replace it")


def _write_contents(staging: Path, data: ReportData, result_json: dict[str, Any],
                    resolved_scenario: dict[str, Any] | None,
                    extra: dict[str, str]) -> dict[str, str]:
    """Every file of the run folder into ``staging``; returns role → relative path."""
    files = {"result": "result.json", "meta": "meta.json", "workbook": "workbook.xlsx",
             "report": "report.html"}
    atomic_write(staging / "result.json", render_json(result_document(data, result_json)))
    atomic_write(staging / "meta.json", render_json(run_meta(data)))
    for name, text in tables_csv(data).items():
        files[f"table:{name}"] = f"tables/{_safe(name)}.csv"
        atomic_write(staging / files[f"table:{name}"], text)
    write_workbook(data, staging / "workbook.xlsx")
    atomic_write(staging / "report.html", render_html(data))
    if resolved_scenario is not None:
        files["scenario"] = "scenario.resolved.yaml"
        text = yaml.safe_dump(to_jsonable(resolved_scenario), sort_keys=False, allow_unicode=True)
        atomic_write(staging / "scenario.resolved.yaml", text)
    for name, text in extra.items():
        files[name] = _safe(name)
        atomic_write(staging / files[name], text)
    return files


def _move_into_place(staging: Path, folder: Path) -> None:
    """Rename ``staging`` to ``folder``; an existing ``folder`` is set aside, then removed."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    aside = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.old-"))
    os.replace(folder, aside / folder.name)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(aside / folder.name, folder)
        raise
    finally:
        shutil.rmtree(aside, ignore_errors=True)


def write_run_folder(data: ReportData, result_json: dict[str, Any], folder: Path, *,
                     resolved_scenario: dict[str, Any] | None,
                     overwrite: bool = False,
                     extra: dict[str, str] | None = None) -> RunFolder:
    """Write the run folder atomically (see the module docstring for its layout).

    Raises ``UsageError`` when ``folder`` is a file, or an existing non-empty folder and
    ``overwrite`` is false. On any failure nothing is left behind and an existing folder is
    untouched.
    """
    folder = Path(folder)
    _check_target(folder, overwrite)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = folder.parent / f".{folder.name}.tmp-{secrets.token_hex(6)}"
    staging.mkdir()
    try:
        files = _write_contents(staging, data, result_json, resolved_scenario, extra or {})
        _check_target(folder, overwrite)
        _move_into_place(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunFolder(folder, {role: folder / rel for role, rel in files.items()})


def write_report_folder(data: ReportData, result_json: dict[str, Any], out: str | Path | None,
                        *, scenario_path: str | Path | None = None, overwrite: bool = False,
                        extra: dict[str, str] | None = None, now: datetime | None = None) -> Path:
    """What every writing command does: the run folder at ``out`` (default
    ``runs/<scenario>-<timestamp>``), with the resolved scenario when ``scenario_path`` is given;
    returns its path. Raises ``UsageError`` as ``write_run_folder`` does."""
    from engine.scenario.loading import read_document

    folder = Path(out) if out else default_run_folder(data.scenario, now or datetime.now())
    resolved = read_document(scenario_path) if scenario_path is not None else None
    written = write_run_folder(data, to_jsonable(result_json), folder,
                               resolved_scenario=resolved, overwrite=overwrite, extra=extra)
    return written.path
