"""The proposal in advise.json: the plan the search found, how it was found, and its check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.analysis.document import Document
from sim.analysis.types.check import CheckDocument, HoldingBack
from sim.analysis.types.shared import Interval


@dataclass(frozen=True)
class SearchStep(Document):
    """One plan the search evaluated (few replications, common random numbers)."""

    phase: str  # baseline, seed, add, prune, repair, weeks
    round: int
    change: str  # what it changes from the plan it started from: "+ drill-7d:pg-failover"
    moves: list[str]
    replications: int
    weeks: int
    passed: bool  # the check's criteria at the end, on these replications
    over_budget: bool  # someone's weekly transfer budget bound in some replication
    shortfall: float  # how far from the criteria (0: passes; see docs/advise.md)
    hero_hours: float
    chosen: bool


@dataclass(frozen=True)
class ProposalMove(Document):
    """One move of the proposal: the actions that go together, and what they do."""

    name: str
    family: str
    description: str


@dataclass(frozen=True)
class Proposal(Document):
    """The proposed plan and the search that found it.

    `passes`: its check (`check` below) passes and nobody's weekly transfer budget bound;
    `within_budget`: its hero hours are within the budget. When it does not pass within the
    budget, `needed_budget_hero_hours` (a plan that passes needs this many) or `weeks_needed`
    (a plan passes in this many weeks) say what would.
    """

    plan: dict[str, Any] | None
    moves: list[ProposalMove]
    passes: bool
    within_budget: bool
    hero_hours: float | None
    learner_hours: float | None
    budget_hero_hours: float
    budget_source: str
    needed_budget_hero_hours: float | None
    weeks: int
    weeks_needed: int | None
    search_replications: int
    evaluations: int
    steps: list[SearchStep]
    line: str


@dataclass(frozen=True)
class ClassCheck(Document):
    """One class in the proposal's check, beside today's team (week 0, no plan)."""

    today: str
    verdict: str
    specialty: bool
    today_p90_ratio: float | None
    p90_ratio: float | None
    added_breach_rate: float | None
    effective_responders: float
    degraded: bool  # a worse verdict than today's


@dataclass(frozen=True)
class ProposalCheck(Document):
    """The proposal in the independence check: the same analysis as `herosim check --plan`
    with these weeks, checkpoints, replications and seed (`independence` is its whole
    document), and today's team for what the proposal would make worse."""

    weeks: int
    every: int
    replications: int
    seed: int
    passed: bool
    verdict: str
    time_to_independence: int | None
    classes: dict[str, ClassCheck]
    releases_today: str | None
    releases: str | None
    degraded: list[str]
    over_budget: dict[str, list[int]]
    over_budget_replications: int
    plan_hero_hours: Interval
    plan_learner_hours: Interval | None
    holding_back: list[HoldingBack]
    line: str
    independence: CheckDocument
