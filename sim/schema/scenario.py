"""Pydantic v2 models of a herosim scenario.

Every field carries a description with its unit and a default where a sensible one exists, so
a small scenario file stays small and `herosim schema` documents the format. Models forbid
unknown keys: a typo is an error, not a silently ignored setting.

Cross-references (a rotation naming an unknown person, a class on a missing service) are
checked by `Scenario` itself after the fields parse, and every problem is reported at once:
see `Scenario._check_references`, which collects instead of raising on the first.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from pydantic import Field, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

from sim.schema.base import (
    MAX_RATE_PER_WEEK,
    Identifier,
    LevelTarget,
    Model,
    Unit,
    check_zone,
    unknown,
)
from sim.schema.plan import Plan
from sim.schema.policy import (
    Behaviour,
    Conditions,
    EscalationLevel,
    EscalationPolicy,
    Learning,
    Runbook,
)
from sim.schema.team import IncidentClass, Person, Rotation, Service


class Event(Model):
    """Something that happens to the team on a day: exactly one of `join`, `leave`, `away`
    (with `days`) naming a person, or `appears` naming an incident class."""

    day: Annotated[int, Field(ge=0, le=3660)] = Field(description="The day it happens.")
    join: Identifier | None = Field(
        None, description="This person joins: away before the day, then ramps up (learning's "
        "new_joiner_share and ramp_weeks) from their listed skills.")
    leave: Identifier | None = Field(
        None, description="This person leaves: away from the day on, with their skills.")
    away: Identifier | None = Field(
        None, description="This person goes on leave for `days` days (a planned absence).")
    days: Annotated[int, Field(ge=1, le=3660)] | None = Field(
        None, description="With `away`: how many days.")
    appears: Identifier | None = Field(
        None, description="This incident class appears: no incidents of it before the day.")
    reason: str = ""

    @model_validator(mode="after")
    def _one_thing(self) -> Event:
        given = [k for k in ("join", "leave", "away", "appears") if getattr(self, k)]
        if len(given) != 1:
            raise PydanticCustomError(
                "event_kind", "an event names exactly one of join, leave, away or appears "
                "(got {given})", {"given": ", ".join(given) or "none"})
        if (self.away is None) != (self.days is None):
            raise PydanticCustomError(
                "event_days", "`days` goes with `away` (a stretch of leave), and only with it",
                {})
        return self


class IndependenceCriteria(Model):
    """When a class, and the team, count as independent of the heroes."""

    max_p90_ratio: Annotated[float, Field(ge=1.0, le=100.0)] = Field(
        1.5, description="Hero-absent p90 time to mitigate at most this multiple of "
        "hero-present."
    )
    max_added_breach_rate: Unit = Field(
        0.05, description="Hero-absent SLO breach rate at most this much above hero-present "
        "(absolute share)."
    )
    min_effective_responders: Annotated[int, Field(ge=0, le=50)] = Field(
        2, description="Non-hero people who would handle each critical, non-specialty class "
        "alone."
    )
    partly_factor: Annotated[float, Field(ge=1.0, le=10.0)] = Field(
        2.0, description="A class failing the criteria is 'partly' independent when its p90 "
        "ratio and added breaches are within this factor of the thresholds."
    )
    evaluation_days: Annotated[int, Field(ge=7, le=365)] = Field(
        28, description="Days of incidents replayed at each checkpoint."
    )
    max_added_release_delay_hours: Annotated[float, Field(ge=0.0, le=10_000.0)] = Field(
        24.0, description="Releases: hero-absent p90 delay from intended to shipped at most "
        "this many hours above hero-present."
    )
    max_added_change_failure_rate: Unit = Field(
        0.05, description="Releases: hero-absent change-failure rate at most this much above "
        "hero-present."
    )
    min_incidents_per_class: Annotated[int, Field(ge=0, le=100)] = Field(
        5, description="Each replication's evaluation window holds at least this many "
        "incidents of every class: a rare class gets extra incidents (probes), placed like its "
        "own arrivals, so that its verdict rests on data, as a game day injects them."
    )
    concentration_share: Unit = Field(
        0.5, description="A non-hero whose share of a critical class's incidents, or of all "
        "escalations, rises past this (and above the start's) makes the check say dependence "
        "moved to them rather than fell."
    )
    max_hero_serious_share: Unit | None = Field(
        None, description="Optional: the heroes' share of sev1/sev2 incidents (hero present) "
        "at most this, for the team to pass."
    )
    max_hero_consults_per_week: Annotated[float, Field(ge=0.0, le=1000.0)] | None = Field(
        None, description="Optional: consults of the heroes per week (hero present) at most "
        "this, for the team to pass."
    )


class Scenario(Model):
    """One team: its services, incidents, people, rotation, escalation and conditions."""

    name: Identifier
    description: str = ""
    timezone: str = Field("UTC", description="Reference time zone of the schedule.")
    start_date: dt.date = Field(
        dt.date(2026, 1, 5), description="Day 0 of the simulation; must be a Monday."
    )
    services: list[Service] = Field(min_length=1)
    classes: list[IncidentClass] = Field(min_length=1)
    people: list[Person] = Field(min_length=1)
    heroes: list[Identifier] = Field(
        default_factory=list, description="People whose absence is tested."
    )
    rotation: Rotation
    escalation: EscalationPolicy | None = Field(
        None, description="Escalation policy; default: primary, then secondary (when the "
        "rotation has one), then the whole team, 15 minutes each, one loop."
    )
    conditions: Conditions = Field(default_factory=Conditions)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    learning: Learning = Field(default_factory=Learning)
    runbooks: list[Runbook] = Field(default_factory=list, description="Runbooks today.")
    plans: list[Plan] = Field(
        default_factory=list, description="Transfer plans kept with the scenario; "
        "`--plan NAME` picks one."
    )
    independence: IndependenceCriteria = Field(default_factory=IndependenceCriteria)
    events: list[Event] = Field(
        default_factory=list, description="Changes to the team on given days: people joining, "
        "leaving or going on leave, incident classes appearing.")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return check_zone(zone)

    @field_validator("start_date")
    @classmethod
    def _monday(cls, day: dt.date) -> dt.date:
        if day.weekday() != 0:
            raise PydanticCustomError(
                "not_monday", "start_date {day} is a {weekday}; it must be a Monday",
                {"day": day.isoformat(), "weekday": day.strftime("%A")},
            )
        return day

    @model_validator(mode="after")
    def _check_references(self) -> Scenario:
        errors = list(_reference_errors(self))
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    @property
    def policy(self) -> EscalationPolicy:
        """The escalation policy in force: the given one or the documented default."""
        if self.escalation is not None:
            return self.escalation
        targets = [LevelTarget.PRIMARY]
        if self.rotation.secondary is not None:
            targets.append(LevelTarget.SECONDARY)
        targets.append(LevelTarget.TEAM)
        return EscalationPolicy(levels=[EscalationLevel(target=t) for t in targets])

    # Lookups used everywhere; cheap enough to rebuild, and the model is frozen.
    def person(self, person_id: str) -> Person:
        """The person with id `person_id`."""
        return next(p for p in self.people if p.id == person_id)

    def incident_class(self, class_id: str) -> IncidentClass:
        """The incident class with id `class_id`."""
        return next(c for c in self.classes if c.id == class_id)

    def service(self, service_id: str) -> Service:
        """The service with id `service_id`."""
        return next(s for s in self.services if s.id == service_id)

    def plan(self, name: str) -> Plan | None:
        """The plan named `name` in the scenario's `plans`, or None."""
        return next((p for p in self.plans if p.name == name), None)




