"""Comparing plans: the optimiser's and planners' own splits, simulated on common random
numbers under one or several worlds (scenarios), against one yardstick.

Every candidate plan is simulated with the same seed in each world, so replication ``i`` of
every plan sees the same customers, shocks and delays; differences are paired. Attainment and
the chance of hitting target are measured against one common target (the ``Yardstick``): by
default the baseline plan's targets (the first candidate's, set from its own forecast), so a
split that sells less cannot look better by having set itself a lower target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from engine.errors import UsageError
from engine.jobs.compare import compare_kpis
from engine.jobs.run import COMPARED_METRICS, optimize_with
from engine.jobs.targets import forecast_plan
from engine.optimize import OptimizationResult, OptimizeOptions
from engine.plan import TARGET_COLUMNS, Plan
from engine.plans import PlanRules, complete_plan, read_plan_file
from engine.plans.checks import complete_targets
from engine.plans.read import read_targets_file
from engine.scenario.schema import Scenario
from engine.simulate import MonteCarlo, SimulationResult, simulate

OPTIMIZER = "optimizer"
"""The name of the optimiser's plan among the candidates."""


@dataclass(frozen=True)
class Candidate:
    """One plan compared: its ``name``, the ``plan`` (with its own targets) and what was
    filled in when it was read (``notes``)."""

    name: str
    plan: Plan
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Yardstick:
    """The common target every candidate is measured against: weekly ``targets`` by region and
    line, and where they come from (``description``)."""

    targets: pd.DataFrame
    description: str

    @property
    def total(self) -> float:
        """The quarter's company target (money)."""
        return float(self.targets.target.sum())


@dataclass(frozen=True)
class PlanComparison:
    """Candidates simulated in every world: ``simulations[(plan, world)]``, and ``table``:
    per world, KPIs of each plan and paired differences against the first candidate."""

    worlds: tuple[Scenario, ...]
    candidates: tuple[Candidate, ...]
    yardstick: Yardstick
    simulations: dict[tuple[str, str], SimulationResult]
    table: pd.DataFrame
    optimization: OptimizationResult | None

    @property
    def names(self) -> list[str]:
        """Candidate names in order (the first is the baseline)."""
        return [c.name for c in self.candidates]


def forecast_targets(s: Scenario, plan: Plan, mc: MonteCarlo) -> pd.DataFrame:
    """The policy's target rule of ``s`` on the forecast of ``plan`` (whatever targets the plan
    carries are set aside first)."""
    bare = replace(plan, targets=pd.DataFrame(columns=TARGET_COLUMNS))
    return forecast_plan(s, bare, mc).targets


def parse_plan_option(text: str) -> tuple[str, str]:
    """``NAME=FILE`` (or a bare ``FILE``, named after the file's stem)."""
    name, sep, path = text.partition("=")
    if not sep:
        return Path(text).stem, text
    if not name.strip() or not path.strip():
        raise UsageError(f"--plan: expected NAME=FILE (got {text!r})")
    return name.strip(), path.strip()


def load_candidates(
    s: Scenario,
    files: Sequence[tuple[str, str]],
    mc: MonteCarlo,
    rules: PlanRules | None = None,
    with_optimizer: bool = True,
    optimize_options: OptimizeOptions | None = None,
) -> tuple[list[Candidate], OptimizationResult | None]:
    """The optimiser's plan (unless ``with_optimizer`` is false) and every plan file, read,
    checked and completed against ``s``; targets missing from a file come from the policy's
    rule on that plan's own pilot forecast (``forecast_plan``)."""
    rules = rules or PlanRules()
    names = ([OPTIMIZER] if with_optimizer else []) + [n for n, _ in files]
    if len(set(names)) != len(names):
        raise UsageError(f"--plan: every plan needs its own name (got {', '.join(names)})")
    if len(names) < 2:
        raise UsageError("compare: give at least two plans to compare (--no-optimizer leaves "
                         "the optimiser's plan out)")
    raws = [(name, read_plan_file(path)) for name, path in files]
    for name, raw in raws:  # every file checked before the optimiser and the pilots run
        complete_plan(replace(raw, spread="even"), s, replace(rules, spread="even"), None, name)
    spread_by_optimizer = any("region" not in raw.spend.columns
                              and (raw.spread or rules.spread) == OPTIMIZER for _, raw in raws)
    opt = (optimize_with(s, mc, optimize_options) if with_optimizer or spread_by_optimizer
           else None)
    out = [Candidate(OPTIMIZER, forecast_plan(s, opt.plan, mc))] if with_optimizer and opt else []
    for name, raw in raws:
        given = complete_plan(raw, s, rules, opt.plan if opt else None, name)
        plan = forecast_plan(s, given.plan, mc) if given.needs_targets else given.plan
        out.append(Candidate(name, plan, tuple(given.notes)))
    return out, opt


