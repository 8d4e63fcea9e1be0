"""The team's calendar: local time, hour classes, absences and who is on call when.

Everything here is precomputed per day before a replication starts, so the engine's questions
("is Priya asleep now?", "who is primary?") are list lookups, not time-zone conversions.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from bisect import bisect_right
from zoneinfo import ZoneInfo

import numpy as np

from sim.model.events import away_days
from sim.schema import (
    MINUTES_PER_DAY,
    WEEKDAY_INDEX,
    HourClass,
    HourRange,
    Scenario,
    Schedule,
    covered,
    hour_class_of,
    members_of,
)

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


@functools.lru_cache(maxsize=256)
def _duty_table(offsets: tuple[float, ...], windows: tuple[HourRange, ...], span: int) -> bytes:
    """Per quarter hour: 1 when the local time of the bin's start is inside one of the
    person's availability windows (`Person.available`), else 0. Cached like the hour tables."""
    t = np.arange(span * BINS_PER_DAY, dtype=np.float64) * BIN_MINUTES
    local = t + np.asarray(offsets)[(t // MINUTES_PER_DAY).astype(int)]
    local_day = np.floor(local / MINUTES_PER_DAY)
    minute = (local - local_day * MINUTES_PER_DAY).astype(int)
    weekday = (local_day % 7).astype(int)
    # The windows tabulated over one week of local minutes, then looked up.
    week = np.array([covered(list(windows), m, d) for d in range(7)
                     for m in range(MINUTES_PER_DAY)], dtype=np.uint8)
    return week[weekday * MINUTES_PER_DAY + minute].tobytes()


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
        self.duty: dict[str, bytes | None] = {}  # on duty per bin; None: always
        self._last_bin = self.span * BINS_PER_DAY - 1
        self._last_available: dict[str, int] = {}
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
            self.planned[p.id] = self._planned_days(
                [(a.start_day, a.end_day) for a in p.absences]
                + away_days(scenario, p.id, self.span), p.id in without)
            self.sick[p.id] = self._sick_days(p.sick_days_per_year, sick_rng, days)
            both = zip(self.planned[p.id], self.sick[p.id])  # mypyc cannot unroll a bytearray zip
            self.absent_days[p.id] = bytearray(a | b for a, b in both)
            self.hour_codes[p.id], self.response_codes[p.id] = _hour_tables(
                tuple(self.offsets[p.id]), self.working[p.id][:2],
                tuple(sorted(self.working[p.id][2])), self.span)
            self.duty[p.id] = (None if p.available is None else
                               _duty_table(tuple(self.offsets[p.id]), tuple(p.available),
                                           self.span))
        self.pooled = scenario.rotation.pool
        self.schedules = {
            "primary": scenario.rotation.primary,
            "secondary": scenario.rotation.secondary,
            "shadow": scenario.rotation.shadow,
        }
        self._on_call_current: dict[str, tuple[object, list]] = {}  # the version in force
        self._pool_current: tuple[object, list[tuple[str, ...]]] | None = None
        self._status: dict[tuple, tuple[object, object, list[int]]] = {}

    def _planned_days(self, absences: list[tuple[int, int]], always: bool) -> bytearray:
        """Planned days away: absences and team events, (first, last) day ranges."""
        days = bytearray([1 if always else 0]) * self.span
        for first, last in absences:
            for d in range(first, min(last, self.span - 1) + 1):
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

    def on_duty(self, person: str, t: float) -> bool:
        """Whether `t` is inside one of `person`'s availability windows (always, without)."""
        duty = self.duty[person]
        return duty is None or duty[self.bin(t)] == 1

    def available(self, person: str, t: float) -> bool:
        """Whether `person` can take up work at `t`: not away, and on duty."""
        d = int(t // MINUTES_PER_DAY)
        if self.absent_days[person][d if d < self.span else self.span - 1]:
            return False
        duty = self.duty[person]
        if duty is None:
            return True
        b = int(t // BIN_MINUTES)
        return duty[b if b < self._last_bin else self._last_bin] == 1

    def available_again(self, person: str, t: float) -> bool:
        """Whether `person` is available at `t` or at some time after it within the calendar
        (not if they are away, or off duty, for the rest of it)."""
        return self.bin(t) <= self._last_available_bin(person)

    def _last_available_bin(self, person: str) -> int:
        """The last quarter hour in which `person` is available (-1: never), tabulated once:
        absences and windows are fixed when the calendar is built."""
        last = self._last_available.get(person)
        if last is None:
            absent = self.absent_days[person]
            duty = self.duty[person]
            last = -1
            for d in range(self.span - 1, -1, -1):
                if absent[d]:
                    continue
                if duty is None:
                    last = (d + 1) * BINS_PER_DAY - 1
                    break
                for b in range((d + 1) * BINS_PER_DAY - 1, d * BINS_PER_DAY - 1, -1):
                    if duty[b] == 1:
                        last = b
                        break
                if last >= 0:
                    break
            self._last_available[person] = last
        return last

    def next_change(self, person: str, t: float) -> float:
        """The first quarter-hour boundary after `t` at which `person` becomes or stops being
        available, reachable or a member of the pool; infinity when that never happens within
        the calendar. (What decides whether they can be offered waiting work.)"""
        changes = self._status_changes(person)
        i = bisect_right(changes, self.bin(t))
        return math.inf if i == len(changes) else changes[i] * float(BIN_MINUTES)

    def _status_changes(self, person: str) -> list[int]:
        """The quarter hours at which `person`'s availability, reachability or pool membership
        changes (see next_change), for the rotation in force (tabulated once per version of it)."""
        key = (person, id(self.schedules["primary"]), id(self.schedules["secondary"]))
        cached = self._status.get(key)
        if cached is not None and cached[0] is self.schedules["primary"] \
                and cached[1] is self.schedules["secondary"]:
            return cached[2]
        codes = self._status_codes(person)
        changes = (np.flatnonzero(codes[1:] != codes[:-1]) + 1).tolist()
        self._status[key] = (self.schedules["primary"], self.schedules["secondary"], changes)
        return changes

    def _status_codes(self, person: str) -> np.ndarray:
        """Per quarter hour: available (1) + reachable (2) + in the pool (4), for the rotation
        in force."""
        per_hour = BINS_PER_DAY // 24
        absent = np.frombuffer(bytes(self.absent_days[person]), dtype=np.uint8)
        available = np.repeat(absent == 0, BINS_PER_DAY)
        duty = self.duty[person]
        if duty is not None:
            available &= np.frombuffer(duty, dtype=np.uint8) == 1
        if self.wakeable[person]:
            reachable = available
        else:
            awake = np.frombuffer(self.hour_codes[person], dtype=np.uint8) != 2
            rota = np.zeros(self.span * 24, dtype=bool)
            for layer in ("primary", "secondary"):
                if self.schedules[layer]:
                    self.on_call(layer, 0.0)  # tabulates the version in force
                    table = np.array(self._on_call_current[layer][1], dtype=object)
                    rota |= table == person
            reachable = available & (awake | np.repeat(rota, per_hour))
        codes = available.astype(np.uint8) + 2 * reachable.astype(np.uint8)
        if self.pooled:
            self.pool_members(0.0)  # tabulates the version in force
            assert self._pool_current is not None
            member = np.array([person in members for members in self._pool_current[1]])
            codes = codes + 4 * np.repeat(member, per_hour).astype(np.uint8)
        return codes

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
        table = np.full(hours.size, None, dtype=object)
        undecided = np.ones(hours.size, dtype=bool)
        for schedule in layers:
            inside = undecided & self._layer_hours(schedule, hours.size)
            table[inside] = self._members_on_call(schedule, hours)[inside]
            undecided &= ~inside
        return table.tolist()

    @staticmethod
    def _layer_hours(schedule: Schedule, count: int) -> np.ndarray:
        """Whether the layer is in force at each of the first `count` hours (its `hours`,
        in the scenario's zone; a layer without them always is)."""
        if schedule.hours is None:
            return np.ones(count, dtype=bool)
        window = schedule.hours
        week = np.array([window.covers(h % 24 * 60, h // 24) for h in range(168)], dtype=bool)
        return np.resize(week, count)

    def pool_members(self, t: float) -> tuple[str, ...]:
        """A pool rotation's members at `t`: those of the primary layers in force then."""
        layers = self.schedules["primary"]
        current = self._pool_current
        if current is None or current[0] is not layers:
            current = (layers, self._pool_table(layers or []))
            self._pool_current = current
        h = int(t // 60)
        return current[1][h if h < self._last_hour else self._last_hour]

    def in_pool(self, person: str, t: float) -> bool:
        """Whether `person` is a member of the pool at `t` (False without a pool)."""
        return self.pooled and person in self.pool_members(t)

    def _pool_table(self, layers: list[Schedule]) -> list[tuple[str, ...]]:
        """The pool's members for each hour of the calendar (shared tuples)."""
        count = self.span * 24
        if all(schedule.hours is None for schedule in layers):
            everyone = tuple(members_of(layers))
            return [everyone] * count
        inside = [self._layer_hours(schedule, count) for schedule in layers]
        by_pattern: dict[tuple[bool, ...], tuple[str, ...]] = {}
        table = []
        for h in range(count):
            pattern = tuple(bool(layer[h]) for layer in inside)
            members = by_pattern.get(pattern)
            if members is None:
                members = by_pattern[pattern] = tuple(members_of(
                    [s for s, on in zip(layers, pattern) if on]))
            table.append(members)
        return table

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
        """Whether `person` is on call as primary or secondary at `t`."""
        return person == self.on_call("primary", t) or person == self.on_call("secondary", t)

    def reachable(self, person: str, t: float) -> bool:
        """Available (not away, on duty), and either on rotation, awake, or willing to be
        woken."""
        if not self.available(person, t):
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
