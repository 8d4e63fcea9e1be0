"""Game-day observations as a user writes them: the pydantic models of one game day's file.

One file is one game day (`Observations`): who was absent and what the heroes were allowed to
do (`GameDay`), and per injected incident (`Injection`) its class, when it was injected,
acknowledged and mitigated (or abandoned), who led, who else took part, each escalation
(`ObservedEscalation`) and whether a hero was involved. The format is documented in
docs/gameday.md.

Times are clock times `HH:MM` on the game-day date (kept as text) or minutes from the game
day's `start` (a float). Reading the file (YAML, JSON or CSV), checking it against a scenario
and putting its times on the scenario calendar is `sim.inputs.observations`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from sim.schema.base import MINUTES_PER_DAY, EscalationKind, Identifier, Model

MAX_INJECTIONS = 1000
# Times in minutes may run past midnight: a game day that starts at 22:00 and ends at 02:00.
MAX_MINUTES = 2 * MINUTES_PER_DAY
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
TIME_HELP = ("give a clock time HH:MM on the game-day date (scenario time zone), or minutes "
             "from the game day's start (a number)")


class HeroRole(str, Enum):
    """What the heroes were allowed to do during the game day."""

    ABSENT = "absent"  # not there at all
    OBSERVER = "observer"  # in the room, watching; not to be paged or asked
    AVAILABLE = "available"  # on the escalation path as usual


def _time(value: Any) -> str | float:
    """A clock time 'HH:MM' (kept as text) or minutes from the start (a float)."""
    if isinstance(value, bool):
        raise PydanticCustomError("time", f"not a time: {TIME_HELP}")
    if isinstance(value, int | float):
        minutes = float(value)
    elif isinstance(value, str):
        text = value.strip()
        match = CLOCK.match(text)
        if match:
            hour, minute = int(match[1]), int(match[2])
            if hour > 23 or minute > 59:
                raise PydanticCustomError(
                    "time", "'{v}' is not a clock time: hours go 0-23, minutes 0-59",
                    {"v": text})
            return f"{hour:02d}:{minute:02d}"
        try:
            minutes = float(text)
        except ValueError:
            raise PydanticCustomError("time", "'{v}' is not a time: " + TIME_HELP,
                                      {"v": text}) from None
    else:
        raise PydanticCustomError("time", f"not a time: {TIME_HELP}")
    if not math.isfinite(minutes) or not 0 <= minutes <= MAX_MINUTES:
        raise PydanticCustomError(
            "time", "{v} minutes from the start is outside 0..{m}", {"v": value, "m": MAX_MINUTES})
    return minutes


Time = Annotated[str | float, BeforeValidator(_time), Field(
    description="Clock time HH:MM on the game-day date (scenario time zone), or minutes from "
    "the game day's `start`.")]
Clock = Annotated[str, BeforeValidator(_time), Field(pattern=r"^\d\d:\d\d$")]


class GameDay(Model):
    """Who was there and what the heroes could do."""

    date: dt.date = Field(description="The game-day date.")
    scenario_day: Annotated[int, Field(ge=0, le=3660)] | None = Field(
        None, description="Day of the scenario calendar the game day stands for (day 0 is the "
        "scenario's start_date); default: date - start_date.")
    start: Clock | None = Field(
        None, description="Clock time the game day started: minute 0 of times given in "
        "minutes. Needed only when some time is given in minutes.")
    hero_role: HeroRole = Field(description="absent, observer or available.")
    absent: list[Identifier] = Field(
        default_factory=list, description="Everyone else who was not there.")
    primary: Identifier | None = Field(
        None, description="Who held the primary pager (default: the scenario's rotation).")
    notes: str = ""


class ObservedEscalation(Model):
    """One hand-off: to whom, when, and why."""

    to: Identifier
    at: Time
    kind: EscalationKind = Field(description="timeout, manual, informal (or reroute).")
    from_person: Identifier | None = Field(
        None, alias="from", description="Who handed it on (default: whoever held it).")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Injection(Model):
    """One injected incident and what the team did with it."""

    id: str = Field("", max_length=64, description="A label (default: its position, #1, #2).")
    class_id: Identifier = Field(alias="class", description="The incident class injected.")
    injected_at: Time
    acknowledged_at: Time | None = None
    acknowledged_by: Identifier | None = Field(
        None, description="Default: the first escalation's `from`, or the person who led.")
    mitigated_at: Time | None = None
    abandoned: bool = Field(False, description="Stopped before mitigation.")
    abandoned_at: Time | None = None
    led_by: Identifier | None = None
    participants: list[Identifier] = Field(default_factory=list, description="Who else "
                                           "took part.")
    escalations: list[ObservedEscalation] = Field(default_factory=list)
    hero_involved: bool = Field(False, description="A hero worked on it.")
    hero_consulted: bool = Field(False, description="A hero was asked for advice.")
    hints: Annotated[int, Field(ge=0, le=100)] = Field(
        0, description="Hints the facilitator gave.")
    notes: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Observations(Model):
    """A game day: its metadata and the injected incidents."""

    gameday: GameDay
    injections: list[Injection] = Field(min_length=1, max_length=MAX_INJECTIONS)
