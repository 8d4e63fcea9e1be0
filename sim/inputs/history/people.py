"""People in a history: users keyed by their PagerDuty user id, named by labels, with readable ids.

PagerDuty names people twice, by user id and by display name. A display name changes when a
user renames themselves; the id does not. So a person is a user id (or, where a source gives
only names, a name), labelled with their latest name (a people file's name wins), their earlier
names kept as aliases, and given a readable identifier transliterated from the label
('José Muñoz' -> 'jose-munoz') that scenarios and `--without` use.

A people file is PagerDuty's users list (`GET /users`: `{"users": [...]}`; the Analytics raw
users `{"data": [...]}`; a bare list) or a CSV with the same fields (`id`, `name`, `email`,
`time_zone`; `user_id`, `user_name`, `timezone` are read as well). `herosim generate` writes one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import InputError, Problem
from sim.inputs.files import foreign_delimiter
from sim.inputs.history.records import PersonRecord, SkippedRow, short
from sim.schema import check_zone

MAX_PEOPLE_BYTES = 64 * 1024 * 1024
MAX_ID_CHARS = 64

# Letters NFKD does not split into a base letter and a mark.
_LETTERS = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D",
            "þ": "th", "Þ": "Th", "ß": "ss", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe",
            "ı": "i", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T", "ŋ": "ng", "Ŋ": "Ng"}

ID_COLUMNS = ("id", "user_id")
NAME_COLUMNS = ("name", "user_name", "summary")
ZONE_COLUMNS = ("time_zone", "timezone")


def transliterate(text: str) -> str:
    """Latin letters with their accents taken off ('Żółw' -> 'Zolw'); other scripts are
    left out (the caller falls back to the user id)."""
    text = "".join(_LETTERS.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and ch.isascii())


def readable_id(name: str, fallback: str = "x") -> str:
    """An identifier from a display name: 'Dr. José Muñoz' -> 'dr-jose-munoz'."""
    words = re.sub(r"[^a-z0-9]+", "-", transliterate(name).lower()).strip("-")
    words = words[:MAX_ID_CHARS].strip("-")
    if words:
        return words
    return re.sub(r"[^a-z0-9]+", "-", fallback.lower()).strip("-")[:MAX_ID_CHARS] or "x"


@dataclass(frozen=True)
class UserRow:
    """One user of a people file."""

    user_id: str
    name: str
    email: str = ""
    timezone: str | None = None


@dataclass
class PeopleFile:
    """A people file as read: its users by id, and the rows that could not be used."""

    file: str
    users: dict[str, UserRow] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)

    def by_name(self) -> dict[str, UserRow]:
        """Users by name (names held by one user only)."""
        counts: dict[str, list[UserRow]] = defaultdict(list)
        for user in self.users.values():
            counts[user.name].append(user)
        return {name: rows[0] for name, rows in counts.items() if len(rows) == 1}


@dataclass(frozen=True)
class Sighting:
    """A person named in an incident: by user id (`is_id`) or by name alone, the name written
    there (if any), and when."""

    key: str
    name: str | None
    at: dt.datetime
    is_id: bool = True


def build_directory(sightings: Iterable[Sighting], people: PeopleFile | None = None
                    ) -> tuple[dict[str, PersonRecord], dict[str, str]]:
    """People from what the incidents name, and how each key maps to a readable id.

    A user id is one person whatever names it carried (the latest is the label unless the people
    file names them). A person named without an id is merged into the user id that name belongs
    to when exactly one id carries it, in the history or the people file.

    Returns:
        (readable id -> PersonRecord, key -> readable id), people in order of first appearance.
    """
    seen: dict[str, list[tuple[dt.datetime, str]]] = {}  # user id -> (when, name)
    first: dict[str, dt.datetime] = {}
    bare: dict[str, dt.datetime] = {}  # names seen without an id -> first seen
    owners: dict[str, set[str]] = defaultdict(set)  # name -> the user ids that carried it
    for s in sightings:
        if s.is_id:
            names = seen.setdefault(s.key, [])
            first.setdefault(s.key, s.at)
            if s.name:
                names.append((s.at, s.name))
                owners[s.name].add(s.key)
        else:
            bare.setdefault(s.key, s.at)
    file_users = people.users if people else {}
    file_names = people.by_name() if people else {}
    alias_of: dict[str, str] = {}
    for name, at in bare.items():
        candidates = owners.get(name) or (
            {file_names[name].user_id} if name in file_names else set())
        if len(candidates) == 1:
            owner = next(iter(candidates))
            alias_of[name] = owner
            seen.setdefault(owner, []).append((at, name))
            first[owner] = min(first.get(owner, at), at)
    keys = sorted([*seen, *(n for n in bare if n not in alias_of)],
                  key=lambda k: (first.get(k) or bare[k], k))
    directory: dict[str, PersonRecord] = {}
    to_id: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        is_id = key in seen
        history_names = [n for _, n in sorted(seen.get(key, []), key=lambda pair: pair[0])]
        history_names = list(dict.fromkeys(history_names)) or ([] if is_id else [key])
        user = file_users.get(key) if is_id else None
        label = (user.name if user else None) or (history_names[-1] if history_names else key)
        aliases = tuple(n for n in history_names if n != label)
        base = readable_id(label, fallback=key)
        ident, k = base, 1
        while ident in used:
            k += 1
            ident = f"{base[:MAX_ID_CHARS - 4]}-{k}"
        used.add(ident)
        zone = user.timezone if user else None
        directory[ident] = PersonRecord(
            id=ident, user_id=key if is_id else None, name=label, aliases=aliases,
            timezone=zone or "UTC", zone_source="people file" if zone else "default")
        to_id[key] = ident
    for name, owner in alias_of.items():
        to_id[name] = to_id[owner]
    return directory, to_id


# -- the people file ---------------------------------------------------------------------------


def load_people(path: str | Path) -> PeopleFile:
    """Read a people file (PagerDuty users as JSON, or a CSV with their fields).

    Rows without an id or a name, or with an unknown time zone, are skipped and reported (a
    bad zone leaves the user without one: their zone is inferred instead).

    Raises:
        InputError: the file is missing, empty, not JSON/CSV of users, or has no usable row.
    """
    name = str(path)
    file = Path(path)
    if not file.is_file():
        raise InputError([Problem(name, "", None, "no such file; expected PagerDuty's users "
                                  "(JSON) or a CSV with id, name, time_zone")])
    if file.stat().st_size > MAX_PEOPLE_BYTES:
        raise InputError([Problem(name, "", None, "the file is too large for a people file")])
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError([Problem(name, "", None, f"not UTF-8 text (offset {error.start}); "
                                  "save it as UTF-8")]) from None
    if not text.strip():
        raise InputError([Problem(name, "", None, "the file is empty")])
    records = _json_users(text, name) if text.lstrip()[:1] in "[{" else _csv_users(text, name)
    result = PeopleFile(name)
    for number, where, record in records:
        row = _user(number, where, record)
        if isinstance(row, SkippedRow):
            result.skipped.append(row)
            continue
        if row.user_id in result.users:
            result.skipped.append(SkippedRow(number, where, "id", short(row.user_id),
                                             "duplicate user id"))
            continue
        result.users[row.user_id] = row
    if not result.users:
        raise InputError([Problem(name, "", None, "no user could be read; each needs an id and "
                                  "a name (PagerDuty's users: id, name, time_zone)")])
    return result


def _json_users(text: str, name: str) -> list[tuple[int, str, object]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError([Problem(name, f"line {error.lineno}", None,
                                  f"not valid JSON: {error.msg}")]) from None
    key = "list"
    if isinstance(doc, dict):
        key = "users" if isinstance(doc.get("users"), list) else "data"
        doc = doc.get(key)
    if not isinstance(doc, list):
        raise InputError([Problem(name, "users", None, "expected PagerDuty's users: an object "
                                  "whose 'users' (or 'data') is a list, or a bare list")])
    return [(i + 1, f"{key}[{i}]", r) for i, r in enumerate(doc)]


def _csv_users(text: str, name: str) -> list[tuple[int, str, object]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    delimiter = foreign_delimiter(name, header, "line 1")
    if delimiter:
        raise delimiter
    if not set(header) & set(ID_COLUMNS) or not set(header) & set(NAME_COLUMNS):
        raise InputError([Problem(name, "line 1", short(header[:8]),
                                  "a people CSV needs an id (or user_id) and a name (or "
                                  "user_name) column; time_zone gives each person's zone")])
    rows = []
    try:
        for number, row in enumerate(reader, 1):
            rows.append((number, f"line {reader.line_num}",
                         {(k or "").strip(): v for k, v in row.items()}))
    except csv.Error as error:
        raise InputError([Problem(name, f"line {reader.line_num}", None,
                                  f"broken CSV: {error}")]) from None
    return rows


def _user(number: int, where: str, record: object) -> UserRow | SkippedRow:
    if not isinstance(record, dict):
        return SkippedRow(number, where, "(record)", short(record), "a user must be an object")
    user_id = _first(record, ID_COLUMNS)
    name = _first(record, NAME_COLUMNS)
    if not user_id:
        return SkippedRow(number, where, "id", None, "missing: every user needs an id")
    if not name:
        return SkippedRow(number, where, "name", None, "missing: every user needs a name")
    zone = _first(record, ZONE_COLUMNS) or None
    if zone is not None:
        try:
            zone = check_zone(zone)
        except Exception:
            return SkippedRow(number, where, "time_zone", short(zone),
                              "not an IANA time zone (e.g. Europe/Berlin)")
    return UserRow(user_id, name, str(record.get("email") or "").strip(), zone)


def _first(record: dict, keys: tuple[str, ...]) -> str:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""
