"""The SimPy model of one team living through its incidents.

One replication is one story: incidents arrive, the escalation policy pages people, someone
acknowledges and sizes the incident up, leads it or hands it on (manually along the policy, or
informally to a hero), and somebody works it to mitigation. People are scarce: each has a number
of capacity slots, and an incident that needs a busy person waits for them, which is how the
hero becomes a bottleneck. The model only appends records (sim/model/records.py); every number is
computed afterwards (sim/analysis/metrics.py).

An incident's steps are callbacks on SimPy events rather than a process per incident (see "One
incident" below): a generator per incident cost more than the rest of the model.

Randomness is drawn up front, per purpose (sim/model/rng.py): arrival times and expert work times
never depend on who is present, so a hero-present and a hero-absent replay of one replication see
the same incidents. Each incident also carries a row of decision draws it consumes in order.
"""

from __future__ import annotations

import gc
import math
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from functools import partial
from operator import itemgetter
from typing import NamedTuple

import numpy as np
import simpy
from simpy.events import Timeout  # env.timeout without the bound-method wrapper

from sim.model.calendar import HOUR_CLASS_BY_CODE, Calendar
from sim.model.changes import ReleaseTrain, sample_changes
from sim.model.plans import TeamState, start_plan
from sim.model.records import (
    Escalation,
    IncidentRecord,
    Interruption,
    InterruptionKind,
    Practice,
    RunRecords,
    WorkSpan,
)
from sim.model.rng import Purpose, stream
from sim.model.skills import SkillBook, ramp
from sim.schema import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    EscalationKind,
    HourClass,
    IncidentClass,
    LevelTarget,
    Plan,
    PracticeKind,
    Role,
    Scenario,
    WorkDistribution,
    members_of,
)

# Decision draws kept per incident: the common paths use fewer; rare long escalation chains
# continue on a shared stream (EXTRA).
DRAWS_PER_INCIDENT = 8
LN2 = math.log(2.0)
SQRT2 = math.sqrt(2.0)
# Records on the hot path are built with tuple.__new__: the same NamedTuple, without the cost
# of its Python-level __new__ (about half of building one).
_new = tuple.__new__
_by_incident_id = itemgetter(0)  # IncidentRecord.incident_id


@contextmanager
def cyclic_gc_paused():
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


class Arrival(NamedTuple):
    """A real incident as sampled before the run: when, which class, how hard its work is."""

    incident_id: int
    at: float
    class_index: int
    work_z: float  # standard normal draw for the expert work time


def sample_arrivals(scenario: Scenario, days: int, seed: int, replication: int) -> list[Arrival]:
    """Every real incident of a replication, in arrival order (non-homogeneous Poisson)."""
    rng = stream(seed, replication, Purpose.ARRIVALS)
    times, classes = poisson_times(
        rng, [(c.rate_per_week, c.weekly_profile) for c in scenario.classes], days
    )
    work_z = stream(seed, replication, Purpose.WORK).standard_normal(len(times))
    return list(map(Arrival._make, zip(range(len(times)), times.tolist(), classes.tolist(),
                                       work_z.tolist())))


def poisson_times(rng: np.random.Generator, rates, days: int):
    """Arrival times and source index of independent Poisson processes, merged and sorted.

    `rates` holds (events per week, optional 168 hourly weights) per source. A weekly profile
    makes the process piecewise constant per hour with the same weekly mean.
    """
    horizon = days * MINUTES_PER_DAY
    hours = days * 24
    all_times, all_sources = [], []
    for index, (per_week, profile) in enumerate(rates):
        if per_week <= 0:
            continue
        if profile is None:
            n = rng.poisson(per_week * horizon / MINUTES_PER_WEEK)
            times = rng.uniform(0.0, horizon, n)
        else:
            weights = np.asarray(profile, dtype=float)
            hourly = per_week * weights / weights.sum()
            counts = rng.poisson(np.resize(hourly, hours))
            start = np.repeat(np.arange(hours) * 60.0, counts)
            times = start + rng.uniform(0.0, 60.0, start.size)
        all_times.append(times)
        all_sources.append(np.full(times.size, index))
    if not all_times:
        return np.empty(0), np.empty(0, dtype=int)
    times = np.concatenate(all_times)
    sources = np.concatenate(all_sources)
    order = np.argsort(times, kind="stable")
    return times[order], sources[order]


class Slots:
    """Capacity slots of every person: a request names candidates and waits FIFO for one.

    Freed slots go to the oldest waiting request that accepts that person, so a pool of
    candidates behaves as an M/M/c queue and a single named person as a queue in front of them.
    A waiting request is either a SimPy event (for a process) or a callback (for the common path
    of an incident, which runs on callbacks); either way it gets the slot at the moment it is
    freed.
    """

    def __init__(self, env: simpy.Environment, capacity: dict[str, int]):
        self.env = env
        self.free = dict(capacity)
        self.waiting: list[tuple[tuple[str, ...], Callable[[str], object]]] = []
        self._freed: deque[str] = deque()
        self._handing = False

    def take(self, candidates: tuple[str, ...]) -> str | None:
        """Take a free slot of the first candidate who has one, at once; None if all are busy.

        A free slot means nobody is waiting for that person, so taking it skips no queue.
        """
        free = self.free
        for person in candidates:
            if free[person] > 0:
                free[person] -= 1
                return person
        return None

    def wait(self, candidates: tuple[str, ...]) -> simpy.Event:
        """Queue for the first slot any candidate frees; the event's value is the person."""
        event = self.env.event()
        self.waiting.append((candidates, event.succeed))
        return event

    def on_free(self, candidates: tuple[str, ...], callback: Callable[[str], object]) -> None:
        """Queue `callback(person)` for the first slot any candidate frees."""
        self.waiting.append((candidates, callback))

    def release(self, person: str) -> None:
        """`person` frees a slot: it goes to the oldest request that accepts them.

        A callback given a slot may free another one (someone gone away passes it on); that
        slot is handed on after it returns, by this loop, so a long queue never recurses.
        """
        self._freed.append(person)
        if self._handing:
            return
        self._handing = True
        try:
            while self._freed:
                freed = self._freed.popleft()
                for i, (candidates, give) in enumerate(self.waiting):
                    if freed in candidates:
                        del self.waiting[i]
                        give(freed)
                        break
                else:
                    self.free[freed] += 1
        finally:
            self._handing = False


