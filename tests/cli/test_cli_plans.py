"""Plans as inputs on the command line: ``plan template``/``plan check``, ``compare --plan``
(one yardstick, every alternative on the record) and ``sweep --budget --simulate`` of each
point's own plan."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import engine
from engine.jobs.plans import (
    choose_target,
    compare_plans,
    forecast_targets,
    load_candidates,
    yardstick,
)
from engine.jobs.sweep import budget_frontier, simulate_frontier
from engine.simulate import MonteCarlo, simulate
from tests.conftest import BASE, SCENARIOS

FAST = ("--replications", "20", "--workers", "1", "--seed", "11")
SPLIT = "channel,share\nonline,0.30\nsocial,0.10\noffline,0.35\ndistributor,0.10\n" \
        "livestream,0.10\ngroup_buying,0.05\n"


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli.main, list(args))


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path, pd.DataFrame]:
    """template → edit one cell → compare, with the run folder written."""
    folder = tmp_path_factory.mktemp("plans")
    template = folder / "plan.csv"
    made = _run("plan", "template", str(BASE), "--out", str(template))
    assert made.exit_code == 0, made.stderr
    original = pd.read_csv(template)
    changed = original.copy()
    cell = (changed.region == "shanghai") & (changed.channel == "online")
    changed.loc[cell, "spend"] -= 100_000
    changed.to_csv(template, index=False)
    out = folder / "run"
    result = _run("compare", str(BASE), "--plan", f"edited={template}", *FAST, "--out", str(out))
    return result, out, original


def test_template_edit_compare_round_trip(edited: tuple[Any, Path, pd.DataFrame]) -> None:
    result, out, original = edited
    assert result.exit_code == 0, result.stderr
    spend = pd.read_csv(out / "tables" / "plan_spend.csv").set_index(["region", "channel"])
    before = original.set_index(["region", "channel"]).spend
    assert spend.loc[("shanghai", "online"), "edited"] == pytest.approx(
        before["shanghai", "online"] - 100_000)
    others = spend.drop(index=("shanghai", "online"))
    assert np.allclose(others.edited, before.drop(index=("shanghai", "online")), atol=0.01)
    assert np.allclose(spend.optimizer, before.loc[spend.index], atol=0.01)
    names = {p.name for p in out.iterdir()}
    assert {"plan-optimizer.json", "plan-edited.json", "report.html"} <= names
    assert "The plans compared" in (out / "report.html").read_text(encoding="utf-8")


def test_the_verdict_matches_the_paired_difference(
        edited: tuple[Any, Path, pd.DataFrame]) -> None:
    result, out, _ = edited
    table = pd.read_csv(out / "tables" / "comparison.csv")
    row = table[(table.plan == "edited") & (table.metric == "net_contribution")].iloc[0]
    verdict = next(line for line in result.stdout.splitlines() if "net contribution" in line
                   and ("wins" in line or "no clear winner" in line))
    numbers = [float(x) for x in re.findall(r"¥([\d.]+)M", verdict)]
    if row.diff_lo > 0 or row.diff_hi < 0:
        winner = "edited" if row.diff_lo > 0 else "optimizer"
        assert verdict.startswith(f"{winner} wins on net contribution")
        assert numbers == pytest.approx(sorted(abs(v) / 1e6 for v in (row.diff_mean,)) +
                                        sorted(abs(v) / 1e6 for v in (row.diff_lo, row.diff_hi)),
                                        abs=0.006)
    else:
        assert verdict.startswith("no clear winner")


def test_a_plan_compared_with_itself_gives_zero_differences(
        edited: tuple[Any, Path, pd.DataFrame]) -> None:
    _, out, _ = edited
    again = out / "plan-optimizer.json"
    result = _run("compare", str(BASE), "--plan", f"again={again}", *FAST, "--format", "json")
    assert result.exit_code == 0, result.stderr
    table = pd.DataFrame(json.loads(result.stdout)["tables"]["comparison"])
    other = table[table.plan == "again"]
    assert len(other) == 12
    assert (other.diff_mean == 0).all() and (other.diff_lo == 0).all()
    assert (other.diff_hi == 0).all()


def test_a_planners_share_split_in_one_command(tmp_path: Path) -> None:
    split = tmp_path / "split.csv"
    split.write_text(SPLIT, encoding="utf-8")
    out = tmp_path / "run"
    result = _run("compare", str(BASE), "--plan", f"planner={split}", *FAST, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Common target ¥" in result.stdout and "for every plan" in result.stdout
    assert re.search(r"(optimizer|planner) wins on net contribution over (optimizer|planner) "
                     r"by ¥[\d.]+M a quarter \(95% interval ¥[\d.]+M to ¥[\d.]+M\)",
                     result.stdout) or "no clear winner" in result.stdout
    by_channel = pd.read_csv(out / "tables" / "plan_spend_by_channel.csv").set_index("channel")
    assert by_channel.loc["online", "planner share"] == pytest.approx(0.30)
    assert by_channel.loc["total", "planner"] == pytest.approx(5_400_000)
    assert by_channel.loc["total", "optimizer"] == pytest.approx(5_400_000, rel=1e-6)


def test_the_common_target_is_used_for_every_plan(tmp_path: Path) -> None:
    s = engine.load_scenario(BASE)
    split = tmp_path / "split.csv"
    split.write_text(SPLIT, encoding="utf-8")
    mc = MonteCarlo(replications=12, seed=5, workers=1)
    candidates, opt = load_candidates(s, [("planner", str(split))], mc)
    own = [c.plan.targets.target.sum() for c in candidates]
    assert abs(own[0] - own[1]) > 1e5  # each plan's own forecast sets a different target
    for target in (None, "stretch:1.1"):
        yard = yardstick(s, candidates[0], choose_target(s, target), mc)
        pc = compare_plans([s], candidates, yard, mc, opt)
        for c in candidates:
            kpis = pc.simulations[(c.name, s.name)].kpis
            measured = kpis[kpis.metric == "target"].value
            assert np.allclose(measured, yard.total)
            revenue = kpis[kpis.metric == "revenue"].value.to_numpy()
            hit = kpis[kpis.metric == "hit_target"].value.to_numpy()
            assert (hit == (revenue >= yard.total)).all()
    assert yardstick(s, candidates[0], choose_target(s, "stretch:1.1"), mc).total > \
        1.05 * own[0]


def test_an_explicit_empty_salesforce_is_refused(tmp_path: Path) -> None:
    plan = tmp_path / "noreps.yaml"
    plan.write_text("shares: {offline: 0.5, online: 0.3}\nreps: []\n", encoding="utf-8")
    out = tmp_path / "never"
    result = _run("compare", str(BASE), "--plan", f"x={plan}", *FAST, "--out", str(out))
    assert result.exit_code == 2
    assert f"{plan}: reps: the plan has no reps at all" in result.stderr
    assert "--allow-no-reps" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    allowed = _run("plan", "check", str(BASE), str(plan), "--allow-no-reps")
    assert allowed.exit_code == 0 and "Reps 0 " in allowed.stdout


def test_plan_usage_errors(tmp_path: Path) -> None:
    assert _run("compare", str(BASE), "--plan", "=x.csv").exit_code == 2
    missing = _run("compare", str(BASE), "--plan", f"a={tmp_path / 'none.csv'}")
    assert missing.exit_code == 2 and "no such plan file" in missing.stderr
    split = tmp_path / "s.csv"
    split.write_text(SPLIT, encoding="utf-8")
    twice = _run("compare", str(BASE), "--plan", f"optimizer={split}")
    assert twice.exit_code == 2 and "its own name" in twice.stderr
    alone = _run("compare", str(BASE), "--plan", f"a={split}", "--no-optimizer")
    assert alone.exit_code == 2 and "at least two plans" in alone.stderr
    mixed = _run("compare", str(BASE), str(BASE), "--plan", f"a={split}", "--plan-from", "base")
    assert mixed.exit_code == 2 and "--plan-from" in mixed.stderr


def test_plans_under_several_worlds(tmp_path: Path) -> None:
    split = tmp_path / "split.csv"
    split.write_text(SPLIT, encoding="utf-8")
    result = _run("compare", str(BASE), str(SCENARIOS / "price-war.yaml"), "--plan",
                  f"planner={split}", *FAST, "--format", "json")
    assert result.exit_code == 0, result.stderr
    table = pd.DataFrame(json.loads(result.stdout)["tables"]["comparison"])
    assert set(zip(table.plan, table.world, strict=True)) == {
        (p, w) for p in ("optimizer", "planner") for w in ("base", "price-war")}
    base_rows = table[table.plan == "optimizer"]
    assert base_rows.diff_mean.isna().all()  # the baseline of each world


@pytest.mark.slow
def test_sweep_simulates_each_frontier_points_own_plan() -> None:
    s = engine.load_scenario(BASE)
    mc = MonteCarlo(replications=16, seed=3, workers=1)
    frontier = budget_frontier(s, [0.6, 1.0, 1.2])
    simulated = simulate_frontier(s, frontier, mc).frontier.set_index("point")
    targets = forecast_targets(s, frontier.plans["x1"], mc)
    for point, plan in frontier.plans.items():
        budget = simulated.loc[point, "budget"]
        assert plan.total_spend <= budget * (1 + 1e-9)
        sim = simulate(s, replace(plan, targets=targets), mc)
        net = sim.kpis[sim.kpis.metric == "net_contribution"].value
        assert simulated.loc[point, "sim_net_contribution"] == pytest.approx(net.mean())
        lo, hi = simulated.loc[point, ["sim_net_contribution_lo", "sim_net_contribution_hi"]]
        assert lo < net.mean() < hi
    assert frontier.plans["x0.6"].total_spend == pytest.approx(0.6 * s.budget.spendable)
    best = simulated.sim_net_contribution.astype(float).idxmax()
    assert simulated.best.astype(bool).sum() == 1 and bool(simulated.loc[best, "best"])
    assert simulated.loc["x1", "sim_net_vs_anchor"] == 0


def test_sweep_budget_simulate_prints_net_contribution() -> None:
    result = _run("sweep", str(BASE), "--budget", "0.6:1.2:3", "--simulate", "--replications",
                  "8", "--workers", "1")
    assert result.exit_code == 0, result.stderr
    assert "sim net contribution (95%)" in result.stdout
    assert result.stdout.count("◀ best") == 1
    rows = [line for line in result.stdout.splitlines() if line.startswith("x")]
    assert len(rows) == 3 and all(re.search(r"[\d.]+M \[[\d.]+M, [\d.]+M\]", r) for r in rows)




def test_a_target_file_is_the_yardstick_for_every_plan(tmp_path: Path) -> None:
    s = engine.load_scenario(BASE)
    weekly = [{"region": r.id, "line": "smart", "week": w, "target": 50_000.0}
              for r in s.regions for w in range(1, s.horizon.weeks + 1)]
    targets = tmp_path / "targets.csv"
    pd.DataFrame(weekly).to_csv(targets, index=False)
    split = tmp_path / "split.csv"
    split.write_text(SPLIT, encoding="utf-8")
    result = _run("compare", str(BASE), "--plan", f"planner={split}", "--target", str(targets),
                  *FAST, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    total = 50_000.0 * len(weekly)
    assert doc["meta"]["common_target"].startswith(f"¥{total:,.0f}: the targets in {targets}")
    table = pd.DataFrame(doc["tables"]["comparison"])
    hit = table[table.metric == "hit_target"].set_index("plan")["mean"]
    assert (hit == 1.0).all()  # ¥8.45M is far below every plan's revenue


def test_bad_targets_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "targets.csv"
    bad.write_text("region,line,week,target\nshanghai,smart,99,5\n", encoding="utf-8")
    refused = _run("compare", str(BASE), "--plan", f"x={tmp_path / 'nothing.csv'}")
    assert refused.exit_code == 2
    split = tmp_path / "split.csv"
    split.write_text(SPLIT, encoding="utf-8")
    weeks = _run("compare", str(BASE), "--plan", f"x={split}", "--target", str(bad), *FAST)
    assert weeks.exit_code == 2 and f"{bad}: row 2: unknown week" in weeks.stderr
    rule = _run("compare", str(BASE), "--plan", f"x={split}", "--target", "percentile:abc",
                *FAST)
    assert rule.exit_code == 2 and "percentile needs a number" in rule.stderr