@dataclass(frozen=True)
class TargetChoice:
    """``--target`` read and checked: a rule on the baseline's forecast (``scenario`` is the
    scenario with that rule as its policy) or a targets table from a file."""

    description: str
    scenario: Scenario | None = None
    targets: pd.DataFrame | None = None


def choose_target(s: Scenario, target: str | None) -> TargetChoice | None:
    """``--target``: ``None``/``baseline`` (the baseline plan's targets), ``percentile:P`` or
    ``stretch:X`` (that rule on the baseline's forecast) or a targets file; checked before any
    simulation (``UsageError``/``ScenarioError`` otherwise)."""
    if target in (None, "baseline"):
        return None
    rule, sep, value = str(target).partition(":")
    if sep and rule in ("percentile", "stretch"):
        try:
            rules = s.policy.target.model_validate({"rule": rule, rule: float(value)})
        except ValidationError as exc:
            raise UsageError(f"--target {target}: {rule} {exc.errors()[0]['msg'].lower()}") \
                from None
        except ValueError:
            raise UsageError(f"--target {target}: {rule} needs a number") from None
        policy = s.policy.model_copy(update={"target": rules})
        return TargetChoice(f"the {rule} rule ({value}) on the forecast of",
                            s.model_copy(update={"policy": policy}))
    targets = complete_targets(read_targets_file(target), s, str(target))
    return TargetChoice(f"the targets in {target}", targets=targets)


def yardstick(s: Scenario, baseline: Candidate, choice: TargetChoice | None,
              mc: MonteCarlo) -> Yardstick:
    """The common target every plan is measured against (see ``choose_target``)."""
    if choice is None:
        return Yardstick(baseline.plan.targets, f"the targets of {baseline.name} "
                         f"(policy {s.policy.target.rule} rule on its forecast)")
    if choice.targets is not None:
        return Yardstick(choice.targets, choice.description)
    assert choice.scenario is not None
    targets = forecast_targets(choice.scenario, baseline.plan, mc)
    return Yardstick(targets, f"{choice.description} {baseline.name}")


def _check_worlds(worlds: Sequence[Scenario]) -> None:
    first = worlds[0]
    for w in worlds[1:]:
        same = ({r.id for r in w.regions} == {r.id for r in first.regions}
                and {c.id for c in w.channels} == {c.id for c in first.channels})
        if not same:
            raise UsageError(f"compare: {w.name} has other regions or channels than "
                             f"{first.name}; plans can only be compared across worlds that "
                             "share them")


def _counted(mc: MonteCarlo, before: int, runs: int) -> MonteCarlo:
    """``mc`` whose progress counts replications over all ``runs`` simulations (``before`` of
    them done), so a comparison shows one bar rather than one per plan."""
    if mc.progress is None:
        return mc
    report = mc.progress

    def progress(done: int, total: int) -> None:
        report(before * total + done, runs * total)

    return replace(mc, progress=progress)


def compare_plans(
    worlds: Sequence[Scenario],
    candidates: Sequence[Candidate],
    yard: Yardstick,
    mc: MonteCarlo,
    optimization: OptimizationResult | None = None,
) -> PlanComparison:
    """Simulate every candidate in every world on the same seed against ``yard``'s targets."""
    _check_worlds(worlds)
    common = replace(mc, seed=mc.seed_for(worlds[0]))
    sims: dict[tuple[str, str], SimulationResult] = {}
    tables = []
    for w in worlds:
        for c in candidates:
            measured = replace(c.plan, targets=yard.targets)
            sims[(c.name, w.name)] = simulate(w, measured, _counted(common, len(sims),
                                                                    len(worlds) * len(candidates)))
        names = [c.name for c in candidates]
        table = compare_kpis(names, [sims[(n, w.name)].kpis for n in names], COMPARED_METRICS)
        table.insert(1, "plan", table.scenario)
        table.insert(2, "world", w.name)
        if len(worlds) > 1:
            table["scenario"] = [f"{p} @ {w.name}" for p in table.plan]
        tables.append(table)
    return PlanComparison(tuple(worlds), tuple(candidates), yard, sims,
                          pd.concat(tables, ignore_index=True), optimization)
