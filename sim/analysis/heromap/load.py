"""The hero map's tables: groups (class or service of a team), people and teams."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from sim.analysis.heromap.types import Group, Overall, PersonLoad, Team
from sim.analysis.stats import quantile
from sim.inputs.history import History, HistoryIncident, hour_class_at, team_of
from sim.schema import HourClass, Severity

SEVERITY_WEIGHT = {Severity.SEV1: 4.0, Severity.SEV2: 3.0, Severity.SEV3: 2.0,
                   Severity.SEV4: 1.0}


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


def brought_in(incident: HistoryIncident) -> set[str]:
    """Everyone involved other than the first person paged: escalated or reassigned to,
    joined, resolving."""
    return set(incident.touched) - {incident.first_responder}


def group_row(key: str, team: str, items: list[HistoryIncident], history: History,
              half_life: float, recent_weight: float) -> Group:
    """One class or service of a team."""
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
    ttr = [i.minutes_to_resolve for i in items
           if i.minutes_to_resolve is not None and not i.auto_resolved]
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
    mix = Counter(i.severity.value for i in items)
    return Group(
        id=key,
        service=services.most_common(1)[0][0],
        classes=dict(classes.most_common()),
        incidents=len(items),
        per_week=per_week,
        severity=mix.most_common(1)[0][0],
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
        team=team,
        severity_mix={k: v / len(items) for k, v in sorted(mix.items())},
        auto_resolved=sum(i.auto_resolved for i in items),
        hard=sum(i.hard for i in items),
    )


def person_loads(history: History) -> dict[str, PersonLoad]:
    """Everyone's load, busiest first. Interruptions are counted in the person's own zone:
    PagerDuty's hour class when they were the only person the incident interrupted, else the
    incident's creation time in their zone."""
    rows: dict[str, PersonLoad] = {}
    n = len(history.incidents)
    zones = {p: ZoneInfo(r.timezone) for p, r in history.directory.items()}

    def row(person: str) -> PersonLoad:
        if person not in rows:
            record = history.directory.get(person)
            rows[person] = PersonLoad(
                name=record.name if record else person,
                user_id=record.user_id if record else None,
                aliases=list(record.aliases) if record else [],
                timezone=record.timezone if record else "UTC",
                zone_source=record.zone_source if record else "default",
                zone_evidence=record.zone_evidence if record else "")
        return rows[person]

    for i in history.incidents:
        touched = i.touched
        own = _own_class(i)
        team = team_of(i)
        for person in touched:
            r = row(person)
            r.touched += 1
            klass = own or hour_class_at(i.created_at, zones.get(person, ZoneInfo("UTC"))).value
            r.interruptions[klass] += 1
            if team not in r.teams:
                r.teams.append(team)
        if i.first_responder:
            row(i.first_responder).first_responder += 1
        for person in i.acknowledged:
            row(person).acknowledged += 1
        if i.resolved_by:
            row(i.resolved_by).resolved += 1
        if i.handler:
            row(i.handler).handled += 1
            row(i.handler).hard_handled += i.hard
        acked_first = i.acknowledged[0] if i.acknowledged else i.first_responder
        for person in i.joined:
            if person != acked_first:
                row(person).joined += 1
        for person in brought_in(i):
            if person not in i.assigned:
                row(person).pulled_in += 1
        if i.escalated:
            for person in touched:
                if person != i.first_responder:
                    row(person).escalated_to += 1
    for r in rows.values():
        r.touch_share = r.touched / n
    return dict(sorted(rows.items(), key=lambda kv: (-kv[1].touched, kv[0])))


def _own_class(incident: HistoryIncident) -> str | None:
    """PagerDuty's hour class of a single-person incident (their own zone), when given."""
    if len(incident.touched) != 1 or not incident.interruptions:
        return None
    classes = [h.value for h, n in incident.interruptions.items() if n]
    return classes[0] if len(classes) == 1 else None


def team_rows(history: History) -> list[Team]:
    """The teams, largest first."""
    by: dict[str, list[HistoryIncident]] = defaultdict(list)
    for i in history.incidents:
        by[team_of(i)].append(i)
    out = []
    for name, items in by.items():
        handled = handled_counts(items)
        share = shares(handled)
        top = next(iter(share), None)
        zones = Counter(history.zone(i.first_responder) for i in items if i.first_responder)
        people = Counter(p for i in items for p in i.touched)
        out.append(Team(
            name=name, zone=zones.most_common(1)[0][0] if zones else "UTC",
            incidents=len(items), per_week=len(items) / history.weeks,
            services=sorted({i.service for i in items}),
            people=[p for p, _ in people.most_common()],
            top_handler=top, top_handler_share=share.get(top) if top else None,
            auto_resolved=sum(i.auto_resolved for i in items)))
    return sorted(out, key=lambda t: (-t.incidents, t.name))


def overall_row(history: History) -> Overall:
    """The whole history at a glance."""
    incidents = history.incidents
    touched = Counter(p for i in incidents for p in i.touched)
    top = min(touched, key=lambda p: (-touched[p], p)) if touched else None
    ttr = [i.minutes_to_resolve for i in incidents
           if i.minutes_to_resolve is not None and not i.auto_resolved]
    return Overall(
        incidents=len(incidents),
        per_week=len(incidents) / history.weeks,
        people=len(touched),
        top_person=top,
        top_touch_share=touch_share(incidents, top),
        ttr_p50_min=quantile(ttr, 0.5),
        ttr_p90_min=quantile(ttr, 0.9),
        unresolved=sum(i.resolved_at is None for i in incidents),
        auto_resolved=sum(i.auto_resolved for i in incidents),
        teams=len(history.teams),
    )
