"""The ``management:`` section is validated as strictly as the rest of the scenario."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine import ScenarioError, load_scenario


def _problems(doc: dict[str, Any], write_yaml: Callable[..., Path]) -> list[tuple[str, str]]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_yaml(doc))
    return [(p.path, p.message) for p in info.value.problems]


def test_base_rules_load(base_doc: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    rules = load_scenario(write_yaml(base_doc)).management
    assert rules is not None and [r.id for r in rules.rules] == [
        "release_reserve", "expedite_below_safety"]


def test_unknown_keys_actions_and_missing_thresholds_are_errors(
        base_doc: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    base_doc["management"] = {"review_every": 0, "rules": [
        {"id": "a", "when": [{"metric": "attainment_gap"}], "then": {"do": "expedite"}},
        {"id": "b", "when": [{"metric": "cash", "below": 1}], "then": {"do": "hire"}},
        {"id": "c", "when": [{"metric": "cash", "below": 1}],
         "then": {"do": "expedite", "colour": "red"}},
    ]}
    paths = [p for p, _ in _problems(base_doc, write_yaml)]
    assert paths[0] == "management.review_every"
    assert "management.rules[0].when[0]" in paths
    assert any(p.startswith("management.rules[1].then") for p in paths)
    assert any(p.startswith("management.rules[2].then") and "colour" in p for p in paths)


def test_rules_must_name_what_exists(base_doc: dict[str, Any],
                                     write_yaml: Callable[..., Path]) -> None:
    base_doc["management"] = {"rules": [
        {"id": "x", "when": [{"metric": "week", "above": 1}],
         "then": {"do": "release_reserve", "channel": "tv"}},
        {"id": "x", "weeks": [13], "when": [{"metric": "week", "above": 1}],
         "then": {"do": "expedite", "product": "heritage_tea"}},
        {"id": "z", "weeks": [3], "when": [{"metric": "week", "above": 1}],
         "then": {"do": "expedite"}},
        {"id": "y", "when": [{"metric": "stock_cover_days", "below": 3, "product": "ghost"}],
         "then": {"do": "overtime", "role": "field", "hours_per_week": 2, "cost_per_hour": 50,
                  "region": "mars"}},
    ]}
    found = dict(_problems(base_doc, write_yaml))
    assert "channel" in found["management.rules[0].then.channel"]
    assert found["management.rules[1].id"] == "duplicate id"
    assert "backup supplier" in found["management.rules[1].then.product"]
    assert "not a review week" in found["management.rules[1].weeks[0]"]
    assert "every 2 weeks" in found["management.rules[2].weeks[0]"]  # 3 is not a review
    assert "management.rules[3].then.region" in found
    assert "management.rules[3].when[0].product" in found
