"""The evaluation window: a team frozen at minute t, replayed with its heroes present and absent.

The independence check (at every checkpoint of a plan) and the advisor (at the end of every
candidate plan) read a team the same way: one window of incidents, the same in both arms (common
random numbers), the skills and plan state frozen at t, replayed once with everyone and once
without the heroes. Differences between the arms come from the heroes' absence alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model import Arrival, TeamModel, TeamState, sample_arrivals
from sim.model.events import class_start, scenario_at
from sim.model.records import RunRecords
from sim.model.rng import EVALUATION
from sim.model.skills import SkillBook
from sim.schema import MINUTES_PER_DAY, Scenario


def evaluation_replication(replication: int) -> int:
    """The replication index whose streams give plan replication `replication` its window.

    Apart from the plan run's own streams, so the window is the same at every checkpoint.
    """
    return EVALUATION + replication


@dataclass(frozen=True)
class Arms:
    """The records of one evaluation window replayed with the heroes present and absent."""

    present: RunRecords
    absent: RunRecords
    next_out: RunRecords | None = None  # the heroes and the next person out absent


def replay_arms(
    scenario: Scenario,
    days: int,
    seed: int,
    replication: int,
    skills: SkillBook,
    state: TeamState,
    t: float,
    arrivals: list[Arrival],
    also_without: tuple[str, ...] = (),
) -> Arms:
    """Replay `arrivals` over `days` with the team as it is at minute `t`, both arms.

    Args:
        scenario: the team.
        days: the window's length.
        seed, replication: the streams of the window (`evaluation_replication`).
        skills: the frozen skills (not changed: neither arm learns).
        state: the plan's state; each arm gets its own copy frozen at `t`.
        t: the minute the team is frozen at.
        arrivals: the window's incidents, the same in both arms.
        also_without: the next person out: a third arm without the heroes and them.
    """
    # The team as it is by then: who has left stays away, a class that has not appeared yet has
    # no incidents until it does (team events, moved to the window's start).
    seen, gone = scenario_at(scenario, int(t // MINUTES_PER_DAY))
    if seen.events:
        starts = [class_start(seen, c.id) for c in seen.classes]
        arrivals = [a for a in arrivals if a.at >= starts[a.class_index]]

    def replay(without: tuple[str, ...]) -> RunRecords:
        return TeamModel(seen, days, seed, replication, without=(*gone, *without),
                         skills=skills, arrivals=arrivals, state=state.frozen(t)).run()

    heroes = tuple(scenario.heroes)
    return Arms(present=replay(()), absent=replay(heroes),
                next_out=replay(heroes + tuple(also_without)) if also_without else None)


def window_arrivals(scenario: Scenario, days: int, seed: int, replication: int
                    ) -> list[Arrival]:
    """The incidents of an evaluation window, every class included: a class that appears
    later is filtered per checkpoint (`replay_arms`), so the window stays the same draws."""
    return sample_arrivals(scenario.model_copy(update={"events": []}), days, seed, replication)
