"""The closed sets (enums), units and identifiers every input model shares, and the base
model: unknown keys are errors, values are not coerced loosely."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from enum import Enum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
HOURS_PER_WEEK = 7 * 24
# Above this an arrival rate is a typo, and sampling it would exhaust memory before it helped.
MAX_RATE_PER_WEEK = 10_000.0
Z90 = 1.2815515655446004  # standard normal quantile of 0.9: a lognormal's sigma from its p90


class Severity(str, Enum):
    """Incident severity, SEV1 the worst."""

    SEV1 = "sev1"
    SEV2 = "sev2"
    SEV3 = "sev3"
    SEV4 = "sev4"


class EscalationKind(str, Enum):
    """Why an incident moved from one person to another."""

    TIMEOUT = "timeout"  # nobody acknowledged within the level's timeout
    MANUAL = "manual"  # the responder escalated along the policy
    INFORMAL = "informal"  # the responder messaged the hero directly, outside the policy
    REROUTE = "reroute"  # routing ambiguity: the page landed on the wrong person first
    BUSY = "busy"  # the responder was busy with other incidents and handed it on
    DIRECT = "direct"  # paged directly by name: someone with the access, a hero taking over


class Role(str, Enum):
    """How a person took part in an incident."""

    ACKNOWLEDGED = "acknowledged"  # acknowledged a page and sized the incident up
    LED = "led"  # worked it to mitigation
    STUCK = "stuck"  # tried, could not fix it, handed it on
    SHADOW = "shadow"  # paged with the primary to learn
    MISROUTED = "misrouted"  # received the page by mistake and bounced it
    PAIRED = "paired"  # a learner working beside the hero who leads (a transfer plan)
    BACKUP = "backup"  # the hero backing up a learner who leads (a transfer plan)
    CONSULT = "consult"  # a hero answering a responder who keeps the lead
    REVIEW = "review"  # a hero reviewing or approving a change that needs them (a gate)
    TRANSFER = "transfer"  # a plan activity: running a drill, writing or refreshing a runbook


class HourClass(str, Enum):
    """PagerDuty's interruption classes, by the person's local time."""

    BUSINESS = "business"  # 08-18 Mon-Fri
    OFF = "off"  # 18-22 Mon-Fri, and weekends outside sleep hours
    SLEEP = "sleep"  # 22-08 every day


BUSINESS_HOURS = (8 * 60, 18 * 60)  # local minutes of the day, Monday to Friday
SLEEP_HOURS = (22 * 60, 8 * 60)  # local minutes of the day, every day (across midnight)


def hour_class_of(weekday: int, minute_of_day: float) -> HourClass:
    """PagerDuty's hour class of a local moment: sleep 22-08 every day, business 08-18
    Monday to Friday, off otherwise (evenings and weekends). `weekday` is 0 for Monday.

    The one statement of the rule: the engine's calendar tabulates it, history import and
    calibration call it.
    """
    if minute_of_day >= SLEEP_HOURS[0] or minute_of_day < SLEEP_HOURS[1]:
        return HourClass.SLEEP
    if weekday < 5 and BUSINESS_HOURS[0] <= minute_of_day < BUSINESS_HOURS[1]:
        return HourClass.BUSINESS
    return HourClass.OFF


class LevelTarget(str, Enum):
    """Who an escalation level pages."""

    PRIMARY = "primary"
    SECONDARY = "secondary"
    PEOPLE = "people"  # the persons named in `people`
    TEAM = "team"  # every member of the team at once


class Verdict(str, Enum):
    """How independent of its heroes a class (or the team) is."""

    INDEPENDENT = "independent"
    PARTLY = "partly"
    DEPENDENT = "hero-dependent"


class Weekday(str, Enum):
    """A day of the week, as written in scenario files."""

    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAY_INDEX = {day: i for i, day in enumerate(Weekday)}

IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=IDENTIFIER_PATTERN,
        description="An identifier: letters, digits, '_', '.', '-'; starts with a letter or digit.",
    ),
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Minutes = Annotated[float, Field(gt=0.0, le=10 * MINUTES_PER_WEEK, description="minutes")]


class Model(BaseModel):
    """Base of every input model: unknown keys are errors, values are not coerced loosely."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


def check_zone(zone: str) -> str:
    """`zone` when it is an IANA time zone; else a validation error naming it."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "unknown_zone", "'{zone}' is not an IANA time zone (e.g. Europe/Berlin, UTC)",
            {"zone": zone},
        ) from None
    return zone


# How each kind of identifier is listed after "unknown ...": "known people: ann, bob".
_KNOWN = {"person": "known people", "class": "classes", "service": "services"}
MAX_LISTED = 12  # a 10,000-person team's message lists a dozen, not everyone


def unknown(kind: str, value: str, known: Iterable[str]) -> str:
    """The message for a reference to an id nobody has: "unknown class 'pg-falover'; did you
    mean 'pg-failover'? classes: ...", the closest known id first when one is close.

    Args:
        kind: "person", "class" or "service".
        value: the id written.
        known: the ids that exist.
    """
    ids = sorted(known)
    close = difflib.get_close_matches(str(value), ids, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    listed = ", ".join(ids[:MAX_LISTED]) + (f", ... ({len(ids)} in all)"
                                            if len(ids) > MAX_LISTED else "")
    return f"unknown {kind} '{value}'; {hint}{_KNOWN.get(kind, kind + 's')}: {listed or 'none'}"

