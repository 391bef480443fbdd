"""Plan files as inputs: the three spend forms, the spread rules, completion of reps, Excel and
YAML, the template round trip, and every strict-validation refusal naming file and row."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest

import engine
from engine.errors import ScenarioError
from engine.plan import Plan, even_plan
from engine.plans import PlanRules, complete_plan, read_plan_file
from engine.plans.template import write_template
from engine.scenario.schema import Scenario
from tests.conftest import BASE

SHARES = {"online": 0.30, "social": 0.10, "offline": 0.35, "distributor": 0.10,
          "livestream": 0.10, "group_buying": 0.05}


@pytest.fixture(scope="module")
def base() -> Scenario:
    return engine.load_scenario(BASE)


@pytest.fixture(scope="module")
def reference(base: Scenario) -> Plan:
    """A reference plan with an uneven regional split per channel (not the potential split),
    so the ``optimizer`` spread rule is told apart from the others."""
    plan = even_plan(base)
    spend = plan.spend.copy()
    weights = np.arange(1, len(spend) + 1, dtype=float)
    spend["spend"] = weights
    return Plan(base.name, spend, plan.reps, source="reference")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _shares_csv(tmp_path: Path, shares: dict[str, float] = SHARES) -> Path:
    return _write(tmp_path, "split.csv", "channel,share\n" + "".join(
        f"{c},{v}\n" for c, v in shares.items()))


def _complete(path: Path, s: Scenario, ref: Plan | None = None, **rules: object):
    return complete_plan(read_plan_file(path), s, PlanRules(**rules), ref, "p")  # type: ignore[arg-type]


def test_channel_shares_follow_the_reference_regional_split(
        tmp_path: Path, base: Scenario, reference: Plan) -> None:
    got = _complete(_shares_csv(tmp_path), base, reference)
    spend = got.plan.spend
    for channel, share in SHARES.items():
        rows = spend[spend.channel == channel]
        assert rows.spend.sum() == pytest.approx(share * base.budget.spendable, rel=1e-12)
        ref = reference.spend[reference.spend.channel == channel].set_index("region").spend
        expected = share * base.budget.spendable * ref / ref.sum()
        assert np.allclose(rows.set_index("region").spend.loc[expected.index], expected)
    assert got.needs_targets and got.plan.targets.empty
    assert any("reps: not in the file" in n for n in got.notes)


def test_missing_reps_are_the_reps_on_hand_with_no_hires(tmp_path: Path,
                                                        base: Scenario) -> None:
    reps = _complete(_shares_csv(tmp_path), base, None, spread="even").plan.reps
    for r in base.regions:
        for role in ("field", "telesales", "support"):
            row = reps[(reps.region == r.id) & (reps.role == role)].iloc[0]
            assert (row.on_hand, row.hires, row.added, row.reps) == (
                r.reps.get(role), 0, 0, r.reps.get(role))


@pytest.mark.parametrize("rule", ["potential", "even"])
def test_spend_per_channel_spread_by_potential_or_evenly(tmp_path: Path, base: Scenario,
                                                         rule: str) -> None:
    path = _write(tmp_path, "p.yaml", f"spread: {rule}\nspend_by_channel:\n"
                  "  online: 1.0e6\n  offline: 2.0e6\n")
    spend = _complete(path, base).plan.spend
    online = spend[spend.channel == "online"].set_index("region").spend
    total_potential = sum(r.potential for r in base.regions)
    for r in base.regions:
        weight = r.potential / total_potential if rule == "potential" else 1 / len(base.regions)
        assert online[r.id] == pytest.approx(1.0e6 * weight)
    assert spend[spend.channel == "social"].spend.sum() == 0
    assert spend.spend.sum() == pytest.approx(3.0e6)


def test_amounts_by_region_and_channel_are_taken_as_written(tmp_path: Path,
                                                            base: Scenario) -> None:
    path = _write(tmp_path, "a.csv", "region,channel,spend\nshanghai,online,\"1,200,000\"\n"
                  "beijing,offline,500000\n")
    spend = _complete(path, base).plan.spend.set_index(["region", "channel"]).spend
    assert spend["shanghai", "online"] == 1_200_000 and spend["beijing", "offline"] == 500_000
    assert spend.sum() == 1_700_000
    assert len(spend) == len(base.regions) * len(base.channels)


def test_excel_sheets_spend_reps_targets(tmp_path: Path, base: Scenario) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "spend"
    sheet.append(["channel", "share"])
    for c, v in SHARES.items():
        sheet.append([c, v])
    reps = book.create_sheet("reps")
    reps.append(["region", "role", "reps"])
    reps.append(["shanghai", "field", 20])
    targets = book.create_sheet("targets")
    targets.append(["region", "line", "week", "target"])
    targets.append(["shanghai", "smart", 1, 100000])
    book.save(tmp_path / "plan.xlsx")
    got = _complete(tmp_path / "plan.xlsx", base, spread="even")
    r = got.plan.reps.set_index(["region", "role"])
    on_hand = next(x for x in base.regions if x.id == "shanghai").reps.field
    assert r.loc[("shanghai", "field"), "reps"] == 20
    assert r.loc[("shanghai", "field"), "on_hand"] == min(20, on_hand)
    assert got.plan.targets.target.sum() == 100000 and not got.needs_targets


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".yaml"])
def test_template_round_trip(tmp_path: Path, base: Scenario, reference: Plan,
                             suffix: str) -> None:
    plan = Plan(base.name, reference.spend.assign(spend=reference.spend.spend * 1000),
                reference.reps.assign(added=1, reps=reference.reps.reps + 1), source="opt")
    path = write_template(plan, tmp_path / f"t{suffix}")
    got = _complete(path, base, plan).plan
    assert np.allclose(got.spend.spend, plan.spend.spend, atol=0.005)
    if suffix != ".csv":  # the CSV template holds the spend alone
        cols = ["on_hand", "hires", "added", "reps"]
        assert (got.reps[cols].to_numpy() == plan.reps[cols].to_numpy()).all()
    with pytest.raises(engine.errors.UsageError, match="exists"):
        write_template(plan, path)


def _refusal(tmp_path: Path, base: Scenario, name: str, text: str, **rules: object) -> str:
    path = _write(tmp_path, name, text)
    with pytest.raises(ScenarioError) as info:
        _complete(path, base, None, **({"spread": "even"} | rules))
    message = str(info.value)
    assert message.startswith(str(path)), message
    return message


@pytest.mark.parametrize(("text", "expected"), [
    ("region,channel,spend\natlantis,online,10\n", "row 2: unknown region"),
    ("channel,share\nonline,0.2\ntiktok,0.1\n", "row 3: unknown channel"),
    ("channel,share\nonline,-0.2\n", "row 2: share must be >= 0"),
    ("channel,spend\noffline,lots\n", "row 2: spend must be a number"),
    ("channel,spend\noffline,nan\n", "row 2: spend must be a number"),
    ("channel,spend\noffline,inf\n", "row 2: spend must be a number"),
    ("channel,share\noffline,0.5\noffline,0.2\n", "row 3: written twice (first at row 2)"),
    ("channel,share\noffline,0.7\nonline,0.5\n", "add up to more than 1"),
    ("channel,spend\noffline,9000000\n", "over the spendable budget"),
    ("channel,spend\noffline,100000\n", "spend of channel offline: below the scenario's "
                                        "minimum 400,000"),
    ("channel,spend\nlivestream,2000000\noffline,400000\n",
     "spend of channel livestream: above the scenario's maximum 1,500,000"),
    ("region,spend\nshanghai,10\n", "needs the columns region,channel,spend"),
])
def test_csv_refusals_name_the_file_and_row(tmp_path: Path, base: Scenario, text: str,
                                            expected: str) -> None:
    assert expected in _refusal(tmp_path, base, "bad.csv", text)


SPEND = "shares: {offline: 0.5, online: 0.3}\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("reps:\n  - {region: shanghai, role: pilot, reps: 3}\n", "reps[0]: unknown role"),
    ("reps:\n  - {region: shanghai, role: field, reps: 2.5}\n", "reps[0]: reps must be a whole"),
    ("reps:\n  - {region: shanghai, role: field, reps: -1}\n", "reps[0]: reps must be >= 0"),
    ("reps:\n  - {region: shanghai, role: field, reps: 3}\n"
     "  - {region: shanghai, role: field, reps: 4}\n", "reps[1]: written twice"),
    ("targets:\n  - {region: shanghai, line: smart, week: 14, target: 5}\n",
     "targets[0]: unknown week"),
    ("targets:\n  - {region: shanghai, line: gadgets, week: 2, target: 5}\n",
     "targets[0]: unknown product line"),
    ("targets:\n  - {region: shanghai, line: smart, week: 2, target: -5}\n",
     "targets[0]: target must be >= 0"),
    ("reps: []\n", "reps: the plan has no reps at all"),
    ("spread: cheapest\n", "spread: must be one of"),
    ("budget: 5\n", "budget: unknown key"),
])
def test_yaml_refusals_name_the_file_and_row(tmp_path: Path, base: Scenario, text: str,
                                             expected: str) -> None:
    assert expected in _refusal(tmp_path, base, "bad.yaml", SPEND + text)


def test_an_empty_salesforce_is_accepted_only_when_asked(tmp_path: Path,
                                                         base: Scenario) -> None:
    path = _write(tmp_path, "noreps.yaml", SPEND + "reps: []\n")
    got = _complete(path, base, None, spread="even", allow_no_reps=True)
    assert got.plan.reps.reps.sum() == 0


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path, base: Scenario) -> None:
    message = _refusal(tmp_path, base, "many.csv",
                       "region,channel,spend\natlantis,online,1\nshanghai,tiktok,2\n"
                       "beijing,online,-3\n")
    assert "row 2" in message and "row 3" in message and "row 4" in message


def test_unreadable_files(tmp_path: Path, base: Scenario) -> None:
    with pytest.raises(ScenarioError, match="no such plan file"):
        read_plan_file(tmp_path / "missing.csv")
    with pytest.raises(ScenarioError, match=r"\.csv, \.xlsx, \.yaml"):
        read_plan_file(_write(tmp_path, "plan.txt", "x"))
    with pytest.raises(ScenarioError, match="empty"):
        read_plan_file(_write(tmp_path, "empty.csv", ""))




def test_a_region_bound_is_checked_after_the_spread(tmp_path: Path) -> None:
    variant = _write(tmp_path, "capped.yaml", f"extends: {BASE}\nregions:\n"
                     "  - {id: shanghai, spend: {max: 100000}}\n")
    s = engine.load_scenario(variant)
    message = _refusal(tmp_path, s, "split.csv", "channel,share\nonline,0.5\n",
                       spread="potential")
    assert "spend of region shanghai: above the scenario's maximum 100,000" in message
