"""Chunks of whole blocks on any number of workers give identical results."""

import numpy as np
import pytest

from negsim.engine import chunk_size, run_chunked
from negsim.engine.chunks import chunks
from negsim.sampling import BLOCK
from negsim.scenario import load_scenario
from tests.conftest import BASELINE, DATA

SINK = load_scenario(DATA / "kitchen_sink.yaml")


def test_chunk_sizes_are_whole_blocks():
    assert chunk_size(None) % BLOCK == 0
    assert chunk_size(1) == BLOCK and chunk_size(BLOCK + 1) == 2 * BLOCK
    assert list(chunks(10_000, BLOCK)) == [(0, 4096), (4096, 8192), (8192, 10_000)]


@pytest.fixture(scope="module")
def reference():
    return run_chunked(SINK, 5, 11_000, size=BLOCK)


@pytest.mark.parametrize("blocks,workers", [(2, 1), (5, 1), (1, 2), (2, 2)])
def test_results_do_not_depend_on_chunks_or_workers(reference, blocks, workers):
    other = run_chunked(SINK, 5, 11_000, size=blocks * BLOCK, workers=workers)
    for name in reference.__dataclass_fields__:
        assert np.array_equal(getattr(reference, name), getattr(other, name), equal_nan=True), name


def test_progress_counts_every_run():
    seen = []
    run_chunked(load_scenario(BASELINE), 1, 5000, size=BLOCK, progress=seen.append)
    assert sum(seen) == 5000 and len(seen) == 2


def test_a_dask_local_cluster_gives_the_same_results(reference):
    other = run_chunked(SINK, 5, 11_000, size=2 * BLOCK, workers=2, dask="local")
    for name in reference.__dataclass_fields__:
        assert np.array_equal(getattr(reference, name), getattr(other, name), equal_nan=True), name
