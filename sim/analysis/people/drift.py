"""Where dependence goes over a check's checkpoints: to another person (the concentration
alert), or back to the heroes as skills decay (the sustainment view).

- **Concentration**: a non-hero whose share of a critical class's incidents (led), or of the
  escalations that reached someone, is past `independence.concentration_share` and above
  where it started (week 0, same arm) at the last checkpoint, on at least `MIN_POOLED`
  incidents or escalations pooled over replications: dependence moved to them rather than
  fell. The alert names the checkpoint since which it has held.
- **Sustainment**: per non-specialty class, its verdict at every checkpoint; a class whose
  verdict at the end is worse than the best it reached, with fewer non-hero effective
  responders than then (the mark of decay rather than of a noisy verdict), has slid back.
  After the plan's last action ends nothing practises the class but live incidents, and
  skills decay (`learning.half_life_days`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.analysis.types.check import Checkpoint
from sim.analysis.types.people import ClassDrift, ConcentrationAlert, PeopleArm, Sustainment
from sim.schema import Plan, Scenario, Verdict

# Pooled incidents (or escalations) a share needs before it can raise the alert.
MIN_POOLED = 10
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


def plan_end_week(plan: Plan | None) -> int | None:
    """The week the plan's last action has ended (its last day's week + 1); None without a
    plan or when an action runs to the end."""
    if plan is None or not plan.actions or any(a.end_day is None for a in plan.actions):
        return None
    last_day = max(a.end_day for a in plan.actions if a.end_day is not None)
    return (last_day + 1 + 6) // 7


def sustainment(checkpoints: Sequence[Checkpoint], scenario: Scenario, plan: Plan | None
                ) -> Sustainment:
    """Classes that reached a verdict and slid back by the last checkpoint."""
    ends = plan_end_week(plan)
    classes = {}
    warnings = []
    last = checkpoints[-1]
    for cls in scenario.classes:
        if cls.specialty:
            continue
        rows = [cp.classes[cls.id] for cp in checkpoints]
        verdicts = [row.verdict for row in rows]
        ranks = [RANK[v] for v in verdicts]
        best_index = max(range(len(ranks)), key=lambda i: (ranks[i], -i))
        regressed = (ranks[-1] < ranks[best_index]
                     and rows[-1].effective_responders < rows[best_index].effective_responders)
        drift = ClassDrift(
            verdicts=verdicts, best_week=checkpoints[best_index].week,
            best_verdict=verdicts[best_index], end_verdict=verdicts[-1], regressed=regressed,
            effective_best=rows[best_index].effective_responders,
            effective_end=rows[-1].effective_responders)
        classes[cls.id] = drift
        if regressed:
            warnings.append(_regression_text(cls.id, drift, last.week, ends,
                                             scenario.learning.half_life_days))
    return Sustainment(plan_ends_week=ends, classes=classes, warnings=warnings)


def _regression_text(class_id: str, drift: ClassDrift, last_week: int, ends: int | None,
                     half_life: float) -> str:
    text = (f"{class_id} slid back: {drift.best_verdict} at week {drift.best_week}, "
            f"{drift.end_verdict} at week {last_week} (non-hero effective responders "
            f"{drift.effective_best:.1f} then {drift.effective_end:.1f})")
    if ends is not None and ends <= last_week:
        return text + (f"; the plan's actions ended by week {ends} and skills decay without "
                       f"practice (half-life {half_life:g} days): keep drilling it, or plan "
                       "a refresher.")
    return text + "; the plan's practice does not keep it up."
