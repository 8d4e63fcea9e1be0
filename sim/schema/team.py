"""The team as a scenario describes it: services, incident classes, people, their skills and
availability, and the rotation."""

from __future__ import annotations

import math
from enum import Enum
from typing import Annotated

from pydantic import BeforeValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.schema.base import (
    HOURS_PER_WEEK,
    MAX_RATE_PER_WEEK,
    WEEKDAY_INDEX,
    Z90,
    Identifier,
    Minutes,
    Model,
    Severity,
    Unit,
    Weekday,
    check_zone,
)
from sim.schema.policy import Changes


class Service(Model):
    """A service the team runs; `critical` ones count for the responder criterion."""

    id: Identifier
    critical: bool = Field(False, description="A critical service needs at least two effective "
                           "responders to count as independent of its heroes.")
    changes: Changes | None = Field(None, description="Deploys of this service, if modelled.")


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
    def sigma(self) -> float:
        """The lognormal's sigma: log(p90 / median) / z(0.9)."""
        return math.log(self.spread) / Z90

    @property
    def mean(self) -> float:
        """Mean expert minutes."""
        if self.distribution is WorkDistribution.EXPONENTIAL:
            return self.median / math.log(2.0)
        return self.median * math.exp(self.sigma * self.sigma / 2.0)


class IncidentClass(Model):
    """A kind of incident: its service, rate, difficulty, work time and SLO."""

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
    """A person's knowledge and confidence in one class (0..1 each)."""

    knowledge: Unit = Field(description="What the person can do alone for this class, 0..1.")
    confidence: Unit | None = Field(
        None, description="How readily they lead it, 0..1; defaults to knowledge."
    )

    @property
    def conf(self) -> float:
        """Confidence, defaulting to knowledge."""
        return self.knowledge if self.confidence is None else self.confidence


class WorkingHours(Model):
    """When a person normally works, in their own zone (answers come faster then)."""

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
    """A member of the team: zone, hours, skills, capacity and availability."""

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
    transfer_hours_per_week: Annotated[float, Field(ge=0.0, le=80.0)] = Field(
        8.0, description="Hours a week this person may spend on transfer-plan activities "
        "(drills, runbooks, pairing and backing up); a plan asking more is flagged, and "
        "checked as the budget allows."
    )
    project_share: Unit = Field(
        0.5, description="Share of the working week committed to project work; the rest is "
        "for operations, transfer and improvement (the hero's time by kind is measured "
        "against it)."
    )
    available: list[HourRange] | None = Field(
        None, min_length=1,
        description="When the person can be paged, pulled in or start work, in their own zone: "
        "shifts, part-time days, a hero reachable in business hours only. Outside every window "
        "they are off duty (what they started, they finish). Default: always, absences and "
        "sleep aside.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return check_zone(zone)

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
        """The name to show: `name`, or the id."""
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
    hours: HourRange | None = Field(
        None, description="Restrict this layer to these hours (and days) in the scenario time "
        "zone, e.g. {start: 8, end: 20} for a day shift; overnight ranges wrap. Several "
        "restricted layers make a follow-the-sun rotation; in a pool, only the members of the "
        "layers in force are in the pool."
    )


class HourRange(Model):
    """An availability window: hours of the day, on some days of the week.

    `{start: 8, end: 18}` is 08:00-18:00 every day; `{start: 22, end: 6, days: [fri, sat]}`
    wraps past midnight and covers Friday and Saturday nights (a window belongs to the day it
    starts on). Times are local: the person's zone for a person, the scenario's for a layer.
    """

    start: Annotated[int, Field(ge=0, le=23)] = Field(description="First hour covered.")
    end: Annotated[int, Field(ge=0, le=24)] = Field(
        description="Hour the window ends (exclusive); below `start` it ends the next day.")
    days: tuple[Weekday, ...] | None = Field(
        None, description="Days of the week the window starts on; default every day.")

    @model_validator(mode="after")
    def _not_empty(self) -> HourRange:
        if self.start == self.end % 24:
            raise PydanticCustomError(
                "hours_empty", "start ({start}) and end ({end}) are the same hour; leave the "
                "restriction out for a 24-hour layer", {"start": self.start, "end": self.end})
        return self

    def covers(self, minute_of_day: float, weekday: int = 0) -> bool:
        """Whether the local moment (minute of the day, weekday 0 = Monday) is in the window."""
        start, end = self.start * 60, self.end * 60
        days = None if self.days is None else {WEEKDAY_INDEX[d] for d in self.days}
        if start < end:
            return (days is None or weekday in days) and start <= minute_of_day < end
        if minute_of_day >= start:
            return days is None or weekday in days
        return minute_of_day < end and (days is None or (weekday - 1) % 7 in days)


def covered(windows: list[HourRange] | None, minute_of_day: float, weekday: int) -> bool:
    """Whether any of `windows` covers the local moment; no windows means always."""
    return windows is None or any(w.covers(minute_of_day, weekday) for w in windows)


def _as_layers(value):
    """A schedule may be given as one layer or a list of layers; keep a list."""
    return [value] if isinstance(value, dict | Schedule) else value


Layers = Annotated[list[Schedule], Field(min_length=1), BeforeValidator(_as_layers)]


def members_of(layers: list[Schedule] | None) -> list[str]:
    """Everyone on any layer, in order of first appearance."""
    return list(dict.fromkeys(m for layer in layers or () for m in layer.members))


class Rotation(Model):
    """The on-call rotation: primary, optional secondary and shadow layers, or a pool."""

    primary: Layers = Field(description="One schedule layer, or a list of layers: the first "
                            "layer whose hours cover a moment decides who is on call.")
    secondary: Layers | None = None
    shadow: Layers | None = Field(
        None, description="Learners paged with the primary who join the work."
    )
    pool: bool = Field(
        False,
        description="Page every primary member at once; the first free one takes the oldest "
        "waiting incident (a follow-the-queue team rather than a single on-call).",
    )
