"""Nothing lost: --overwrite replaces only run folders, never the current folder or one holding
the inputs; a failed write (disk full, read-only, missing folder) is exit 2 naming the path and
leaves nothing; what killed runs left is cleaned up; outputs are checked before the long work."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

import engine.files as files
from engine.report.runfolder import MARKER
from tests.robustness.conftest import ended, invoke, tree


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_overwrite_refuses_the_folder_holding_the_scenario(workdir: Path) -> None:
    before = tree(workdir)
    result = invoke("optimize", workdir / "tiny.yaml", "--out", workdir, "--overwrite")
    ended(result, 2, f"--out {workdir} holds the input", "tiny.yaml")
    assert tree(workdir) == before


def test_overwrite_refuses_the_folder_holding_an_extended_scenario(workdir: Path) -> None:
    variant = workdir / "variant" / "v.yaml"
    variant.parent.mkdir()
    variant.write_text("extends: ../tiny.yaml\nname: v\n", encoding="utf-8")
    before = tree(workdir)
    ended(invoke("run", variant, "--out", workdir, "--overwrite"), 2, "holds the input")
    assert tree(workdir) == before


def test_overwrite_refuses_the_current_folder_and_its_parents(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = workdir / "inner"
    inner.mkdir()
    monkeypatch.chdir(inner)
    before = tree(workdir)
    for out in (".", ".."):
        result = invoke("optimize", workdir / "tiny.yaml", "--out", out, "--overwrite")
        ended(result, 2, f"--out {out} is the current folder or holds it")
    assert tree(workdir) == before
    assert not [p for p in workdir.parent.iterdir() if p.name.startswith(".")]


def test_overwrite_refuses_a_folder_that_is_not_a_run_folder(tmp_path: Path, workdir: Path
                                                             ) -> None:
    theirs = tmp_path / "reports"
    theirs.mkdir()
    (theirs / "q2.xlsx").write_bytes(b"a planner's workbook")
    result = invoke("optimize", workdir / "tiny.yaml", "--out", theirs, "--overwrite")
    ended(result, 2, f"{theirs} is not a quarterplan run folder", MARKER)
    assert tree(theirs) == {"q2.xlsx": b"a planner's workbook"}


def test_overwrite_replaces_a_run_folder_and_its_marker_says_so(tmp_path: Path,
                                                                 workdir: Path) -> None:
    out = tmp_path / "run"
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", out), 0)
    assert '"kind": "optimize"' in (out / MARKER).read_text(encoding="utf-8")
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", out, "--overwrite"), 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "work"]


def test_the_plan_read_from_a_run_folder_is_not_replaced_by_it(tmp_path: Path,
                                                                workdir: Path) -> None:
    out = tmp_path / "run"
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", out), 0)
    before = tree(out)
    result = invoke("simulate", workdir / "tiny.yaml", "--plan", out / "plan.json",
                    "--replications", 2, "--out", out, "--overwrite")
    ended(result, 2, "holds the input", "plan.json")
    assert tree(out) == before


def test_an_output_file_may_not_be_an_input(workdir: Path) -> None:
    before = tree(workdir)
    result = invoke("simulate", workdir / "tiny.yaml", "--replications", 2,
                    "--export-actuals", 2, "--actuals-file", workdir / "tiny.yaml")
    ended(result, 2, f"--actuals-file {workdir / 'tiny.yaml'} is an input")
    assert tree(workdir) == before


@pytest.mark.parametrize("option", ["--actuals-file", "--export-mps", "--out"])
def test_a_missing_folder_is_named_before_any_work(option: str, workdir: Path) -> None:
    target = workdir / "no-such-folder" / "x.out"
    command = {"--actuals-file": ["simulate", workdir / "tiny.yaml", "--export-actuals", 2],
               "--export-mps": ["optimize", workdir / "tiny.yaml"],
               "--out": ["run", workdir / "tiny.yaml"]}[option]
    result = invoke(*command, option, target)
    ended(result, 2, f"cannot write {target}", f"folder {target.parent} does not exist")
    assert "simulating" not in result.stderr
    assert not target.parent.exists()


def test_a_file_named_runs_blocks_the_default_folder_before_any_work(
        workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    (workdir / "runs").write_text("not a folder", encoding="utf-8")
    result = invoke("run", "tiny.yaml", "--replications", 2)
    ended(result, 2, "cannot write runs: a file of that name is in the way")
    assert "simulating" not in result.stderr


def test_the_overlay_folder_is_checked_before_the_review(tmp_path: Path, workdir: Path) -> None:
    actuals = tmp_path / "a.csv"
    actuals.write_text("week,region,channel,metric,value\n1,solo,direct,leads,3\n",
                       encoding="utf-8")
    target = tmp_path / "missing" / "next.yaml"
    result = invoke("review", actuals, "--scenario", workdir / "tiny.yaml", "--overlay", target)
    ended(result, 2, f"cannot write {target}")


def test_a_read_only_place_is_found_before_the_long_work(
        tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def read_only(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        if Path(path).parent == tmp_path and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(files.os, "open", read_only)
    result = invoke("run", workdir / "tiny.yaml", "--replications", 2, "--out", tmp_path / "r")
    ended(result, 2, f"cannot write {tmp_path / 'r'}: the file system is read-only")
    assert "simulating" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


@pytest.mark.parametrize("failing_write", [1, 4, 9])
def test_a_full_disk_leaves_nothing_and_names_the_folder(
        failing_write: int, tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    real_write, calls = files._write_bytes, []

    def fill_up(tmp: Path, payload: bytes) -> None:
        calls.append(tmp)
        if len(calls) == failing_write:
            tmp.write_bytes(payload[: len(payload) // 2])
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
        real_write(tmp, payload)

    monkeypatch.setattr(files, "_write_bytes", fill_up)
    out = tmp_path / "run"
    result = invoke("simulate", workdir / "tiny.yaml", "--replications", 2, "--out", out)
    ended(result, 2, f"cannot write {out}", "the disk is full")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


def test_a_full_disk_while_replacing_keeps_the_old_run_folder(
        tmp_path: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "run"
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", out), 0)
    before = tree(out)

    def full(tmp: Path, payload: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp))

    monkeypatch.setattr(files, "_write_bytes", full)
    result = invoke("optimize", workdir / "tiny.yaml", "--out", out, "--overwrite")
    ended(result, 2, "the disk is full")
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "work"]


def test_what_a_killed_run_left_is_cleaned_and_a_set_aside_folder_restored(
        tmp_path: Path, workdir: Path) -> None:
    out = tmp_path / "run"
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", out), 0)
    before = tree(out)
    pid = dead_pid()
    half = tmp_path / f".run.tmp-{pid}-0123abcd"  # a staging folder, half written
    half.mkdir()
    (half / "result.json").write_text("{", encoding="utf-8")
    aside = tmp_path / f".run.old-{pid}-89abcdef"  # killed between the two renames
    aside.mkdir()
    out.rename(aside / "run")
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", out), 2, "already exists")
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run", "work"]


def test_a_live_runs_staging_folder_is_left_alone(tmp_path: Path, workdir: Path) -> None:
    mine = tmp_path / f".run.tmp-{os.getppid()}-0123abcd"
    mine.mkdir()
    ended(invoke("optimize", workdir / "tiny.yaml", "--out", tmp_path / "run"), 0)
    assert mine.is_dir()


def test_a_killed_single_file_write_is_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / f".plan.json.tmp-{dead_pid()}-00ff00ff"
    stale.write_bytes(b"{\"half")
    files.atomic_write(tmp_path / "plan.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
