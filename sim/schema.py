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
from enum import Enum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
HOURS_PER_WEEK = 7 * 24
# Above this an arrival rate is a typo, and sampling it would exhaust memory before it helped.
MAX_RATE_PER_WEEK = 10_000.0


class Severity(str, Enum):
    """Incident severity, SEV1 the worst."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"


class EscalationKind(str, Enum):
    """Why an incident moved from one person to another."""

    TIMEOUT = "timeout"  # nobody acknowledged within the level's timeout
    MANUAL = "manual"  # the responder escalated along the policy
    INFORMAL = "informal"  # the responder messaged the hero directly, outside the policy
    REROUTE = "reroute"  # routing ambiguity: the page landed on the wrong person first


class Role(str, Enum):
    """How a person took part in an incident."""

    ACKNOWLEDGED = "acknowledged"  # acknowledged a page and sized the incident up
    LED = "led"  # worked it to mitigation
    STUCK = "stuck"  # tried, could not fix it, handed it on
    SHADOW = "shadow"  # paged with the primary to learn
    MISROUTED = "misrouted"  # received the page by mistake and bounced it


class HourClass(str, Enum):
    """PagerDuty's interruption classes, by the person's local time."""

    BUSINESS = "business"  # 08-18 Mon-Fri
    OFF = "off"  # 18-22 Mon-Fri, and weekends outside sleep hours
    SLEEP = "sleep"  # 22-08 every day


class LevelTarget(str, Enum):
    """Who an escalation level pages."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    PEOPLE = "people"  # the persons named in `people`
    TEAM = "team"  # every member of the team at once


class Weekday(str, Enum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAY_INDEX = {day: i for i, day in enumerate(Weekday)}

IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=IDENTIFIER_PATTERN,
        description="An identifier: letters, digits, '_', '.', '-'; starts with a letter or digit.",
    ),
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Minutes = Annotated[float, Field(gt=0.0, le=10 * MINUTES_PER_WEEK, description="minutes")]


class Model(BaseModel):
    """Base of every input model: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


class Service(Model):
    id: Identifier
    critical: bool = Field(False, description="A critical service needs at least two effective "
                           "responders to count as independent of its heroes.")


class WorkDistribution(str, Enum):
    """Shape of an expert's work time."""

    LOGNORMAL = "lognormal"  # the usual shape of repair times: given by median and p90
    EXPONENTIAL = "exponential"  # memoryless, for textbook-queue checks: given by its median


class WorkTime(Model):
    """Expert work time of a class: lognormal by default, given by its median and p90."""

    median: Minutes = Field(description="Median minutes an expert needs to mitigate.")
    p90: Minutes | None = Field(
        None, description="90th percentile of an expert's minutes (lognormal only); at least "
        "the median, equal meaning a fixed time. Default: three times the median."
    )
    distribution: WorkDistribution = WorkDistribution.LOGNORMAL

    @model_validator(mode="after")
    def _p90_not_below_median(self) -> WorkTime:
        if self.p90 is not None and self.p90 < self.median:
            raise PydanticCustomError(
                "p90_below_median",
                "p90 ({p90}) must be at least the median ({median})",
                {"p90": self.p90, "median": self.median},
            )
        if self.p90 is not None and self.distribution is WorkDistribution.EXPONENTIAL:
            raise PydanticCustomError(
                "p90_exponential",
                "an exponential work time is given by its median alone; drop p90 ({p90})",
                {"p90": self.p90},
            )
        return self

    @property
    def spread(self) -> float:
        """p90 / median of the lognormal (3 when not given)."""
        return 3.0 if self.p90 is None else self.p90 / self.median

    @property
    def mean(self) -> float:
        """Mean expert minutes."""
        if self.distribution is WorkDistribution.EXPONENTIAL:
            return self.median / math.log(2.0)
        sigma = math.log(self.spread) / 1.2815515655446004
        return self.median * math.exp(sigma * sigma / 2.0)


class IncidentClass(Model):
    id: Identifier
    service: Identifier = Field(description="Id of the service this class belongs to.")
    severity: Severity = Severity.SEV2
    rate_per_week: float = Field(
        ge=0.0, le=MAX_RATE_PER_WEEK, description="Mean real incidents per week (Poisson)."
    )
    weekly_profile: list[Annotated[float, Field(ge=0.0)]] | None = Field(
        None,
        description=f"Optional relative weights for the {HOURS_PER_WEEK} hours of the week, "
        "Monday 00:00 first, in the scenario time zone; arrivals then follow a "
        "non-homogeneous Poisson process with the same weekly mean.",
    )
    difficulty: Unit = Field(0.5, description="Knowledge needed to fix it alone, 0..1.")
    work_minutes: WorkTime
    slo_minutes: Minutes = Field(60.0, description="Mitigation SLO, minutes from arrival.")
    specialty: bool = Field(
        False, description="The team accepts that only specialists handle this class."
    )
    requires: list[Identifier] = Field(
        default_factory=list,
        description="People whose access the fix needs; one of them must take part.",
    )

    @field_validator("weekly_profile")
    @classmethod
    def _profile_shape(cls, profile: list[float] | None) -> list[float] | None:
        if profile is None:
            return None
        if len(profile) != HOURS_PER_WEEK:
            raise PydanticCustomError(
                "profile_length",
                "weekly_profile has {n} weights; it needs one per hour of the week (168)",
                {"n": len(profile)},
            )
        if sum(profile) <= 0:
            raise PydanticCustomError(
                "profile_zero", "weekly_profile weights are all zero; at least one must be > 0"
            )
        return profile


