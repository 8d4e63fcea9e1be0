"""Plan comparison: several transfer plans replayed from the same team with common random numbers.

Every plan runs the independence check (sim/analysis/independence/) with the same seed, so
replication r of every plan sees the same incidents, absences and evaluation windows:
differences between plans come from the plans. Intervals and "beyond noise" come from one set
of bootstrap weights over replications shared by all plans (a paired comparison), which is what
makes CRN sharp.

Ranking rule: plans that reach independence come first, earliest week first, then fewer hero
hours; plans that do not reach it follow, lower hero-absent SLO breach rate at the end first
(an incident nobody could work counts as a breach). Each pair of neighbours is tested on the
figure that separated them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import __version__
from sim.analysis.document import Result
from sim.analysis.independence import (
    CheckData,
    CheckReplication,
    CheckSpec,
    check_replication,
    resampling_weights,
    summarize_check,
)
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types import (
    CheckDocument,
    Checkpoint,
    CompareDocument,
    Difference,
    Interval,
    PlanRow,
    RankingEntry,
    Versus,
)
from sim.schema import Plan

NO_PLAN = "none"
# A difference is beyond noise when the better plan is better in this share of resamples.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class CompareResult(Result):
    """The comparison, usable from Python; `to_json()` is compare.json."""

    document: CompareDocument

    @property
    def ranking(self) -> list[str]:
        """The plans' names, best first."""
        return [entry.plan for entry in self.document.ranking]


def run_compare(
    reps: Replications,
    plans: list[Plan | None],
    baseline: str = NO_PLAN,
    weeks: int = 26,
    every: int = 4,
) -> CompareResult:
    """Compare `plans` (None stands for doing nothing) over the same replications.

    Args:
        reps: the starting team (its `independence` section holds the pass criteria) and the
            common random numbers: replications, root seed, and where they run (an executor
            may be a Dask client's).
        plans: the candidate plans; None is "do nothing".
        baseline: the name of the plan the others are measured against ("none": doing
            nothing, which is then added to the candidates if missing).
        weeks: the plan horizon.
        every: the checkpoint spacing.
    """
    replications = reps.replications
    candidates = list(plans)
    if baseline == NO_PLAN and None not in candidates:
        candidates.insert(0, None)
    specs = [CheckSpec(reps.scenario, plan, weeks, every, reps.seed) for plan in candidates]
    tasks = [(spec, r) for spec in specs for r in range(replications)]
    # Each result is pooled as it arrives and dropped: memory does not grow with the
    # replications' full results, only with their compact figures.
    data = [CheckData(spec, replications=replications) for spec in specs]
    checks: list[CheckDocument | None] = [None] * len(specs)
    arrived = [0] * len(specs)

    def consume(i: int, rep: CheckReplication) -> None:
        plan = i // replications
        data[plan].add(rep, i % replications)
        arrived[plan] += 1
        if arrived[plan] == replications:
            # A plan complete: summarise its check now, while the workers run the next plans,
            # not after them all (the summary is serial).
            data[plan].finish()
            checks[plan] = summarize_check(specs[plan], data=data[plan])

    run_tasks(check_replication, tasks, reps.workers, reps.progress, reps.executor,
              consume=consume)
    return CompareResult(summarize_compare(specs, data, baseline, checks))


def _label(spec: CheckSpec) -> str:
    return spec.plan.name if spec.plan is not None else NO_PLAN


