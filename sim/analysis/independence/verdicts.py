"""The verdict rules of the independence check: a class, and the release flow, at a checkpoint.

Both read pooled figures (`Pooled.stats`: `n`, `ttm_p90`, `breach_rate`, `unresolved`, ...) of
the hero-present and hero-absent arms and the scenario's criteria.
"""

from __future__ import annotations

from sim.schema import IndependenceCriteria, Verdict


def release_verdict(present: dict, absent: dict, criteria: IndependenceCriteria
                    ) -> tuple[Verdict, list[str]]:
    """Releases are independent when the hero-absent release delay and failure rate stay
    within the criteria."""
    notes = []
    if present["ttm_p90"] is None or absent["ttm_p90"] is None:
        return Verdict.INDEPENDENT, ["no changes in the evaluation window"]
    delay = absent["ttm_p90"] - present["ttm_p90"]
    failures = (absent["breach_rate"] or 0.0) - (present["breach_rate"] or 0.0)
    delay_ok = delay <= criteria.max_added_release_delay_hours
    failures_ok = failures <= criteria.max_added_change_failure_rate
    if delay_ok and failures_ok:
        return Verdict.INDEPENDENT, notes
    if not delay_ok:
        notes.append(f"p90 release delay +{delay:.0f} h without the heroes (at most "
                     f"+{criteria.max_added_release_delay_hours:g} h)")
    if not failures_ok:
        notes.append(f"change-failure rate {failures:+.0%} without the heroes (at most "
                     f"{criteria.max_added_change_failure_rate:+.0%})")
    close = (delay <= criteria.max_added_release_delay_hours * criteria.partly_factor
             and failures <= criteria.max_added_change_failure_rate * criteria.partly_factor)
    return (Verdict.PARTLY if close else Verdict.DEPENDENT), notes


def class_verdict(
    present: dict, absent: dict, effective: float, critical: bool,
    criteria: IndependenceCriteria,
) -> tuple[Verdict, float | None, float | None, list[str]]:
    """Verdict of one class at one checkpoint: (verdict, p90 ratio, added breaches, notes)."""
    notes = []
    needed = criteria.min_effective_responders if critical else 1
    enough = effective >= needed
    if not enough:
        notes.append(f"{effective:.1f} non-hero effective responders, {needed} needed")
    if not present["n"] or present["ttm_p90"] is None:
        notes.append("no incidents in the evaluation window: judged by effective responders")
        return (Verdict.INDEPENDENT if enough else Verdict.DEPENDENT), None, None, notes
    if absent["ttm_p90"] is None:
        notes.append("without the heroes nobody could work any of its incidents")
        return Verdict.DEPENDENT, None, absent["breach_rate"] - present["breach_rate"], notes
    ratio = absent["ttm_p90"] / present["ttm_p90"] if present["ttm_p90"] > 0 else None
    added = absent["breach_rate"] - present["breach_rate"]
    if absent["unresolved"]:
        notes.append(f"{absent['unresolved']} incidents nobody could work without the heroes")
    ratio_ok = ratio is not None and ratio <= criteria.max_p90_ratio and not absent["unresolved"]
    added_ok = added <= criteria.max_added_breach_rate
    if ratio_ok and added_ok and enough:
        return Verdict.INDEPENDENT, ratio, added, notes
    if ratio is not None and not ratio_ok:
        notes.append(f"p90 {ratio:.2f}x slower without the heroes "
                     f"(at most {criteria.max_p90_ratio:g}x)")
    if not added_ok:
        notes.append(f"{added:+.1%} SLO breaches without the heroes "
                     f"(at most {criteria.max_added_breach_rate:+.1%})")
    close = (
        ratio is not None and ratio <= criteria.max_p90_ratio * criteria.partly_factor
        and added <= criteria.max_added_breach_rate * criteria.partly_factor
        and not absent["unresolved"]
    )
    return (Verdict.PARTLY if close else Verdict.DEPENDENT), ratio, added, notes


def hero_load_verdict(serious_share: float | None, consults_per_week: float,
                      criteria: IndependenceCriteria) -> tuple[bool, list[str]]:
    """The team's hero-load criteria, when set: the heroes' share of sev1/sev2 incidents and
    their consults per week, both with the heroes present. (held, what fails)"""
    notes = []
    limit = criteria.max_hero_serious_share
    if limit is not None and serious_share is not None and serious_share > limit:
        notes.append(f"the heroes are in {serious_share:.0%} of sev1/sev2 incidents (at most "
                     f"{limit:.0%})")
    limit = criteria.max_hero_consults_per_week
    if limit is not None and consults_per_week > limit:
        notes.append(f"the heroes answer {consults_per_week:.1f} consults a week (at most "
                     f"{limit:g})")
    return not notes, notes
