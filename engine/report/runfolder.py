"""The run folder: every output of one run, written all at once or not at all.

Layout of ``runs/<scenario>-<YYYYmmdd-HHMMSS>/``::

    result.json             the whole result (schema below)
    tables/<name>.csv       one tidy CSV per table (formula-safe)
    workbook.xlsx           the same tables, formatted, plus a summary sheet
    report.html             the self-contained HTML report
    scenario.resolved.yaml  the scenario after ``extends:`` (when given)
    meta.json               seed, created time, versions of quarterplan, solver, Python
    <extra files>           what a command adds (``optimize``: ``plan.json``)

    .quarterplan-run        the marker: only folders with it are replaced by ``--overwrite``

The folder is built in a hidden staging sibling (``.<name>.tmp-<pid>-<hex>``) and renamed into
place, so a killed run leaves no half-written folder; the next run into the same place removes
what a killed one left (and puts back an old folder set aside mid-replacement). Where it goes
is checked before the long work (``check_run_folder``): an existing non-empty folder is replaced
only with ``overwrite=True`` and only when it is a run folder, never the current folder (or one
holding it) nor one holding an input of the command. A file that cannot be written (disk full,
read-only, a missing folder) is an ``OutputError`` naming the path, and nothing is left.

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
import json
import os
import platform
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from engine.errors import OutputError
from engine.files import (
    atomic_write,
    output_error,
    probe_writable,
    remove_path,
    remove_stale,
    scratch_path,
    stale_scratch,
)
from engine.output import render_json, to_jsonable
from engine.report.data import ReportData
from engine.report.html import render_html
from engine.report.tables import tables_csv
from engine.report.workbook import write_workbook

RESULT_SCHEMA_VERSION = 1
RESULT_KEYS = ("schema_version", "kind", "title", "scenario", "currency", "headline", "tables",
               "result", "meta")
MARKER = ".quarterplan-run"
"""The file that makes a folder a run folder: only run folders are replaced by --overwrite."""
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


def _is_run_folder(folder: Path) -> bool:
    return (folder / MARKER).is_file()


def _inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies under it (both resolved)."""
    return path == folder or folder in path.parents