def summarize_compare(specs: list[CheckSpec], data: list[CheckData], baseline: str,
                      checks: list[CheckDocument | None] | None = None) -> CompareDocument:
    """The compare.json document from each plan's pooled check replications (`checks`: their
    check documents, if already summarised from `data`)."""
    done = [check if check is not None else summarize_check(spec, data=d)
            for spec, d, check in zip(specs, data, checks or [None] * len(specs))]
    labels = [_label(spec) for spec in specs]
    reference = labels.index(baseline)
    replications = data[0].replications
    weights = resampling_weights(specs[0].seed, replications)
    never = specs[0].checkpoints[-1] + specs[0].every
    last = len(specs[0].checkpoints) - 1
    # Per plan and resample: first passing week and hero-absent p90 at the end.
    # The checks' own bootstrap used the same weights: reuse its first passing weeks.
    firsts = np.array([np.where(np.isfinite(d.resampled_firsts), d.resampled_firsts, never)
                       for d in data])
    matrix = np.array(weights)
    absent_p90 = np.array([[_value(figures[0])
                            for figures in d.overall_figures_many(last, "absent", matrix)]
                           for d in data])
    absent_breach = np.array([_breach_rates(d, last, matrix) for d in data])
    hero_hours = np.array([d.scalars["plan_hero_hours"][last] for d in data])
    interruptions = np.array([d.scalars["hero_interruptions_per_week"][last] for d in data])
    keys = _resampled_keys(firsts, absent_breach, hero_hours, weights, never)
    rows = []
    for i, (spec, check, d) in enumerate(zip(specs, done, data)):
        final = check.checkpoints[-1]
        present_breach = d.overall[last, "present"].stats(d.ones)["breach_rate"]
        absent_breach_rate = d.overall[last, "absent"].stats(d.ones)["breach_rate"]
        bands = final.overall.bands
        rows.append(PlanRow(
            plan=labels[i],
            description=spec.plan.description if spec.plan else "Do nothing.",
            time_to_independence=check.time_to_independence,
            hero_hours=final.plan_hero_hours,
            learner_hours=final.plan_learner_hours,
            hero_interruptions_per_week_end=final.hero_interruptions_per_week,
            hero_interruptions_change=_paired(interruptions[i] - interruptions[reference],
                                              weights),
            absent_p90_end=final.overall.absent_p90,
            absent_p90_end_band=bands.absent_p90 if bands is not None else None,
            absent_p90_change=_paired_resamples(absent_p90[i] - absent_p90[reference]),
            absent_breach_rate_end=absent_breach_rate,
            added_breach_rate_end=(absent_breach_rate - present_breach
                                   if absent_breach_rate is not None
                                   and present_breach is not None else None),
            effective_responders_critical_end=_critical_responders(spec, final),
            releases_end=final.releases,
            final_verdict=check.final.verdict,
            holding_back=[item.class_id for item in check.final.holding_back],
            vs_baseline=None if i == reference else _versus(i, reference, keys, labels),
            hero_time={hero: series.mean for hero, series in check.hero_time.items()},
            overloaded_weeks={hero: len(series.overloaded_weeks)
                              for hero, series in check.hero_time.items()},
            gini_hours_end={arm: figures.gini_hours for arm, figures in final.people.items()},
            budget_fits=check.plan_review.budget.fits if check.plan_review else True,
            findings=check.findings,
        ))
    order = sorted(range(len(rows)), key=lambda i: _rank_key(rows[i]))
    ranking = []
    for position, i in enumerate(order):
        if position + 1 < len(order):
            j = order[position + 1]
            ranking.append(RankingEntry(rank=position + 1, plan=labels[i], next=labels[j],
                                        difference=_difference(i, j, rows, keys)))
        else:
            ranking.append(RankingEntry(rank=position + 1, plan=labels[i]))
    return CompareDocument(
        herosim_version=__version__,
        scenario=specs[0].scenario.name,
        baseline=baseline,
        weeks=specs[0].weeks,
        every=specs[0].every,
        replications=replications,
        seed=specs[0].seed,
        bootstrap_samples=len(weights),
        rule=("plans that reach independence first, earliest week first, then fewer hero "
              "hours; then plans that do not, lower hero-absent SLO breach rate at the end "
              "first. Neighbours are compared on the figure that separated them, with "
              f"replications resampled jointly (paired, {CONFIDENCE:.0%})."),
        plans=rows,
        ranking=ranking,
        checks=dict(zip(labels, done)),
    )


def _breach_rates(data: CheckData, index: int, weights: np.ndarray) -> list[float]:
    """Hero-absent SLO breach rate of the ordinary incidents at a checkpoint, per resample
    (rows of `weights`); an incident nobody could work counts as a breach, so it is robust to
    censoring."""
    pooled = data.overall[index, "absent"]
    ns = (pooled.counts["n"] @ weights.T).tolist()
    breaches = (pooled.counts["breaches"] @ weights.T).tolist()
    return [b / n if n else np.nan for b, n in zip(breaches, ns)]


