"""Scoring a real game day against the model, and learning the team's skills from it.

For each replication the transfer plan (if any) runs with learning up to the game day and the
skills and plan state are frozen there, as the independence check does at its checkpoints. Each
injection is then replayed alone: one arrival of its class at its time of day, on that frozen
team, with the day's absences and the heroes' role. The replications give, per injection, the
predicted distribution of time to acknowledge and to mitigate and the chances of escalation and
of pulling a hero; the observation is placed in it (percentiles) and flagged as a hesitation
point or a surprise. Definitions and the update method: docs/gameday.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

import numpy as np

from sim import __version__
from sim.analysis.replicate import run_tasks
from sim.inputs.observations import GameDayRecord, Observed
from sim.model.engine import Arrival, TeamModel
from sim.model.plans import TeamState
from sim.model.rng import GAMEDAY_REPLAYS, Purpose, stream
from sim.model.skills import SkillBook
from sim.schema import (
    MINUTES_PER_DAY,
    EscalationKind,
    HeroRole,
    Plan,
    Scenario,
    Schedule,
    WorkDistribution,
)

# A predicted chance below this means the model expected the team to manage without it
# (escalating, pulling a hero); above SURPRISE_ABOVE it expected it.
EXPECTED_BELOW = 0.2
SURPRISE_ABOVE = 0.8
ESCALATION_KINDS = frozenset({EscalationKind.TIMEOUT, EscalationKind.MANUAL,
                              EscalationKind.INFORMAL})
SCORE_DEFINITION = ("share of injections handled without a hero (not involved, not consulted) "
                    "and mitigated within the model's predicted p90 time to mitigate")
# Skill update: grid, prior strength and lapse rate (docs/gameday.md, "Updating skills").
GRID_CELLS = 40
PRIOR_STRENGTH = 8.0
LAPSE = 0.02
MIN_CHANGE = 0.005


@dataclass(frozen=True)
class ScoreSpec:
    """What to predict: the team, an optional plan, the game day, the root seed."""

    scenario: Scenario
    plan: Plan | None
    gameday: GameDayRecord
    seed: int = 0
    replay_scenario: Scenario | None = field(default=None, compare=False)

    @property
    def arms(self) -> tuple[str, ...]:
        """'present' (heroes reachable) always; 'absent' when the heroes did not take part."""
        if self.gameday.hero_role is HeroRole.AVAILABLE:
            return ("present",)
        return ("present", "absent")

    @property
    def predicted_arm(self) -> str:
        """The arm whose times and escalations are the prediction."""
        return "present" if self.gameday.hero_role is HeroRole.AVAILABLE else "absent"


def game_day_scenario(scenario: Scenario) -> Scenario:
    """The scenario as replayed on the game day: the observations say who was there, so the
    scenario's own planned absences and sick days do not apply."""
    people = [p.model_copy(update={"absences": [], "sick_days_per_year": 0.0})
              for p in scenario.people]
    return scenario.model_copy(update={"people": people})


# -- one replication ----------------------------------------------------------------------------


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
    _, skills, state = model.snapshots[0]
    return skills, state


def score_replication(spec: ScoreSpec, replication: int) -> dict:
    """One plan run, then every injection replayed alone on the frozen team, in each arm."""
    gameday = spec.gameday
    scenario = spec.replay_scenario or game_day_scenario(spec.scenario)
    skills, state = team_on_the_day(spec, replication)
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
                gameday.absent + (heroes if arm == "absent" else ())))
            # Its own streams per (replication, injection); the arms share them (common
            # random numbers), so they differ only by who is reachable.
            address = GAMEDAY_REPLAYS + replication * 1000 + j
            record = TeamModel(scenario, days, spec.seed, address, without=without,
                               skills=skills, arrivals=[arrival], state=state.frozen(t0)).run()
            incident = record.incidents[0]
            row[arm] = (
                incident.time_to_acknowledge,
                incident.time_to_mitigate if incident.lead is not None else math.inf,
                any(e.kind in ESCALATION_KINDS for e in incident.escalations),
                incident.hero_involved,
                incident.lead,
                incident.acknowledged_by,
            )
        outcomes.append(row)
    classes = sorted({inj.class_id for inj in gameday.injections})
    return {
        "replication": replication,
        "outcomes": outcomes,
        "skills": {p: {c: skills.get(p, c, t0) for c in classes} for p in skills.people()},
        "effective_knowledge": {
            c: {p: state.runbooks.knowledge(skills.get(p, c, t0)[0], c, t0)
                for p in skills.people()} for c in classes},
        "work_factor": {c: state.runbooks.work_factor(c, t0) * state.observability
                        for c in classes},
        "requires": {c: list(state.requires[c]) for c in classes},
    }


