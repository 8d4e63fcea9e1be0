"""A plan read before it runs: the hours it asks of each person week by week against their
weekly transfer budget, and the heroes it keeps as backup or approver forever.

Both are deterministic: the schedule comes from the plan's dates and costs
(`sim.model.plans.costs`, docs/plans.md), not from a run. The live time a plan causes
(pairing overhead, backing up on incidents and changes) depends on the incidents and is
measured in the run (sim/analysis/people/hours.py); the schedule is what the plan asks for
certain. What the budget allows follows the engine's rule: a drill that would take its hero
past their week's budget is skipped (with its learners' time); other charges are made.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.analysis.types.people import ApproverFlag, Budget, BudgetRow, PlanReview
from sim.model.plans import costs, learners_of
from sim.schema import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    DrillAction,
    LeadChangesAction,
    LeadWithBackupAction,
    Plan,
    RemoveNeedsAction,
    RunbookAction,
    Scenario,
)

PLAYBOOK_NO_TIME = ("the playbook's \"do not use when\": leaders want to remove dependence "
                    "without creating time for transfer")
PLAYBOOK_APPROVER = "the playbook's mistake \"the hero kept as final approver forever\""
# Hours are compared with this slack (a budget met exactly is met).
EPSILON = 1e-9


# The weekly budget pays for these (as the engine spends it); the plan's other charges (a
# condition fix, access, an arrangement) are reported beside it, not against it.
BUDGETED = frozenset({"drill", "runbook", "runbook_refresh"})
# The engine holds drills at 10:00 on their days (the scenario's clock).
DRILL_MINUTE = 10 * 60


class Occurrence(NamedTuple):
    """One occurrence of a plan action: when, which, and whom it charges how many hours (the
    hero's charge first, then each learner's)."""

    at: float  # minute
    action: int
    kind: str
    hero: str | None
    hero_hours: float
    learners: tuple[tuple[str, float], ...]

    @property
    def charges(self) -> list[tuple[str, float]]:
        """Every (person, hours) it charges."""
        hero = [(self.hero, self.hero_hours)] if self.hero and self.hero_hours > 0 else []
        return hero + [(p, h) for p, h in self.learners if h > 0]


def occurrences(plan: Plan, scenario: Scenario, weeks: int) -> list[Occurrence]:
    """Every occurrence of the plan's actions within `weeks`, in time order (then action
    order): drills on their days, a runbook on its start day and at each refresh, every other
    action once, on its start day."""
    first = scenario.heroes[0] if scenario.heroes else None
    horizon = weeks * MINUTES_PER_WEEK
    out: list[Occurrence] = []
    for index, action in enumerate(plan.actions):
        start = action.start_day * MINUTES_PER_DAY
        if start >= horizon:
            continue
        end = None if action.end_day is None else (action.end_day + 1) * MINUTES_PER_DAY
        stop = horizon if end is None else min(end, horizon)
        hero = getattr(action, "hero", None) or getattr(action, "author", None) or first
        if isinstance(action, DrillAction):
            t = float(start + DRILL_MINUTE)
            while t < stop:
                out.append(_occurrence(action, index, t, hero))
                t += action.every_days * MINUTES_PER_DAY
            continue
        out.append(_occurrence(action, index, float(start), hero))
        if isinstance(action, RunbookAction) and action.refresh_every_days:
            t = start + action.refresh_every_days * MINUTES_PER_DAY
            while t < stop:
                out.append(_occurrence(action, index, float(t), hero, "runbook_refresh"))
                t += action.refresh_every_days * MINUTES_PER_DAY
    out.sort(key=lambda o: (o.at, o.action))
    return out


def _occurrence(action, index: int, at: float, hero: str | None, kind: str | None = None
                ) -> Occurrence:
    hero_hours, learner_hours = costs(action, kind)
    return Occurrence(at, index, kind or action.kind, hero, hero_hours,
                      tuple((p, learner_hours) for p in learners_of(action) if p != hero))


class _Ledger:
    """Budgeted hours spent per (person, week), as the engine keeps them."""

    def __init__(self, budgets: dict[str, float], weeks: int):
        self.budgets = budgets
        self.spent = {p: [0.0] * weeks for p in budgets}

    def left(self, person: str, week: int) -> float:
        return self.budgets[person] - self.spent[person][week]

    def spend(self, person: str, week: int, hours: float) -> None:
        self.spent[person][week] += hours


def budget_review(plan: Plan | None, scenario: Scenario, weeks: int) -> Budget:
    """Each person's scheduled plan hours per week against their transfer budget, and what the
    budget allows (the engine's rules: a drill its hero cannot fit is skipped, and so is one
    no learner can fit; a runbook waits for a week with room for it)."""
    if plan is None or not plan.actions:
        return Budget(fits=True, people=[])
    budgets = {p.id: p.transfer_hours_per_week for p in scenario.people}
    scheduled = {p: [0.0] * weeks for p in budgets}
    other = dict.fromkeys(budgets, 0.0)
    ledger = _Ledger(budgets, weeks)
    skipped = dict.fromkeys(budgets, 0)
    pending = list(occurrences(plan, scenario, weeks))
    for o in pending:
        week = int(o.at // MINUTES_PER_WEEK)
        for person, hours in o.charges:
            if o.kind in BUDGETED:
                scheduled[person][week] += hours
            else:
                other[person] += hours
    pending = [o for o in pending if o.kind in BUDGETED]
    while pending:
        o = pending.pop(0)
        week = int(o.at // MINUTES_PER_WEEK)
        if o.kind == "drill":
            if o.hero and o.hero_hours > 0 and ledger.left(o.hero, week) < o.hero_hours:
                skipped[o.hero] += 1
                continue
            attending = [(p, h) for p, h in o.learners if ledger.left(p, week) >= h]
            if o.learners and not attending:
                if o.hero:
                    skipped[o.hero] += 1
                continue
            for person, hours in [*o.charges[:1 if o.hero and o.hero_hours > 0 else 0],
                                  *attending]:
                ledger.spend(person, week, hours)
            continue
        if o.hero is None:
            continue
        if ledger.left(o.hero, week) < o.hero_hours:
            # The author waits: the first day of the next week with room for it.
            later = (week + 1) * MINUTES_PER_WEEK + o.at % MINUTES_PER_DAY
            if week + 1 < weeks:
                pending.append(o._replace(at=later))
                pending.sort(key=lambda x: (x.at, x.action))
            continue
        ledger.spend(o.hero, week, o.hero_hours)
    rows = []
    for person, hours in scheduled.items():
        if not any(hours) and not other[person]:
            continue
        budget = budgets[person]
        over = [w for w, h in enumerate(hours) if h > budget + EPSILON]
        rows.append(BudgetRow(person=person, budget=budget, scheduled=hours, over_weeks=over,
                              peak=max(hours), total=sum(hours), allowed=ledger.spent[person],
                              skipped_drills=skipped[person], other_hours=other[person]))
    fits = not any(row.over_weeks for row in rows)
    return Budget(fits=fits, people=rows, text=_budget_text(rows, fits))


def _budget_text(rows: list[BudgetRow], fits: bool) -> list[str]:
    """Two sentences per group of people the plan asks the same of (over, and what the
    budget allows), then the playbook's sentence when it does not fit."""
    groups: dict[tuple, list[BudgetRow]] = {}
    for row in rows:
        if row.over_weeks:
            key = (row.budget, tuple(row.over_weeks), tuple(row.scheduled), tuple(row.allowed),
                   row.skipped_drills)
            groups.setdefault(key, []).append(row)
    lines = []
    for group in groups.values():
        row = group[0]
        who = _names([r.person for r in group])
        worst = max(row.over_weeks, key=lambda w: row.scheduled[w])
        lines.append(
            f"The plan asks {who}{' each' if len(group) > 1 else ''} for more than their "
            f"transfer budget of {row.budget:g} h a week in {len(row.over_weeks)} of "
            f"{len(row.scheduled)} weeks ({_weeks(row.over_weeks)}; {row.scheduled[worst]:.1f} "
            f"h in week {worst}), {row.total:.0f} h of drills and runbooks in all"
            + (" (each)." if len(group) > 1 else "."))
        lines.append(
            f"Within the budget {sum(row.allowed):.0f} of those {row.total:.0f} h happen"
            + (f" ({row.skipped_drills} of the drills {who} "
               f"{'runs' if len(group) == 1 else 'run'} "
               f"{'is' if row.skipped_drills == 1 else 'are'} skipped)"
               if row.skipped_drills else "")
            + "; pairing and backing up stop for the week once it is spent.")
    if not fits:
        lines.append(f"This is {PLAYBOOK_NO_TIME}. Make the time (raise "
                     "transfer_hours_per_week, lower project_share) or spread the plan's "
                     "actions before counting on it.")
    return lines