def _error(loc: tuple, message: str, value: object) -> InitErrorDetails:
    return InitErrorDetails(
        type=PydanticCustomError("reference", message),
        loc=loc,
        input=value,
    )


def _duplicates(items: list, label: str, loc: str):
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            yield _error((loc, i, "id"), f"duplicate {label} id '{item.id}'", item.id)
        seen.add(item.id)


def _reference_errors(s: Scenario):
    """Yield every dangling or contradictory reference in a scenario."""
    yield from _duplicates(s.services, "service", "services")
    yield from _duplicates(s.classes, "class", "classes")
    yield from _duplicates(s.people, "person", "people")
    people = {p.id for p in s.people}
    services = {v.id for v in s.services}
    classes = {c.id for c in s.classes}

    def unknown_person(loc: tuple, pid: str):
        return _error(loc, unknown("person", pid, people), pid)

    for i, c in enumerate(s.classes):
        if c.service not in services:
            yield _error(("classes", i, "service"), f"class '{c.id}' points to a missing "
                         f"service: {unknown('service', c.service, services)}", c.service)
        for j, pid in enumerate(c.requires):
            if pid not in people:
                yield unknown_person(("classes", i, "requires", j), pid)
    for i, p in enumerate(s.people):
        for cid in p.skills:
            if cid not in classes:
                yield _error(("people", i, "skills", cid),
                             f"skill for an {unknown('class', cid, classes)}", cid)
    for i, pid in enumerate(s.heroes):
        if pid not in people:
            yield unknown_person(("heroes", i), pid)
    for layer in ("primary", "secondary", "shadow"):
        layers = getattr(s.rotation, layer)
        for index, schedule in enumerate(layers or ()):
            # A single layer keeps the short path users wrote: rotation.primary.members[2].
            loc = ("rotation", layer) if len(layers) == 1 else ("rotation", layer, index)
            for j, pid in enumerate(schedule.members):
                if pid not in people:
                    yield unknown_person((*loc, "members", j), pid)
            if schedule.offset >= len(schedule.members):
                yield _error((*loc, "offset"),
                             f"offset {schedule.offset} is past the {len(schedule.members)} "
                             "members", schedule.offset)
    for i, level in enumerate(s.policy.levels):
        for j, pid in enumerate(level.people):
            if pid not in people:
                yield unknown_person(("escalation", "levels", i, "people", j), pid)
        if level.target is LevelTarget.SECONDARY and s.rotation.secondary is None:
            yield _error(("escalation", "levels", i, "target"),
                         "level pages the secondary, but rotation has no secondary schedule; "
                         "add rotation.secondary or page named people", "secondary")
    for i, service in enumerate(s.services):
        changes = service.changes
        if changes is None:
            continue
        loc = ("services", i, "changes")
        for field_name in ("leaders", "needs"):
            for j, pid in enumerate(getattr(changes, field_name)):
                if pid not in people:
                    yield unknown_person((*loc, field_name, j), pid)
        if changes.rollback_class not in classes:
            yield _error((*loc, "rollback_class"),
                         unknown("class", changes.rollback_class, classes),
                         changes.rollback_class)
        if changes.unsafe_failure_rate < changes.failure_rate:
            yield _error((*loc, "unsafe_failure_rate"),
                         f"unsafe_failure_rate ({changes.unsafe_failure_rate:g}) is below "
                         f"failure_rate ({changes.failure_rate:g}); shipping without the needed "
                         "people cannot be safer", changes.unsafe_failure_rate)
    for i, runbook in enumerate(s.runbooks):
        if runbook.class_id not in classes:
            yield _error(("runbooks", i, "class"),
                         f"runbook for an {unknown('class', runbook.class_id, classes)}",
                         runbook.class_id)
    seen_plans: set[str] = set()
    yield from _event_errors(s, people)
    for i, plan in enumerate(s.plans):
        if plan.name in seen_plans:
            yield _error(("plans", i, "name"), f"duplicate plan name '{plan.name}'", plan.name)
        seen_plans.add(plan.name)
        yield from plan_reference_errors(plan, s, ("plans", i))
    total_rate = sum(c.rate_per_week for c in s.classes) * (1 + s.conditions.alert_noise)
    if total_rate > MAX_RATE_PER_WEEK:
        yield _error(("classes",),
                     f"total page rate {total_rate:g}/week (incidents plus alert noise) is "
                     f"above {MAX_RATE_PER_WEEK:g}/week; check the rates and alert_noise",
                     total_rate)
    if not math.isfinite(total_rate):
        yield _error(("classes",), "rates must be finite numbers", total_rate)