# -- placing the observations -------------------------------------------------------------------


def percentile_rank(values: np.ndarray, observed: float) -> float:
    """Where `observed` falls among `values`, 0..100 (ties count half)."""
    below = np.count_nonzero(values < observed)
    equal = np.count_nonzero(values == observed)
    return 100.0 * (below + 0.5 * equal) / values.size


def _quantiles(values: np.ndarray) -> dict:
    """p10/p50/p90 (an actual predicted value each: no interpolation across 'never')."""
    q = np.quantile(values, [0.1, 0.5, 0.9], method="inverted_cdf")
    return {name: (float(v) if math.isfinite(v) else None)
            for name, v in zip(("p10", "p50", "p90"), q)}


def _shares(names: list) -> dict[str, float]:
    out: dict[str, float] = {}
    for name in names:
        key = name if name is not None else "nobody"
        out[key] = out.get(key, 0.0) + 1.0 / len(names)
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def predicted(reps: list[dict], j: int, arm: str, hero_arm: str = "present") -> dict:
    """The predicted distribution of injection `j`, pooled over replications."""
    rows = [r["outcomes"][j][arm] for r in reps]
    tta = np.array([row[0] for row in rows])
    ttm = np.array([row[1] for row in rows])
    hero_rows = [r["outcomes"][j][hero_arm] for r in reps]
    return {
        "arm": arm,
        "tta": _quantiles(tta),
        "ttm": _quantiles(ttm),
        "unresolved_share": float(np.mean(~np.isfinite(ttm))),
        "escalation_chance": float(np.mean([row[2] for row in rows])),
        "hero_chance": float(np.mean([row[3] for row in hero_rows])),
        "lead_shares": _shares([row[4] for row in rows]),
        "acknowledged_by_shares": _shares([row[5] for row in rows]),
        "_tta": tta,
        "_ttm": ttm,
        "_hero": np.array([row[3] for row in rows]),
    }


def place(obs: Observed, prediction: dict) -> dict:
    """Percentiles of the observation and its flags: hesitation points and surprises."""
    tta, ttm = prediction["_tta"], prediction["_ttm"]
    tta_obs = obs.time_to_acknowledge
    ttm_obs = obs.time_to_mitigate
    tta_pct = None if tta_obs is None else percentile_rank(tta, tta_obs)
    ttm_pct = percentile_rank(ttm, ttm_obs)
    p10, p90 = prediction["ttm"]["p10"], prediction["ttm"]["p90"]
    hesitations, surprises = [], []
    if obs.mitigated is None:
        # Abandoning what the model says cannot be mitigated that day is no hesitation.
        if prediction["unresolved_share"] < 0.5:
            hesitations.append("abandoned before mitigation")
    elif p90 is not None and ttm_obs > p90:
        hesitations.append(f"mitigated in {ttm_obs:.0f} min, slower than the predicted p90 "
                           f"({p90:.0f} min)")
    tta_p90 = prediction["tta"]["p90"]
    if tta_obs is not None and tta_p90 is not None and tta_obs > tta_p90:
        hesitations.append(f"acknowledged in {tta_obs:.0f} min, slower than the predicted p90 "
                           f"({tta_p90:.0f} min)")
    esc, hero = prediction["escalation_chance"], prediction["hero_chance"]
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
    return {
        "tta_percentile": tta_pct,
        "ttm_percentile": ttm_pct,
        "hesitations": hesitations,
        "surprises": surprises,
        "verdict": verdict,
        "handled_independently": bool(not obs.hero_pulled and obs.mitigated is not None
                                      and p90_ok),
    }