def _check_target(folder: Path, overwrite: bool, inputs: Iterable[str | Path] = ()) -> None:
    """Refuse a target that is a file, a non-empty folder without ``overwrite``, and, even with
    it, a folder that is not a run folder, holds the current folder or holds an input."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder; choose another --out")
    here, resolved = Path.cwd().resolve(), folder.resolve()
    if _inside(here, resolved):
        raise OutputError(f"--out {folder} is the current folder or holds it; choose a new "
                          "folder for the run")
    for given in inputs:
        if _inside(Path(given).resolve(), resolved):
            raise OutputError(f"--out {folder} holds the input {given}; choose another --out")
    if not folder.is_dir() or not any(folder.iterdir()):
        return
    if not overwrite:
        raise OutputError(f"run folder {folder} already exists; choose another --out or pass "
                          "--overwrite to replace it")
    if not _is_run_folder(folder):
        raise OutputError(f"{folder} is not a quarterplan run folder (it has no {MARKER} file); "
                          "--overwrite replaces only run folders: choose another --out")


def _recover(folder: Path) -> None:
    """Undo what killed runs left beside ``folder``: a set-aside old folder is put back when
    ``folder`` is missing, then every scratch sibling is removed."""
    for aside in stale_scratch(folder, "old"):
        kept = aside / folder.name
        if kept.is_dir() and not folder.exists():
            os.replace(kept, folder)
    remove_stale(folder, ("tmp", "old"))


def check_run_folder(folder: str | Path, overwrite: bool = False,
                     inputs: Iterable[str | Path] = (), create_parent: bool = False) -> Path:
    """Check, before the long work, that the run folder can be written at ``folder``; clean up
    after killed runs. ``create_parent`` makes a missing parent (the default ``runs/``).

    Raises ``OutputError`` naming the folder: see ``_check_target``; a missing parent (unless
    ``create_parent``), a read-only or full file system.
    """
    target = Path(folder)
    try:
        if create_parent:
            target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(target.parent, exc) from None
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: folder {target.parent} does not exist")
    try:
        _recover(target)
    except OSError as exc:
        raise output_error(target, exc) from None
    _check_target(target, overwrite, inputs)
    probe_writable(target.parent, target)
    return target


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
        atomic_write(staging / files[f"table:{name}"], text, make_parents=True)
    write_workbook(data, staging / "workbook.xlsx")
    atomic_write(staging / "report.html", render_html(data))
    if resolved_scenario is not None:
        files["scenario"] = "scenario.resolved.yaml"
        text = yaml.safe_dump(to_jsonable(resolved_scenario), sort_keys=False, allow_unicode=True)
        atomic_write(staging / "scenario.resolved.yaml", text)
    for name, text in extra.items():
        files[name] = _safe(name)
        atomic_write(staging / files[name], text)
    marker = {"kind": data.kind, "scenario": data.scenario,
              "quarterplan": versions()["quarterplan"]}
    atomic_write(staging / MARKER, json.dumps(marker, ensure_ascii=False) + "\n")
    return files


def _move_into_place(staging: Path, folder: Path) -> None:
    """Rename ``staging`` to ``folder``; an existing ``folder`` is set aside, then removed."""
    if not folder.exists():
        os.replace(staging, folder)
        return
    aside = scratch_path(folder, "old")
    aside.mkdir()
    os.replace(folder, aside / folder.name)
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(aside / folder.name, folder)
        raise
    finally:
        remove_path(aside)


def write_run_folder(data: ReportData, result_json: dict[str, Any], folder: Path, *,
                     resolved_scenario: dict[str, Any] | None,
                     overwrite: bool = False,
                     extra: dict[str, str] | None = None,
                     inputs: Iterable[str | Path] = (),
                     create_parent: bool = False) -> RunFolder:
    """Write the run folder atomically (see the module docstring for its layout).

    Raises ``OutputError`` as ``check_run_folder`` does, and when a file cannot be written
    (disk full, read-only). On any failure nothing is left behind and an existing folder is
    untouched.
    """
    folder = check_run_folder(folder, overwrite, inputs, create_parent)
    staging = scratch_path(folder, "tmp")
    try:
        staging.mkdir()
        files = _write_contents(staging, data, result_json, resolved_scenario, extra or {})
        _check_target(folder, overwrite, inputs)
        _move_into_place(staging, folder)
    except OSError as exc:
        remove_path(staging)
        raise output_error(folder, exc) from None
    except OutputError as exc:  # a file in staging: name it where it was going
        remove_path(staging)
        raise OutputError(str(exc).replace(str(staging), str(folder))) from None
    except BaseException:
        remove_path(staging)
        raise
    return RunFolder(folder, {role: folder / rel for role, rel in files.items()})


def prepare_report_folder(out: str | Path | None, scenario_name: str, *, overwrite: bool = False,
                          inputs: Iterable[str | Path] = (), now: datetime | None = None) -> Path:
    """Where a writing command will write its run folder, checked before the long work starts:
    ``out``, or ``runs/<scenario>-<timestamp>`` (``runs/`` is made when missing). Raises
    ``OutputError`` as ``check_run_folder`` does."""
    if out:
        return check_run_folder(Path(out), overwrite, inputs)
    folder = default_run_folder(scenario_name, now or datetime.now())
    return check_run_folder(folder, overwrite, inputs, create_parent=True)


def write_report_folder(data: ReportData, result_json: dict[str, Any], out: str | Path | None,
                        *, scenario_path: str | Path | None = None, overwrite: bool = False,
                        extra: dict[str, str] | None = None, now: datetime | None = None,
                        inputs: Iterable[str | Path] = ()) -> Path:
    """What every writing command does: the run folder at ``out`` (default
    ``runs/<scenario>-<timestamp>``), with the resolved scenario when ``scenario_path`` is given;
    returns its path. ``inputs`` (the files the command read) may not lie in the folder.
    Raises ``OutputError`` as ``write_run_folder`` does."""
    from engine.scenario.loading import read_document

    folder = Path(out) if out else default_run_folder(data.scenario, now or datetime.now())
    resolved = read_document(scenario_path) if scenario_path is not None else None
    written = write_run_folder(data, to_jsonable(result_json), folder,
                               resolved_scenario=resolved, overwrite=overwrite, extra=extra,
                               inputs=inputs, create_parent=not out)
    return written.path
