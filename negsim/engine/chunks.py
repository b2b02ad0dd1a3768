"""Split a Monte Carlo job into chunks of whole RNG blocks and run them on an executor.

A chunk is a range of runs that starts on a block boundary, so that every run draws exactly
what it would draw in any other split: results are identical whatever the chunk size, the
number of workers or the executor. Chunks are reassembled in run order.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from ..outcome import Outcomes
from ..sampling import BLOCK, sample
from ..scenario.schema import Scenario
from .vector import run_vector

DEFAULT_CHUNK = 4 * BLOCK


def chunk_size(requested: int | None) -> int:
    """Runs per chunk: the request rounded up to whole blocks (default 4 blocks)."""
    if requested is None:
        return DEFAULT_CHUNK
    return max(1, -(-requested // BLOCK)) * BLOCK


def chunks(runs: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, stop) run ranges of ``size`` runs (a multiple of BLOCK) covering ``runs``."""
    for start in range(0, runs, size):
        yield start, min(runs, start + size)


def run_chunk(scenario: Scenario, seed: int, start: int, stop: int) -> Outcomes:
    """Sample and play runs ``start`` .. ``stop - 1`` (the unit of work of every executor)."""
    return run_vector(sample(scenario, seed, start, stop))


def run_chunked(scenario: Scenario, seed: int, runs: int, size: int | None = None,
                workers: int = 1, progress: Callable[[int], None] | None = None,
                dask: str | None = None) -> Outcomes:
    """All runs of a job: serially (workers = 1), on a pool of worker processes, or on Dask.

    ``dask`` is "local" (a LocalCluster of ``workers`` processes, at least 2) or the address
    of a running scheduler ("tcp://host:port").
    """
    size = chunk_size(size)
    ranges = list(chunks(runs, size))
    if dask is not None:
        return concat(_run_dask(scenario, seed, ranges, dask, max(workers, 2), progress))
    if workers <= 1:
        parts = []
        for start, stop in ranges:
            parts.append(run_chunk(scenario, seed, start, stop))
            if progress is not None:
                progress(stop - start)
        return concat(parts)
    context = multiprocessing.get_context("spawn")  # no fork of a threaded process
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(run_chunk, scenario, seed, start, stop) for start, stop in ranges]
        parts = []
        for future, (start, stop) in zip(futures, ranges, strict=True):
            parts.append(future.result())
            if progress is not None:
                progress(stop - start)
    return concat(parts)


def _run_dask(scenario, seed, ranges, address, workers, progress) -> list[Outcomes]:
    """Run the chunks on Dask; each task has its own key, so none is merged with another."""
    from uuid import uuid4

    from distributed import Client, LocalCluster

    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    else:
        client = Client(address)
    try:
        shared = client.scatter(scenario, broadcast=True)
        job = uuid4().hex
        futures = [client.submit(run_chunk, shared, seed, start, stop,
                                 key=f"negsim-{job}-{start}", pure=False)
                   for start, stop in ranges]
        parts = []
        for future, (start, stop) in zip(futures, ranges, strict=True):
            parts.append(future.result())
            if progress is not None:
                progress(stop - start)
        return parts
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def concat(parts: list[Outcomes]) -> Outcomes:
    """Outcomes of consecutive chunks joined in order."""
    fields = Outcomes.__dataclass_fields__
    return Outcomes(**{name: np.concatenate([getattr(p, name) for p in parts])
                       for name in fields})
