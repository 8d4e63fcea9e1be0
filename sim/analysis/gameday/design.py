"""Designing the next game day (`herosim gameday design`): which classes to inject, when, and
who holds the pager while the heroes step back, to learn most about the skills the model is
least sure of and to cover the classes where dependence is riskiest (docs/gameday.md,
"Designing a game day").

1. **The team on the day**: as `herosim score` predicts it (sim/analysis/gameday/replay.py):
   the plan, if any, runs with learning to the day and the team is frozen there.
2. **Every candidate** (each class the team owns, not a declared specialty) is replayed alone
   on that team at a probe time, for each possible holder of the primary pager (each non-hero
   present, and the rotation as it is), on common random numbers.
3. **Information**: whoever acknowledges or leads a replay (not a hero) is sized up by it;
   what that tells about their skill is `outcome_information` (bits; the BALD criterion with
   the skill update's own prior and likelihood). An injection's information is the mean over
   replays of the bits of the people who hold it.
4. **Risk**: the chance the team reaches for a hero when one is reachable times the chance the
   SLO is breached (or the incident never mitigated) with the heroes away.
5. **Choice**: for each holder of the pager, injections are picked greedily by information +
   `RISK_WEIGHT` x risk (a class already picked teaches `REPEAT_DISCOUNT` as much again and
   covers no new risk); the holder with the best total wins (the rotation on a tie). The
   chosen injections are then replayed at their own times for the run sheet's predictions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from sim import __version__
from sim.analysis.gameday.design_types import (
    CandidateClass,
    DesignedInjection,
    GameDayDesign,
    PrimaryOption,
    SkillAtStake,
)
from sim.analysis.gameday.replay import (
    PRESENT,
    DayReplication,
    ScoreSpec,
    game_day_scenario,
    replay_day,
    score_replication,
    team_on_the_day,
)
from sim.analysis.gameday.score import EXPECTED_BELOW, predicted
from sim.analysis.gameday.skills import outcome_information
from sim.analysis.replicate import Replications, run_tasks
from sim.errors import InputError, Problem
from sim.inputs.observations import GameDayRecord, Observed
from sim.schema import MINUTES_PER_DAY, HeroRole, Plan, Scenario

RISK_WEIGHT = 0.25
REPEAT_DISCOUNT = 0.5
# Injections start at the game day's start and follow each other this many minutes apart.
SPACING_MINUTES = 75
PROBE_OFFSET = 60  # candidates are replayed this long after the start
HESITATION_SIGNS = [
    "Acknowledged later than the predicted p90 time to acknowledge.",
    "Not mitigated by the predicted p90 time to mitigate (or given up).",
    "Escalated where the model gave escalating under 20%.",
    "A hero asked or pulled in where the model gave that under 20% (for an observer: "
    "glances, direct messages, 'just checking' questions).",
    "Long silences after acknowledging; reading docs instead of acting; asking the room "
    "'who owns this?' (routing); waiting for someone with access (a `requires` gap).",
]


@dataclass(frozen=True)
class DesignSpec:
    """What one replication of the design replays."""

    scenario: Scenario
    plan: Plan | None
    date: dt.date
    day: int
    start: int  # minute of the day
    hero_role: HeroRole
    absent: tuple[str, ...]
    primaries: tuple[str | None, ...]
    classes: tuple[str, ...]
    seed: int = 0
    replay_scenario: Scenario | None = field(default=None, compare=False)

    def record(self, primary: str | None, chosen: list[tuple[str, str, int]] | None = None
               ) -> GameDayRecord:
        """A game day of candidate injections (or the chosen ones: id, class, minute)."""
        t0 = self.day * MINUTES_PER_DAY
        rows = chosen or [(c, c, self.start + PROBE_OFFSET) for c in self.classes]
        injections = tuple(
            Observed(label, class_id, t0 + minute, None, None, None, None, None, (), (),
                     False, False, 0, "") for label, class_id, minute in rows)
        return GameDayRecord(self.date, self.day, self.hero_role, self.absent, primary,
                             injections, "", "design")

    def score_spec(self, record: GameDayRecord) -> ScoreSpec:
        """The prediction's spec for a game day of this design."""
        return ScoreSpec(self.scenario, self.plan, record, self.seed, self.replay_scenario)


def design_replication(spec: DesignSpec, replication: int) -> dict[str | None, DayReplication]:
    """One frozen team, every candidate replayed for every holder of the pager."""
    skills, state = team_on_the_day(spec.score_spec(spec.record(None)), replication)
    t0 = spec.day * MINUTES_PER_DAY
    return {p: replay_day(spec.score_spec(spec.record(p)), replication, skills,
                          state.frozen(t0)) for p in spec.primaries}


