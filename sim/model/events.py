"""Team events on the calendar: people joining, leaving and going on leave, classes appearing.

A scenario's `events` become days: a person is away (a planned absence: the rotation covers
them) before they join, from the day they leave, and during a stretch of leave; a class has no
incidents before it appears. A joiner starts with `learning.new_joiner_share` of the skills
listed for them and reaches them over `learning.ramp_weeks` of onboarding (practice adds to it).

`scenario_at` moves a scenario's events to a later day, for replays that start from a
checkpoint: who has left stays away, who has joined is there, a class that has appeared is.
"""

from __future__ import annotations

from sim.schema import MINUTES_PER_DAY, MINUTES_PER_WEEK, Event, Scenario

# Onboarding raises a joiner's skills in this many steps over the ramp (weekly for 12 weeks).
RAMP_STEPS_PER_WEEK = 1


def away_days(scenario: Scenario, person: str, span: int) -> list[tuple[int, int]]:
    """The (first, last) day ranges `person` is away because of events, within `span` days."""
    ranges = []
    for event in scenario.events:
        if event.join == person and event.day > 0:
            ranges.append((0, event.day - 1))
        elif event.leave == person:
            ranges.append((event.day, span - 1))
        elif event.away == person and event.days is not None:
            ranges.append((event.day, event.day + event.days - 1))
    return [(a, min(b, span - 1)) for a, b in ranges if a <= min(b, span - 1)]


def class_start(scenario: Scenario, class_id: str) -> float:
    """The minute the class's incidents start (0 unless it appears later)."""
    days = [e.day for e in scenario.events if e.appears == class_id]
    return min(days) * float(MINUTES_PER_DAY) if days else 0.0


def joiners(scenario: Scenario) -> dict[str, float]:
    """Person -> the minute they join, for everyone who joins after the start."""
    return {e.join: e.day * float(MINUTES_PER_DAY) for e in scenario.events
            if e.join is not None and e.day > 0}


def onboarding_steps(scenario: Scenario, join_minute: float) -> list[tuple[float, float]]:
    """(minute, share of their listed skills) of a joiner's onboarding: the share on the day
    they join, rising in weekly steps to all of it after the ramp."""
    learning = scenario.learning
    share = learning.new_joiner_share
    steps = max(1, round(learning.ramp_weeks * RAMP_STEPS_PER_WEEK))
    step_minutes = learning.ramp_weeks * MINUTES_PER_WEEK / steps
    return [(join_minute + k * step_minutes, share + (1.0 - share) * k / steps)
            for k in range(steps + 1)]


def scenario_at(scenario: Scenario, day: int) -> tuple[Scenario, tuple[str, ...]]:
    """The scenario as seen from `day` on, for a replay that starts there: events shifted
    `day` days earlier, and the people who have left by then (to leave out of the replay).

    Who joined before `day` is simply there (their skills come from the run that reached
    `day`); a class that appeared is always there; a stretch of leave under way continues.
    """
    if not scenario.events or day <= 0:
        return scenario, ()
    gone = tuple(e.leave for e in scenario.events if e.leave is not None and e.day <= day)
    events: list[Event] = []
    for e in scenario.events:
        if e.leave is not None and e.day <= day:
            continue
        if (e.join is not None or e.appears is not None) and e.day <= day:
            continue
        if e.away is not None and e.days is not None:
            last = e.day + e.days - 1
            if last < day:
                continue
            start = max(e.day, day)
            events.append(e.model_copy(update={"day": start - day, "days": last - start + 1}))
            continue
        events.append(e.model_copy(update={"day": e.day - day}))
    return scenario.model_copy(update={"events": events}), gone


__all__ = ["away_days", "class_start", "joiners", "onboarding_steps",
           "scenario_at"]
