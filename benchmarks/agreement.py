"""The optimiser's forecast against the simulated mean of the same plan, scenario by scenario.

``python -m benchmarks.agreement [--replications 1000] [NAME ...]`` optimises each scenario,
simulates its plan on a seed of its own (not the pilot's) and prints, as a Markdown table, the
forecast and the simulated mean of revenue, gross profit and net contribution with the gap in
percent and in standard errors, the share of simulated quarters that hit the plan's targets,
and the paired gain in simulated net contribution over the congestion-free plan of the first
release, given targets by the same rule (same random numbers; 95% interval). The README's
agreement table is this output.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from engine.jobs.targets import forecast_plan
from engine.optimize import OptimizeOptions, optimize
from engine.scenario.loading import load_scenario
from engine.simulate import MonteCarlo, simulate

BUNDLED = ("base", "digital-shift", "supply-shock", "price-war", "lean-budget", "pilot-push",
           "tiny")
SCALE = ("small", "medium")
METRICS = ("revenue", "gross_profit", "net_contribution")
CHECK_SEED = 4242


def path_of(name: str) -> Path:
    """The scenario file of a bundled or benchmark scenario name (``large`` too, as the
    optimiser's benchmark runs it)."""
    if name in (*SCALE, "large"):
        from benchmarks.bench_optimize import scenario_path

        return scenario_path(name)
    return Path("scenarios") / f"{name}.yaml"


def _values(kpis: pd.DataFrame, metric: str) -> np.ndarray:
    """One metric of a long KPI frame (replication, metric, value), in replication order."""
    rows = kpis[kpis.metric == metric].sort_values("replication")
    return rows.value.to_numpy(dtype=float)


def row(name: str, replications: int) -> list[str]:
    """One table row for scenario ``name``."""
    s = load_scenario(path_of(name))
    start = time.perf_counter()
    result = optimize(s)
    seconds = time.perf_counter() - start
    mc = MonteCarlo(replications=replications, seed=CHECK_SEED)
    sim = simulate(s, result.plan, mc)
    cells = [name, f"{seconds:.1f}"]
    for metric in METRICS:
        x = _values(sim.kpis, metric)
        mean, se = x.mean(), x.std(ddof=1) / np.sqrt(x.size)
        fc = getattr(result.forecast, metric)
        cells.append(f"{fc / 1e6:,.3f} / {mean / 1e6:,.3f} ({(fc - mean) / mean:+.2%}, "
                     f"{(fc - mean) / se:+.1f} SE)")
    hit = _values(sim.kpis, "hit_target")
    cells.append(f"{np.nanmean(hit):.1%}")
    old = optimize(s, OptimizeOptions(congestion=False, pilot=0))
    # the first release's run: its plan with targets by the rule on a pilot forecast
    before = simulate(s, forecast_plan(s, old.plan, MonteCarlo()), mc)
    gain = _values(sim.kpis, "net_contribution") - _values(before.kpis, "net_contribution")
    half = stats.t.ppf(0.975, gain.size - 1) * gain.std(ddof=1) / np.sqrt(gain.size)
    cells.append(f"{gain.mean() / 1e3:+,.0f}k ± {half / 1e3:,.0f}k")
    return cells


HEADER = ("| scenario | optimise s | revenue ¥M forecast / simulated | gross profit ¥M | "
          "net contribution ¥M | hit target | net gain vs congestion-free plan (95%) |\n"
          "|---|---|---|---|---|---|---|")


def main(argv: list[str] | None = None) -> int:
    """Print the agreement table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=[*BUNDLED, *SCALE])
    parser.add_argument("--replications", type=int, default=1000)
    args = parser.parse_args(argv)
    print(HEADER)
    for name in args.names:
        print("| " + " | ".join(row(name, args.replications)) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
