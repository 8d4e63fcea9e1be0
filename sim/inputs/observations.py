"""Game-day observations: what really happened to each injected incident, read from YAML or CSV.

The models of the file are `sim.schema.observations` (format: docs/gameday.md). Here the file is
read: a YAML or JSON file and a spreadsheet export (one CSV row per injection, the game-day
columns repeated or left empty after the first row) validate to the same `Observations`, and
every error names the file, the field (YAML) or row and column (CSV), and the value. `resolve`
then checks the observations against the scenario (classes, people, times in order) and puts
their times on the scenario calendar: a `GameDayRecord` of `Observed` injections.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import InputError, Problem
from sim.inputs.files import foreign_delimiter, load_document, read_text, value_repr
from sim.inputs.problems import format_path, problems_from_validation
from sim.schema import (
    MINUTES_PER_DAY,
    EscalationKind,
    GameDay,
    HeroRole,
    Injection,
    Observations,
    Scenario,
    unknown,
)

# -- resolved form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handoff:
    """An escalation on the scenario calendar."""

    kind: EscalationKind
    from_person: str | None
    to_person: str
    at: float


@dataclass(frozen=True)
class Observed:
    """One injection with its times in minutes of the scenario calendar."""

    label: str
    class_id: str
    injected: float
    acknowledged: float | None
    acknowledged_by: str | None
    mitigated: float | None  # None when abandoned
    abandoned_at: float | None
    lead: str | None
    participants: tuple[str, ...]
    escalations: tuple[Handoff, ...]
    hero_involved: bool
    hero_consulted: bool
    hints: int
    notes: str

    @property
    def time_to_acknowledge(self) -> float | None:
        """Minutes from injection to acknowledgement; None when nobody acknowledged."""
        return None if self.acknowledged is None else self.acknowledged - self.injected

    @property
    def time_to_mitigate(self) -> float:
        """Minutes to mitigation; infinite when abandoned (slower than any mitigation)."""
        return math.inf if self.mitigated is None else self.mitigated - self.injected

    @property
    def escalated(self) -> bool:
        """Handed on along the policy or to a hero (a reroute is not an escalation)."""
        return any(e.kind is not EscalationKind.REROUTE for e in self.escalations)

    @property
    def hero_pulled(self) -> bool:
        """A hero worked on it or was asked for advice."""
        return self.hero_involved or self.hero_consulted


@dataclass(frozen=True)
class GameDayRecord:
    """A validated game day on the scenario calendar."""

    date: dt.date
    day: int
    hero_role: HeroRole
    absent: tuple[str, ...]
    primary: str | None
    injections: tuple[Observed, ...]
    notes: str
    source: str


def load_observations(path: str | Path, scenario: Scenario) -> GameDayRecord:
    """Load a game-day observations file (YAML, JSON or CSV) and check it against `scenario`.

    Raises:
        InputError: every problem found, each naming the file, field or row, and value.
    """
    observations, locate = read_observations(path)
    return resolve(observations, scenario, str(path), locate)


def read_observations(path: str | Path) -> tuple[Observations, Any]:
    """A game-day observations file (YAML, JSON or CSV) as its model, not yet checked against
    a scenario, and the locator that names its fields (rows and columns for a CSV).

    Raises:
        InputError: every problem found, each naming the file, field or row, and value.
    """
    name = str(path)
    if Path(path).suffix.lower() == ".csv":
        data, locate = _csv_document(path)
    else:
        data, locate = load_document(path), format_path
    try:
        return Observations.model_validate(data), locate
    except ValidationError as error:
        problems = problems_from_validation(name, error, data, Observations)
        if locate is not format_path:
            problems = [Problem(p.file, _csv_path(p.field_path, locate), p.value, p.message)
                        for p in problems]
        raise InputError(problems) from None


def is_observations_document(data: dict) -> bool:
    """A document with `injections` or `gameday` and no `services` is a game day's file."""
    return ("injections" in data or "gameday" in data) and "services" not in data


