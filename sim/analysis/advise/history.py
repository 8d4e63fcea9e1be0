"""What a real incident history says about a class: the incidents that summoned a hero, the
false positives, and when and to whom the team escalated (for the knowledge pack and the
improvement plan's evidence).

History classes are matched to the scenario's as `herosim calibrate` names them: an incident
of type T and severity S belongs to class `T--S` when the scenario has one, else to `T`.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable

from sim.analysis.types.artifacts import Escalations, FalsePositives, IncidentRef
from sim.inputs.history import History, HistoryIncident
from sim.schema import Scenario

# A page of a class opened within this many minutes of another resolving is flapping.
FLAP_MINUTES = 60.0
# At most this many incidents are cited per list (the count says how many there were).
CITED = 8


def scenario_class(incident: HistoryIncident, class_ids: set[str]) -> str:
    """The scenario class of a history incident (`T--S` when the scenario splits T by
    severity S)."""
    split = f"{incident.class_id}--{incident.severity.value}"
    return split if split in class_ids else incident.class_id


def incidents_of(history: History, scenario: Scenario, class_id: str
                 ) -> list[HistoryIncident]:
    """The history's incidents of a scenario class, in order of creation."""
    ids = {c.id for c in scenario.classes}
    return [i for i in history.incidents if scenario_class(i, ids) == class_id]


def reference(incident: HistoryIncident, class_id: str) -> IncidentRef:
    """An incident as the pack and the plan cite it."""
    return IncidentRef(
        id=incident.id, number=incident.number, created=incident.created_at.isoformat(),
        title=incident.description, class_id=class_id, path=list(incident.touched),
        escalations=incident.escalation_count, manual=incident.manual_escalation_count,
        timeout=incident.timeout_escalation_count, reassigned=incident.reassignment_count,
        minutes_to_ack=incident.minutes_to_ack, minutes_to_resolve=incident.minutes_to_resolve,
        resolved_by=incident.resolved_by)


def cite(incidents: Iterable[HistoryIncident], class_id: str) -> list[IncidentRef]:
    """The first CITED incidents as references."""
    return [reference(i, class_id) for i in list(incidents)[:CITED]]


def summoned_hero(incident: HistoryIncident, heroes: set[str]) -> bool:
    """A hero was assigned, acknowledged, joined or resolved it."""
    return bool(heroes & set(incident.touched))


def informal_pull(incident: HistoryIncident, heroes: set[str]) -> bool:
    """A hero joined or resolved without being paged or escalated to: no escalation or
    reassignment recorded, and the hero is not among the assigned."""
    return (summoned_hero(incident, heroes) and not heroes & set(incident.assigned)
            and not incident.escalated)


def matching(history: History, scenario: Scenario, classes: Iterable[str],
             test: Callable[[HistoryIncident], bool]) -> list[tuple[str, HistoryIncident]]:
    """(class, incident) for the incidents of `classes` that pass `test`, by creation."""
    out = [(c, i) for c in classes for i in incidents_of(history, scenario, c) if test(i)]
    out.sort(key=lambda ci: ci[1].created_at)
    return out


def escalations(incidents: list[HistoryIncident]) -> Escalations:
    """When the team escalated (how many, which kind, how fast) and to whom: the people who
    took an escalated incident over after its first responder."""
    escalated = [i for i in incidents if i.escalated]
    to_whom: Counter[str] = Counter()
    for i in escalated:
        first = i.first_responder
        for person in i.touched:
            if person != first:
                to_whom[person] += 1
    acks = [i.minutes_to_ack for i in incidents if i.minutes_to_ack is not None]
    resolves = [i.minutes_to_resolve for i in escalated if i.minutes_to_resolve is not None]
    return Escalations(
        incidents=len(incidents), escalated=len(escalated),
        manual=sum(i.manual_escalation_count > 0 for i in escalated),
        timeout=sum(i.timeout_escalation_count > 0 for i in escalated),
        reassigned=sum(i.reassignment_count > 0 for i in escalated),
        to_whom=dict(to_whom.most_common()),
        median_minutes_to_ack=statistics.median(acks) if acks else None,
        median_minutes_to_resolve_escalated=statistics.median(resolves) if resolves else None)


def false_positives(incidents: list[HistoryIncident], class_id: str) -> FalsePositives:
    """Auto-resolved pages, pages reopened within FLAP_MINUTES of the last one resolving
    (flapping), and pages opened while another of the class was still open (duplicates)."""
    flapping, duplicates = [], []
    last_resolved = None
    open_until = None
    for i in incidents:
        if open_until is not None and i.created_at < open_until:
            duplicates.append(i)
        elif last_resolved is not None and \
                (i.created_at - last_resolved).total_seconds() / 60.0 <= FLAP_MINUTES:
            flapping.append(i)
        if i.resolved_at is not None:
            last_resolved = max(last_resolved or i.resolved_at, i.resolved_at)
            open_until = max(open_until or i.resolved_at, i.resolved_at)
    return FalsePositives(
        auto_resolved=cite((i for i in incidents if i.auto_resolved), class_id),
        flapping=cite(flapping, class_id), duplicates=cite(duplicates, class_id))