def design_gameday(reps: Replications, date: dt.date, plan: Plan | None = None,
                   injections: int = 4, hero_role: HeroRole = HeroRole.OBSERVER,
                   absent: tuple[str, ...] = (), start: str = "10:00") -> GameDayDesign:
    """Choose the injections and who holds the pager; predict each; say why.

    Args:
        reps: the team, how many replications, the root seed, where they run.
        date: the game-day date (on or after the scenario's start date).
        plan: the transfer plan run up to the day, or None.
        injections: how many injections.
        hero_role: what the heroes do that day (absent, observer, available).
        absent: everyone else who will not be there.
        start: the first injection's clock time HH:MM.

    Raises:
        InputError: a date before the scenario's start, an unknown person, no class to inject.
    """
    scenario = reps.scenario
    day = (date - scenario.start_date).days
    start_minute = _check(scenario, date, day, absent, start, injections)
    heroes = set(scenario.heroes)
    present = [p.id for p in scenario.people if p.id not in heroes and p.id not in absent]
    classes = tuple(c.id for c in scenario.classes if not c.specialty)
    spec = DesignSpec(scenario, plan, date, day, start_minute, hero_role, tuple(absent),
                      (None, *present), classes, reps.seed, game_day_scenario(scenario))
    per_rep = run_tasks(design_replication, [(spec, r) for r in range(reps.replications)],
                        reps.workers, reps.progress, reps.executor)
    bits = _information_table(scenario, per_rep[0][None], [r[None] for r in per_rep])
    options = []
    for primary in spec.primaries:
        rows = [r[primary] for r in per_rep]
        scored = _candidates(spec, rows, bits)
        picks = _greedy(scored, injections)
        options.append((sum(s for _, s in picks), primary, scored, picks))
    options.sort(key=lambda o: (-round(o[0], 9), o[1] is not None, o[1] or ""))
    total, primary, scored, picks = options[0]
    chosen = [(f"{i + 1}-{c.class_id}", c.class_id, start_minute + i * SPACING_MINUTES)
              for i, (c, _) in enumerate(picks)]
    final_spec = spec.score_spec(spec.record(primary, chosen))
    final = run_tasks(score_replication, [(final_spec, r) for r in range(reps.replications)],
                      reps.workers, None, reps.executor)
    designed = [_designed(spec, final_spec, final, j, label, c, minute, bits)
                for j, ((label, _, minute), (c, _)) in enumerate(zip(chosen, picks))]
    return GameDayDesign(
        herosim_version=__version__, scenario=scenario.name,
        plan=plan.name if plan else None, date=date.isoformat(), scenario_day=day,
        start=start, hero_role=hero_role.value, heroes=list(scenario.heroes),
        absent=list(absent), primary=primary, replications=reps.replications,
        seed=reps.seed, risk_weight=RISK_WEIGHT, injections=designed,
        candidates=sorted(scored, key=lambda c: -c.score),
        primaries=[PrimaryOption(p, s) for s, p, _, _ in options],
        hesitation_signs=HESITATION_SIGNS)


def _check(scenario: Scenario, date: dt.date, day: int, absent: tuple[str, ...], start: str,
           injections: int) -> int:
    problems = []
    if day < 0:
        problems.append(Problem("command line", "--date", date.isoformat(),
                                f"the game day is before the scenario starts "
                                f"({scenario.start_date}); give a date on or after it"))
    known = {p.id for p in scenario.people}
    for person in absent:
        if person not in known:
            problems.append(Problem("command line", "--absent", person,
                                    f"unknown person; known: {', '.join(sorted(known))}"))
    hour, _, minute = start.partition(":")
    if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
        problems.append(Problem("command line", "--start", start, "give a clock time HH:MM"))
    elif int(hour) * 60 + int(minute) + (injections - 1) * SPACING_MINUTES >= MINUTES_PER_DAY:
        problems.append(Problem("command line", "--injections", str(injections),
                                f"{injections} injections {SPACING_MINUTES} min apart from "
                                f"{start} run past midnight; start earlier or inject fewer"))
    if not any(not c.specialty for c in scenario.classes):
        problems.append(Problem(scenario.name, "classes", None, "every class is a declared "
                                "specialty: there is nothing the team is meant to own"))
    if problems:
        raise InputError(problems)
    return int(hour) * 60 + int(minute)


def _information_table(scenario: Scenario, first: DayReplication,
                       rows: list[DayReplication]) -> dict[str, dict[str, float]]:
    """Bits per (person, class): what one size-up tells about the skill on the day."""
    width = scenario.behaviour.skill_sharpness
    out: dict[str, dict[str, float]] = {}
    for person in first.skills:
        out[person] = {}
        for cid in first.skills[person]:
            k = float(np.mean([r.skills[person][cid][0] for r in rows]))
            c = float(np.mean([r.skills[person][cid][1] for r in rows]))
            k_eff = float(np.mean([r.effective_knowledge[cid][person] for r in rows]))
            lift = (k_eff - k) / (1 - k) if k < 1 else 0.0
            out[person][cid] = outcome_information(
                k, c, scenario.incident_class(cid).difficulty, width, lift)
    return out


