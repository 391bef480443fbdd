"""Scale scenarios and the performance harness (run with ``make bench``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
"""Where every benchmark writes its figures."""


def write_results(name: str, data: Any, table: str) -> None:
    """``results/NAME.json`` (the figures) and ``results/NAME.md`` (the table the README shows),
    and the table printed."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    (RESULTS / f"{name}.md").write_text(table, encoding="utf-8")
    print(table)
