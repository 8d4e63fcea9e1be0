"""The designed game day's document (design.json; `herosim gameday design --format json`)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.analysis.document import Document
from sim.analysis.gameday.types import Prediction


@dataclass(frozen=True)
class SkillAtStake(Document):
    """What an injection can teach about one person's skill on its class."""

    person: str
    knowledge: float  # the model's skill on the day (mean over replications)
    confidence: float
    difficulty: float
    information_bits: float  # what one size-up tells (sim.analysis.gameday.skills)
    chance_to_hold: float  # share of replays in which they acknowledge or lead it


@dataclass(frozen=True)
class CandidateClass(Document):
    """A class as a candidate injection, with the day's chosen set-up."""

    class_id: str
    information_bits: float  # expected, over who holds it in the replays
    risk: float  # hero chance (heroes reachable) x chance of a breach (heroes away)
    score: float  # information + RISK_WEIGHT x risk


@dataclass(frozen=True)
class DesignedInjection(Document):
    """One injection of the run sheet: what, when, why, and what the model predicts."""

    id: str
    class_id: str
    at: str  # HH:MM on the game-day date, scenario time zone
    information_bits: float
    risk: float
    why: list[str]
    skills_at_stake: list[SkillAtStake]
    predicted: Prediction
    watch_for: list[str]


@dataclass(frozen=True)
class PrimaryOption(Document):
    """Who could hold the primary pager for the day, and the design's score with them."""

    person: str | None  # None: the scenario's rotation
    score: float


@dataclass(frozen=True)
class GameDayDesign(Document):
    """design.json: the injections, who steps out, and the run sheet's content."""

    herosim_version: str
    scenario: str
    plan: str | None
    date: str
    scenario_day: int
    start: str
    hero_role: str
    heroes: list[str]
    absent: list[str]
    primary: str | None
    replications: int
    seed: int
    risk_weight: float
    injections: list[DesignedInjection]
    candidates: list[CandidateClass]
    primaries: list[PrimaryOption]
    hesitation_signs: list[str]
