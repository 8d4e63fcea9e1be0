"""Engine records written as PagerDuty's Analytics raw incidents (`AnalyticsRawIncident`).

Pages become assignments; acknowledgements and leads become acknowledgements; informal pulls,
pairing and backup become joined responders (a responder request), not assignments; the lead
resolves. Escalation counts come from the record's escalations by kind; interruptions per
incident are counted by hour class in each person's own zone, as PagerDuty counts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from sim.model.records import InterruptionKind, RunRecords
from sim.schema import EscalationKind, Role, Scenario, Severity

PRIORITY = {Severity.SEV1: "P1", Severity.SEV2: "P2", Severity.SEV3: "P3", Severity.SEV4: "P4"}
URGENCY = {Severity.SEV1: "high", Severity.SEV2: "high", Severity.SEV3: "low",
           Severity.SEV4: "low"}
ID_LETTERS = list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")

CSV_COLUMNS = (
    "id", "incident_number", "description", "status", "urgency", "priority_name", "major",
    "service_id", "service_name", "team_name", "escalation_policy_name", "incident_type_name",
    "created_at", "resolved_at", "resolved_by_user_id", "resolved_by_user_name", "auto_resolved",
    "seconds_to_first_ack", "seconds_to_resolve", "engaged_user_count", "acknowledged_user_ids",
    "acknowledged_user_names", "assigned_user_ids", "assigned_user_names", "joined_user_ids",
    "joined_user_names", "escalation_count", "manual_escalation_count",
    "timeout_escalation_count", "reassignment_count", "total_interruptions",
    "business_hour_interruptions", "off_hour_interruptions", "sleep_hour_interruptions",
)


@dataclass(frozen=True)
class Naming:
    """How a team appears in the history: its names, users and incident types.

    Attributes:
        team: team_name ("" to leave it out).
        policy: escalation_policy_name ("" to leave it out).
        users: scenario person id -> {user_id, name}.
        incident_types: engine class id -> incident_type_name (default: the class id).
        titles: incident type -> description title.
        number_base: incident numbers start here.
    """

    team: str
    policy: str
    users: dict[str, dict]
    incident_types: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    number_base: int = 1000


def pagerduty_history(scenario: Scenario, records: RunRecords, naming: Naming,
                      rng: np.random.Generator) -> dict:
    """Engine records -> PagerDuty's Analytics raw incidents response `{"data": [...], ...}`."""
    start = dt.datetime.combine(scenario.start_date, dt.time(), tzinfo=ZoneInfo(scenario.timezone))
    data = list(pagerduty_rows(scenario, records, naming, rng))
    end = start + dt.timedelta(days=records.days)
    return {
        "data": data,
        "filters": {"created_at_start": iso(start), "created_at_end": iso(end)},
        "time_zone": scenario.timezone,
        "limit": len(data), "more": False, "order": "asc", "order_by": "created_at",
    }


