"""Every file in scenarios/ validates, and the variants differ from base where they say."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from engine import load_scenario
from tests.conftest import SCENARIOS

FILES = sorted(SCENARIOS.glob("*.yaml"))


def test_the_folder_holds_the_bundled_scenarios() -> None:
    names = {p.stem for p in FILES}
    assert {
        "base",
        "tiny",
        "digital-shift",
        "supply-shock",
        "price-war",
        "lean-budget",
        "pilot-push",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_every_scenario_validates(path: Path) -> None:
    result = CliRunner().invoke(cli.main, ["validate", str(path)])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"{path}: valid")


def test_base_is_the_quarter_the_issue_describes() -> None:
    s = load_scenario(SCENARIOS / "base.yaml")
    kinds = [r.kind for r in s.regions]
    top_ten = sorted(s.regions, key=lambda r: -r.potential)[:10]
    assert sum(r.kind == "key_city" for r in top_ten) == 3
    assert 3 <= kinds.count("pilot") <= 5 and kinds.count("core") >= 3
    assert all(r.sub_agents > 0 for r in s.regions if r.kind == "lower_tier")
    assert len(s.channels) == 6 and len({p.line for p in s.products}) == 4
    assert sum(p.new for p in s.products) == 2
    assert len(s.funnel.stages) == 4 and len(s.collections.tiers) == 3
    assert s.budget.reserve_share == 0.10 and s.policy.new_product_share_min == 0.15
    assert {g.kind for g in s.customers} == {
        "new",
        "vertical",
        "existing",
        "dormant",
        "key_account",
    }
    assert any(i.backup for i in s.inventory.stock) and s.pricing.competitor_shocks


def test_variants_change_what_their_names_say() -> None:
    base = load_scenario(SCENARIOS / "base.yaml")
    lean = load_scenario(SCENARIOS / "lean-budget.yaml")
    assert lean.budget.total == pytest.approx(0.7 * base.budget.total)
    shock = load_scenario(SCENARIOS / "supply-shock.yaml")
    fab = next(x for x in shock.inventory.suppliers if x.id == "aurora_fab")
    assert fab.disruptions and fab.capacity is not None and fab.capacity < 350
    war = load_scenario(SCENARIOS / "price-war.yaml")
    assert war.pricing.elasticity < base.pricing.elasticity
    assert len(war.pricing.promotions) == len(base.pricing.promotions) + 1
    push = load_scenario(SCENARIOS / "pilot-push.yaml")
    assert push.policy.pilot_intent and base.policy.pilot_intent
    assert push.policy.pilot_intent.min_per_region == 2 * base.policy.pilot_intent.min_per_region


def test_tiny_is_degenerate() -> None:
    s = load_scenario(SCENARIOS / "tiny.yaml")
    assert (len(s.regions), len(s.channels), len(s.products)) == (1, 1, 1)
    assert s.channels[0].response.kind == "fixed" and s.salesforce.unlimited
    assert not s.inventory.stock and not s.pricing.promotions and not s.collections.tiers
