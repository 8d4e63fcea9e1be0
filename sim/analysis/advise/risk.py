"""Risk: a plan run with learning for the weeks, the team frozen at the end, and the evaluation
window replayed with the heroes present and absent (`sim.analysis.evaluation.replay_arms`, as
the independence check does at each checkpoint); risk reductions against doing nothing with
paired bootstrap intervals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from sim.analysis.evaluation import evaluation_replication, replay_arms, window_arrivals
from sim.analysis.independence import plan_hours
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types import Interval, Reduction
from sim.model import TeamModel
from sim.schema import MINUTES_PER_DAY, Plan, Scenario

# A struggled incident weighs as an hour of SLO breach in the risk.
STRUGGLE_MINUTES = 60.0
# Each hero interruption (heroes present) weighs this many minutes in the risk: the time to
# refocus after an interruption, and the dependency each one keeps alive.
INTERRUPTION_MINUTES = 20.0
# Scores divide by at least one hero hour: a nearly free action is not infinitely good.
MIN_HERO_HOURS = 1.0


@dataclass(frozen=True)
class RiskSpec:
    """A plan run with learning for `weeks`, then the evaluation window without the heroes."""

    scenario: Scenario
    plan: Plan | None
    weeks: int
    seed: int


class Risk(TypedDict):
    """One replication of one plan: its risk (per week) and what it cost."""

    risk: float
    absent_risk: float
    by_class: dict[str, float]
    hero_hours: float
    learner_hours: float
    hero_interruptions_per_week: float


def risk_replication(spec: RiskSpec, replication: int) -> Risk:
    """One replication: the plan's hero hours and the hero-absent risk at its end."""
    scenario = spec.scenario
    model = TeamModel(scenario, spec.weeks * 7, spec.seed, replication, plan=spec.plan,
                      learn=True)
    records = model.run()
    t = spec.weeks * 7 * MINUTES_PER_DAY
    heroes = tuple(scenario.heroes)
    hero_hours, learner_hours = plan_hours(records, t, heroes,
                                           scenario.learning.pairing_overhead)
    days = scenario.independence.evaluation_days
    eval_replication = evaluation_replication(replication)
    arrivals = window_arrivals(scenario, days, spec.seed, eval_replication)
    arms = replay_arms(scenario, days, spec.seed, eval_replication, model.skills.frozen(t),
                       model.state.frozen(t), t, arrivals)
    by_class = {c.id: 0.0 for c in scenario.classes}
    for i in arms.absent.incidents:
        by_class[i.class_id] += (max(0.0, i.time_to_mitigate - i.slo_minutes)
                                 + STRUGGLE_MINUTES * i.struggled)
    hero_set = set(heroes)
    weeks = days / 7.0
    interruptions = sum(1 for x in arms.present.interruptions if x.person in hero_set) / weeks
    absent_risk = sum(by_class.values()) / weeks
    return {
        "risk": absent_risk + INTERRUPTION_MINUTES * interruptions,
        "absent_risk": absent_risk,
        "by_class": {k: v / weeks for k, v in by_class.items()},
        "hero_hours": hero_hours,
        "learner_hours": learner_hours,
        "hero_interruptions_per_week": interruptions,
    }


def evaluate(reps: Replications, plans: list[Plan | None], weeks: int) -> list[list[Risk]]:
    """Per plan, its risk replications (the same replications for every plan: CRN)."""
    replications = reps.replications
    tasks = [(RiskSpec(reps.scenario, plan, weeks, reps.seed), r) for plan in plans
             for r in range(replications)]
    results = run_tasks(risk_replication, tasks, reps.workers, reps.progress, reps.executor)
    return [results[i * replications:(i + 1) * replications] for i in range(len(plans))]


def paired_reduction(baseline: list[Risk], reps: list[Risk], weights: list[np.ndarray]
                     ) -> Reduction:
    """Risk reduction against the baseline and per hero hour, with paired bootstrap intervals."""
    diff = np.array([b["risk"] - r["risk"] for b, r in zip(baseline, reps)])
    hours = np.array([r["hero_hours"] for r in reps])
    means = np.array([diff @ w / w.sum() for w in weights])
    per_hour = np.array([(diff @ w / w.sum()) / max(MIN_HERO_HOURS, hours @ w / w.sum())
                         for w in weights])
    score = float(diff.mean() / max(MIN_HERO_HOURS, hours.mean()))
    return Reduction(
        reduction=Interval(mean=float(diff.mean()), low=float(np.percentile(means, 2.5)),
                           high=float(np.percentile(means, 97.5))),
        per_hero_hour=Interval(mean=score, low=float(np.percentile(per_hour, 2.5)),
                               high=float(np.percentile(per_hour, 97.5))),
        share_better=float(np.mean(means > 0)),
        hero_hours=float(hours.mean()),
        learner_hours=float(np.mean([r["learner_hours"] for r in reps])),
        risk=float(np.mean([r["risk"] for r in reps])),
        absent_risk=float(np.mean([r["absent_risk"] for r in reps])),
        hero_interruptions_per_week=float(np.mean([r["hero_interruptions_per_week"]
                                                   for r in reps])),
    )


def mean_by_class(reps: list[Risk]) -> dict[str, float]:
    """The mean risk per class over replications."""
    return {k: float(np.mean([r["by_class"][k] for r in reps])) for k in reps[0]["by_class"]}
