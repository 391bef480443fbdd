"""The compiled rep queue against SimPy: the same leads (arrival, work, patience) through a
``simpy.Resource`` of ``c`` reps, one SimPy process per lead, give the same pick-up days."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from engine.simulate.queueing import clock_table, serve_fifo


def simpy_pickups(arrival: np.ndarray, work: np.ndarray, reps: int,
                  patience: float) -> np.ndarray:
    """Pick-up day of each lead in a SimPy FIFO queue with ``reps`` servers (inf: went cold)."""
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=reps)
    start = np.full(arrival.size, np.inf)

    def lead(i: int) -> simpy.events.ProcessGenerator:
        yield env.timeout(arrival[i])
        with desk.request() as req:
            if np.isfinite(patience):
                got = yield req | env.timeout(patience)
                if req not in got:
                    return  # went cold
            else:
                yield req
            start[i] = env.now
            yield env.timeout(work[i])

    for i in range(arrival.size):
        env.process(lead(i))
    env.run()
    return start


@pytest.mark.parametrize(("reps", "patience"), [(1, np.inf), (3, np.inf), (3, 0.7), (8, 0.3)])
def test_fifo_kernel_equals_simpy(reps: int, patience: float) -> None:
    rng = np.random.default_rng(reps)
    n = 3000
    arrival = np.sort(rng.uniform(0.0, 80.0, n))
    work = rng.exponential(reps * 80.0 / n / 0.95, n)  # load 0.95: long queues
    speed = np.ones((1, 13))
    ours = serve_fifo(np.zeros(n, dtype=np.int64), arrival, work, patience,
                      np.array([reps]), speed, clock_table(speed))
    theirs = simpy_pickups(arrival, work, reps, patience)
    assert np.array_equal(np.isinf(ours), np.isinf(theirs))
    assert np.allclose(ours[np.isfinite(ours)], theirs[np.isfinite(theirs)], rtol=0, atol=1e-9)
    assert (ours - arrival > 1e-9).mean() > 0.3  # many leads really queued
    assert np.isinf(ours).any() == np.isfinite(patience)  # and some went cold