class Snapshot(NamedTuple):
    """The team as it stood at `t`, frozen: skills and everything a plan had changed."""

    t: float
    skills: SkillBook
    state: TeamState


class _Incident:
    """The mutable state of one incident while it is worked."""

    __slots__ = (
        "arrival", "cls", "draws", "cursor", "end", "acknowledged", "acknowledged_by",
        "involved", "escalations", "tried", "hero_hour_class", "touched", "backup", "pending",
        "shadowed",
    )

    def __init__(self, arrival: Arrival, cls: IncidentClass, draws: list[float], base: int):
        self.arrival = arrival
        self.cls = cls
        self.draws = draws  # the replication's flat list of decision draws
        self.cursor = base  # this incident's next draw; its own run ends at base + DRAWS
        self.end = base + DRAWS_PER_INCIDENT
        self.acknowledged: float | None = None
        self.acknowledged_by: str | None = None
        self.involved: list[tuple[str, Role]] = []
        self.escalations: list[Escalation] = []
        self.tried: set[str] = set()
        self.hero_hour_class: HourClass | None = None
        self.touched: set[str] = set()
        self.backup: str | None = None  # the hero backing a learner up (a transfer plan)
        self.pending: list[int] = []  # escalations whose target is whoever acknowledges next
        self.shadowed = False  # a shadow joined (they are in `involved`)


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
        self.horizon = days * MINUTES_PER_DAY
        self.env = simpy.Environment(initial_time=0.0)  # times are floats from the start
        self.learn = learn
        self.skills = (
            skills if skills is not None else SkillBook.from_scenario(scenario, dynamic=learn)
        )
        self.state = state if state is not None else TeamState.from_scenario(scenario)
        self.calendar = Calendar(
            scenario, days, without, stream(seed, replication, Purpose.ABSENCES)
        )
        # The plan changes the rotation through the state; the calendar reads the same dict.
        self.calendar.schedules = self.state.schedules
        self.plan = plan
        self.rates = scenario.learning.rates
        self.arrivals = (
            arrivals if arrivals is not None
            else sample_arrivals(scenario, days, seed, replication)
        )
        # One flat list: a nested one costs a list per incident to build and to pickle.
        self.draws = stream(seed, replication, Purpose.DECISIONS).random(
            len(self.arrivals) * DRAWS_PER_INCIDENT
        ).tolist()
        self.extra = stream(seed, replication, Purpose.EXTRA)
        self.changes = sample_changes(scenario, days, seed, replication)
        self.release_count = 0
        self._next_incident_id = len(self.arrivals)
        self.noise_rng = stream(seed, replication, Purpose.NOISE)
        self.people = [p.id for p in scenario.people]
        self.heroes = tuple(scenario.heroes)
        self.slots = Slots(self.env, {p.id: p.capacity for p in scenario.people})
        self.policy = scenario.policy
        self.behaviour = scenario.behaviour
        # Mean ack delay by the calendar's hour code (exponential: mean = median / ln 2).
        self._ack_means = tuple(
            self.behaviour.ack_median_minutes[hc] / LN2 for hc in HOUR_CLASS_BY_CODE
        )
        self.records = RunRecords(
            days=days,
            without=tuple(without),
            heroes=self.heroes,
            available_minutes={p: self.calendar.available_minutes(p) for p in self.people},
            capacity={p.id: p.capacity for p in scenario.people},
        )
        # The policy as (target, people paged when it names them or the whole team).
        self._levels = [
            (level.target, level.people if level.target is LevelTarget.PEOPLE else self.people)
            for level in self.policy.levels
        ]
        self._level_count = len(self._levels)
        # Policy positions: the levels, repeated for each loop.
        self._positions = self._level_count * (self.policy.loops + 1)
        self._pooled = scenario.rotation.pool
        self._pool_cache: tuple[object, list[str]] = (None, [])
        self._pool_key: tuple[int, object] = (-1, None)
        self._pool_reachable: tuple[str, ...] = ()
        self._hero_set = frozenset(self.heroes)
        self._medians = [c.work_minutes.median for c in scenario.classes]
        self._sigma = [c.work_minutes.sigma for c in scenario.classes]
        self.snapshots: list[Snapshot] = []
        self._exponential_work = [
            c.work_minutes.distribution is WorkDistribution.EXPONENTIAL for c in scenario.classes
        ]

    # -- running ------------------------------------------------------------------------------

    def run(self, snapshot_at: Sequence[float] = ()) -> RunRecords:
        """Simulate until every incident is mitigated; return the records.

        Args:
            snapshot_at: times (minutes, ascending) at which to freeze the team's skills and
                plan state, as the run has left them; they are in `self.snapshots` after.
        """
        if snapshot_at:
            # First, so that a snapshot sees what happened before it at the same minute, as
            # any process started before the run would.
            self.env.process(self._take_snapshots(snapshot_at))
        if self.arrivals:
            self._after(self.arrivals[0].at, self._arrive, 0)
        self.env.process(self.false_alarms())
        for service, train in self.changes.items():
            ReleaseTrain(self, service, train).start()
        if self.plan is not None:
            start_plan(self, self.plan)
        with cyclic_gc_paused():
            self.env.run()
        self.records.incidents.sort(key=_by_incident_id)
        return self.records

    def _take_snapshots(self, times: Sequence[float]):
        """Freeze the team at each of `times`."""
        env = self.env
        for t in times:
            if t > env.now:
                yield env.timeout(t - env.now)
            self.snapshots.append(Snapshot(t, self.skills.frozen(t), self.state.frozen(t)))

    def _after(self, delay: float, callback, value) -> None:
        """Call `callback(event)` after `delay` minutes, with `event.value` = `value`: one
        SimPy event and no process (the common path of an incident runs on these)."""
        Timeout(self.env, delay if delay > 0 else 0.0, value).callbacks.append(callback)

    def _arrive(self, event) -> None:
        """The incidents arriving now start their response; the next arrival is scheduled."""
        arrivals = self.arrivals
        index = event.value
        now = self.env.now
        classes = self.scenario.classes
        draws = self.draws
        while True:
            arrival = arrivals[index]
            self._route(_Incident(arrival, classes[arrival.class_index], draws,
                                  arrival.incident_id * DRAWS_PER_INCIDENT))
            index += 1
            if index == len(arrivals):
                return
            if arrivals[index].at > now:
                break
        self._after(arrivals[index].at - now, self._arrive, index)

    def false_alarms(self):
        """Alert noise: false pages that cost whoever acknowledges them some triage."""
        # Sampled at the noisiest level the run may see (the starting one; plans only lower
        # it) and thinned to the level in force, so a fix removes pages without moving others.
        ceiling = self.state.alert_noise
        if ceiling <= 0:
            return
        times, _ = poisson_times(
            self.noise_rng,
            [(c.rate_per_week * ceiling, c.weekly_profile) for c in self.scenario.classes],
            self.days,
        )
        uniforms = self.noise_rng.random((len(times), DRAWS_PER_INCIDENT)).tolist()
        for t, draws in zip(times.tolist(), uniforms):
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            if draws[-1] * ceiling < self.state.alert_noise:
                self.triage(t, iter(draws))

    def triage(self, at: float, draws, position: int = 0) -> None:
        """A false page walks the policy from `position` until acknowledged, then costs triage
        minutes. `draws` is an iterator over the page's uniforms."""
        now = self.env.now
        while position < self._positions:
            targets = self._targets(position, at, exclude=())
            timeout = self.policy.levels[position % self._level_count].timeout_minutes
            best, delay = None, math.inf
            for person in targets:
                if not self.calendar.reachable(person, now):
                    continue
                self._interrupt(person, InterruptionKind.NOISE, None, now)
                d = self._ack_delay(person, now, next(draws, 0.5))
                if d < delay:
                    best, delay = person, d
            if best is not None and delay <= timeout:
                self._after(delay, self._triaged, best)
                return
            if targets:
                self._after(timeout, self._triage_next, (at, draws, position + 1))
                return
            position += 1

    def _triage_next(self, event) -> None:
        self.triage(*event.value)

    def _triaged(self, event) -> None:
        start = self.env.now
        self.records.work.append(
            WorkSpan(event.value, start, start + self.behaviour.triage_minutes, None,
                     Role.ACKNOWLEDGED))

    def raise_incident(self, cls: IncidentClass, at: float, work_z: float,
                       draws: list[float]) -> int:
        """An incident caused during the run (a failed change): it arrives at `at` and is
        worked like any other; `draws` are its own decision draws. Returns its id."""
        incident_id = self._next_incident_id
        self._next_incident_id += 1
        index = self.scenario.classes.index(cls)
        incident = _Incident(Arrival(incident_id, at, index, work_z), cls, draws, 0)
        self._after(at - self.env.now, self._raised, incident)
        return incident_id

    def _raised(self, event) -> None:
        self._route(event.value)

    # -- one incident -------------------------------------------------------------------------
    #
    # An incident is paged, acknowledged, sized up, worked and mitigated. Each step is a method
    # called back by a SimPy event (a timeout, or a slot coming free) with what the next step
    # needs: a process per incident cost more than the rest of the model. Paging a position
    # is `_find`; an answer goes to `_size_up`, which leads (`_lead`) or hands on
    # (`_hand_off`, then `_handed_on`, which goes back to `_find` or `_size_up`). Only the rare
    # waits that loop over an absence calendar are processes: paging someone with the access
    # (`_required`) and the fallback once the policy is exhausted (`_fallback`).

    def _route(self, inc: _Incident) -> None:
        """A new incident is paged; with routing ambiguity, the page may land wrong first."""
        if self._draw(inc) < self.state.routing_ambiguity:
            self._misroute(inc)
        elif self._pooled:
            self._page_pool(inc)
        else:
            self._find(inc, 0)

    def _find(self, inc: _Incident, level: int, targets: list[str] | None = None) -> None:
        """Page policy position `level` (the pool at position 0 of a pool rotation); `targets`
        are whom it pages now, when already known."""
        if level == 0 and self._pooled:
            self._page_pool(inc)
            return
        if level >= self._positions:
            self.env.process(self._fallback(inc))
            return
        targets, best, delay = self._page_level(inc, level, targets)
        timeout = self.policy.levels[level % self._level_count].timeout_minutes
        if best is not None and delay <= timeout:
            if delay > 0:
                self._after(delay, self._answered, (inc, best, level))
            else:
                self._acknowledge(inc, best)
                self._size_up(inc, best, level, holding=False)
        elif targets:
            self._after(timeout, self._timed_out, (inc, level, targets[0]))
        else:
            self._move_on(inc, level, None)

    def _answered(self, event) -> None:
        inc, person, level = event.value
        self._acknowledge(inc, person)
        self._size_up(inc, person, level, holding=False)

    def _timed_out(self, event) -> None:
        self._move_on(*event.value)

    def _move_on(self, inc: _Incident, level: int, paged: str | None) -> None:
        """Nobody answered position `level` (whose first target was `paged`, if anybody):
        the policy moves on to the next position that pages somebody not yet tried."""
        level, targets = self._next_level(inc, level + 1)
        if paged is not None and targets:
            self._escalate(inc, EscalationKind.TIMEOUT, paged, targets)
        self._find(inc, level, targets)

    def _page_pool(self, inc: _Incident) -> None:
        """The pool: the first free member takes the oldest waiting incident."""
        members = self._pool_candidates(inc)
        if not members:
            self._find(inc, 1)
            return
        person = self.slots.take(members)
        if person is None:
            self.slots.on_free(members, partial(self._pool_slot, inc))
        else:
            self._page_member(inc, person)

    def _pool_slot(self, inc: _Incident, person: str) -> None:
        if self.calendar.reachable(person, self.env.now):
            self._page_member(inc, person)
        else:
            # The slot came free after its holder went away: pass it on.
            self.slots.release(person)
            self._page_pool(inc)

    def _page_member(self, inc: _Incident, person: str) -> None:
        """Page the pool member who holds a slot for the incident."""
        now = self.env.now
        delay = self._page(inc, person, now)
        if delay > 0:
            self._after(delay, self._member_answered, (inc, person))
        else:
            self._acknowledge(inc, person)
            self._size_up(inc, person, 0, holding=True)

    def _member_answered(self, event) -> None:
        inc, person = event.value
        if self.calendar.absent(person, self.env.now):
            # Their absence began before they answered: no answer.
            self.slots.release(person)
            inc.tried.add(person)
            self._page_pool(inc)
        else:
            self._acknowledge(inc, person)
            self._size_up(inc, person, 0, holding=True)

    def _size_up(self, inc: _Incident, person: str, level: int, holding: bool) -> None:
        """`person` acknowledged at position `level`: they lead, or they hand on."""
        access, can_fix, will_lead = self._decide(inc, person)
        if not (can_fix and will_lead):
            self._hand_off(inc, person, level, holding, access, can_fix)
        else:
            self._with_slot(inc, person, level, holding, self._lead, self._queued_away)

    def _with_slot(self, inc: _Incident, person: str, level: int, holding: bool,
                   work: Callable, away: Callable) -> None:
        """`work(inc, person, level)` once `person` holds one of their slots: at once when
        already `holding` one or one is free, else when one frees. When their absence began
        while the incident queued behind their other work, the slot goes back and
        `away(inc, person, level)` instead: nobody works while away."""
        if holding or self.slots.take((person,)) is not None:
            work(inc, person, level)
        else:
            self.slots.on_free((person,), partial(self._slot_freed, inc, level, work, away))

    def _slot_freed(self, inc: _Incident, level: int, work: Callable, away: Callable,
                    person: str) -> None:
        if self.calendar.absent(person, self.env.now):
            self.slots.release(person)
            away(inc, person, level)
        else:
            work(inc, person, level)

    def _queued_away(self, inc: _Incident, person: str, level: int) -> None:
        """Gone away before they could lead it: they hand it on along the policy."""
        inc.involved.append((person, Role.ACKNOWLEDGED))
        self._find(inc, *self._escalate_manually(inc, level))

    def _lead(self, inc: _Incident, person: str, level: int = 0) -> None:
        """`person` holds a slot and works the incident to mitigation (`level`: where it
        stands on the policy, which no longer matters once someone leads)."""
        work = self._begin_work(inc, person, struggled=False)
        self._after(work[1], self._mitigated, (inc, person, work))

    def _mitigated(self, event) -> None:
        self._end_work(*event.value)

    def _escalate_manually(self, inc: _Incident, level: int) -> tuple[int, list[str]]:
        """The last person involved hands the incident to the next policy position: its
        index and whom it pages."""
        level, targets = self._next_level(inc, level + 1)
        if targets:
            self._escalate(inc, EscalationKind.MANUAL, inc.involved[-1][0], targets)
        return level, targets

    def _decide(self, inc: _Incident, person: str) -> tuple[bool, bool, bool]:
        """Size the incident up: (has the access, can fix it, will lead it).

        Knowledge against difficulty decides whether they can; confidence whether they will. A
        learner covered by a lead-with-backup plan leads with a hero backing them up, which
        stands in for the confidence they lack.
        """
        cls = inc.cls
        now = self.env.now
        inc.tried.add(person)
        knowledge, confidence = self.skills.get(person, cls.id, now)
        if self.state.runbooks.any:
            knowledge = self.state.runbooks.knowledge(knowledge, cls.id, now)
        width = self.behaviour.skill_sharpness
        requires = self.state.requires[cls.id]
        access = not requires or person in requires
        can_draw, lead_draw = self._draw(inc), self._draw(inc)
        # u < ramp(margin, width) for a uniform u in [0, 1) is u < 0.5 + margin / width: the
        # clamps of the ramp change nothing.
        capable = can_draw < 0.5 + (knowledge - cls.difficulty) / width
        will_lead = lead_draw < 0.5 + (confidence - cls.difficulty) / width
        if self.state.backup and inc.backup is None and person in self.state.backup.get(cls.id, ()):
            hero = self._backup_hero(inc, person, now)
            if hero is not None:
                inc.backup = hero
                will_lead = True
        return access, access and capable, will_lead

    def _hand_off(self, inc: _Incident, person: str, level: int, holding: bool, access: bool,
                  can_fix: bool) -> None:
        """`person` will not lead: they doubt, or try until stuck, then hand on."""
        if can_fix or not access:
            # Capable but unconfident, or the fix needs someone else's access: a few minutes
            # of doubt or of checking, then ask for help.
            self._after(self._exponential(inc, self.behaviour.hesitation_minutes),
                        self._doubted, (inc, person, level, holding))
        else:
            self._with_slot(inc, person, level, holding, self._try, self._tried_away)

    def _doubted(self, event) -> None:
        inc, person, level, holding = event.value
        if holding:
            self.slots.release(person)
        self._handed_on(inc, person, level, Role.ACKNOWLEDGED)

    def _tried_away(self, inc: _Incident, person: str, level: int) -> None:
        """Gone away before they could try: they pass it on."""
        self._handed_on(inc, person, level, Role.ACKNOWLEDGED)

    def _try(self, inc: _Incident, person: str, level: int) -> None:
        """Not capable: `person` tries, holding a slot, until stuck."""
        self._after(self._exponential(inc, self.behaviour.stuck_minutes) * self.state.observability,
                    self._stuck, (inc, person, level, self.env.now))

    def _stuck(self, event) -> None:
        inc, person, level, start = event.value
        self.records.work.append(
            WorkSpan(person, start, self.env.now, inc.arrival.incident_id, Role.STUCK))
        self.slots.release(person)
        self._handed_on(inc, person, level, Role.STUCK)

    def _handed_on(self, inc: _Incident, person: str, level: int, role: Role) -> None:
        """`person` hands on: to a hero backing them up, a hero pulled in informally, someone
        with the access, or the next policy level."""
        inc.involved.append((person, role))
        wants_hero = (
            self.heroes
            and person not in self.heroes
            and self._draw(inc) < self.state.informal_pull
            and self.state.pulls_allowed(inc.cls.id)
        )
        if inc.backup is not None and inc.backup not in inc.tried:
            # The hero backing the learner up takes over: already engaged, no paging.
            hero = inc.backup
            inc.escalations.append(Escalation(EscalationKind.MANUAL, person, hero, self.env.now))
            inc.tried.add(hero)
            self._size_up(inc, hero, level, holding=False)
        elif wants_hero and self._pull_hero(inc, person, level):
            return
        else:
            requires = self.state.requires[inc.cls.id]
            if requires and person not in requires:
                self.env.process(self._required(inc, person, level))
            else:
                self._find(inc, *self._escalate_manually(inc, level))

    def _required(self, inc: _Incident, handed_by: str, level: int):
        """Someone with the access is paged directly (or, failing that, the policy moves on)."""
        person = yield from self._page_required(inc, handed_by)
        if person is None:
            self._find(inc, *self._escalate_manually(inc, level))
        else:
            yield from self._work(inc, person, False, struggled=self._struggles(inc, person))

    def _backup_hero(self, inc: _Incident, learner: str, now: float) -> str | None:
        """The hero who backs `learner` up, interrupted for it; None when none is reachable."""
        heroes = [h for h in self.heroes if h != learner and self.calendar.reachable(h, now)]
        if not heroes:
            return None
        hero = max(heroes, key=lambda h: self.effective_knowledge(h, inc.cls, now))
        self._interrupt(hero, InterruptionKind.BACKUP, inc, now)
        return hero

    def _claim(self, person: str, holding: bool):
        """`person` takes one of their slots, waiting while they are busy.

        Returns False when their absence began while they waited: the slot is given back and
        the incident must go to someone else (nobody works while away).
        """
        if holding or self.slots.take((person,)) is not None:
            return True
        yield self.slots.wait((person,))
        if self.calendar.absent(person, self.env.now):
            self.slots.release(person)
            return False
        return True

    def _work(self, inc: _Incident, lead: str, holding: bool, struggled: bool):
        """`lead` takes a slot (waiting if busy) and works the incident to mitigation."""
        claimed = yield from self._claim(lead, holding)
        if not claimed:
            inc.involved.append((lead, Role.ACKNOWLEDGED))
            yield from self._fallback(inc)
            return
        work = self._begin_work(inc, lead, struggled)
        yield self.env.timeout(work[1])
        self._end_work(inc, lead, work)

    def _begin_work(self, inc: _Incident, lead: str, struggled: bool) -> tuple:
        """How long `lead` will take, and who joins: (start, minutes, practice, backup,
        learner, struggled)."""
        start = self.env.now
        cls = inc.cls
        state = self.state
        knowledge = self.skills.get(lead, cls.id, start)[0]
        duration = self._expert_minutes(inc.arrival.class_index, inc.arrival.work_z)
        if state.runbooks.any:
            knowledge = state.runbooks.knowledge(knowledge, cls.id, start)
            duration *= state.runbooks.work_factor(cls.id, start)
        duration *= (1.0 + self.behaviour.knowledge_slowdown * (1.0 - knowledge)) \
            * state.observability
        if struggled:
            duration *= self.behaviour.struggle_factor
        practice = PracticeKind.LEAD
        learner = None
        backup = inc.backup if inc.backup not in (None, lead) else None
        if backup is not None:
            practice = PracticeKind.LEAD_WITH_BACKUP
        elif state.pairing and lead in self._hero_set and state.pairing.get(cls.id):
            learner = self._pair_learner(inc, lead, start)
            if learner is not None:
                duration *= 1.0 + self.scenario.learning.pairing_overhead
        return start, duration, practice, backup, learner, struggled

    def _end_work(self, inc: _Incident, lead: str, work: tuple) -> None:
        """The incident is mitigated: free the slot, record the work and the practice."""
        start, duration, practice, backup, learner, struggled = work
        incident_id = inc.arrival.incident_id
        end = self.env.now
        class_id = inc.cls.id
        self.records.work.append(_new(WorkSpan, (lead, start, end, incident_id, Role.LED)))
        inc.involved.append((lead, Role.LED))
        if self.learn:
            self.practise(lead, class_id, practice, end)
        if backup is not None:
            share = self.scenario.learning.backup_share
            self.records.work.append(
                WorkSpan(backup, start, start + share * duration, incident_id, Role.BACKUP))
            inc.involved.append((backup, Role.BACKUP))
        if learner is not None:
            self.records.work.append(WorkSpan(learner, start, end, incident_id, Role.PAIRED))
            inc.involved.append((learner, Role.PAIRED))
            self.practise(learner, class_id, PracticeKind.PAIR, end)
        self._record(inc, lead, start, struggled)
        # Last: whoever waited for this slot starts now, seeing this incident's practice.
        self.slots.release(lead)

    def _pair_learner(self, inc: _Incident, hero: str, now: float) -> str | None:
        """The first learner of the pairing plan who is reachable joins the hero."""
        for learner in self.state.pairing[inc.cls.id]:
            if learner != hero and self.calendar.reachable(learner, now):
                self._interrupt(learner, InterruptionKind.PAGE, inc, now)
                return learner
        return None

    def practise(self, person: str, class_id: str, kind: PracticeKind, t: float) -> None:
        """`person` practised `class_id` at `t` (skills move only when the run learns)."""
        if self.learn:
            self.skills.practise(person, class_id, t, self.rates[kind])
            self.records.practice.append(Practice(person, class_id, kind, t))

    def effective_knowledge(self, person: str, cls: IncidentClass, t: float) -> float:
        """Effective knowledge: the person's own, raised by a runbook for the class."""
        k = self.skills.get(person, cls.id, t)[0]
        return self.state.runbooks.knowledge(k, cls.id, t)

    def _fallback(self, inc: _Incident):
        """The policy is exhausted: the most knowledgeable person present works it.

        Slowly and marked struggled when even they are not capable; when nobody is present for
        the rest of the calendar it stays unresolved until the horizon (lead None).
        """
        env = self.env
        # A fix that needs someone's access waits for one of them; anything else takes anyone.
        candidates = list(self.state.requires[inc.cls.id]) or self.people
        while True:
            present = [p for p in candidates if not self.calendar.absent(p, env.now)]
            if present:
                best = max(present, key=lambda p: self.effective_knowledge(p, inc.cls, env.now))
                self._interrupt(best, InterruptionKind.PAGE, inc, env.now)
                self._acknowledge(inc, best)
                yield from self._work(inc, best, False, struggled=self._struggles(inc, best))
                return
            wake = [w for w in (self.calendar.present_ever_after(p, env.now) for p in candidates)
                    if w is not None]
            if not wake or min(wake) >= self.calendar.span * MINUTES_PER_DAY:
                break
            yield env.timeout(min(wake) - env.now)
        end = max(env.now, self.horizon)
        if end > env.now:
            yield env.timeout(end - env.now)
        self._record(inc, None, env.now, struggled=True)

    # -- paging -------------------------------------------------------------------------------

    def _targets(self, level: int, t: float, exclude) -> list[str]:
        """Who policy position `level` pages at `t`, leaving out `exclude`."""
        target, named = self._levels[level % self._level_count]
        cal = self.calendar
        if target is LevelTarget.SECONDARY or target is LevelTarget.PRIMARY and not self._pooled:
            person = cal.on_call(target.value, t)
            return [] if person is None or person in exclude else [person]
        if target is LevelTarget.PRIMARY:
            people = self._pool_members()
        else:
            # Named people and the whole team: a planned absence takes the person off the
            # policy (as an override does on a rotation); a sick day does not.
            day = cal.day(t)
            planned = cal.planned
            people = [p for p in named if not planned[p][day]]
        if not exclude:
            return [p for p in people if p is not None]
        return [p for p in people if p is not None and p not in exclude]

    def _escalate(self, inc: _Incident, kind: EscalationKind, source: str | None,
                  targets: list[str]) -> None:
        """Record a hand-off to the next policy level; when that level pages several people,
        its target is whoever acknowledges (filled in by `_reached`)."""
        to = targets[0] if len(targets) == 1 else None
        inc.escalations.append(_new(Escalation, (kind, source, to, self.env.now)))
        if to is None and targets:
            inc.pending.append(len(inc.escalations) - 1)

    def _reached(self, inc: _Incident, person: str) -> None:
        """`person` took the incident: they are the target of the pending hand-offs."""
        for index in inc.pending:
            inc.escalations[index] = inc.escalations[index]._replace(to_person=person)
        inc.pending.clear()

    def _page_level(self, inc: _Incident, level: int, targets: list[str] | None = None
                    ) -> tuple[list[str], str | None, float]:
        """Page policy position `level` now: (its targets, who answers first, after how long)."""
        now = self.env.now
        if targets is None:
            targets = self._targets(level, now, exclude=inc.tried)
        best, delay = None, math.inf
        calendar = self.calendar
        for person in targets:
            if not calendar.reachable(person, now):
                continue
            d = self._page(inc, person, now)
            # Somebody whose absence begins before they would answer does not answer.
            if d < delay and not calendar.absent(person, now + d):
                best, delay = person, d
        if level == 0 and best is not None:
            self._page_shadow(inc, now)
        return targets, best, delay

    def _next_level(self, inc: _Incident, level: int) -> tuple[int, list[str]]:
        """The first policy position from `level` on that pages somebody not yet tried, and
        whom it pages (nobody when the policy is exhausted)."""
        now = self.env.now
        while level < self._positions:
            targets = self._targets(level, now, inc.tried)
            if targets:
                return level, targets
            level += 1
        return level, []

    def _pool_candidates(self, inc: _Incident) -> tuple[str, ...]:
        """Pool rotation: the primary members who are reachable and have not tried yet."""
        now = self.env.now
        # Reachability changes per quarter hour at most: reuse it within one.
        b = self.calendar.bin(now)
        layers = self.calendar.schedules["primary"]
        key = self._pool_key
        if key[0] != b or key[1] is not layers:
            reachable = self.calendar.reachable
            self._pool_key = (b, layers)
            self._pool_reachable = tuple(p for p in self._pool_members() if reachable(p, now))
        members = self._pool_reachable
        tried = inc.tried
        return tuple(p for p in members if p not in tried) if tried else members

    def _page(self, inc: _Incident, person: str, now: float) -> float:
        """Page `person` at `now` (an interruption); return how long they take to acknowledge."""
        self._interrupt(person, InterruptionKind.PAGE, inc, now)
        return self._ack_delay(person, now, self._draw(inc))

    def _pool_members(self) -> list[str]:
        layers = self.calendar.schedules["primary"]
        if self._pool_cache[0] is not layers:
            self._pool_cache = (layers, members_of(layers))
        return self._pool_cache[1]

    def _pull_hero(self, inc: _Incident, lead_from: str, level: int) -> bool:
        """A hesitant responder messages a hero directly; False when no hero will answer."""
        now = self.env.now
        reachable = [
            h for h in self.heroes
            if h not in inc.tried and self.calendar.reachable(h, now)
        ]
        if not reachable:
            return False
        hero = max(reachable, key=lambda h: self.effective_knowledge(h, inc.cls, now))
        self._interrupt(hero, InterruptionKind.PULL, inc, now)
        delay = self._ack_delay(hero, now, self._draw(inc))
        if self.calendar.absent(hero, now + delay):
            return False  # their absence begins before they would read the message
        inc.escalations.append(Escalation(EscalationKind.INFORMAL, lead_from, hero, now))
        if delay > 0:
            self._after(delay, self._answered, (inc, hero, level))
        else:
            self._acknowledge(inc, hero)
            self._size_up(inc, hero, level, holding=False)
        return True

    def _page_required(self, inc: _Incident, lead_from: str):
        """The fix needs someone's access: page one of them directly.

        Waits while nobody with the access is present; when the only ones present have
        already tried, returns None and the policy moves on (to the fallback).
        """
        env = self.env
        required = self.state.requires[inc.cls.id]
        untried = [p for p in required if p not in inc.tried]
        if not untried:
            return None
        while True:
            now = env.now
            present = [p for p in untried if not self.calendar.absent(p, now)]
            if present:
                break
            if any(not self.calendar.absent(p, now) for p in required):
                return None
            back = [b for b in (self.calendar.present_ever_after(p, now) for p in required)
                    if b is not None]
            if not back or min(back) >= self.calendar.span * MINUTES_PER_DAY:
                return None
            yield env.timeout(min(back) - now)
        person = max(present, key=lambda p: self.effective_knowledge(p, inc.cls, env.now))
        inc.escalations.append(Escalation(EscalationKind.MANUAL, lead_from, person, env.now))
        self._interrupt(person, InterruptionKind.PAGE, inc, env.now)
        answer = env.now + self._ack_delay(person, env.now, self._draw(inc))
        if self.calendar.absent(person, answer):
            # Their absence begins before they answer: they take it up when they are back.
            back_at = self.calendar.present_ever_after(person, answer)
            answer = back_at if back_at is not None else max(answer, self.horizon)
        if answer > env.now:
            yield env.timeout(answer - env.now)
        self._acknowledge(inc, person)
        inc.tried.add(person)
        return person

    def _misroute(self, inc: _Incident) -> None:
        """Routing ambiguity: the page lands on a wrong person, who bounces it."""
        now = self.env.now
        right = self._targets(0, now, exclude=())
        wrong = [p for p in self.people if p not in right]
        if not wrong:
            self._find(inc, 0)
            return
        person = wrong[int(self._draw(inc) * len(wrong)) % len(wrong)]
        timeout = self.policy.levels[0].timeout_minutes
        answered, wait = None, timeout
        if self.calendar.reachable(person, now):
            self._interrupt(person, InterruptionKind.PAGE, inc, now)
            delay = min(timeout, self._ack_delay(person, now, self._draw(inc)))
            if delay < timeout:
                # They answer, see it is not theirs, and bounce it.
                answered, wait = now + delay, delay + self.behaviour.reroute_minutes
        self._after(wait, self._rerouted, (inc, person, answered, right[0] if right else None))

    def _rerouted(self, event) -> None:
        inc, person, answered, right = event.value
        if answered is not None:
            if inc.acknowledged is None:
                inc.acknowledged, inc.acknowledged_by = answered, person
            inc.involved.append((person, Role.MISROUTED))
        inc.escalations.append(Escalation(EscalationKind.REROUTE, person, right, self.env.now))
        self._find(inc, 0)

    def _page_shadow(self, inc: _Incident, now: float) -> None:
        shadow = self.calendar.on_call("shadow", now)
        if shadow is not None and shadow not in inc.tried and self.calendar.reachable(shadow, now):
            self._interrupt(shadow, InterruptionKind.PAGE, inc, now)
            inc.involved.append((shadow, Role.SHADOW))
            inc.shadowed = True

    # -- small helpers ------------------------------------------------------------------------

    def _record(self, inc: _Incident, lead: str | None, started: float, struggled: bool) -> None:
        now = self.env.now
        arrival = inc.arrival
        cls = inc.cls
        if inc.acknowledged is None:
            inc.acknowledged = started if lead is not None else now
            inc.acknowledged_by = lead
        hero_involved = not self._hero_set.isdisjoint(inc.touched)
        for person, role in inc.involved if inc.shadowed else ():
            if role is Role.SHADOW:
                self.records.work.append(
                    WorkSpan(person, started, now, arrival.incident_id, Role.SHADOW)
                )
                self.practise(person, cls.id, PracticeKind.SHADOW, now)
        self.records.incidents.append(_new(IncidentRecord, (
            arrival.incident_id, cls.id, cls.service, cls.severity, arrival.at,
            inc.acknowledged, started, now, inc.acknowledged_by, lead, tuple(inc.involved),
            tuple(inc.escalations), hero_involved, inc.hero_hour_class, cls.slo_minutes,
            struggled,
        )))

    def _acknowledge(self, inc: _Incident, person: str) -> None:
        if inc.acknowledged is None:
            inc.acknowledged = self.env.now
            inc.acknowledged_by = person
        if inc.pending:
            self._reached(inc, person)

    def _interrupt(self, person: str, kind: InterruptionKind, inc: _Incident | None, t: float):
        hour_class = self.calendar.hour_class(person, t)
        self.records.interruptions.append(_new(Interruption, (
            person, t, hour_class, kind, inc.arrival.incident_id if inc is not None else None)))
        if inc is not None:
            inc.touched.add(person)
            if inc.hero_hour_class is None and person in self._hero_set:
                inc.hero_hour_class = hour_class

    def _ack_delay(self, person: str, t: float, u: float) -> float:
        mean = self._ack_means[self.calendar.response_codes[person][self.calendar.bin(t)]]
        return -mean * math.log(1.0 - u) if mean > 0 else 0.0

    def _expert_minutes(self, cls_index: int, z: float) -> float:
        """An expert's work time for the class, from the incident's standard normal draw."""
        median = self._medians[cls_index]
        if self._exponential_work[cls_index]:
            # The same draw mapped through its normal tail probability: still one stream.
            tail = 0.5 * math.erfc(z / SQRT2)
            return -median / LN2 * math.log(tail) if tail > 0 else 0.0
        return median * math.exp(self._sigma[cls_index] * z)

    def _exponential(self, inc: _Incident, mean: float) -> float:
        return -mean * math.log(1.0 - self._draw(inc))

    def _draw(self, inc: _Incident) -> float:
        cursor = inc.cursor
        if cursor < inc.end:
            inc.cursor = cursor + 1
            return inc.draws[cursor]
        return float(self.extra.random())

    def _has_access(self, person: str, cls: IncidentClass) -> bool:
        requires = self.state.requires[cls.id]
        return not requires or person in requires

    def _struggles(self, inc: _Incident, person: str) -> bool:
        knowledge = self.effective_knowledge(person, inc.cls, self.env.now)
        return ramp(knowledge - inc.cls.difficulty, self.behaviour.skill_sharpness) < 0.5


def simulate(
    scenario: Scenario,
    days: int,
    seed: int = 0,
    replication: int = 0,
    without: tuple[str, ...] = (),
    skills: SkillBook | None = None,
) -> RunRecords:
    """Run one replication of `scenario` for `days` days and return its records."""
    return TeamModel(scenario, days, seed, replication, without, skills).run()