def pagerduty_rows(scenario: Scenario, records: RunRecords, naming: Naming,
                   rng: np.random.Generator) -> Iterator[dict]:
    """The incident rows of `pagerduty_history`, in the records' order."""
    start = dt.datetime.combine(scenario.start_date, dt.time(), tzinfo=ZoneInfo(scenario.timezone))
    users = naming.users
    pages: dict[int, list] = {}
    hours: dict[int, dict] = {}
    for it in records.interruptions:
        if it.incident_id is None:
            continue
        if it.kind is InterruptionKind.PAGE:
            pages.setdefault(it.incident_id, []).append(it.person)
        counts = hours.setdefault(it.incident_id, {"business": 0, "off": 0, "sleep": 0})
        counts[it.hour_class.value] += 1
    services = {s.id: "P" + f"{i + 1:06d}" for i, s in enumerate(scenario.services)}
    for r in records.incidents:
        acked = [p for p, role in r.involved
                 if role in (Role.ACKNOWLEDGED, Role.STUCK, Role.LED, Role.MISROUTED)]
        if r.acknowledged_by:
            acked.insert(0, r.acknowledged_by)
        acked = list(dict.fromkeys(acked))
        pulled = [e.to_person for e in r.escalations
                  if e.kind is EscalationKind.INFORMAL and e.to_person]
        assigned = [p for p in dict.fromkeys(pages.get(r.incident_id, [])) if p not in pulled]
        acked = [p for p in acked if p not in pulled or p in assigned]
        helpers = [p for p, role in r.involved if role in (Role.PAIRED, Role.BACKUP)]
        joined = list(dict.fromkeys(acked + pulled + helpers))
        kinds = [e.kind for e in r.escalations]
        created = start + dt.timedelta(minutes=r.arrived)
        resolved = start + dt.timedelta(minutes=r.mitigated) if r.lead else None
        kind = naming.incident_types.get(r.class_id, r.class_id)
        counts = hours.get(r.incident_id, {"business": 0, "off": 0, "sleep": 0})
        yield {
            "id": "Q" + "".join(rng.choice(ID_LETTERS, 13)),
            "incident_number": naming.number_base + r.incident_id,
            "description": f"[{r.service}] {naming.titles.get(kind, kind)}",
            "status": "resolved" if r.lead else "acknowledged" if acked else "triggered",
            "urgency": URGENCY[r.severity],
            "priority_name": PRIORITY[r.severity],
            "major": r.severity is Severity.SEV1,
            "service_id": services[r.service],
            "service_name": r.service,
            "team_name": naming.team,
            "escalation_policy_name": naming.policy,
            "incident_type_name": kind,
            "created_at": iso(created),
            "resolved_at": iso(resolved) if resolved else None,
            "resolved_by_user_id": users[r.lead]["user_id"] if r.lead else None,
            "resolved_by_user_name": users[r.lead]["name"] if r.lead else None,
            "auto_resolved": False,
            "seconds_to_first_ack": round((r.acknowledged - r.arrived) * 60) if acked else None,
            "seconds_to_resolve": round((r.mitigated - r.arrived) * 60) if r.lead else None,
            "engaged_user_count": len(joined),
            "acknowledged_user_ids": [users[p]["user_id"] for p in acked],
            "acknowledged_user_names": [users[p]["name"] for p in acked],
            "assigned_user_ids": [users[p]["user_id"] for p in assigned],
            "assigned_user_names": [users[p]["name"] for p in assigned],
            "joined_user_ids": [users[p]["user_id"] for p in joined],
            "joined_user_names": [users[p]["name"] for p in joined],
            "escalation_count": sum(k in (EscalationKind.MANUAL, EscalationKind.TIMEOUT,
                                          EscalationKind.BUSY) for k in kinds),
            # A busy responder escalates by hand in PagerDuty too.
            "manual_escalation_count": kinds.count(EscalationKind.MANUAL)
            + kinds.count(EscalationKind.BUSY),
            "timeout_escalation_count": kinds.count(EscalationKind.TIMEOUT),
            "reassignment_count": kinds.count(EscalationKind.REROUTE),
            "total_interruptions": sum(counts.values()),
            "business_hour_interruptions": counts["business"],
            "off_hour_interruptions": counts["off"],
            "sleep_hour_interruptions": counts["sleep"],
        }


def iso(moment: dt.datetime) -> str:
    """A timestamp as PagerDuty writes it: UTC, whole seconds, 'Z'."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def csv_rows(rows: Iterable[dict]) -> Iterator[list]:
    """Incident rows as CSV rows with PagerDuty's column names; lists comma-separated. A row
    that is not a record (a damaged export) becomes a line with one value too many."""
    for row in rows:
        if not isinstance(row, dict):
            yield [str(row)] * (len(CSV_COLUMNS) + 1)
            continue
        yield [
            ",".join(v) if isinstance(v, list) else ("" if v is None else
                                                       str(v).lower() if isinstance(v, bool)
                                                       else v)
            for v in (row.get(c) for c in CSV_COLUMNS)
        ]
