"""Where dependence goes over a check's checkpoints: to another person (the concentration
alert), or back to the heroes as skills decay (the sustainment view).

- **Concentration**: a non-hero whose share of a critical class's incidents (led), or of the
  escalations that reached someone, is past `independence.concentration_share` and above
  where it started (week 0, same arm) at the last checkpoint, on at least `MIN_POOLED`
  incidents or escalations pooled over replications: dependence moved to them rather than
  fell. The alert names the checkpoint since which it has held.
- **Sustainment**: per non-specialty class, its verdict at every checkpoint; a class has slid
  back when its verdict at the end is worse than the best it reached, with fewer non-hero
  effective responders than then (the mark of decay rather than of a noisy verdict), or when
  it lost at least `RESPONDER_DROP` of its peak non-hero effective responders and has fewer
  than it needs at the end (`independence.min_effective_responders` for a critical class, 1
  otherwise): progress undone even where the verdict never moved.
  After the plan's practice ends (its last pairing, backup, shadowing or drill action) nothing
  practises the class but live incidents, and skills decay (`learning.half_life_days`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.analysis.types.check import Checkpoint
from sim.analysis.types.people import ClassDrift, ConcentrationAlert, PeopleArm, Sustainment
from sim.schema import Plan, Scenario, Verdict

# Pooled incidents (or escalations) a share needs before it can raise the alert.
MIN_POOLED = 10
# A class has slid back on responders when it lost at least this many non-hero effective
# responders from their peak and has fewer than it needs at the end.
RESPONDER_DROP = 0.5
RANK = {Verdict.DEPENDENT.value: 0, Verdict.PARTLY.value: 1, Verdict.INDEPENDENT.value: 2}


def arm_words(arm: str, heroes: Sequence[str], also_without: Sequence[str]) -> str:
    """How a sentence names an arm."""
    names = ", ".join(heroes) or "the heroes"
    if arm == "present":
        return f"with {names} present"
    if arm == "absent":
        return f"without {names}"
    return f"without {names} and {', '.join(also_without)}"


def concentration_alerts(
    weeks: Sequence[int],
    arms: dict[str, list[PeopleArm]],
    evidence: dict[str, list[dict[str, float]]],
    scenario: Scenario,
    also_without: Sequence[str] = (),
) -> list[ConcentrationAlert]:
    """Alerts over the checkpoints of each arm.

    Args:
        weeks: the checkpoint weeks.
        arms: per arm, the `PeopleArm` of every checkpoint.
        evidence: per arm and checkpoint, the pooled count behind each subject (a critical
            class's incidents, "escalations").
        scenario: the team (heroes, the threshold).
        also_without: the next person out (absent in the third arm).
    """
    threshold = scenario.independence.concentration_share
    heroes = set(scenario.heroes)
    alerts = []
    for arm, points in arms.items():
        absent = set(also_without) if arm == "next_out" else set()
        for person in points[0].people:
            if person in heroes or person in absent:
                continue
            for subject in ["escalations", *points[0].people[person].critical_shares]:
                shares = [_share(point, person, subject) for point in points]
                passed = [share is not None and share > threshold
                          and share > (shares[0] or 0.0)
                          and evidence[arm][index].get(subject, 0) >= MIN_POOLED
                          for index, share in enumerate(shares)]
                if len(points) < 2 or not passed[-1]:
                    continue
                first = len(points) - 1
                while first > 1 and passed[first - 1]:
                    first -= 1
                alerts.append(_alert(person, arm, subject, weeks[first], shares[-1],
                                     shares[0], threshold,
                                     arm_words(arm, scenario.heroes, also_without)))
    return alerts


def _share(point: PeopleArm, person: str, subject: str) -> float | None:
    figures = point.people[person]
    if subject == "escalations":
        return figures.escalation_share
    return figures.critical_shares.get(subject)


def _alert(person: str, arm: str, subject: str, week: int, share: float,
           start: float | None, threshold: float, where: str) -> ConcentrationAlert:
    what = ("receives {:.0%} of the escalations" if subject == "escalations"
            else "leads {:.0%} of the " + subject + " incidents").format(share)
    start_text = "no share" if start is None else f"{start:.0%}"
    return ConcentrationAlert(
        person=person, arm=arm, subject=subject, week=week, share=share, start_share=start,
        threshold=threshold,
        text=f"Dependence moved rather than fell: {where}, {person} {what} at the end "
             f"({start_text} at the start; past {threshold:.0%} since week {week}). A new "
             "hero in the making: spread it (rotation, more learners) before it sets.")


# The actions that make people practise (live, or in drills); the others change the team once
# (a runbook, access, a gate, the rotation, a condition) and leave nothing to keep up.
PRACTISING = frozenset({"pair", "lead_with_backup", "drill", "add_shadow",
                        "lead_changes_with_backup"})


def practice_end_week(plan: Plan | None) -> int | None:
    """The week by which the plan's practice has ended (the last practising action's last day,
    its week + 1): 0 for a plan that never practises; None without a plan or when a
    practising action runs to the end."""
    if plan is None:
        return None
    practising = [a for a in plan.actions if a.kind in PRACTISING]
    if any(a.end_day is None for a in practising):
        return None
    if not practising:
        return 0
    last_day = max(a.end_day for a in practising if a.end_day is not None)
    return (last_day + 1 + 6) // 7


def sustainment(checkpoints: Sequence[Checkpoint], scenario: Scenario, plan: Plan | None
                ) -> Sustainment:
    """Classes that reached a verdict, or gained people who handle them alone, and slid back
    by the last checkpoint."""
    ends = practice_end_week(plan)
    criteria = scenario.independence
    classes = {}
    warnings = []
    last = checkpoints[-1]
    for cls in scenario.classes:
        if cls.specialty:
            continue
        rows = [cp.classes[cls.id] for cp in checkpoints]
        verdicts = [row.verdict for row in rows]
        ranks = [RANK[v] for v in verdicts]
        effective = [row.effective_responders or 0.0 for row in rows]
        best = max(range(len(ranks)), key=lambda i: (ranks[i], -i))
        peak = max(range(len(effective)), key=lambda i: (effective[i], -i))
        needed = criteria.min_effective_responders if scenario.service(cls.service).critical \
            else 1
        verdict_slid = ranks[-1] < ranks[best] and effective[-1] < effective[best]
        responders_slid = (effective[peak] - effective[-1] >= RESPONDER_DROP
                           and effective[-1] < needed)
        drift = ClassDrift(
            verdicts=verdicts, best_week=checkpoints[best].week,
            best_verdict=verdicts[best], end_verdict=verdicts[-1],
            regressed=verdict_slid or responders_slid,
            effective_best=effective[best], effective_end=effective[-1],
            effective_peak=effective[peak], effective_peak_week=checkpoints[peak].week,
            effective_needed=needed)
        classes[cls.id] = drift
        if drift.regressed:
            warnings.append(_regression_text(cls.id, drift, verdict_slid, last.week, ends,
                                             scenario.learning.half_life_days))
    return Sustainment(practice_ends_week=ends, classes=classes, warnings=warnings)


def _regression_text(class_id: str, drift: ClassDrift, verdict_slid: bool, last_week: int,
                     ends: int | None, half_life: float) -> str:
    if verdict_slid:
        text = (f"{class_id} slid back: {drift.best_verdict} at week {drift.best_week}, "
                f"{drift.end_verdict} at week {last_week} (non-hero effective responders "
                f"{drift.effective_best:.1f} then {drift.effective_end:.1f})")
    else:
        text = (f"{class_id} slid back: {drift.effective_peak:.1f} non-hero effective "
                f"responders at week {drift.effective_peak_week}, {drift.effective_end:.1f} at "
                f"week {last_week} ({drift.effective_needed} needed; {drift.end_verdict} at "
                "the end)")
    if ends is not None and ends <= last_week:
        ended = (f"the plan's practice ended by week {ends}" if ends else
                 "the plan has no practice (pairing, backup, shadowing, drills)")
        return text + (f"; {ended} and skills decay without it (half-life {half_life:g} "
                       "days): keep drilling it, or plan a refresher.")
    return text + "; the plan's practice does not keep it up."