def _names(people: list[str]) -> str:
    return people[0] if len(people) == 1 else ", ".join(people[:-1]) + " and " + people[-1]


def _weeks(weeks: list[int]) -> str:
    shown = ", ".join(str(w) for w in weeks[:8])
    return "week " + shown + (f" and {len(weeks) - 8} more" if len(weeks) > 8 else "")


def approver_flags(plan: Plan | None, scenario: Scenario) -> list[ApproverFlag]:
    """Heroes kept as backup or approver with no end: a lead-with-backup (of incidents or of
    changes) with no `end_day`, and a `needs` gate naming a hero that the plan never
    removes."""
    heroes = list(scenario.heroes)
    flags = []
    actions = plan.actions if plan is not None else []
    who = ", ".join(heroes) or "the heroes"
    one = len(heroes) == 1
    for action in actions:
        if action.end_day is not None:
            continue
        if isinstance(action, LeadWithBackupAction):
            subject = ", ".join(action.classes)
            flags.append(ApproverFlag(
                kind=action.kind, subject=subject, people=heroes,
                text=f"lead_with_backup ({subject}) has no end_day: {who} "
                     f"{'backs' if one else 'back'} the learners "
                     f"up forever, {PLAYBOOK_APPROVER}. Give it an end_day after which the "
                     "learners lead alone."))
        elif isinstance(action, LeadChangesAction):
            subject = ", ".join(action.services)
            flags.append(ApproverFlag(
                kind=action.kind, subject=subject, people=heroes,
                text=f"lead_changes_with_backup ({subject}) has no end_day: {who} "
                     f"{'stands' if one else 'stand'} behind "
                     f"every change forever, {PLAYBOOK_APPROVER}. Give it an end_day, then "
                     "remove_needs."))
    removed = {service for action in actions if isinstance(action, RemoveNeedsAction)
               and action.end_day is None for service in action.services}
    for service in scenario.services:
        if service.changes is None or service.id in removed:
            continue
        gate = [p for p in service.changes.needs if p in heroes]
        if gate:
            flags.append(ApproverFlag(
                kind="needs", subject=service.id, people=gate,
                text=f"{service.id} changes need {', '.join(gate)} and the "
                     f"{'plan' if plan is not None else 'team (no plan)'} never removes the "
                     f"gate: {PLAYBOOK_APPROVER}. Add remove_needs once others lead the "
                     "changes."))
    return flags


def review_plan(plan: Plan | None, scenario: Scenario, weeks: int) -> PlanReview:
    """The plan's budget and final-approver review over `weeks`."""
    return PlanReview(budget=budget_review(plan, scenario, weeks),
                      final_approver=approver_flags(plan, scenario))