def resolve(observations: Observations, scenario: Scenario, file: str = "observations",
            locate=format_path) -> GameDayRecord:
    """Check the observations against the scenario and put their times on its calendar.

    Raises:
        InputError: unknown classes or people, times out of order, and the like.
    """
    problems = [Problem(file, locate(loc), None if value is None else value_repr(value), message)
                for loc, value, message in _problems(observations, scenario)]
    if problems:
        raise InputError(problems)
    meta = observations.gameday
    day = _day(meta, scenario)
    base = day * MINUTES_PER_DAY

    def at(value) -> float | None:
        return None if value is None else base + _minute_of_day(value, meta.start)

    injections = []
    heroes = set(scenario.heroes)
    for i, inj in enumerate(observations.injections):
        touched = {inj.led_by, *inj.participants, *(e.to for e in inj.escalations)}
        handoffs = []
        acknowledger = _first_holder(inj, meta.primary)
        holder = acknowledger
        for e in inj.escalations:
            source = e.from_person or (holder if e.kind is not EscalationKind.TIMEOUT else None)
            handoffs.append(Handoff(e.kind, source, e.to, at(e.at)))
            holder = e.to
        injections.append(Observed(
            label=inj.id or f"#{i + 1}", class_id=inj.class_id, injected=at(inj.injected_at),
            acknowledged=at(inj.acknowledged_at), acknowledged_by=acknowledger,
            mitigated=None if inj.abandoned else at(inj.mitigated_at),
            abandoned_at=at(inj.abandoned_at), lead=inj.led_by,
            participants=tuple(inj.participants), escalations=tuple(handoffs),
            hero_involved=inj.hero_involved or bool(heroes & touched),
            hero_consulted=inj.hero_consulted, hints=inj.hints, notes=inj.notes,
        ))
    return GameDayRecord(meta.date, day, meta.hero_role, tuple(meta.absent), meta.primary,
                         tuple(injections), meta.notes, file)


def _first_holder(inj: Injection, primary: str | None = None) -> str | None:
    """Who acknowledged: as given; else the source of the first hand-off that was not a
    timeout (or whoever the timeouts reached, or the game day's primary); else the lead."""
    if inj.acknowledged_by:
        return inj.acknowledged_by
    paged = None
    for e in inj.escalations:
        if e.kind is EscalationKind.TIMEOUT:
            paged = e.to
            continue
        return e.from_person or paged or primary
    return inj.led_by or paged or primary


def _day(meta: GameDay, scenario: Scenario) -> int:
    if meta.scenario_day is not None:
        return meta.scenario_day
    return (meta.date - scenario.start_date).days


def _minute_of_day(value: str | float, start: str | None) -> float:
    if isinstance(value, str):
        hour, minute = value.split(":")
        return int(hour) * 60 + int(minute)
    return _minute_of_day(start, None) + value  # start is present: checked in _problems


def _problems(obs: Observations, scenario: Scenario):
    """Yield (location, value, message) for everything that does not fit the scenario or
    does not add up."""
    meta = obs.gameday
    people = {p.id for p in scenario.people}
    classes = {c.id for c in scenario.classes}

    def person(loc, pid):
        if pid is not None and pid not in people:
            yield loc, pid, unknown("person", pid, people)

    if meta.scenario_day is None:
        day = (meta.date - scenario.start_date).days
        if day < 0:
            yield (("gameday", "date"), meta.date.isoformat(),
                   f"the game day is before the scenario's start_date "
                   f"({scenario.start_date.isoformat()}); give scenario_day to place it on "
                   "the scenario calendar")
        elif day > 3660:
            yield (("gameday", "date"), meta.date.isoformat(),
                   f"the game day is {day} days after the scenario's start_date; at most 3660")
    for j, pid in enumerate(meta.absent):
        yield from person(("gameday", "absent", j), pid)
    yield from person(("gameday", "primary"), meta.primary)
    if meta.primary is not None and meta.primary in meta.absent:
        yield (("gameday", "primary"), meta.primary,
               f"'{meta.primary}' held the primary pager but is listed absent")
    uses_minutes = False
    seen_ids: dict[str, int] = {}
    for i, inj in enumerate(obs.injections):
        loc = ("injections", i)
        if inj.id:
            if inj.id in seen_ids:
                yield ((*loc, "id"), inj.id, f"duplicate injection id '{inj.id}' (first at "
                       f"injections[{seen_ids[inj.id]}])")
            seen_ids.setdefault(inj.id, i)
        if inj.class_id not in classes:
            yield (*loc, "class"), inj.class_id, unknown("class", inj.class_id, classes)
        for field in ("acknowledged_by", "led_by"):
            pid = getattr(inj, field)
            yield from person((*loc, field), pid)
            if pid is not None and pid in meta.absent:
                yield ((*loc, field), pid, f"'{pid}' is listed absent (gameday.absent) but "
                       f"{'acknowledged' if field == 'acknowledged_by' else 'led'} this "
                       "injection")
        for j, pid in enumerate(inj.participants):
            yield from person((*loc, "participants", j), pid)
        for j, e in enumerate(inj.escalations):
            yield from person((*loc, "escalations", j, "to"), e.to)
            yield from person((*loc, "escalations", j, "from"), e.from_person)
        times = [inj.injected_at, inj.acknowledged_at, inj.mitigated_at, inj.abandoned_at,
                 *(e.at for e in inj.escalations)]
        uses_minutes = uses_minutes or any(isinstance(t, float) for t in times)
        yield from _outcome_problems(inj, loc)
        yield from _order_problems(inj, loc, meta.start)
    if uses_minutes and meta.start is None:
        yield (("gameday", "start"), None,
               "some times are given in minutes from the start: give the game day's start as "
               "a clock time, e.g. start: '09:30'")


