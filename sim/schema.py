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
    BeforeValidator,
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
Z90 = 1.2815515655446004  # standard normal quantile of 0.9: a lognormal's sigma from its p90


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
    PAIRED = "paired"  # a learner working beside the hero who leads (a transfer plan)
    BACKUP = "backup"  # the hero backing up a learner who leads (a transfer plan)


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


class Verdict(str, Enum):
    """How independent of its heroes a class (or the team) is."""

    INDEPENDENT = "independent"
    PARTLY = "partly"
    DEPENDENT = "hero-dependent"


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


class GatePolicy(str, Enum):
    """What the team does when nobody a change `needs` is there."""

    POSTPONE = "postpone"  # wait; later changes pile into the same release
    SHIP = "ship"  # go ahead anyway, at the higher unsafe change-failure rate


class DeployWindow(Model):
    """When changes ship: days and hours in the scenario's time zone."""

    days: list[Weekday] = Field(
        default_factory=lambda: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU]
    )
    start: Annotated[int, Field(ge=0, le=23)] = Field(10, description="First hour.")
    end: Annotated[int, Field(ge=1, le=24)] = Field(16, description="Hour the window closes.")

    @model_validator(mode="after")
    def _start_before_end(self) -> DeployWindow:
        if self.start >= self.end:
            raise PydanticCustomError(
                "window_order", "start ({start}) must be before end ({end})",
                {"start": self.start, "end": self.end})
        if not self.days:
            raise PydanticCustomError("window_days", "a deploy window needs at least one day")
        return self


class Changes(Model):
    """A service's deploys and rollbacks (see docs/model.md, "Changes")."""

    per_week: Annotated[float, Field(ge=0.0, le=1000.0)] = Field(
        description="Changes the service intends to ship per week (Poisson, in the window)."
    )
    window: DeployWindow = Field(default_factory=DeployWindow)
    leaders: list[Identifier] = Field(
        default_factory=list, description="Who may lead a change (default: everyone)."
    )
    needs: list[Identifier] = Field(
        default_factory=list, description="People whose presence makes a change feel safe; "
        "one of them must be there."
    )
    when_needed_absent: GatePolicy = Field(
        GatePolicy.POSTPONE, description="postpone: the change waits and later ones pile into "
        "the same release; ship: it goes out at the unsafe failure rate."
    )
    failure_rate: Unit = Field(
        0.1, description="Change-failure rate with an expert leader and a one-change release."
    )
    unsafe_failure_rate: Unit = Field(
        0.25, description="Change-failure rate when shipped without the needed people."
    )
    knowledge_penalty: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="The rate is multiplied by 1 + penalty x (1 - leader's knowledge of "
        "the rollback class): a novice leader at penalty 1 doubles it."
    )
    batch_penalty: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.1, description="Each extra change in a release multiplies the rate by 1 + this."
    )
    rollback_class: Identifier = Field(
        description="The incident class a failed change raises (worked like any incident)."
    )
    detection_minutes: Minutes = Field(
        30.0, description="Mean minutes from shipping to the failure being paged."
    )


class Service(Model):
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
    hours: HourRange | None = Field(
        None, description="Restrict this layer to these hours of the day (scenario time "
        "zone), e.g. {start: 8, end: 20} for a day shift; overnight ranges wrap. Several "
        "restricted layers make a follow-the-sun rotation."
    )


class HourRange(Model):
    start: Annotated[int, Field(ge=0, le=23)]
    end: Annotated[int, Field(ge=0, le=24)]

    @model_validator(mode="after")
    def _not_empty(self) -> HourRange:
        if self.start == self.end % 24:
            raise PydanticCustomError(
                "hours_empty", "start ({start}) and end ({end}) are the same hour; leave the "
                "restriction out for a 24-hour layer", {"start": self.start, "end": self.end})
        return self

    def covers(self, minute_of_day: float) -> bool:
        start, end = self.start * 60, self.end * 60
        if start < end:
            return start <= minute_of_day < end
        return minute_of_day >= start or minute_of_day < end


def _as_layers(value):
    """A schedule may be given as one layer or a list of layers; keep a list."""
    return [value] if isinstance(value, dict | Schedule) else value


