"""Monte Carlo over replications: serially, in local processes, or on a Dask cluster.

Replication ``i`` always runs on ``replication_streams(seed, i)``, so results are identical
whatever the backend, the number of workers or the chunking. Work goes to Dask in chunks of at
least ``MIN_CHUNK`` replications (a task costs milliseconds to schedule there); to local processes
in chunks that shrink as the run goes (``guided_chunks``), so that they finish together.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from engine.errors import SimulationError, UsageError, clip
from engine.scenario.limits import MAX_REPLICATIONS, MAX_SIMULATION_MEMORY_SHARE
from engine.simulate.inputs import SimInputs
from engine.simulate.memory import tune_allocator
from engine.simulate.quarter import ReplicationRecord, run_replication
from engine.simulate.state import QuarterState
from engine.simulate.streams import replication_streams

SCHEDULER_TIMEOUT = "10s"
"""How long to try reaching a Dask scheduler."""
MIN_CHUNK = 10
"""Smallest piece sent to Dask (a task costs about 1.6 ms to schedule)."""
GUIDED_MIN = 2
"""Smallest piece sent to a local process (a task costs well under a millisecond)."""
Progress = Callable[[int, int], None]
Chunk = tuple[int, list[ReplicationRecord]]


class _Interrupt:
    """Ctrl-C during a run sets a flag that the loops check between replications; raising
    inside a compiled kernel's call would surface as a ``SystemError`` instead."""

    requested = False

    @classmethod
    def check(cls) -> None:
        if cls.requested:
            raise KeyboardInterrupt


@contextmanager
def _interruptible() -> Iterator[None]:
    """Catch SIGINT and SIGTERM as a flag while the block runs (main thread only), then raise
    ``KeyboardInterrupt`` if one came."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _Interrupt.requested = False

    def request(signum: int, frame: Any) -> None:
        _Interrupt.requested = True

    previous = {sig: signal.signal(sig, request) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except Exception:
        if _Interrupt.requested:  # a worker or the pool's server fell to the same signal
            raise KeyboardInterrupt from None
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    _Interrupt.check()


def run_chunk(inp: SimInputs, seed: int, first: int, count: int,
              state: QuarterState) -> Chunk:
    """Replications ``first .. first + count - 1`` (what a worker runs)."""
    records = []
    for i in range(first, first + count):
        _Interrupt.check()
        records.append(run_replication(inp, replication_streams(seed, i), state))
    return first, records


def chunks(replications: int, workers: int) -> list[tuple[int, int]]:
    """``(first, count)`` pieces: about eight per worker, none under ``MIN_CHUNK``."""
    size = max(MIN_CHUNK, math.ceil(replications / max(1, 8 * workers)))
    return [(i, min(size, replications - i)) for i in range(0, replications, size)]


def guided_chunks(replications: int, workers: int, smallest: int = GUIDED_MIN
                  ) -> list[tuple[int, int]]:
    """``(first, count)`` pieces, largest first: each takes ``1 / (3 * workers)`` of the
    replications left (at least ``smallest``), so the last pieces handed out are small and the
    processes finish together.

    >>> guided_chunks(20, 2)
    [(0, 4), (4, 3), (7, 3), (10, 2), (12, 2), (14, 2), (16, 2), (18, 2)]
    """
    out, first = [], 0
    while first < replications:
        left = replications - first
        size = min(left, max(smallest, math.ceil(left / (3 * workers))))
        out.append((first, size))
        first += size
    return out


def _serial(inp: SimInputs, seed: int, pieces: list[tuple[int, int]],
            state: QuarterState) -> Iterator[Chunk]:
    for first, count in pieces:
        yield run_chunk(inp, seed, first, count, state)


def _leave(signum: int, frame: Any) -> None:
    """A worker's SIGTERM: leave by ``SystemExit``, so that a worker waiting for its next task
    lets go of the pool's task-queue lock on the way out (killed outright while holding it, it
    would leave ``Pool.terminate`` waiting for that lock forever)."""
    raise SystemExit(0)


def _init_worker() -> None:
    """Ignore Ctrl-C (the caller stops the pool), leave cleanly on SIGTERM (from the caller's
    ``terminate`` or a SIGTERM to the process group), tune the allocator, and load the compiled
    kernels before the first chunk (already done if the forkserver preloaded them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _leave)
    tune_allocator()
    import engine.simulate.warmup  # noqa: F401


