"""Split a Monte Carlo job into chunks of whole RNG blocks and run them on an executor.

A chunk is a range of runs that starts on a block boundary, so that every run draws exactly
what it would draw in any other split: results are identical whatever the chunk size, the
number of workers or the executor. Chunks are reassembled in run order.

Each chunk is also reduced to a Tally where it is played. With ``keep_runs=False`` only the
tallies come back, so memory is set by the chunk size, not by the number of runs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from itertools import islice

import numpy as np

from ..model.layout import Layout
from ..results.outcome import Outcomes
from ..results.tally import Tally
from ..sampling import BLOCK, sample
from ..scenario.schema import Scenario
from ..signals import deferred
from .vector import run_vector

DEFAULT_CHUNK = 4 * BLOCK  # the compiled engine's chunk (and any engine's without a layout)
MAX_DEFAULT_BLOCKS = 16
L3_BYTES = 32 * 2**20  # assumed when the machine does not say
BATCH_ENGINES = ("vector", "numpy", "compiled")  # vector: compiled where it can, else numpy


def batch_engine(layout: Layout, engine: str = "vector") -> str:
    """The batch engine that plays a scenario: "compiled" or "numpy" ("vector" is the
    compiled one where numba is installed and it supports the scenario, else numpy)."""
    from . import compiled

    if engine not in BATCH_ENGINES:
        raise ValueError(f"unknown batch engine {engine!r}")
    if engine == "vector":
        return "compiled" if compiled.available() and compiled.supports(layout) else "numpy"
    return engine


def play(params, engine: str = "vector") -> Outcomes:
    """Outcomes of a batch on a batch engine (see ``batch_engine``); all give the same."""
    if batch_engine(params.layout, engine) == "compiled":
        from .compiled import run_compiled

        return run_compiled(params)
    return run_vector(params)


def chunk_size(requested: int | None, layout: Layout | None = None,
               engine: str = "vector") -> int:
    """Runs per chunk: the request rounded up to whole blocks. By default, for the compiled
    engine 4 blocks (it streams each run's parameters through once, so the chunk's size
    only costs memory); for the numpy engine, as many blocks as keep its working set (about
    56 bytes per actor and issue of a run, docs/engines.md) within half the last-level cache,
    1 to 16 blocks. Results do not depend on the chunk size."""
    if requested is not None:
        return max(1, -(-requested // BLOCK)) * BLOCK
    if layout is None or batch_engine(layout, engine) == "compiled":
        return DEFAULT_CHUNK
    a, k = len(layout.actors), len(layout.issues)
    per_run = 56 * a * k + 64 * a + 256
    blocks = (cache_bytes() // 2) // (per_run * BLOCK)
    return int(min(max(blocks, 1), MAX_DEFAULT_BLOCKS)) * BLOCK


def cache_bytes() -> int:
    """The last-level cache of this machine, from Linux's sysfs (L3_BYTES if it does not
    say)."""
    root = "/sys/devices/system/cpu/cpu0/cache"
    best = 0
    try:
        for entry in os.listdir(root):
            if not entry.startswith("index"):
                continue
            with open(os.path.join(root, entry, "size")) as handle:
                text = handle.read().strip().upper()
            scale = {"K": 2**10, "M": 2**20, "G": 2**30}.get(text[-1:], 1)
            best = max(best, int(text.rstrip("KMG")) * scale)
    except (OSError, ValueError):
        return L3_BYTES
    return best or L3_BYTES


def chunks(runs: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, stop) run ranges of ``size`` runs (a multiple of BLOCK) covering ``runs``."""
    for start in range(0, runs, size):
        yield start, min(runs, start + size)


Chunk = tuple[Outcomes | None, Tally]


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int,
              keep_runs: bool = True, engine: str = "vector") -> Chunk:
    """Sample and play runs ``start`` .. ``stop - 1`` (the unit of work of every executor)
    on a batch engine (see ``play``): their outcomes (None unless ``keep_runs``) and their
    tally."""
    params = sample(scenario, seed, start, stop)
    outcomes = play(params, engine)
    outcomes.check(params.layout)
    return (outcomes if keep_runs else None), Tally.of(outcomes, params.layout)