def _event_errors(s: Scenario, people: set[str]):
    """Events name known people and classes; a person joins or leaves at most once, and does
    not leave before joining."""
    classes = {c.id for c in s.classes}
    joins: dict[str, int] = {}
    leaves: dict[str, int] = {}
    for i, event in enumerate(s.events):
        for field_name in ("join", "leave", "away"):
            pid = getattr(event, field_name)
            if pid is not None and pid not in people:
                yield _error(("events", i, field_name), unknown("person", pid, people), pid)
        if event.appears is not None and event.appears not in classes:
            yield _error(("events", i, "appears"), unknown("class", event.appears, classes),
                         event.appears)
        for field_name, seen in (("join", joins), ("leave", leaves)):
            pid = getattr(event, field_name)
            if pid is None:
                continue
            if pid in seen:
                yield _error(("events", i, field_name), f"'{pid}' already has a {field_name} "
                             f"event (day {seen[pid]}); one each", pid)
            seen[pid] = event.day
    for pid, day in leaves.items():
        if pid in joins and joins[pid] >= day:
            yield _error(("events",), f"'{pid}' leaves on day {day}, not after joining on day "
                         f"{joins[pid]}", pid)


def plan_reference_errors(plan: Plan, s: Scenario, prefix: tuple = ()):
    """Yield every person or class a plan names that the scenario does not have."""
    people = {p.id for p in s.people}
    classes = {c.id for c in s.classes}
    services = {v.id for v in s.services}
    for i, action in enumerate(plan.actions):
        loc = (*prefix, "actions", i)
        for j, pid in enumerate(getattr(action, "learners", [])):
            if pid not in people:
                yield _error((*loc, "learners", j), unknown("person", pid, people), pid)
        for j, sid in enumerate(getattr(action, "services", [])):
            if sid not in services:
                yield _error((*loc, "services", j), unknown("service", sid, services), sid)
            elif s.service(sid).changes is None:
                yield _error((*loc, "services", j), f"service '{sid}' has no `changes` to act "
                             "on", sid)
        for j, cid in enumerate(getattr(action, "classes", [])):
            if cid not in classes:
                yield _error((*loc, "classes", j), unknown("class", cid, classes), cid)
        for field_name in ("hero", "author"):
            pid = getattr(action, field_name, None)
            if pid is not None and pid not in people:
                yield _error((*loc, field_name), unknown("person", pid, people), pid)
        for j, pid in enumerate(getattr(action, "people", [])):
            if pid not in people:
                yield _error((*loc, "people", j), unknown("person", pid, people), pid)
        for layer in ("schedule", "primary", "secondary"):
            layers = getattr(action, layer, None)
            for index, schedule in enumerate(layers or ()):
                where = (*loc, layer) if len(layers) == 1 else (*loc, layer, index)
                for j, pid in enumerate(schedule.members):
                    if pid not in people:
                        yield _error((*where, "members", j), unknown("person", pid, people),
                                     pid)
        if action.kind in ("pair", "lead_with_backup", "lead_changes_with_backup") \
                and not s.heroes:
            yield _error((*loc, "kind"), f"'{action.kind}' needs a hero to pair with or back "
                         "up; name one in the scenario's heroes", action.kind)


def check_plan(plan: Plan, scenario: Scenario) -> None:
    """Raise a ValidationError listing what `plan` names that `scenario` lacks."""
    errors = list(plan_reference_errors(plan, scenario))
    if errors:
        raise ValidationError.from_exception_data("Plan", errors)
