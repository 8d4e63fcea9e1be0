"""The team's calendar: local time, hour classes, absences and who is on call when.

Everything here is precomputed per day before a replication starts, so the engine's questions
("is Priya asleep now?", "who is primary?") are list lookups, not time-zone conversions.
"""

from __future__ import annotations

import datetime as dt
import functools
from zoneinfo import ZoneInfo

import numpy as np

from sim.schema import MINUTES_PER_DAY, WEEKDAY_INDEX, HourClass, Scenario, Schedule, hour_class_of

# Days after the horizon still covered by the calendar: incidents that arrive late keep running.
TAIL_DAYS = 28


def utc_offsets(scenario: Scenario, zone: str, days: int) -> list[float]:
    """Minutes `zone` is ahead of the scenario's zone, for each day at noon (DST-aware)."""
    return list(_offsets(scenario.timezone, scenario.start_date, zone, days))


@functools.lru_cache(maxsize=256)
def _offsets(reference: str, start_date: dt.date, zone: str, days: int) -> tuple[float, ...]:
    ref = ZoneInfo(reference)
    local = ZoneInfo(zone)
    start = dt.datetime.combine(start_date, dt.time(12), tzinfo=ref)
    offsets = []
    for day in range(days):
        instant = start + dt.timedelta(days=day)
        # The local wall clock minus the reference one: the difference of their UTC offsets.
        ahead = instant.astimezone(local).replace(tzinfo=None) - instant.replace(tzinfo=None)
        offsets.append(ahead.total_seconds() / 60.0)
    return tuple(offsets)


# Who is on call per hour, by (schedule layers, span, planned absences): see _on_call_table.
_ON_CALL_TABLES: dict[tuple, tuple[list[Schedule], list[str | None]]] = {}

BIN_MINUTES = 15  # local-time questions are answered per quarter hour (Asia/Kolkata is +5:30)
BINS_PER_DAY = MINUTES_PER_DAY // BIN_MINUTES
HOUR_CLASS_BY_CODE = (HourClass.BUSINESS, HourClass.OFF, HourClass.SLEEP)
HOUR_CODE = {hour_class: code for code, hour_class in enumerate(HOUR_CLASS_BY_CODE)}


