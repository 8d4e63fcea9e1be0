"""The whole independence check: run the replications, pool them, and write the document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sim import __version__
from sim.analysis.document import Result
from sim.analysis.independence.diagnosis import diagnose, final_state, release_reasons
from sim.analysis.independence.pooling import CheckData
from sim.analysis.independence.replay import CheckReplication, CheckSpec, check_replication
from sim.analysis.independence.resampling import bootstrap, interval
from sim.analysis.people import collect_findings, concentration_alerts, review_plan, sustainment
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types import (
    CheckDocument,
    Checkpoint,
    FinalVerdict,
    HoldingBack,
    Overall,
    PlanReview,
    TimeToIndependence,
)
from sim.schema import Plan, Verdict


@dataclass(frozen=True)
class CheckResult(Result):
    """The independence check, usable from Python: its spec and its document
    (`to_json()` is independence.json)."""

    spec: CheckSpec
    document: CheckDocument

    @property
    def replications(self) -> int:
        """How many replications the check ran."""
        return self.document.replications

    @property
    def passed(self) -> bool:
        """Whether the last checkpoint passes."""
        return self.document.final.passed


def run_check(
    reps: Replications,
    plan: Plan | None = None,
    weeks: int = 26,
    every: int = 4,
    also_without: tuple[str, ...] = (),
    observe: Callable[[CheckReplication], None] | None = None,
) -> CheckResult:
    """Run the independence check of `plan` (or of today's team, with no plan).

    Args:
        reps: the team (its `independence` section holds the pass criteria), the replications,
            the root seed and where they run.
        plan: the transfer plan, or None for today's team.
        weeks: weeks the plan runs.
        every: weeks between checkpoints.
        also_without: the next person out: each checkpoint also replays the window without
            the heroes and them (a third arm, judged by the same rules).
        observe: also handed each replication's result as it arrives; the replications
            then also read their `over_budget` weeks, which the document does not hold.
    """
    spec = CheckSpec(reps.scenario, plan, weeks, every, reps.seed, tuple(also_without),
                     budget_weeks=observe is not None)
    data = CheckData(spec, replications=reps.replications)

    def consume(i: int, rep: CheckReplication) -> None:
        data.add(rep, i)
        if observe is not None:
            observe(rep)

    run_tasks(check_replication, [(spec, r) for r in range(reps.replications)],
              reps.workers, reps.progress, reps.executor, consume=consume)
    data.finish()
    return CheckResult(spec, summarize_check(spec, data=data))


def summarize_check(spec: CheckSpec, reps: list[CheckReplication] | None = None,
                    data: CheckData | None = None) -> CheckDocument:
    """The independence.json document from the per-replication results, or from their pooled
    form (`data`) when the caller built it."""
    scenario = spec.scenario
    data = data if data is not None else CheckData(spec, reps)
    bands = bootstrap(data)
    checkpoints = [_checkpoint(data, index, week, bands.curves[index])
                   for index, week in enumerate(spec.checkpoints)]
    first = next((c.week for c in checkpoints if c.passed), None)
    final = checkpoints[-1]
    stuck = [(cid, row) for cid, row in final.classes.items()
             if row.verdict != Verdict.INDEPENDENT.value and not row.specialty]
    releases_stuck = final.releases is not None and (
        final.releases.verdict != Verdict.INDEPENDENT.value)
    # The plan's final state is simulated once for all the reasons, and only if needed.
    state = final_state(spec) if stuck or releases_stuck else None
    holding_back = [
        HoldingBack(class_id=cid, verdict=row.verdict,
                    reasons=diagnose(spec, data, cid, state) + row.notes)
        for cid, row in stuck
    ]
    if final.releases is not None and releases_stuck:
        holding_back.append(HoldingBack(
            class_id="releases", verdict=final.releases.verdict,
            reasons=release_reasons(spec, state) + final.releases.notes))
    load_ok, load_notes = data.hero_load(len(checkpoints) - 1)
    if not load_ok:
        holding_back.append(HoldingBack(class_id="hero load", verdict="fails",
                                        reasons=load_notes))
    review = _review(spec, data)
    hero_time = data.hero_time.series()
    concentration = concentration_alerts(
        spec.checkpoints, {arm: [cp.people[arm] for cp in checkpoints] for arm in data.arms},
        {arm: [_evidence(data, i, arm) for i in range(len(checkpoints))] for arm in data.arms},
        scenario, spec.also_without)
    drift = sustainment(checkpoints, scenario, spec.plan)
    shares = {p.id: p.project_share for p in scenario.people}
    return CheckDocument(
        herosim_version=__version__,
        scenario=scenario.name,
        plan=spec.plan.name if spec.plan else None,
        weeks=spec.weeks,
        every=spec.every,
        replications=data.replications,
        seed=spec.seed,
        evaluation_days=spec.criteria.evaluation_days,
        heroes=list(scenario.heroes),
        criteria=spec.criteria.model_dump(mode="json"),  # type: ignore[arg-type]
        checkpoints=checkpoints,
        time_to_independence=TimeToIndependence(
            week=first, low=bands.first_low, high=bands.first_high,
            reached_share=bands.reached_share),
        final=FinalVerdict(
            week=final.week,
            passed=final.passed,
            verdict="independent" if final.passed else "not independent",
            holding_back=holding_back,
            specialty={cid: row.verdict for cid, row in final.classes.items()
                       if row.specialty},
        ),
        skills={"start": data.mean_skills(0),
                "end": data.mean_skills(len(spec.checkpoints) - 1)},
        also_without=list(spec.also_without),
        hero_time=hero_time,
        plan_review=review,
        concentration=concentration,
        sustainment=drift,
        findings=collect_findings(review, hero_time, shares, concentration, drift,
                                  load_notes),
    )


def _review(spec: CheckSpec, data: CheckData) -> PlanReview:
    """The plan's review (budget, final approvers) with the occurrences the run skipped, mean
    per replication."""
    review = review_plan(spec.plan, spec.scenario, spec.weeks)
    skipped: dict[str, dict[str, float]] = {}
    for (reason, kind), total in sorted(data.skipped.items()):
        skipped.setdefault(reason, {})[kind] = total / data.replications
    if not skipped:
        return review
    return replace(review, budget=replace(review.budget, skipped=skipped))


def _evidence(data: CheckData, index: int, arm: str) -> dict[str, float]:
    """The pooled counts behind a checkpoint's shares: incidents per critical class, and the
    escalations that reached someone."""
    sums = data.people.pooled_counts(index, arm)
    out = dict(zip(data.people.critical, sums["class_n"].tolist()))
    out["escalations"] = float(sums["escalation_total"])
    return out


def _checkpoint(data: CheckData, index: int, week: int, bands) -> Checkpoint:
    """One checkpoint of the document: classes, releases, the pooled curve, the costs, the
    heroes' time since the previous checkpoint and everyone's picture in each arm."""
    weeks = data.spec.checkpoints
    without = {"present": (), "absent": tuple(data.spec.scenario.heroes)}
    without["next_out"] = without["absent"] + data.spec.also_without
    present = data.overall_figures(index, "present")
    absent = data.overall_figures(index, "absent")
    present_p90, absent_p90 = present.p90, absent.p90
    return Checkpoint(
        week=week,
        passed=data.passes(index),
        classes={c.id: data.class_row(index, c) for c in data.spec.scenario.classes},
        releases=data.release_row(index),
        overall=Overall(
            present_p90=present_p90, absent_p90=absent_p90,
            p90_ratio=absent_p90 / present_p90 if absent_p90 and present_p90 else None,
            present_escalations_per_incident=present.escalations_per_incident,
            absent_escalations_per_incident=absent.escalations_per_incident,
            present_hero_share=present.hero_share,
            present_beyond_first_share=present.beyond_first_share,
            absent_beyond_first_share=absent.beyond_first_share,
            present_to_person_per_incident=present.to_person_per_incident,
            absent_to_person_per_incident=absent.to_person_per_incident,
            bands=bands,
        ),
        hero_interruptions_per_week=interval(
            data.scalars["hero_interruptions_per_week"][index]),
        plan_hero_hours=interval(data.scalars["plan_hero_hours"][index]),
        plan_learner_hours=interval(data.scalars["plan_learner_hours"][index]),
        hero_serious_share=data.people.hero_serious_share(index, data.ones),
        hero_consults_per_week=data.people.hero_consults_per_week(index, data.ones),
        hero_time=data.hero_time.span(weeks[index - 1] if index else week, week),
        people={arm: data.people.arm(index, arm, without[arm]) for arm in data.arms},
        next_out=data.next_out(index),
    )
