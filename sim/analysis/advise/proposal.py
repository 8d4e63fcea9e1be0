"""The whole advice: attribute, rank the candidates, and propose a plan that passes the
scenario's own independence check within the hero's budget, or say what it would take
(`run_advise`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sim import __version__
from sim.analysis.advise.attribution import (
    AttributionSpec,
    attribution_replication,
    summarize_attribution,
)
from sim.analysis.advise.candidates import (
    CONDITION_TARGETS,
    HERO_CLASS_SHARE,
    LEARNERS_PER_CLASS,
    Candidate,
    candidates,
    classify,
    hero_classes,
)
from sim.analysis.advise.risk import (
    INTERRUPTION_MINUTES,
    MIN_HERO_HOURS,
    STRUGGLE_MINUTES,
    evaluate,
    mean_by_class,
    paired_reduction,
)
from sim.analysis.advise.verify import Budget, find_proposal
from sim.analysis.document import Result
from sim.analysis.independence import resampling_weights
from sim.analysis.people import collect_findings, review_plan
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types import AdviseDocument, BaselineRisk, CandidateRow, Reduction
from sim.model.plans import DEFAULT_COSTS
from sim.schema import Plan, Scenario

# `herosim check`'s defaults: the proposal is checked as a user checks it.
CHECK_WEEKS = 26
CHECK_EVERY = 4
CHECK_REPLICATIONS = 20


@dataclass(frozen=True)
class AdviseResult(Result):
    """The advice, usable from Python; `to_json()` is advise.json, `plan` the proposal."""

    document: AdviseDocument
    plan: Plan | None

    @property
    def ranking(self) -> list[str]:
        """The candidates' names, best first."""
        return [row.name for row in self.document.candidates]

    @property
    def passed(self) -> bool:
        """The proposal passes its check, nobody's weekly budget binds, and its hero hours are
        within the budget (or today's team passes without a plan)."""
        proposal = self.document.proposal
        return proposal is not None and proposal.passes and proposal.within_budget


def hero_budget(scenario: Scenario, weeks: int, hours: float | None = None) -> Budget:
    """The hero hours a proposal may cost over `weeks`: `hours` when given, else what the
    heroes have for transfer (`transfer_hours_per_week` x weeks, summed over the heroes)."""
    if hours is not None:
        return Budget(hours, "as given")
    per_week = {h: scenario.person(h).transfer_hours_per_week for h in scenario.heroes}
    if not per_week:
        return Budget(0.0, "no heroes named")
    return Budget(sum(per_week.values()) * weeks,
                  " + ".join(f"{h}'s {v:g} h a week" for h, v in per_week.items())
                  + f" x {weeks} weeks")


def run_advise(
    reps: Replications,
    budget_hero_hours: float | None = None,
    weeks: int = 12,
    propose: bool = True,
    check_weeks: int = CHECK_WEEKS,
    check_reps: int = CHECK_REPLICATIONS,
    check_every: int = CHECK_EVERY,
) -> AdviseResult:
    """Attribute, rank candidates, and propose a plan that passes its own check.

    Args:
        reps: today's team and the common random numbers shared by every plan (replications
            of the attribution and the ranking, root seed, where they run; progress counts
            replications across every phase).
        budget_hero_hours: the hero hours the proposal may cost over `check_weeks`; None: the
            heroes' `transfer_hours_per_week` x `check_weeks`.
        weeks: how long each candidate runs (with learning) before the hero-absent replay.
        propose: search for a plan and check it (sim/analysis/advise/search.py).
        check_weeks, check_reps, check_every: the check the proposal must pass: `herosim
            check --plan P --weeks W --reps R --every E` with the same seed (its defaults).
    """
    scenario, replications, seed = reps.scenario, reps.replications, reps.seed
    budget = hero_budget(scenario, check_weeks, budget_hero_hours)
    progress = _Cumulative(reps.progress)
    per_rep = run_tasks(attribution_replication,
                        [(AttributionSpec(scenario, weeks * 7, seed), r)
                         for r in range(replications)],
                        reps.workers, progress.phase(replications), reps.executor)
    attribution = summarize_attribution(per_rep, weeks)
    found = candidates(scenario, attribution, weeks)
    plans: list[Plan | None] = [None] + [c.plan for c in found]
    results = evaluate(replace(reps, progress=progress.phase(len(plans) * replications)),
                       plans, weeks)
    baseline = results[0]
    weights = resampling_weights(seed, replications)
    scored = [(candidate, paired_reduction(baseline, risks, weights))
              for candidate, risks in zip(found, results[1:])]
    scored.sort(key=lambda cr: (-cr[1].per_hero_hour.mean, -cr[1].reduction.mean, cr[0].name))
    rows = [_candidate_row(candidate, reduction, rank)
            for rank, (candidate, reduction) in enumerate(scored, 1)]
    baseline_by_class = mean_by_class(baseline)
    proposal = check = plan = None
    if propose:
        result = find_proposal(replace(reps, progress=None), check_weeks, check_every,
                               check_reps, budget, progress.phase)
        proposal, check, plan = result.proposal, result.check, result.plan
    # The proposal (or the team, with none) read before it runs: budget, final approvers.
    review = review_plan(plan, scenario, check_weeks)
    document = AdviseDocument(
        herosim_version=__version__,
        scenario=scenario.name,
        heroes=list(scenario.heroes),
        weeks=weeks,
        replications=replications,
        seed=seed,
        budget_hero_hours=budget.hours,
        budget_source=budget.source,
        check_weeks=check_weeks,
        risk_definition=(
            f"risk: SLO-breach minutes per week + {STRUGGLE_MINUTES:g} per struggled incident "
            f"per week, in the {scenario.independence.evaluation_days}-day evaluation window "
            f"replayed without {', '.join(scenario.heroes) or 'anyone'} after {weeks} weeks "
            f"of the plan (learning on), + {INTERRUPTION_MINUTES:g} per hero interruption per "
            "week in the same window with the heroes present"),
        baseline_risk=BaselineRisk(
            mean=float(np.mean([r["risk"] for r in baseline])),
            absent_risk=float(np.mean([r["absent_risk"] for r in baseline])),
            hero_interruptions_per_week=float(np.mean(
                [r["hero_interruptions_per_week"] for r in baseline])),
            by_class=baseline_by_class),
        attribution=attribution,
        hero_classes=hero_classes(scenario, attribution),
        candidate_rules={
            "hero_class_share": HERO_CLASS_SHARE, "learners_per_class": LEARNERS_PER_CLASS,
            "min_hero_hours": MIN_HERO_HOURS, "condition_targets": CONDITION_TARGETS,
        },
        candidates=rows,
        proposal=proposal,
        classes=classify(scenario, attribution, baseline_by_class),
        check=check,
        plan_review=review,
        findings=collect_findings(review, {}, {}, [], None),
    )
    return AdviseResult(document, plan)


def _candidate_row(candidate: Candidate, reduction: Reduction, rank: int) -> CandidateRow:
    return CandidateRow(
        name=candidate.name, kind=candidate.kind, target=candidate.target,
        description=candidate.plan.description,
        default_costs=dict(zip(("hero", "learner"), DEFAULT_COSTS[candidate.kind])),
        figures=reduction, rank=rank,
    )


class _Cumulative:
    """One progress count across the phases (attribution, candidates, the search, checks)."""

    def __init__(self, callback: Callable[[int], None] | None):
        self.callback = callback
        self.done = 0

    def phase(self, size: int) -> Callable[[int], None] | None:
        if self.callback is None:
            return None
        start = self.done
        self.done += size
        callback = self.callback
        return lambda n: callback(start + n)
