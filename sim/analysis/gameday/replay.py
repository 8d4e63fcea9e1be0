"""One replication of a game-day prediction: the team as it was that day, each injection
replayed alone on it (docs/gameday.md, "The prediction").

The transfer plan (if any) runs with learning up to the game day and the skills and plan state
are frozen there (`TeamModel.run(snapshot_at=...)`). Each injection is then replayed alone: one
arrival of its class at its time of day, on that frozen team, with the day's absences and the
heroes' role, in each arm (heroes reachable, heroes away) on the same random numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from sim.inputs.observations import GameDayRecord
from sim.model import Arrival, SkillBook, TeamModel, TeamState
from sim.model.rng import GAMEDAY_REPLAYS, Purpose, stream
from sim.schema import MINUTES_PER_DAY, EscalationKind, HeroRole, Plan, Scenario, Schedule

# Every hand-off to another person (a reroute bounces a misrouted page: not an escalation).
ESCALATION_KINDS = frozenset(set(EscalationKind) - {EscalationKind.REROUTE})
PRESENT, ABSENT = "present", "absent"


def game_day_scenario(scenario: Scenario) -> Scenario:
    """The scenario as replayed on the game day: the observations say who was there, so the
    scenario's own planned absences and sick days do not apply."""
    people = [p.model_copy(update={"absences": [], "sick_days_per_year": 0.0})
              for p in scenario.people]
    return scenario.model_copy(update={"people": people})


@dataclass(frozen=True)
class ScoreSpec:
    """What to predict: the team, an optional plan, the game day, the root seed.

    Attributes:
        scenario: the team as modelled (its skills are the prior of the skill update).
        plan: the transfer plan run up to the game day, or None.
        gameday: the validated observations.
        seed: the root seed.
        replay_scenario: the scenario the injections are replayed on (`game_day_scenario`),
            computed once rather than in every replication.
    """

    scenario: Scenario
    plan: Plan | None
    gameday: GameDayRecord
    seed: int = 0
    replay_scenario: Scenario | None = field(default=None, compare=False)

    @property
    def arms(self) -> tuple[str, ...]:
        """'present' (heroes reachable) always; 'absent' when the heroes did not take part."""
        if self.gameday.hero_role is HeroRole.AVAILABLE:
            return (PRESENT,)
        return (PRESENT, ABSENT)

    @property
    def predicted_arm(self) -> str:
        """The arm whose times and escalations are the prediction."""
        return PRESENT if self.gameday.hero_role is HeroRole.AVAILABLE else ABSENT


class Outcome(NamedTuple):
    """One replay of one injection in one arm."""

    tta: float  # minutes to acknowledge
    ttm: float  # minutes to mitigate; infinite when nobody could work it
    escalated: bool  # any timeout, manual or informal hand-off
    hero: bool  # a hero was involved
    lead: str | None
    acknowledged_by: str | None


@dataclass(frozen=True)
class DayReplication:
    """One replication's prediction of every injection, and the frozen team it was made on.

    Attributes:
        replication: the replication index.
        outcomes: per injection (in the observations' order), arm -> its replay.
        skills: person -> class -> (knowledge, confidence) at the start of the day, for the
            observed classes.
        effective_knowledge: class -> person -> knowledge raised by the day's runbook.
        work_factor: class -> the day's runbook factor x observability.
        requires: class -> the people whose access it needs that day.
    """

    replication: int
    outcomes: list[dict[str, Outcome]]
    skills: dict[str, dict[str, tuple[float, float]]]
    effective_knowledge: dict[str, dict[str, float]]
    work_factor: dict[str, float]
    requires: dict[str, list[str]]


def team_on_the_day(spec: ScoreSpec, replication: int) -> tuple[SkillBook, TeamState]:
    """Skills and plan state at the start of the game day, frozen (one plan run)."""
    scenario = spec.scenario
    day = spec.gameday.day
    t0 = day * MINUTES_PER_DAY
    if day == 0:
        return (SkillBook.from_scenario(scenario).frozen(0.0),
                TeamState.from_scenario(scenario).frozen(0.0))
    model = TeamModel(scenario, day, spec.seed, replication, plan=spec.plan, learn=True)
    model.run(snapshot_at=[t0])
    snapshot = model.snapshots[0]
    return snapshot.skills, snapshot.state


def score_replication(spec: ScoreSpec, replication: int) -> DayReplication:
    """One plan run, then every injection replayed alone on the frozen team, in each arm."""
    skills, state = team_on_the_day(spec, replication)
    return replay_day(spec, replication, skills, state)


def replay_day(spec: ScoreSpec, replication: int, skills: SkillBook, state: TeamState
               ) -> DayReplication:
    """Every injection of `spec.gameday` replayed alone on the team as frozen at the start of
    the day (`team_on_the_day`), in each arm; `state` is changed (noise off, the day's
    primary): give a copy to replay several days on one team."""
    gameday = spec.gameday
    scenario = spec.replay_scenario or game_day_scenario(spec.scenario)
    t0 = gameday.day * MINUTES_PER_DAY
    state.alert_noise = 0.0  # only the injected incident is replayed
    if gameday.primary is not None:
        state.schedules["primary"] = [Schedule(members=[gameday.primary])]
    class_index = {c.id: i for i, c in enumerate(scenario.classes)}
    work_z = stream(spec.seed, replication, Purpose.GAMEDAY).standard_normal(
        len(gameday.injections)).tolist()
    heroes = tuple(scenario.heroes)
    outcomes = []
    for j, inj in enumerate(gameday.injections):
        arrival = Arrival(0, inj.injected, class_index[inj.class_id], work_z[j])
        days = int(inj.injected // MINUTES_PER_DAY) + 1
        row = {}
        for arm in spec.arms:
            without = tuple(dict.fromkeys(
                gameday.absent + (heroes if arm == ABSENT else ())))
            # Its own streams per (replication, injection); the arms share them (common
            # random numbers), so they differ only by who is reachable.
            address = GAMEDAY_REPLAYS + replication * 1000 + j
            record = TeamModel(scenario, days, spec.seed, address, without=without,
                               skills=skills, arrivals=[arrival], state=state.frozen(t0)).run()
            incident = record.incidents[0]
            row[arm] = Outcome(
                incident.time_to_acknowledge,
                incident.time_to_mitigate if incident.lead is not None else math.inf,
                any(e.kind in ESCALATION_KINDS for e in incident.escalations),
                incident.hero_involved,
                incident.lead,
                incident.acknowledged_by,
            )
        outcomes.append(row)
    classes = sorted({inj.class_id for inj in gameday.injections})
    return DayReplication(
        replication=replication,
        outcomes=outcomes,
        skills={p: {c: skills.get(p, c, t0) for c in classes} for p in skills.people()},
        effective_knowledge={
            c: {p: state.runbooks.knowledge(skills.get(p, c, t0)[0], c, t0)
                for p in skills.people()} for c in classes},
        work_factor={c: state.runbooks.work_factor(c, t0) * state.observability
                     for c in classes},
        requires={c: list(state.requires[c]) for c in classes},
    )