def _holders(row, heroes: set[str]) -> tuple[str, ...]:
    """Who held the incident (acknowledged it, led it), heroes left out; in that order, so
    that sums and ties over them do not depend on Python's hashing of strings."""
    return tuple(dict.fromkeys(p for p in (row.acknowledged_by, row.lead)
                               if p is not None and p not in heroes))


def _candidates(spec: DesignSpec, rows: list[DayReplication],
                bits: dict[str, dict[str, float]]) -> list[CandidateClass]:
    heroes = set(spec.scenario.heroes)
    arm = spec.score_spec(spec.record(None)).predicted_arm
    out = []
    for j, cid in enumerate(spec.classes):
        slo = spec.scenario.incident_class(cid).slo_minutes
        outcomes = [r.outcomes[j][arm] for r in rows]
        info = float(np.mean([sum(bits[p][cid] for p in _holders(o, heroes))
                              for o in outcomes]))
        breach = float(np.mean([not math.isfinite(o.ttm) or o.ttm > slo for o in outcomes]))
        hero = float(np.mean([r.outcomes[j][PRESENT].hero for r in rows]))
        risk = hero * breach
        out.append(CandidateClass(cid, info, risk, info + RISK_WEIGHT * risk))
    return out


def _greedy(scored: list[CandidateClass], count: int) -> list[tuple[CandidateClass, float]]:
    """Pick `count` injections; a class picked again teaches less and covers no new risk."""
    picked: Counter[str] = Counter()
    out = []
    for _ in range(count):
        def gain(c: CandidateClass) -> float:
            n = picked[c.class_id]
            return c.information_bits * REPEAT_DISCOUNT ** n + (
                RISK_WEIGHT * c.risk if n == 0 else 0.0)
        best = max(scored, key=lambda c: (gain(c), -scored.index(c)))
        out.append((best, gain(best)))
        picked[best.class_id] += 1
    return out


def _designed(spec: DesignSpec, final_spec: ScoreSpec, final: list[DayReplication], j: int,
              label: str, cand: CandidateClass, minute: int,
              bits: dict[str, dict[str, float]]) -> DesignedInjection:
    scenario = spec.scenario
    heroes = set(scenario.heroes)
    cls = scenario.incident_class(cand.class_id)
    prediction, draws = predicted(final, j, final_spec.predicted_arm)
    breach = float(np.mean(draws.ttm > cls.slo_minutes))  # never mitigated (inf) included
    held: Counter[str] = Counter()
    for r in final:
        held.update(_holders(r.outcomes[j][final_spec.predicted_arm], heroes))
    stake = []
    for person, n in held.most_common():
        k, c = (float(np.mean([r.skills[person][cls.id][i] for r in final])) for i in (0, 1))
        stake.append(SkillAtStake(person, k, c, cls.difficulty, bits[person][cls.id],
                                  n / len(final)))
    why = []
    top = max(stake, key=lambda s: s.information_bits * s.chance_to_hold, default=None)
    if top is not None:
        why.append(f"learns about {top.person}'s {cls.id} (knowledge {top.knowledge:.2f}, "
                   f"confidence {top.confidence:.2f} against difficulty {cls.difficulty:g}): "
                   f"{top.information_bits:.2f} bits a size-up; they hold it in "
                   f"{top.chance_to_hold:.0%} of the replays")
    if prediction.hero_chance * breach >= 0.01:
        why.append(f"covers a risky class: the team reaches for a hero in "
                   f"{prediction.hero_chance:.0%} of replays with one reachable, and "
                   f"{breach:.0%} breach the {cls.slo_minutes:g}-min SLO as the day is set up")
    if not why:
        why.append("the best of what is left: no holder is uncertain and no risk is left")
    watch = [f"acknowledged later than {_minutes(prediction.tta.p90)} (predicted p90)",
             f"not mitigated by {_minutes(prediction.ttm.p90)} (predicted p90; p50 "
             f"{_minutes(prediction.ttm.p50)})"]
    if prediction.escalation_chance < EXPECTED_BELOW:
        watch.append(f"any escalation: the model gives it {prediction.escalation_chance:.0%}")
    else:
        watch.append(f"when and to whom they escalate (the model: "
                     f"{prediction.escalation_chance:.0%})")
    if prediction.hero_chance < EXPECTED_BELOW:
        watch.append(f"any turn to a hero: the model gives it {prediction.hero_chance:.0%}")
    else:
        watch.append(f"turning to a hero (the model: {prediction.hero_chance:.0%} with one "
                     "reachable): note who and when")
    if cls.requires:
        watch.append(f"waiting for access held by {', '.join(cls.requires)}")
    return DesignedInjection(
        id=label, class_id=cls.id, at=f"{minute // 60:02d}:{minute % 60:02d}",
        information_bits=cand.information_bits, risk=cand.risk, why=why,
        skills_at_stake=stake, predicted=prediction, watch_for=watch)


def _minutes(value: float | None) -> str:
    return "never (in most replays)" if value is None else f"{value:.0f} min"
