"""Placing a real game day's observations in the model's predictions, and the whole score.

The replications (sim/analysis/gameday/replay.py) give, per injection, the predicted
distribution of time to acknowledge and to mitigate and the chances of escalation and of
pulling a hero; each observation is placed in it (percentiles) and flagged as a hesitation
point or a surprise; the day is summarised per class and per person; the skills are estimated
(sim/analysis/gameday/skills.py). Definitions: docs/gameday.md, "Placing the observations".
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from sim import __version__
from sim.analysis.gameday.replay import (
    DayReplication,
    ScoreSpec,
    game_day_scenario,
    score_replication,
)
from sim.analysis.gameday.skills import HAND_OFF_KINDS, estimate_skills
from sim.analysis.gameday.types import (
    ClassScore,
    Dependence,
    InjectionScore,
    ObservedHandoff,
    ObservedInjection,
    PersonScore,
    Prediction,
    Quantiles,
    Score,
    ScoreResult,
    SkillChange,
    SkillUpdate,
    Thresholds,
)
from sim.analysis.replicate import Replications, run_tasks
from sim.inputs.observations import GameDayRecord, Observed
from sim.schema import MINUTES_PER_DAY, Plan, Scenario

# A predicted chance below this means the model expected the team to manage without it
# (escalating, pulling a hero); above SURPRISE_ABOVE it expected it.
EXPECTED_BELOW = 0.2
SURPRISE_ABOVE = 0.8
SCORE_DEFINITION = ("share of injections handled without a hero (not involved, not consulted) "
                    "and mitigated within the model's predicted p90 time to mitigate")


def score_gameday(reps: Replications, gameday: GameDayRecord,
                  plan: Plan | None = None) -> ScoreResult:
    """Predict every injection of `gameday`, place the observations, estimate skills.

    Args:
        reps: the team as modelled (its skills are the prior), how many replications, the
            root seed, and where they run.
        gameday: the validated observations (`sim.inputs.observations.load_observations`).
        plan: the transfer plan run up to the game day, or None.
    """
    spec = ScoreSpec(reps.scenario, plan, gameday, reps.seed, game_day_scenario(reps.scenario))
    replications = run_tasks(score_replication, [(spec, r) for r in range(reps.replications)],
                             reps.workers, reps.progress, reps.executor)
    return summarize(spec, replications)


# -- one injection ------------------------------------------------------------------------------


def percentile_rank(values: np.ndarray, observed: float) -> float:
    """Where `observed` falls among `values`, 0..100 (ties count half)."""
    below = np.count_nonzero(values < observed)
    equal = np.count_nonzero(values == observed)
    return 100.0 * (below + 0.5 * equal) / values.size


@dataclass(frozen=True)
class Draws:
    """The replays of one injection in the predicted arm, one value per replication."""

    tta: np.ndarray
    ttm: np.ndarray  # infinite where never mitigated
    hero: np.ndarray  # a hero was involved


def predicted(reps: list[DayReplication], j: int, arm: str,
              hero_arm: str = "present") -> tuple[Prediction, Draws]:
    """The predicted distribution of injection `j`, pooled over replications, and its draws.

    Args:
        reps: the replications.
        j: the injection's index in the observations.
        arm: the arm whose times and escalations are the prediction.
        hero_arm: the arm whose hero involvement is the hero chance (heroes reachable).
    """
    rows = [r.outcomes[j][arm] for r in reps]
    tta = np.array([row.tta for row in rows])
    ttm = np.array([row.ttm for row in rows])
    hero_rows = [r.outcomes[j][hero_arm] for r in reps]
    prediction = Prediction(
        arm=arm,
        tta=_quantiles(tta),
        ttm=_quantiles(ttm),
        unresolved_share=float(np.mean(~np.isfinite(ttm))),
        escalation_chance=float(np.mean([row.escalated for row in rows])),
        hero_chance=float(np.mean([row.hero for row in hero_rows])),
        lead_shares=_shares([row.lead for row in rows]),
        acknowledged_by_shares=_shares([row.acknowledged_by for row in rows]),
    )
    return prediction, Draws(tta, ttm, np.array([row.hero for row in rows]))


def _quantiles(values: np.ndarray) -> Quantiles:
    """p10/p50/p90 (an actual predicted value each: no interpolation across 'never')."""
    q = np.quantile(values, [0.1, 0.5, 0.9], method="inverted_cdf")
    return Quantiles(*(float(v) if math.isfinite(v) else None for v in q))


def _shares(names: list[str | None]) -> dict[str, float]:
    """Share of replays per name ('nobody' for None), largest first."""
    out: dict[str, float] = {}
    for name in names:
        key = name if name is not None else "nobody"
        out[key] = out.get(key, 0.0) + 1.0 / len(names)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


@dataclass(frozen=True)
class Placement:
    """Where an observation falls in its prediction, and its flags."""

    tta_percentile: float | None
    ttm_percentile: float
    hesitations: list[str]
    surprises: list[str]
    verdict: str
    handled_independently: bool


def place(obs: Observed, prediction: Prediction, draws: Draws) -> Placement:
    """Percentiles of the observation and its flags: hesitation points and surprises."""
    tta_obs = obs.time_to_acknowledge
    ttm_obs = obs.time_to_mitigate
    tta_pct = None if tta_obs is None else percentile_rank(draws.tta, tta_obs)
    ttm_pct = percentile_rank(draws.ttm, ttm_obs)
    p10, p90 = prediction.ttm.p10, prediction.ttm.p90
    hesitations, surprises = [], []
    if obs.mitigated is None:
        # Abandoning what the model says cannot be mitigated that day is no hesitation.
        if prediction.unresolved_share < 0.5:
            hesitations.append("abandoned before mitigation")
    elif p90 is not None and ttm_obs > p90:
        hesitations.append(f"mitigated in {ttm_obs:.0f} min, slower than the predicted p90 "
                           f"({p90:.0f} min)")
    tta_p90 = prediction.tta.p90
    if tta_obs is not None and tta_p90 is not None and tta_obs > tta_p90:
        hesitations.append(f"acknowledged in {tta_obs:.0f} min, slower than the predicted p90 "
                           f"({tta_p90:.0f} min)")
    esc, hero = prediction.escalation_chance, prediction.hero_chance
    if obs.escalated and esc < EXPECTED_BELOW:
        hesitations.append(f"escalated where the model expected them to handle it "
                           f"(predicted chance {esc:.0%})")
    if obs.hero_pulled and hero < EXPECTED_BELOW:
        hesitations.append(f"pulled a hero where the model expected independence "
                           f"(predicted chance {hero:.0%})")
    if obs.mitigated is not None and p10 is not None and ttm_obs < p10:
        surprises.append(f"mitigated in {ttm_obs:.0f} min, faster than the predicted p10 "
                         f"({p10:.0f} min)")
    if not obs.escalated and esc > SURPRISE_ABOVE:
        surprises.append(f"handled without escalating where the model expected an escalation "
                         f"(predicted chance {esc:.0%})")
    if not obs.hero_pulled and hero > SURPRISE_ABOVE:
        surprises.append(f"handled without a hero where the model expected one "
                         f"(predicted chance {hero:.0%})")
    verdict = "hesitation" if hesitations else "surprise" if surprises else "as predicted"
    p90_ok = p90 is None or ttm_obs <= p90 if obs.mitigated is not None else False
    return Placement(
        tta_percentile=tta_pct,
        ttm_percentile=ttm_pct,
        hesitations=hesitations,
        surprises=surprises,
        verdict=verdict,
        handled_independently=bool(not obs.hero_pulled and obs.mitigated is not None
                                   and p90_ok),
    )


# -- the whole day ------------------------------------------------------------------------------


def summarize(spec: ScoreSpec, reps: list[DayReplication]) -> ScoreResult:
    """gameday.json from the replications: injections, score, classes, people, skill update."""
    scenario, gameday = spec.scenario, spec.gameday
    rows = []
    expected_hits = []
    for j, obs in enumerate(gameday.injections):
        prediction, draws = predicted(reps, j, spec.predicted_arm)
        placement = place(obs, prediction, draws)
        p90 = prediction.ttm.p90
        within = draws.ttm <= (p90 if p90 is not None else math.inf)
        expected_hits.append(float(np.mean(within & ~draws.hero)))
        rows.append(InjectionScore(
            id=obs.label,
            class_id=obs.class_id,
            specialty=scenario.incident_class(obs.class_id).specialty,
            observed=observed_injection(obs, gameday.day),
            predicted=prediction,
            tta_percentile=placement.tta_percentile,
            ttm_percentile=placement.ttm_percentile,
            hesitations=placement.hesitations,
            surprises=placement.surprises,
            verdict=placement.verdict,
            handled_independently=placement.handled_independently,
        ))
    handled = sum(r.handled_independently for r in rows)
    updates = estimate_skills(spec, reps)
    return ScoreResult(
        herosim_version=__version__,
        scenario=scenario.name,
        plan=spec.plan.name if spec.plan else None,
        observations=gameday.source,
        date=gameday.date.isoformat(),
        scenario_day=gameday.day,
        hero_role=gameday.hero_role.value,
        heroes=list(scenario.heroes),
        absent=list(gameday.absent),
        primary=gameday.primary,
        replications=len(reps),
        seed=spec.seed,
        prediction_arm=spec.predicted_arm,
        thresholds=Thresholds(EXPECTED_BELOW, SURPRISE_ABOVE),
        score=Score(
            value=handled / len(rows),
            handled=handled,
            injections=len(rows),
            expected=float(np.mean(expected_hits)),
            definition=SCORE_DEFINITION,
        ),
        injections=rows,
        classes=class_scores(rows, scenario),
        people=person_scores(gameday, rows, updates, set(scenario.heroes)),
        dependence=dependence(rows),
        skill_updates=updates,
    )


def observed_injection(obs: Observed, day: int) -> ObservedInjection:
    """An observation as gameday.json shows it: clock times of the game day, minutes."""
    base = day * MINUTES_PER_DAY

    def clock(t: float | None) -> str | None:
        if t is None:
            return None
        minute = t - base
        return f"{int(minute // 60) % 24:02d}:{int(minute % 60):02d}"

    return ObservedInjection(
        injected=clock(obs.injected),
        acknowledged=clock(obs.acknowledged),
        mitigated=clock(obs.mitigated),
        abandoned=obs.mitigated is None,
        tta=obs.time_to_acknowledge,
        ttm=obs.time_to_mitigate if obs.mitigated is not None else None,
        acknowledged_by=obs.acknowledged_by,
        lead=obs.lead,
        participants=list(obs.participants),
        escalations=[ObservedHandoff(e.kind.value, e.from_person, e.to_person, clock(e.at))
                     for e in obs.escalations],
        escalated=obs.escalated,
        hero_involved=obs.hero_involved,
        hero_consulted=obs.hero_consulted,
        hints=obs.hints,
        notes=obs.notes,
    )


def _hero_pulled(row: InjectionScore) -> bool:
    return row.observed.hero_involved or row.observed.hero_consulted


def class_scores(rows: list[InjectionScore], scenario: Scenario) -> dict[str, ClassScore]:
    """Per injected class (in the scenario's order): hero pulled or not, specialty or
    default rescue, mean percentile, flags."""
    out = {}
    for c in scenario.classes:
        mine = [r for r in rows if r.class_id == c.id]
        if not mine:
            continue
        pulled = sum(_hero_pulled(r) for r in mine)
        if not pulled:
            text = "handled without a hero"
        elif c.specialty:
            text = "specialty: a hero, as the team agreed"
        else:
            text = "default rescue: a hero was pulled on a class the team should own"
        out[c.id] = ClassScore(
            injections=len(mine),
            specialty=c.specialty,
            hero_pulled=pulled,
            predicted_hero_chance=float(np.mean([r.predicted.hero_chance for r in mine])),
            ttm_percentile_mean=float(np.mean([r.ttm_percentile for r in mine])),
            hesitations=sum(bool(r.hesitations) for r in mine),
            surprises=sum(bool(r.surprises) and not r.hesitations for r in mine),
            dependence=text,
        )
    return out


def person_scores(gameday: GameDayRecord, rows: list[InjectionScore],
                  updates: list[SkillUpdate], heroes: set[str]) -> dict[str, PersonScore]:
    """Per person named in the observations (sorted): what they acknowledged, led, handed on
    and took part in, the flags on those injections, and their skill updates."""
    counts: dict[str, Counter] = {}
    percentiles: dict[str, list[float]] = {}
    skills: dict[str, dict[str, SkillChange]] = {}

    def tally(person: str) -> Counter:
        percentiles.setdefault(person, [])
        skills.setdefault(person, {})
        return counts.setdefault(person, Counter())

    for obs, row in zip(gameday.injections, rows):
        people = {p for p in (obs.acknowledged_by, obs.lead) if p}
        if obs.acknowledged_by:
            tally(obs.acknowledged_by)["acknowledged"] += 1
        if obs.lead:
            tally(obs.lead)["led"] += 1
            percentiles[obs.lead].append(row.ttm_percentile)
        for e in obs.escalations:
            if e.kind in HAND_OFF_KINDS and e.from_person:
                tally(e.from_person)["handed_on"] += 1
                people.add(e.from_person)
        for p in obs.participants:
            tally(p)["took_part"] += 1
        for p in people:
            tally(p)["hesitations"] += bool(row.hesitations)
            tally(p)["surprises"] += bool(row.surprises) and not row.hesitations
    for u in updates:
        tally(u.person)
        skills[u.person][u.class_id] = SkillChange(u.scenario_before, u.scenario_after)
    return {
        person: PersonScore(
            hero=person in heroes,
            acknowledged=n["acknowledged"],
            led=n["led"],
            handed_on=n["handed_on"],
            took_part=n["took_part"],
            hesitations=n["hesitations"],
            surprises=n["surprises"],
            skills=skills[person],
            led_ttm_percentile_mean=(float(np.mean(percentiles[person]))
                                     if percentiles[person] else None),
        )
        for person, n in sorted(counts.items())
    }


def dependence(rows: list[InjectionScore]) -> Dependence:
    """Whether the heroes were pulled only on specialty classes (dependence narrowed), with
    the classes on which they were pulled, and a sentence saying so."""
    rescue = sorted({r.class_id for r in rows if not r.specialty and _hero_pulled(r)})
    specialty = sorted({r.class_id for r in rows if r.specialty and _hero_pulled(r)})
    if rescue:
        text = ("still default rescue: a hero was pulled on " + ", ".join(rescue)
                + (" (and on the specialty classes " + ", ".join(specialty) + ")"
                   if specialty else ""))
    elif specialty:
        text = "narrowed to true specialty: a hero was pulled only on " + ", ".join(specialty)
    else:
        text = "no hero was pulled on any injection"
    return Dependence(narrowed_to_specialty=not rescue, default_rescue_classes=rescue,
                      specialty_classes_with_hero=specialty, text=text)
