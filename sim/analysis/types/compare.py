"""The plan comparison's document (compare.json)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.analysis.document import OPTIONAL, Document
from sim.analysis.types.check import CheckDocument, ReleaseRow, TimeToIndependence
from sim.analysis.types.people import Finding, HeroTime
from sim.analysis.types.shared import Interval


@dataclass(frozen=True)
class Versus(Document):
    """A plan against the baseline, by the ranking rule, resample by resample."""

    baseline: str
    share_ahead: float
    share_behind: float
    beyond_noise: bool
    verdict: str


@dataclass(frozen=True)
class Difference(Document):
    """Whether a plan is ahead of the next in the ranking beyond noise."""

    figure: str
    share_ahead: float
    beyond_noise: bool
    verdict: str


@dataclass(frozen=True)
class PlanRow(Document):
    """One plan of a comparison, at the end of its weeks."""

    plan: str
    description: str
    time_to_independence: TimeToIndependence
    hero_hours: Interval
    learner_hours: Interval
    hero_interruptions_per_week_end: Interval
    hero_interruptions_change: Interval
    absent_p90_end: float | None
    absent_p90_end_band: list[float] | None
    absent_p90_change: Interval | None
    absent_breach_rate_end: float | None
    added_breach_rate_end: float | None
    effective_responders_critical_end: dict[str, float | None]
    releases_end: ReleaseRow | None
    final_verdict: str
    holding_back: list[str]
    vs_baseline: Versus | None = None
    # Each hero's time over the whole plan run (hours per week by kind, against capacity),
    # their overloaded weeks, and the Gini of hours at the end per arm.
    hero_time: dict[str, HeroTime] = field(default_factory=dict)
    overloaded_weeks: dict[str, int] = field(default_factory=dict)
    gini_hours_end: dict[str, float] = field(default_factory=dict)
    budget_fits: bool = True
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class RankingEntry(Document):
    """A plan's place; with the plan after it, what separated them (absent for the last)."""

    rank: int
    plan: str
    next: str | None = field(default=None, metadata=OPTIONAL)
    difference: Difference | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class CompareDocument(Document):
    """compare.json, and `herosim compare --format json`."""

    herosim_version: str
    scenario: str
    baseline: str
    weeks: int
    every: int
    replications: int
    seed: int
    bootstrap_samples: int
    rule: str
    plans: list[PlanRow]
    ranking: list[RankingEntry]
    checks: dict[str, CheckDocument] = field(default_factory=dict)

    @property
    def ranked_plans(self) -> list[PlanRow]:
        """The plan rows in ranking order."""
        rows = {row.plan: row for row in self.plans}
        return [rows[entry.plan] for entry in self.ranking]
