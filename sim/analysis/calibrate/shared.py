"""Helpers the calibration modules share: identifiers from names, work times, the skill ramp."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sim.inputs.history import HistoryIncident, readable_id
from sim.schema import HOURS_PER_WEEK, HourClass, hour_class_of

# Difficulty and knowledge are not separately identifiable from history: every class gets the
# scale's midpoint and skills are fitted relative to it.
DIFFICULTY = 0.5


def ids(names: Sequence[str]) -> dict[str, str]:
    """Display names -> unique identifiers ('Priya Shah' -> 'priya-shah', then -2, -3)."""
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


