"""The bootstrap evaluates all resamples at once; these tests hold it to the one-by-one figures."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.analysis.independence.pooling as pooling
from sim.analysis.independence import (
    COUNT_KEYS,
    CheckData,
    CheckSpec,
    Pooled,
    check_replication,
    resampling_weights,
)
from sim.analysis.replicate import run_tasks
from sim.inputs.scenario import load_plan, load_scenario


def one_by_one_percentiles(pooled: Pooled, qs, weights):
    """The weighted percentiles as computed before batching, one weight vector at a time."""
    cumulative = np.cumsum(weights[pooled.owner])
    total = cumulative[-1] if cumulative.size else 0
    if total <= 0:
        return None
    positions = np.asarray(qs, dtype=float) / 100.0 * (total - 1)
    lows = np.floor(positions)
    highs = np.minimum(lows + 1, total - 1)
    found = pooled.values[np.searchsorted(cumulative, np.concatenate([lows, highs]),
                                          side="right")].astype(float)
    k = len(positions)
    return (found[:k] + (found[k:] - found[:k]) * (positions - lows)).tolist()


@st.composite
def pooled_and_weights(draw):
    replications = draw(st.integers(1, 6))
    owners = draw(st.lists(st.integers(0, replications - 1), max_size=40))
    values = draw(st.lists(st.floats(0, 1e4, width=32), min_size=len(owners),
                           max_size=len(owners)))
    # Counts of draws (the bootstrap), or any non-negative weights (a slower, exact path).
    weight = st.integers(0, 4) if draw(st.booleans()) else st.sampled_from([0, 0.25, 1, 2.5])
    weights = draw(st.lists(st.lists(weight, min_size=replications, max_size=replications),
                            min_size=1, max_size=7))
    counts = np.zeros((replications, len(COUNT_KEYS)), dtype=np.int32)
    for r in owners:
        counts[r, 0] += 1
    pooled = Pooled(np.asarray(values, dtype=np.float32), np.asarray(owners, dtype=np.int32),
                    counts)
    return pooled, np.asarray(weights, dtype=float)


@settings(max_examples=150, deadline=None)
@given(pooled_and_weights(), st.sampled_from([1, 3, 1 << 20]))
def test_batched_percentiles_equal_one_by_one_exactly(case, block):
    """Every row's percentiles, in blocks of any size, are bit for bit the one-by-one ones."""
    pooled, weights = case
    original = pooling.CELLS_AT_ONCE
    pooling.CELLS_AT_ONCE = block
    try:
        found, some = pooled.percentiles_many((2.5, 50, 90, 97.5), weights)
    finally:
        pooling.CELLS_AT_ONCE = original
    for row, w in enumerate(weights):
        expected = one_by_one_percentiles(pooled, (2.5, 50, 90, 97.5), w)
        if expected is None:
            assert not some[row] and np.isnan(found[row]).all()
        else:
            assert some[row] and found[row].tolist() == expected


def test_percentiles_match_numpy_on_the_expanded_sample():
    """Weighted percentiles are numpy's linear percentiles of the repeated sample."""
    pooled = Pooled(np.array([5, 1, 3, 9, 7], dtype=np.float32),
                    np.array([0, 1, 1, 2, 0], dtype=np.int32),
                    np.zeros((3, len(COUNT_KEYS)), dtype=np.int32))
    weights = np.array([2.0, 0.0, 3.0])
    expanded = [5, 5, 7, 7, 9, 9, 9]
    assert pooled.percentiles((10, 50, 90), weights) == pytest.approx(
        np.percentile(expanded, [10, 50, 90]).tolist())


@pytest.fixture(scope="module")
def tiny_data():
    scenario = load_scenario("scenarios/tiny.yaml")
    spec = CheckSpec(scenario, None, weeks=8, every=4, seed=3)
    data = CheckData(spec, replications=6)
    run_tasks(check_replication, [(spec, r) for r in range(6)],
              consume=lambda i, rep: data.add(rep, i))
    data.finish()
    return data


@pytest.fixture(scope="module")
def platform_data():
    scenario = load_scenario("scenarios/platform-team.yaml")
    # Resamples of these six replications pass at week 16, 20, 24 or 26, or never: every path
    # is exercised.
    spec = CheckSpec(scenario, load_plan("pair-and-lead", scenario), weeks=26, every=4, seed=3)
    data = CheckData(spec, replications=6)
    run_tasks(check_replication, [(spec, r) for r in range(6)],
              consume=lambda i, rep: data.add(rep, i))
    data.finish()
    return data


@pytest.mark.parametrize("name", ["tiny_data", "platform_data"])
def test_batched_bootstrap_gives_the_one_by_one_figures(name, request):
    """First passing weeks and overall curves of all resamples equal those of each resample."""
    data = request.getfixturevalue(name)
    weights = np.array(resampling_weights(data.spec.seed, data.replications, samples=40))
    firsts = data.first_passing_weeks(weights)
    expected = [data.first_passing_week(w) for w in weights]
    assert firsts.tolist() == [np.inf if e is None else float(e) for e in expected]
    if name == "platform_data":
        assert {20, None} <= set(expected) and len(set(expected)) >= 3 and data.releases
    for index in range(len(data.spec.checkpoints)):
        for arm in ("present", "absent"):
            assert data.overall_figures_many(index, arm, weights) == [
                data.overall_figures(index, arm, w) for w in weights]
            for cls in data.spec.scenario.classes:
                pooled = data.by_class[index, arm, cls.id]
                assert pooled.stats_many(weights) == [pooled.stats(w) for w in weights]
