"""Bounded resources: hostile inputs and requests are refused before they cost memory or time,
with one short message naming the file, field or option."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

import engine.scenario.limits as limits
import engine.simulate.runner as runner
from engine import load_scenario
from engine.errors import ScenarioError, UsageError
from engine.plan import even_plan
from engine.simulate import MonteCarlo, max_workers, simulate
from tests.robustness.conftest import TINY, ended, invoke


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(alias_bomb(10), encoding="utf-8")  # 8**10 = 1e9 values expanded, 700 bytes
    tracemalloc.start()
    started = time.process_time()
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bomb)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "more than 500,000 values once its aliases" in str(caught.value)
    assert peak < 50 * 2**20
    assert time.process_time() - started < 10  # generous: exponential work would never end


def test_aliases_within_the_limit_still_work(tmp_path: Path) -> None:
    text = TINY.read_text(encoding="utf-8").replace(
        "simulation:", "x-shared: &bounds {min: 0}\nsimulation:").replace("x-shared", "notes")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match="notes: unknown field"):
        load_scenario(path)


@pytest.mark.parametrize("text", ["a: " + "[" * 5000 + "]" * 5000,
                                  "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(60))])
def test_deep_nesting_is_refused(text: str, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text, encoding="utf-8")
    ended(invoke("validate", path), 2, f"{path}: ", f"nested more than {limits.MAX_DEPTH} levels")


def test_a_long_extends_chain_is_refused(tmp_path: Path) -> None:
    (tmp_path / "s0.yaml").write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    for i in range(1, limits.MAX_EXTENDS + 3):
        (tmp_path / f"s{i}.yaml").write_text(f"extends: s{i - 1}.yaml\n", encoding="utf-8")
    last = tmp_path / f"s{limits.MAX_EXTENDS + 2}.yaml"
    ended(invoke("validate", last), 2, f"extends: more than {limits.MAX_EXTENDS} files extend")
    ok = tmp_path / f"s{limits.MAX_EXTENDS - 1}.yaml"
    ended(invoke("validate", ok), 0)


@pytest.mark.parametrize("parent", ["/dev/zero", "/dev/urandom"])
def test_extends_an_endless_file_is_refused(parent: str, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {parent}\n", encoding="utf-8")
    ended(invoke("validate", path), 2, parent, "larger than the limit of 20 MB")


def test_actuals_from_an_endless_file_are_refused(tmp_path: Path) -> None:
    ended(invoke("review", "/dev/zero"), 2, "/dev/zero: ", "larger than the limit of 100 MB")


def test_a_big_file_is_refused_by_its_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    import engine.scenario.yaml_io as yaml_io

    monkeypatch.setattr(yaml_io, "MAX_SCENARIO_BYTES", 100)
    ended(invoke("validate", TINY), 2, f"{TINY}: cannot read: the file is larger than")


def test_a_huge_value_is_not_echoed_whole(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text(encoding="utf-8") + f"junk: {'z' * 2_000_000}\n"
                    f"? {'k' * 100_000}\n: 1\n", encoding="utf-8")
    stderr = ended(invoke("validate", path), 2, "junk: unknown field", "characters)")
    assert len(stderr) < 2_000


def test_many_problems_are_counted_not_listed(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text(encoding="utf-8") + "".join(f"junk{i}: 1\n"
                                                             for i in range(5000)),
                    encoding="utf-8")
    stderr = ended(invoke("validate", path), 2, "... and 4,960 more problems")
    assert stderr.count("\n") <= 42


@pytest.mark.parametrize(("field", "value", "message"), [
    ("simulation.replications", 10**12, "simulation.replications: must be <= 100000"),
    ("simulation.replications", 2**63, "simulation.replications: must be <= 100000"),
    ("policy.segments", 10**9, "policy.segments: must be <= 200"),
])
def test_scenario_sizes_within_limits(field: str, value: int, message: str,
                                      tmp_path: Path) -> None:
    section, key = field.split(".")
    path = tmp_path / "s.yaml"
    path.write_text(TINY.read_text(encoding="utf-8").replace(
        "simulation:", f"{section}:\n  {key}: {value}\nsimulation:" if section == "policy"
        else "simulation:").replace("replications: 400", f"replications: {value}"),
        encoding="utf-8")
    ended(invoke("validate", path), 2, message)


@pytest.mark.parametrize("count", ["1000000000000", str(2**63), "0", "-5"])
def test_replications_option_within_limits(count: str) -> None:
    ended(invoke("simulate", TINY, "--replications", count), 2, "--replications")


def test_workers_beyond_the_cores_are_capped_and_said_so() -> None:
    result = invoke("simulate", TINY, "--replications", 3, "--workers", 1000, "--format", "csv")
    ended(result, 0, f"--workers 1000: this machine has {max_workers()} cores; using "
                     f"{max_workers()}")
    assert MonteCarlo(workers=1000).workers_for(400) == max_workers()


def test_the_memory_a_run_needs_is_checked_after_the_first_replication(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner, "_memory", lambda: 2**30)
    tiny = load_scenario(TINY)
    simulate(tiny, even_plan(tiny), MonteCarlo(replications=20, workers=1))
    with pytest.raises(UsageError, match=r"--replications 100,000 would need about .* GB"):
        simulate(tiny, even_plan(tiny), MonteCarlo(replications=100_000, workers=1))


@pytest.mark.parametrize(("args", "message"), [
    (["--budget", "0:1:100000"], "--budget: COUNT must be 1 to 1,000"),
    (["--budget", "-1:1:3"], "--budget: multiples of the budget must be >= 0"),
    (["--budget", "0:inf:3"], "--budget: every value must be a finite number"),
    (["--budget", "nan,1"], "--budget: every value must be a finite number"),
    (["--set", "budget.total=0:1:40", "--set", "budget.reserve_share=0:1:40"],
     "sweep: 1,600 points in the grid; at most 1,000"),
    (["--split", "direct=-0.5:1:3"], "--split: shares of the budget must be numbers >= 0"),
])
def test_sweep_counts_and_values_within_limits(args: list[str], message: str) -> None:
    ended(invoke("sweep", TINY, *args), 2, message)
