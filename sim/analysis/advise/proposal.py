"""The whole advice: attribute, rank the candidates, build a plan within the hero-hour budget,
and check it against doing nothing (`run_advise`)."""

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
    Risk,
    evaluate,
    mean_by_class,
    paired_reduction,
)
from sim.analysis.compare import run_compare
from sim.analysis.document import Result
from sim.analysis.independence import resampling_weights
from sim.analysis.people import collect_findings, review_plan
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types import (
    AdviseCheck,
    AdviseDocument,
    BaselineRisk,
    CandidateRow,
    CheckBrief,
    PlanRow,
    Proposal,
    ProposalStep,
    Reduction,
)
from sim.model.plans import DEFAULT_COSTS
from sim.schema import Plan

# At most this many combined plans are evaluated while building the proposal.
GREEDY_STEPS = 6
PLAN_NAME = "advised"


@dataclass(frozen=True)
class AdviseResult(Result):
    """The advice, usable from Python; `to_json()` is advise.json, `plan` the proposal."""

    document: AdviseDocument
    plan: Plan | None

    @property
    def ranking(self) -> list[str]:
        """The candidates' names, best first."""
        return [row.name for row in self.document.candidates]


def run_advise(
    reps: Replications,
    budget_hero_hours: float = 40.0,
    weeks: int = 12,
    verify: bool = True,
) -> AdviseResult:
    """Attribute, rank candidates, build and check a plan within the hero-hour budget.

    Args:
        reps: today's team and the common random numbers shared by every plan (replications,
            root seed, where they run; progress counts replications across every phase).
        budget_hero_hours: the hero hours the proposed plan may cost over `weeks`.
        weeks: how long each candidate runs (with learning) before the hero-absent replay.
        verify: also run the independence check of the proposal against doing nothing.
    """
    scenario, replications, seed = reps.scenario, reps.replications, reps.seed
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
    by_name = {c.name: c for c in found}
    plan, steps = _greedy(reps, rows, by_name, baseline, budget_hero_hours, weeks, weights,
                          progress)
    baseline_by_class = mean_by_class(baseline)
    review = review_plan(plan, scenario, weeks)
    check = None
    if verify and plan is not None:
        check = _verify(replace(reps, progress=progress.phase(2 * replications)), plan, weeks)
    document = AdviseDocument(
        herosim_version=__version__,
        scenario=scenario.name,
        heroes=list(scenario.heroes),
        weeks=weeks,
        replications=replications,
        seed=seed,
        budget_hero_hours=budget_hero_hours,
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
        proposal=Proposal(
            steps=steps,
            plan=plan.model_dump(mode="json", exclude_none=True) if plan else None),
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


def _greedy(reps: Replications, rows: list[CandidateRow], by_name: dict[str, Candidate],
            baseline: list[Risk], budget: float, weeks: int, weights: list[np.ndarray],
            progress: _Cumulative) -> tuple[Plan | None, list[ProposalStep]]:
    """Add the best-scoring candidates while within budget, keeping only real improvements."""
    actions: list = []
    chosen: list[str] = []
    current_risk = float(np.mean([r["risk"] for r in baseline]))
    current_hours = 0.0
    steps = []
    tried = 0
    for row in rows:
        if tried >= GREEDY_STEPS:
            break
        if row.figures.reduction.mean <= 0 or current_hours + row.figures.hero_hours > budget:
            continue
        tried += 1
        trial = Plan(name=PLAN_NAME, description="", actions=actions
                     + list(by_name[row.name].plan.actions))
        risks = evaluate(replace(reps, progress=progress.phase(reps.replications)), [trial],
                         weeks)[0]
        summary = paired_reduction(baseline, risks, weights)
        kept = summary.risk < current_risk and summary.hero_hours <= budget
        steps.append(ProposalStep(candidate=row.name, kept=kept, risk=summary.risk,
                                  hero_hours=summary.hero_hours, reduction=summary.reduction))
        if kept:
            actions = list(trial.actions)
            chosen.append(row.name)
            current_risk, current_hours = summary.risk, summary.hero_hours
    if not actions:
        return None, steps
    description = ("Proposed by herosim advise within a budget of "
                   f"{budget:g} hero hours: " + ", ".join(chosen) + ".")
    return Plan(name=PLAN_NAME, description=description, actions=actions), steps


class _Cumulative:
    """One progress count across the phases (attribution, candidates, greedy steps)."""

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


def _verify(reps: Replications, plan: Plan, weeks: int) -> AdviseCheck:
    """The proposal in the independence check against doing nothing (same seeds)."""
    doc = run_compare(reps, [plan], weeks=weeks, every=weeks).document
    rows = {row.plan: row for row in doc.plans}
    mine, none = rows[PLAN_NAME], rows["none"]

    def brief(row: PlanRow) -> CheckBrief:
        return CheckBrief(final_verdict=row.final_verdict,
                          time_to_independence=row.time_to_independence.week,
                          absent_p90_end=row.absent_p90_end,
                          added_breach_rate_end=row.added_breach_rate_end,
                          hero_interruptions_per_week_end=row.hero_interruptions_per_week_end.mean)

    versus = mine.vs_baseline
    assert versus is not None  # the proposal is not the baseline
    line = (f"In `check` over {weeks} weeks ({reps.replications} replications, seed "
            f"{reps.seed}): the proposal ends {mine.final_verdict} (doing nothing: "
            f"{none.final_verdict}); hero-absent p90 time to mitigate "
            f"{_fmt(mine.absent_p90_end)} min vs {_fmt(none.absent_p90_end)} min; "
            f"{versus.verdict}.")
    return AdviseCheck(plan=brief(mine), none=brief(none), versus=versus, line=line)


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.0f}"
