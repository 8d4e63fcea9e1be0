"""The hero map's document: heromap.json, as typed fields (keys listed in docs/outputs.md)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.analysis.document import Document
from sim.inputs.history import SkippedRow
from sim.schema import HourClass


@dataclass
class Row(Document):
    """A row the import skipped, or a field it dropped: where, which field, what, why."""

    row: int
    where: str
    field: str
    value: str | None
    reason: str

    @classmethod
    def of(cls, skipped: SkippedRow) -> Row:
        """The import's record as a document row."""
        return cls(skipped.row, skipped.where, skipped.field, skipped.value, skipped.reason)


@dataclass
class Source(Document):
    """What the import read, kept, skipped and dropped (heromap.json's `source`)."""

    file: str
    format: str
    rows: int
    imported: int
    skipped: int
    skipped_by_reason: dict[str, int]
    skipped_rows: list[Row]
    ignored_fields: list[str]
    dropped: int = 0
    dropped_by_reason: dict[str, int] = field(default_factory=dict)
    dropped_fields: list[Row] = field(default_factory=list)
    auto_resolved: int = 0
    people_file: str | None = None
    people_skipped: list[Row] = field(default_factory=list)


@dataclass
class Period(Document):
    """The observation window."""

    start: str
    end: str
    days: float
    weeks: float


@dataclass
class Overall(Document):
    """The whole history at a glance."""

    incidents: int
    per_week: float
    people: int
    top_person: str | None
    top_touch_share: float | None
    ttr_p50_min: float | None
    ttr_p90_min: float | None
    unresolved: int
    auto_resolved: int = 0
    teams: int = 1


@dataclass
class Team(Document):
    """One team (team_name, else escalation policy) of the history."""

    name: str
    zone: str  # the zone most of its first pages went to
    incidents: int
    per_week: float
    services: list[str]
    people: list[str]  # who handled or was paged for its incidents, busiest first
    top_handler: str | None
    top_handler_share: float | None
    auto_resolved: int


@dataclass
class Group(Document):
    """One class or service of a team: who handles it, how concentrated, how risky
    (definitions in sim/analysis/heromap/__init__.py)."""

    id: str
    service: str
    classes: dict[str, int]
    incidents: int
    per_week: float
    severity: str
    severity_weight: float
    ttr_p50_min: float | None
    ttr_p90_min: float | None
    tta_p50_min: float | None
    escalated_share: float
    first_responders: dict[str, int]
    acknowledged: dict[str, int]
    resolved: dict[str, int]
    joined: dict[str, int]
    escalated_to: dict[str, int]
    handled: dict[str, int]
    shares: dict[str, float]
    unhandled: int
    top_person: str | None
    top_share: float | None
    top_touch_share: float | None
    hhi: float | None
    recency_weights: dict[str, float]
    recent_responders: list[str]
    effective_responders: int
    interruptions: dict[str, int]
    score: float
    rank: int = 0
    team: str = ""
    severity_mix: dict[str, float] = field(default_factory=dict)
    auto_resolved: int = 0
    hard: int = 0


@dataclass
class PersonLoad(Document):
    """One person's part in the history, their interruptions counted in their own zone."""

    touched: int = 0
    touch_share: float = 0.0
    first_responder: int = 0
    acknowledged: int = 0
    resolved: int = 0
    handled: int = 0
    joined: int = 0
    escalated_to: int = 0
    interruptions: dict[str, int] = field(
        default_factory=lambda: {h.value: 0 for h in HourClass})
    name: str = ""
    user_id: str | None = None
    aliases: list[str] = field(default_factory=list)
    timezone: str = "UTC"
    zone_source: str = "default"
    zone_evidence: str = ""
    teams: list[str] = field(default_factory=list)
    pulled_in: int = 0
    hard_handled: int = 0


@dataclass
class Evidence(Document):
    """One measured piece of evidence of a finding, with its numbers and its rule.

    Attributes:
        measure: escalations_received, pulled_in, others_without_them, hard_incidents,
            load (see docs/history.md, "Findings").
        service: the service it was measured on ("" for the whole team).
        group: the class of the service it was measured on ("" for the whole service).
        value: the person's figure (a share, a count or a difference).
        baseline: what it is compared with (colleagues' figure, a fair share).
        count: incidents behind `value`.
        of: incidents `value` is a share of.
        rule: when the evidence counts, in words.
        passed: whether it counts.
        text: the evidence as a sentence.
    """

    measure: str
    service: str
    value: float | None
    baseline: float | None
    count: int | None
    of: int | None
    rule: str
    passed: bool
    text: str
    group: str = ""


@dataclass
class Finding(Document):
    """A person the team depends on (`kind` hero), or one who carries load nobody depends on
    them for (`kind` busy: a fairness and burnout problem, not a single point of failure)."""

    person: str
    kind: str
    name: str = ""
    team: str = ""
    score: float = 0.0
    services: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    touch_share: float | None = None


@dataclass
class HeroMap(Document):
    """The hero map of a history: heromap.json."""

    herosim_version: str
    source: Source
    period: Period
    by: str
    timezone: str  # the zone of people neither the people file nor the history places
    half_life_days: float
    recent_weight: float
    overall: Overall
    groups: list[Group]
    people: dict[str, PersonLoad]
    heroes: list[Finding]
    busy: list[Finding] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    zones: dict[str, int] = field(default_factory=dict)  # people by zone source
