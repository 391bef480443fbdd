"""Shared helpers of the robustness battery: run the CLI in-process and check that it ended the
way the exit-code contract says (no traceback, the expected code, one clear line)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import cli
from tests.conftest import SCENARIOS

TINY = SCENARIOS / "tiny.yaml"


def invoke(*args: Any) -> Result:
    """Run ``quarterplan ARGS`` in this process."""
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def ended(result: Result, code: int, *fragments: str) -> str:
    """Assert ``result`` exited with ``code``, without a traceback or an escaped exception, its
    stderr naming every fragment; return stderr."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    return result.stderr


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A planner's folder: the tiny scenario and an unrelated file of theirs."""
    folder = tmp_path / "work"
    folder.mkdir()
    shutil.copy(TINY, folder / "tiny.yaml")
    (folder / "notes.txt").write_text("mine, not quarterplan's", encoding="utf-8")
    return folder
