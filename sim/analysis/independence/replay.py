"""One replication of the independence check: the plan run with learning, and the evaluation
window replayed at every checkpoint with the heroes present and absent (compact numbers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np

from sim.analysis.evaluation import evaluation_replication, replay_arms, window_arrivals
from sim.analysis.independence.budget import over_budget_weeks
from sim.analysis.metrics import effective_responders
from sim.analysis.people import ArmPeople, arm_people, weekly_hours
from sim.model import Arrival, TeamModel
from sim.model.records import RunRecords
from sim.model.rng import Purpose, stream
from sim.schema import MINUTES_PER_DAY, EscalationKind, IndependenceCriteria, Plan, Role, Scenario

COUNT_KEYS = ("n", "breaches", "beyond_first", "escalations", "informal", "to_person",
              "struggled", "unresolved", "hero")
# Hand-offs to a named person rather than to a level of the policy: the playbook's "person-
# centric" escalation (an informal pull of a hero; a direct page of someone with the access).
TO_PERSON = (EscalationKind.INFORMAL, EscalationKind.DIRECT)
ARMS = ("present", "absent")
NEXT_OUT = "next_out"  # the third arm: the heroes and the next person out absent


@dataclass(frozen=True)
class CheckSpec:
    """What to check: a scenario, an optional plan, the weeks and the checkpoint spacing."""

    scenario: Scenario
    plan: Plan | None
    weeks: int = 26
    every: int = 4
    seed: int = 0
    also_without: tuple[str, ...] = ()  # the next person out: a third arm without them too
    # Each replication also reads the weeks the budget stopped part of the plan (advise's
    # search reads them; the check's document does not hold them).
    budget_weeks: bool = False

    @property
    def checkpoints(self) -> list[int]:
        """Checkpoint weeks: 0, every N weeks, and the last week."""
        weeks = list(range(0, self.weeks + 1, self.every))
        if weeks[-1] != self.weeks:
            weeks.append(self.weeks)
        return weeks

    @property
    def arms(self) -> tuple[str, ...]:
        """The arms replayed at each checkpoint: present, absent, and the next person out."""
        return ARMS + ((NEXT_OUT,) if self.also_without else ())

    @property
    def tracked(self) -> tuple[str, ...]:
        """Whose time the plan run follows week by week: the heroes and the next out."""
        return tuple(dict.fromkeys((*self.scenario.heroes, *self.also_without)))

    @property
    def criteria(self) -> IndependenceCriteria:
        """The pass criteria: the scenario's `independence` section."""
        return self.scenario.independence


class ReplicationCheckpoint(TypedDict):
    """One checkpoint of one replication, for pooling (`CheckData.add`): per arm, per class
    (`arms`) and the ordinary incidents pooled (`overall_arms`) as `ArmRow`s."""

    week: int
    arms: dict[str, dict[str, ArmRow]]
    overall_arms: dict[str, ArmRow]
    releases: dict[str, ArmRow] | None
    hero_interruptions_per_week: float
    plan_hero_hours: float
    plan_learner_hours: float
    effective: dict[str, int]
    effective_next_out: dict[str, int] | None
    skills: dict[str, dict[str, list[float]]] | None
    people: dict[str, ArmPeople]


class CheckReplication(TypedDict):
    """What one replication of a check returns from its worker; `over_budget`: per person,
    the weeks the plan asked more than their weekly transfer budget (`budget.py`)."""

    replication: int
    checkpoints: list[ReplicationCheckpoint]
    hero_weeks: dict[str, np.ndarray]  # tracked person -> weeks x hour kinds, the plan run
    skipped: dict[tuple[str, str], int]  # (reason, action kind) -> plan occurrences skipped
    over_budget: dict[str, list[int]]  # empty unless the spec asks for `budget_weeks`


# -- one replication --------------------------------------------------------------------------


