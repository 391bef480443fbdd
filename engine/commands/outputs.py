"""Where a command's outputs go: the files it reads (which it may not replace), its run folder
and single output files checked before the long work, and the run folder written at the end.

Every writing command calls ``run_folder`` (and ``check_output_file`` for ``--overlay``,
``--actuals-file``, ``--export-mps``) first and ``write_folder`` last; the mechanism is
``engine.report.runfolder`` and ``engine.files``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from engine.files import check_file_output
from engine.report.runfolder import prepare_report_folder, write_report_folder
from engine.scenario.loading import source_files


def inputs_of(scenarios: Iterable[str], *files: str | None) -> list[Path]:
    """Every file a command reads: the scenarios with what they extend and their tables, and
    the other files given."""
    found = [f for s in scenarios for f in source_files(s)]
    return found + [Path(f) for f in files if f]


def run_folder(out: str | None, overwrite: bool, name: str, inputs: Iterable[str | Path]
               ) -> Path:
    """Where the run folder goes (``out``, or ``runs/<name>-<timestamp>``), checked before the
    long work; raises ``OutputError`` naming it."""
    return prepare_report_folder(out, name, overwrite=overwrite, inputs=inputs)


def check_output_file(path: str | Path, inputs: Iterable[str | Path], what: str) -> Path:
    """A single output file, checked before the long work; raises ``OutputError`` naming it."""
    return check_file_output(path, inputs, what)


def write_folder(data: Any, document: Any, folder: Path, scenario: str | None,
                 overwrite: bool, inputs: Iterable[str | Path],
                 extra: dict[str, str] | None = None) -> Path:
    """The run folder every writing command writes, with the resolved ``scenario``."""
    return write_report_folder(data, document, folder, scenario_path=scenario,
                               overwrite=overwrite, extra=extra, inputs=inputs)