def _start_method() -> str:
    methods = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in methods else "spawn"


def _start_forkserver() -> None:
    """Start the fork server with Ctrl-C ignored, so that it and every worker it forks ignore
    it from birth (the caller stops them); it would otherwise die mid-preload on a Ctrl-C to
    the terminal's process group, with a traceback. Ignored only for the instant of the spawn."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)


def prepare_processes() -> Any:
    """The context local pools are made in, its fork server started: the server loads the
    compiled kernels (about a second) in the background, so a caller that knows a pool is
    coming can call this early and go on with its own work meanwhile."""
    ctx = multiprocessing.get_context(_start_method())
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(["engine.simulate.warmup"])
        _start_forkserver()
    return ctx


def _pool(workers: int) -> Any:
    return prepare_processes().Pool(workers, initializer=_init_worker)


class _Feeder:
    """Hands chunks to the pool one per process as each finishes (from the pool's result
    thread), while the calling process takes chunks too; both take the next piece in order
    (``guided_chunks``: largest first)."""

    def __init__(self, pool: Any, args: tuple[SimInputs, int, QuarterState],
                 pieces: list[tuple[int, int]]) -> None:
        self.pool, self.args = pool, args
        self.todo = deque(pieces)
        self.lock = threading.Lock()
        self.results: queue.Queue[Chunk | BaseException] = queue.Queue()

    def take(self) -> tuple[int, int] | None:
        with self.lock:
            return self.todo.popleft() if self.todo else None

    def submit(self) -> None:
        piece = self.take()
        if piece is not None:
            inp, seed, state = self.args
            with contextlib.suppress(ValueError):  # the pool was stopped (Ctrl-C, an error)
                self.pool.apply_async(run_chunk, (inp, seed, *piece, state),
                                      callback=self.done, error_callback=self.results.put)

    def done(self, chunk: Chunk) -> None:
        self.results.put(chunk)
        self.submit()


def _processes(inp: SimInputs, seed: int, pieces: list[tuple[int, int]], state: QuarterState,
               workers: int) -> Iterator[Chunk]:
    """``workers - 1`` pool processes plus this one: each pool process gets a new chunk as it
    finishes one, and this process runs the next chunk of the list meanwhile."""
    pool = _pool(workers - 1)
    feeder = _Feeder(pool, (inp, seed, state), pieces)
    broken: list[BaseException] = []
    previous_hook = threading.excepthook

    def pool_thread_failed(args: Any) -> None:
        # the pool's own threads (``_handle_workers`` ...) fail when a signal to the process
        # group killed the fork server: say it here, not as a traceback on the terminal
        if args.thread is not None and "(_handle_" in args.thread.name:
            broken.append(args.exc_value)
            return
        previous_hook(args)

    threading.excepthook = pool_thread_failed
    try:
        for _ in range(workers - 1):
            feeder.submit()
        received = 0
        while received < len(pieces):
            piece = feeder.take()
            if piece is not None:
                received += 1
                yield run_chunk(inp, seed, *piece, state)
                continue
            try:
                item = feeder.results.get(timeout=0.05)
            except queue.Empty:
                _Interrupt.check()
                if broken:
                    time.sleep(0.2)  # a signal that broke the pool is handled by now
                    _Interrupt.check()
                    raise SimulationError(f"the worker pool broke: {broken[0]}") from None
                continue
            if isinstance(item, BaseException):
                raise SimulationError(f"a worker failed: {item}") from item
            received += 1
            yield item
        pool.close()
    except BaseException:
        _stop(pool)
        raise
    else:
        pool.join()
    finally:
        threading.excepthook = previous_hook


STOP_SECONDS = 5.0
"""How long a pool's own teardown may take after an interruption before its processes are
killed outright."""


def _stop(pool: Any) -> None:
    """``pool.terminate()``, but never for ever: a SIGTERM to the process group can kill the
    fork server while the pool replaces a worker, and the standard pool's teardown then waits
    for a thread that is gone. After ``STOP_SECONDS`` the pool's processes are killed and the
    caller goes on (the half-finished teardown is a daemon thread; nothing is written)."""
    stopper = threading.Thread(target=pool.terminate, daemon=True)
    stopper.start()
    stopper.join(STOP_SECONDS)
    if stopper.is_alive():
        for process in list(getattr(pool, "_pool", [])):
            with contextlib.suppress(Exception):
                process.kill()


def _connect(client_type: Any, address: Any) -> Any:
    """A Dask client of the scheduler at ``address``; ``UsageError`` naming it when it cannot be
    reached, is no address, or what answers is no Dask scheduler."""
    try:
        return client_type(address, timeout=SCHEDULER_TIMEOUT)
    except Exception as exc:  # anything: what answers there may not speak Dask at all
        if isinstance(exc, MemoryError):
            exc = ValueError("what answered does not speak the Dask protocol")
        raise UsageError(f"--scheduler {clip(str(address))}: cannot reach a Dask scheduler there "
                         f"({type(exc).__name__}: {clip(str(exc))})") from None


def _dask(inp: SimInputs, seed: int, pieces: list[tuple[int, int]], state: QuarterState,
          scheduler: Any) -> Iterator[Chunk]:
    from distributed import Client, as_completed

    client = scheduler if isinstance(scheduler, Client) else _connect(Client, scheduler)
    try:
        shared = client.scatter(inp, broadcast=True)
        futures = [client.submit(run_chunk, shared, seed, f, c, state, pure=False)
                   for f, c in pieces]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        if client is not scheduler:
            client.close()


def run_replications(
    inp: SimInputs,
    state: QuarterState,
    replications: int,
    seed: int,
    workers: int = 1,
    scheduler: Any = None,
    progress: Progress | None = None,
) -> list[ReplicationRecord]:
    """Records of replications ``0 .. replications - 1``, in order."""
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise SimulationError(f"replications must be 1 to {MAX_REPLICATIONS:,} "
                              f"(got {replications:,})")
    if workers < 1:
        raise SimulationError(f"workers must be at least 1 (got {workers})")
    workers = min(workers, max(1, os.cpu_count() or 1))
    tune_allocator()
    if scheduler is not None:
        stream = _dask(inp, seed, chunks(replications, 8), state, scheduler)
    elif workers > 1 and replications > 1:
        stream = _processes(inp, seed, guided_chunks(replications, workers), state, workers)
    else:
        stream = _serial(inp, seed, chunks(replications, 1), state)
    records: list[ReplicationRecord | None] = [None] * replications
    done = 0
    with _interruptible():
        for first, recs in stream:
            if done == 0:
                _check_memory(recs[0], replications)
            records[first:first + len(recs)] = recs
            done += len(recs)
            if progress is not None:
                progress(done, replications)
            _Interrupt.check()
    return [r for r in records if r is not None]


def _record_bytes(record: ReplicationRecord) -> int:
    arrays = [v for v in vars(record).values() if isinstance(v, np.ndarray)]
    return sum(a.nbytes for a in arrays) + 64 * len(record.kpis) + 1024


def _memory() -> int:
    """Bytes of memory of this machine (0 when unknown)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 0


def _check_memory(record: ReplicationRecord, replications: int) -> None:
    """Stop early when the replications asked for cannot be kept in memory (twice their size:
    the records and the stacked arrays)."""
    need = 2 * _record_bytes(record) * replications
    have = _memory()
    if have and need > MAX_SIMULATION_MEMORY_SHARE * have:
        raise UsageError(
            f"--replications {replications:,} would need about {need / 2**30:.1f} GB of memory "
            f"for this scenario; this machine has {have / 2**30:.1f} GB: ask for fewer")


def stack(records: list[ReplicationRecord], name: str) -> np.ndarray:
    """One array (replications first) of the field ``name`` of every record."""
    return np.stack([getattr(r, name) for r in records])
