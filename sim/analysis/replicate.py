"""Replications outside the model: many independent runs of one team, on a pluggable executor.

A replication is addressed by (seed, index); its random streams derive from that address alone
(sim/model/rng.py), and results come back sorted by index, so the numbers never depend on how many
workers ran them or in which order they finished. A replication returns its aggregates, not its
incident log, unless the caller asks for records: memory stays flat in the number of
replications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from sim.analysis.metrics import replication_metrics
from sim.analysis.types import ReplicationMetrics
from sim.analysis.workers import leave_signals_to_parent, usable_cores
from sim.errors import InputError
from sim.inputs.scenario import size_problems
from sim.model import TeamModel, TeamState
from sim.model.records import RunRecords
from sim.model.skills import SkillBook
from sim.schema import MINUTES_PER_WEEK, Plan, Scenario


@dataclass(frozen=True)
class Replications:
    """How an analysis replicates: the team, how many replications, the root seed, and where
    they run. Every analysis (run, check, compare, score, advise, calibrate) takes one, so
    the same seed gives the same figures whatever `workers` or `executor` say.

    Attributes:
        scenario: the team.
        replications: how many independent replications.
        seed: the root seed; replication r draws from streams addressed by (seed, r).
        workers: local worker processes when no executor is given (1: this process).
        executor: any `concurrent.futures.Executor` (a Dask client's works too).
        progress: called with the number of replications finished, as they finish.
    """

    scenario: Scenario
    replications: int = 20
    seed: int = 0
    workers: int = 1
    executor: Executor | None = field(default=None, compare=False, repr=False)
    progress: Callable[[int], None] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        too_large = size_problems(self.scenario)
        if too_large:  # refused at once, before a model is built
            raise InputError(too_large)


@dataclass(frozen=True)
class RunSpec:
    """What to simulate: one scenario, a horizon, a root seed, who is absent throughout."""

    scenario: Scenario
    days: int
    seed: int = 0
    without: tuple[str, ...] = ()
    skills: SkillBook | None = None
    keep_records: bool = False
    # Incidents to replay (sim.model.Arrival) instead of sampling them.
    arrivals: tuple | None = None
    # Run the team as this plan leaves it after `at_week` weeks (with learning), in each
    # replication: its skills and plan state then, frozen.
    plan: Plan | None = None
    at_week: int = 0


@dataclass(frozen=True)
class ReplicationResult:
    """One replication's metrics (and its records, when the spec keeps them)."""

    replication: int
    metrics: ReplicationMetrics
    records: RunRecords | None = field(default=None, repr=False)


def run_replication(spec: RunSpec, replication: int) -> ReplicationResult:
    """Simulate replication `replication` of `spec` and reduce it to its metrics."""
    skills = spec.skills.copy() if spec.skills is not None else None
    state = None
    if spec.plan is not None and spec.at_week > 0:
        skills, state = team_after(spec.scenario, spec.plan, spec.at_week, spec.seed,
                                   replication)
    arrivals = list(spec.arrivals) if spec.arrivals is not None else None
    model = TeamModel(spec.scenario, spec.days, spec.seed, replication, spec.without, skills,
                      arrivals=arrivals, state=state)
    records = model.run()
    metrics = replication_metrics(records, spec.scenario, model.skills)
    return ReplicationResult(replication, metrics, records if spec.keep_records else None)


def team_after(scenario: Scenario, plan: Plan, weeks: int, seed: int, replication: int
               ) -> tuple[SkillBook, TeamState]:
    """The team as `plan` leaves it after `weeks` weeks of replication `replication` (with
    learning): its skills and plan state at that minute, frozen (runbooks no longer age;
    pairing and backup, ways of practising, left out as in the check's replays)."""
    t = weeks * MINUTES_PER_WEEK
    model = TeamModel(scenario, weeks * 7, seed, replication, plan=plan, learn=True)
    model.run(snapshot_at=[t])
    snapshot = model.snapshots[0]
    return snapshot.skills, snapshot.state.frozen(snapshot.t)


def _run_batch(function: Callable, spec, replications: list[int]) -> list:
    return [function(spec, r) for r in replications]


def default_workers() -> int:
    """All cores this process may use."""
    return usable_cores()


def run_replications(
    spec: RunSpec,
    replications: int,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> list[ReplicationResult]:
    """Run replications 0..R-1 of `spec`; results sorted by replication index.

    Args:
        spec: what to simulate.
        replications: how many.
        workers: local worker processes when no executor is given (1 runs in this process).
        progress: called with the number of replications finished, as they finish.
        executor: any `concurrent.futures.Executor` (a Dask client's executor works too).
    """
    return run_tasks(
        run_replication, [(spec, r) for r in range(replications)], workers, progress, executor
    )


def run_tasks(
    function: Callable[[Any, int], Any],
    tasks: Iterable[tuple[Any, int]],
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
    consume: Callable[[int, Any], None] | None = None,
) -> list:
    """Run `function(spec, replication)` for each task; results in the order of the tasks.

    `function` must be a module-level function (it is pickled to the workers); consecutive
    tasks of one spec are batched so that the spec is sent once per batch. With `consume`,
    each result is handed to `consume(task index, result)` as it arrives and not kept (memory
    stays flat in the number of tasks); the return value is then an empty list.
    """
    tasks = list(tasks)
    batches = _batches(tasks, workers)
    starts = [0, *accumulate(len(reps) for _, reps in batches)][:-1]  # first task per batch
    results: list[list[ReplicationResult]] = [[] for _ in batches]
    done = 0

    def collect(i: int, batch_results: list) -> None:
        if consume is None:
            results[i] = batch_results
            return
        for offset, result in enumerate(batch_results):
            consume(starts[i] + offset, result)

    if executor is None and workers <= 1:
        for i, (spec, reps) in enumerate(batches):
            collect(i, _run_batch(function, spec, reps))
            done += len(reps)
            if progress:
                progress(done)
        return [r for batch in results for r in batch]
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=workers,
                                           initializer=leave_signals_to_parent)
    try:
        futures = {
            pool.submit(_run_batch, function, spec, reps): i
            for i, (spec, reps) in enumerate(batches)
        }

        for future in as_completed(futures):
            # Popped, so that a consumed batch's results are freed with its future.
            i = futures.pop(future)
            collect(i, future.result())
            done += len(batches[i][1])
            if progress:
                progress(done)
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    return [r for batch in results for r in batch]


def _batches(tasks: list[tuple[Any, int]], workers: int) -> list[tuple[Any, list[int]]]:
    """Group consecutive tasks of one spec into batches small enough to balance the workers.

    At most about an eighth of a worker's share (the spec is sent once per batch), and
    shrinking towards the end, to a fraction of what is left per worker, down to single
    tasks: the workers run out of work at nearly the same time instead of one waiting for
    the other's last large batch.
    """
    workers = max(1, workers)
    per_batch = max(1, len(tasks) // (workers * 8))
    batches: list[tuple[Any, list[int]]] = []
    limit = per_batch
    for left, (spec, rep) in zip(range(len(tasks), 0, -1), tasks):
        if batches and batches[-1][0] is spec and len(batches[-1][1]) < limit:
            batches[-1][1].append(rep)
        else:
            limit = min(per_batch, -(-left // (2 * workers)))  # ceil(left / (2 workers))
            batches.append((spec, [rep]))
    return batches
