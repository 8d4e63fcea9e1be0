"""What the calibration modules share: one team's slice of the history, identifiers, work
times, the skill ramp, the hour classes of the week."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sim.inputs.history import History, HistoryIncident, hour_class_at, readable_id, team_of
from sim.schema import HOURS_PER_WEEK, MINUTES_PER_DAY, HourClass, hour_class_of

# Difficulty and knowledge are not separately identifiable from history: every class gets the
# scale's midpoint and skills are fitted relative to it.
DIFFICULTY = 0.5
POLICY_TIMEOUT = 15.0  # minutes: the default escalation policy's acknowledgement timeout


@dataclass
class TeamData:
    """One team's part of a history, as the fits read it.

    Attributes:
        name: the team (team_name, else escalation policy).
        history: the whole history (people's zones, the window).
        incidents: the team's incidents that someone handled or that are open, oldest first
            (auto-resolved ones are in `auto_resolved`).
        auto_resolved: the team's incidents that resolved by themselves.
        zone: the team's zone: the one most of its first pages went to.
        start: the observation window's start; end: its end (the history's, or a holdout's).
    """

    name: str
    history: History
    incidents: list[HistoryIncident]
    auto_resolved: list[HistoryIncident]
    zone: str
    start: dt.datetime
    end: dt.datetime
    by_class: dict[str, list[HistoryIncident]] = field(default_factory=dict)

    def __post_init__(self):
        by: dict[str, list[HistoryIncident]] = defaultdict(list)
        for i in self.incidents:
            by[i.class_id].append(i)
        self.by_class = dict(sorted(by.items()))

    @property
    def weeks(self) -> float:
        """Weeks in the window (at least an hour's worth)."""
        return max((self.end - self.start).total_seconds() / 86400.0, 1.0 / 24) / 7.0

    @property
    def days(self) -> int:
        """Whole days the window spans (rounded up)."""
        return max(1, -(-int((self.end - self.start).total_seconds()) // 86400))

    @property
    def people(self) -> list[str]:
        """Everyone who touched the team's incidents, most involved first."""
        counts = Counter(p for i in self.incidents for p in i.touched)
        return [p for p, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]

    def zone_of(self, person: str) -> ZoneInfo:
        """A person's zone."""
        return ZoneInfo(self.history.zone(person))

    def origin(self) -> dt.datetime:
        """Monday 00:00, team time, on or before the window's start: the scenario's day 0."""
        local = self.start.astimezone(ZoneInfo(self.zone)).date()
        monday = local - dt.timedelta(days=local.weekday())
        return dt.datetime.combine(monday, dt.time(), tzinfo=ZoneInfo(self.zone))

    def minute(self, moment: dt.datetime) -> float:
        """Minutes from the scenario's day 0."""
        return (moment - self.origin()).total_seconds() / 60.0


def team_slices(history: History, start: dt.datetime | None = None,
                end: dt.datetime | None = None) -> list[TeamData]:
    """The history's teams, largest first, each with its own zone; `start`/`end` cut a window
    (a backtest's training weeks)."""
    start = start or history.start
    end = end or history.end
    by: dict[str, list[HistoryIncident]] = defaultdict(list)
    for i in history.incidents:
        if start <= i.created_at < end or (end == history.end and i.created_at == end):
            by[team_of(i)].append(i)
    teams = []
    for name, items in by.items():
        zones = Counter(history.zone(i.first_responder) for i in items if i.first_responder)
        zone = zones.most_common(1)[0][0] if zones else history.default_zone
        teams.append(TeamData(name, history, [i for i in items if not i.auto_resolved],
                              [i for i in items if i.auto_resolved], zone, start, end))
    return sorted(teams, key=lambda t: (-len(t.incidents), t.name))


def ids(names: Sequence[str]) -> dict[str, str]:
    """Names -> unique identifiers ('Priya Shah' -> 'priya-shah', then -2, -3)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = readable_id(name)
        ident, k = base, 1
        while ident in used:
            k += 1
            ident = f"{base[:60]}-{k}"
        used.add(ident)
        out[name] = ident
    return out


def work_minutes(i: HistoryIncident) -> float | None:
    """Time to resolve minus time to acknowledge (at least 0.1); None while open."""
    ttr = i.minutes_to_resolve
    if ttr is None:
        return None
    ack = i.minutes_to_ack or 0.0
    return max(ttr - ack, 0.1)


def handed_on(i: HistoryIncident) -> bool:
    """Someone other than the first person paged was involved (escalated, reassigned, joined,
    resolved)."""
    return bool(set(i.touched) - {i.first_responder})


def answered(i: HistoryIncident) -> bool:
    """The first person paged answered in time: they acknowledged first, before the level's
    timeout, and nothing was rerouted. Only then does keeping or handing on the incident say
    whether they could and would lead it (a timeout's hand-off is the policy's, not theirs)."""
    first = i.first_responder
    return (first is not None and bool(i.acknowledged) and i.acknowledged[0] == first
            and i.timeout_escalation_count == 0 and i.reassignment_count == 0
            and (i.minutes_to_ack or 0.0) < POLICY_TIMEOUT)


def ramp(x: float, width: float) -> float:
    """The engine's ramp: clamp(0.5 + x / width, 0, 1)."""
    return min(1.0, max(0.0, 0.5 + x / width))


def rounded(value: float, digits: int) -> float:
    """`value` rounded, as a plain float (YAML writes it as a number)."""
    return float(round(value, digits))


def week_hour_class(hour_of_week: int) -> HourClass:
    """The hour class of an hour of the week (Monday 00:00 first), local time."""
    day, hour = divmod(hour_of_week, 24)
    return hour_class_of(day, hour * 60.0)


def hours_per_class() -> dict[HourClass, int]:
    """How many hours of the week fall in each hour class."""
    counts = Counter(week_hour_class(h) for h in range(HOURS_PER_WEEK))
    return {h: counts[h] for h in HourClass}


def local_class(incident: HistoryIncident, zone: ZoneInfo) -> HourClass:
    """The hour class of an incident's creation in a zone."""
    return hour_class_at(incident.created_at, zone)


__all__ = ["DIFFICULTY", "MINUTES_PER_DAY", "POLICY_TIMEOUT", "TeamData", "answered",
           "handed_on", "hours_per_class", "ids",
           "local_class", "ramp", "rounded", "team_slices", "week_hour_class", "work_minutes"]