def _outcome_problems(inj: Injection, loc: tuple):
    if inj.abandoned:
        if inj.mitigated_at is not None:
            yield ((*loc, "mitigated_at"), inj.mitigated_at,
                   "the injection is marked abandoned but has a mitigated_at; keep one")
        return
    if inj.abandoned_at is not None:
        yield ((*loc, "abandoned_at"), inj.abandoned_at,
               "abandoned_at is given but abandoned is not true")
    if inj.mitigated_at is None:
        yield ((*loc, "mitigated_at"), None,
               "this field is required unless the injection was abandoned (abandoned: true)")
    if inj.acknowledged_at is None:
        yield ((*loc, "acknowledged_at"), None,
               "this field is required unless the injection was abandoned (abandoned: true)")
    if inj.led_by is None:
        yield ((*loc, "led_by"), None, "this field is required (who worked it to mitigation) "
               "unless the injection was abandoned")


def _order_problems(inj: Injection, loc: tuple, start: str | None):
    """Times must follow injected <= acknowledged <= escalations <= mitigated."""
    if start is None and any(isinstance(t, float) for t in _all_times(inj)):
        return  # reported once, at gameday.start

    def minute(value):
        return None if value is None else _minute_of_day(value, start)

    injected = minute(inj.injected_at)
    end_field = "mitigated_at" if inj.mitigated_at is not None else "abandoned_at"
    end = minute(inj.mitigated_at if inj.mitigated_at is not None else inj.abandoned_at)
    acknowledged = minute(inj.acknowledged_at)
    if end is not None and end < injected:
        verb = "mitigated" if end_field == "mitigated_at" else "abandoned"
        yield ((*loc, end_field), getattr(inj, end_field),
               f"{verb} before it was injected ({_show(inj.injected_at)}); times must not go "
               "backwards (clock times are on the game-day date)")
    if acknowledged is not None:
        if acknowledged < injected:
            yield ((*loc, "acknowledged_at"), inj.acknowledged_at,
                   f"acknowledged before it was injected ({_show(inj.injected_at)})")
        elif end is not None and end >= injected and acknowledged > end:
            yield ((*loc, "acknowledged_at"), inj.acknowledged_at,
                   f"acknowledged after {end_field} ({_show(getattr(inj, end_field))})")
    previous = injected
    for j, e in enumerate(inj.escalations):
        at = minute(e.at)
        if at < previous:
            what = "injected_at" if j == 0 else f"escalations[{j - 1}].at"
            earlier = inj.injected_at if j == 0 else inj.escalations[j - 1].at
            yield ((*loc, "escalations", j, "at"), e.at,
                   f"escalation before {what} ({_show(earlier)}); list escalations in the "
                   "order they happened, between injection and mitigation")
        elif end is not None and at > end:
            yield ((*loc, "escalations", j, "at"), e.at,
                   f"escalation after {end_field} ({_show(getattr(inj, end_field))})")
        previous = max(previous, at)


def _all_times(inj: Injection) -> list:
    return [t for t in (inj.injected_at, inj.acknowledged_at, inj.mitigated_at,
                        inj.abandoned_at, *(e.at for e in inj.escalations)) if t is not None]


def _show(value) -> str:
    return value if isinstance(value, str) else f"{value:g} min"


# -- CSV ----------------------------------------------------------------------------------------

GAMEDAY_COLUMNS = {"date": "date", "scenario_day": "scenario_day", "start": "start",
                   "hero_role": "hero_role", "absent": "absent", "primary": "primary",
                   "gameday_notes": "notes"}
INJECTION_COLUMNS = ("id", "class", "injected_at", "acknowledged_at", "acknowledged_by",
                     "mitigated_at", "abandoned", "abandoned_at", "led_by", "participants",
                     "escalations", "hero_involved", "hero_consulted", "hints", "notes")
REQUIRED_COLUMNS = ("date", "hero_role", "class", "injected_at", "acknowledged_at",
                    "mitigated_at", "led_by")
LIST_COLUMNS = ("absent", "participants")
ESCALATION_HELP = ("escalations are 'kind:to@time' or 'kind:from>to@time' joined by ';', e.g. "
                   "'manual:marco@10:20; informal:tom>priya@10:31' (kinds: timeout, manual, "
                   "informal, reroute)")


