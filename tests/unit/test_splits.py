"""Split sweeps over the simplex of channel shares: the listed channels at their shares, the
others scaled as the reference plan splits them, sums over 1 left out, bounds reported."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import cli
import engine
from engine.errors import UsageError
from engine.jobs.grid import Setting
from engine.jobs.splits import OUTSIDE_BOUNDS, split_points
from engine.plan import Plan, even_plan
from engine.scenario.schema import Scenario
from tests.conftest import BASE


@pytest.fixture(scope="module")
def base_and_reference() -> tuple[Scenario, Plan]:
    s = engine.load_scenario(BASE)
    plan = even_plan(s)
    weights = {c.id: float(i + 1) for i, c in enumerate(s.channels)}  # uneven on purpose
    spend = plan.spend.assign(spend=[weights[c] for c in plan.spend.channel])
    return s, Plan(s.name, spend, plan.reps)


def _amounts(point: list[tuple[str, object]]) -> dict[str, float]:
    return {path.split(".")[1]: value["min"] for path, value in point  # type: ignore[index]
            if path != OUTSIDE_BOUNDS}


def test_listed_channels_at_their_shares_the_others_scaled(
        base_and_reference: tuple[Scenario, Plan]) -> None:
    s, ref = base_and_reference
    points = split_points(s, [Setting("online", (0.2, 0.3)), Setting("social", (0.1,))], ref)
    assert [name for name, _ in points] == ["online 20%, social 10%", "online 30%, social 10%"]
    by_channel = ref.spend.groupby("channel").spend.sum()
    others = by_channel.drop(["online", "social"])
    for (_, point), online in zip(points, (0.2, 0.3), strict=True):
        amounts = _amounts(point)
        assert all(dict(point)[f"channels.{c}.spend"]["max"] == a  # type: ignore[index]
                   for c, a in amounts.items())
        assert amounts["online"] == pytest.approx(online * s.budget.spendable)
        assert amounts["social"] == pytest.approx(0.1 * s.budget.spendable)
        assert sum(amounts.values()) == pytest.approx(s.budget.spendable)
        rest = (1 - online - 0.1) * s.budget.spendable
        for c, v in others.items():
            assert amounts[str(c)] == pytest.approx(rest * v / others.sum())


def test_combinations_over_the_whole_budget_are_left_out(
        base_and_reference: tuple[Scenario, Plan]) -> None:
    s, ref = base_and_reference
    points = split_points(s, [Setting("online", (0.5, 0.7)), Setting("social", (0.2, 0.4))], ref)
    assert [name for name, _ in points] == ["online 50%, social 20%", "online 50%, social 40%",
                                            "online 70%, social 20%"]


def test_points_outside_a_channels_bounds_are_reported(
        base_and_reference: tuple[Scenario, Plan]) -> None:
    s, ref = base_and_reference
    points = dict(split_points(s, [Setting("offline", (0.02, 0.5))], ref))
    assert dict(points["offline 2%"])[OUTSIDE_BOUNDS].startswith(
        "outside bounds: offline 108,000 < min 400,000")
    assert OUTSIDE_BOUNDS not in dict(points["offline 50%"])


def test_split_usage_errors(
        base_and_reference: tuple[Scenario, Plan]) -> None:
    s, ref = base_and_reference
    with pytest.raises(UsageError, match="no such channel"):
        split_points(s, [Setting("tiktok", (0.1,))], ref)
    with pytest.raises(UsageError, match="from 0 to 1"):
        split_points(s, [Setting("online", (1.5,))], ref)
    with pytest.raises(UsageError, match="at most 1"):
        split_points(s, [Setting("online", (0.8,)), Setting("social", (0.5,))], ref)


def test_sweep_split_over_two_channels_on_the_command_line() -> None:
    result = CliRunner().invoke(cli.main, ["sweep", str(BASE), "--split", "online=0.2,0.3",
                                           "--split", "offline=0.02,0.4", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["tables"]["points"]
    assert [r["point"] for r in rows] == ["online 20%, offline 2%", "online 20%, offline 40%",
                                          "online 30%, offline 2%", "online 30%, offline 40%"]
    statuses = [r["status"] for r in rows]
    assert statuses[0].startswith("outside bounds: offline") and statuses[1] == "optimal"
    assert statuses[2].startswith("outside bounds: offline") and statuses[3] == "optimal"
