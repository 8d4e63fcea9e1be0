"""The findings a check puts in front of its reader, in one list: a plan over someone's budget,
plan occurrences the run skipped, a hero kept as final approver forever, an overloaded hero,
dependence moved to a non-hero, a class that slid back, hero-load criteria that fail."""

from __future__ import annotations

from collections.abc import Sequence

from sim.analysis.types.people import (
    ConcentrationAlert,
    Finding,
    HeroTimeSeries,
    PlanReview,
    Sustainment,
)


def overload_text(person: str, series: HeroTimeSeries, project_share: float) -> str | None:
    """A sentence on the weeks a person's time went past their capacity, or None."""
    if not series.overloaded_weeks:
        return None
    worst = max(series.weeks, key=lambda w: w.hours["total"])
    weeks = len(series.weeks)
    return (f"{person} is overloaded in {len(series.overloaded_weeks)} of {weeks} weeks: "
            f"operations and transfer took {worst.hours['total']:.1f} h in week {worst.week} "
            f"against {series.capacity:.1f} h a week of capacity (working hours x (1 - "
            f"project share {project_share:g})); no time is left for improvement work.")


def budget_text(person: str, series: HeroTimeSeries) -> str | None:
    """A sentence on the weeks the run spent more of a person's time on transfer and backup
    than their budget, or None."""
    if not series.over_budget_weeks:
        return None
    return (f"In the run, {person}'s transfer and backup time went past their "
            f"{series.budget:g} h a week budget in {len(series.over_budget_weeks)} of "
            f"{len(series.weeks)} weeks.")


SKIPPED_WHY = {"hero away": "their hero was away", "over budget": "over its hero's weekly budget",
               "no learner present": "no learner was there with budget left"}


def skipped_text(skipped: dict[str, dict[str, float]]) -> str | None:
    """A sentence on the plan occurrences the run skipped (mean per replication), or None."""
    if not skipped:
        return None
    parts = [f"{', '.join(f'{n:.1f} {kind}' for kind, n in kinds.items())} "
             f"({SKIPPED_WHY.get(reason, reason)})" for reason, kinds in skipped.items()]
    return ("Skipped in the run, per replication: " + "; ".join(parts)
            + ". A skipped occurrence gives no practice and costs nothing.")


def collect_findings(
    review: PlanReview | None,
    hero_time: dict[str, HeroTimeSeries],
    project_shares: dict[str, float],
    concentration: Sequence[ConcentrationAlert],
    sustainment: Sustainment | None,
    hero_load: Sequence[str] = (),
) -> list[Finding]:
    """Every finding, in reading order: budget, skipped occurrences, approvers, overload,
    concentration, regressions, hero-load criteria."""
    found = []
    if review is not None:
        found += [Finding(kind="over_budget", text=t) for t in review.budget.text]
        text = skipped_text(review.budget.skipped)
        if text:
            found.append(Finding(kind="skipped", text=text))
        found += [Finding(kind="final_approver", text=f.text) for f in review.final_approver]
    for person, series in hero_time.items():
        text = budget_text(person, series)
        if text:
            found.append(Finding(kind="over_budget", text=text))
        text = overload_text(person, series, project_shares.get(person, 0.0))
        if text:
            found.append(Finding(kind="overload", text=text))
    found += [Finding(kind="concentration", text=a.text) for a in concentration]
    if sustainment is not None:
        found += [Finding(kind="regression", text=t) for t in sustainment.warnings]
    found += [Finding(kind="hero_load", text=t) for t in hero_load]
    return found
