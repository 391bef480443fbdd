"""The simulator before and after the SimPy quarter, timed side by side in one run.

``compare_engines`` unpacks the engine of ``OLD_COMMIT`` (``git archive``, into a temporary
folder) and starts two timing processes, one on each engine's code; it then asks them in turn
for serial runs of ``base.yaml`` (old engine; new engine with ``--rules none``; new engine with
base's rules), so that both see the same background load, and reports medians of the
per-round ratios. The plan is the optimiser's with targets set from a forecast, as ``run``
simulates it (the rules read attainment against the targets).

The timing process is this module run as a script: ``python benchmarks/engines.py ROOT``; it
reads ``VARIANT N SEED`` lines and answers with seconds.
"""

from __future__ import annotations

import json
import pickle
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OLD_COMMIT = "ee3fd2c738c811e3308187bce21043cd84961fe3"
"""The last commit before the SimPy quarter."""
BASE = ROOT / "scenarios" / "base.yaml"


def unpack_engine(commit: str, into: Path) -> Path:
    """The ``engine`` package of ``commit``, unpacked under ``into``; returns the folder to put
    on ``sys.path``."""
    archive = into / "old.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), commit, "engine"],
                   check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "old", filter="data")
    return into / "old"


def _plan_file(into: Path) -> Path:
    """The optimiser's plan of base with its forecast targets (what ``run`` simulates),
    pickled for both engines."""
    from engine import load_scenario
    from engine.jobs.run import forecast_plan
    from engine.optimize import optimize
    from engine.simulate import MonteCarlo

    s = load_scenario(BASE)
    plain = s.model_copy(update={"management": None})
    plan = forecast_plan(plain, optimize(s).plan, MonteCarlo(replications=200, seed=5))
    path = into / "plan.pkl"
    path.write_bytes(pickle.dumps(plan))
    return path


class TimingProcess:
    """A process that answers each line it is sent with seconds (one line back)."""

    def __init__(self, argv: list[str], cwd: Path | None = None) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, cwd=cwd)

    def ask(self, line: str) -> float:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{line}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait()


class _Timer(TimingProcess):
    """A timing process on the engine at ``root``."""

    def __init__(self, root: Path, plan: Path) -> None:
        super().__init__([sys.executable, str(Path(__file__).resolve()), str(root), str(plan)])

    def time(self, variant: str, n: int, seed: int) -> float:
        return self.ask(f"{variant} {n} {seed}")


def compare_engines(rounds: int = 5, n: int = 100) -> dict[str, Any]:
    """Milliseconds per serial replication of base: old engine, new without and with rules."""
    with tempfile.TemporaryDirectory() as tmp:
        old_root = unpack_engine(OLD_COMMIT, Path(tmp))
        plan = _plan_file(Path(tmp))
        old, new = _Timer(old_root, plan), _Timer(ROOT, plan)
        try:
            for t, v in ((old, "none"), (new, "none"), (new, "rules")):
                t.time(v, 20, 1)
            rows = [(old.time("none", n, r), new.time("none", n, r), new.time("rules", n, r))
                    for r in range(2, rounds + 2)]
        finally:
            old.close()
            new.close()
    ms = [[1000 * x / n for x in row] for row in rows]
    return {
        "replications": n, "rounds": rounds,
        "old_ms": statistics.median(r[0] for r in ms),
        "new_none_ms": statistics.median(r[1] for r in ms),
        "new_rules_ms": statistics.median(r[2] for r in ms),
        "ratio_none": statistics.median(r[1] / r[0] for r in ms),
        "ratio_rules": statistics.median(r[2] / r[0] for r in ms),
    }


def _serve(root: str, plan_path: str) -> None:
    """The timing process: answer ``VARIANT N SEED`` lines with seconds."""
    import time

    sys.path.insert(0, root)
    from engine import build_scenario, read_document
    from engine.simulate import MonteCarlo, simulate

    doc = read_document(BASE)
    plain = {k: v for k, v in doc.items() if k != "management"}
    scenarios = {"none": build_scenario(plain, "base"), "rules": None}
    if "management" in doc and (Path(root) / "engine" / "simulate" / "clock.py").exists():
        scenarios["rules"] = build_scenario(doc, "base")
    plan = pickle.loads(Path(plan_path).read_bytes())
    for line in sys.stdin:
        variant, n, seed = line.split()
        s = scenarios[variant]
        if s is None:
            raise SystemExit(f"{root}: this engine has no management rules to time")
        start = time.perf_counter()
        simulate(s, plan, MonteCarlo(replications=int(n), seed=int(seed), workers=1))
        print(json.dumps(time.perf_counter() - start), flush=True)


if __name__ == "__main__":
    _serve(sys.argv[1], sys.argv[2])
