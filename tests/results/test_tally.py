"""The tally: exact counts, quantiles within one bin, merges independent of the split, and a
summary-only job whose memory does not grow with the number of runs."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from negsim.engine import run_chunked
from negsim.model.layout import Layout
from negsim.results.outcome import Outcomes
from negsim.results.tally import (
    DEAL_BINS,
    Tally,
    _histograms,
    histogram_quantiles,
    integer_quantiles,
)
from negsim.sampling import BLOCK
from negsim.scenario import load_scenario, load_scenario_data
from tests.conftest import BASELINE, DATA, three_endings_data

SINK = load_scenario(DATA / "kitchen_sink.yaml")


@given(hnp.arrays(np.int64, st.integers(1, 300), elements=st.integers(0, 60)),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_integer_quantiles_are_numpys(values, probabilities):
    counts = np.bincount(values)
    assert np.array_equal(integer_quantiles(counts, probabilities),
                          np.quantile(values, probabilities))


@given(hnp.arrays(float, st.integers(1, 400), elements=st.floats(0.0, 1.0)),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_histogram_quantiles_are_within_one_bin_of_numpys(values, probabilities):
    counts, span = _histograms(values[:, None], DEAL_BINS, (0.0, 1.0), span=True)
    q = histogram_quantiles(counts[0], span[:, 0], probabilities)
    exact = np.quantile(values, probabilities)
    assert np.all(np.abs(q - exact) <= 1.0 / DEAL_BINS + 1e-12)
    assert np.all((q >= values.min()) & (q <= values.max()))


@given(st.lists(st.integers(0, DEAL_BINS - 1), min_size=1, max_size=40, unique=True),
       st.lists(st.floats(0.0, 1.0), min_size=1, max_size=5))
def test_histogram_quantiles_are_exact_when_each_value_has_its_own_bin(bins, probabilities):
    values = (np.array(bins, dtype=float) + 0.5) / DEAL_BINS
    counts, span = _histograms(values[:, None], DEAL_BINS, (0.0, 1.0), span=True)
    q = histogram_quantiles(counts[0], span[:, 0], probabilities)
    assert np.allclose(q, np.quantile(values, probabilities), rtol=0, atol=1e-15)


@given(st.floats(0.0, 1.0), st.integers(1, 50), st.floats(0.0, 1.0))
def test_a_point_mass_gives_its_value_exactly(value, n, probability):
    counts, span = _histograms(np.full((n, 1), value), DEAL_BINS, (0.0, 1.0), span=True)
    assert histogram_quantiles(counts[0], span[:, 0], [probability])[0] == value


@pytest.mark.parametrize("name", ["sink", "three_endings"])
def test_merging_tallies_of_any_split_gives_the_same_tally(name):
    scenario = SINK if name == "sink" else load_scenario_data(three_endings_data())
    outcomes, whole = run_chunked(scenario, 3, 3 * BLOCK + 100, size=BLOCK)
    _, parts = run_chunked(scenario, 3, 3 * BLOCK + 100, size=2 * BLOCK)
    layout_tally = Tally.of(outcomes, Layout.from_scenario(scenario))
    for field in whole.__dataclass_fields__:
        assert np.array_equal(getattr(whole, field), getattr(parts, field)), field
        assert np.array_equal(getattr(whole, field), getattr(layout_tally, field)), field
    assert whole.runs == 3 * BLOCK + 100
    assert whole.agreed == outcomes.agreed.sum() == whole.deal_round.sum()
    assert whole.censored == outcomes.censored.sum()
    assert whole.mediator_left == outcomes.mediator_left.sum()
    assert whole.rounds.sum() == whole.runs == whole.utility[0].sum()
    if name == "three_endings":
        assert whole.agreed > 0 and whole.censored > 0 and whole.mediator_left > 0


def test_a_tally_survives_its_file_format():
    _, tally = run_chunked(SINK, 3, 500)
    again = Tally.from_bytes(tally.to_bytes())
    for name in tally.__dataclass_fields__:
        assert np.array_equal(getattr(tally, name), getattr(again, name)), name


def peak_of_summary_only_job(runs: int) -> int:
    """Peak bytes allocated (numpy included) during a summary-only job, chunks of one block."""
    scenario = load_scenario(BASELINE)
    tracemalloc.start()
    try:
        _, tally = run_chunked(scenario, 1, runs, size=BLOCK, keep_runs=False)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_summary_only_memory_does_not_grow_with_the_number_of_runs():
    small = peak_of_summary_only_job(4 * BLOCK)
    large = peak_of_summary_only_job(40 * BLOCK)  # ten times the runs, forty chunks
    assert large < 1.15 * small, (small, large)


@given(st.integers(1, 3 * BLOCK + 5), st.sampled_from([0.0, 0.3, -1e4, -1e9]),
       st.sampled_from([1e-9, 1e-3, 0.1]), st.integers(0, 2**32 - 1))
def test_utility_mean_and_variance_are_correctly_rounded(n, offset, spread, seed):
    """Mean and variance equal the exact rational mean and variance of the utilities,
    rounded once, even far from 0 with a tiny spread (where one-pass formulas cancel)."""
    from fractions import Fraction

    layout = Layout.from_scenario(SINK)
    rng = np.random.default_rng(seed)
    outcomes = Outcomes.empty(layout, np.arange(n))
    outcomes.utility[:] = offset + rng.normal(0.0, spread, outcomes.utility.shape)
    outcomes.no_deal[:] = 0.5
    mean, var = Tally.of(outcomes, layout).utility_mean_var()
    for i in range(outcomes.utility.shape[1]):
        exact = [Fraction(x) for x in outcomes.utility[:, i]]
        total, squares = sum(exact), sum(x * x for x in exact)
        assert mean[i] == float(total / n)
        if n > 1:
            assert var[i] == float((squares - total * total / n) / (n - 1))


# -- stages of an agenda --------------------------------------------------------------------

def test_a_tally_counts_each_stage_and_the_round_it_was_agreed_in():
    from tests.staged import staged_layout, staged_outcomes

    layout = staged_layout(("ceasefire", "prisoners", "settlement"))
    outcomes = staged_outcomes(layout, np.arange(3000), seed=5, agree=[0.9, 0.7, 0.5],
                               skip=0.3)
    tally = Tally.of(outcomes, layout)
    t = layout.max_rounds
    assert tally.stage_agreed.shape == (3,) and tally.stage_round.shape == (3, t)
    assert tally.stage_agreed.dtype == tally.stage_round.dtype == np.int64
    for s in range(3):
        rounds = outcomes.stage_round[:, s]
        assert tally.stage_agreed[s] == (rounds >= 0).sum() == tally.stage_round[s].sum()
        assert np.array_equal(tally.stage_round[s], np.bincount(rounds[rounds >= 0],
                                                                minlength=t))
    # the final stage's agreement is the deal
    assert tally.stage_agreed[-1] == tally.agreed
    assert np.array_equal(tally.stage_round[-1], tally.deal_round)
    # skipped stages: some runs agreed a later stage without an earlier one
    assert ((outcomes.stage_round[:, 0] < 0) & (outcomes.stage_round[:, 2] >= 0)).any()


def test_without_an_agenda_the_stage_arrays_are_empty():
    from tests.staged import PLAIN, staged_outcomes

    for tally in (Tally.empty(PLAIN), Tally.of(staged_outcomes(PLAIN, np.arange(50)), PLAIN)):
        assert tally.stage_agreed.shape == (0,)
        assert tally.stage_round.shape == (0, PLAIN.max_rounds)


@pytest.mark.parametrize("stages", [(), ("ceasefire", "settlement")], ids=["plain", "staged"])
def test_merged_stage_tallies_equal_the_tally_of_all_runs(stages):
    from tests.staged import staged_layout, staged_outcomes

    layout = staged_layout(stages)
    # three batches in different RNG blocks, merged in any order
    batches = [staged_outcomes(layout, np.arange(b * BLOCK, b * BLOCK + 300), seed=b)
               for b in range(3)]
    whole = Outcomes(**{name: np.concatenate([getattr(o, name) for o in batches])
                        for name in Outcomes.__dataclass_fields__})
    everything = Tally.of(whole, layout)
    parts = [Tally.of(o, layout) for o in batches]
    for merged in (parts[0].merge(parts[1]).merge(parts[2]),
                   parts[2].merge(parts[0].merge(parts[1])),
                   Tally.empty(layout).merge(parts[1]).merge(parts[2]).merge(parts[0])):
        for name in everything.__dataclass_fields__:
            assert np.array_equal(getattr(merged, name), getattr(everything, name)), name
    assert everything.stage_agreed.shape == (len(stages),)
    assert everything.stage_agreed.sum() > 0 or not stages


def test_a_staged_tally_survives_its_file_format():
    from tests.staged import staged_layout, staged_outcomes

    layout = staged_layout()
    tally = Tally.of(staged_outcomes(layout, np.arange(400), seed=2), layout)
    again = Tally.from_bytes(tally.to_bytes())
    for name in tally.__dataclass_fields__:
        assert np.array_equal(getattr(tally, name), getattr(again, name)), name
    assert again.stage_agreed.dtype == again.stage_round.dtype == np.int64
    assert again.stage_round.shape == (2, layout.max_rounds) and again.stage_agreed.sum() > 0


def test_a_tally_written_before_agendas_still_loads_without_stages():
    import io

    from tests.staged import PLAIN, staged_outcomes

    tally = Tally.of(staged_outcomes(PLAIN, np.arange(300), seed=3), PLAIN)
    with np.load(io.BytesIO(tally.to_bytes())) as npz:
        old = {name: npz[name] for name in npz.files
               if name not in ("stage_agreed", "stage_round")}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **old)  # the format before agendas
    loaded = Tally.from_bytes(buffer.getvalue())
    assert loaded.stage_agreed.shape == (0,) and loaded.stage_agreed.dtype == np.int64
    assert loaded.stage_round.shape == (0, PLAIN.max_rounds)
    for name in tally.__dataclass_fields__:
        assert np.array_equal(getattr(tally, name), getattr(loaded, name)), name
    # and it merges with a tally of today
    assert loaded.merge(Tally.empty(PLAIN)).stage_round.shape == (0, PLAIN.max_rounds)


def test_a_stage_agreed_after_the_window_is_refused():
    from tests.staged import staged_layout, staged_outcomes

    layout = staged_layout()
    outcomes = staged_outcomes(layout, np.arange(20), seed=1)
    outcomes.stage_round[3, 0] = layout.max_rounds
    with pytest.raises(ValueError, match="after the window"):
        Tally.of(outcomes, layout)
