"""Changes: deploys that only feel safe with certain people, and the rollbacks they cause.

Each service with `changes` has a release train: changes arrive as a Poisson process inside the
deploy window, and each arrival (and each later window opening, while changes wait) is a chance
to ship everything waiting in one release. A change that `needs` someone ships only when one of
them is present; otherwise, by the service's policy, the team postpones (the batch grows) or
ships anyway at the unsafe change-failure rate. The failure rate falls with the leader's
knowledge of the rollback class and rises with batch size. A failed release raises an incident
of the rollback class, worked like any other. Leading a change is practice for that class.

All randomness comes from the CHANGES stream, drawn before the run, so a hero-present and a
hero-absent replay see the same intended changes and the same failure draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from simpy.events import Timeout

from sim.model.arrivals import DRAWS_PER_INCIDENT, poisson_times
from sim.model.context import TeamContext
from sim.model.records import ChangeRecord, InterruptionKind, WorkSpan
from sim.model.rng import Purpose, stream
from sim.schema import (
    HOURS_PER_WEEK,
    MINUTES_PER_DAY,
    WEEKDAY_INDEX,
    Changes,
    GatePolicy,
    IncidentClass,
    PracticeKind,
    Role,
    Scenario,
)

# Hero minutes spent backing up one change a learner leads (a transfer plan's live cost).
BACKUP_MINUTES_PER_CHANGE = 30.0
# Uniform draws per change: leader choice, failure, detection delay; then a normal for the
# rollback's work time, then the rollback incident's own decision draws.
CHANGE_UNIFORMS = 3


# An incident caused during the run: (class, arrival time, work draw, decision draws) -> its id.
RaiseIncident = Callable[[IncidentClass, float, float, list[float]], int]


class Change(NamedTuple):
    """A change as sampled before the run."""

    change_id: int
    service: str
    at: float  # intended ship time
    draws: tuple[float, ...]  # uniform leader, failure, detection; normal work
    incident_draws: list[float]  # the rollback incident's decision draws


def window_profile(changes: Changes) -> list[float]:
    """The deploy window as 168 hourly weights (1 inside, 0 outside), Monday 00:00 first."""
    weights = [0.0] * HOURS_PER_WEEK
    for day in changes.window.days:
        base = WEEKDAY_INDEX[day] * 24
        for hour in range(changes.window.start, changes.window.end):
            weights[base + hour] = 1.0
    return weights


def sample_changes(scenario: Scenario, days: int, seed: int, replication: int,
                   first_id: int = 0) -> dict[str, list[Change]]:
    """Every service's intended changes of a replication, in time order."""
    rng = stream(seed, replication, Purpose.CHANGES)
    trains: dict[str, list[Change]] = {}
    next_id = first_id
    for service in scenario.services:
        if service.changes is None:
            continue
        times, _ = poisson_times(rng, [(service.changes.per_week,
                                        window_profile(service.changes))], days)
        uniforms = rng.random((times.size, CHANGE_UNIFORMS + DRAWS_PER_INCIDENT))
        normals = rng.standard_normal(times.size)
        train = []
        for t, u, z in zip(times.tolist(), uniforms.tolist(), normals.tolist()):
            train.append(Change(next_id, service.id, t, (*u[:CHANGE_UNIFORMS], z),
                                u[CHANGE_UNIFORMS:]))
            next_id += 1
        trains[service.id] = train
    return trains