# -- the whole score ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreResult:
    """A scored game day, usable from Python; `to_json()` is gameday.json."""

    spec: ScoreSpec
    replications: int
    document: dict
    updates: list[dict]

    def to_json(self) -> dict:
        return self.document


def score_gameday(
    scenario: Scenario,
    gameday: GameDayRecord,
    plan: Plan | None = None,
    replications: int = 200,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> ScoreResult:
    """Predict every injection of `gameday`, place the observations, estimate skills.

    Args:
        scenario: the team as modelled (its skills are the prior).
        gameday: the validated observations (`sim.inputs.observations.load_observations`).
        plan: the transfer plan run up to the game day, or None.
        replications, seed, workers, progress, executor: as in `sim.analysis.replicate.run_tasks`.
    """
    spec = ScoreSpec(scenario, plan, gameday, seed, game_day_scenario(scenario))
    reps = run_tasks(score_replication, [(spec, r) for r in range(replications)], workers,
                     progress, executor)
    return summarize(spec, reps)


def summarize(spec: ScoreSpec, reps: list[dict]) -> ScoreResult:
    """gameday.json from the replications: injections, score, classes, people, skill update."""
    scenario, gameday = spec.scenario, spec.gameday
    heroes = set(scenario.heroes)
    rows = []
    expected_hits = []
    for j, obs in enumerate(gameday.injections):
        prediction = predicted(reps, j, spec.predicted_arm)
        placement = place(obs, prediction)
        p90 = prediction["ttm"]["p90"]
        within = prediction["_ttm"] <= (p90 if p90 is not None else math.inf)
        expected_hits.append(float(np.mean(within & ~prediction["_hero"])))
        cls = scenario.incident_class(obs.class_id)
        rows.append({
            "id": obs.label,
            "class": obs.class_id,
            "specialty": cls.specialty,
            "observed": _observed_json(obs, gameday.day),
            "predicted": {k: v for k, v in prediction.items() if not k.startswith("_")},
            **placement,
        })
    handled = sum(r["handled_independently"] for r in rows)
    updates = estimate_skills(spec, reps)
    document = {
        "herosim_version": __version__,
        "scenario": scenario.name,
        "plan": spec.plan.name if spec.plan else None,
        "observations": gameday.source,
        "date": gameday.date.isoformat(),
        "scenario_day": gameday.day,
        "hero_role": gameday.hero_role.value,
        "heroes": list(scenario.heroes),
        "absent": list(gameday.absent),
        "primary": gameday.primary,
        "replications": len(reps),
        "seed": spec.seed,
        "prediction_arm": spec.predicted_arm,
        "thresholds": {"expected_below": EXPECTED_BELOW, "surprise_above": SURPRISE_ABOVE},
        "score": {
            "value": handled / len(rows),
            "handled": handled,
            "injections": len(rows),
            "expected": float(np.mean(expected_hits)),
            "definition": SCORE_DEFINITION,
        },
        "injections": rows,
        "classes": _class_summary(rows, scenario),
        "people": _people_summary(gameday, rows, updates, heroes),
        "dependence": _dependence(rows),
        "skill_updates": updates,
    }
    return ScoreResult(spec, len(reps), document, updates)


def _observed_json(obs: Observed, day: int) -> dict:
    base = day * MINUTES_PER_DAY

    def clock(t):
        if t is None:
            return None
        minute = t - base
        return f"{int(minute // 60) % 24:02d}:{int(minute % 60):02d}"

    return {
        "injected": clock(obs.injected),
        "acknowledged": clock(obs.acknowledged),
        "mitigated": clock(obs.mitigated),
        "abandoned": obs.mitigated is None,
        "tta": obs.time_to_acknowledge,
        "ttm": obs.time_to_mitigate if obs.mitigated is not None else None,
        "acknowledged_by": obs.acknowledged_by,
        "lead": obs.lead,
        "participants": list(obs.participants),
        "escalations": [{"kind": e.kind.value, "from": e.from_person, "to": e.to_person,
                         "at": clock(e.at)} for e in obs.escalations],
        "escalated": obs.escalated,
        "hero_involved": obs.hero_involved,
        "hero_consulted": obs.hero_consulted,
        "hints": obs.hints,
        "notes": obs.notes,
    }


def _class_summary(rows: list[dict], scenario: Scenario) -> dict:
    out = {}
    for c in scenario.classes:
        mine = [r for r in rows if r["class"] == c.id]
        if not mine:
            continue
        pulled = sum(r["observed"]["hero_involved"] or r["observed"]["hero_consulted"]
                     for r in mine)
        if not pulled:
            dependence = "handled without a hero"
        elif c.specialty:
            dependence = "specialty: a hero, as the team agreed"
        else:
            dependence = "default rescue: a hero was pulled on a class the team should own"
        out[c.id] = {
            "injections": len(mine),
            "specialty": c.specialty,
            "hero_pulled": pulled,
            "predicted_hero_chance": float(np.mean([r["predicted"]["hero_chance"]
                                                    for r in mine])),
            "ttm_percentile_mean": float(np.mean([r["ttm_percentile"] for r in mine])),
            "hesitations": sum(bool(r["hesitations"]) for r in mine),
            "surprises": sum(bool(r["surprises"]) and not r["hesitations"] for r in mine),
            "dependence": dependence,
        }
    return out


def _people_summary(gameday: GameDayRecord, rows: list[dict], updates: list[dict],
                    heroes: set[str]) -> dict:
    out: dict[str, dict] = {}

    def entry(person: str) -> dict:
        return out.setdefault(person, {
            "hero": person in heroes, "acknowledged": 0, "led": 0, "handed_on": 0,
            "took_part": 0, "hesitations": 0, "surprises": 0, "ttm_percentiles": [],
            "skills": {}})

    for obs, row in zip(gameday.injections, rows):
        people = {p for p in (obs.acknowledged_by, obs.lead) if p}
        if obs.acknowledged_by:
            entry(obs.acknowledged_by)["acknowledged"] += 1
        if obs.lead:
            entry(obs.lead)["led"] += 1
            entry(obs.lead)["ttm_percentiles"].append(row["ttm_percentile"])
        for e in obs.escalations:
            if e.kind in (EscalationKind.MANUAL, EscalationKind.INFORMAL) and e.from_person:
                entry(e.from_person)["handed_on"] += 1
                people.add(e.from_person)
        for p in obs.participants:
            entry(p)["took_part"] += 1
        for p in people:
            entry(p)["hesitations"] += bool(row["hesitations"])
            entry(p)["surprises"] += bool(row["surprises"]) and not row["hesitations"]
    for u in updates:
        entry(u["person"])["skills"][u["class"]] = {
            "before": u["scenario_before"], "after": u["scenario_after"]}
    for person in out.values():
        pct = person.pop("ttm_percentiles")
        person["led_ttm_percentile_mean"] = float(np.mean(pct)) if pct else None
    return dict(sorted(out.items()))


def _dependence(rows: list[dict]) -> dict:
    rescue = sorted({r["class"] for r in rows if not r["specialty"]
                     and (r["observed"]["hero_involved"] or r["observed"]["hero_consulted"])})
    specialty = sorted({r["class"] for r in rows if r["specialty"]
                        and (r["observed"]["hero_involved"] or r["observed"]["hero_consulted"])})
    if rescue:
        text = ("still default rescue: a hero was pulled on " + ", ".join(rescue)
                + (" (and on the specialty classes " + ", ".join(specialty) + ")"
                   if specialty else ""))
    elif specialty:
        text = "narrowed to true specialty: a hero was pulled only on " + ", ".join(specialty)
    else:
        text = "no hero was pulled on any injection"
    return {"narrowed_to_specialty": not rescue, "default_rescue_classes": rescue,
            "specialty_classes_with_hero": specialty, "text": text}


# -- updating skills ----------------------------------------------------------------------------


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
    having acknowledged, handed it on. Hand-offs for lack of access are not skill evidence."""
    out = []
    for obs in gameday.injections:
        needs = requires.get(obs.class_id) or []

        def has_access(person: str) -> bool:
            return not needs or person in needs

        for e in obs.escalations:
            if e.kind in (EscalationKind.MANUAL, EscalationKind.INFORMAL) and e.from_person \
                    and e.from_person != obs.lead and has_access(e.from_person):
                out.append(Episode(e.from_person, obs.class_id, obs.label, False, None, 1.0))
        if obs.mitigated is None:
            last = obs.lead or (obs.escalations[-1].to_person if obs.escalations
                                else obs.acknowledged_by)
            if last and has_access(last):
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


def _grid() -> np.ndarray:
    return (np.arange(GRID_CELLS) + 0.5) / GRID_CELLS


def _beta_prior(mean: float, grid: np.ndarray) -> np.ndarray:
    m = min(max(mean, 0.03), 0.97)
    a, b = m * PRIOR_STRENGTH, (1 - m) * PRIOR_STRENGTH
    density = np.exp((a - 1) * np.log(grid) + (b - 1) * np.log1p(-grid))
    return density / density.sum()


def _ramp_array(margin: np.ndarray, width: float) -> np.ndarray:
    return np.clip(0.5 + margin / width, 0.0, 1.0)


def estimate_skills(spec: ScoreSpec, reps: list[dict]) -> list[dict]:
    """Grid posterior of each observed (person, class) knowledge and confidence.

    The prior is a Beta per dimension centred on the model's game-day skill (the mean over
    replications of the frozen skills). The likelihood is the model's own: P(can fix) =
    ramp(k_eff - d), P(will lead) = ramp(c - d), leading has chance P(can) x P(will) and hands
    on otherwise, with a lapse rate for what the model leaves out; the leader's work time is
    lognormal around expert median x (1 + slowdown x (1 - k_eff)) x observability x runbook
    factor. The scenario's (day-0) values move by posterior mean - prior mean.
    """
    scenario = spec.scenario
    behaviour = scenario.behaviour
    width = behaviour.skill_sharpness
    evidence = episodes(spec.gameday, reps[0]["requires"], tuple(scenario.heroes))
    grid = _grid()
    K, C = np.meshgrid(grid, grid, indexing="ij")
    updates = []
    pairs = sorted({(e.person, e.class_id) for e in evidence})
    for person, class_id in pairs:
        cls = scenario.incident_class(class_id)
        mine = [e for e in evidence if e.person == person and e.class_id == class_id]
        k_day = float(np.mean([r["skills"][person][class_id][0] for r in reps]))
        c_day = float(np.mean([r["skills"][person][class_id][1] for r in reps]))
        prior = np.outer(_beta_prior(k_day, grid), _beta_prior(c_day, grid))
        # The runbook closes a share of the knowledge gap: k_eff = k + (1 - k) x lift.
        k_eff_day = float(np.mean([r["effective_knowledge"][class_id][person] for r in reps]))
        lift = (k_eff_day - k_day) / (1 - k_day) if k_day < 1 else 0.0
        k_eff = K + (1 - K) * lift
        can = _ramp_array(k_eff - cls.difficulty, width)
        will = _ramp_array(C - cls.difficulty, width)
        lead_chance = LAPSE + (1 - 2 * LAPSE) * can * will
        log_post = np.log(prior)
        factor = float(np.mean([r["work_factor"][class_id] for r in reps]))
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
        updates.append({
            "person": person,
            "class": class_id,
            "evidence": [{"injection": e.injection, "led": e.led,
                          "work_minutes": e.work_minutes, "weight": e.weight} for e in mine],
            "game_day_prior": {"knowledge": prior_k, "confidence": prior_c},
            "game_day_posterior": {
                "knowledge": post_k, "confidence": post_c,
                "knowledge_sd": float(math.sqrt(max(0.0, (post * K * K).sum() - post_k ** 2))),
                "confidence_sd": float(math.sqrt(max(0.0, (post * C * C).sum() - post_c ** 2))),
            },
            "scenario_before": {"knowledge": before_k, "confidence": before_c},
            "scenario_after": {"knowledge": round(after_k, 2), "confidence": round(after_c, 2)},
            "changed": (abs(round(after_k, 2) - before_k) >= MIN_CHANGE
                        or abs(round(after_c, 2) - before_c) >= MIN_CHANGE),
        })
    return updates


def _log_work_density(minutes: float, cls, slowdown: float, k_eff: np.ndarray,
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


# -- writing the updated scenario ---------------------------------------------------------------


def updated_scenario_text(text: str, scenario: Scenario, result: ScoreResult,
                          source: str = "scenario") -> str:
    """The scenario file with the updated skills, and a comment block saying what changed.

    The original text is kept and only the changed skill values are rewritten in place (as
    `{knowledge: K, confidence: C}`); when that is not possible (JSON, anchors, unusual
    layout) or does not validate to exactly the intended skills, the whole scenario is
    re-emitted as YAML instead. Either way the result validates as a scenario.
    """
    changes = {(u["person"], u["class"]): u["scenario_after"]
               for u in result.updates if u["changed"]}
    header = _update_header(result, source)
    target = _with_skills(scenario, changes)
    edited = _edit_in_place(text, changes)
    if edited is not None and _parses_to(edited, target):
        return header + edited
    return header + _emit(target)


def _update_header(result: ScoreResult, source: str) -> str:
    doc = result.document
    lines = [
        f"# Updated by `herosim score` from the game day of {doc['date']} "
        f"(scenario day {doc['scenario_day']}, heroes {doc['hero_role']}),",
        f"# observations {doc['observations']}; scenario {source};",
        f"# {doc['replications']} replications, seed {doc['seed']}"
        + (f", plan {doc['plan']}." if doc["plan"] else ", no plan."),
        "# Method (docs/gameday.md, 'Updating skills'): a grid posterior of each observed",
        "# person's knowledge and confidence for the class on the game day, from the model's",
        "# own chance of leading vs handing on and its work-time law; each value below moved by",
        "# the posterior mean minus the prior mean. Everything else is unchanged.",
        "#",
    ]
    changed = [u for u in result.updates if u["changed"]]
    if not changed:
        lines.append("# No skill moved by 0.005 or more: the scenario is unchanged.")
    for u in changed:
        before, after = u["scenario_before"], u["scenario_after"]
        led = sum(e["led"] for e in u["evidence"])
        handed = len(u["evidence"]) - led
        ids = ", ".join(dict.fromkeys(e["injection"] for e in u["evidence"]))
        lines.append(
            f"#   {u['person']} / {u['class']}: knowledge {before['knowledge']:.2f} -> "
            f"{after['knowledge']:.2f}, confidence {before['confidence']:.2f} -> "
            f"{after['confidence']:.2f} (led {led}, handed on {handed}: {ids})")
    return "\n".join(lines) + "\n\n"


def _with_skills(scenario: Scenario, changes: dict) -> Scenario:
    from sim.schema import Skill

    people = []
    for p in scenario.people:
        skills = dict(p.skills)
        for (person, class_id), value in changes.items():
            if person == p.id:
                skills[class_id] = Skill(knowledge=value["knowledge"],
                                         confidence=value["confidence"])
        people.append(p.model_copy(update={"skills": skills}))
    return scenario.model_copy(update={"people": people})


def _emit(scenario: Scenario) -> str:
    import yaml

    data = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _parses_to(text: str, target: Scenario) -> bool:
    """Whether `text` validates to a scenario equal to `target`."""
    import yaml

    from sim.inputs.files import YamlLoader

    try:
        data = yaml.load(text, Loader=YamlLoader)  # noqa: S506 - a safe loader
        return Scenario.model_validate(data) == target
    except Exception:  # any failure means: fall back to re-emitting
        return False


def _edit_in_place(text: str, changes: dict) -> str | None:
    """Rewrite the changed skill values in the YAML text; None when the layout is unusual."""
    import yaml

    from sim.inputs.files import YamlLoader

    if not changes:
        return text
    try:
        root = yaml.compose(text, Loader=YamlLoader)
    except yaml.YAMLError:
        return None
    people = _value(root, "people")
    if not isinstance(people, yaml.SequenceNode):
        return None
    edits: list[tuple[int, int, str]] = []
    for (person, class_id), value in changes.items():
        flow = f"{{knowledge: {value['knowledge']:.2f}, confidence: {value['confidence']:.2f}}}"
        node = next((p for p in people.value if isinstance(p, yaml.MappingNode)
                     and getattr(_value(p, "id"), "value", None) == person), None)
        if node is None:
            return None
        skills = _value(node, "skills")
        if skills is None:
            if node.flow_style:
                return None
            column = node.value[0][0].start_mark.column
            end = _line_end(text, node.end_mark.index)
            edits.append((end, end, "\n" + " " * column + f"skills: {{{class_id}: {flow}}}"))
            continue
        if not isinstance(skills, yaml.MappingNode):
            return None
        current = _value(skills, class_id)
        if current is not None:
            edits.append((current.start_mark.index, current.end_mark.index, flow))
        elif skills.flow_style:
            close = text.rfind("}", 0, skills.end_mark.index)
            sep = ", " if skills.value else ""
            edits.append((close, close, f"{sep}{class_id}: {flow}"))
        elif skills.value:
            column = skills.value[0][0].start_mark.column
            end = _line_end(text, skills.value[-1][1].end_mark.index)
            edits.append((end, end, "\n" + " " * column + f"{class_id}: {flow}"))
        else:
            return None
    for start, end, new in sorted(edits, reverse=True):
        if any(s < end and start < e for s, e, _ in edits if (s, e) != (start, end)):
            return None  # overlapping edits (aliases): re-emit instead
        text = text[:start] + new + text[end:]
    return text


def _value(mapping, key: str):
    import yaml

    if not isinstance(mapping, yaml.MappingNode):
        return None
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _line_end(text: str, index: int) -> int:
    """End of the line holding the character before `index` (before any trailing comment is
    fine: the new entry goes on its own line after it)."""
    if index > 0 and text[index - 1] == "\n":
        return index - 1
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline


# -- gameday.md ---------------------------------------------------------------------------------


def gameday_markdown(doc: dict) -> str:
    """The readable game-day report, from a gameday.json document."""
    from sim.outputs.markdown import cell, num, table

    score = doc["score"]
    plan = doc["plan"] or "no plan"
    reach = "heroes reachable" if doc["prediction_arm"] == "present" else "heroes out of reach"
    out = [
        f"# Game day {doc['date']}: {cell(doc['scenario'])}",
        "",
        f"- Scenario day {doc['scenario_day']}, plan **{cell(plan)}**; heroes "
        f"({cell(', '.join(doc['heroes']) or 'none named')}) **{doc['hero_role']}**; absent: "
        f"{cell(', '.join(doc['absent']) or 'nobody')}; primary: "
        f"{cell(doc['primary'] or 'as the rotation says')}.",
        f"- Observations: {cell(doc['observations'])}. Predictions: {doc['replications']} "
        f"replications, seed {doc['seed']}, each injection replayed alone on the team as it was "
        f"that day ({reach}).",
        "",
        f"## Score: {score['value']:.0%} ({score['handled']} of {score['injections']})",
        "",
        f"The {score['definition']}. The model expected {score['expected']:.0%}.",
        "",
        f"Dependence: {cell(doc['dependence']['text'])}.",
        "",
        "## Injections",
        "",
        table(
            ["injection", "class", "TTA min", "TTA pct", "TTM min", "TTM p10–p50–p90",
             "TTM pct", "escalated (chance)", "hero (chance)", "verdict"],
            [[r["id"], r["class"], num(r["observed"]["tta"], 0), num(r["tta_percentile"], 0),
              "abandoned" if r["observed"]["abandoned"] else num(r["observed"]["ttm"], 0),
              "–".join(num(r["predicted"]["ttm"][q], 0) for q in ("p10", "p50", "p90")),
              num(r["ttm_percentile"], 0),
              f"{_yes(r['observed']['escalated'])} "
              f"({r['predicted']['escalation_chance']:.0%})",
              f"{_yes(r['observed']['hero_involved'] or r['observed']['hero_consulted'])} "
              f"({r['predicted']['hero_chance']:.0%})",
              r["verdict"]] for r in doc["injections"]],
        ),
        "",
        "TTA/TTM: time to acknowledge / mitigate; pct: the observation's percentile in the "
        "predicted distribution; a TTM p90 of '–' means more than 10% of replays were never "
        "mitigated. Hero chance: how often the model's team reaches a hero when one is "
        "reachable.",
        "",
    ]
    flagged = [r for r in doc["injections"] if r["hesitations"] or r["surprises"]]
    if flagged:
        out += ["## Hesitation points and surprises", ""]
        for r in flagged:
            for text in r["hesitations"]:
                out.append(f"- **{cell(r['id'])}** ({cell(r['class'])}), hesitation: {cell(text)}")
            for text in r["surprises"]:
                out.append(f"- **{cell(r['id'])}** ({cell(r['class'])}), surprise: {cell(text)}")
        out.append("")
    out += [
        "## Classes", "",
        table(["class", "injections", "hero pulled", "hero chance", "mean TTM pct",
               "hesitations", "dependence"],
              [[cid + (" (specialty)" if c["specialty"] else ""), c["injections"],
                c["hero_pulled"], f"{c['predicted_hero_chance']:.0%}",
                num(c["ttm_percentile_mean"], 0), c["hesitations"], c["dependence"]]
               for cid, c in doc["classes"].items()]),
        "", "## People", "",
        table(["person", "acknowledged", "led", "handed on", "took part", "hesitations",
               "surprises", "mean TTM pct when leading"],
              [[pid + (" (hero)" if p["hero"] else ""), p["acknowledged"], p["led"],
                p["handed_on"], p["took_part"], p["hesitations"], p["surprises"],
                num(p["led_ttm_percentile_mean"], 0)] for pid, p in doc["people"].items()]),
        "", "## Skill estimates", "",
        "Knowledge and confidence of each observed person for each class they acknowledged or "
        "led (method: docs/gameday.md). `herosim score --update OUT.yaml` writes them into a "
        "copy of the scenario.", "",
        table(["person", "class", "evidence", "game day: prior → posterior (k / c)",
               "scenario: before → after (k / c)"],
              [[u["person"], u["class"],
                f"led {sum(e['led'] for e in u['evidence'])}, handed on "
                f"{sum(not e['led'] for e in u['evidence'])}",
                f"{u['game_day_prior']['knowledge']:.2f} / {u['game_day_prior']['confidence']:.2f}"
                f" → {u['game_day_posterior']['knowledge']:.2f} / "
                f"{u['game_day_posterior']['confidence']:.2f}",
                f"{u['scenario_before']['knowledge']:.2f} / "
                f"{u['scenario_before']['confidence']:.2f} → "
                f"{u['scenario_after']['knowledge']:.2f} / "
                f"{u['scenario_after']['confidence']:.2f}"]
               for u in doc["skill_updates"]]),
        "",
    ]
    return "\n".join(out)


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
