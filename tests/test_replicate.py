"""Batching of replication tasks for the worker processes."""

from __future__ import annotations

import pytest

from sim.analysis.replicate import _batches, run_tasks


def _square(spec: int, replication: int) -> tuple[int, int]:
    return spec, replication * replication


@pytest.mark.parametrize("tasks_per_spec, specs, workers", [
    (30, 3, 2), (1000, 3, 2), (7, 2, 2), (30, 3, 1), (50, 2, 4), (1, 1, 2),
])
def test_batches_keep_order_and_one_spec_and_end_with_single_tasks(tasks_per_spec, specs,
                                                                   workers):
    """Batches cover the tasks in order, hold one spec each, stay within an eighth of a
    worker's share, and shrink so that the last ones are single tasks."""
    names = [object() for _ in range(specs)]
    tasks = [(spec, r) for spec in names for r in range(tasks_per_spec)]
    batches = _batches(tasks, workers)
    assert [(spec, r) for spec, reps in batches for r in reps] == tasks
    per_batch = max(1, len(tasks) // (workers * 8))
    assert max(len(reps) for _, reps in batches) <= per_batch
    tail = batches[-min(len(batches), 2 * workers):]
    assert all(len(reps) == 1 for _, reps in tail)


def test_sizes_shrink_towards_the_end():
    """On two workers, 90 tasks go in batches of 5 that shrink to 1 at the end."""
    spec = object()
    sizes = [len(reps) for _, reps in _batches([(spec, r) for r in range(90)], 2)]
    assert sizes == [5] * 15 + [4, 3, 2, 2, 1, 1, 1, 1]


@pytest.mark.parametrize("workers", [1, 2])
def test_run_tasks_results_in_task_order(workers):
    """Results come back in the order of the tasks, whatever the workers."""
    tasks = [(spec, r) for spec in (1, 2) for r in range(13)]
    assert run_tasks(_square, tasks, workers) == [(s, r * r) for s, r in tasks]
