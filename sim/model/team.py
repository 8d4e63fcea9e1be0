"""The SimPy model of one team living through its incidents: one replication, one story.

Incidents arrive, the escalation policy pages people, someone acknowledges and sizes the
incident up, leads it or hands it on (manually along the policy, or informally to a hero), and
somebody works it to mitigation. People are scarce: each has a number of capacity slots, and an
incident that needs a busy person waits for them, which is how the hero becomes a bottleneck.

`TeamModel` composes one collaborator per stage of an incident's life, the way Ciw's
`Simulation` composes its nodes, all sharing one `TeamContext` (the clock, calendar, skills,
plan state, slots and records):

    arrivals -> Paging (page, acknowledge, escalate on timeout)
             -> Response (size up; lead, or hand on: doubt, stuck, pull a hero, access)
             -> Work (lead to mitigation; pairing and backup; the incident's record)
    Noise (false pages and triage), ReleaseTrain (changes and their rollbacks), plans (actions
    on their dates) run beside them.

An incident's steps are callbacks on SimPy events rather than a process per incident (a
generator per incident cost more than the rest of the model); only the rare waits over an
absence calendar are processes. The model only appends records (sim/model/records.py); every
number is computed afterwards (sim/analysis/). Randomness is drawn up front, per purpose
(sim/model/rng.py), so a hero-present and a hero-absent replay see the same incidents.
"""

from __future__ import annotations

import gc
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from operator import itemgetter
from typing import NamedTuple

import simpy

from sim.model.arrivals import DRAWS_PER_INCIDENT, Arrival, sample_arrivals
from sim.model.calendar import Calendar
from sim.model.changes import ReleaseTrain, sample_changes
from sim.model.context import TeamContext
from sim.model.events import joiners, onboarding_steps
from sim.model.incident import Incident
from sim.model.noise import Noise
from sim.model.paging import Paging
from sim.model.plans import start_plan
from sim.model.records import RunRecords
from sim.model.response import Response
from sim.model.rng import Purpose, stream
from sim.model.skills import SkillBook
from sim.model.state import TeamState
from sim.model.work import Work
from sim.schema import IncidentClass, Plan, Scenario

_by_incident_id = itemgetter(0)  # IncidentRecord.incident_id


def _set_share(skills: SkillBook, scenario: Scenario, person: str, share: float, t: float,
               raise_only: bool = False) -> None:
    """Set `person`'s skills to `share` of those the scenario lists for them, as of `t`
    (`raise_only`: never below what they are)."""
    listed = scenario.person(person)
    for cls in scenario.classes:
        k, c = listed.skill(cls.id)
        k, c = share * k, share * c
        if raise_only:
            now_k, now_c = skills.get(person, cls.id, t)
            k, c = max(k, now_k), max(c, now_c)
        skills.set(person, cls.id, k, c, t)


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block; reference counting still frees
    everything that is not in a cycle, and the collector's state is restored on exit.

    A run keeps hundreds of thousands of records alive and makes almost no reference cycles (a
    handful per run, collected afterwards), yet with the collector on, rescanning the growing
    records took about a third of a long run.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Snapshot(NamedTuple):
    """The team as it stood at `t`, frozen: skills and everything a plan had changed."""

    t: float
    skills: SkillBook
    state: TeamState


