"""How fast the simulator is: replications per second, serial against 2 workers.

In one run, as medians of ``--runs`` repetitions after a warm-up, it measures:

- for ``scenarios/base.yaml`` and the scale scenarios (``benchmarks/scale.py``: small 10x5x10,
  medium 50x6x30, large 200x6x50): replications per second serially and with ``--workers 2``
  (local processes), and the speedup (median of serial over parallel time, the two timed one
  right after the other so both see the same background load);
- the goal: 1,000 replications of ``base.yaml`` with 2 workers, wall-clock (pool start included);
- time per replication against the number of regions (``make_scale_scenario(R, 6, 10)``).

Every simulation runs the solver-free ``even_plan``, so only the simulator is timed; the
process's one-time start (imports, loading the compiled kernels) happens in the warm-up.
Other processes on a 2-core machine skew the 2-worker numbers most, so the run also measures
the speedup the machine gives right then to a pure CPU loop in 2 processes against 1 (the
ceiling for ours), and records the load average.

It also times the engine before the SimPy quarter against the current one in the same run
(``benchmarks.engines``: the old commit's engine unpacked with ``git archive``): serial
milliseconds per replication of base with no rules and with base's rule set, and the goal with
the rules.

Usage: ``python -m benchmarks.bench_simulate [--runs 3] [--quick] [--engines-only]``.
Results go to ``benchmarks/results/simulate.{json,md}``; the table is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks import write_results
from benchmarks.engines import OLD_COMMIT

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {
    "base": ROOT / "scenarios" / "base.yaml",
    "small": ROOT / "benchmarks" / "scenarios" / "small.yaml",
    "medium": ROOT / "benchmarks" / "scenarios" / "medium.yaml",
    "large": ROOT / "benchmarks" / "scenarios" / "large.yaml",
}
REPLICATIONS = {"base": 200, "small": 200, "medium": 60, "large": 20}
REGION_STEPS = (10, 25, 50, 100, 200)
GOAL = 1000


def _burn(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i
    return total


def machine_speedup(runs: int, n: int = 6_000_000) -> float:
    """Median speedup of a pure-Python CPU loop run twice in 2 processes over once in 1."""
    import multiprocessing

    ratios = []
    # not the forkserver: a forkserver started here, without the simulator's preload, would be
    # the one the simulator's pools fork from, and every pool would start cold
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1000, 1000])
        for _ in range(runs):
            start = time.perf_counter()
            _burn(n)
            one = time.perf_counter() - start
            start = time.perf_counter()
            pool.map(_burn, [n, n])
            ratios.append(2 * one / (time.perf_counter() - start))
    return statistics.median(ratios)


def timed(scenario: Any, plan: Any, n: int, workers: int, runs: int, warm: bool = True) -> float:
    """Median seconds of ``runs`` simulations of ``n`` replications (after one warm-up)."""
    from engine.simulate import MonteCarlo, simulate

    if warm:
        simulate(scenario, plan, MonteCarlo(replications=min(n, 20), seed=1, workers=workers))
    times = []
    for run in range(runs):
        start = time.perf_counter()
        simulate(scenario, plan, MonteCarlo(replications=n, seed=run + 1, workers=workers))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name: str, n: int, runs: int) -> dict[str, Any]:
    """Serial and 2-worker rates of one scenario."""
    from engine import load_scenario
    from engine.plan import even_plan

    s = load_scenario(SCENARIOS[name])
    plan = even_plan(s)
    timed(s, plan, 20, 1, 1)
    timed(s, plan, 20, 2, 1)
    pairs = [(timed(s, plan, n, 1, 1, warm=False), timed(s, plan, n, 2, 1, warm=False))
             for _ in range(runs)]
    serial = statistics.median(a for a, _ in pairs)
    parallel = statistics.median(b for _, b in pairs)
    return {
        "scenario": name, "regions": len(s.regions), "channels": len(s.channels),
        "products": len(s.products), "replications": n, "serial_s": serial,
        "parallel_s": parallel, "serial_rate": n / serial, "parallel_rate": n / parallel,
        "speedup": statistics.median(a / b for a, b in pairs),
    }


def _nested(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV-style row (``reps.field`` keys) as the nested mapping the schema expects."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        *path, last = key.split(".")
        node = out
        for part in path:
            node = node.setdefault(part, {})
        node[last] = value
    return out


def region_scaling(runs: int, steps: tuple[int, ...]) -> list[dict[str, Any]]:
    """Serial milliseconds per replication for growing region counts (6 channels, 10
    products)."""
    from benchmarks.scale import make_scale_scenario
    from engine import build_scenario
    from engine.plan import even_plan
    from engine.simulate import MonteCarlo, simulate

    rows = []
    for regions in steps:
        doc = make_scale_scenario(regions, 6, 10)
        doc["regions"] = [_nested(row) for row in doc["regions"]]
        doc["products"] = [_nested(row) for row in doc["products"]]
        s = build_scenario(doc, f"scale-{regions}")
        n = max(10, 1000 // regions)
        plan = even_plan(s)
        seconds = timed(s, plan, n, 1, runs)
        kpis = simulate(s, plan, MonteCarlo(replications=5, seed=1)).kpis
        leads = float(kpis[kpis.metric == "leads"].value.mean())
        rows.append({"regions": regions, "leads": leads, "ms_per_replication": 1000 * seconds / n,
                     "ms_per_region": 1000 * seconds / n / regions,
                     "us_per_lead": 1e6 * seconds / n / leads})
    return rows


def goal(runs: int, rules: bool = False) -> float:
    """Median seconds of 1,000 replications of base.yaml on 2 workers (without its management
    rules unless ``rules``)."""
    from engine import load_scenario
    from engine.plan import even_plan

    s = load_scenario(SCENARIOS["base"])
    plan = even_plan(s)
    if not rules:
        s = s.model_copy(update={"management": None})
    return timed(s, plan, GOAL, 2, runs)


def engines_markdown(e: dict[str, Any], goal_rules_s: float) -> str:
    """The old engine against the new, as a table."""
    return "\n".join([
        "| engine | ms per replication (serial) | vs before |",
        "|---|---|---|",
        f"| before the SimPy quarter ({OLD_COMMIT[:7]}) | {e['old_ms']:.1f} | 1.00x |",
        f"| SimPy quarter, `--rules none` | {e['new_none_ms']:.1f} | {e['ratio_none']:.2f}x |",
        f"| SimPy quarter, base's rules | {e['new_rules_ms']:.1f} | {e['ratio_rules']:.2f}x |",
        "",
        f"Base, the optimiser's plan with forecast targets, {e['replications']} replications "
        "per round, "
        f"medians of {e['rounds']} rounds alternating the engines (ratios: medians of the "
        f"per-round ratios). {GOAL:,} replications of base with its rules on 2 workers: "
        f"{goal_rules_s:.1f} s.",
    ]) + "\n"


def markdown(rows: list[dict[str, Any]], scaling: list[dict[str, Any]], goal_s: float,
             runs: int, load: tuple[float, float], ceiling: tuple[float, float]) -> str:
    lines = [
        "| scenario | regions x channels x products | replications | serial rep/s | "
        "2 workers rep/s | speedup |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['scenario']} | {r['regions']} x {r['channels']} x {r['products']} | "
            f"{r['replications']} | {r['serial_rate']:.1f} | {r['parallel_rate']:.1f} | "
            f"{r['speedup']:.2f}x |"
        )
    lines += ["", "| regions | leads per replication | ms per replication | ms per region | "
              "µs per lead |", "|---|---|---|---|---|"]
    for r in scaling:
        lines.append(f"| {r['regions']} | {r['leads']:,.0f} | {r['ms_per_replication']:.1f} | "
                     f"{r['ms_per_region']:.2f} | {r['us_per_lead']:.3f} |")
    lines += [
        "",
        f"Goal: {GOAL:,} replications of base.yaml on 2 workers in {goal_s:.1f} s "
        f"(target < 10 s).",
        f"Medians of {runs} runs after a warm-up; even_plan; load average "
        f"{load[0]:.2f} before, {load[1]:.2f} after (2 cores); a pure CPU loop got "
        f"{ceiling[0]:.2f}x / {ceiling[1]:.2f}x (before / after) from 2 processes: the "
        "ceiling for the speedups on the machine as it was.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="Fewer replications, small sizes.")
    parser.add_argument("--engines-only", action="store_true",
                        help="Only the old engine against the new (and the goal with rules).")
    args = parser.parse_args(argv)
    from benchmarks.engines import compare_engines

    engines = compare_engines(rounds=max(3, args.runs), n=50 if args.quick else 100)
    goal_rules = goal(1 if args.quick else args.runs, rules=True)
    write_results("engines", {**engines, "goal_rules_s": goal_rules},
                  engines_markdown(engines, goal_rules))
    if args.engines_only:
        return
    load_before = os.getloadavg()[0]
    ceiling = machine_speedup(args.runs)
    names = ["base", "small"] if args.quick else list(SCENARIOS)
    scale = 4 if args.quick else 1
    rows = [measure(name, REPLICATIONS[name] // scale, args.runs) for name in names]
    steps = REGION_STEPS[:3] if args.quick else REGION_STEPS
    scaling = region_scaling(args.runs, steps)
    goal_s = goal(1 if args.quick else args.runs)
    load = (load_before, os.getloadavg()[0])
    ceilings = (ceiling, machine_speedup(args.runs))
    table = markdown(rows, scaling, goal_s, args.runs, load, ceilings)
    data = {"rows": rows, "scaling": scaling, "goal_s": goal_s, "load": load,
            "machine_speedup": ceilings}
    write_results("simulate", data, table)


if __name__ == "__main__":
    main()
