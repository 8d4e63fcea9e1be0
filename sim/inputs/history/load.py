"""Loading a history file: read it, recognise its shape, import every row or say why not.

`load_history` reads a file (JSON, PagerDuty CSV, or a generic CSV with a mapping);
`history_from_records` imports records already in memory. Both keep every good row and report
every bad one (`ImportReport`); `strict=True` raises on the first instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from sim.errors import InputError, Problem
from sim.inputs.history.csv import ColumnMapping, csv_records
from sim.inputs.history.pagerduty import (
    PAGERDUTY_FIELDS,
    RowError,
    json_records,
    parse_incident,
    parse_timestamp,
)
from sim.inputs.history.people import PeopleFile, Sighting, build_directory
from sim.inputs.history.records import (
    History,
    HistoryIncident,
    ImportReport,
    SkippedRow,
    kind_of,
    short,
)
from sim.inputs.history.zones import assign_zones
from sim.schema import Model

MAX_HISTORY_BYTES = 512 * 1024 * 1024


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
            problems.append(Problem(source, "--class-pattern", short(spec),
                                    "expected NAME=REGEX, e.g. db-restore='restore|PITR'"))
            continue
        try:
            re.compile(regex)
        except re.error as error:
            problems.append(Problem(source, "--class-pattern", short(spec),
                                    f"not a regular expression: {error}"))
            continue
        patterns.append(ClassPattern(class_id=name.strip(), pattern=regex))
    if problems:
        raise InputError(problems)
    return patterns



def load_history(
    path: str | Path,
    mapping: ColumnMapping | None = None,
    strict: bool = False,
    class_patterns: Sequence[ClassPattern] = (),
    people: PeopleFile | None = None,
    default_zone: str = "UTC",
) -> History:
    """Read an incident history file.

    Args:
        path: a PagerDuty JSON export, a PagerDuty CSV, or (with `mapping`) a generic CSV.
        mapping: column mapping of a generic CSV.
        strict: raise on the first bad row (or dropped field) instead of skipping it.
        class_patterns: description patterns that decide the class (first match wins; the
            incident type, then the service, otherwise).
        people: a people file (PagerDuty's users): names and time zones by user id.
        default_zone: the zone of people neither the people file nor the history places.

    Raises:
        InputError: the file is unusable, no row could be imported, or (strict) a row is bad.
    """
    name = str(path)
    text = _read(Path(path), name)
    if mapping is None and text.lstrip()[:1] in ("{", "["):
        records, envelope = json_records(text, name)
        report = ImportReport(name, "pagerduty-json")
        rows = ((i + 1, f"data[{i}]", r) for i, r in enumerate(records))
        zone = "UTC"
    else:
        header, rows, fmt = csv_records(text, name, mapping)
        report = ImportReport(name, fmt)
        envelope = {}
        zone = mapping.timezone if mapping else "UTC"
        known = set(PAGERDUTY_FIELDS) | (set(mapping.columns.values()) if mapping else set())
        report.ignored_fields = [h for h in header if h not in known]
    return _build(rows, report, envelope, strict, class_patterns, mapping, zone, people,
                  default_zone)


def history_from_records(records: Iterable[dict], name: str = "<records>",
                         strict: bool = False, class_patterns: Sequence[ClassPattern] = (),
                         envelope: dict | None = None, people: PeopleFile | None = None,
                         default_zone: str = "UTC") -> History:
    """Import PagerDuty raw incident dicts already in memory (as the API returns them)."""
    report = ImportReport(name, "pagerduty-json")
    rows = ((i + 1, f"data[{i}]", r) for i, r in enumerate(records))
    return _build(rows, report, envelope or {}, strict, class_patterns, None, "UTC", people,
                  default_zone)


def _build(rows, report: ImportReport, envelope: dict, strict: bool,
           class_patterns: Sequence[ClassPattern], mapping: ColumnMapping | None,
           zone: str, people: PeopleFile | None, default_zone: str) -> History:
    name = report.file
    compiled = [(p.class_id, re.compile(p.pattern)) for p in class_patterns]
    separator = mapping.list_separator if mapping else ","
    incidents: list[HistoryIncident] = []
    sightings: list[Sighting] = []
    seen: dict[str, int] = {}
    ignored: set[str] = set(report.ignored_fields)
    for number, where, record in rows:
        report.rows += 1
        if not isinstance(record, dict):
            bad = SkippedRow(number, where, "(record)", short(record),
                             f"a record must be an object of fields, not a {kind_of(record)}")
        else:
            if mapping is None and report.format == "pagerduty-json":
                ignored.update(k for k in record if k not in PAGERDUTY_FIELDS)
            try:
                parsed = parse_incident(number, record, compiled, separator, ZoneInfo(zone))
                bad = None
                if parsed.incident.id in seen:
                    first = seen[parsed.incident.id]
                    bad = SkippedRow(number, where, "id", short(parsed.incident.id),
                                     f"duplicate incident id (first seen in row {first})")
            except RowError as error:
                bad = SkippedRow(number, where, error.field, error.value, error.reason)
        if bad is not None:
            if strict:
                raise InputError([bad.problem(name)])
            report.skipped.append(bad)
            continue
        for field_name, value, reason in parsed.dropped:
            drop = SkippedRow(number, where, field_name, value, reason)
            if strict:
                raise InputError([drop.problem(name)])
            report.dropped.append(drop)
        seen[parsed.incident.id] = number
        incidents.append(parsed.incident)
        sightings += parsed.sightings
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
    directory, to_id = build_directory(sightings, people)
    incidents = [_renamed(i, to_id) for i in incidents]
    report.auto_resolved = sum(i.auto_resolved for i in incidents)
    if people is not None:
        report.people_file = people.file
        report.people_skipped = list(people.skipped)
    directory = assign_zones(directory, incidents, default_zone)
    return History(incidents, report, start, end, directory, default_zone)


def _renamed(incident: HistoryIncident, to_id: dict[str, str]) -> HistoryIncident:
    """The incident with its people named by their readable ids."""
    def names(people: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(to_id.get(p, p) for p in people))

    resolver = incident.resolved_by
    return incident.model_copy(update={
        "acknowledged": names(incident.acknowledged), "assigned": names(incident.assigned),
        "joined": names(incident.joined),
        "resolved_by": to_id.get(resolver, resolver) if resolver else None,
    })


def _window(incidents: list[HistoryIncident], envelope: dict) -> tuple[dt.datetime, dt.datetime]:
    """The observation window: the export's `filters.created_at_start/end` when given and
    covering the incidents, else the first and last incident."""
    first, last = incidents[0].created_at, incidents[-1].created_at
    filters = envelope.get("filters") if isinstance(envelope, dict) else None
    start, end = first, last
    if isinstance(filters, dict):
        try:
            start = min(first, parse_timestamp(filters.get("created_at_start"), dt.UTC))
            end = max(last, parse_timestamp(filters.get("created_at_end"), dt.UTC))
        except (RowError, TypeError):
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

