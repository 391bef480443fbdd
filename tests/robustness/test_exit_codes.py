"""One exit-code contract: 0 done, 1 only for an infeasible plan, 2 bad input or usage, 3 an
unexpected internal error (one line, a pointer to --debug), 130 interrupted (Ctrl-C at any
moment, SIGTERM) with no traceback, nothing written and no process left behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import engine
from engine.actuals import write_actuals
from engine.actuals.simulated import from_simulation
from engine.plan import even_plan
from tests.conftest import BASE
from tests.robustness.conftest import TINY, ended, invoke

QUARTERPLAN = Path(sys.executable).parent / "quarterplan"


def test_an_unexpected_error_is_exit_3_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: object) -> None:
        raise RuntimeError("a bug\nwith two lines")

    monkeypatch.setattr(engine, "load_scenario", broken)
    stderr = ended(invoke("optimize", TINY), 3, "internal error: RuntimeError: a bug",
                   "quarterplan --debug")
    assert stderr.count("\n") == 1 or stderr.strip().count("\n") <= 1
    debug = invoke("--debug", "optimize", TINY)
    assert isinstance(debug.exception, RuntimeError)


def test_an_os_error_naming_a_file_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(path: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(engine, "load_scenario", unreadable)
    ended(invoke("optimize", TINY), 2, f"{TINY}: Permission denied")


def test_ctrl_c_anywhere_in_a_command_is_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(path: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "load_scenario", interrupted)
    ended(invoke("run", TINY), 130, "interrupted: stopped, nothing written")


@pytest.mark.parametrize(("args", "option"), [
    (["optimize", TINY, "--time-limit", "nan"], "--time-limit"),
    (["optimize", TINY, "--time-limit", "inf"], "--time-limit"),
    (["optimize", TINY, "--time-limit", "-1"], "--time-limit"),
    (["review", TINY, "--prior-strength", "nan"], "--prior-strength"),
    (["recalibrate", TINY, "--actuals", TINY, "--as-of-week", "1", "--prior-strength", "inf"],
     "--prior-strength"),
    (["simulate", TINY, "--seed", str(2**63)], "--seed"),
    (["simulate", TINY, "--workers", "0"], "--workers"),
])
def test_numeric_options_must_be_finite_and_in_range(args: list[object], option: str) -> None:
    ended(invoke(*args), 2, option)


def test_a_scheduler_that_is_no_address_is_exit_2() -> None:
    ended(invoke("simulate", TINY, "--replications", 2, "--scheduler", "not a url"), 2,
          "--scheduler not a url: cannot reach a Dask scheduler there")


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tiny = engine.load_scenario(TINY)
    frame = from_simulation(tiny, even_plan(tiny), 13, seed=5)
    return write_actuals(frame, tmp_path_factory.mktemp("actuals") / "q.csv")


def test_recalibrate_at_the_quarters_end_gives_the_final_review(quarter: Path,
                                                               tmp_path: Path) -> None:
    result = invoke("recalibrate", TINY, "--actuals", quarter, "--as-of-week", 13,
                    "--replications", 4, "--out", tmp_path / "final")
    ended(result, 0)
    assert result.stdout.startswith("Week 13 of 13: the quarter is over, nothing is left to "
                                    "re-plan")
    assert "Revenue by region" in result.stdout
    assert (tmp_path / "final" / "report.html").exists()


def test_recalibrate_beyond_the_quarter_is_exit_2(quarter: Path) -> None:
    ended(invoke("recalibrate", TINY, "--actuals", quarter, "--as-of-week", 14), 2,
          "--as-of-week 14 is beyond the quarter's 13 weeks")


def _gone(pgid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _loading(pid: int, within: float = 30) -> None:
    """Wait until quarterplan itself runs: its start-up handler catches SIGTERM (before, the
    interpreter is still starting; a signal then is the interpreter's business, not ours)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
        caught = int(status.split("SigCgt:", 1)[1].split()[0], 16)
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.01)
    raise AssertionError("quarterplan did not start")


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "after"), [
    (signal.SIGINT, 0.0),   # while quarterplan loads its libraries
    (signal.SIGINT, 2.0),   # optimising, or starting the worker pool
    (signal.SIGTERM, 5.0),  # simulating in the pool
])
def test_an_interrupted_run_ends_cleanly(sig: int, after: float, tmp_path: Path) -> None:
    out = tmp_path / "run"
    child = subprocess.Popen(
        [QUARTERPLAN, "run", BASE, "--replications", "3000", "--workers", "2", "--out", out],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        cwd=tmp_path)
    _loading(child.pid)
    time.sleep(after)
    os.killpg(child.pid, sig)  # as the terminal sends Ctrl-C: to the whole process group
    try:
        _, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "interrupted" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert _gone(child.pid, 10), "a process of the run is still there"