def _csv_document(path: str | Path) -> tuple[dict, Any]:
    """A CSV file -> the same document a YAML file gives, and a locator for its errors."""
    name = str(path)
    text = read_text(path, name)
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError([Problem(name, "", None, "the file is empty; expected a header "
                                     "row and one row per injection")])
    header = [h.strip() for h in rows[0]]
    delimiter = foreign_delimiter(name, header, "row 1 (header)")
    if delimiter:
        raise delimiter
    allowed = [*GAMEDAY_COLUMNS, *INJECTION_COLUMNS]
    problems = []
    for column in header:
        if column not in allowed:
            close = difflib.get_close_matches(column, allowed, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem(name, "row 1 (header)", value_repr(column),
                                    f"unknown column; {hint}allowed: {', '.join(allowed)}"))
    for column in REQUIRED_COLUMNS:
        if column not in header:
            problems.append(Problem(name, "row 1 (header)", None,
                                    f"missing column '{column}'; the required columns are "
                                    f"{', '.join(REQUIRED_COLUMNS)}"))
    duplicated = sorted({c for c in header if header.count(c) > 1})
    for column in duplicated:
        problems.append(Problem(name, "row 1 (header)", value_repr(column),
                                "column given twice"))
    if len(rows) == 1:
        problems.append(Problem(name, "", None, "no injections: the header is followed by no "
                                "rows"))
    if problems:
        raise InputError(problems)
    gameday: dict[str, Any] = {}
    gameday_rows: dict[str, int] = {}
    injections = []
    for index, raw in enumerate(rows[1:]):
        row_number = index + 2
        if len(raw) > len(header):
            problems.append(Problem(name, f"row {row_number}", value_repr(raw[len(header):]),
                                    f"the row has {len(raw)} cells; the header has "
                                    f"{len(header)} columns"))
            continue
        cells = {h: raw[i].strip() if i < len(raw) else "" for i, h in enumerate(header)}
        injection: dict[str, Any] = {}
        for column, value in cells.items():
            if value == "":
                continue
            if column in GAMEDAY_COLUMNS:
                field = GAMEDAY_COLUMNS[column]
                parsed = _split(value) if column in LIST_COLUMNS else value
                if field in gameday and gameday[field] != parsed:
                    problems.append(Problem(
                        name, f"row {row_number}: {column}", value_repr(value),
                        f"differs from row {gameday_rows[field]} "
                        f"({value_repr(gameday[field])}); the game-day columns must agree on "
                        "every row, or be left empty after the first"))
                gameday.setdefault(field, parsed)
                gameday_rows.setdefault(field, row_number)
            elif column in LIST_COLUMNS:
                injection[column] = _split(value)
            elif column == "escalations":
                parsed, problem = _escalations(value)
                if problem:
                    problems.append(Problem(name, f"row {row_number}: escalations",
                                            value_repr(problem), ESCALATION_HELP))
                injection[column] = parsed
            else:
                injection[column] = value
        injections.append(injection)
    if problems:
        raise InputError(problems)

    def locate(loc: tuple) -> str:
        if loc and loc[0] == "injections" and len(loc) > 1 and isinstance(loc[1], int):
            rest = format_path(loc[2:])
            return f"row {loc[1] + 2}" + (f": {rest}" if rest else "")
        if loc and loc[0] == "gameday" and len(loc) > 1:
            column = next((c for c, f in GAMEDAY_COLUMNS.items() if f == loc[1]), str(loc[1]))
            row = gameday_rows.get(loc[1], 2)
            rest = format_path(loc[2:])
            return f"row {row}: {column}" + (rest if rest.startswith("[") else
                                                  f".{rest}" if rest else "")
        return format_path(loc)

    return {"gameday": gameday, "injections": injections}, locate


def _csv_path(field_path: str, locate) -> str:
    """Re-express a YAML-style field path ('injections[3].led_by') as a CSV row and column."""
    match = re.match(r"^(injections|gameday)(?:\[(\d+)\])?\.?(.*)$", field_path)
    if not match:
        return field_path
    head, index, rest = match.groups()
    loc: list = [head]
    if index is not None:
        loc.append(int(index))
    parts = [p for p in re.split(r"\.|\[(\d+)\]", rest) if p]
    loc += [int(p) if p.isdigit() else p for p in parts]
    return locate(tuple(loc))


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]


def _escalations(value: str) -> tuple[list[dict], str | None]:
    """'manual:marco@10:20; informal:tom>priya@10:31' -> escalation dicts; or the bad item."""
    out = []
    for item in (part.strip() for part in value.split(";")):
        if not item:
            continue
        kind, sep, rest = item.partition(":")
        who, at_sep, at = rest.rpartition("@")
        if not sep or not at_sep or not who or not at:
            return out, item
        source, arrow, target = who.rpartition(">")
        entry = {"kind": kind.strip(), "to": target.strip(), "at": at.strip()}
        if arrow:
            entry["from"] = source.strip()
        out.append(entry)
    return out, None
