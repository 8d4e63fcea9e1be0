"""The rotation plan's document (rotation.json): who holds which layer, week by week."""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.document import Document
from sim.analysis.types.shared import Estimate


@dataclass(frozen=True)
class Holder(Document):
    """One person holding a layer for some hours of a week."""

    person: str
    hours: float


@dataclass(frozen=True)
class RotationWeek(Document):
    """One week: who holds primary, secondary and shadow (most hours first), and the plan
    actions that changed the rotation during it."""

    week: int
    start: str  # the week's first day, ISO date
    primary: list[Holder]
    secondary: list[Holder]
    shadow: list[Holder]
    changes: list[str]


@dataclass(frozen=True)
class Shift(Document):
    """One on-call shift: a person holds a layer without a break (a row of rotation.csv and
    an event of rotation.ics). Times are ISO 8601 with the scenario zone's UTC offset."""

    layer: str
    person: str
    name: str
    start: str
    end: str
    start_minute: float
    end_minute: float
    week: int
    hours: float
    sleep_hours: float


@dataclass(frozen=True)
class OnCallLoad(Document):
    """One person's share of the rotation and what it is expected to cost them."""

    person: str
    name: str
    hero: bool
    learner: bool  # not yet an effective responder for some class the team owns
    primary_weeks: int  # weeks in which they hold primary at least one hour
    secondary_weeks: int
    shadow_weeks: int
    weeks_on_call: int  # weeks with primary or secondary hours
    on_call_hours: float  # primary + secondary
    nights: int  # nights (their own sleep hours, 22-08) with primary or secondary hours
    pages: Estimate  # real and false pages over the weeks, mean over replications
    sleep_pages: Estimate  # of which in their sleep hours
    hero_involved: Estimate  # incidents they acknowledged where a hero took part (heroes: 0)
    hero_interruptions: Estimate  # for a hero: times paged or pulled (others: 0)


@dataclass(frozen=True)
class RotationFlag(Document):
    """A warning about the rotation: what, who, and why it matters."""

    kind: str  # leans_on_one | uncovered | same_person
    layer: str
    person: str | None
    share: float | None
    message: str


@dataclass(frozen=True)
class RotationDocument(Document):
    """rotation.json, and `herosim rotation --format json`."""

    herosim_version: str
    scenario: str
    plan: str | None
    weeks: int
    replications: int
    seed: int
    start_date: str
    timezone: str
    layers: list[str]
    week_rows: list[RotationWeek]
    shifts: list[Shift]
    people: list[OnCallLoad]
    flags: list[RotationFlag]
