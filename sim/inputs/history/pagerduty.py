"""PagerDuty's raw incident fields and one record of them -> a `HistoryIncident`.

The fields are those of PagerDuty's Analytics raw incidents (`AnalyticsRawIncident` in
PagerDuty's REST API schema; docs/history.md cites the version read). A record is a dict of
them, from the JSON response or a CSV row; `parse_incident` normalises it or raises `RowError`
naming the field, the value and why.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from sim.errors import InputError, Problem
from sim.inputs.history.people import Sighting
from sim.inputs.history.records import HistoryIncident, kind_of, short
from sim.schema import HourClass, Severity

# PagerDuty's Analytics raw incident fields read here (AnalyticsRawIncident); others are ignored.
LIST_FIELDS = (
    "acknowledged_user_ids", "acknowledged_user_names", "assigned_user_ids",
    "assigned_user_names", "joined_user_ids", "joined_user_names",
)
COUNT_FIELDS = (
    "incident_number", "escalation_count", "manual_escalation_count",
    "timeout_escalation_count", "reassignment_count", "engaged_user_count",
    "total_interruptions", "business_hour_interruptions", "off_hour_interruptions",
    "sleep_hour_interruptions",
)
SECONDS_FIELDS = (
    "seconds_to_first_ack", "seconds_to_resolve", "seconds_to_engage", "seconds_to_mobilize",
    "engaged_seconds",
)
TEXT_FIELDS = (
    "id", "description", "status", "urgency", "priority_name", "service_id", "service_name",
    "team_name", "team_id", "escalation_policy_name", "escalation_policy_id",
    "incident_type_name", "resolved_by_user_id", "resolved_by_user_name",
)
BOOL_FIELDS = ("major", "auto_resolved")
TIME_FIELDS = ("created_at", "resolved_at")
PAGERDUTY_FIELDS = (
    TEXT_FIELDS + TIME_FIELDS + BOOL_FIELDS + COUNT_FIELDS + SECONDS_FIELDS + LIST_FIELDS
)
# A CSV whose header has these is read as PagerDuty's own shape.
PAGERDUTY_MARKERS = {"created_at", "service_name", "incident_number", "seconds_to_resolve",
                     "resolved_by_user_name", "service_id"}

PRIORITY_SEVERITY = {"p1": Severity.SEV1, "p2": Severity.SEV2, "p3": Severity.SEV3,
                     "p4": Severity.SEV4, "p5": Severity.SEV4, "sev1": Severity.SEV1,
                     "sev2": Severity.SEV2, "sev3": Severity.SEV3, "sev4": Severity.SEV4,
                     "critical": Severity.SEV1, "high": Severity.SEV2, "medium": Severity.SEV3,
                     "low": Severity.SEV4}
URGENCY_SEVERITY = {"high": Severity.SEV2, "low": Severity.SEV3}



class RowError(Exception):
    """A record that cannot be imported: the field, its value and the reason."""

    def __init__(self, field_name: str, value: Any, reason: str):
        super().__init__(reason)
        self.field = field_name
        self.value = None if value is None else short(value)
        self.reason = reason


class TooLong(dict):
    """A CSV row with more values than columns."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


