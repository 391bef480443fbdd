"""Every command offers the same Monte Carlo options with the same defaults, and every command
that writes writes the same atomic run folder and refuses a used one without --overwrite."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
from click.testing import CliRunner

import cli
from engine import load_scenario
from engine.actuals import write_actuals
from engine.actuals.simulated import from_simulation
from engine.output import render_json
from engine.plan import even_plan
from tests.conftest import BASE, SCENARIOS
from tests.synthetic_actuals import synthetic_actuals

TINY = SCENARIOS / "tiny.yaml"
MONTE_CARLO = ("simulate", "run", "compare", "sweep", "recalibrate", "optimize")
WRITING = ("simulate", "optimize", "review", "recalibrate", "run", "compare", "sweep")
MC_OPTIONS = ("--replications", "--seed", "--workers", "--scheduler")
LAYOUT = {"result.json", "meta.json", "tables", "workbook.xlsx", "report.html"}


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(cli.main, list(args))


def _option_lines(command: str, options: tuple[str, ...]) -> list[str]:
    """The ``--help`` entries of ``options``, each on one line (wrapping undone)."""
    result = _invoke(command, "--help")
    assert result.exit_code == 0, result.output
    entries: list[str] = []
    for line in result.output.split("Options:", 1)[1].splitlines():
        if line.strip().startswith("-"):
            entries.append(line.strip())
        elif entries and line.strip():
            entries[-1] += " " + line.strip()
    return [" ".join(e.split()) for e in entries if e.split()[0] in options]


def _default(command: str, name: str) -> Any:
    """The default click gives option ``name`` of ``command``."""
    found = [p for p in cli.main.commands[command].params if p.name == name]
    assert found, f"{command} has no {name}"
    value = found[0].get_default(click.Context(cli.main.commands[command]))
    return None if value is getattr(click.core, "UNSET", None) else value


@pytest.mark.parametrize("command", MONTE_CARLO)
def test_every_monte_carlo_command_shows_the_same_options(command: str) -> None:
    lines = _option_lines(command, MC_OPTIONS)
    assert lines == _option_lines("simulate", MC_OPTIONS)
    assert any("all cores for 100+ replications" in line for line in lines)
    for name in ("replications", "seed", "workers", "scheduler"):
        assert _default(command, name) is None


@pytest.mark.parametrize("command", WRITING)
def test_every_writing_command_has_out_and_overwrite(command: str) -> None:
    assert _default(command, "out") is None
    assert _default(command, "overwrite") is False
    assert _option_lines(command, ("--overwrite",)) == [
        "--overwrite Replace an existing run folder."]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inputs")
    tiny = load_scenario(TINY)
    plan = folder / "plan.json"
    plan.write_text(render_json(even_plan(tiny)), encoding="utf-8")
    frame = synthetic_actuals(tiny, even_plan(tiny), 4, np.random.default_rng(3))
    base = load_scenario(BASE)
    weeks = from_simulation(base, even_plan(base), 4, seed=4)
    return {"plan": plan, "actuals": write_actuals(frame, folder / "weeks.csv"),
            "base_actuals": write_actuals(weeks, folder / "base.csv")}


def _command(name: str, files: dict[str, Path], tmp: Path) -> list[str]:
    return {
        "simulate": ["simulate", str(TINY), "--plan", str(files["plan"]), "--replications", "6"],
        "optimize": ["optimize", str(TINY)],
        "review": ["review", str(files["actuals"]), "--scenario", str(TINY),
                   "--overlay", str(tmp / "next.yaml")],
        "recalibrate": ["recalibrate", str(BASE), "--actuals", str(files["base_actuals"]),
                        "--as-of-week", "4", "--replications", "6", "--seed", "2",
                        "--workers", "1"],
    }[name]


@pytest.mark.parametrize("name", ["simulate", "optimize", "review", "recalibrate"])
def test_writes_the_run_folder_and_refuses_a_used_one(name: str, files: dict[str, Path],
                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [*_command(name, files, tmp_path), "--out", str(out)]
    first = _invoke(*args)
    assert first.exit_code == 0, first.output
    assert {p.name for p in out.iterdir()} >= LAYOUT
    assert json.loads((out / "result.json").read_text(encoding="utf-8"))["kind"] == name
    assert list((out / "tables").glob("*.csv"))
    before = (out / "result.json").read_text(encoding="utf-8")

    again = _invoke(*args)
    assert again.exit_code == 2
    assert f"run folder {out} already exists; choose another --out or pass --overwrite" in (
        again.stderr)
    assert (out / "result.json").read_text(encoding="utf-8") == before

    replaced = _invoke(*args, "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert {p.name for p in out.iterdir()} >= LAYOUT
