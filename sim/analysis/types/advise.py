"""The advice's document (advise.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from sim.analysis.document import INLINE, Document
from sim.analysis.types.people import Finding, PlanReview
from sim.analysis.types.proposal import Proposal, ProposalCheck
from sim.analysis.types.shared import Interval


@dataclass(frozen=True)
class BaselineRisk(Document):
    """Doing nothing: the risk, its hero-absent part, hero interruptions, risk per class."""

    mean: float
    absent_risk: float
    hero_interruptions_per_week: float
    by_class: dict[str, float]


@dataclass(frozen=True)
class CauseShare(Document):
    """One cause of a class's hero interruptions, per week and as shares."""

    interruptions_per_week: float
    hours_per_week: float
    share: float
    hours_share: float


@dataclass(frozen=True)
class ClassAttribution(Document):
    """Why the hero is pulled for one class (or the pseudo-classes `noise` and `changes`)."""

    incidents_per_week: float
    hero_share: float | None
    hero_interruptions_per_week: float
    hero_hours_per_week: float
    causes: dict[str, CauseShare]


class CandidateRules(TypedDict):
    """The constants that decide which candidates apply."""

    hero_class_share: float
    learners_per_class: int
    min_hero_hours: float
    condition_targets: dict[str, float]


@dataclass(frozen=True)
class Reduction(Document):
    """A plan's risk reduction against doing nothing (paired bootstrap), and its cost."""

    reduction: Interval
    per_hero_hour: Interval
    share_better: float
    hero_hours: float
    learner_hours: float
    risk: float
    absent_risk: float
    hero_interruptions_per_week: float


@dataclass(frozen=True)
class CandidateRow(Document):
    """One candidate action, ranked by risk reduction per hero hour; its figures (`Reduction`)
    are written among its own keys."""

    name: str
    kind: str
    target: str
    description: str
    default_costs: dict[str, float]
    figures: Reduction = field(metadata=INLINE)
    rank: int


@dataclass(frozen=True)
class ClassVerdict(Document):
    """True specialty, default rescue or covered, with the inputs of the rule."""

    verdict: str
    declared_specialty: bool
    hero_share: float
    rate_per_week: float
    risk_share: float
    knowledge_gap: float
    access_only_heroes: bool
    rare: bool
    low_risk: bool
    costly: bool


@dataclass(frozen=True)
class AdviseDocument(Document):
    """advise.json, and `herosim advise --format json`."""

    herosim_version: str
    scenario: str
    heroes: list[str]
    weeks: int
    replications: int
    seed: int
    budget_hero_hours: float
    budget_source: str
    check_weeks: int
    risk_definition: str
    baseline_risk: BaselineRisk
    attribution: dict[str, ClassAttribution]
    hero_classes: list[str]
    candidate_rules: CandidateRules
    candidates: list[CandidateRow]
    proposal: Proposal | None
    classes: dict[str, ClassVerdict]
    check: ProposalCheck | None
    # The proposed plan (or the team, with none) against each person's weekly transfer budget
    # and for heroes kept as final approver forever; the same as findings.
    plan_review: PlanReview | None = None
    findings: list[Finding] = field(default_factory=list)
