"""The weekly transfer budget, read back from a run's records.

The engine keeps each person's plan activity within their `transfer_hours_per_week`: what would
take them past it does not happen (a drill is skipped as `over budget`, pairing and backing up
stop for the rest of the week). So a plan's check shows what the budget allows, and a plan that
asked more is not the plan as written. These functions find where that happened, from the
records alone (records during the run, figures after): each charge of plan time as the engine
makes it (at the minute an activity starts, which is what its weekly ledger counts: the
hours by kind in sim/analysis/people/ cut spans at week edges instead), when each person's
budget ran out, and the weeks it stopped something the plan asked for.
"""

from __future__ import annotations

from collections import defaultdict

from sim.model.records import RunRecords
from sim.schema import (
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    LeadChangesAction,
    LeadWithBackupAction,
    PairAction,
    Plan,
    Role,
    Scenario,
)

# A budget within this many hours of being spent has run out.
TOLERANCE_HOURS = 1e-6


def transfer_spending(records: RunRecords, pairing_overhead: float
                      ) -> dict[str, list[tuple[float, float]]]:
    """Per person, each charge of plan activity as (minute, hours), in time order.

    Charged as the engine charges them, when the activity starts: drills and runbook writing
    (`transfer` spans), backing a learner up (`backup` spans, on incidents and on changes),
    pairing (the learner's whole `paired` span, and the leading hero's share of the pairing
    overhead: o / (1 + o) of their span).
    """
    spent: dict[str, list[tuple[float, float]]] = defaultdict(list)
    paired: set[int] = set()
    for span in records.work:
        hours = (span.end - span.start) / 60.0
        if span.role in (Role.TRANSFER, Role.BACKUP, Role.PAIRED):
            spent[span.person].append((span.start, hours))
            if span.role is Role.PAIRED:
                paired.add(span.incident_id)
    if paired:
        share = pairing_overhead / (1.0 + pairing_overhead)
        for span in records.work:
            if span.role is Role.LED and span.incident_id in paired:
                # The learner's paired span and the lead's span cover the same work; the lead
                # is the hero the learner paired with (only heroes take a pairing learner).
                spent[span.person].append((span.start, (span.end - span.start) / 60.0 * share))
    return {person: sorted(charges) for person, charges in spent.items()}


def exhausted_at(records: RunRecords, scenario: Scenario) -> dict[tuple[str, int], float]:
    """Per (person, week), the minute their weekly transfer budget ran out (when it did)."""
    budget = {p.id: p.transfer_hours_per_week for p in scenario.people}
    out: dict[tuple[str, int], float] = {}
    for person, charges in transfer_spending(records,
                                             scenario.learning.pairing_overhead).items():
        total: dict[int, float] = defaultdict(float)
        for t, hours in charges:
            week = int(t // MINUTES_PER_WEEK)
            total[week] += hours
            if (person, week) not in out and \
                    total[week] >= budget.get(person, 0.0) - TOLERANCE_HOURS:
                out[person, week] = t
    return out


def over_budget_weeks(records: RunRecords, scenario: Scenario, plan: Plan | None
                      ) -> dict[str, list[int]]:
    """Per person whose weekly transfer budget stopped part of the plan, the weeks it did.

    The plan asked more than the budget in a week when, that week: a drill was skipped as
    `over budget`; or, after the person's budget ran out, an incident the plan meant to be
    backed up (a learner of a `lead_with_backup` action leading one of its classes) or paired
    (a hero leading a class of a `pair` action) was worked without it, every hero (for backup)
    or the lead or every learner (for pairing) out of budget; or a release the plan meant a
    hero to back up (`lead_changes_with_backup`) went out without, every hero out of budget.
    People with nothing stopped are left out.
    """
    if plan is None:
        return {}
    heroes = list(scenario.heroes)
    ran_out = exhausted_at(records, scenario)
    found: dict[str, set[int]] = defaultdict(set)

    def out_of_budget(people: list[str], t: float) -> list[str]:
        week = int(t // MINUTES_PER_WEEK)
        return [p for p in people if ran_out.get((p, week), float("inf")) <= t]

    def stopped(people: list[str], t: float) -> None:
        for person in people:
            found[person].add(int(t // MINUTES_PER_WEEK))

    first_hero = heroes[0] if heroes else None
    for cost in records.plan_costs:
        if cost.skipped == "over budget":
            action = plan.actions[cost.action]
            person = getattr(action, "hero", None) or first_hero
            if person is not None:
                stopped([person], cost.at)
    helped = {s.incident_id for s in records.work if s.role in (Role.BACKUP, Role.PAIRED)}
    class_of = {i.incident_id: i.class_id for i in records.incidents}
    for span in records.work:
        if span.role is not Role.LED or span.incident_id is None or \
                span.incident_id in helped or span.incident_id not in class_of:
            continue
        class_id, t = class_of[span.incident_id], span.start
        for action in _in_force(plan, t):
            if class_id not in getattr(action, "classes", ()):
                continue
            if isinstance(action, LeadWithBackupAction) and span.person in action.learners:
                spent = out_of_budget(heroes, t)
                if heroes and len(spent) == len(heroes):
                    stopped(spent, t)
            elif isinstance(action, PairAction) and span.person in heroes:
                lead = out_of_budget([span.person], t)
                learners = out_of_budget(list(action.learners), t)
                stopped(lead or (learners if len(learners) == len(action.learners) else []), t)
    for change in records.changes:
        if change.shipped is None or change.backed_by is not None:
            continue
        for action in _in_force(plan, change.shipped):
            if isinstance(action, LeadChangesAction) and change.service in action.services:
                spent = out_of_budget(heroes, change.shipped)
                if heroes and len(spent) == len(heroes):
                    stopped(spent, change.shipped)
    return {person: sorted(weeks) for person, weeks in sorted(found.items())}


def _in_force(plan: Plan, t: float) -> list:
    """The plan's actions in force at minute `t` (from their first day to their last)."""
    return [a for a in plan.actions if a.start_day * MINUTES_PER_DAY <= t and (
        a.end_day is None or t < (a.end_day + 1) * MINUTES_PER_DAY)]
