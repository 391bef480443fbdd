"""The quarter's clock: one ``simpy.Environment`` per replication.

The environment's time is the day of the quarter. Its processes are the quarter's calendar:

- ``calendar``: each week's end, what runs in the week just ended (competitor shocks);
- ``reviews``: at each review point (``management.review_every``), the rules are judged on what
  is known then and their actions taken (``engine.simulate.review``);
- any process appended to ``PROCESSES`` (see the README, "How the quarter is simulated").

Leads, rep queues, stock and supply, and collections are many small events: compiled kernels
run them for the whole quarter ahead of the clock (``engine.simulate.world``). A process that
changes the quarter calls ``rerun_from``, which keeps what happened before the clock's day and
runs the rest again. Without rules nothing is rerun, so the quarter is drawn exactly as the
kernels alone draw it.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from engine.simulate.inputs import SimInputs
from engine.simulate.levers import Book, Levers
from engine.simulate.review import Firing, decide, holds, observe
from engine.simulate.state import QuarterState
from engine.simulate.streams import Streams
from engine.simulate.world import World, start_world

DAYS_PER_WEEK = 7.0


@dataclass
class Quarter:
    """What the processes of one replication share."""

    env: simpy.Environment
    world: World
    levers: Levers | None
    book: Book | None
    week: int
    """Weeks completed."""
    shock_running: bool = False
    """A competitor shock ran in the week just ended (set by ``calendar``)."""
    firings: list[Firing] = field(default_factory=list)
    fired: dict[str, int] = field(default_factory=dict)


Process = Callable[[Quarter], Generator[Any, Any, None]]


def calendar(q: Quarter) -> Generator[Any, Any, None]:
    """Week by week: the week count and the competitor shock under way."""
    shocks = frozenset(q.levers.shock_weeks.tolist()) if q.levers is not None else frozenset()
    while q.week < q.world.inp.weeks:
        yield q.env.timeout(DAYS_PER_WEEK * (q.week + 1) - q.env.now)
        q.week += 1
        q.shock_running = q.week - 1 in shocks


def reviews(q: Quarter) -> Generator[Any, Any, None]:
    """At each review point, judge the rules in order and take the actions of those that
    hold."""
    lv, book = q.levers, q.book
    if lv is None or book is None:
        return
    since = q.world.state.start_week
    for week in (w for w in lv.review_weeks if w > since):
        yield q.env.timeout(DAYS_PER_WEEK * week - q.env.now)
        yield q.env.timeout(0)  # after the calendar's tick of the same day
        seen = observe(q.world, lv, week, since, lv.metrics - {"competitor_shock"})
        seen["competitor_shock"] = float(q.shock_running)
        due = [rule for rule in lv.rules
               if (not rule.weeks or week in rule.weeks)
               and not (rule.once and q.fired.get(rule.id))
               and all(holds(c, seen, q.world, week) for c in rule.when)]
        decision = decide(q.world, lv, book, due, week)
        q.firings += decision.firings
        for f in decision.firings:
            q.fired[f.rule] = q.fired.get(f.rule, 0) + 1
        since = week


PROCESSES: list[Process] = [calendar, reviews]
"""The quarter's processes, started in this order (a review at a week's end runs after the
calendar's tick of that week)."""


def run_quarter(inp: SimInputs, streams: Streams, state: QuarterState, keep_trail: bool = False
                ) -> tuple[World, list[Firing]]:
    """One replication: the kernels run the quarter ahead, the clock runs its processes
    (``keep_trail``: keep every lead's stage record even without rules, for inspection)."""
    levers = inp.levers
    world = start_world(inp, streams, state, keep_trail=keep_trail or levers is not None)
    book = Book.open(levers, inp.lead_rate) if levers is not None else None
    env = simpy.Environment(initial_time=state.start_day)
    q = Quarter(env, world, levers, book, state.start_week)
    for process in PROCESSES:
        env.process(process(q))
    env.run(until=DAYS_PER_WEEK * inp.weeks + 1e-9)
    return world, q.firings