Layers = Annotated[list[Schedule], Field(min_length=1), BeforeValidator(_as_layers)]


def members_of(layers: list[Schedule] | None) -> list[str]:
    """Everyone on any layer, in order of first appearance."""
    return list(dict.fromkeys(m for layer in layers or () for m in layer.members))


class Rotation(Model):
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
    @field_validator("ack_median_minutes")
    @classmethod
    def _all_hour_classes(cls, medians: dict[HourClass, float]) -> dict[HourClass, float]:
        # A partial mapping overrides some hour classes and keeps the defaults of the others.
        defaults = {HourClass.BUSINESS: 2.0, HourClass.OFF: 5.0, HourClass.SLEEP: 9.0}
        return {**defaults, **medians}

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


class PracticeKind(str, Enum):
    """Ways a person practises a class; each has its own learning rate."""

    LEAD = "lead"  # led a live incident alone
    LEAD_WITH_BACKUP = "lead_with_backup"  # led a live incident with the hero as backup
    PAIR = "pair"  # worked a live incident beside the hero
    SHADOW = "shadow"  # was paged with the primary and watched
    DRILL = "drill"  # a game-day drill
    CHANGE = "change"  # led a deploy or rollback


class Rate(Model):
    """Gain per practice: knowledge += knowledge x (1 - knowledge), same for confidence."""

    knowledge: Unit
    confidence: Unit


def _default_rates() -> dict[PracticeKind, Rate]:
    # Leading alone teaches most and builds confidence most; backup a little less; pairing and
    # shadowing teach the steps more than the nerve; a drill sits between (safe, but real
    # hands on keyboard). Reasoning and sources: docs/model.md, "Skills change".
    return {
        PracticeKind.LEAD: Rate(knowledge=0.10, confidence=0.15),
        PracticeKind.LEAD_WITH_BACKUP: Rate(knowledge=0.08, confidence=0.10),
        PracticeKind.PAIR: Rate(knowledge=0.06, confidence=0.04),
        PracticeKind.SHADOW: Rate(knowledge=0.04, confidence=0.02),
        PracticeKind.DRILL: Rate(knowledge=0.06, confidence=0.08),
        PracticeKind.CHANGE: Rate(knowledge=0.03, confidence=0.04),
    }


class Learning(Model):
    """How skills change with practice and fade with disuse."""

    rates: dict[PracticeKind, Rate] = Field(
        default_factory=_default_rates,
        description="Per practice kind, the share of the remaining gap to 1 closed by one "
        "practice, for knowledge and for confidence (diminishing returns).",
    )
    half_life_days: Annotated[float, Field(gt=0.0, le=3650.0)] = Field(
        270.0, description="Days of disuse after which half of a trained gain above the "
        "person's starting level is lost (skill-decay literature: 6-12 months)."
    )
    runbook_weight: Unit = Field(
        0.5, description="Share of the knowledge gap a complete, fresh runbook closes "
        "(knowledge only: a runbook does not give confidence)."
    )
    runbook_speedup: Unit = Field(
        0.3, description="Share of work time a complete, fresh runbook saves."
    )
    runbook_half_life_days: Annotated[float, Field(gt=0.0, le=3650.0)] = Field(
        180.0, description="Days after which an unrefreshed runbook is half as useful."
    )
    pairing_overhead: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.25, description="Extra hero time while pairing, as a share of the incident's work."
    )
    backup_share: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3, description="Hero time spent backing up a learner who leads, as a share of the "
        "incident's work."
    )

    @field_validator("rates")
    @classmethod
    def _all_kinds(cls, rates: dict[PracticeKind, Rate]) -> dict[PracticeKind, Rate]:
        return {**_default_rates(), **rates}


