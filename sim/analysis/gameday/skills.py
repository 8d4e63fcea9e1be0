"""Learning the team's skills back from a game day (docs/gameday.md, "Updating skills").

Every injection is evidence about the people who acknowledged or led it (`episodes`). For each
observed (person, class), `estimate_skills` computes a grid posterior over knowledge and
confidence with the model's own likelihood (the engine's size-up rule and work-time law), from
a prior centred on the model's skill that day, and moves the scenario's (day-0) values by the
posterior mean minus the prior mean.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.analysis.gameday.replay import DayReplication, ScoreSpec
from sim.analysis.gameday.types import Evidence, Posterior, SkillPoint, SkillUpdate
from sim.inputs.observations import GameDayRecord
from sim.schema import EscalationKind, IncidentClass, WorkDistribution

# Grid, prior strength and lapse rate (docs/gameday.md, "Updating skills").
GRID_CELLS = 40
PRIOR_STRENGTH = 8.0
LAPSE = 0.02
MIN_CHANGE = 0.005
# Hand-offs that say "unable or unwilling": along the policy, to a hero, or directly to someone
# with the access (a timeout says nobody acknowledged; a busy hand-off says nothing of skill).
HAND_OFF_KINDS = (EscalationKind.MANUAL, EscalationKind.INFORMAL, EscalationKind.DIRECT)


@dataclass
class Episode:
    """One piece of evidence about a person and a class."""

    person: str
    class_id: str
    injection: str
    led: bool  # led it to mitigation (else: handed it on, or gave up)
    work_minutes: float | None  # the leader's work time, when known
    weight: float  # evidence weight: 1, tempered by hints and a consulted hero


def episodes(gameday: GameDayRecord, requires: dict[str, list[str]],
             heroes: tuple[str, ...] = ()) -> list[Episode]:
    """The evidence each injection gives: who led (and how long the work took) and who,
    having acknowledged, handed it on. Hand-offs for lack of access are not skill evidence.

    Args:
        gameday: the observations.
        requires: class -> the people whose access it needs (empty: anyone may fix it).
        heroes: the scenario's heroes (a hero consulted by a non-hero lead tempers the lead).
    """
    out = []
    for obs in gameday.injections:
        needs = requires.get(obs.class_id) or []
        for e in obs.escalations:
            if e.kind in HAND_OFF_KINDS and e.from_person and e.from_person != obs.lead \
                    and _has_access(e.from_person, needs):
                out.append(Episode(e.from_person, obs.class_id, obs.label, False, None, 1.0))
        if obs.mitigated is None:
            last = obs.lead or (obs.escalations[-1].to_person if obs.escalations
                                else obs.acknowledged_by)
            if last and _has_access(last, needs):
                out.append(Episode(last, obs.class_id, obs.label, False, None, 1.0))
            continue
        if obs.lead is None:
            continue
        start = obs.acknowledged if obs.acknowledged is not None else obs.injected
        for e in obs.escalations:
            if e.to_person == obs.lead:
                start = max(start, e.at)
        consulted = obs.hero_consulted and obs.lead not in heroes
        weight = 1.0 / (1.0 + obs.hints + consulted)
        out.append(Episode(obs.lead, obs.class_id, obs.label, True,
                           max(0.5, obs.mitigated - start), weight))
    return out


def _has_access(person: str, needs: list[str]) -> bool:
    """Whether `person` could fix a class that needs the access of `needs` (none: anyone)."""
    return not needs or person in needs


def estimate_skills(spec: ScoreSpec, reps: list[DayReplication]) -> list[SkillUpdate]:
    """Grid posterior of each observed (person, class) knowledge and confidence.

    The prior is a Beta per dimension centred on the model's game-day skill (the mean over
    replications of the frozen skills). The likelihood is the model's own: P(can fix) =
    ramp(k_eff - d), P(will lead) = ramp(c - d), leading has chance P(can) x P(will) and hands
    on otherwise, with a lapse rate for what the model leaves out; the leader's work time is
    lognormal around expert median x (1 + slowdown x (1 - k_eff)) x observability x runbook
    factor. The scenario's (day-0) values move by posterior mean - prior mean.

    Args:
        spec: the scenario (its skills are the prior), the game day.
        reps: the replications of the prediction (their frozen skills, runbooks and access).
    """
    scenario = spec.scenario
    behaviour = scenario.behaviour
    width = behaviour.skill_sharpness
    evidence = episodes(spec.gameday, reps[0].requires, tuple(scenario.heroes))
    grid = _grid()
    K, C = np.meshgrid(grid, grid, indexing="ij")
    updates = []
    pairs = sorted({(e.person, e.class_id) for e in evidence})
    for person, class_id in pairs:
        cls = scenario.incident_class(class_id)
        mine = [e for e in evidence if e.person == person and e.class_id == class_id]
        k_day = float(np.mean([r.skills[person][class_id][0] for r in reps]))
        c_day = float(np.mean([r.skills[person][class_id][1] for r in reps]))
        prior = np.outer(_beta_prior(k_day, grid), _beta_prior(c_day, grid))
        # The runbook closes a share of the knowledge gap: k_eff = k + (1 - k) x lift.
        k_eff_day = float(np.mean([r.effective_knowledge[class_id][person] for r in reps]))
        lift = (k_eff_day - k_day) / (1 - k_day) if k_day < 1 else 0.0
        k_eff, lead_chance = _lead_chance(K, C, cls.difficulty, width, lift)
        log_post = np.log(prior)
        factor = float(np.mean([r.work_factor[class_id] for r in reps]))
        for e in mine:
            if e.led:
                log_like = np.log(lead_chance)
                if e.work_minutes is not None:
                    log_like = log_like + _log_work_density(
                        e.work_minutes, cls, behaviour.knowledge_slowdown, k_eff, factor)
            else:
                log_like = np.log(1 - lead_chance)
            log_post = log_post + e.weight * log_like
        post = np.exp(log_post - log_post.max())
        post /= post.sum()
        prior_k, prior_c = float((prior * K).sum()), float((prior * C).sum())
        post_k, post_c = float((post * K).sum()), float((post * C).sum())
        before_k, before_c = scenario.person(person).skill(class_id)
        after_k = float(np.clip(before_k + post_k - prior_k, 0.0, 1.0))
        after_c = float(np.clip(before_c + post_c - prior_c, 0.0, 1.0))
        updates.append(SkillUpdate(
            person=person,
            class_id=class_id,
            evidence=[Evidence(e.injection, e.led, e.work_minutes, e.weight) for e in mine],
            game_day_prior=SkillPoint(prior_k, prior_c),
            game_day_posterior=Posterior(
                knowledge=post_k, confidence=post_c,
                knowledge_sd=float(math.sqrt(max(0.0, (post * K * K).sum() - post_k ** 2))),
                confidence_sd=float(math.sqrt(max(0.0, (post * C * C).sum() - post_c ** 2))),
            ),
            scenario_before=SkillPoint(before_k, before_c),
            scenario_after=SkillPoint(round(after_k, 2), round(after_c, 2)),
            changed=(abs(round(after_k, 2) - before_k) >= MIN_CHANGE
                     or abs(round(after_c, 2) - before_c) >= MIN_CHANGE),
        ))
    return updates


def outcome_information(knowledge: float, confidence: float, difficulty: float, width: float,
                        lift: float = 0.0) -> float:
    """Bits one size-up of a person on a class is expected to tell about their skill.

    The mutual information between the outcome (led, or handed on) and (knowledge,
    confidence) under the game-day prior that `estimate_skills` starts from: H(E[P(lead)]) -
    E[H(P(lead))] (the "BALD" criterion of active learning). It is largest when the prior puts
    the person on both sides of the difficulty (the model cannot say whether they will lead)
    and near 0 when they surely lead or surely hand on.

    Args:
        knowledge, confidence: the model's skill on the day (the prior's means).
        difficulty: the class's difficulty.
        width: `behaviour.skill_sharpness`.
        lift: the share of the knowledge gap the day's runbook closes.
    """
    grid = _grid()
    K, C = np.meshgrid(grid, grid, indexing="ij")
    prior = np.outer(_beta_prior(knowledge, grid), _beta_prior(confidence, grid))
    _, lead = _lead_chance(K, C, difficulty, width, lift)
    mean = float((prior * lead).sum())
    return _entropy(mean) - float((prior * _entropy_array(lead)).sum())


def _lead_chance(K: np.ndarray, C: np.ndarray, difficulty: float, width: float, lift: float
                 ) -> tuple[np.ndarray, np.ndarray]:
    """On the (knowledge, confidence) grid: the effective knowledge (the runbook closes
    `lift` of the gap: k + (1 - k) x lift) and the chance of leading (can x will, with a
    lapse either way) -- the likelihood `estimate_skills` and `outcome_information` share."""
    k_eff = K + (1 - K) * lift
    can = _ramp_array(k_eff - difficulty, width)
    will = _ramp_array(C - difficulty, width)
    return k_eff, LAPSE + (1 - 2 * LAPSE) * can * will


def _entropy(p: float) -> float:
    return float(_entropy_array(np.array(p)))


def _entropy_array(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))


def _grid() -> np.ndarray:
    return (np.arange(GRID_CELLS) + 0.5) / GRID_CELLS


def _beta_prior(mean: float, grid: np.ndarray) -> np.ndarray:
    m = min(max(mean, 0.03), 0.97)
    a, b = m * PRIOR_STRENGTH, (1 - m) * PRIOR_STRENGTH
    density = np.exp((a - 1) * np.log(grid) + (b - 1) * np.log1p(-grid))
    return density / density.sum()


def _ramp_array(margin: np.ndarray, width: float) -> np.ndarray:
    return np.clip(0.5 + margin / width, 0.0, 1.0)


def _log_work_density(minutes: float, cls: IncidentClass, slowdown: float, k_eff: np.ndarray,
                      factor: float) -> np.ndarray:
    """log density of the leader's observed work time, per grid knowledge (the engine's law)."""
    scale = (1.0 + slowdown * (1.0 - k_eff)) * factor
    work = cls.work_minutes
    if work.distribution is WorkDistribution.EXPONENTIAL:
        mean = work.median / math.log(2.0) * scale
        return -np.log(mean) - minutes / mean
    sigma = work.sigma
    if sigma <= 0:
        return np.zeros_like(k_eff)
    mu = np.log(work.median * scale)
    z = (math.log(minutes) - mu) / sigma
    return -0.5 * z * z - math.log(sigma * minutes)
