"""Shared fixtures: paths to the bundled scenarios and a writer for scenario variants."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import read_document

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASE = SCENARIOS / "base.yaml"


@pytest.fixture
def base_doc() -> dict[str, Any]:
    """``base.yaml`` resolved to one plain mapping (a fresh copy for each test)."""
    return read_document(BASE)


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """Write a mapping (or raw text) as a YAML file under ``tmp_path``; return its path."""

    def write(content: Any, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
