"""Incident history from the paging tool: PagerDuty Analytics raw incidents, or any CSV.

Three shapes are read, all into the same `HistoryIncident` rows:

- PagerDuty's Analytics API (`POST /analytics/raw/incidents`) as it returns them: a JSON object
  whose `data` is a list of incidents (a bare list is accepted too);
- the same records as CSV with PagerDuty's column names (list-valued columns such as
  `acknowledged_user_names` may be JSON arrays or comma-separated strings);
- a generic CSV, one row per incident, whose columns are mapped onto PagerDuty's field names by
  a `ColumnMapping` (given on the command line or in a small YAML/JSON mapping file).

Rows that cannot be used are never dropped silently: each becomes a `SkippedRow` with its row
number, field, value and reason in the `ImportReport`; with `strict=True` the first one raises
`InputError` instead. Absent optional fields are tolerated and unknown ones ignored (their
names are listed in the report), since PagerDuty adds fields over time.

    >>> from sim.inputs.history import load_history
    >>> history = load_history("history.json")  # doctest: +SKIP
    >>> history.report.skipped_count, len(history.incidents)  # doctest: +SKIP
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator

from sim.errors import InputError, Problem
from sim.inputs.scenario import load_model, problems_from_validation
from sim.schema import HourClass, Model, Severity, check_zone

MAX_HISTORY_BYTES = 512 * 1024 * 1024
MAX_VALUE_CHARS = 60

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
    "team_name", "escalation_policy_name", "incident_type_name", "resolved_by_user_id",
    "resolved_by_user_name",
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


class HistoryIncident(Model):
    """One real incident, normalised from whichever shape it came in.

    People are named by their display name when the source gives one, else by their user id.
    Lists keep the source's order, which PagerDuty gives in order of the events.
    """

    row: int = Field(description="1-based record number in the source file.")
    id: str
    number: int | None = None
    description: str = ""
    status: str = "resolved"
    service: str
    team: str = ""
    class_id: str = Field(description="Incident type, or the service when none is given.")
    severity: Severity
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
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.created_at).total_seconds() / 60.0

    @property
    def minutes_to_ack(self) -> float | None:
        return None if self.seconds_to_first_ack is None else self.seconds_to_first_ack / 60.0

    @property
    def handler(self) -> str | None:
        """Who handled it: the resolver, else the last to acknowledge; None when auto-resolved
        with nobody acknowledging."""
        if self.resolved_by and not self.auto_resolved:
            return self.resolved_by
        return self.acknowledged[-1] if self.acknowledged else self.resolved_by

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
        return self.escalation_count + self.reassignment_count > 0

    @property
    def solo(self) -> bool:
        """Resolved by the first responder with no hand-off and nobody else joining."""
        handler = self.handler
        return (handler is not None and handler == self.first_responder
                and not self.escalated and set(self.touched) == {handler})


class ColumnMapping(Model):
    """How a generic CSV's columns map onto PagerDuty's field names (a mapping file)."""

    columns: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        description="PagerDuty field name -> the CSV's column name, e.g. "
        "{created_at: opened, resolved_at: closed, incident_type_name: category}."
    )
    list_separator: Annotated[str, Field(min_length=1, max_length=3)] = Field(
        ",", description="Separator inside list-valued columns (people)."
    )
    timezone: str = Field("UTC", description="Zone of timestamps written without an offset.")

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = [k for k in columns if k not in PAGERDUTY_FIELDS]
        if unknown:
            from pydantic_core import PydanticCustomError
            raise PydanticCustomError(
                "unknown_field", "unknown PagerDuty field(s) {unknown}; map columns onto: "
                "{allowed}", {"unknown": ", ".join(unknown), "allowed": ", ".join(PAGERDUTY_FIELDS)})
        if "created_at" not in columns:
            from pydantic_core import PydanticCustomError
            raise PydanticCustomError(
                "created_missing", "the mapping needs a column for created_at (when the "
                "incident started)")
        return columns

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        return check_zone(zone)


@dataclass(frozen=True)
class SkippedRow:
    """A record that could not be imported, and why."""

    row: int  # 1-based record number (CSV: data rows, the header not counted)
    where: str  # 'data[4]' in JSON, 'line 6' in CSV
    field: str
    value: str | None
    reason: str

    def problem(self, file: str) -> Problem:
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

    @property
    def imported(self) -> int:
        return self.rows - len(self.skipped)

    @property
    def skipped_count(self) -> int:
        return len(self.skipped)

    def reasons(self) -> dict[str, int]:
        """Skipped rows counted by reason kind (the field and the gist of the reason)."""
        return dict(Counter(f"{s.field}: {_gist(s.reason)}" for s in self.skipped))

    def to_json(self) -> dict:
        return {
            "file": self.file, "format": self.format, "rows": self.rows,
            "imported": self.imported, "skipped": self.skipped_count,
            "skipped_by_reason": self.reasons(),
            "skipped_rows": [
                {"row": s.row, "where": s.where, "field": s.field, "value": s.value,
                 "reason": s.reason} for s in self.skipped
            ],
            "ignored_fields": self.ignored_fields,
        }


@dataclass(frozen=True)
class History:
    """Imported incidents in order of creation, with the import report and the period."""

    incidents: list[HistoryIncident]
    report: ImportReport
    start: dt.datetime  # of the observation window (the export's filter, else first incident)
    end: dt.datetime

    @property
    def days(self) -> float:
        return max((self.end - self.start).total_seconds() / 86400.0, 1.0 / 24)

    @property
    def weeks(self) -> float:
        return self.days / 7.0

    @property
    def classes(self) -> list[str]:
        return sorted({i.class_id for i in self.incidents})

    @property
    def people(self) -> list[str]:
        return sorted({p for i in self.incidents for p in i.touched})

    def period_json(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "days": round(self.days, 2), "weeks": round(self.weeks, 2)}


class ClassPattern(Model):
    """Incidents whose description matches `pattern` (a regular expression) get `class_id`."""

    class_id: str
    pattern: str


def parse_class_patterns(specs: Sequence[str], source: str = "command line") -> list[ClassPattern]:
    """`NAME=REGEX` strings -> patterns; raise InputError naming each bad one."""
    patterns, problems = [], []
    for spec in specs:
        name, sep, regex = spec.partition("=")
        if not sep or not name.strip() or not regex:
            problems.append(Problem(source, "--class-pattern", _short(spec),
                                    "expected NAME=REGEX, e.g. db-restore='restore|PITR'"))
            continue
        try:
            re.compile(regex)
        except re.error as error:
            problems.append(Problem(source, "--class-pattern", _short(spec),
                                    f"not a regular expression: {error}"))
            continue
        patterns.append(ClassPattern(class_id=name.strip(), pattern=regex))
    if problems:
        raise InputError(problems)
    return patterns


def parse_column_options(specs: Sequence[str]) -> dict[str, str]:
    """`FIELD=COLUMN` strings from the command line -> a columns mapping."""
    columns, problems = {}, []
    for spec in specs:
        name, sep, column = spec.partition("=")
        if not sep or not name.strip() or not column.strip():
            problems.append(Problem("command line", "--column", _short(spec),
                                    "expected FIELD=COLUMN, e.g. created_at=opened_at"))
            continue
        columns[name.strip()] = column.strip()
    if problems:
        raise InputError(problems)
    return columns


def load_mapping(path: str | Path | None = None, columns: dict[str, str] | None = None,
                 list_separator: str | None = None, timezone: str | None = None
                 ) -> ColumnMapping | None:
    """A column mapping from a file, from command-line columns, or both (the command line
    overrides the file); None when neither is given."""
    if path is None and not columns:
        return None
    base: dict[str, Any] = {"columns": {}}
    if path is not None:
        base = load_model(path, ColumnMapping).model_dump()
    base["columns"] = {**base["columns"], **(columns or {})}
    if list_separator:
        base["list_separator"] = list_separator
    if timezone:
        base["timezone"] = timezone
    try:
        return ColumnMapping.model_validate(base)
    except ValidationError as error:
        name = str(path) if path is not None else "command line"
        raise InputError(problems_from_validation(name, error, base, ColumnMapping)) from None


# -- loading -----------------------------------------------------------------------------------


def load_history(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    strict: bool = False,
    class_patterns: Sequence[ClassPattern] = (),
) -> History:
    """Read an incident history file.

    Args:
        path: a PagerDuty JSON export, a PagerDuty CSV, or (with `mapping`) a generic CSV.
        mapping: column mapping of a generic CSV.
        strict: raise on the first bad row instead of skipping it.
        class_patterns: description patterns that decide the class (first match wins; the
            incident type, then the service, otherwise).

    Raises:
        InputError: the file is unusable, no row could be imported, or (strict) a row is bad.
    """
    name = str(path)
    text = _read(Path(path), name)
    if mapping is None and text.lstrip()[:1] in ("{", "["):
        records, envelope = _json_records(text, name)
        report = ImportReport(name, "pagerduty-json")
        rows = ((i + 1, f"data[{i}]", r) for i, r in enumerate(records))
        zone = "UTC"
    else:
        header, rows, fmt = _csv_records(text, name, mapping)
        report = ImportReport(name, fmt)
        envelope = {}
        zone = mapping.timezone if mapping else "UTC"
        known = set(PAGERDUTY_FIELDS) | (set(mapping.columns.values()) if mapping else set())
        report.ignored_fields = [h for h in header if h not in known]
    return _build(rows, report, envelope, strict, class_patterns, mapping, zone)


def history_from_records(records: Iterable[dict], name: str = "<records>",
                         strict: bool = False, class_patterns: Sequence[ClassPattern] = (),
                         envelope: dict | None = None) -> History:
    """Import PagerDuty raw incident dicts already in memory (as the API returns them)."""
    report = ImportReport(name, "pagerduty-json")
    rows = ((i + 1, f"data[{i}]", r) for i, r in enumerate(records))
    return _build(rows, report, envelope or {}, strict, class_patterns, None, "UTC")


def _build(rows, report: ImportReport, envelope: dict, strict: bool,
           class_patterns: Sequence[ClassPattern], mapping: ColumnMapping | None,
           zone: str) -> History:
    name = report.file
    compiled = [(p.class_id, re.compile(p.pattern)) for p in class_patterns]
    separator = mapping.list_separator if mapping else ","
    incidents: list[HistoryIncident] = []
    seen: dict[str, int] = {}
    ignored: set[str] = set(report.ignored_fields)
    for number, where, record in rows:
        report.rows += 1
        if not isinstance(record, dict):
            bad = SkippedRow(number, where, "(record)", _short(record),
                             f"a record must be an object of fields, not a {_kind(record)}")
        else:
            if mapping is None and report.format == "pagerduty-json":
                ignored.update(k for k in record if k not in PAGERDUTY_FIELDS)
            try:
                incident = _incident(number, record, compiled, separator, ZoneInfo(zone))
                bad = None
                if incident.id in seen:
                    bad = SkippedRow(number, where, "id", _short(incident.id),
                                     f"duplicate incident id (first seen in row {seen[incident.id]})")
            except _RowError as error:
                bad = SkippedRow(number, where, error.field, error.value, error.reason)
        if bad is not None:
            if strict:
                raise InputError([bad.problem(name)])
            report.skipped.append(bad)
            continue
        seen[incident.id] = number
        incidents.append(incident)
    report.ignored_fields = sorted(ignored)
    if report.rows == 0:
        raise InputError([Problem(name, "", None, "the history holds no incidents")])
    if not incidents:
        first = report.skipped[0]
        raise InputError([Problem(
            name, "", None,
            f"none of the {report.rows} rows could be imported; the first: row {first.row} "
            f"({first.where}) {first.field}: {first.reason} (got {first.value})")])
    incidents.sort(key=lambda i: (i.created_at, i.row))
    start, end = _window(incidents, envelope)
    return History(incidents, report, start, end)


def _window(incidents: list[HistoryIncident], envelope: dict) -> tuple[dt.datetime, dt.datetime]:
    """The observation window: the export's `filters.created_at_start/end` when given and
    covering the incidents, else the first and last incident."""
    first, last = incidents[0].created_at, incidents[-1].created_at
    filters = envelope.get("filters") if isinstance(envelope, dict) else None
    start, end = first, last
    if isinstance(filters, dict):
        try:
            start = min(first, _timestamp(filters.get("created_at_start"), dt.UTC))
            end = max(last, _timestamp(filters.get("created_at_end"), dt.UTC))
        except (_RowError, TypeError):
            start, end = first, last
    return start, end


def _read(path: Path, name: str) -> str:
    if not path.exists():
        raise InputError([Problem(name, "", None, "no such file")])
    if not path.is_file():
        raise InputError([Problem(name, "", None, "not a regular file; expected a "
                                     "PagerDuty export (.json or .csv) or a CSV")])
    size = path.stat().st_size
    if size > MAX_HISTORY_BYTES:
        raise InputError([Problem(name, "", None, f"the file is {size / 1e6:.0f} MB; the "
                                     f"limit is {MAX_HISTORY_BYTES // 2**20} MB")])
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError([Problem(name, "", None, f"not UTF-8 text (offset {error.start}); "
                                     "save it as UTF-8")]) from None
    if not text.strip():
        raise InputError([Problem(name, "", None, "the file is empty")])
    return text


def _json_records(text: str, name: str) -> tuple[list, dict]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError([Problem(name, f"line {error.lineno}", None,
                                     f"not valid JSON: {error.msg}")]) from None
    if isinstance(doc, list):
        return doc, {}
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        got = _short(sorted(doc)[:6]) if isinstance(doc, dict) else _kind(doc)
        raise InputError([Problem(
            name, "data", got,
            "expected PagerDuty's raw incidents response: an object whose 'data' is a list of "
            "incidents (or a bare list of incidents)")])
    return doc["data"], doc


def _csv_records(text: str, name: str, mapping: ColumnMapping | None):
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise InputError([Problem(name, "line 1", None, f"no CSV header: {error}")]) from None
    if mapping is None:
        if not PAGERDUTY_MARKERS & set(header) or "created_at" not in header:
            raise InputError([Problem(
                name, "line 1", _short(header[:8]),
                "the header is not PagerDuty's (it needs created_at and service_name or "
                "service_id); for another tool's CSV give a column mapping: --column "
                "created_at=COLUMN ... or --mapping FILE (see docs/history.md)")])
        fmt = "pagerduty-csv"
        columns = {h: h for h in header}
    else:
        missing = [c for c in mapping.columns.values() if c not in header]
        if missing:
            raise InputError([Problem(
                name, "line 1", _short(missing),
                f"the mapping names column(s) the CSV does not have; its columns: "
                f"{', '.join(header)}")])
        fmt = "generic-csv"
        columns = {pd: column for pd, column in mapping.columns.items()}

    def rows():
        number = 0
        try:
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                number += 1
                if len(values) > len(header):
                    yield number, f"line {line}", (
                        f"{len(values)} values for {len(header)} columns (an unquoted comma?)")
                    continue
                by_header = dict(zip(header, values))
                yield number, f"line {line}", {
                    pd: by_header.get(column, "") for pd, column in columns.items()
                }
        except csv.Error as error:
            raise InputError([Problem(name, f"line {reader.line_num}", None,
                                         f"broken CSV: {error}")]) from None

    return header, _csv_rows(rows()), fmt


def _csv_rows(rows):
    """A too-long CSV row arrives as a string: turn it into a skipped-row marker."""
    for number, where, record in rows:
        if isinstance(record, str):
            yield number, where, _TooLong(record)
        else:
            yield number, where, record


class _TooLong(dict):
    """A CSV row with more values than columns."""

    def __init__(self, reason: str):
        super().__init__()
        self.reason = reason


# -- one row -----------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, field_name: str, value: Any, reason: str):
        super().__init__(reason)
        self.field = field_name
        self.value = None if value is None else _short(value)
        self.reason = reason


def _incident(number: int, r: dict, patterns, separator: str, zone: ZoneInfo) -> HistoryIncident:
    if isinstance(r, _TooLong):
        raise _RowError("(row)", None, r.reason)
    text = {k: _text(r.get(k)) for k in TEXT_FIELDS}
    created = _timestamp(r.get("created_at"), zone, "created_at", required=True)
    resolved = _timestamp(r.get("resolved_at"), zone, "resolved_at")
    seconds = {k: _number(r.get(k), k) for k in SECONDS_FIELDS}
    counts = {k: _count(r.get(k), k) for k in COUNT_FIELDS}
    if resolved is None and seconds["seconds_to_resolve"] is not None:
        resolved = created + dt.timedelta(seconds=seconds["seconds_to_resolve"])
    if resolved is not None and resolved < created:
        raise _RowError("resolved_at", r.get("resolved_at") or seconds["seconds_to_resolve"],
                        f"resolved before it was created ({created.isoformat()})")
    status = (text["status"] or ("resolved" if resolved else "")).lower()
    if status == "resolved" and resolved is None:
        raise _RowError("resolved_at", r.get("resolved_at"),
                        "status is resolved but there is no resolved_at or seconds_to_resolve")
    service = text["service_name"] or text["service_id"]
    if not service:
        raise _RowError("service_name", None,
                        "missing: every incident needs service_name or service_id")
    people = {}
    for kind in ("acknowledged", "assigned", "joined"):
        names = _people(r.get(f"{kind}_user_names"), f"{kind}_user_names", separator)
        ids = _people(r.get(f"{kind}_user_ids"), f"{kind}_user_ids", separator)
        people[kind] = tuple(names or ids)
    resolver = text["resolved_by_user_name"] or text["resolved_by_user_id"] or None
    description = text["description"]
    class_id = next((name for name, regex in patterns if regex.search(description)), None)
    class_id = class_id or text["incident_type_name"] or service
    hours = (counts["business_hour_interruptions"], counts["off_hour_interruptions"],
             counts["sleep_hour_interruptions"])
    interruptions = None
    if any(h is not None for h in hours):
        interruptions = {c: h or 0 for c, h in zip(HourClass, hours)}
    escalations = counts["escalation_count"]
    manual, timeout = counts["manual_escalation_count"], counts["timeout_escalation_count"]
    if escalations is None:
        escalations = (manual or 0) + (timeout or 0)
    ident = text["id"] or (str(counts["incident_number"]) if counts["incident_number"] is not None
                           else "")
    if not ident:
        raise _RowError("id", None, "missing: every incident needs id or incident_number")
    try:
        return HistoryIncident(
            row=number, id=ident, number=counts["incident_number"], description=description,
            status=status or "resolved", service=service, team=text["team_name"],
            class_id=class_id,
            severity=_severity(text["priority_name"], text["urgency"], _bool(r.get("major"))),
            major=_bool(r.get("major")), created_at=created, resolved_at=resolved,
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
        raise _RowError(".".join(map(str, detail["loc"])), detail.get("input"),
                        detail["msg"]) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # an API object reference such as {"id": ..., "summary": ...}
        value = value.get("summary") or value.get("name") or value.get("id") or ""
    return str(value).strip()


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "null", "None"))


def _timestamp(value: Any, zone, field_name: str = "created_at",
               required: bool = False) -> dt.datetime | None:
    if _empty(value):
        if required:
            raise _RowError(field_name, None, "missing: every incident needs a creation time")
        return None
    if not isinstance(value, str):
        raise _RowError(field_name, value, "expected an ISO 8601 timestamp such as "
                        "2024-03-01T14:05:00Z")
    text = value.strip()
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _RowError(field_name, value, "not an ISO 8601 timestamp (expected e.g. "
                        "2024-03-01T14:05:00Z or 2024-03-01 14:05:00+01:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(dt.UTC)


def _number(value: Any, field_name: str, unit: str = "a number of seconds") -> float | None:
    if _empty(value):
        return None
    if isinstance(value, bool):
        raise _RowError(field_name, value, f"expected {unit}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _RowError(field_name, value, f"expected {unit}") from None
    if not number >= 0 or number == float("inf"):
        raise _RowError(field_name, value, f"must be {unit}, finite and at least 0")
    return number


def _count(value: Any, field_name: str) -> int | None:
    number = _number(value, field_name, "a whole number")
    if number is None:
        return None
    if number != int(number):
        raise _RowError(field_name, value, "expected a whole number")
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
                raise _RowError(field_name, value, "looks like a JSON array but does not "
                                "parse; write a JSON array or comma-separated names") from None
        else:
            value = text.split(separator)
    if not isinstance(value, list):
        raise _RowError(field_name, value, "expected a list of users")
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


def _gist(reason: str) -> str:
    """The reason without its row-specific details (for counting reasons)."""
    return re.sub(r"\s*\([^)]*\)", "", reason).split(";")[0]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number",
            bool: "boolean"}.get(type(value), type(value).__name__)


def hour_class(moment: dt.datetime, zone: ZoneInfo) -> HourClass:
    """PagerDuty's hour class of a moment in a zone: business 08-18 Mon-Fri, sleep 22-08,
    off otherwise."""
    local = moment.astimezone(zone)
    if local.hour >= 22 or local.hour < 8:
        return HourClass.SLEEP
    if local.weekday() < 5 and 8 <= local.hour < 18:
        return HourClass.BUSINESS
    return HourClass.OFF
