"""Chunks of whole blocks on any number of workers give identical results and tallies."""

import numpy as np
import pytest

from negsim.engine import chunk_size, run_chunked
from negsim.engine.chunks import chunks
from negsim.sampling import BLOCK
from negsim.scenario import load_scenario, load_scenario_data
from tests.conftest import BASELINE, DATA, three_endings_data

SINK = load_scenario(DATA / "kitchen_sink.yaml")
# the kitchen sink's hardliner veto holder blocks every deal in version 2; this scenario's runs
# end in deals, break-offs and censoring, so that every outcome column is compared
MIXED = load_scenario_data(three_endings_data())


def test_chunk_sizes_are_whole_blocks():
    assert chunk_size(None) % BLOCK == 0
    assert chunk_size(1) == BLOCK and chunk_size(BLOCK + 1) == 2 * BLOCK
    assert list(chunks(10_000, BLOCK)) == [(0, 4096), (4096, 8192), (8192, 10_000)]


def test_the_numpy_engines_default_chunk_fits_the_cache_and_shrinks_as_scenarios_grow(
        monkeypatch):
    from negsim.bench import synthetic
    from negsim.engine import chunks as module
    from negsim.model.layout import Layout

    monkeypatch.setattr(module, "cache_bytes", lambda: 32 * 2**20)
    sizes = [chunk_size(None, Layout.from_scenario(synthetic(a, k, 10)), "numpy")
             for a, k in ((3, 1), (4, 8), (8, 32), (32, 128))]
    assert all(size % BLOCK == 0 and BLOCK <= size <= 16 * BLOCK for size in sizes)
    assert sizes == sorted(sizes, reverse=True) and sizes[0] > sizes[-1] == BLOCK
    assert chunk_size(None, Layout.from_scenario(synthetic(4, 8, 10)), "compiled") == 4 * BLOCK
    assert chunk_size(5000, Layout.from_scenario(synthetic(4, 8, 10)), "numpy") == 2 * BLOCK


@pytest.fixture(scope="module")
def reference():
    return run_chunked(SINK, 5, 11_000, size=BLOCK)


def assert_identical(one, other) -> None:
    """Same outcomes (or both None) and the same tally, bit for bit."""
    (outcomes, tally), (outcomes_2, tally_2) = one, other
    if outcomes is None or outcomes_2 is None:
        assert outcomes is outcomes_2 is None or outcomes_2 is None
    else:
        for name in outcomes.__dataclass_fields__:
            assert np.array_equal(getattr(outcomes, name), getattr(outcomes_2, name),
                                  equal_nan=True), name
    for name in tally.__dataclass_fields__:
        assert np.array_equal(getattr(tally, name), getattr(tally_2, name)), name


@pytest.mark.parametrize("blocks,workers", [(2, 1), (5, 1), (1, 2), (2, 2)])
def test_results_do_not_depend_on_chunks_or_workers(reference, blocks, workers):
    assert_identical(reference, run_chunked(SINK, 5, 11_000, size=blocks * BLOCK,
                                            workers=workers))


def test_the_summary_only_job_has_the_same_tally(reference):
    assert_identical(reference, run_chunked(SINK, 5, 11_000, size=2 * BLOCK, keep_runs=False))


@pytest.mark.parametrize("blocks,workers", [(2, 1), (1, 2)])
def test_deals_break_offs_and_censored_runs_do_not_depend_on_chunks_or_workers(blocks, workers):
    reference = run_chunked(MIXED, 5, 2 * BLOCK + 300, size=BLOCK)
    outcomes = reference[0]
    assert outcomes.agreed.any() and outcomes.mediator_left.any() and outcomes.censored.any()
    assert_identical(reference, run_chunked(MIXED, 5, 2 * BLOCK + 300, size=blocks * BLOCK,
                                            workers=workers))


def test_progress_counts_every_run():
    seen = []
    run_chunked(load_scenario(BASELINE), 1, 5000, size=BLOCK, progress=seen.append)
    assert sum(seen) == 5000 and len(seen) == 2


def test_a_dask_local_cluster_gives_the_same_results(reference):
    assert_identical(reference, run_chunked(SINK, 5, 11_000, size=2 * BLOCK, workers=2,
                                            dask="local"))


def test_many_actors_on_one_issue_give_the_same_bits_in_any_chunk():
    """Nine actors, one issue: sums over actors must add in the same order for a run alone
    in its chunk as for a run among thousands (numpy's own sums do not)."""
    nine = load_scenario(DATA / "nine_one_issue.yaml")
    assert_identical(run_chunked(nine, 94, BLOCK + 1, size=BLOCK),
                     run_chunked(nine, 94, BLOCK + 1, size=2 * BLOCK))
