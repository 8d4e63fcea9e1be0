"""How the proposal's search reads a plan: the independence check's last checkpoint as an
`Outcome` (verdicts, how far from passing, hours, the weekly budgets), from the check's pooled
data (`read_outcome`) or from a whole check (`check_outcome`); `CheckAt`, the check read at
chosen weeks only. The search itself is sim/analysis/advise/search.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.analysis.advise.moves import Move
from sim.analysis.independence import CheckData, CheckResult, CheckSpec
from sim.analysis.types import ClassRow, ReleaseRow
from sim.schema import IndependenceCriteria, Plan, Scenario, Verdict

# One criterion missed counts at most this much in the shortfall (nobody able to work a class
# at all would otherwise drown every other class).
TERM_CAP = 3.0
# The key of the release flow among the failing classes.
RELEASES = "releases"


@dataclass(frozen=True)
class CheckAt(CheckSpec):
    """The check read at chosen weeks only (the search reads a plan's last week)."""

    at: tuple[int, ...] = ()
    budget_weeks: bool = True  # the search reads where the budget stopped the plan

    @property
    def checkpoints(self) -> list[int]:
        """The weeks read."""
        return list(self.at)


@dataclass(frozen=True)
class Outcome:
    """A plan as the search read it: verdicts at the end, shortfall, hours, budget."""

    design: tuple[Move, ...]
    plan: Plan | None
    weeks: int
    replications: int
    passed: bool
    classes: dict[str, ClassRow]
    releases: ReleaseRow | None
    shortfall: float
    hero_hours: float
    learner_hours: float
    over_budget: dict[str, list[int]]
    over_budget_share: float
    failing: tuple[str, ...]  # classes the check does not call independent, and "releases"
    missed: dict[str, float]  # the shortfall of each of `failing`
    criteria: IndependenceCriteria
    fits: bool = True  # the plan's schedule fits everyone's weekly budget (`review_plan`)
    step: int = -1  # its row in the search's steps

    @property
    def over(self) -> bool:
        """Someone's weekly transfer budget stopped part of the plan, or its schedule asks
        more than a week's budget."""
        return bool(self.over_budget) or not self.fits

    @property
    def ok(self) -> bool:
        """The check passes and the plan is within everyone's weekly budget."""
        return self.passed and not self.over

    def slack(self, failing: Sequence[str]) -> float:
        """How far the worst of `failing` (classes, "releases") clears its criteria
        (negative: misses them), less the budget's share."""
        terms = []
        for key in failing:
            if key == RELEASES:
                if self.releases is not None:
                    terms.append(min(release_terms(self.releases, self.criteria)))
            else:
                terms.append(min(class_terms(self.classes[key], self.criteria)))
        return (min(terms, default=0.0) - TERM_CAP * self.over_budget_share
                - (0.0 if self.fits else TERM_CAP))


def class_terms(row: ClassRow, criteria: IndependenceCriteria) -> list[float]:
    """Per criterion, how far the class clears it as a share of its threshold (negative:
    missed by that much), capped at -TERM_CAP."""
    needed = criteria.min_effective_responders if row.critical else 1
    terms = [(row.effective_responders - needed) / max(needed, 1)]
    if row.present.n:
        if row.absent.ttm_p90 is None:
            terms.append(-TERM_CAP)
        else:
            if row.p90_ratio is not None:
                terms.append(1.0 - row.p90_ratio / criteria.max_p90_ratio)
            added = row.added_breach_rate or 0.0
            terms.append((criteria.max_added_breach_rate - added)
                         / max(criteria.max_added_breach_rate, 0.01))
            if row.absent.unresolved:
                terms.append(-row.absent.unresolved / max(row.absent.n, 1))
    return [min(1.0, max(-TERM_CAP, t)) for t in terms]


def release_terms(row: ReleaseRow, criteria: IndependenceCriteria) -> list[float]:
    """The release flow's criteria, as `class_terms`."""
    delay = (row.absent.delay_p90_hours or 0.0) - (row.present.delay_p90_hours or 0.0)
    failures = (row.absent.failure_rate or 0.0) - (row.present.failure_rate or 0.0)
    terms = [(criteria.max_added_release_delay_hours - delay)
             / max(criteria.max_added_release_delay_hours, 1.0),
             (criteria.max_added_change_failure_rate - failures)
             / max(criteria.max_added_change_failure_rate, 0.01)]
    return [min(1.0, max(-TERM_CAP, t)) for t in terms]


def _missed(terms: list[float]) -> float:
    """How far a class (or the releases) the check fails misses its criteria: at least a
    little, whatever the terms say (the verdict is the check's)."""
    return max(1e-3, sum(-t for t in terms if t < 0))


def read_outcome(data: CheckData, design: tuple[Move, ...], plan: Plan | None, weeks: int,
                 over_budget: list[dict[str, list[int]]]) -> Outcome:
    """The search's reading of one plan's check data (one checkpoint: the last week)."""
    scenario = data.spec.scenario
    return _outcome(design, plan, weeks, data.replications, scenario,
                    {c.id: data.class_row(0, c) for c in scenario.classes},
                    data.release_row(0), data.passes(0),
                    float(np.mean(data.scalars["plan_hero_hours"][0])),
                    float(np.mean(data.scalars["plan_learner_hours"][0])), over_budget)


def check_outcome(result: CheckResult, design: tuple[Move, ...],
                  over_budget: list[dict[str, list[int]]]) -> Outcome:
    """The search's reading of a whole check: its last checkpoint."""
    spec, last = result.spec, result.document.checkpoints[-1]
    learner = last.plan_learner_hours.mean if last.plan_learner_hours is not None else 0.0
    return _outcome(design, spec.plan, spec.weeks, result.replications, spec.scenario,
                    last.classes, last.releases, last.passed, last.plan_hero_hours.mean,
                    learner, over_budget)


def _outcome(design: tuple[Move, ...], plan: Plan | None, weeks: int, replications: int,
             scenario: Scenario, classes: dict[str, ClassRow], releases: ReleaseRow | None,
             passed: bool, hero_hours: float, learner_hours: float,
             over_budget: list[dict[str, list[int]]]) -> Outcome:
    criteria = scenario.independence
    missed: dict[str, float] = {}
    for c in scenario.classes:
        row = classes[c.id]
        if not c.specialty and row.verdict != Verdict.INDEPENDENT.value:
            missed[c.id] = _missed(class_terms(row, criteria))
    if releases is not None and releases.verdict != Verdict.INDEPENDENT.value:
        missed[RELEASES] = _missed(release_terms(releases, criteria))
    bound = [r for r in over_budget if r]
    share = len(bound) / max(1, len(over_budget))
    merged: dict[str, set[int]] = {}
    for r in bound:
        for person, weeks_bound in r.items():
            merged.setdefault(person, set()).update(weeks_bound)
    return Outcome(
        design=design, plan=plan, weeks=weeks, replications=replications, passed=passed,
        classes=classes, releases=releases,
        shortfall=sum(missed.values()) + TERM_CAP * share, hero_hours=hero_hours,
        learner_hours=learner_hours,
        over_budget={p: sorted(w) for p, w in sorted(merged.items())},
        over_budget_share=share, failing=tuple(missed), missed=missed, criteria=criteria)
