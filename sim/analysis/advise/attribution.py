"""Attribution: every hero interruption and hero work hour of today's team given exactly one
cause, per class (the rule is in the package docstring, sim/analysis/advise/__init__.py)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.types import CauseShare, ClassAttribution
from sim.model import TeamModel
from sim.model.records import IncidentRecord, InterruptionKind, RunRecords
from sim.schema import EscalationKind, Role, Scenario

CAUSES = ("knowledge", "confidence", "requires", "rotation", "routing", "noise",
          "change_gate", "change_lead")
NOISE = "noise"
CHANGES = "changes"


def attribute(records: RunRecords, scenario: Scenario) -> dict:
    """Hero interruptions and hours by class and cause, from one run's records.

    Returns {class: {"incidents", "hero_incidents", "causes": {cause: [interruptions, hours]}}}
    with the pseudo-classes `noise` and `changes`; every hero interruption of a finished
    incident is counted under exactly one cause.
    """
    heroes = set(records.heroes)
    requires = {c.id: set(c.requires) for c in scenario.classes}
    out = {c.id: _empty_class() for c in scenario.classes}
    out[NOISE] = _empty_class()
    out[CHANGES] = _empty_class()
    incidents = {i.incident_id: i for i in records.incidents}
    for i in records.incidents:
        out[i.class_id]["incidents"] += 1
        out[i.class_id]["hero_incidents"] += i.hero_involved
    first_cause: dict[tuple[int, str], str] = {}
    for x in records.interruptions:
        if x.person not in heroes:
            continue
        if x.kind is InterruptionKind.NOISE:
            out[NOISE]["causes"]["noise"][0] += 1
            continue
        incident = incidents.get(x.incident_id)
        if incident is None:
            continue  # still open at the end of the run
        cause = interruption_cause(incident, x.person, x.at, heroes, requires[incident.class_id])
        out[incident.class_id]["causes"][cause][0] += 1
        first_cause.setdefault((incident.incident_id, x.person), cause)
    for span in records.work:
        if span.person not in heroes:
            continue
        hours = (span.end - span.start) / 60.0
        if span.incident_id is None:
            if span.role is Role.BACKUP:
                out[CHANGES]["causes"]["change_lead"][1] += hours
            else:
                out[NOISE]["causes"]["noise"][1] += hours
            continue
        incident = incidents.get(span.incident_id)
        if incident is None:
            continue
        cause = first_cause.get((span.incident_id, span.person))
        if cause is None:
            cause = interruption_cause(incident, span.person, span.start, heroes,
                                       requires[incident.class_id])
            out[incident.class_id]["causes"][cause][0] += 1
            first_cause[span.incident_id, span.person] = cause
        out[incident.class_id]["causes"][cause][1] += hours
    releases: dict[tuple[str, int], tuple[bool, bool]] = {}
    for c in records.changes:
        if c.release is None:
            continue
        led = c.leader in heroes or c.backed_by in heroes
        releases[c.service, c.release] = (c.needed_hero, led)
    for needed, led in releases.values():
        if needed:
            out[CHANGES]["causes"]["change_gate"][0] += 1
        elif led:
            out[CHANGES]["causes"]["change_lead"][0] += 1
    return out


def _empty_class() -> dict:
    return {"incidents": 0, "hero_incidents": 0, "causes": {c: [0, 0.0] for c in CAUSES}}


# Hand-offs in which the responder gave the incident up (unable or unwilling to lead it).
HANDED_ON = (EscalationKind.MANUAL, EscalationKind.INFORMAL, EscalationKind.DIRECT)


def interruption_cause(incident: IncidentRecord, hero: str, t: float, heroes: set[str],
                       requires: set[str]) -> str:
    """The one cause of `hero`'s interruption at minute `t` of `incident` (module docstring)."""
    handoff = None
    for e in incident.escalations:
        if e.kind is EscalationKind.REROUTE and e.from_person == hero and e.at >= t:
            return "routing"
        if (e.at <= t and e.kind in HANDED_ON
                and e.from_person is not None and e.from_person not in heroes):
            handoff = e.from_person
    if handoff is None:
        return "rotation"
    roles = {role for person, role in incident.involved if person == handoff}
    if Role.STUCK in roles:
        return "knowledge"
    if requires and handoff not in requires:
        return "requires"
    return "confidence"


@dataclass(frozen=True)
class AttributionSpec:
    """Today's team over `days` days, replicated from `seed`."""

    scenario: Scenario
    days: int
    seed: int


def attribution_replication(spec: AttributionSpec, replication: int) -> dict:
    """Today's team (heroes present, no plan, no learning) once; its attribution."""
    records = TeamModel(spec.scenario, spec.days, spec.seed, replication).run()
    return attribute(records, spec.scenario)


def summarize_attribution(per_rep: list[dict], weeks: float) -> dict[str, ClassAttribution]:
    """Pool replications: per class, interruptions and hours per week by cause, and shares."""
    out = {}
    for key in per_rep[0]:
        incidents = sum(r[key]["incidents"] for r in per_rep)
        hero_incidents = sum(r[key]["hero_incidents"] for r in per_rep)
        counts = {c: sum(r[key]["causes"][c][0] for r in per_rep) for c in CAUSES}
        hours = {c: sum(r[key]["causes"][c][1] for r in per_rep) for c in CAUSES}
        total_n, total_h = sum(counts.values()), sum(hours.values())
        scale = 1.0 / (weeks * len(per_rep))
        out[key] = ClassAttribution(
            incidents_per_week=incidents * scale,
            hero_share=hero_incidents / incidents if incidents else None,
            hero_interruptions_per_week=total_n * scale,
            hero_hours_per_week=total_h * scale,
            causes={
                c: CauseShare(interruptions_per_week=counts[c] * scale,
                              hours_per_week=hours[c] * scale,
                              share=counts[c] / total_n if total_n else 0.0,
                              hours_share=hours[c] / total_h if total_h else 0.0)
                for c in CAUSES if counts[c] or hours[c]
            },
        )
    return out
