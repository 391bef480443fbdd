"""Loading: extends with deep merge, cycles, missing parents, CSV tables, collected problems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine import ScenarioError, load_scenario, read_document
from engine.scenario.loading import deep_merge
from tests.conftest import BASE


def test_deep_merge_merges_mappings_and_id_rows_without_touching_inputs() -> None:
    base = {"a": {"x": 1, "y": 2}, "rows": [{"id": "p", "v": 1}, {"id": "q", "v": 2}], "l": [1]}
    over = {"a": {"y": 3}, "rows": [{"id": "q", "v": 9}, {"id": "r", "v": 5}], "l": [7, 8]}
    changed: list[str] = []
    merged = deep_merge(base, over, changed=changed)
    assert merged == {
        "a": {"x": 1, "y": 3},
        "rows": [{"id": "p", "v": 1}, {"id": "q", "v": 9}, {"id": "r", "v": 5}],
        "l": [7, 8],
    }
    assert base["a"] == {"x": 1, "y": 2} and base["rows"][1]["v"] == 2
    assert changed == ["a.y", "rows[q].v", "rows[r]", "l"]


def test_variant_overrides_one_channel_and_keeps_the_rest(write_yaml: Callable[..., Path]) -> None:
    text = f"extends: {BASE}\nchannels:\n  - {{id: social, quality: 0.5}}\n"
    scenario = load_scenario(write_yaml(text, "variant.yaml"))
    social = next(c for c in scenario.channels if c.id == "social")
    assert social.quality == 0.5
    assert social.response.max_leads == 120  # inherited from base
    assert len(scenario.channels) == 6
    assert scenario.name == "variant"


def test_extends_cycle_is_an_error(write_yaml: Callable[..., Path]) -> None:
    write_yaml("extends: b.yaml\n", "a.yaml")
    path = write_yaml("extends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match=r"extends: cycle: b.yaml -> a.yaml -> b.yaml"):
        read_document(path)


def test_missing_parent_is_an_error(write_yaml: Callable[..., Path]) -> None:
    path = write_yaml("extends: nowhere.yaml\n")
    with pytest.raises(
        ScenarioError, match=r"extends: no such scenario file \(got 'nowhere.yaml'\)"
    ):
        read_document(path)


def test_tables_can_come_from_csv_files(
    base_doc: dict[str, Any], write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    (tmp_path / "regions.csv").write_text(
        "id,kind,potential,reps.field,reps.telesales\neast,core,1.5,4,6\nwest,pilot,0.5,1,\n"
    )
    doc = {**base_doc, "regions": "regions.csv", "pricing": {}, "policy": {}}
    scenario = load_scenario(write_yaml(doc))
    assert [r.id for r in scenario.regions] == ["east", "west"]
    assert scenario.regions[0].reps.telesales == 6
    assert scenario.regions[1].reps.telesales == 0  # blank cell: the default


def test_all_problems_of_a_file_come_together(
    base_doc: dict[str, Any], write_yaml: Callable[..., Path]
) -> None:
    base_doc["budget"]["total"] = -1
    base_doc["regions"][2]["potential"] = 0
    base_doc["products"][0]["price"] = "cheap"
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_yaml(base_doc))
    paths = [p.path for p in info.value.problems]
    assert paths == ["budget.total", "regions[2].potential", "products[0].price"]


def test_every_bundled_variant_is_a_few_lines() -> None:
    for path in BASE.parent.glob("*.yaml"):
        if path.name not in ("base.yaml", "tiny.yaml", "east-china.yaml"):  # whole companies
            assert path.read_text().startswith("#") and "extends: base.yaml" in path.read_text()
            assert len(path.read_text().splitlines()) < 25
