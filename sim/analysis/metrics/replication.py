"""One replication's records as numbers: `replication_metrics` (the keys are documented in
the package docstring, sim/analysis/metrics/__init__.py, and typed as
`sim.analysis.types.ReplicationMetrics`), the release flow, effective responders."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from enum import Enum
from typing import Any

from sim.analysis.people import as_kinds, hours_table, week_edges, weekly_capacity
from sim.analysis.stats import gini, percentiles
from sim.analysis.types import ChangeMetrics, ReplicationMetrics, Spread
from sim.model import TeamState
from sim.model.records import IncidentRecord, InterruptionKind, RunRecords
from sim.model.skills import SkillBook, ramp
from sim.schema import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    EscalationKind,
    HourClass,
    Role,
    Scenario,
    Severity,
)

EFFECTIVE_THRESHOLD = 0.5
ESCALATION_KINDS = [k.value for k in EscalationKind]
HOUR_CLASSES = [h.value for h in HourClass]
INTERRUPTION_KINDS = [k.value for k in InterruptionKind]
BUSY_ROLES = (Role.LED, Role.STUCK)


# --- helpers -------------------------------------------------------------------------------


def _mean(values: Iterable[float]) -> float | None:
    data = [v for v in values if v is not None and math.isfinite(v)]
    return float(sum(data) / len(data)) if data else None


def _share(part: float, whole: float) -> float | None:
    return float(part / whole) if whole else None


def _key(value: Any) -> str:
    return value.value if isinstance(value, Enum) else str(value)


def _spread(values: list[float]) -> Spread[float]:
    p50, p90, p99 = percentiles(values, (50, 90, 99))
    return {"p50": p50, "p90": p90, "p99": p99, "mean": _mean(values)}


# --- one replication ------------------------------------------------------------------------


def replication_metrics(records: RunRecords, scenario: Scenario, skills: SkillBook
                        ) -> ReplicationMetrics:
    """Aggregates of one replication, as a JSON-serialisable dict (keys in the module docstring).

    Args:
        records: what the replication appended.
        scenario: the scenario it ran.
        skills: the skill state to judge effective responders by (usually the run's final one).

    Returns:
        A dict of numbers, None for undefined values, and small dicts of them; no per-incident
        lists, so it is cheap to return from a worker process.
    """
    if records.days <= 0:
        raise ValueError(f"records.days ({records.days}) must be positive to rate per week")
    incidents = records.incidents
    n = len(incidents)
    people = _people(records, scenario)
    escalations = _escalation_counts(incidents)
    load = _load(records, people)
    struggled = sum(i.struggled for i in incidents)
    return {
        "days": records.days,
        "heroes": list(records.heroes),
        "without": list(records.without),
        "incidents": n,
        "by_severity": _severity_counts(incidents),
        "mtta": _spread([i.time_to_acknowledge for i in incidents]),
        # Every incident counts: one nobody mitigated, with its time so far (a lower bound).
        "mttm": _spread([i.time_to_mitigate for i in incidents]),
        "unresolved": sum(i.lead is None for i in incidents),
        "wait_mean": _mean(i.work_started - i.arrived for i in incidents),
        "slo_breach_rate": _share(sum(i.slo_breached for i in incidents), n),
        "escalations": escalations,
        "escalations_per_incident": {k: _share(v, n) for k, v in escalations.items()},
        "escalations_to": _escalations_to(incidents, people),
        "hero_interruptions_per_week": _hero_interruptions(records),
        "hero_hours": _hero_hours(records),
        "hero_time": _hero_time(records, scenario),
        "load": load,
        "pages_gini": gini(
            row["pages"] for p, row in load.items() if p not in records.without
        ),
        "struggled": {"count": struggled, "share": _share(struggled, n)},
        "by_class": _by_class(incidents, scenario),
        "effective_responders": _effective_responders(scenario, skills, records.without),
        "utilisation": _utilisation(records, scenario, people),
        "changes": change_metrics(records),
    }


def change_metrics(records: RunRecords) -> ChangeMetrics[float]:
    """Release flow: what shipped, waited or failed, and the rollbacks it caused."""
    changes = records.changes
    shipped = [c for c in changes if c.shipped is not None]
    releases = {c.release: c.batch_size for c in shipped}
    # A change still waiting when the run ends counts the wait so far (a lower bound).
    end = records.days * MINUTES_PER_DAY
    delays = [((c.shipped if c.shipped is not None else max(end, c.intended)) - c.intended)
              / 60.0 for c in changes]
    p50, p90 = percentiles(delays, (50, 90))
    rollback_ids = {c.rollback_incident for c in changes if c.rollback_incident is not None}
    rollbacks = [i for i in records.incidents if i.incident_id in rollback_ids]
    r50, r90 = percentiles([i.time_to_mitigate for i in rollbacks], (50, 90))
    return {
        "intended": len(changes),
        "shipped": len(shipped),
        "unshipped": len(changes) - len(shipped),
        "postponed": sum(c.postponed for c in changes),
        "shipped_unsafe": sum(c.unsafe for c in shipped),
        "failed": sum(c.failed for c in shipped),
        "failure_rate": _share(len({c.release for c in shipped if c.failed}), len(releases)),
        "releases": len(releases),
        "mean_batch_size": _mean(releases.values()),
        "release_delay_hours": {"p50": p50, "p90": p90, "mean": _mean(delays)},
        "needed_hero": sum(c.needed_hero for c in changes),
        "rollbacks": len(rollbacks),
        "rollback_ttm": {"p50": r50, "p90": r90},
    }


def _people(records: RunRecords, scenario: Scenario) -> list[str]:
    """Every person of the scenario, then anyone else the records name, in first-seen order."""
    seen = dict.fromkeys(p.id for p in scenario.people)
    seen.update(dict.fromkeys(records.heroes))
    seen.update(dict.fromkeys(s.person for s in records.work))
    seen.update(dict.fromkeys(i.person for i in records.interruptions))
    seen.update(dict.fromkeys(_incident_people(records.incidents)))
    return list(seen)


def _incident_people(incidents: Iterable[IncidentRecord]) -> Iterable[str]:
    for i in incidents:
        if i.lead is not None:
            yield i.lead
        for e in i.escalations:
            if e.to_person is not None:
                yield e.to_person


def _severity_counts(incidents: list[IncidentRecord]) -> dict[str, int]:
    counts = Counter(_key(i.severity) for i in incidents)
    return {s.value: counts.get(s.value, 0) for s in Severity}


def _escalation_counts(incidents: list[IncidentRecord]) -> dict[str, int]:
    counts = Counter(_key(e.kind) for i in incidents for e in i.escalations)
    out = {k: counts.get(k, 0) for k in ESCALATION_KINDS}
    out["total"] = sum(counts.values())
    return out


def _escalations_to(incidents: list[IncidentRecord], people: list[str]) -> dict:
    """Escalations received per person and kind; those that reached nobody are left out."""
    table = {p: dict.fromkeys(ESCALATION_KINDS, 0) for p in people}
    for i in incidents:
        for e in i.escalations:
            if e.to_person is not None:
                table.setdefault(e.to_person, dict.fromkeys(ESCALATION_KINDS, 0))
                table[e.to_person][_key(e.kind)] += 1
    return table


def _hero_interruptions(records: RunRecords) -> dict:
    weeks = records.days * MINUTES_PER_DAY / MINUTES_PER_WEEK
    keys = ["total", *HOUR_CLASSES, *INTERRUPTION_KINDS]
    counts = {h: dict.fromkeys(keys, 0) for h in records.heroes}
    for x in records.interruptions:
        row = counts.get(x.person)
        if row is None:
            continue
        row["total"] += 1
        row[_key(x.hour_class)] += 1
        row[_key(x.kind)] += 1
    by_hero = {h: {k: v / weeks for k, v in row.items()} for h, row in counts.items()}
    all_heroes = {k: sum(row[k] for row in counts.values()) / weeks for k in keys}
    return {"all_heroes": all_heroes, "by_hero": by_hero}


def _hero_hours(records: RunRecords) -> dict:
    by_hero = dict.fromkeys(records.heroes, 0.0)
    for s in records.work:
        if s.person in by_hero:
            by_hero[s.person] += (s.end - s.start) / 60.0
    return {"total": sum(by_hero.values()), "by_hero": by_hero}


def _hero_time(records: RunRecords, scenario: Scenario) -> dict:
    """Each hero's hours per week by kind over the run, against their capacity."""
    weeks = records.days / 7.0
    full = int(weeks)
    people = {p.id: p for p in scenario.people}
    heroes = [h for h in records.heroes if h in people and h not in records.without]
    tables = hours_table(records, heroes, week_edges(max(1, math.ceil(weeks))),
                         scenario.learning.pairing_overhead)
    out = {}
    for hero, table in tables.items():
        row = as_kinds(table.sum(axis=0) / weeks)
        capacity = weekly_capacity(people[hero])
        totals = table[:full].sum(axis=1) if full else table.sum(axis=1)
        out[hero] = {**row, "capacity": capacity, "improvement_left": capacity - row["total"],
                     "peak_week": float(totals.max()),
                     "overloaded_weeks": int((table[:full].sum(axis=1) > capacity).sum())}
    return out


def _load(records: RunRecords, people: list[str]) -> dict:
    table = {p: {"pages": 0, "pulls": 0, "hours": 0.0, "incidents_led": 0} for p in people}
    for x in records.interruptions:
        kind = _key(x.kind)
        table[x.person]["pulls" if kind == InterruptionKind.PULL.value else "pages"] += 1
    for s in records.work:
        table[s.person]["hours"] += (s.end - s.start) / 60.0
    for i in records.incidents:
        if i.lead is not None:
            table[i.lead]["incidents_led"] += 1
    return table


def _by_class(incidents: list[IncidentRecord], scenario: Scenario) -> dict:
    groups: dict[str, list[IncidentRecord]] = {c.id: [] for c in scenario.classes}
    for i in incidents:
        groups.setdefault(i.class_id, []).append(i)
    out = {}
    for class_id, group in groups.items():
        n = len(group)
        p50, p90 = percentiles([i.time_to_mitigate for i in group], (50, 90))
        out[class_id] = {
            "count": n,
            "mttm_p50": p50,
            "mttm_p90": p90,
            "unresolved": sum(i.lead is None for i in group),
            "breach_rate": _share(sum(i.slo_breached for i in group), n),
            "escalations_per_incident": _share(sum(len(i.escalations) for i in group), n),
            "hero_share": _share(sum(i.hero_involved for i in group), n),
        }
    return out


def not_on_the_team(scenario: Scenario, t: float) -> set[str]:
    """Who is not on the team at minute `t`: not joined yet, or left (team `events`)."""
    day = t / MINUTES_PER_DAY
    return ({e.join for e in scenario.events if e.join is not None and e.day > day}
            | {e.leave for e in scenario.events if e.leave is not None and e.day <= day})


def effective_responders(
    scenario: Scenario,
    skills: SkillBook,
    class_id: str,
    without: Iterable[str] = (),
    state: TeamState | None = None,
    t: float = 0.0,
) -> list[str]:
    """People who would handle `class_id` alone: P(can fix) x P(will lead) >= 0.5.

    People in `without` are left out, and so is anyone not on the team at minute `t` (they
    have not joined yet, or have left: team `events`); a class that `requires` someone counts
    only them. With a `state` (a plan's live state), its `requires` and runbooks at `t` apply.
    """
    cls = scenario.incident_class(class_id)
    width = scenario.behaviour.skill_sharpness
    absent = set(without) | not_on_the_team(scenario, t)
    requires = state.requires[class_id] if state is not None else cls.requires
    allowed = set(requires) if requires else None
    found = []
    for p in scenario.people:
        if p.id in absent or (allowed is not None and p.id not in allowed):
            continue
        try:
            k, c = skills.get(p.id, class_id, t)
        except KeyError:
            k, c = 0.0, 0.0
        if state is not None:
            k = state.runbooks.knowledge(k, class_id, t)
        if ramp(k - cls.difficulty, width) * ramp(c - cls.difficulty, width) >= EFFECTIVE_THRESHOLD:
            found.append(p.id)
    return found


def _effective_responders(scenario: Scenario, skills: SkillBook, without: Iterable[str]) -> dict:
    by_class = {
        c.id: len(effective_responders(scenario, skills, c.id, without)) for c in scenario.classes
    }
    by_service = {}
    for service in scenario.services:
        if service.critical:
            counts = [by_class[c.id] for c in scenario.classes if c.service == service.id]
            # A critical service with no incident classes has nothing to respond to.
            by_service[service.id] = min(counts) if counts else None
    return {"by_class": by_class, "by_critical_service": by_service}


def _utilisation(records: RunRecords, scenario: Scenario, people: list[str]) -> dict:
    """Busy slot-minutes inside the horizon over the slot-minutes the person was present."""
    horizon = records.days * MINUTES_PER_DAY
    busy = dict.fromkeys(people, 0.0)
    for s in records.work:
        if s.role in BUSY_ROLES:
            busy[s.person] += max(0.0, min(s.end, horizon) - max(s.start, 0.0))
    declared = {p.id: p.capacity for p in scenario.people}
    out = {}
    for p in people:
        capacity = records.capacity.get(p, declared.get(p, 1))
        available = records.available_minutes.get(p, 0.0)
        out[p] = busy[p] / (capacity * available) if available > 0 and capacity > 0 else 0.0
    return out