class Skill(Model):
    knowledge: Unit = Field(description="What the person can do alone for this class, 0..1.")
    confidence: Unit | None = Field(
        None, description="How readily they lead it, 0..1; defaults to knowledge."
    )

    @property
    def conf(self) -> float:
        return self.knowledge if self.confidence is None else self.confidence


class WorkingHours(Model):
    start: Annotated[int, Field(ge=0, le=23)] = Field(8, description="Local hour work starts.")
    end: Annotated[int, Field(ge=1, le=24)] = Field(18, description="Local hour work ends.")
    days: list[Weekday] = Field(
        default_factory=lambda: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI]
    )

    @model_validator(mode="after")
    def _start_before_end(self) -> WorkingHours:
        if self.start >= self.end:
            raise PydanticCustomError(
                "hours_order", "start ({start}) must be before end ({end})",
                {"start": self.start, "end": self.end},
            )
        return self


class Absence(Model):
    """A planned absence: whole days, counted from day 0 (the scenario's first Monday)."""

    start_day: Annotated[int, Field(ge=0)]
    end_day: Annotated[int, Field(ge=0)] = Field(description="Last day absent, inclusive.")
    reason: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Absence:
        if self.end_day < self.start_day:
            raise PydanticCustomError(
                "absence_order", "end_day ({end}) is before start_day ({start})",
                {"end": self.end_day, "start": self.start_day},
            )
        return self


class Person(Model):
    id: Identifier
    name: str = Field("", max_length=200, description="Display name; defaults to the id.")
    timezone: str = Field("UTC", description="IANA time zone, e.g. Europe/Berlin.")
    working_hours: WorkingHours = Field(default_factory=WorkingHours)
    capacity: Annotated[int, Field(ge=1, le=20)] = Field(
        1, description="Incidents the person works at once."
    )
    skills: dict[Identifier, Skill | Unit] = Field(
        default_factory=dict,
        description="Per class id: a knowledge number, or {knowledge, confidence}. "
        "Classes not listed default to knowledge 0.",
    )
    absences: list[Absence] = Field(default_factory=list)
    sick_days_per_year: Annotated[float, Field(ge=0.0, le=365.0)] = Field(
        0.0, description="Unplanned absence rate: whole days per year, at random."
    )
    wakeable: bool = Field(
        True, description="Can be paged awake (22-08 local) when not on rotation."
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return _check_zone(zone)

    @field_validator("absences")
    @classmethod
    def _no_overlap(cls, absences: list[Absence]) -> list[Absence]:
        spans = sorted(absences, key=lambda a: a.start_day)
        for before, after in zip(spans, spans[1:]):
            if after.start_day <= before.end_day:
                raise PydanticCustomError(
                    "absence_overlap",
                    "absences overlap: days {a0}-{a1} and {b0}-{b1}",
                    {"a0": before.start_day, "a1": before.end_day,
                     "b0": after.start_day, "b1": after.end_day},
                )
        return absences

    def skill(self, class_id: str) -> tuple[float, float]:
        """Knowledge and confidence for a class (0, 0 when unlisted)."""
        value = self.skills.get(class_id)
        if value is None:
            return 0.0, 0.0
        if isinstance(value, Skill):
            return value.knowledge, value.conf
        return float(value), float(value)

    @property
    def display_name(self) -> str:
        return self.name or self.id


class Schedule(Model):
    """An on-call schedule layer: members take turns, handing off every `period_days`."""

    members: list[Identifier] = Field(min_length=1)
    period_days: Annotated[int, Field(ge=1, le=365)] = Field(7, description="Days per shift.")
    handoff_hour: Annotated[int, Field(ge=0, le=23)] = Field(
        10, description="Hour of the hand-off, scenario time zone."
    )
    offset: Annotated[int, Field(ge=0)] = Field(
        0, description="Which member (index) is on call in the first shift."
    )


class Rotation(Model):
    primary: Schedule
    secondary: Schedule | None = None
    shadow: Schedule | None = Field(
        None, description="Learners paged with the primary who join the work."
    )
    pool: bool = Field(
        False,
        description="Page every primary member at once; the first free one takes the oldest "
        "waiting incident (a follow-the-queue team rather than a single on-call).",
    )


class EscalationLevel(Model):
    target: LevelTarget
    people: list[Identifier] = Field(
        default_factory=list, description="With target 'people': who is paged."
    )
    timeout_minutes: Minutes = Field(15.0, description="Minutes to acknowledge before "
                                     "escalating to the next level.")

    @model_validator(mode="after")
    def _people_match_target(self) -> EscalationLevel:
        if self.target is LevelTarget.PEOPLE and not self.people:
            raise PydanticCustomError(
                "level_empty", "a 'people' level names nobody; list at least one person"
            )
        if self.target is not LevelTarget.PEOPLE and self.people:
            raise PydanticCustomError(
                "level_people",
                "people are listed on a '{target}' level; only target 'people' takes them",
                {"target": self.target.value},
            )
        return self


class EscalationPolicy(Model):
    levels: list[EscalationLevel] = Field(min_length=1)
    loops: Annotated[int, Field(ge=0, le=9)] = Field(
        1, description="Times the whole policy repeats after the last level."
    )


class Conditions(Model):
    """What keeps summoning the hero."""

    alert_noise: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="False pages per real incident."
    )
    routing_ambiguity: Unit = Field(
        0.0, description="Chance a page first lands on the wrong person."
    )
    observability: Annotated[float, Field(ge=0.1, le=10.0)] = Field(
        1.0, description="Diagnosis time multiplier (1 = good, 2 = twice as slow)."
    )
    informal_pull: Unit = Field(
        0.0, description="Chance a hesitant or stuck responder messages the hero directly "
        "instead of following the policy."
    )


