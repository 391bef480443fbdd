"""The exception family of quarterplan.

Only ``cli.py`` turns these into exit codes and messages: an infeasible plan is exit code 1,
every other error here (bad input, bad usage, an output that cannot be written) exit code 2.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

MAX_ECHO = 120
"""Longest value or field path echoed in an error message (characters); longer ones are cut."""
MAX_PROBLEMS = 40
"""Most problems of one file listed; the rest are counted."""


def clip(text: str, limit: int = MAX_ECHO) -> str:
    """``text`` cut to ``limit`` characters, saying how long it was.

    >>> clip("x" * 300, 10)
    'xxxxxxxxxx… (300 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxtuple = 3, 6, 6, 6
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = MAX_ECHO


def echo(value: object) -> str:
    """``repr(value)`` for an error message: nesting, items and length bounded, so a huge or
    alias-expanded value is never rendered whole."""
    return clip(_SHORT.repr(value))


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and what is wrong.

    ``path`` is the field path in the planner's terms (``regions[3].potential``),
    ``message`` says what is wrong, ``value`` is the offending value as written.
    """

    path: str
    message: str
    value: object = None
    has_value: bool = True

    def render(self, source: str) -> str:
        """One line: ``source: path: message (got value)``."""
        where = f"{clip(source)}: {clip(self.path)}: " if self.path else f"{clip(source)}: "
        got = f" (got {echo(self.value)})" if self.has_value else ""
        return f"{where}{clip(self.message, 4 * MAX_ECHO)}{got}"


class QuarterplanError(Exception):
    """Base of every error quarterplan raises on purpose."""


class ScenarioError(QuarterplanError):
    """A scenario (or another input file) is invalid; carries every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [p.render(source) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"{clip(source)}: ... and {len(self.problems) - MAX_PROBLEMS:,} more "
                         "problems")
        super().__init__("\n".join(lines))


class UsageError(QuarterplanError):
    """The command was asked for something it cannot do (bad option combination, missing file)."""


class OutputError(UsageError):
    """An output cannot be written where asked (a missing folder, a read-only file system, a
    full disk, a folder that must not be replaced); nothing was written. Exit code 2."""


class InfeasiblePlanError(QuarterplanError):
    """The plan's constraints cannot all hold; ``diagnosis`` explains which ones conflict."""

    def __init__(self, message: str, diagnosis: object = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message)


class SolverError(QuarterplanError):
    """The solver failed to return a usable answer (error, unbounded, undefined status)."""


class SimulationError(QuarterplanError):
    """The simulation could not run (inconsistent state, failed worker)."""