def run_chunked(scenario: Scenario, seed: int, runs: int, size: int | None = None,
                workers: int = 1, progress: Callable[[int], None] | None = None,
                dask: str | None = None, keep_runs: bool = True,
                engine: str = "vector") -> Chunk:
    """All runs of a job: serially (workers = 1), on a pool of worker processes, or on Dask.

    ``dask`` is "local" (a LocalCluster of ``workers`` processes, at least 2) or the address
    of a running scheduler ("tcp://host:port"). ``engine`` is the batch engine (see
    ``play``). Returns the outcomes of every run (None unless ``keep_runs``) and the tally of
    the job.
    """
    layout = Layout.from_scenario(scenario)
    size = chunk_size(size, layout, engine)
    ranges = chunks(runs, size)  # produced one at a time: memory does not grow with runs
    workers = min(workers, -(-runs // size))  # no more processes than chunks
    job = _Job(layout, keep_runs, progress, runs)
    if dask is not None:
        _run_dask(scenario, seed, ranges, dask, max(workers, 2), job, engine)
    elif workers <= 1:
        for start, stop in ranges:
            job.add(run_chunk(scenario, seed, start, stop, keep_runs, engine), stop - start)
    else:
        run_pooled(run_chunk,
                   lambda start, stop: (scenario, seed, start, stop, keep_runs, engine),
                   ranges, workers, job)
    return job.result()


def run_pooled(function, arguments, ranges, workers: int, job) -> None:
    """Call ``function(*arguments(start, stop))`` for every run range on a pool of
    ``workers`` processes, handing the results to ``job.add(result, runs)`` in run order.
    An error or a signal stops the pool at once."""
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    with _signals_blocked():  # the helpers are born deaf to the terminal's signals
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                   initializer=worker_init, initargs=(os.getpid(),))
        launch = getattr(pool, "_launch_processes", None)
        if launch is not None:  # start every worker now, not on the first submissions
            launch()
    try:
        _in_order(lambda start, stop: pool.submit(function, *arguments(start, stop)),
                  ranges, 2 * workers, job)
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown()


@contextmanager
def _signals_blocked():
    """Block Ctrl-C, SIGTERM and SIGHUP in this thread while worker processes (and
    multiprocessing's resource tracker) are started: they inherit the blocked mask, so a
    Ctrl-C or hang-up sent to the whole process group while they import cannot print their
    tracebacks or kill the tracker; the parent gets any such signal as soon as the block
    ends, and stops them itself."""
    names = ("SIGINT", "SIGTERM", "SIGHUP")
    numbers = {getattr(signal, n) for n in names if hasattr(signal, n)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, numbers)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def worker_init(parent: int) -> None:
    """Set up a worker process: termination signals are the parent's to handle (it stops
    the workers), and on Linux the worker dies with its parent, even a killed one, instead
    of waiting for work forever."""
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once: drop the chunks not started and kill the workers (they hold
    nothing that needs cleaning up; the parent holds every result and file)."""
    with deferred():  # a second Ctrl-C or SIGTERM waits until the workers are gone
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            process.kill()
        for process in processes:
            process.join(timeout=10)
        # A worker killed while sending its result leaves half a message in the result pipe,
        # and the pool's manager thread would wait for the rest forever (and the interpreter
        # for it at exit): closing our own end of that pipe turns the wait into an end of
        # file, which the pool handles as a broken pool and cleans up.
        writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
        if writer is not None:
            writer.close()
        pool.shutdown(wait=False, cancel_futures=True)
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(timeout=10)


def _in_order(submit, ranges, window: int, job: _Job) -> None:
    """Submit chunks, at most ``window`` at a time, and hand their results to ``job`` in run
    order, dropping each as soon as it is merged: the executor never holds more than a
    window of finished chunks, however many runs the job has."""
    pending: deque = deque()
    todo = iter(ranges)
    for start, stop in islice(todo, window):
        pending.append((submit(start, stop), stop - start))
    while pending:
        future, runs = pending.popleft()
        job.add(future.result(), runs)
        del future
        following = next(todo, None)
        if following is not None:
            pending.append((submit(*following), following[1] - following[0]))


class _Job:
    """Collects chunks in run order: their outcomes if kept (copied into the job's arrays as
    they come, so that memory holds each run once), and one merged tally."""

    def __init__(self, layout: Layout, keep_runs: bool, progress, runs: int):
        self.outcomes = Outcomes.empty(layout, np.arange(runs)) if keep_runs else None
        self.done = 0
        self.tally = Tally.empty(layout)
        self.progress = progress

    def add(self, chunk: Chunk, runs: int) -> None:
        outcomes, tally = chunk
        if self.outcomes is not None:
            if len(outcomes.run) != runs or outcomes.run[0] != self.done:
                raise RuntimeError(f"a chunk of {len(outcomes.run)} runs from run "
                                   f"{outcomes.run[0]} came where runs {self.done} .. "
                                   f"{self.done + runs - 1} belong")
            stop = self.done + runs
            for name in Outcomes.__dataclass_fields__:
                getattr(self.outcomes, name)[self.done:stop] = getattr(outcomes, name)
        self.done += runs
        self.tally = self.tally.merge(tally)
        if self.progress is not None:
            self.progress(runs)

    def result(self) -> Chunk:
        return self.outcomes, self.tally


def _run_dask(scenario, seed, ranges, address, workers, job: _Job, engine: str) -> None:
    """Run the chunks on Dask; each task has its own key, so none is merged with another."""
    from uuid import uuid4

    from distributed import Client, LocalCluster

    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.CRITICAL)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        shared = client.scatter(scenario, broadcast=True)
        name = uuid4().hex
        _in_order(lambda start, stop: client.submit(
            run_chunk, shared, seed, start, stop, job.outcomes is not None, engine,
            key=f"negsim-{name}-{start}", pure=False), ranges, 2 * workers, job)
    finally:
        with deferred():  # a second signal waits until the cluster is closed
            client.close()
            if cluster is not None:
                cluster.close()
