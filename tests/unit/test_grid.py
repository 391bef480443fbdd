"""Sweep grids: ranges, settings, and applying a setting by id path without touching the input."""

from __future__ import annotations

from typing import Any

import pytest

from engine import build_scenario
from engine.errors import UsageError
from engine.jobs.grid import apply_setting, parse_range, parse_setting


def test_ranges_include_both_ends() -> None:
    assert parse_range("0.8:1.2:5") == pytest.approx((0.8, 0.9, 1.0, 1.1, 1.2))
    assert parse_range("1,2.5") == (1.0, 2.5)
    with pytest.raises(UsageError, match="START:STOP:COUNT"):
        parse_range("0.8:1.2")
    with pytest.raises(UsageError):
        parse_range("a:b:c")


def test_settings_read_values_as_yaml_scalars() -> None:
    s = parse_setting("channels.social.spend.max=1e6,2e6")
    assert s.path == "channels.social.spend.max" and s.values == (1e6, 2e6)
    assert parse_setting("policy.objective=revenue,gross_profit").values == (
        "revenue",
        "gross_profit",
    )
    with pytest.raises(UsageError, match="PATH=VALUES"):
        parse_setting("nonsense")


def test_apply_setting_by_id_path(base_doc: dict[str, Any]) -> None:
    changed = apply_setting(base_doc, "channels.social.spend.max", 7e5)
    social = next(c for c in changed["channels"] if c["id"] == "social")
    assert social["spend"] == {"max": 7e5}
    assert "spend" not in next(c for c in base_doc["channels"] if c["id"] == "social")
    scenario = build_scenario(changed, "sweep")
    assert next(c for c in scenario.channels if c.id == "social").spend.max == 7e5


def test_unknown_row_is_a_usage_error(base_doc: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="no field or row 'tiktok'"):
        apply_setting(base_doc, "channels.tiktok.quality", 1.0)
