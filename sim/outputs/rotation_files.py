"""The rotation plan as files a team imports: rotation.csv (one row per on-call shift, the
shape of PagerDuty's `oncalls` list: who, which layer, start, end) and rotation.ics (the same
shifts as iCalendar events, RFC 5545), so that a calendar shows the plan as it will be lived.

Both come from the same `Shift` rows of the document: every event of the .ics is a row of the
.csv (same layer, person, start and end).
"""

from __future__ import annotations

import datetime as dt

from sim.analysis.types.rotation import RotationDocument, Shift

SHIFT_COLUMNS = ["week", "layer", "person", "name", "start", "end", "hours", "sleep_hours"]


def shift_rows(doc: RotationDocument) -> list[list]:
    """rotation.csv's rows, in the order of `SHIFT_COLUMNS`."""
    return [[s.week, s.layer, s.person, s.name, s.start, s.end, _hours(s.hours),
             _hours(s.sleep_hours)] for s in doc.shifts]


def _hours(value: float) -> str:
    return f"{value:g}"


def _utc(iso: str) -> str:
    """An ISO 8601 time with offset as an RFC 5545 UTC DATE-TIME (19970714T173000Z)."""
    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma and newline escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1): CRLF and a space before each part,
    never splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _event(doc: RotationDocument, shift: Shift, stamp: str) -> list[str]:
    plan = doc.plan or "no plan"
    return [
        "BEGIN:VEVENT",
        f"UID:{doc.scenario}-{plan}-{shift.layer}-{shift.start_minute:.0f}@herosim",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(shift.start)}",
        f"DTEND:{_utc(shift.end)}",
        f"SUMMARY:{_text(f'{shift.layer} on call: {shift.person}')}",
        "DESCRIPTION:" + _text(
            f"{shift.name} holds the {shift.layer} layer of {doc.scenario} "
            f"({plan}), week {shift.week}: {shift.hours:g} hours, {shift.sleep_hours:g} "
            "in their sleep hours. Written by herosim rotation."),
        f"CATEGORIES:{_text(shift.layer)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def rotation_ics(doc: RotationDocument, stamp: dt.datetime) -> str:
    """rotation.ics: one VEVENT per shift (times in UTC), `stamp` the DTSTAMP of every
    event (when the file was written)."""
    when = stamp.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//herosim//rotation plan//EN",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:" + _text(f"{doc.scenario} on call ({doc.plan or 'no plan'})"),
             f"X-WR-TIMEZONE:{doc.timezone}"]
    for shift in doc.shifts:
        lines += _event(doc, shift, when)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
