"""The exception family of quarterplan.

Only ``cli.py`` turns these into exit codes and messages: bad input is exit code 2,
an infeasible plan exit code 1.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        where = f"{source}: {self.path}: " if self.path else f"{source}: "
        got = f" (got {self.value!r})" if self.has_value else ""
        return f"{where}{self.message}{got}"


class QuarterplanError(Exception):
    """Base of every error quarterplan raises on purpose."""


class ScenarioError(QuarterplanError):
    """A scenario (or another input file) is invalid; carries every problem found in it."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(p.render(source) for p in self.problems))


class UsageError(QuarterplanError):
    """The command was asked for something it cannot do (bad option combination, missing file)."""


class InfeasiblePlanError(QuarterplanError):
    """The plan's constraints cannot all hold; ``diagnosis`` explains which ones conflict."""

    def __init__(self, message: str, diagnosis: object = None) -> None:
        self.diagnosis = diagnosis
        super().__init__(message)


class SolverError(QuarterplanError):
    """The solver failed to return a usable answer (error, unbounded, undefined status)."""


class SimulationError(QuarterplanError):
    """The simulation could not run (inconsistent state, failed worker)."""
