"""What every stage of the team model shares: the clock, the calendar, the skills, the state a
plan changes, the capacity slots and the records, with the few steps every stage takes (waiting,
interrupting someone, how long they take to answer, practising).

The stages (paging, response, work, noise, changes, plans) are given this object and not the
whole model, so each depends on what it uses and nothing on who composed it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import Timeout  # env.timeout without the bound-method wrapper

from sim.model.arrivals import LN2
from sim.model.calendar import HOUR_CLASS_BY_CODE, Calendar
from sim.model.incident import Incident
from sim.model.records import Interruption, InterruptionKind, Practice, RunRecords
from sim.model.skills import SkillBook
from sim.model.slots import Slots
from sim.model.state import TeamState
from sim.schema import MINUTES_PER_DAY, MINUTES_PER_WEEK, IncidentClass, PracticeKind, Scenario

_new = tuple.__new__  # see sim/model/incident.py


class TeamContext:
    """The shared parts of one replication of one team, and the steps every stage takes."""

    def __init__(self, scenario: Scenario, days: int, env: simpy.Environment,
                 calendar: Calendar, skills: SkillBook, state: TeamState, records: RunRecords,
                 learn: bool, extra: np.random.Generator):
        self.scenario = scenario
        self.days = days
        self.horizon = days * MINUTES_PER_DAY
        self.env = env
        self.calendar = calendar
        self.skills = skills
        self.state = state
        self.records = records
        self.learn = learn
        self.extra = extra  # decision draws once an incident has used its own
        self.behaviour = scenario.behaviour
        self.rates = scenario.learning.rates
        self.people = [p.id for p in scenario.people]
        self.heroes = tuple(scenario.heroes)
        self.hero_set = frozenset(self.heroes)
        self.slots = Slots(env, {p.id: p.capacity for p in scenario.people}, calendar)
        self.release_count = 0
        # Transfer-plan hours spent per (person, week), against each person's weekly budget.
        self.budget = {p.id: p.transfer_hours_per_week for p in scenario.people}
        self.transfer_spent: dict[tuple[str, int], float] = {}
        # Mean ack delay by the calendar's hour code (exponential: mean = median / ln 2).
        self._ack_means = tuple(
            self.behaviour.ack_median_minutes[hc] / LN2 for hc in HOUR_CLASS_BY_CODE
        )

    def after(self, delay: float, callback: Callable, value: object) -> None:
        """Call `callback(event)` after `delay` minutes, with `event.value` = `value`: one
        SimPy event and no process (the common path of an incident runs on these)."""
        Timeout(self.env, delay if delay > 0 else 0.0, value).callbacks.append(callback)

    def interrupt(self, person: str, kind: InterruptionKind, inc: Incident | None,
                  t: float) -> None:
        """Record that `person` was interrupted at `t` (for `inc`, unless a false page)."""
        hour_class = self.calendar.hour_class(person, t)
        self.records.interruptions.append(_new(Interruption, (
            person, t, hour_class, kind, inc.arrival.incident_id if inc is not None else None)))
        if inc is not None:
            inc.touched.add(person)
            if inc.hero_hour_class is None and person in self.hero_set:
                inc.hero_hour_class = hour_class

    def ack_delay(self, person: str, t: float, u: float) -> float:
        """How long `person`, paged at `t`, takes to acknowledge, from the uniform draw `u`."""
        mean = self._ack_means[self.calendar.response_codes[person][self.calendar.bin(t)]]
        return -mean * math.log(1.0 - u) if mean > 0 else 0.0

    def practise(self, person: str, class_id: str, kind: PracticeKind, t: float) -> None:
        """`person` practised `class_id` at `t` (skills move only when the run learns)."""
        if self.learn:
            self.skills.practise(person, class_id, t, self.rates[kind])
            self.records.practice.append(Practice(person, class_id, kind, t))

    def effective_knowledge(self, person: str, cls: IncidentClass, t: float) -> float:
        """Effective knowledge: the person's own, raised by a runbook for the class."""
        k = self.skills.get(person, cls.id, t)[0]
        return self.state.runbooks.knowledge(k, cls.id, t)

    def budget_left(self, person: str, t: float) -> float:
        """Hours of `person`'s weekly transfer budget not yet spent in the week of `t`."""
        week = int(t // MINUTES_PER_WEEK)
        return self.budget[person] - self.transfer_spent.get((person, week), 0.0)

    def spend(self, person: str, t: float, hours: float) -> None:
        """`person` spends `hours` of transfer time in the week of `t`."""
        key = (person, int(t // MINUTES_PER_WEEK))
        self.transfer_spent[key] = self.transfer_spent.get(key, 0.0) + hours

    def occupy(self, person: str, minutes: float) -> None:
        """`person` spends the next `minutes` on something else (a drill): one of their slots is
        taken meanwhile when one is free (work already under way is not interrupted)."""
        if minutes > 0 and self.slots.take(person):
            self.after(minutes, self._freed, person)

    def _freed(self, event) -> None:
        self.slots.release(event.value)

    def most_knowledgeable(self, people: list[str], cls: IncidentClass, t: float) -> str:
        """Of `people`, who knows `cls` best at `t` (the first of equals)."""
        return max(people, key=lambda p: self.effective_knowledge(p, cls, t))
