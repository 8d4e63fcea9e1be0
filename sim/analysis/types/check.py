"""The independence check's document (independence.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from sim.analysis.document import Document, key
from sim.analysis.types.people import (
    ConcentrationAlert,
    Finding,
    HeroTime,
    HeroTimeSeries,
    PeopleArm,
    PlanReview,
    Sustainment,
)
from sim.analysis.types.shared import Interval


class Criteria(TypedDict):
    """The scenario's `independence` section: the pass criteria."""

    max_p90_ratio: float
    max_added_breach_rate: float
    min_effective_responders: int
    partly_factor: float
    evaluation_days: int
    max_added_release_delay_hours: float
    max_added_change_failure_rate: float
    min_incidents_per_class: int
    concentration_share: float
    max_hero_serious_share: float | None
    max_hero_consults_per_week: float | None


@dataclass(frozen=True)
class ArmFigures(Document):
    """One arm (hero present or absent) of a class, pooled over replications."""

    n: int
    ttm_p50: float | None
    ttm_p90: float | None
    breach_rate: float | None
    escalations_per_incident: float | None
    beyond_first_share: float | None  # led by someone other than the first responder, or none
    to_person_per_incident: float | None  # hand-offs to a named person: pulls, direct pages
    to_policy_per_incident: float | None  # hand-offs to a level of the policy
    informal_per_incident: float | None
    hero_share: float | None  # a hero was involved; None in the absent arm (no hero there)
    struggled: int
    unresolved: int


@dataclass(frozen=True)
class ClassRow(Document):
    """One class at one checkpoint: both arms, the criteria's figures and the verdict."""

    verdict: str
    specialty: bool
    critical: bool
    present: ArmFigures
    absent: ArmFigures
    p90_ratio: float | None
    added_breach_rate: float | None
    effective_responders: float
    notes: list[str]


@dataclass(frozen=True)
class ReleaseFlow(Document):
    """Release flow of one arm."""

    releases: int
    delay_p50_hours: float | None
    delay_p90_hours: float | None
    failure_rate: float | None


@dataclass(frozen=True)
class ReleaseRow(Document):
    """Release flow at one checkpoint, hero present and absent, and its verdict."""

    verdict: str
    present: ReleaseFlow
    absent: ReleaseFlow
    notes: list[str]


@dataclass(frozen=True)
class Bands(Document):
    """Bootstrap 95% bands (`[low, high]`, or None) of the pooled curves."""

    present_p90: list[float] | None
    present_escalations_per_incident: list[float] | None
    absent_p90: list[float] | None
    absent_escalations_per_incident: list[float] | None


@dataclass(frozen=True)
class Overall(Document):
    """All classes pooled at one checkpoint."""

    present_p90: float | None
    absent_p90: float | None
    p90_ratio: float | None
    present_escalations_per_incident: float | None
    absent_escalations_per_incident: float | None
    present_hero_share: float | None  # needed a hero (hero present)
    present_beyond_first_share: float | None  # needed anyone beyond the first responder
    absent_beyond_first_share: float | None  # the same, heroes absent
    present_to_person_per_incident: float | None  # hand-offs to a named person
    absent_to_person_per_incident: float | None
    bands: Bands | None = None


@dataclass(frozen=True)
class NextOut(Document):
    """The third arm (`--also-without`): the heroes and the next person out absent, each class
    judged against the hero-present arm by the same rules."""

    passed: bool
    classes: dict[str, ClassRow]


@dataclass(frozen=True)
class Checkpoint(Document):
    """One checkpoint week of a check."""

    week: int
    passed: bool
    classes: dict[str, ClassRow]
    releases: ReleaseRow | None
    overall: Overall
    hero_interruptions_per_week: Interval
    plan_hero_hours: Interval
    plan_learner_hours: Interval | None = None
    # The heroes' share of sev1/sev2 incidents and their consults per week, hero present.
    hero_serious_share: float | None = None
    hero_consults_per_week: float | None = None
    # The plan run's weeks since the previous checkpoint: each hero's hours per week by kind.
    hero_time: dict[str, HeroTime] = field(default_factory=dict)
    # Per arm (present, absent, next_out): everyone's figures in the window.
    people: dict[str, PeopleArm] = field(default_factory=dict)
    next_out: NextOut | None = None


@dataclass(frozen=True)
class TimeToIndependence(Document):
    """The first passing week, its bootstrap interval (null high: not reached), and the share
    of resamples that reach it."""

    week: int | None
    low: float | None = None
    high: float | None = None
    reached_share: float | None = None


@dataclass(frozen=True)
class HoldingBack(Document):
    """A class (or `releases`) that keeps the team from independence, and why."""

    class_id: str = field(metadata=key("class"))
    verdict: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FinalVerdict(Document):
    """The verdict at the last checkpoint."""

    week: int
    passed: bool
    verdict: str
    holding_back: list[HoldingBack]
    specialty: dict[str, str]


class Skill(TypedDict):
    """Mean knowledge and confidence of a person in a class."""

    knowledge: float
    confidence: float


SkillTable = dict[str, dict[str, Skill]]  # person -> class -> Skill


class SkillTables(TypedDict):
    """The skills at the plan's start and end."""

    start: SkillTable
    end: SkillTable


@dataclass(frozen=True)
class CheckDocument(Document):
    """independence.json, and `herosim check --format json`."""

    herosim_version: str
    scenario: str
    plan: str | None
    weeks: int
    every: int
    replications: int
    seed: int
    evaluation_days: int
    heroes: list[str]
    criteria: Criteria
    checkpoints: list[Checkpoint]
    time_to_independence: TimeToIndependence
    final: FinalVerdict
    skills: SkillTables | None = None
    also_without: list[str] = field(default_factory=list)
    hero_time: dict[str, HeroTimeSeries] = field(default_factory=dict)
    plan_review: PlanReview | None = None
    concentration: list[ConcentrationAlert] = field(default_factory=list)
    sustainment: Sustainment | None = None
    findings: list[Finding] = field(default_factory=list)
