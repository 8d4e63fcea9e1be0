"""Transfer plans on the simulated calendar: each action is a SimPy process that changes the
live team state (sim/model/state.py) on its dates and appends what it costs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

from sim.model.context import TeamContext
from sim.model.records import PlanCost, WorkSpan
from sim.model.state import TeamState
from sim.schema import (
    MINUTES_PER_DAY,
    DrillAction,
    FixConditionAction,
    LeadChangesAction,
    LeadWithBackupAction,
    PairAction,
    Plan,
    PlanAction,
    PracticeKind,
    RemoveNeedsAction,
    RemoveRequiresAction,
    Role,
    RotationAction,
    RunbookAction,
    ShadowAction,
    StopPullsAction,
    members_of,
)

# Default costs, in hours, of one occurrence of each action: (hero, each learner). Live
# practice (pairing, backup, shadowing) is measured in the run on top of these. The reasoning
# is in docs/plans.md: a runbook is a day of the hero's writing and a review; a drill is a
# two-hour session the hero runs; a condition fix is a couple of days of engineering.
DEFAULT_COSTS: dict[str, tuple[float, float]] = {
    "pair": (0.0, 0.0),
    "lead_with_backup": (0.5, 0.5),
    "add_shadow": (0.0, 0.5),
    "change_rotation": (1.0, 0.5),
    "runbook": (8.0, 2.0),
    "runbook_refresh": (2.0, 0.5),
    "drill": (2.0, 2.0),
    "stop_informal_pulls": (0.5, 0.0),
    "fix_condition": (16.0, 8.0),
    "remove_requires": (8.0, 4.0),
    "lead_changes_with_backup": (0.5, 0.5),
    "remove_needs": (4.0, 2.0),
}


def costs(action, kind: str | None = None) -> tuple[float, float]:
    """(hero hours, hours per learner) of one occurrence of `action`."""
    hero, learner = DEFAULT_COSTS[kind or action.kind]
    if action.hero_hours is not None:
        hero = action.hero_hours
    if action.learner_hours is not None:
        learner = action.learner_hours
    return hero, learner


def learners_of(action) -> list[str]:
    """The people an action trains (a shadow schedule's members for a shadow slot)."""
    if hasattr(action, "learners"):
        return list(action.learners)
    if isinstance(action, ShadowAction):
        return members_of(action.schedule)
    return []


def start_plan(ctx: TeamContext, plan: Plan) -> None:
    """Start one SimPy process per action of `plan`, each acting on its own dates."""
    for index, action in enumerate(plan.actions):
        ctx.env.process(_run_action(ctx, index, action))


def _run_action(ctx: TeamContext, index: int, action: PlanAction) -> Generator:
    """One action: wait for its start, switch it on, repeat it or switch it off at its end."""
    env = ctx.env
    start = action.start_day * MINUTES_PER_DAY
    end = None if action.end_day is None else (action.end_day + 1) * MINUTES_PER_DAY
    if start >= ctx.horizon:
        return  # dated after the run: it neither acts nor costs anything
    if start > env.now:
        yield env.timeout(start - env.now)
    horizon = ctx.horizon if end is None else min(end, ctx.horizon)
    if isinstance(action, DrillAction):
        # Held at 10:00 on its days (the scenario's clock), in working hours.
        yield env.timeout(DRILL_MINUTE)
        while env.now < horizon:
            _drill(ctx, index, action)
            yield env.timeout(action.every_days * MINUTES_PER_DAY)
        return
    if isinstance(action, RunbookAction):
        # Written on the first day its author is there and has the hours for it.
        while _author_ready(ctx, action, action.kind) is not None:
            yield env.timeout(MINUTES_PER_DAY)
            if env.now >= horizon:
                return
        _author_writes(ctx, action, action.kind)
    undo = _switch_on(ctx, index, action)
    ctx.slots.offer_everyone()  # the change may let someone take waiting work
    if isinstance(action, RunbookAction) and action.refresh_every_days:
        while True:
            yield env.timeout(action.refresh_every_days * MINUTES_PER_DAY)
            while _author_ready(ctx, action, "runbook_refresh") is not None \
                    and env.now < horizon:
                yield env.timeout(MINUTES_PER_DAY)
            if env.now >= horizon:
                break
            _author_writes(ctx, action, "runbook_refresh")
            for class_id in action.classes:
                ctx.state.runbooks.refresh(class_id, env.now)
            _charge(ctx, index, action, "runbook_refresh")
    # Ending after the horizon is not ending within the run: the state at the end stays as it
    # was at the horizon (what the independence check's diagnosis reads).
    if end is not None and end <= ctx.horizon and undo is not None:
        if end > env.now:
            yield env.timeout(end - env.now)
        undo()
        ctx.slots.offer_everyone()


# Drills start at 10:00 on their days (scenario clock): a session in working hours.
DRILL_MINUTE = 10 * 60


def _charge(ctx: TeamContext, index: int, action: PlanAction, kind: str | None = None
            ) -> None:
    hero, learner = costs(action, kind)
    learners = learners_of(action)
    ctx.records.plan_costs.append(
        PlanCost(ctx.env.now, index, kind or action.kind, hero,
                 learner * max(1, len(learners)) if learners else learner)
    )


def _switch_on(ctx: TeamContext, index: int, action: PlanAction) -> Callable[[], None] | None:
    """Apply `action` now; return a function that undoes it at its end day, or None."""
    state = ctx.state
    now = ctx.env.now
    _charge(ctx, index, action)
    if isinstance(action, PairAction | LeadWithBackupAction):
        table = state.pairing if isinstance(action, PairAction) else state.backup
        for class_id in action.classes:
            table.setdefault(class_id, []).extend(action.learners)

        def undo():
            for class_id in action.classes:
                for person in action.learners:
                    table[class_id].remove(person)
        return undo
    if isinstance(action, ShadowAction):
        before = state.schedules.get("shadow")
        state.schedules["shadow"] = action.schedule
        return lambda: state.schedules.__setitem__("shadow", before)
    if isinstance(action, RotationAction):
        rotation_before = dict(state.schedules)
        if action.primary is not None:
            state.schedules["primary"] = action.primary
        if action.secondary is not None:
            state.schedules["secondary"] = action.secondary

        def undo():
            state.schedules.update({k: rotation_before[k] for k in ("primary", "secondary")})
        return undo
    if isinstance(action, RunbookAction):
        for class_id in action.classes:
            state.runbooks.write(class_id, action.coverage, action.quality, now)
        return None
    if isinstance(action, StopPullsAction):
        # Overlapping actions stack: one ending does not undo another still in force.
        key = tuple(action.classes) or ("*",)
        state.pull_stops.append(key)
        state.apply_pull_stops()

        def undo():
            state.pull_stops.remove(key)
            state.apply_pull_stops()
        return undo
    if isinstance(action, FixConditionAction):
        return _fix_condition(state, index, action)
    if isinstance(action, LeadChangesAction):
        for service in action.services:
            state.change_backup.setdefault(service, []).extend(action.learners)

        def undo():
            for service in action.services:
                for person in action.learners:
                    state.change_backup[service].remove(person)
        return undo
    if isinstance(action, RemoveNeedsAction):
        needs_before = {v: state.needs.get(v, ()) for v in action.services}
        for service in action.services:
            state.needs[service] = ()
        return lambda: state.needs.update(needs_before)
    if isinstance(action, RemoveRequiresAction):
        requires_before = {c: state.requires[c] for c in action.classes}
        for class_id in action.classes:
            keep = () if not action.people else tuple(
                p for p in state.requires[class_id] if p not in action.people
            )
            state.requires[class_id] = keep

        def undo():
            state.requires.update(requires_before)
        return undo
    raise TypeError(f"unknown plan action {action!r}")  # pragma: no cover


def _fix_condition(state: TeamState, index: int, action: FixConditionAction
                   ) -> Callable[[], None]:
    """Set a condition (team-wide, or per named service or class); fixes stack per target:
    when one ends, the latest still in force wins, and with none the value as it was."""
    name = action.condition.value
    if name == "release_fragility":
        tables = [(state.failure_rates, service) for service in action.services]
    elif name == "ownership":
        tables = [(state.class_routing, class_id) for class_id in action.classes]
    else:
        tables = [({name: getattr(state, name)}, name)]  # team-wide: an attribute
    undos = []
    for table, key in tables:
        stack = state.condition_fixes.setdefault(f"{name}:{key}", [table.get(key)])
        entry = (index, action.value)
        stack.append(entry)
        _set(state, name, table, key, action.value)
        undos.append((table, key, stack, entry))

    def undo():
        for table, key, stack, entry in undos:
            stack.remove(entry)
            _set(state, name, table, key, stack[-1][1] if len(stack) > 1 else stack[0])
    return undo


def _set(state: TeamState, name: str, table: dict, key: str, value: float | None) -> None:
    """One condition's value: a team-wide attribute, or a per-target entry (None: the entry
    goes, so an ownership fix that ends leaves the team-wide routing ambiguity)."""
    if table is state.failure_rates or table is state.class_routing:
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    else:
        setattr(state, name, value)


def _drill(ctx: TeamContext, index: int, action: DrillAction) -> None:
    """A game-day drill, run by its hero: each learner present (and within their weekly
    budget) practises each class, and everyone in it is busy for its hours.

    On a day the hero is away it is skipped, or held without them when the plan says so; when
    the hero's weekly transfer budget cannot cover it, it is skipped. A skipped drill is
    recorded with why, and costs nothing.
    """
    now = ctx.env.now
    hero_hours, learner_hours = costs(action)
    hero = action.hero or (ctx.heroes[0] if ctx.heroes else None)
    with_hero = hero is not None and not ctx.calendar.absent(hero, now)
    skipped = None
    if hero is not None and not with_hero and action.if_hero_away == "skip":
        skipped = "hero away"
    elif with_hero and hero is not None and ctx.budget_left(hero, now) < hero_hours:
        skipped = "over budget"
    present = [] if skipped else [
        p for p in action.learners if p != hero and not ctx.calendar.absent(p, now)
        and ctx.budget_left(p, now) >= learner_hours]
    if not skipped and not present:
        skipped = "no learner present"
    if skipped:
        ctx.records.plan_costs.append(PlanCost(now, index, action.kind, 0.0, 0.0, skipped))
        return
    attending = [hero] if with_hero and hero is not None else []
    for person in present:
        for class_id in action.classes:
            # Through the model, so a drill is recorded as practice like any other.
            ctx.practise(person, class_id, PracticeKind.DRILL, now)
    for person, hours in [*((p, learner_hours) for p in present),
                          *((h, hero_hours) for h in attending)]:
        ctx.spend(person, now, hours)
        ctx.occupy(person, hours * 60.0)
        ctx.records.work.append(WorkSpan(person, now, now + hours * 60.0, None, Role.TRANSFER))
    ctx.records.plan_costs.append(PlanCost(
        now, index, action.kind, hero_hours if attending else 0.0, learner_hours * len(present)))


def _author_ready(ctx: TeamContext, action: RunbookAction, kind: str) -> str | None:
    """Why the runbook's author cannot write (or refresh) it now, or None when they can."""
    author = action.author or (ctx.heroes[0] if ctx.heroes else None)
    if author is None:
        return None
    now = ctx.env.now
    if ctx.calendar.absent(author, now):
        return "author away"
    if ctx.budget_left(author, now) < costs(action, kind)[0]:
        return "over budget"
    return None


def _author_writes(ctx: TeamContext, action: RunbookAction, kind: str) -> None:
    """The author spends the writing's hours (transfer time, interruptible: no slot held)."""
    author = action.author or (ctx.heroes[0] if ctx.heroes else None)
    if author is not None:
        now = ctx.env.now
        hours = costs(action, kind)[0]
        ctx.spend(author, now, hours)
        ctx.records.work.append(WorkSpan(author, now, now + hours * 60.0, None, Role.TRANSFER))

