"""The operational rotation plan (`herosim rotation`): week by week, who is primary, secondary
and shadow as a transfer plan changes the rotation, and what being on call costs each person.

Who holds a layer comes from the engine itself: one run of the plan with snapshots of the team
state at the start of every day (plan actions act at day boundaries) gives the schedules in
force that day, and the engine's `Calendar.on_call` answers who holds each layer each hour
(planned absences hand the shift on, as in a run). Consecutive hours of one person on one layer
make a **shift** (a row of rotation.csv, an event of rotation.ics). The expected cost of being
on call (pages, pages in sleep hours, incidents that still needed a hero) comes from
`Replications` of the plan with learning on, as `herosim check` runs it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sim import __version__
from sim.analysis.metrics import effective_responders
from sim.analysis.metrics.summary import interval
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types.rotation import (
    Holder,
    OnCallLoad,
    RotationDocument,
    RotationFlag,
    RotationWeek,
    Shift,
)
from sim.model import TeamModel
from sim.model.calendar import Calendar
from sim.model.records import InterruptionKind
from sim.model.skills import SkillBook
from sim.schema import MINUTES_PER_DAY, HourClass, Plan, RotationAction, Scenario, ShadowAction

LAYERS = ("primary", "secondary", "shadow")
# A layer leans on one person when they hold more than this share of its hours (a fair
# two-person layer is at 0.5).
LEANS_ON_SHARE = 0.6


@dataclass(frozen=True)
class RotationSpec:
    """What one replication of the rotation plan simulates."""

    scenario: Scenario
    plan: Plan | None
    days: int
    seed: int


def rotation_replication(spec: RotationSpec, replication: int) -> dict[str, dict[str, float]]:
    """One replication of the plan (learning on): per person, pages, sleep-hour pages,
    incidents acknowledged that a hero took part in, and hero interruptions."""
    model = TeamModel(spec.scenario, spec.days, spec.seed, replication, plan=spec.plan,
                      learn=True)
    records = model.run()
    heroes = set(spec.scenario.heroes)
    out: dict[str, dict[str, float]] = {
        p.id: {"pages": 0.0, "sleep_pages": 0.0, "hero_involved": 0.0,
               "hero_interruptions": 0.0} for p in spec.scenario.people}
    horizon = spec.days * MINUTES_PER_DAY
    for i in records.interruptions:
        if i.at >= horizon:
            continue
        if i.person in heroes:
            out[i.person]["hero_interruptions"] += 1
        if i.kind in (InterruptionKind.PAGE, InterruptionKind.NOISE):
            out[i.person]["pages"] += 1
            if i.hour_class is HourClass.SLEEP:
                out[i.person]["sleep_pages"] += 1
    for incident in records.incidents:
        who = incident.acknowledged_by
        if incident.hero_involved and who is not None and who not in heroes \
                and incident.arrived < horizon:
            out[who]["hero_involved"] += 1
    return out


def schedules_by_day(scenario: Scenario, plan: Plan | None, days: int) -> list[dict]:
    """The rotation layers in force on each day, as the engine's plan actions leave them
    (one run, no incidents; a snapshot one minute into each day, after the day's actions)."""
    model = TeamModel(scenario, days, 0, 0, arrivals=[], plan=plan)
    model.run(snapshot_at=[d * MINUTES_PER_DAY + 1 for d in range(days)])
    return [dict(s.state.schedules) for s in model.snapshots]


def run_rotation(reps: Replications, plan: Plan | None = None, weeks: int = 12
                 ) -> RotationDocument:
    """The rotation plan over `weeks`: shifts, the weekly table, per-person load and flags.

    Args:
        reps: the team and how to replicate (the expected pages and hero involvement are
            means over `reps.replications`, each with its own incidents and absences).
        plan: the transfer plan whose actions change the rotation (and whose practice changes
            who needs the hero); None: the scenario's rotation as it is.
        weeks: how many weeks to lay out.
    """
    scenario = reps.scenario
    days = weeks * 7
    calendar = Calendar(scenario, days + 1)
    # Rotation weeks run from hand-off to hand-off: the layout covers the first
    # `handoff` hours of the day after the last week too.
    handoff = scenario.rotation.primary[0].handoff_hour
    per_day = schedules_by_day(scenario, plan, days + 1)
    hourly = {layer: held[:days * 24 + handoff]
              for layer, held in _holders_by_hour(calendar, per_day).items()}
    shifts = _shifts(scenario, calendar, hourly, handoff)
    spec = RotationSpec(scenario, plan, days, reps.seed)
    per_rep = run_tasks(rotation_replication, [(spec, r) for r in range(reps.replications)],
                        reps.workers, reps.progress, reps.executor)
    layers = [layer for layer in LAYERS if any(s.layer == layer for s in shifts)]
    learners = _learners(scenario)
    people = _loads(scenario, calendar, hourly, per_rep, learners, handoff)
    return RotationDocument(
        herosim_version=__version__, scenario=scenario.name,
        plan=plan.name if plan else None, weeks=weeks, replications=reps.replications,
        seed=reps.seed, start_date=scenario.start_date.isoformat(),
        timezone=scenario.timezone, layers=layers,
        week_rows=_weeks(scenario, hourly, plan, weeks, handoff),
        shifts=shifts, people=people,
        flags=_flags(scenario, hourly, learners, weeks),
    )


def _holders_by_hour(calendar: Calendar, per_day: list[dict]) -> dict[str, list[str | None]]:
    """Per layer, who holds it in each hour of the weeks."""
    out: dict[str, list[str | None]] = {layer: [] for layer in LAYERS}
    for day, schedules in enumerate(per_day):
        calendar.schedules = schedules
        for hour in range(24):
            t = (day * 24 + hour) * 60 + 30
            for layer in LAYERS:
                out[layer].append(calendar.on_call(layer, t) if schedules.get(layer) else None)
    return out


def local_time(scenario: Scenario, minute: float) -> dt.datetime:
    """Minute `minute` of the scenario as an aware datetime in the scenario's zone (the model's
    clock is the zone's wall clock from the start date's midnight)."""
    naive = dt.datetime.combine(scenario.start_date, dt.time()) + dt.timedelta(minutes=minute)
    return naive.replace(tzinfo=ZoneInfo(scenario.timezone))


def week_of(hour: int, handoff: int) -> int:
    """The rotation week of an hour of the layout: weeks run from the primary's hand-off hour
    (the hours before the first hand-off belong to week 0)."""
    return max(0, (hour - handoff) // 168)


def _shifts(scenario: Scenario, calendar: Calendar, hourly: dict[str, list[str | None]],
            handoff: int) -> list[Shift]:
    names = {p.id: p.display_name for p in scenario.people}
    out = []
    for layer in LAYERS:
        holders = hourly[layer]
        start = 0
        for h in range(1, len(holders) + 1):
            if h < len(holders) and holders[h] == holders[start]:
                continue
            person = holders[start]
            if person is not None:
                sleep = sum(calendar.hour_class(person, (x * 60) + 30) is HourClass.SLEEP
                            for x in range(start, h))
                out.append(Shift(
                    layer=layer, person=person, name=names[person],
                    start=local_time(scenario, start * 60).isoformat(),
                    end=local_time(scenario, h * 60).isoformat(),
                    start_minute=float(start * 60), end_minute=float(h * 60),
                    week=week_of(start, handoff), hours=float(h - start), sleep_hours=float(sleep)))
            start = h
    out.sort(key=lambda s: (s.start_minute, LAYERS.index(s.layer)))
    return out


def _weeks(scenario: Scenario, hourly: dict[str, list[str | None]], plan: Plan | None,
           weeks: int, handoff: int) -> list[RotationWeek]:
    rows = []
    for week in range(weeks):
        held: dict[str, list[Holder]] = {}
        for layer in LAYERS:
            counts: dict[str, int] = defaultdict(int)
            for person in hourly[layer][week * 168 + handoff:(week + 1) * 168 + handoff]:
                if person is not None:
                    counts[person] += 1
            held[layer] = [Holder(p, float(n)) for p, n in
                           sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        rows.append(RotationWeek(
            week=week, start=(scenario.start_date + dt.timedelta(days=7 * week)).isoformat(),
            primary=held["primary"], secondary=held["secondary"], shadow=held["shadow"],
            changes=_changes_in(plan, week)))
    return rows


def _changes_in(plan: Plan | None, week: int) -> list[str]:
    """The plan's rotation actions that start or end during `week`."""
    if plan is None:
        return []
    out = []
    for action in plan.actions:
        if not isinstance(action, RotationAction | ShadowAction):
            continue
        what = "shadow added" if isinstance(action, ShadowAction) else "rotation changed"
        if action.start_day // 7 == week:
            out.append(f"day {action.start_day}: {what}" + (f" ({action.note})"
                                                             if action.note else ""))
        if action.end_day is not None and (action.end_day + 1) // 7 == week:
            out.append(f"day {action.end_day + 1}: {what} ends")
    return out


def _learners(scenario: Scenario) -> set[str]:
    """Non-heroes who are not yet effective responders for some class the team owns (not a
    declared specialty), with the scenario's skills."""
    skills = SkillBook.from_scenario(scenario)
    heroes = set(scenario.heroes)
    owned = [c.id for c in scenario.classes if not c.specialty]
    effective = {c: set(effective_responders(scenario, skills, c)) for c in owned}
    return {p.id for p in scenario.people if p.id not in heroes
            and any(p.id not in effective[c] for c in owned)}


def _loads(scenario: Scenario, calendar: Calendar, hourly: dict[str, list[str | None]],
           per_rep: list[dict], learners: set[str], handoff: int) -> list[OnCallLoad]:
    heroes = set(scenario.heroes)
    # Each layer's hours by holder, in one pass (not one pass per person).
    hours_of: dict[str, dict[str, list[int]]] = {layer: defaultdict(list) for layer in LAYERS}
    for layer in LAYERS:
        for h, who in enumerate(hourly[layer]):
            if who is not None:
                hours_of[layer][who].append(h)
    out = []
    for p in scenario.people:
        weeks_held = {layer: {week_of(h, handoff) for h in hours_of[layer][p.id]}
                      for layer in LAYERS}
        on_call = hours_of["primary"][p.id] + hours_of["secondary"][p.id]
        nights = set()
        for h in set(on_call):
            t = h * 60 + 30
            if calendar.hour_class(p.id, t) is HourClass.SLEEP:
                local = t + calendar.offsets[p.id][calendar.day(t)]
                # A night runs from 22:00 to 08:00: shifting by 12 hours gives one key a night.
                nights.add(int((local - 12 * 60) // MINUTES_PER_DAY))

        def figure(name: str, person: str = p.id) -> dict:
            return dict(interval([rep[person][name] for rep in per_rep]))

        out.append(OnCallLoad(
            person=p.id, name=p.display_name, hero=p.id in heroes, learner=p.id in learners,
            primary_weeks=len(weeks_held["primary"]),
            secondary_weeks=len(weeks_held["secondary"]),
            shadow_weeks=len(weeks_held["shadow"]),
            weeks_on_call=len(weeks_held["primary"] | weeks_held["secondary"]),
            on_call_hours=float(len(on_call)), nights=len(nights),
            pages=figure("pages"), sleep_pages=figure("sleep_pages"),
            hero_involved=figure("hero_involved"),
            hero_interruptions=figure("hero_interruptions")))
    return out


def _flags(scenario: Scenario, hourly: dict[str, list[str | None]], learners: set[str],
           weeks: int) -> list[RotationFlag]:
    """A layer that leans on one person (above all a learner), and hours where one person
    holds primary and secondary at once."""
    heroes = set(scenario.heroes)
    out = []
    for layer in ("primary", "secondary"):
        held = [who for who in hourly[layer] if who is not None]
        if not held or weeks < 2:
            continue
        counts: dict[str, int] = defaultdict(int)
        for who in held:
            counts[who] += 1
        person, hours = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        share = hours / len(held)
        if share > LEANS_ON_SHARE and person not in heroes:
            who = "a learner" if person in learners else "one person"
            out.append(RotationFlag(
                kind="leans_on_one", layer=layer, person=person, share=share,
                message=f"the {layer} layer leans on {who}: {person} holds {share:.0%} of its "
                f"hours over {weeks} weeks" + (
                    " while not yet an effective responder for every class the team owns"
                    if person in learners else "")
                + "; add members or pair them so that the layer has cover"))
    both = [h for h, (a, b) in enumerate(zip(hourly["primary"], hourly["secondary"]))
            if a is not None and a == b]
    if both:
        person = hourly["primary"][both[0]]
        out.append(RotationFlag(
            kind="same_person", layer="secondary", person=person, share=len(both) / len(
                hourly["primary"]),
            message=f"{person} is primary and secondary at once for {len(both)} hours (first "
            f"on day {both[0] // 24}): the secondary adds no cover then"))
    gaps = sum(who is None for who in hourly["primary"])
    if gaps:
        out.append(RotationFlag(
            kind="uncovered", layer="primary", person=None, share=gaps / len(hourly["primary"]),
            message=f"nobody holds primary for {gaps} hours: pages go to the next level"))
    return out