def next_window_opening(changes: Changes, t: float) -> float:
    """The first window opening strictly after `t` (scenario time zone)."""
    day = int(t // MINUTES_PER_DAY)
    open_days = {WEEKDAY_INDEX[d] for d in changes.window.days}
    for offset in range(0, 8):
        d = day + offset
        opening = d * MINUTES_PER_DAY + changes.window.start * 60
        if d % 7 in open_days and opening > t:
            return opening
    return float("inf")  # pragma: no cover - a window has at least one day


class ReleaseTrain:
    """One service's changes, shipped in releases as the gate allows.

    Each change arrival, and each window opening while changes wait, is a chance to ship what
    is pending. The train waits for the next such moment on one SimPy event with a callback,
    as an incident's common path does (sim/model/context.py, `after`).
    """

    def __init__(self, ctx: TeamContext, raise_incident: RaiseIncident, service_id: str,
                 train: list[Change]):
        self.ctx = ctx
        self.raise_incident = raise_incident
        self.service_id = service_id
        self.train = train
        changes = ctx.scenario.service(service_id).changes
        assert changes is not None, "a service has a release train only when it has changes"
        self.changes: Changes = changes
        self.rollback = ctx.scenario.incident_class(self.changes.rollback_class)
        self.pending: list[tuple[Change, list[bool]]] = []  # (change, [postponed?])
        self.index = 0  # the next change of `train` to arrive

    def start(self) -> None:
        """Start the train: wait for the first change."""
        self._next()

    def _next(self) -> None:
        """Wait for the next change or window opening (or end: what waits is not shipped)."""
        env = self.ctx.env
        while self.index < len(self.train) or self.pending:
            t_change = self.train[self.index].at if self.index < len(self.train) else math.inf
            t_open = next_window_opening(self.changes, env.now) if self.pending else math.inf
            t = min(t_change, t_open)
            if t == math.inf or (t == t_open and t >= self.ctx.horizon):
                break
            if t > env.now:
                Timeout(env, t - env.now, t == t_change).callbacks.append(self._moment)
                return
            self._chance(arrived=t == t_change)
        for change, postponed in self.pending:
            self.ctx.records.changes.append(ChangeRecord(
                self.service_id, change.change_id, change.at, None, None, 0, None, None,
                postponed[0], False, _needs_hero(self.ctx, self.service_id), False, None))

    def _moment(self, event) -> None:
        self._chance(arrived=event.value)
        self._next()

    def _chance(self, arrived: bool) -> None:
        if arrived:
            self.pending.append((self.train[self.index], [False]))
            self.index += 1
        _try_release(self.ctx, self.raise_incident, self.service_id, self.changes,
                     self.rollback, self.pending)


def _needs_hero(ctx: TeamContext, service_id: str) -> bool:
    return any(p in ctx.heroes for p in ctx.state.needs.get(service_id, ()))


def _try_release(ctx: TeamContext, raise_incident: RaiseIncident, service_id: str,
                 changes: Changes, rollback: IncidentClass, pending: list) -> None:
    """Ship everything pending now if the gate and a leader allow; else mark it postponed."""
    now = ctx.env.now
    calendar = ctx.calendar
    needs = ctx.state.needs.get(service_id, ())
    gate_open = not needs or any(not calendar.absent(p, now) for p in needs)
    if not gate_open and changes.when_needed_absent is GatePolicy.POSTPONE:
        for _, postponed in pending:
            postponed[0] = True
        return
    latest = pending[-1][0]
    leader, backer = _leader(ctx, service_id, changes, latest.draws[0], now)
    if leader is None:
        return  # nobody who may lead a change is here: it waits for the next chance
    ctx.release_count += 1
    release = ctx.release_count
    batch = len(pending)
    knowledge = ctx.effective_knowledge(leader, rollback, now)
    if backer is not None:
        knowledge = max(knowledge, ctx.effective_knowledge(backer, rollback, now))
    # A release-fragility fix (sim/model/plans.py) lowers the service's rate in the state.
    base = ctx.state.failure_rates[service_id] if gate_open else changes.unsafe_failure_rate
    rate = min(1.0, base * (1.0 + changes.knowledge_penalty * (1.0 - knowledge))
               * (1.0 + changes.batch_penalty * (batch - 1)))
    failed = latest.draws[1] < rate
    incident_id = None
    if failed:
        delay = -changes.detection_minutes * math.log(1.0 - latest.draws[2])
        incident_id = raise_incident(rollback, now + delay, latest.draws[3],
                                     latest.incident_draws)
    if needs and gate_open and changes.review_minutes > 0:
        # The gate: someone it needs reviews or approves the release (their time, and an
        # interruption, in their local hour class).
        reviewer = next(p for p in needs if not calendar.absent(p, now))
        ctx.interrupt(reviewer, InterruptionKind.GATE, None, now)
        ctx.records.work.append(WorkSpan(reviewer, now, now + changes.review_minutes, None,
                                         Role.REVIEW))
    practice = PracticeKind.CHANGE
    ctx.practise(leader, rollback.id, practice, now)
    if backer is not None:
        ctx.records.work.append(
            WorkSpan(backer, now, now + BACKUP_MINUTES_PER_CHANGE, None, Role.BACKUP))
        ctx.spend(backer, now, BACKUP_MINUTES_PER_CHANGE / 60.0)
    needed_hero = _needs_hero(ctx, service_id)
    for change, postponed in pending:
        ctx.records.changes.append(ChangeRecord(
            service_id, change.change_id, change.at, now, release, batch, leader, backer,
            postponed[0], not gate_open, needed_hero, failed, incident_id))
    pending.clear()


def _leader(ctx: TeamContext, service_id: str, changes: Changes, u: float, now: float
            ) -> tuple[str | None, str | None]:
    """Who leads this release, and the hero backing them up if a plan says so."""
    calendar = ctx.calendar
    learners = [p for p in ctx.state.change_backup.get(service_id, ())
                if not calendar.absent(p, now)]
    heroes = [h for h in ctx.heroes if not calendar.absent(h, now)
              and ctx.budget_left(h, now) > 0]
    if learners and heroes:
        return learners[int(u * len(learners)) % len(learners)], heroes[0]
    allowed = changes.leaders or ctx.people
    present = [p for p in allowed if not calendar.absent(p, now)]
    if not present:
        return None, None
    return present[int(u * len(present)) % len(present)], None
