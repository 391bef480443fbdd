"""The documented limits on what quarterplan reads and runs, in one place.

Inputs are checked against them before they are parsed further, so a hostile or broken file
costs a bounded amount of memory and time and gets one clear error; the README lists them.
"""

from __future__ import annotations

from typing import Any

MAX_SCENARIO_BYTES = 20 * 2**20
"""Largest scenario YAML or CSV table read (bytes)."""
MAX_ACTUALS_BYTES = 100 * 2**20
"""Largest actuals or plan file read (bytes)."""
MAX_DEPTH = 40
"""Deepest nesting of mappings and lists in a YAML file."""
MAX_NODES = 500_000
"""Most values in a YAML file once its aliases are expanded (the alias-bomb guard)."""
MAX_EXTENDS = 16
"""Longest ``extends:`` chain."""
MAX_REPLICATIONS = 100_000
"""Most replications of one Monte Carlo run (``--replications``, ``simulation.replications``)."""
MAX_SWEEP_POINTS = 1_000
"""Most points of one sweep (``--budget`` count, or the product of ``--set``/``--split``)."""
MAX_SEGMENTS = 200
"""Most pieces per response curve (``policy.segments``)."""
MAX_SIMULATION_MEMORY_SHARE = 0.5
"""Share of the machine's memory the stored replications of one run may take."""


def read_bounded(path: Any, limit: int, what: str) -> bytes:
    """The bytes of the file at ``path``, at most ``limit`` (device files such as
    ``/dev/zero`` included); raises ``ValueError`` saying so when it is longer."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{what} is larger than the limit of {limit // 2**20} MB")
    return data
MAX_ACTUAL_VALUE = 1e13
"""Largest number in one row of an actuals file (a count or an amount of money in one week)."""
MAX_ACTUAL_COUNT = 1_000_000
"""Largest count (leads, stage entries, open leads, wins) in one row of an actuals file."""
MAX_OPEN_LEADS = 2_000_000
"""Most leads open in the funnel at the as-of week that a re-plan carries into the simulator."""
