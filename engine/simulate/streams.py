"""Random streams: one root ``SeedSequence``, one child per replication, one named sub-stream per
source of randomness.

Replication ``i`` of seed ``s`` always gets ``SeedSequence(s, spawn_key=(i,))`` — the ``i``-th child
of ``SeedSequence(s).spawn(n)`` — whatever the backend, worker count or chunking, so the numbers
are the same everywhere. Two scenarios run with the same seed draw their arrivals, conversions,
supply lead times... from the same sub-streams: common random numbers.
"""

from __future__ import annotations

import numpy as np

STREAMS: tuple[str, ...] = (
    "arrivals",
    "segments",
    "durations",
    "conversions",
    "products",
    "repeat",
    "supply",
    "payments",
    "uncertainty",
    "carried",
)
"""Named sub-streams of a replication. New sources go at the end so existing ones keep their
numbers."""

Streams = dict[str, np.random.Generator]


def replication_streams(seed: int, replication: int) -> Streams:
    """The named generators of replication ``replication`` (from 0) under root ``seed``."""
    child = np.random.SeedSequence(seed, spawn_key=(replication,))
    return {
        name: np.random.Generator(np.random.PCG64(seq))
        for name, seq in zip(STREAMS, child.spawn(len(STREAMS)), strict=True)
    }


def spawn_streams(seed: int, replications: int) -> list[Streams]:
    """Named generators for replications ``0 .. replications - 1`` under root ``seed``.

    >>> a = spawn_streams(7, 2)
    >>> b = spawn_streams(7, 3)
    >>> float(a[1]["arrivals"].random()) == float(b[1]["arrivals"].random())
    True
    """
    return [replication_streams(seed, i) for i in range(replications)]
