"""What the richer optimiser costs: ``optimize`` as the first release ran it against today's,
timed side by side in one run.

The first release is the engine of ``FIRST_RELEASE`` (the last commit before the optimiser saw
rep queues), unpacked with ``git archive``; today's is this checkout. Each runs in a timing
process of its own (this module as a script: ``python -m benchmarks.optimize_cost --serve
ROOT SCENARIO`` answers each input line with the seconds of one ``optimize`` of the scenario, loaded
once), and the two are asked in turn, round by round, so that both see the same load. The report
gives medians over the rounds and the median of the per-round ratios.

Today's ``optimize`` is the whole of it: the queue loop, the choice between the queue-free and
queue-aware plans, the pilot forecast (and its unlimited twin), the targets, one more rep
simulated for the three busiest pools, and the budget steps. Its pilot is sized by leads
(``engine.optimize.calibrate.pilot_quarters``), so its cost grows slower than the scenario.

Usage: ``python -m benchmarks.optimize_cost [--rounds 3] [--sizes small medium large]``; the
table is printed and written to ``benchmarks/results/optimize_cost.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import write_results
from benchmarks.engines import TimingProcess, unpack_engine

ROOT = Path(__file__).resolve().parent.parent
FIRST_RELEASE = "ee3fd2c738c811e3308187bce21043cd84961fe3"
"""The last commit before the optimiser saw rep queues (issue "One set of numbers")."""


def _timer(root: Path, scenario: Path) -> TimingProcess:
    """A timing process running ``optimize`` of one scenario on the engine at ``root``."""
    return TimingProcess([sys.executable, "-m", "benchmarks.optimize_cost", "--serve", str(root),
                          str(scenario)], cwd=ROOT)


def compare(scenario: Path, rounds: int) -> dict[str, Any]:
    """Seconds of the first release's ``optimize`` and of today's, in alternating rounds (after
    one warm-up each)."""
    with tempfile.TemporaryDirectory() as tmp:
        old_root = unpack_engine(FIRST_RELEASE, Path(tmp))
        old, new = _timer(old_root, scenario), _timer(ROOT, scenario)
        try:
            old.ask("go")
            new.ask("go")
            rows = [(old.ask("go"), new.ask("go")) for _ in range(rounds)]
        finally:
            old.close()
            new.close()
    return {
        "rounds": rounds,
        "first_release_s": statistics.median(r[0] for r in rows),
        "today_s": statistics.median(r[1] for r in rows),
        "ratio": statistics.median(r[1] / r[0] for r in rows),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["| size | first release s | today s | today / first release |",
             "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['first_release_s']:.2f} | {r['today_s']:.2f} | "
                     f"{r['ratio']:.1f}x |")
    rounds = rows[0]["rounds"] if rows else 0
    lines.append(f"\nMedians of {rounds} alternating rounds after a warm-up each; "
                 f"`optimize(scenario)` in a process of its own, the scenario loaded once; "
                 f"first release = engine of {FIRST_RELEASE[:7]}.")
    return "\n".join(lines) + "\n"


def _serve(root: str, scenario: str) -> None:
    """The timing process: answer each input line with the seconds of one ``optimize``."""
    sys.path.insert(0, root)
    from engine import load_scenario
    from engine.optimize import optimize

    s = load_scenario(scenario)
    for _ in sys.stdin:
        start = time.perf_counter()
        optimize(s)
        print(json.dumps(time.perf_counter() - start), flush=True)


def main(argv: list[str] | None = None) -> None:
    from benchmarks.bench_optimize import scenario_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", nargs="+", default=["small", "medium", "large"])
    parser.add_argument("--serve", nargs=2, metavar=("ROOT", "SCENARIO"))
    args = parser.parse_args(argv)
    if args.serve:
        _serve(*args.serve)
        return
    rows = [{"size": size, **compare(scenario_path(size), args.rounds)} for size in args.sizes]
    write_results("optimize_cost", rows, markdown(rows))


if __name__ == "__main__":
    main()