@functools.lru_cache(maxsize=256)
def _hour_tables(offsets: tuple[float, ...], hours: tuple[int, int], days: tuple[int, ...],
                 span: int) -> tuple[bytes, bytes]:
    """Per quarter hour: the PagerDuty hour class, and the class that sets answer speed
    (working hours count as business), coded 0 business, 1 off, 2 sleep. Cached: every
    replication of a scenario shares them."""
    t = np.arange(span * BINS_PER_DAY, dtype=np.float64) * BIN_MINUTES
    local = t + np.asarray(offsets)[(t // MINUTES_PER_DAY).astype(int)]
    local_day = np.floor(local / MINUTES_PER_DAY)
    minute = local - local_day * MINUTES_PER_DAY
    weekday = (local_day % 7).astype(int)
    hour_code = _week_of_codes()[weekday * MINUTES_PER_DAY + minute.astype(int)]
    sleep = hour_code == HOUR_CODE[HourClass.SLEEP]
    start, end = hours
    working = np.isin(weekday, list(days)) & (minute >= start) & (minute < end)
    response = np.where(working, 0, np.where(sleep, 2, 1)).astype(np.uint8)
    return hour_code.tobytes(), response.tobytes()


@functools.lru_cache(maxsize=1)
def _week_of_codes() -> np.ndarray:
    """The hour class code of every local minute of a week, from Monday 00:00: the rule
    (`sim.schema.hour_class_of`) tabulated, so that it is written once."""
    return np.array([HOUR_CODE[hour_class_of(day, minute)] for day in range(7)
                     for minute in range(MINUTES_PER_DAY)], dtype=np.uint8)


class Calendar:
    """Local time, working hours, absences and rotations of one team for one replication.

    Hour classes are tabulated per quarter hour and who is on call per hour, so that the
    engine's questions cost a list lookup.
    """

    def __init__(
        self,
        scenario: Scenario,
        days: int,
        without: tuple[str, ...] = (),
        sick_rng: np.random.Generator | None = None,
    ):
        self.days = days
        self.span = days + TAIL_DAYS
        self.people = [p.id for p in scenario.people]
        self.offsets: dict[str, list[float]] = {}
        self.working: dict[str, tuple[int, int, frozenset[int]]] = {}
        self.planned: dict[str, bytearray] = {}
        self.sick: dict[str, bytearray] = {}
        self.absent_days: dict[str, bytearray] = {}
        self.hour_codes: dict[str, bytes] = {}
        self.response_codes: dict[str, bytes] = {}
        self.wakeable = {p.id: p.wakeable for p in scenario.people}
        self._last_bin = self.span * BINS_PER_DAY - 1
        self._last_hour = self.span * 24 - 1
        zone_offsets: dict[str, list[float]] = {}
        for p in scenario.people:
            if p.timezone not in zone_offsets:
                zone_offsets[p.timezone] = utc_offsets(scenario, p.timezone, self.span)
            self.offsets[p.id] = zone_offsets[p.timezone]
            hours = p.working_hours
            self.working[p.id] = (
                hours.start * 60, hours.end * 60, frozenset(WEEKDAY_INDEX[d] for d in hours.days)
            )
            self.planned[p.id] = self._planned_days(p.absences, p.id in without)
            self.sick[p.id] = self._sick_days(p.sick_days_per_year, sick_rng, days)
            both = zip(self.planned[p.id], self.sick[p.id])  # mypyc cannot unroll a bytearray zip
            self.absent_days[p.id] = bytearray(a | b for a, b in both)
            self.hour_codes[p.id], self.response_codes[p.id] = _hour_tables(
                tuple(self.offsets[p.id]), self.working[p.id][:2],
                tuple(sorted(self.working[p.id][2])), self.span)
        self.schedules = {
            "primary": scenario.rotation.primary,
            "secondary": scenario.rotation.secondary,
            "shadow": scenario.rotation.shadow,
        }
        self._on_call_current: dict[str, tuple[object, list]] = {}  # the version in force

    def _planned_days(self, absences, always: bool) -> bytearray:
        days = bytearray([1 if always else 0]) * self.span
        for a in absences:
            for d in range(a.start_day, min(a.end_day, self.span - 1) + 1):
                days[d] = 1
        return days

    def _sick_days(self, per_year: float, rng: np.random.Generator | None, days: int) -> bytearray:
        # Always draw for every person so that one person's rate never shifts another's days.
        draws = rng.random(days) if rng is not None else np.ones(days)
        sick = bytearray(self.span)
        for d in np.flatnonzero(draws < per_year / 365.0):
            sick[int(d)] = 1
        return sick

    def day(self, t: float) -> int:
        """The scenario day (0 first) of time `t`."""
        d = int(t // MINUTES_PER_DAY)
        return d if d < self.span else self.span - 1

    def absent(self, person: str, t: float) -> bool:
        """Whether `person` is away at `t` (a planned absence or a sick day)."""
        d = int(t // MINUTES_PER_DAY)
        return self.absent_days[person][d if d < self.span else self.span - 1] == 1

    def planned_absent(self, person: str, t: float) -> bool:
        """Whether `person` is on a planned absence at `t` (the rotation covers for them)."""
        return bool(self.planned[person][self.day(t)])

    def present_ever_after(self, person: str, t: float) -> float | None:
        """The first time at or after `t` when `person` is present, or None."""
        absent = self.absent_days[person]
        for d in range(self.day(t), self.span):
            if not absent[d]:
                return max(t, d * MINUTES_PER_DAY)
        return None

    def local_minute(self, person: str, t: float) -> tuple[int, float]:
        """Local weekday (0 = Monday) and minute of day for `person` at `t`."""
        local = t + self.offsets[person][self.day(t)]
        day = int(local // MINUTES_PER_DAY)
        return day % 7, local - day * MINUTES_PER_DAY

    def bin(self, t: float) -> int:
        """The quarter-hour bin of `t` (the last one past the calendar's end)."""
        b = int(t // BIN_MINUTES)
        return b if b < self._last_bin else self._last_bin

    def hour_class(self, person: str, t: float) -> HourClass:
        """PagerDuty's interruption class of `t` in `person`'s local time."""
        return HOUR_CLASS_BY_CODE[self.hour_codes[person][self.bin(t)]]

    def response_class(self, person: str, t: float) -> HourClass:
        """How fast `person` answers at `t`: working hours count as business, else off/sleep."""
        return HOUR_CLASS_BY_CODE[self.response_codes[person][self.bin(t)]]

    def on_call(self, layer: str, t: float) -> str | None:
        """Who holds `layer` at `t`; a planned absence hands the shift to the next member.

        Of several schedule layers, the first whose hours cover `t` decides; None when no
        layer covers `t` (nobody is on call for it then).
        """
        layers = self.schedules[layer]
        current = self._on_call_current.get(layer)
        if current is None or current[0] is not layers:
            if not layers:
                return None
            # A plan may swap the schedule; each version is tabulated once.
            current = (layers, self._on_call_table(layers))
            self._on_call_current[layer] = current
        h = int(t // 60)
        return current[1][h if h < self._last_hour else self._last_hour]

    def _on_call_table(self, layers: list[Schedule]) -> list[str | None]:
        """The table of `_tabulate`, shared by calendars with the same schedule, span and
        planned absences of its members (the replays of a check build dozens of those)."""
        members = {m for schedule in layers for m in schedule.members}
        key = (id(layers), self.span, tuple(bytes(self.planned[m]) for m in sorted(members)))
        cached = _ON_CALL_TABLES.get(key)
        if cached is None:
            if len(_ON_CALL_TABLES) >= 64:
                _ON_CALL_TABLES.pop(next(iter(_ON_CALL_TABLES)))  # the oldest
            # The entry holds `layers`, so no other list can take its id while it is kept.
            cached = _ON_CALL_TABLES[key] = (layers, self._tabulate(layers))
        return cached[1]

    def _tabulate(self, layers: list[Schedule]) -> list[str | None]:
        """Who is on call for each hour of the calendar (hand-offs and hours are whole)."""
        hours = np.arange(self.span * 24)
        hour_of_day = hours % 24
        table = np.full(hours.size, None, dtype=object)
        undecided = np.ones(hours.size, dtype=bool)
        for schedule in layers:
            covered = undecided.copy()
            if schedule.hours is not None:
                start, end = schedule.hours.start, schedule.hours.end
                inside = ((hour_of_day >= start) & (hour_of_day < end) if start < end
                          else (hour_of_day >= start) | (hour_of_day < end))
                covered &= inside
            table[covered] = self._members_on_call(schedule, hours)[covered]
            undecided &= ~covered
        return table.tolist()

    def _members_on_call(self, schedule: Schedule, hours: np.ndarray) -> np.ndarray:
        """The member on call at each hour: the scheduled one, or, when they are on planned
        absence that day, the next member who is not (the override a team would set up)."""
        members = schedule.members
        count = len(members)
        period = schedule.period_days * 24
        first = ((hours - schedule.handoff_hour) // period + schedule.offset) % count
        days = np.minimum(hours // 24, self.span - 1)
        away = np.array([np.frombuffer(bytes(self.planned[m]), dtype=np.uint8) for m in members],
                        dtype=bool)
        chosen = first.copy()
        found = np.zeros(hours.size, dtype=bool)
        for step in range(count):
            candidate = (first + step) % count
            ok = ~found & ~away[candidate, days]
            chosen[ok] = candidate[ok]
            found |= ok
        # Everyone away: the page goes to the scheduled member anyway (and times out).
        return np.array(members, dtype=object)[chosen]

    def _member_on_call(self, schedule: Schedule, t: float) -> str:
        members = schedule.members
        shift = int((t - schedule.handoff_hour * 60) // (schedule.period_days * MINUTES_PER_DAY))
        first = (shift + schedule.offset) % len(members)
        for step in range(len(members)):
            person = members[(first + step) % len(members)]
            if not self.planned_absent(person, t):
                return person
        return members[first]

    def on_rotation(self, person: str, t: float) -> bool:
        """Whether `person` is on call in any layer (primary, secondary, shadow) at `t`."""
        return person == self.on_call("primary", t) or person == self.on_call("secondary", t)

    def reachable(self, person: str, t: float) -> bool:
        """Present, and either on rotation, awake, or willing to be woken."""
        if self.absent(person, t):
            return False
        if self.wakeable[person]:
            return True
        if self.hour_codes[person][self.bin(t)] != 2:
            return True  # awake
        return self.on_rotation(person, t)

    def available_minutes(self, person: str) -> float:
        """Minutes of the horizon the person is not absent."""
        absent = sum(self.absent_days[person][: self.days])
        return float((self.days - absent) * MINUTES_PER_DAY)
