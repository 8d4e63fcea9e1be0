"""The operational hero map: who the team's incidents really depend on, from history.

Per incident class (or per service): how many incidents, who acknowledged, who resolved, who was
joined or escalated to, the share handled by the top person, concentration (HHI), effective
responders (the operational truck factor, with recency weighting), interruptions by hour class,
and a ranking by risk x recurrence. Then the likely heroes, each with the reasons.

Definitions (docs/history.md has the reasoning):

- **handler** of an incident: its resolver, else its last acknowledger (auto-resolved incidents
  nobody acknowledged have none). Shares are over the incidents with a handler and sum to 1.
- **HHI**: the sum of squared handling shares (1 = one person handles everything).
- **recency weight** of an incident: 0.5 ** (age / half-life), age measured back from the end
  of the history. A person's weight for a class is the sum over incidents they handled.
- **effective responders** (operational truck factor): the smallest number of people whose
  absence leaves the class with nobody who handled it recently, i.e. the number of people whose
  recency weight reaches `recent_weight` (default 0.5: one incident handled one half-life ago,
  or a couple handled longer ago). 0 means nobody has handled it recently.
- **risk x recurrence score**: severity weight (sev1 4 .. sev4 1, the class mean) x incidents
  per week x HHI x (1 + [truck factor <= 1]). Higher is riskier.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sim import __version__
from sim.analysis import documents
from sim.analysis.stats import quantile
from sim.inputs.history import History, HistoryIncident, SkippedRow, hour_class_at
from sim.schema import HourClass, Severity

SEVERITY_WEIGHT = {Severity.SEV1: 4.0, Severity.SEV2: 3.0, Severity.SEV3: 2.0,
                   Severity.SEV4: 1.0}
DEFAULT_HALF_LIFE_DAYS = 90.0
DEFAULT_RECENT_WEIGHT = 0.5
# A person is a likely hero when they handle at least this share of a class that matters, or
# touch this many times their fair share of all incidents.
HERO_CLASS_SHARE = 0.5
HERO_TOUCH_FACTOR = 3.0
HERO_TOUCH_SHARE = 0.3



@dataclass
class Source:
    """What the import read, kept and skipped (heromap.json's `source`)."""

    file: str
    format: str
    rows: int
    imported: int
    skipped: int
    skipped_by_reason: dict[str, int]
    skipped_rows: list[SkippedRow]
    ignored_fields: list[str]


@dataclass
class Period:
    """The observation window."""

    start: str
    end: str
    days: float
    weeks: float


@dataclass
class Overall:
    """The whole history at a glance."""

    incidents: int
    per_week: float
    people: int
    top_person: str | None
    top_touch_share: float | None
    ttr_p50_min: float | None
    ttr_p90_min: float | None
    unresolved: int


@dataclass
class Group:
    """One class or service: who handles it, how concentrated, how risky (definitions in the
    module docstring)."""

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


@dataclass
class PersonLoad:
    """One person's part in the history."""

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


@dataclass
class Hero:
    """A likely hero and the reasons, in words."""

    person: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    touch_share: float | None = None


@dataclass
class HeroMap:
    """The hero map of a history: heromap.json (keys in docs/outputs.md)."""

    herosim_version: str
    source: Source
    period: Period
    by: str
    timezone: str
    half_life_days: float
    recent_weight: float
    overall: Overall
    groups: list[Group]
    people: dict[str, PersonLoad]
    heroes: list[Hero]

    def to_json(self) -> dict:
        """heromap.json."""
        return documents.to_json(self)

    @classmethod
    def from_json(cls, data: dict) -> HeroMap:
        """A heromap.json read back."""
        return documents.from_json(cls, data)


def hero_map(
    history: History,
    by: str = "class",
    timezone: str = "UTC",
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    recent_weight: float = DEFAULT_RECENT_WEIGHT,
) -> HeroMap:
    """The hero map of a history (heromap.json).

    Args:
        history: imported incidents.
        by: "class" or "service": how incidents are grouped.
        timezone: the team's zone, used to classify each person's interruptions (PagerDuty's
            raw incidents do not say whose interruption each was; see docs/history.md).
        half_life_days: recency half-life of the truck factor's weights.
        recent_weight: the weight a person needs to count as having handled a class recently.
    """
    if by not in ("class", "service"):
        raise ValueError(f"by must be 'class' or 'service', not {by!r}")
    zone = ZoneInfo(timezone)
    groups: dict[str, list[HistoryIncident]] = defaultdict(list)
    for incident in history.incidents:
        groups[incident.class_id if by == "class" else incident.service].append(incident)
    rows = [_group(key, items, history, half_life_days, recent_weight)
            for key, items in groups.items()]
    rows.sort(key=lambda g: (-g.score, g.id))
    for rank, row in enumerate(rows, 1):
        row.rank = rank
    people = _people(history, zone)
    overall = _overall(history)
    report = history.report
    period = history.period_json()
    return HeroMap(
        herosim_version=__version__,
        source=Source(report.file, report.format, report.rows, report.imported,
                      report.skipped_count, report.reasons(), list(report.skipped),
                      list(report.ignored_fields)),
        period=Period(period["start"], period["end"], period["days"], period["weeks"]),
        by=by,
        timezone=timezone,
        half_life_days=half_life_days,
        recent_weight=recent_weight,
        overall=overall,
        groups=rows,
        people=people,
        heroes=_heroes(rows, people, overall, by),
    )


def handled_counts(incidents: Iterable[HistoryIncident]) -> Counter:
    """How many of the incidents each person handled."""
    return Counter(i.handler for i in incidents if i.handler is not None)


def shares(counts: Counter) -> dict[str, float]:
    """Each person's share of the handled incidents; they sum to 1 (empty when none)."""
    total = sum(counts.values())
    return {p: n / total for p, n in counts.most_common()} if total else {}


def touch_share(incidents: list[HistoryIncident], person: str | None) -> float | None:
    """Share of the incidents that involved `person` in any way."""
    if not incidents or person is None:
        return None
    return sum(person in i.touched for i in incidents) / len(incidents)


def _group(key: str, items: list[HistoryIncident], history: History, half_life: float,
           recent_weight: float) -> Group:
    handled = handled_counts(items)
    share = shares(handled)
    hhi = sum(s * s for s in share.values()) if share else None
    top = next(iter(share), None)
    weights: dict[str, float] = defaultdict(float)
    for i in items:
        if i.handler is not None:
            age = (history.end - i.created_at).total_seconds() / 86400.0
            weights[i.handler] += 0.5 ** (max(age, 0.0) / half_life)
    recent = sorted((p for p, w in weights.items() if w >= recent_weight),
                    key=lambda p: -weights[p])
    ttr = [i.minutes_to_resolve for i in items if i.minutes_to_resolve is not None]
    tta = [i.minutes_to_ack for i in items if i.minutes_to_ack is not None]
    severity = statistics.fmean(SEVERITY_WEIGHT[i.severity] for i in items)
    per_week = len(items) / history.weeks
    first = Counter(i.first_responder for i in items if i.first_responder)
    escalated_to: Counter = Counter()
    joined: Counter = Counter()
    for i in items:
        start = i.first_responder
        if i.escalated:
            escalated_to.update(p for p in i.touched if p != start)
        acked_first = i.acknowledged[0] if i.acknowledged else start
        joined.update(p for p in i.joined if p != acked_first)
    interruptions: Counter = Counter()
    for i in items:
        if i.interruptions:
            interruptions.update({k.value: v for k, v in i.interruptions.items()})
    truck = len(recent)
    score = severity * per_week * (hhi or 0.0) * (2.0 if truck <= 1 else 1.0)
    services = Counter(i.service for i in items)
    classes = Counter(i.class_id for i in items)
    return Group(
        id=key,
        service=services.most_common(1)[0][0],
        classes=dict(classes.most_common()),
        incidents=len(items),
        per_week=per_week,
        severity=Counter(i.severity.value for i in items).most_common(1)[0][0],
        severity_weight=severity,
        ttr_p50_min=quantile(ttr, 0.5),
        ttr_p90_min=quantile(ttr, 0.9),
        tta_p50_min=quantile(tta, 0.5),
        escalated_share=sum(i.escalated for i in items) / len(items),
        first_responders=dict(first.most_common()),
        acknowledged=dict(Counter(p for i in items for p in i.acknowledged).most_common()),
        resolved=dict(Counter(i.resolved_by for i in items if i.resolved_by).most_common()),
        joined=dict(joined.most_common()),
        escalated_to=dict(escalated_to.most_common()),
        handled=dict(handled.most_common()),
        shares=share,
        unhandled=len(items) - sum(handled.values()),
        top_person=top,
        top_share=share.get(top) if top else None,
        top_touch_share=touch_share(items, top),
        hhi=hhi,
        recency_weights={p: round(w, 4) for p, w in
                         sorted(weights.items(), key=lambda kv: -kv[1])},
        recent_responders=recent,
        effective_responders=truck,
        interruptions={h.value: interruptions.get(h.value, 0) for h in HourClass},
        score=score,
    )


def _people(history: History, zone: ZoneInfo) -> dict[str, PersonLoad]:
    rows: dict[str, PersonLoad] = {}
    n = len(history.incidents)

    def row(person: str) -> PersonLoad:
        if person not in rows:
            rows[person] = PersonLoad()
        return rows[person]

    for i in history.incidents:
        klass = hour_class_at(i.created_at, zone).value
        for person in i.touched:
            r = row(person)
            r.touched += 1
            r.interruptions[klass] += 1
        if i.first_responder:
            row(i.first_responder).first_responder += 1
        for person in i.acknowledged:
            row(person).acknowledged += 1
        if i.resolved_by:
            row(i.resolved_by).resolved += 1
        if i.handler:
            row(i.handler).handled += 1
        acked_first = i.acknowledged[0] if i.acknowledged else i.first_responder
        for person in i.joined:
            if person != acked_first:
                row(person).joined += 1
        if i.escalated:
            for person in i.touched:
                if person != i.first_responder:
                    row(person).escalated_to += 1
    for r in rows.values():
        r.touch_share = r.touched / n
    return dict(sorted(rows.items(), key=lambda kv: (-kv[1].touched, kv[0])))


def _overall(history: History) -> Overall:
    incidents = history.incidents
    touched = Counter(p for i in incidents for p in i.touched)
    top = min(touched, key=lambda p: (-touched[p], p)) if touched else None
    ttr = [i.minutes_to_resolve for i in incidents if i.minutes_to_resolve is not None]
    return Overall(
        incidents=len(incidents),
        per_week=len(incidents) / history.weeks,
        people=len(touched),
        top_person=top,
        top_touch_share=touch_share(incidents, top),
        ttr_p50_min=quantile(ttr, 0.5),
        ttr_p90_min=quantile(ttr, 0.9),
        unresolved=sum(i.resolved_at is None for i in incidents),
    )


def _heroes(groups: list[Group], people: dict[str, PersonLoad], overall: Overall,
            by: str) -> list[Hero]:
    """People the team leans on, strongest first, each with the reasons in words."""
    fair = 1.0 / max(overall.people, 1)
    total_score = sum(g.score for g in groups) or 1.0
    found: dict[str, Hero] = {}

    def hero(person: str) -> Hero:
        return found.setdefault(person, Hero(person))

    for g in groups:
        top, share = g.top_person, g.top_share
        if top is None or share is None:
            continue
        sole = g.effective_responders <= 1 and top in g.recent_responders
        if share >= HERO_CLASS_SHARE or (sole and g.incidents >= 3):
            h = hero(top)
            h.score += g.score * share / total_score
            h.groups.append(g.id)
            why = (f"handled {share:.0%} of {by} {g.id} ({g.handled[top]} of "
                   f"{sum(g.handled.values())}, rank {g.rank} by risk x recurrence)")
            if sole:
                why += "; the only person who handled it recently"
            h.reasons.append(why)
    for person, row in people.items():
        share = row.touch_share
        if share >= HERO_TOUCH_FACTOR * fair and share >= HERO_TOUCH_SHARE:
            h = hero(person)
            h.score += row.touch_share
            h.reasons.append(
                f"involved in {row.touch_share:.0%} of all incidents (an even share would "
                f"be {fair:.0%}); escalated to {row.escalated_to} times")
    for person, h in found.items():
        off = people[person].interruptions
        if off["sleep"] or off["off"]:
            h.reasons.append(f"{off['off']} off-hour and {off['sleep']} sleep-hour "
                             "interruptions")
        h.touch_share = people[person].touch_share
    return sorted(found.values(), key=lambda h: (-h.score, h.person))