def json_records(text: str, name: str) -> tuple[list, dict]:
    """The records of a JSON history and its envelope (the response object, or {})."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError([Problem(name, f"line {error.lineno}", None,
                                     f"not valid JSON: {error.msg}")]) from None
    if isinstance(doc, list):
        return doc, {}
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        got = short(sorted(doc)[:6]) if isinstance(doc, dict) else kind_of(doc)
        raise InputError([Problem(
            name, "data", got,
            "expected PagerDuty's raw incidents response: an object whose 'data' is a list of "
            "incidents (or a bare list of incidents)")])
    return doc["data"], doc



@dataclass
class ParsedRow:
    """One record, imported: the incident (people by user id, or by name where no id was
    given), who it names (for the people directory) and the optional fields it dropped."""

    incident: HistoryIncident
    sightings: list[Sighting]
    dropped: list[tuple[str, str | None, str]]  # (field, value, reason)


def parse_incident(number: int, r: dict, patterns, separator: str, zone: ZoneInfo) -> ParsedRow:
    """One record -> an incident; raise RowError when a field it cannot do without is bad.

    The incident needs `created_at`, `id` (or `incident_number`) and `service_name` (or
    `service_id`); any other field that cannot be read is dropped and reported, and the
    incident kept without it.

    Args:
        number: the record's 1-based number.
        r: the record's fields by PagerDuty name.
        patterns: (class id, compiled regex) pairs tried on the description, first match wins.
        separator: separator inside list-valued text fields.
        zone: zone of timestamps written without an offset.
    """
    if isinstance(r, TooLong):
        raise RowError("(row)", None, r.reason)
    dropped: list[tuple[str, str | None, str]] = []

    def optional(field_name: str, read):
        try:
            return read()
        except RowError as error:
            dropped.append((error.field, error.value, error.reason))
            return None

    text = {k: _text(r.get(k)) for k in TEXT_FIELDS}
    created = parse_timestamp(r.get("created_at"), zone, "created_at", required=True)
    service = text["service_name"] or text["service_id"]
    if not service:
        raise RowError("service_name", None,
                       "missing: every incident needs service_name or service_id")
    counts = {k: optional(k, lambda k=k: _count(r.get(k), k)) for k in COUNT_FIELDS}
    ident = text["id"] or (str(counts["incident_number"]) if counts["incident_number"] is not None
                           else "")
    if not ident:
        raise RowError("id", None, "missing: every incident needs id or incident_number")
    seconds = {k: optional(k, lambda k=k: _number(r.get(k), k)) for k in SECONDS_FIELDS}
    resolved = optional("resolved_at",
                        lambda: parse_timestamp(r.get("resolved_at"), zone, "resolved_at"))
    if resolved is None and seconds["seconds_to_resolve"] is not None:
        resolved = created + dt.timedelta(seconds=seconds["seconds_to_resolve"])
    if resolved is not None and resolved < created:
        dropped.append(("resolved_at", short(r.get("resolved_at")
                                             or seconds["seconds_to_resolve"]),
                        f"resolved before it was created ({created.isoformat()}): the time "
                        "to resolve is unknown"))
        resolved = None
    status = (text["status"] or ("resolved" if resolved else "")).lower()
    if status == "resolved" and resolved is None and not any(
            f in ("resolved_at", "seconds_to_resolve") for f, _, _ in dropped):
        dropped.append(("resolved_at", None, "status is resolved but there is no resolved_at "
                        "or seconds_to_resolve: the time to resolve is unknown"))
    sightings: list[Sighting] = []
    people: dict[str, tuple[str, ...]] = {}
    for kind in ("acknowledged", "assigned", "joined"):
        people[kind] = tuple(_people_field(r, kind, separator, created, sightings, dropped))
    resolver = _resolver(text, created, sightings)
    description = text["description"]
    class_id = next((name for name, regex in patterns if regex.search(description)), None)
    class_id = class_id or text["incident_type_name"] or service
    hours = (counts["business_hour_interruptions"], counts["off_hour_interruptions"],
             counts["sleep_hour_interruptions"])
    interruptions = None
    if all(h is not None for h in hours):
        interruptions = {c: h or 0 for c, h in zip(HourClass, hours)}
    escalations = counts["escalation_count"]
    manual, timeout = counts["manual_escalation_count"], counts["timeout_escalation_count"]
    if escalations is None:
        escalations = (manual or 0) + (timeout or 0)
    major = _bool(r.get("major"))
    try:
        incident = HistoryIncident(
            row=number, id=ident, number=counts["incident_number"], description=description,
            status=status or "resolved", service=service,
            team=text["team_name"] or text["team_id"],
            escalation_policy=text["escalation_policy_name"] or text["escalation_policy_id"],
            class_id=class_id,
            severity=_severity(text["priority_name"], text["urgency"], major),
            urgency=text["urgency"].lower(), priority=text["priority_name"],
            major=major, created_at=created, resolved_at=resolved,
            seconds_to_first_ack=seconds["seconds_to_first_ack"],
            acknowledged=people["acknowledged"], assigned=people["assigned"],
            joined=people["joined"], resolved_by=resolver,
            auto_resolved=_bool(r.get("auto_resolved")),
            escalation_count=escalations, manual_escalation_count=manual or 0,
            timeout_escalation_count=timeout or 0,
            reassignment_count=counts["reassignment_count"] or 0,
            interruptions=interruptions,
        )
    except ValidationError as error:  # pragma: no cover - the parsing above guards the types
        detail = error.errors()[0]
        raise RowError(".".join(map(str, detail["loc"])), detail.get("input"),
                       detail["msg"]) from None
    return ParsedRow(incident, sightings, dropped)


def _people_field(r: dict, kind: str, separator: str, at: dt.datetime,
                  sightings: list[Sighting], dropped: list) -> list[str]:
    """The people of one list (acknowledged, assigned, joined): user ids, with the names given
    beside them; names alone when no ids are given."""
    lists = []
    for field_name in (f"{kind}_user_ids", f"{kind}_user_names"):
        try:
            lists.append(_people(r.get(field_name), field_name, separator))
        except RowError as error:
            dropped.append((error.field, error.value, error.reason))
            lists.append([])
    ids, names = lists
    if ids:
        if names and len(names) != len(ids):
            dropped.append((f"{kind}_user_names", short(names),
                            f"{len(names)} names for {len(ids)} user ids: the names are left "
                            "out (people are keyed by id)"))
            names = []
        for k, user in enumerate(ids):
            sightings.append(Sighting(user, names[k] if names else None, at))
        return ids
    for name in names:
        sightings.append(Sighting(name, name, at, is_id=False))
    return names


def _resolver(text: dict, at: dt.datetime, sightings: list[Sighting]) -> str | None:
    user, name = text["resolved_by_user_id"], text["resolved_by_user_name"]
    if user:
        sightings.append(Sighting(user, name or None, at))
        return user
    if name:
        sightings.append(Sighting(name, name, at, is_id=False))
        return name
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # an API object reference such as {"id": ..., "summary": ...}
        value = value.get("summary") or value.get("name") or value.get("id") or ""
    return str(value).strip()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null", "None"))


def parse_timestamp(value: Any, zone, field_name: str = "created_at",
                    required: bool = False) -> dt.datetime | None:
    """An ISO 8601 timestamp in UTC (naive ones in `zone`); None when empty."""
    if _empty(value):
        if required:
            raise RowError(field_name, None, "missing: every incident needs a creation time")
        return None
    if not isinstance(value, str):
        raise RowError(field_name, value, "expected an ISO 8601 timestamp such as "
                        "2024-03-01T14:05:00Z")
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise RowError(field_name, value, "not an ISO 8601 timestamp (expected e.g. "
                        "2024-03-01T14:05:00Z or 2024-03-01 14:05:00+01:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def _number(value: Any, field_name: str, unit: str = "a number of seconds") -> float | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise RowError(field_name, value, f"expected {unit}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RowError(field_name, value, f"expected {unit}") from None
    if not number >= 0 or number == float("inf"):
        raise RowError(field_name, value, f"must be {unit}, finite and at least 0")
    return number


def _count(value: Any, field_name: str) -> int | None:
    number = _number(value, field_name, "a whole number")
    if number is None:
        return None
    if number != int(number):
        raise RowError(field_name, value, "expected a whole number")
    return int(number)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "t")


def _people(value: Any, field_name: str, separator: str) -> list[str]:
    """A list field: a JSON list, a JSON array written in a CSV cell, or separated text."""
    if _empty(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError:
                raise RowError(field_name, value, "looks like a JSON array but does not "
                                "parse; write a JSON array or comma-separated names") from None
        else:
            value = text.split(separator)
    if not isinstance(value, list):
        raise RowError(field_name, value, "expected a list of users")
    people = []
    for item in value:
        name = _text(item)
        if name:
            people.append(name)
    return list(dict.fromkeys(people))


def _severity(priority: str, urgency: str, major: bool) -> Severity:
    key = priority.strip().lower().replace(" ", "")
    if key in PRIORITY_SEVERITY:
        return PRIORITY_SEVERITY[key]
    if major:
        return Severity.SEV1
    return URGENCY_SEVERITY.get(urgency.strip().lower(), Severity.SEV2)