class TeamModel:
    """One team over one replication: build it, `run()` it, read its records."""

    def __init__(
        self,
        scenario: Scenario,
        days: int,
        seed: int = 0,
        replication: int = 0,
        without: tuple[str, ...] = (),
        skills: SkillBook | None = None,
        arrivals: list[Arrival] | None = None,
        state: TeamState | None = None,
        plan: Plan | None = None,
        learn: bool = False,
    ):
        """Build one replication.

        Args:
            scenario: the team.
            days: simulated days; incidents arriving later are not sampled.
            seed, replication: the address of the random streams (sim/model/rng.py).
            without: people absent for the whole run (planned, so the rotation covers them).
            skills: the skill state to start from (default: the scenario's); it is mutated
                when `learn` is set.
            arrivals: incidents to replay instead of sampling them.
            state: conditions, runbooks and rotation to start from (default: the scenario's).
            plan: a transfer plan whose actions run on their dates.
            learn: practice and disuse change skills during the run.
        """
        self.scenario = scenario
        self.days = days
        self.plan = plan
        env = simpy.Environment(initial_time=0.0)  # times are floats from the start
        self.joiners = joiners(scenario)
        if skills is None:
            skills = SkillBook.from_scenario(scenario, dynamic=learn)
            for person in self.joiners:
                _set_share(skills, scenario, person, scenario.learning.new_joiner_share, 0.0)
        elif self.joiners:
            skills = skills.copy()  # onboarding changes it; the caller's stays as it was
        state = state if state is not None else TeamState.from_scenario(scenario)
        calendar = Calendar(scenario, days, without, stream(seed, replication, Purpose.ABSENCES))
        # The plan changes the rotation through the state; the calendar reads the same dict.
        calendar.schedules = state.schedules
        self.arrivals = (
            arrivals if arrivals is not None
            else sample_arrivals(scenario, days, seed, replication)
        )
        # One flat list: a nested one costs a list per incident to build and to pickle.
        self.draws = stream(seed, replication, Purpose.DECISIONS).random(
            len(self.arrivals) * DRAWS_PER_INCIDENT
        ).tolist()
        self.changes = sample_changes(scenario, days, seed, replication)
        self._next_incident_id = len(self.arrivals)
        records = RunRecords(
            days=days,
            without=tuple(without),
            heroes=tuple(scenario.heroes),
            available_minutes={p.id: calendar.available_minutes(p.id) for p in scenario.people},
            capacity={p.id: p.capacity for p in scenario.people},
        )
        self.ctx = TeamContext(scenario, days, env, calendar, skills, state, records, learn,
                               stream(seed, replication, Purpose.EXTRA))
        # What analyses read after a run (the same objects the stages share).
        self.env, self.calendar, self.records = env, calendar, records
        self.skills, self.state = skills, state
        self.work = Work(self.ctx)
        self.response = Response(self.ctx, self.work)
        self.paging = Paging(self.ctx, self.response)
        self.response.paging = self.paging
        self.noise = Noise(self.ctx, self.paging, stream(seed, replication, Purpose.NOISE))
        self.snapshots: list[Snapshot] = []

    def run(self, snapshot_at: Sequence[float] = ()) -> RunRecords:
        """Simulate until every incident is mitigated; return the records.

        Args:
            snapshot_at: times (minutes, ascending) at which to freeze the team's skills and
                plan state, as the run has left them; they are in `self.snapshots` after.
        """
        ctx = self.ctx
        env = ctx.env
        if snapshot_at:
            # First, so that a snapshot sees what happened before it at the same minute, as
            # any process started before the run would.
            env.process(self._take_snapshots(snapshot_at))
        if self.arrivals:
            ctx.after(self.arrivals[0].at, self._arrive, 0)
        env.process(self.noise.false_alarms())
        for service, train in self.changes.items():
            ReleaseTrain(ctx, self.raise_incident, service, train).start()
        if self.plan is not None:
            start_plan(ctx, self.plan)
        for person, join in self.joiners.items():
            env.process(self._onboard(person, join))
        with cyclic_gc_paused():
            env.run()
        for waiting in ctx.slots.waiting:  # nobody could ever take these
            self.work.record_unresolved(waiting.incident)
        ctx.slots.waiting.clear()
        ctx.records.incidents.sort(key=_by_incident_id)
        # Response and Paging refer to each other; unlinked, the model and everything it
        # holds (the records too) go when the last reference goes, instead of waiting for the
        # cyclic collector, which would otherwise rescan the records of every run.
        self.response.paging = None
        return ctx.records

    def _onboard(self, person: str, join: float) -> Generator:
        """A joiner's onboarding: their skills rise to the listed ones in weekly steps (never
        lowering what practice has already given them)."""
        env = self.ctx.env
        for at, share in onboarding_steps(self.scenario, join):
            if at >= self.ctx.horizon:
                return
            if at > env.now:
                yield env.timeout(at - env.now)
            _set_share(self.ctx.skills, self.scenario, person, share, at, raise_only=True)

    def _take_snapshots(self, times: Sequence[float]) -> Generator:
        """Freeze the team at each of `times`."""
        ctx = self.ctx
        env = ctx.env
        for t in times:
            if t > env.now:
                yield env.timeout(t - env.now)
            self.snapshots.append(Snapshot(t, ctx.skills.frozen(t), ctx.state.frozen(t)))

    def _arrive(self, event: simpy.Event) -> None:
        """The incidents arriving now are paged; the next arrival is scheduled."""
        arrivals = self.arrivals
        index = event.value
        now = self.ctx.env.now
        classes = self.scenario.classes
        draws = self.draws
        extra = self.ctx.extra
        route = self.paging.route
        while True:
            arrival = arrivals[index]
            route(Incident(arrival, classes[arrival.class_index], draws,
                           arrival.incident_id * DRAWS_PER_INCIDENT, extra))
            index += 1
            if index == len(arrivals):
                return
            if arrivals[index].at > now:
                break
        self.ctx.after(arrivals[index].at - now, self._arrive, index)

    def raise_incident(self, cls: IncidentClass, at: float, work_z: float,
                       draws: list[float]) -> int:
        """An incident caused during the run (a failed change): it arrives at `at` and is
        worked like any other; `draws` are its own decision draws. Returns its id."""
        incident_id = self._next_incident_id
        self._next_incident_id += 1
        index = self.scenario.classes.index(cls)
        incident = Incident(Arrival(incident_id, at, index, work_z), cls, draws, 0,
                            self.ctx.extra)
        self.ctx.after(at - self.ctx.env.now, self._raised, incident)
        return incident_id

    def _raised(self, event: simpy.Event) -> None:
        self.paging.route(event.value)

