"""The imported history's types: one incident, the import report, the whole history.

Whichever shape a history came in (sim/inputs/history/pagerduty.py, csv.py), it ends as
`HistoryIncident` rows in a `History`, with an `ImportReport` that names every row it could
not use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from sim.errors import Problem
from sim.schema import HourClass, Model, Severity, hour_class_of

MAX_VALUE_CHARS = 60


class HistoryIncident(Model):
    """One real incident, normalised from whichever shape it came in.

    People are named by the readable ids of the history's directory (`History.directory`: one
    person per PagerDuty user id, whatever names they carried). Lists keep the source's order,
    which PagerDuty gives in order of the events.
    """

    row: int = Field(description="1-based record number in the source file.")
    id: str
    number: int | None = None
    description: str = ""
    status: str = "resolved"
    service: str
    team: str = Field("", description="team_name (else team_id) of the export.")
    escalation_policy: str = ""
    class_id: str = Field(description="Incident type, or the service when none is given.")
    severity: Severity
    urgency: str = ""
    priority: str = ""
    major: bool = False
    created_at: dt.datetime
    resolved_at: dt.datetime | None = None
    seconds_to_first_ack: float | None = None
    acknowledged: tuple[str, ...] = ()
    assigned: tuple[str, ...] = ()
    joined: tuple[str, ...] = ()
    resolved_by: str | None = None
    auto_resolved: bool = False
    escalation_count: int = 0
    manual_escalation_count: int = 0
    timeout_escalation_count: int = 0
    reassignment_count: int = 0
    interruptions: dict[HourClass, int] | None = Field(
        None, description="PagerDuty's business/off/sleep hour interruption counts, when given."
    )

    @property
    def minutes_to_resolve(self) -> float | None:
        """Minutes from creation to resolution; None while open."""
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.created_at).total_seconds() / 60.0

    @property
    def minutes_to_ack(self) -> float | None:
        """Minutes to the first acknowledgement; None when not given."""
        return None if self.seconds_to_first_ack is None else self.seconds_to_first_ack / 60.0

    @property
    def handler(self) -> str | None:
        """Who handled it: the resolver, else the last to acknowledge; None when it resolved
        automatically (an auto-resolved incident is reported as such, not credited to whoever
        acknowledged it)."""
        if self.auto_resolved:
            return None
        if self.resolved_by:
            return self.resolved_by
        return self.acknowledged[-1] if self.acknowledged else None

    @property
    def hard(self) -> bool:
        """High urgency or a top priority (sev1, sev2)."""
        return self.severity in (Severity.SEV1, Severity.SEV2)

    @property
    def first_responder(self) -> str | None:
        """The first person paged (first assignee), else the first to acknowledge."""
        if self.assigned:
            return self.assigned[0]
        return self.acknowledged[0] if self.acknowledged else None

    @property
    def touched(self) -> tuple[str, ...]:
        """Everyone involved, in order of first appearance."""
        people = [*self.assigned, *self.acknowledged, *self.joined]
        if self.resolved_by:
            people.append(self.resolved_by)
        return tuple(dict.fromkeys(people))

    @property
    def escalated(self) -> bool:
        """Escalated or reassigned at least once."""
        return self.escalation_count + self.reassignment_count > 0

    @property
    def solo(self) -> bool:
        """Resolved by the first responder with no hand-off and nobody else joining."""
        handler = self.handler
        return (handler is not None and handler == self.first_responder
                and not self.escalated and set(self.touched) == {handler})



@dataclass(frozen=True)
class PersonRecord:
    """A person of the history: who they are and where their time zone came from.

    Attributes:
        id: the readable identifier scenarios and `--without` use.
        user_id: the PagerDuty user id, when the source gave one.
        name: the label: the people file's name, else the latest name in the history.
        aliases: other names the history used for them, oldest first.
        timezone: their IANA zone.
        zone_source: "people file", "inferred", "colleagues" (the zone of the placed people
            they work with), or "default" (the --timezone fallback).
        zone_evidence: how the zone was inferred, in words (empty otherwise).
    """

    id: str
    user_id: str | None
    name: str
    aliases: tuple[str, ...] = ()
    timezone: str = "UTC"
    zone_source: str = "default"
    zone_evidence: str = ""


@dataclass(frozen=True)
class SkippedRow:
    """A record that could not be imported, and why."""

    row: int  # 1-based record number (CSV: data rows, the header not counted)
    where: str  # 'data[4]' in JSON, 'line 6' in CSV
    field: str
    value: str | None
    reason: str

    def problem(self, file: str) -> Problem:
        """The skipped row as a Problem of `file` (for --strict)."""
        return Problem(file, f"row {self.row} ({self.where}).{self.field}", self.value,
                       self.reason)


@dataclass
class ImportReport:
    """What the import read, kept and skipped."""

    file: str
    format: str  # pagerduty-json, pagerduty-csv, generic-csv
    rows: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    ignored_fields: list[str] = field(default_factory=list)
    dropped: list[SkippedRow] = field(default_factory=list)  # optional fields left out
    auto_resolved: int = 0
    people_file: str | None = None
    people_skipped: list[SkippedRow] = field(default_factory=list)

    @property
    def imported(self) -> int:
        """Rows imported."""
        return self.rows - len(self.skipped)

    @property
    def skipped_count(self) -> int:
        """Rows skipped."""
        return len(self.skipped)

    def reasons(self) -> dict[str, int]:
        """Skipped rows counted by reason kind (the field and the gist of the reason)."""
        return dict(Counter(f"{s.field}: {gist(s.reason)}" for s in self.skipped))

    def dropped_reasons(self) -> dict[str, int]:
        """Dropped fields counted by reason kind."""
        return dict(Counter(f"{s.field}: {gist(s.reason)}" for s in self.dropped))

    def to_json(self) -> dict:
        """The report as JSON (heromap.json's `source`)."""
        return {
            "file": self.file, "format": self.format, "rows": self.rows,
            "imported": self.imported, "skipped": self.skipped_count,
            "skipped_by_reason": self.reasons(),
            "skipped_rows": [
                {"row": s.row, "where": s.where, "field": s.field, "value": s.value,
                 "reason": s.reason} for s in self.skipped
            ],
            "ignored_fields": self.ignored_fields,
            "dropped": len(self.dropped),
            "dropped_by_reason": self.dropped_reasons(),
            "dropped_fields": [
                {"row": s.row, "where": s.where, "field": s.field, "value": s.value,
                 "reason": s.reason} for s in self.dropped
            ],
            "auto_resolved": self.auto_resolved,
            "people_file": self.people_file,
            "people_skipped": [
                {"row": s.row, "where": s.where, "field": s.field, "value": s.value,
                 "reason": s.reason} for s in self.people_skipped
            ],
        }


@dataclass(frozen=True)
class History:
    """Imported incidents in order of creation, with the import report and the period."""

    incidents: list[HistoryIncident]
    report: ImportReport
    start: dt.datetime  # of the observation window (the export's filter, else first incident)
    end: dt.datetime
    directory: dict[str, PersonRecord] = field(default_factory=dict)  # readable id -> person
    default_zone: str = "UTC"  # of people neither a people file nor the history places

    @property
    def days(self) -> float:
        """Days in the observation window (at least an hour)."""
        return max((self.end - self.start).total_seconds() / 86400.0, 1.0 / 24)

    @property
    def weeks(self) -> float:
        """Weeks in the observation window."""
        return self.days / 7.0

    @property
    def classes(self) -> list[str]:
        """The incident classes, sorted."""
        return sorted({i.class_id for i in self.incidents})

    @property
    def people(self) -> list[str]:
        """Everyone involved in any incident, sorted."""
        return sorted({p for i in self.incidents for p in i.touched})

    @property
    def teams(self) -> list[str]:
        """The teams (team_name, else escalation policy), in order of first incident."""
        return list(dict.fromkeys(team_of(i) for i in self.incidents))

    def label(self, person: str) -> str:
        """A person's label (their latest name), or the id itself when unknown."""
        record = self.directory.get(person)
        return record.name if record else person

    def zone(self, person: str) -> str:
        """A person's time zone (UTC when unknown)."""
        record = self.directory.get(person)
        return record.timezone if record else "UTC"

    def period_json(self) -> dict:
        """The observation window as JSON (`period`)."""
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "days": round(self.days, 2), "weeks": round(self.weeks, 2)}


def team_of(incident: HistoryIncident) -> str:
    """The incident's team: its team_name, else its escalation policy, else "team"."""
    return incident.team or incident.escalation_policy or "team"


def gist(reason: str) -> str:
    """The reason without its row-specific details (for counting reasons)."""
    return re.sub(r"\s*\([^)]*\)", "", reason).split(";")[0]


def short(value: Any) -> str:
    """A value as it appears in a message: its repr, cut to MAX_VALUE_CHARS."""
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def kind_of(value: Any) -> str:
    """The JSON kind of a value, in words (for messages)."""
    return {list: "list", str: "string", int: "number", float: "number",
            bool: "boolean"}.get(type(value), type(value).__name__)


def hour_class_at(moment: dt.datetime, zone: ZoneInfo) -> HourClass:
    """PagerDuty's hour class of a moment in a zone (the rule: `sim.schema.hour_class_of`)."""
    local = moment.astimezone(zone)
    return hour_class_of(local.weekday(), local.hour * 60 + local.minute + local.second / 60.0)