class Behaviour(Model):
    """How people respond; the defaults are reasoned in docs/model.md."""

    ack_median_minutes: dict[HourClass, Annotated[float, Field(ge=0.0, le=240.0)]] = Field(
        default_factory=lambda: {HourClass.BUSINESS: 2.0, HourClass.OFF: 5.0,
                                 HourClass.SLEEP: 9.0},
        description="Median minutes to acknowledge a page, by the person's local hour class; "
        "exponential around it. 0 means instant.",
    )
    skill_sharpness: Annotated[float, Field(gt=0.0, le=2.0)] = Field(
        0.2, description="Width of the ramp in P(can fix) = clamp(0.5 + (k - d) / width, 0, 1), "
        "and likewise P(will lead) with confidence c: certain when skill exceeds difficulty "
        "by half the width, never when it falls short by half the width."
    )
    knowledge_slowdown: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        2.0, description="Work time multiplier per unit of missing knowledge: "
        "time = expert time x (1 + slowdown x (1 - k))."
    )
    struggle_factor: Annotated[float, Field(ge=1.0, le=50.0)] = Field(
        3.0, description="Extra multiplier when nobody capable is reachable and the best "
        "person available works it anyway."
    )
    stuck_minutes: Minutes = Field(
        20.0, description="Mean minutes a responder who cannot fix it tries before escalating."
    )
    hesitation_minutes: Minutes = Field(
        5.0, description="Mean minutes a capable but unconfident responder spends before "
        "escalating or pulling the hero."
    )
    reroute_minutes: Minutes = Field(
        4.0, description="Minutes a misrouted page costs before it reaches the right person."
    )
    triage_minutes: Minutes = Field(
        5.0, description="Minutes a false page costs the person who acknowledges it."
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

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return _check_zone(zone)

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
        return next(p for p in self.people if p.id == person_id)

    def incident_class(self, class_id: str) -> IncidentClass:
        return next(c for c in self.classes if c.id == class_id)

    def service(self, service_id: str) -> Service:
        return next(s for s in self.services if s.id == service_id)


def _check_zone(zone: str) -> str:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "unknown_zone", "'{zone}' is not an IANA time zone (e.g. Europe/Berlin, UTC)",
            {"zone": zone},
        ) from None
    return zone


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
    known_people = ", ".join(sorted(people))

    def unknown_person(loc: tuple, pid: str):
        return _error(loc, f"unknown person '{pid}'; known people: {known_people}", pid)

    for i, c in enumerate(s.classes):
        if c.service not in services:
            yield _error(("classes", i, "service"),
                         f"class '{c.id}' points to missing service '{c.service}'; "
                         f"services: {', '.join(sorted(services))}", c.service)
        for j, pid in enumerate(c.requires):
            if pid not in people:
                yield unknown_person(("classes", i, "requires", j), pid)
    for i, p in enumerate(s.people):
        for cid in p.skills:
            if cid not in classes:
                yield _error(("people", i, "skills", cid),
                             f"skill for unknown class '{cid}'; classes: "
                             f"{', '.join(sorted(classes))}", cid)
    for i, pid in enumerate(s.heroes):
        if pid not in people:
            yield unknown_person(("heroes", i), pid)
    for layer in ("primary", "secondary", "shadow"):
        schedule = getattr(s.rotation, layer)
        if schedule is None:
            continue
        for j, pid in enumerate(schedule.members):
            if pid not in people:
                yield unknown_person(("rotation", layer, "members", j), pid)
        if schedule.offset >= len(schedule.members):
            yield _error(("rotation", layer, "offset"),
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
    total_rate = sum(c.rate_per_week for c in s.classes) * (1 + s.conditions.alert_noise)
    if total_rate > MAX_RATE_PER_WEEK:
        yield _error(("classes",),
                     f"total page rate {total_rate:g}/week (incidents plus alert noise) is "
                     f"above {MAX_RATE_PER_WEEK:g}/week; check the rates and alert_noise",
                     total_rate)
    if not math.isfinite(total_rate):
        yield _error(("classes",), "rates must be finite numbers", total_rate)
