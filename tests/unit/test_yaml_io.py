"""Reading YAML as a planner means it: exponent numbers, duplicate keys, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ScenarioError
from engine.scenario.yaml_io import parse_scalar, read_yaml


def test_exponent_numbers_are_numbers(tmp_path: Path) -> None:
    path = tmp_path / "n.yaml"
    path.write_text("a: 1e6\nb: 2.5E-3\nc: -3e2\nd: '1e6'\ne: 1_000\n")
    assert read_yaml(path) == {"a": 1e6, "b": 2.5e-3, "c": -300.0, "d": "1e6", "e": 1000}


def test_duplicate_key_is_an_error_with_both_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("budget:\n  total: 1\n  total: 2\n")
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    assert "line 3, column 3: duplicate key 'total' (first at line 2)" in str(info.value)


def test_syntax_error_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("regions:\n  - {id: a, potential: 1\nbudget: 3\n")
    with pytest.raises(ScenarioError) as info:
        read_yaml(path, source="s.yaml")
    assert str(info.value).startswith("s.yaml: line 3, column 7:")


def test_missing_file_is_a_scenario_error(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        read_yaml(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("cell", "value"),
    [("12", 12), ("1.5e5", 1.5e5), ("true", True), ("east", "east"), ("", None), ("12%", "12%")],
)
def test_csv_cells_read_like_yaml_scalars(cell: str, value: object) -> None:
    assert parse_scalar(cell) == value