def check_replication(spec: CheckSpec, replication: int) -> CheckReplication:
    """Run the plan once, replay the evaluation window at every checkpoint; compact numbers."""
    scenario = spec.scenario
    model = TeamModel(scenario, spec.weeks * 7, spec.seed, replication, plan=spec.plan,
                      learn=True)
    weeks = spec.checkpoints
    records = model.run(snapshot_at=[week * 7 * MINUTES_PER_DAY for week in weeks])
    snapshots = [(week, *snapshot) for week, snapshot in zip(weeks, model.snapshots)]
    days = spec.criteria.evaluation_days
    eval_replication = evaluation_replication(replication)
    ordinary = window_arrivals(scenario, days, spec.seed, eval_replication)
    arrivals = with_probes(scenario, ordinary, days, spec.criteria.min_incidents_per_class,
                           spec.seed, eval_replication)
    # The team-wide curve reads the ordinary incidents of ordinary (non-specialty) classes.
    ordinary_at = {(a.at, a.class_index) for a in ordinary}
    probes = {a.incident_id for a in arrivals if (a.at, a.class_index) not in ordinary_at}
    typical = {a.incident_id for a in arrivals if a.incident_id not in probes
               and not scenario.classes[a.class_index].specialty}
    heroes = tuple(scenario.heroes)
    has_changes = any(v.changes is not None for v in scenario.services)
    checkpoints: list[ReplicationCheckpoint] = []
    last = len(snapshots) - 1
    for index, (week, t, skills, state) in enumerate(snapshots):
        replayed = replay_arms(scenario, days, spec.seed, eval_replication, skills, state, t,
                               arrivals, spec.also_without)
        arms = {}
        overall = {}
        releases = {}
        people = {}
        hero_load = 0.0
        for arm in spec.arms:
            replay_records = getattr(replayed, arm)
            arms[arm] = arm_stats(replay_records, scenario)
            if has_changes and arm != NEXT_OUT:
                releases[arm] = release_stats(replay_records, days)
            overall[arm] = arm_stats(replay_records, scenario, only=typical, pooled=True)
            people[arm] = arm_people(replay_records, scenario, days, probes)
            if arm == "present":
                hero_load = hero_interruptions(replay_records, heroes, days, probes)
        hero_hours, learner_hours = plan_hours(
            records, t, heroes, scenario.learning.pairing_overhead)
        checkpoints.append({
            "week": week,
            "arms": arms,
            "overall_arms": overall,
            "releases": releases or None,
            "hero_interruptions_per_week": hero_load,
            "plan_hero_hours": hero_hours,
            "plan_learner_hours": learner_hours,
            "effective": {
                c.id: len(effective_responders(scenario, skills, c.id, heroes, state, t))
                for c in scenario.classes
            },
            "effective_next_out": {
                c.id: len(effective_responders(scenario, skills, c.id,
                                               heroes + spec.also_without, state, t))
                for c in scenario.classes
            } if spec.also_without else None,
            # The start and the end are enough for the heatmap; keep replications small.
            "skills": (
                {p: {c: [v["knowledge"], v["confidence"]] for c, v in row.items()}
                 for p, row in skills.as_dict(t).items()}
                if index in (0, last) else None
            ),
            "people": people,
        })
    skipped: dict[tuple[str, str], int] = {}
    for cost in records.plan_costs:
        if cost.skipped:
            skipped[cost.skipped, cost.kind] = skipped.get((cost.skipped, cost.kind), 0) + 1
    return {"replication": replication, "checkpoints": checkpoints,
            "hero_weeks": weekly_hours(records, scenario, spec.tracked, spec.weeks, spec.plan),
            "skipped": skipped,
            "over_budget": (over_budget_weeks(records, scenario, spec.plan)
                            if spec.budget_weeks else {})}


def with_probes(scenario: Scenario, arrivals: list[Arrival], days: int, minimum: int,
                seed: int, replication: int) -> list[Arrival]:
    """`arrivals` plus extra incidents of every class that has fewer than `minimum`.

    Probes are placed like the class's own arrivals (its weekly profile, or uniformly) and
    drawn from their own stream, so the ordinary incidents stay those of the replication.
    """
    counts = np.bincount([a.class_index for a in arrivals], minlength=len(scenario.classes))
    missing = [(k, minimum - int(counts[k])) for k in range(len(scenario.classes))
               if counts[k] < minimum]
    if not missing:
        return arrivals
    rng = stream(seed, replication, Purpose.PROBES)
    horizon = days * MINUTES_PER_DAY
    extra = []
    for index, count in missing:
        profile = scenario.classes[index].weekly_profile
        if profile is None:
            times = rng.uniform(0.0, horizon, count)
        else:
            weights = np.resize(np.asarray(profile, dtype=float), days * 24)
            hours = rng.choice(weights.size, size=count, p=weights / weights.sum())
            times = hours * 60.0 + rng.uniform(0.0, 60.0, count)
        extra += [(float(t), index, float(z))
                  for t, z in zip(times, rng.standard_normal(count))]
    merged = sorted([(a.at, a.class_index, a.work_z) for a in arrivals] + extra)
    return [Arrival(i, at, k, z) for i, (at, k, z) in enumerate(merged)]


