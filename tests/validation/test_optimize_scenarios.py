"""Every bundled scenario optimises to a plan whose constraints all hold when recomputed
independently; HiGHS and CBC agree; the response pieces are fine enough."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from engine import load_scenario
from engine.optimize import OptimizeOptions, build_inputs, build_model, optimize, solve
from engine.optimize.response import tangent_pieces
from engine.optimize.targets import targets_from_forecast
from engine.plan import plan_from_dict
from engine.simulate import MonteCarlo, simulate
from tests.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
@pytest.mark.parametrize("relax", [False, True], ids=["milp", "lp"])
def test_every_constraint_holds_on_every_bundled_scenario(path: Path, relax: bool) -> None:
    # the MILP runs the whole optimiser (queue loop, pilot); the LP the model alone
    opts = OptimizeOptions(relax_reps=True, pilot=0) if relax else OptimizeOptions()
    result = optimize(load_scenario(path), opts)
    assert result.status.has_plan
    assert result.max_residual <= 1e-6, result.residuals.nlargest(3, "residual")
    assert {"budget", "supply", "rep_capacity"} & set(result.residuals.family)
    json.dumps(result.to_dict())
    again = plan_from_dict(json.loads(json.dumps(result.plan.to_dict())))
    assert again.total_spend == pytest.approx(result.plan.total_spend)


@pytest.mark.parametrize("relax", [True, False], ids=["lp", "milp"])
def test_highs_and_cbc_agree_on_base(relax: bool) -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    opts = {"relax_reps": relax, "mip_gap": 1e-7, "congestion": False, "pilot": 0}
    highs = optimize(s, OptimizeOptions(solver="highs", **opts))  # type: ignore[arg-type]
    cbc = optimize(s, OptimizeOptions(solver="cbc", **opts))  # type: ignore[arg-type]
    assert cbc.objective == pytest.approx(highs.objective, rel=1e-6)
    assert cbc.max_residual <= 1e-6


@pytest.mark.parametrize("path", FILES[:-1], ids=[p.stem for p in FILES[:-1]])
def test_response_pieces_approximate_the_exact_optimum_within_a_tenth_of_a_percent(
    path: Path,
) -> None:
    # The chords lie below each concave curve and the tangents above it, so the exact concave
    # optimum lies between the two plans' objectives: their gap bounds the error.
    s = load_scenario(path)
    opts = OptimizeOptions(relax_reps=True)
    d = build_inputs(s, opts)
    inner = solve(build_model(d), opts).objective
    pairs = [(r, c) for r in s.regions for c in s.channels]
    outer = tuple(
        tangent_pieces(p, c.response, r.potential)
        for p, (r, c) in zip(d.pieces, pairs, strict=True)
    )
    upper = solve(build_model(dataclasses.replace(d, pieces=outer)), opts).objective
    assert inner <= upper
    assert (upper - inner) / abs(inner) < 1e-3


def test_targets_follow_the_stretch_rule_and_cover_every_week() -> None:
    base = load_scenario(SCENARIOS / "base.yaml")
    rule = base.policy.target.model_copy(update={"rule": "stretch", "stretch": 1.05})
    s = base.model_copy(update={"policy": base.policy.model_copy(update={"target": rule})})
    plan = optimize(s, OptimizeOptions(congestion=False, pilot=0)).plan
    pilot = simulate(s, plan, MonteCarlo(replications=20, seed=3, workers=1))
    targets = targets_from_forecast(s, plan, pilot).targets
    assert set(targets.week) == set(range(1, 14))
    assert len(targets) == len(s.regions) * 4 * 13
    mean = pilot.by_region("revenue").sum(axis=(1, 2)).mean()
    assert targets.target.sum() == pytest.approx(1.05 * mean, rel=1e-9)
    # each region gets its share of the forecast's mean revenue
    by_region = targets.groupby("region", sort=False).target.sum()
    share = pilot.by_region("revenue").sum(axis=2).mean(axis=0)
    assert by_region.to_numpy() == pytest.approx(1.05 * share, rel=1e-9)