class Runbook(Model):
    """An existing runbook for a class."""

    class_id: Identifier = Field(alias="class", description="The class it covers.")
    coverage: Unit = Field(0.7, description="Share of the fix the runbook covers.")
    quality: Unit = Field(0.8, description="How right and clear it is when fresh.")
    written_day: int = Field(
        0, le=0, description="Day it was last written or refreshed (0 or negative: before "
        "the scenario starts)."
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Action(Model):
    """Fields every plan action shares."""

    start_day: Annotated[int, Field(ge=0, le=3660)] = Field(0, description="First day in force.")
    end_day: Annotated[int, Field(ge=0, le=3660)] | None = Field(
        None, description="Last day in force (inclusive); default: to the end."
    )
    hero_hours: Annotated[float, Field(ge=0.0, le=10_000.0)] | None = Field(
        None, description="Hero hours this action costs (per occurrence for drills and "
        "refreshes); default per kind, see docs/plans.md. Live practice is also measured."
    )
    learner_hours: Annotated[float, Field(ge=0.0, le=10_000.0)] | None = Field(
        None, description="Hours each learner spends (per occurrence where it repeats)."
    )
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_day is not None and self.end_day < self.start_day:
            raise PydanticCustomError(
                "action_order", "end_day ({end}) is before start_day ({start})",
                {"end": self.end_day, "start": self.start_day},
            )
        return self


class PairAction(_Action):
    """Learners pair with the hero on live incidents of the classes the hero leads."""

    kind: Literal["pair"]
    learners: list[Identifier] = Field(min_length=1)
    classes: list[Identifier] = Field(min_length=1)


class LeadWithBackupAction(_Action):
    """A learner who acknowledges an incident of the classes leads it, the hero backing up."""

    kind: Literal["lead_with_backup"]
    learners: list[Identifier] = Field(min_length=1)
    classes: list[Identifier] = Field(min_length=1)


class ShadowAction(_Action):
    """Add a shadow layer to the rotation: learners paged with the primary."""

    kind: Literal["add_shadow"]
    schedule: Layers


class RotationAction(_Action):
    """Change the rotation (e.g. the hero moves from primary to secondary)."""

    kind: Literal["change_rotation"]
    primary: Layers | None = None
    secondary: Layers | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.primary is None and self.secondary is None:
            raise PydanticCustomError(
                "rotation_empty", "change_rotation needs a new primary, secondary or both"
            )
        return self


class RunbookAction(_Action):
    """Write (or rewrite) a runbook; optionally refresh it every N days."""

    kind: Literal["runbook"]
    classes: list[Identifier] = Field(min_length=1)
    coverage: Unit = 0.7
    quality: Unit = 0.8
    refresh_every_days: Annotated[int, Field(ge=1, le=3660)] | None = None


class DrillAction(_Action):
    """Game-day drills: every N days the learners practise the classes."""

    kind: Literal["drill"]
    learners: list[Identifier] = Field(min_length=1)
    classes: list[Identifier] = Field(min_length=1)
    every_days: Annotated[int, Field(ge=1, le=3660)] = 28


class StopPullsAction(_Action):
    """The hero stops answering direct messages for the classes (empty: every class)."""

    kind: Literal["stop_informal_pulls"]
    classes: list[Identifier] = Field(default_factory=list)


class ConditionName(str, Enum):
    ALERT_NOISE = "alert_noise"
    ROUTING_AMBIGUITY = "routing_ambiguity"
    OBSERVABILITY = "observability"
    INFORMAL_PULL = "informal_pull"


class FixConditionAction(_Action):
    """Fix a condition that keeps summoning the hero: set it to a new value."""

    kind: Literal["fix_condition"]
    condition: ConditionName
    value: Annotated[float, Field(ge=0.0, le=100.0)]

    @model_validator(mode="after")
    def _in_range(self):
        if self.condition is ConditionName.OBSERVABILITY and not 0.1 <= self.value <= 10:
            raise PydanticCustomError(
                "observability_range", "observability must be within 0.1..10, got {v}",
                {"v": self.value},
            )
        if self.condition in (ConditionName.ROUTING_AMBIGUITY, ConditionName.INFORMAL_PULL) \
                and self.value > 1:
            raise PydanticCustomError(
                "chance_range", "{c} is a chance within 0..1, got {v}",
                {"c": self.condition.value, "v": self.value},
            )
        return self


class LeadChangesAction(_Action):
    """Learners lead the services' changes with the hero present as backup."""

    kind: Literal["lead_changes_with_backup"]
    learners: list[Identifier] = Field(min_length=1)
    services: list[Identifier] = Field(min_length=1)


class RemoveNeedsAction(_Action):
    """Remove the `needs` gate of the services' changes from the start day."""

    kind: Literal["remove_needs"]
    services: list[Identifier] = Field(min_length=1)


class RemoveRequiresAction(_Action):
    """Remove a hard dependency: the classes no longer need these people (empty: anyone)."""

    kind: Literal["remove_requires"]
    classes: list[Identifier] = Field(min_length=1)
    people: list[Identifier] = Field(default_factory=list)


PlanAction = Annotated[
    PairAction | LeadWithBackupAction | ShadowAction | RotationAction | RunbookAction
    | DrillAction | StopPullsAction | FixConditionAction | RemoveRequiresAction
    | LeadChangesAction | RemoveNeedsAction,
    Field(discriminator="kind"),
]


class Plan(Model):
    """A capability-transfer plan: dated actions on the scenario's calendar."""

    name: Identifier
    description: str = ""
    actions: list[PlanAction] = Field(default_factory=list)


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

    def plan(self, name: str) -> Plan | None:
        return next((p for p in self.plans if p.name == name), None)


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
            yield _error((*loc, "rollback_class"), f"unknown class '{changes.rollback_class}'; "
                         f"classes: {', '.join(sorted(classes))}", changes.rollback_class)
        if changes.unsafe_failure_rate < changes.failure_rate:
            yield _error((*loc, "unsafe_failure_rate"),
                         f"unsafe_failure_rate ({changes.unsafe_failure_rate:g}) is below "
                         f"failure_rate ({changes.failure_rate:g}); shipping without the needed "
                         "people cannot be safer", changes.unsafe_failure_rate)
    for i, runbook in enumerate(s.runbooks):
        if runbook.class_id not in classes:
            yield _error(("runbooks", i, "class"), f"runbook for unknown class "
                         f"'{runbook.class_id}'; classes: {', '.join(sorted(classes))}",
                         runbook.class_id)
    seen_plans: set[str] = set()
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


def plan_reference_errors(plan: Plan, s: Scenario, prefix: tuple = ()):
    """Yield every person or class a plan names that the scenario does not have."""
    people = {p.id for p in s.people}
    classes = {c.id for c in s.classes}
    services = {v.id for v in s.services}
    for i, action in enumerate(plan.actions):
        loc = (*prefix, "actions", i)
        for j, pid in enumerate(getattr(action, "learners", [])):
            if pid not in people:
                yield _error((*loc, "learners", j), f"unknown person '{pid}'; known people: "
                             f"{', '.join(sorted(people))}", pid)
        for j, sid in enumerate(getattr(action, "services", [])):
            if sid not in services:
                yield _error((*loc, "services", j), f"unknown service '{sid}'; services: "
                             f"{', '.join(sorted(services))}", sid)
            elif s.service(sid).changes is None:
                yield _error((*loc, "services", j), f"service '{sid}' has no `changes` to act "
                             "on", sid)
        for j, cid in enumerate(getattr(action, "classes", [])):
            if cid not in classes:
                yield _error((*loc, "classes", j), f"unknown class '{cid}'; classes: "
                             f"{', '.join(sorted(classes))}", cid)
        for j, pid in enumerate(getattr(action, "people", [])):
            if pid not in people:
                yield _error((*loc, "people", j), f"unknown person '{pid}'; known people: "
                             f"{', '.join(sorted(people))}", pid)
        for layer in ("schedule", "primary", "secondary"):
            layers = getattr(action, layer, None)
            for index, schedule in enumerate(layers or ()):
                where = (*loc, layer) if len(layers) == 1 else (*loc, layer, index)
                for j, pid in enumerate(schedule.members):
                    if pid not in people:
                        yield _error((*where, "members", j), f"unknown person '{pid}'; known "
                                     f"people: {', '.join(sorted(people))}", pid)
        if action.kind in ("pair", "lead_with_backup", "lead_changes_with_backup") \
                and not s.heroes:
            yield _error((*loc, "kind"), f"'{action.kind}' needs a hero to pair with or back "
                         "up; name one in the scenario's heroes", action.kind)


def check_plan(plan: Plan, scenario: Scenario) -> None:
    """Raise a ValidationError listing what `plan` names that `scenario` lacks."""
    errors = list(plan_reference_errors(plan, scenario))
    if errors:
        raise ValidationError.from_exception_data("Plan", errors)
