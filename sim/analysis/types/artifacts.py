"""The documents advise writes for people to act on: the anti-heroics improvement plan
(improvements.json) and the knowledge pack (pack.json), both with real incidents from a
history when one is given."""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.document import Document
from sim.analysis.types.shared import Interval


@dataclass(frozen=True)
class IncidentRef(Document):
    """A real incident from the history: what a page of the pack or a fix's evidence cites."""

    id: str
    number: int | None
    created: str  # ISO 8601, UTC as exported
    title: str
    class_id: str
    path: list[str]  # assigned, then acknowledged, joined and resolver, in order, once each
    escalations: int
    manual: int
    timeout: int
    reassigned: int
    minutes_to_ack: float | None
    minutes_to_resolve: float | None
    resolved_by: str | None


@dataclass(frozen=True)
class EvidenceRow(Document):
    """What the model attributes to one (class, cause) today: hero interruptions and hours."""

    source: str  # a class, or the pseudo-classes noise / changes
    cause: str
    interruptions_per_week: float
    hours_per_week: float


@dataclass(frozen=True)
class Improvement(Document):
    """One structural fix: why (the evidence), what it is expected to do, what it costs, and
    a blank for who owns it."""

    rank: int
    name: str
    kind: str
    target: str
    description: str
    evidence: list[EvidenceRow]
    evidence_interruptions_per_week: float
    evidence_hours_per_week: float
    incidents: list[IncidentRef]  # real incidents that show it (with a history)
    incidents_matched: int  # how many of the history's incidents show it
    risk_reduction: Interval
    hero_interruptions_per_week_before: float
    hero_interruptions_per_week_after: float
    hero_hours: float
    learner_hours: float
    owner: str  # blank: to be filled in by the team


@dataclass(frozen=True)
class ImprovementPlan(Document):
    """improvements.json: the structural fixes, best risk reduction per hero hour first."""

    scenario: str
    weeks: int
    replications: int
    seed: int
    history: str | None
    risk_definition: str
    kinds: list[str]
    improvements: list[Improvement]


@dataclass(frozen=True)
class Gap(Document):
    """A person close to handling a class alone, and what they lack (only what they lack)."""

    person: str
    knowledge: float
    confidence: float
    short_of: list[str]  # knowledge / confidence / access


@dataclass(frozen=True)
class Escalations(Document):
    """When the team escalated a class, and to whom (from the history)."""

    incidents: int
    escalated: int
    manual: int
    timeout: int
    reassigned: int
    to_whom: dict[str, int]  # people who took it over after the first responder
    median_minutes_to_ack: float | None
    median_minutes_to_resolve_escalated: float | None


@dataclass(frozen=True)
class FalsePositives(Document):
    """Pages of a class that were not real work: auto-resolved, flapping, duplicates."""

    auto_resolved: list[IncidentRef]
    flapping: list[IncidentRef]  # re-opened within FLAP_MINUTES of one resolving
    duplicates: list[IncidentRef]  # opened while another of the class was open


@dataclass(frozen=True)
class ClassPack(Document):
    """One class's page of the knowledge pack."""

    class_id: str
    service: str
    severity: str
    rate_per_week: float
    slo_minutes: float
    difficulty: float
    hero_share: float | None
    verdict: str
    alone_today: list[str]
    gaps: list[Gap]
    stuck_minutes: float
    escalate_to: list[str]
    requires: list[str]
    causes: dict[str, float]  # share of the hero's interruptions by cause
    runbook_coverage: float | None
    best_candidate: str | None
    hero_incidents: list[IncidentRef]  # real incidents that summoned the hero (history)
    hero_incidents_total: int
    escalations: Escalations | None
    false_positives: FalsePositives | None
    to_complete: list[str]  # what only people can write


@dataclass(frozen=True)
class KnowledgePack(Document):
    """pack.json: one page per hero-dependent class."""

    scenario: str
    history: str | None
    period: dict | None
    heroes: list[str]
    pages: list[ClassPack]