def _value(x: float | None) -> float:
    return np.nan if x is None else float(x)


def _rank_key(row: PlanRow) -> tuple:
    week = row.time_to_independence.week
    hours = row.hero_hours.mean
    if week is not None:
        return (0, week, hours)
    breach = row.absent_breach_rate_end
    return (1, breach if breach is not None else np.inf, hours)


def _paired(differences: np.ndarray, weights: list[np.ndarray]) -> Interval:
    """Mean of per-replication differences, with a bootstrap interval from shared weights."""
    means = [float(differences @ w / w.sum()) for w in weights]
    return Interval(mean=float(differences.mean()), low=float(np.percentile(means, 2.5)),
                    high=float(np.percentile(means, 97.5)))


def _paired_resamples(differences: np.ndarray) -> Interval | None:
    """A difference already computed per resample: its point (the median) and interval."""
    finite = differences[np.isfinite(differences)]
    if finite.size == 0:
        return None
    return Interval(mean=float(np.median(finite)), low=float(np.percentile(finite, 2.5)),
                    high=float(np.percentile(finite, 97.5)))


def _resampled_keys(firsts: np.ndarray, absent_breach: np.ndarray, hero_hours: np.ndarray,
                    weights: list[np.ndarray], never: float) -> np.ndarray:
    """Per plan and resample, the ranking key (week reached, then hero hours; or not reached,
    then hero-absent breach rate) as [plan, resample, (primary, secondary)]."""
    hours = np.array([[h @ w / w.sum() for w in weights] for h in hero_hours])
    reached = firsts < never
    secondary = np.where(reached, hours, absent_breach)
    return np.stack([firsts, secondary], axis=-1)


def _share_ahead(keys: np.ndarray, i: int, j: int) -> float:
    """Share of resamples in which plan i's key is strictly ahead of plan j's."""
    a, b = keys[i], keys[j]
    ahead = (a[:, 0] < b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] < b[:, 1]))
    return float(np.mean(ahead))


def _difference(i: int, j: int, rows: list[PlanRow], keys: np.ndarray) -> Difference:
    """Is plan i (ranked above) ahead of plan j beyond noise, by the ranking rule itself?"""
    week_a = rows[i].time_to_independence.week
    week_b = rows[j].time_to_independence.week
    if week_a is not None and week_a == week_b:
        figure = "hero hours (same week of independence)"
    elif week_a is not None:
        figure = "time to independence"
    else:
        figure = "hero-absent SLO breach rate at the end"
    share = _share_ahead(keys, i, j)
    beyond = share >= CONFIDENCE
    return Difference(
        figure=figure,
        share_ahead=share,
        beyond_noise=beyond,
        verdict=(f"beyond noise: ahead on {figure} in {share:.0%} of resamples" if beyond
                 else f"within noise: ahead on {figure} in only {share:.0%} of resamples"),
    )


def _versus(i: int, ref: int, keys: np.ndarray, labels: list[str]) -> Versus:
    """A plan against the baseline, by the ranking rule, resample by resample."""
    ahead = _share_ahead(keys, i, ref)
    behind = _share_ahead(keys, ref, i)
    beyond = ahead >= CONFIDENCE or behind >= CONFIDENCE
    if ahead >= CONFIDENCE:
        verdict = f"beyond noise: ahead of {labels[ref]} in {ahead:.0%} of resamples"
    elif behind >= CONFIDENCE:
        verdict = f"beyond noise: behind {labels[ref]} in {behind:.0%} of resamples"
    else:
        verdict = (f"within noise of {labels[ref]} (ahead in {ahead:.0%}, behind in "
                   f"{behind:.0%} of resamples)")
    return Versus(baseline=labels[ref], share_ahead=ahead, share_behind=behind,
                  beyond_noise=beyond, verdict=verdict)


def _critical_responders(spec: CheckSpec, checkpoint: Checkpoint) -> dict[str, float | None]:
    """Per critical service: the fewest non-hero effective responders among its classes."""
    scenario = spec.scenario
    out = {}
    for service in scenario.services:
        if not service.critical:
            continue
        counts = [checkpoint.classes[c.id].effective_responders
                  for c in scenario.classes if c.service == service.id and not c.specialty]
        out[service.id] = min(counts) if counts else None
    return out