class ArmRow:
    """One arm's figures for one class at one checkpoint of one replication, for pooling.

    Read like a dict (`row["n"]`); a slotted object because a check keeps thousands of them
    (replications x checkpoints x arms x classes), and a dict costs six times the memory.
    """

    __slots__ = ("ttm", *COUNT_KEYS)

    def __init__(self, ttm: Any = None, **counts: int):
        self.ttm = ttm if ttm is not None else []
        for key in COUNT_KEYS:
            setattr(self, key, counts.get(key, 0))

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __getstate__(self) -> tuple:
        return tuple(getattr(self, key) for key in self.__slots__)

    def __setstate__(self, state: tuple) -> None:
        for key, value in zip(self.__slots__, state):
            setattr(self, key, value)


def arm_stats(records: RunRecords, scenario: Scenario, only: set[int] | None = None,
              pooled: bool = False) -> Any:
    """Per class (or, `pooled`, all together): times to mitigate and counts of what went
    wrong, for pooling; `only` keeps those incident ids.

    An incident nobody could work before the window ended counts with its time so far (the
    window's end minus its arrival): a lower bound, so that a plan which gets such incidents
    worked, slowly, is not scored worse than one that leaves them undone.
    """
    keys = ["*"] if pooled else [c.id for c in scenario.classes]
    stats = {key: ArmRow() for key in keys}
    for i in records.incidents:
        if only is not None and i.incident_id not in only:
            continue
        row = stats["*" if pooled else i.class_id]
        row.n += 1
        row.unresolved += i.lead is None
        row.ttm.append(i.time_to_mitigate)
        row.breaches += i.slo_breached
        # Someone beyond the first responder was needed: another person led it, or nobody did.
        row.beyond_first += i.lead is None or i.lead != i.acknowledged_by
        row.escalations += len(i.escalations)
        row.informal += sum(e.kind is EscalationKind.INFORMAL for e in i.escalations)
        row.to_person += sum(e.kind in TO_PERSON for e in i.escalations)
        row.struggled += i.struggled
        row.hero += i.hero_involved
    for row in stats.values():
        # float32 arrays pickle compactly: a replication's result stays small.
        row.ttm = np.asarray(row.ttm, dtype=np.float32)
    return stats["*"] if pooled else stats


def release_stats(records: RunRecords, days: int) -> ArmRow:
    """Release flow of one arm: change delays in hours (a change still waiting at the end of
    the window counts its wait so far), releases, and failed releases."""
    end = days * MINUTES_PER_DAY
    delays = [((c.shipped if c.shipped is not None else max(end, c.intended)) - c.intended)
              / 60.0 for c in records.changes]
    releases = {c.release: c.failed for c in records.changes if c.release is not None}
    return ArmRow(np.asarray(delays, dtype=np.float32), n=len(releases),
                  breaches=sum(releases.values()))


def hero_interruptions(records: RunRecords, heroes: Sequence[str], days: int,
                        probes: set[int]) -> float:
    """Interruptions of the heroes per week, probes left out (they are not real load)."""
    hero_set = set(heroes)
    return sum(1 for x in records.interruptions
               if x.person in hero_set and x.incident_id not in probes) / (days / 7)


def plan_hours(
    records: RunRecords, until: float, heroes: Sequence[str], pairing_overhead: float
) -> tuple[float, float]:
    """Hero and learner hours a plan cost up to minute `until`.

    Explicit costs of actions (runbooks, drills, fixes) plus the live practice they caused:
    hero backup time, the pairing overhead on the hero's own work, and the learners' time
    pairing, shadowing and leading with backup.
    """
    hero_set = set(heroes)
    hero = sum(c.hero_hours for c in records.plan_costs if c.at <= until)
    learner = sum(c.learner_hours for c in records.plan_costs if c.at <= until)
    paired: set[int] = set()
    backed: set[int] = set()
    for span in records.work:
        if span.start > until:
            continue
        minutes = span.end - span.start
        if span.role is Role.BACKUP:
            hero += minutes / 60
            backed.add(span.incident_id)
        elif span.role in (Role.PAIRED, Role.SHADOW):
            learner += minutes / 60
            if span.role is Role.PAIRED:
                paired.add(span.incident_id)
    overhead = 0.0
    if paired or backed:
        for span in records.work:
            if span.start > until or span.role is not Role.LED:
                continue
            if span.incident_id in paired and span.person in hero_set:
                overhead += (span.end - span.start) / 60
            elif span.incident_id in backed and span.person not in hero_set:
                learner += (span.end - span.start) / 60
    # Pairing stretches the hero's work by (1 + o): the stretch is o / (1 + o) of the span.
    return hero + overhead * pairing_overhead / (1 + pairing_overhead), learner
