"""The typed documents of a scored game day: `ScoreResult` is gameday.json.

Every field is a key docs/outputs.md documents, in the order the JSON writes them
(`result.to_json()` is the file, `ScoreResult.from_json(data)` reads one back: see
sim/analysis/document.py). Two keys are not Python names and are written from fields with
another name: `class` (`class_id`) and an escalation's `from` (`from_person`).

    ScoreResult
      thresholds  Thresholds
      score       Score
      injections  [InjectionScore: observed ObservedInjection (escalations [ObservedHandoff]),
                                   predicted Prediction (tta, ttm: Quantiles)]
      classes     {class: ClassScore}
      people      {person: PersonScore (skills {class: SkillChange of SkillPoint})}
      dependence  Dependence
      skill_updates [SkillUpdate: evidence [Evidence], game_day_prior SkillPoint,
                                  game_day_posterior Posterior, scenario_before/after SkillPoint]
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.analysis.document import Document, key

# -- one injection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservedHandoff(Document):
    """One observed escalation: its kind, who handed on (when known), to whom, at what clock
    time."""

    kind: str
    from_person: str | None = field(metadata=key("from"))
    to: str
    at: str | None


@dataclass(frozen=True)
class ObservedInjection(Document):
    """What the team did with an injection, as observed: clock times (HH:MM on the game day),
    minutes to acknowledge and to mitigate, who acknowledged and led, hand-offs, hero flags."""

    injected: str | None
    acknowledged: str | None
    mitigated: str | None
    abandoned: bool
    tta: float | None
    ttm: float | None  # None when abandoned
    acknowledged_by: str | None
    lead: str | None
    participants: list[str]
    escalations: list[ObservedHandoff]
    escalated: bool
    hero_involved: bool
    hero_consulted: bool
    hints: int
    notes: str


@dataclass(frozen=True)
class Quantiles(Document):
    """p10, p50 and p90 of predicted minutes; None where that share of replays never got
    there (never mitigated)."""

    p10: float | None
    p50: float | None
    p90: float | None


@dataclass(frozen=True)
class Prediction(Document):
    """The model's distribution for one injection, pooled over the replications."""

    arm: str  # "present" (heroes reachable) or "absent"
    tta: Quantiles
    ttm: Quantiles
    unresolved_share: float
    escalation_chance: float
    hero_chance: float  # in the replay with the heroes reachable
    lead_shares: dict[str, float]  # person (or "nobody") -> share of replays, largest first
    acknowledged_by_shares: dict[str, float]


@dataclass(frozen=True)
class InjectionScore(Document):
    """One injection: observed, predicted, and where the observation falls (percentiles,
    hesitation points, surprises, verdict)."""

    id: str
    class_id: str = field(metadata=key("class"))
    specialty: bool
    observed: ObservedInjection
    predicted: Prediction
    tta_percentile: float | None
    ttm_percentile: float
    hesitations: list[str]
    surprises: list[str]
    verdict: str  # "hesitation", "surprise" or "as predicted"
    handled_independently: bool


# -- the day ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds(Document):
    """The predicted chances behind the flags: below `expected_below` the model expected the
    team to manage without (escalating, a hero); above `surprise_above` it expected it."""

    expected_below: float
    surprise_above: float


@dataclass(frozen=True)
class Score(Document):
    """The game-day score: the share of injections handled independently, and the model's own
    expectation of it."""

    value: float
    handled: int
    injections: int
    expected: float
    definition: str


@dataclass(frozen=True)
class ClassScore(Document):
    """The injections of one class: hero pulled or not, and whether that is specialty or
    default rescue."""

    injections: int
    specialty: bool
    hero_pulled: int
    predicted_hero_chance: float
    ttm_percentile_mean: float
    hesitations: int
    surprises: int
    dependence: str


@dataclass(frozen=True)
class SkillPoint(Document):
    """A knowledge and a confidence, both 0..1."""

    knowledge: float
    confidence: float


@dataclass(frozen=True)
class SkillChange(Document):
    """A person's scenario skill for a class before and after the update."""

    before: SkillPoint
    after: SkillPoint


@dataclass(frozen=True)
class PersonScore(Document):
    """What one person did on the game day, and how their skills moved."""

    hero: bool
    acknowledged: int
    led: int
    handed_on: int
    took_part: int
    hesitations: int
    surprises: int
    skills: dict[str, SkillChange]
    led_ttm_percentile_mean: float | None


@dataclass(frozen=True)
class Dependence(Document):
    """Whether dependence on the heroes has narrowed to the classes the team agreed they keep."""

    narrowed_to_specialty: bool
    default_rescue_classes: list[str]
    specialty_classes_with_hero: list[str]
    text: str


# -- skill updates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evidence(Document):
    """One episode of skill evidence: led to mitigation (with the work time, when known) or
    handed on, and the weight of its log-likelihood."""

    injection: str
    led: bool
    work_minutes: float | None
    weight: float


@dataclass(frozen=True)
class Posterior(Document):
    """Posterior means of knowledge and confidence on the game day, with their sds."""

    knowledge: float
    confidence: float
    knowledge_sd: float
    confidence_sd: float


@dataclass(frozen=True)
class SkillUpdate(Document):
    """The estimate for one observed (person, class): evidence, game-day prior and posterior,
    and the scenario's (day-0) values before and after."""

    person: str
    class_id: str = field(metadata=key("class"))
    evidence: list[Evidence]
    game_day_prior: SkillPoint
    game_day_posterior: Posterior
    scenario_before: SkillPoint
    scenario_after: SkillPoint
    changed: bool


# -- gameday.json -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreResult(Document):
    """A scored game day (gameday.json): its context, the score, each injection against its
    prediction, per class and per person summaries, and the skill updates."""

    herosim_version: str
    scenario: str
    plan: str | None
    observations: str
    date: str
    scenario_day: int
    hero_role: str
    heroes: list[str]
    absent: list[str]
    primary: str | None
    replications: int
    seed: int
    prediction_arm: str  # "present" or "absent"
    thresholds: Thresholds
    score: Score
    injections: list[InjectionScore]
    classes: dict[str, ClassScore]
    people: dict[str, PersonScore]
    dependence: Dependence
    skill_updates: list[SkillUpdate]

    @property
    def changed_updates(self) -> list[SkillUpdate]:
        """The skill updates that move a scenario value (by 0.005 or more)."""
        return [u for u in self.skill_updates if u.changed]
