"""How the team works: escalation policy, conditions that summon the hero, response behaviour,
learning rates, runbooks and the change (deploy) schedule."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.schema.base import HourClass, Identifier, LevelTarget, Minutes, Model, Unit, Weekday


class GatePolicy(str, Enum):
    """What the team does when nobody a change `needs` is there."""

    POSTPONE = "postpone"  # wait; later changes pile into the same release
    SHIP = "ship"  # go ahead anyway, at the higher unsafe change-failure rate


class DeployWindow(Model):
    """When changes ship: days and hours in the scenario's time zone."""

    days: list[Weekday] = Field(
        default_factory=lambda: [Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU]
    )
    start: Annotated[int, Field(ge=0, le=23)] = Field(10, description="First hour.")
    end: Annotated[int, Field(ge=1, le=24)] = Field(16, description="Hour the window closes.")

    @model_validator(mode="after")
    def _start_before_end(self) -> DeployWindow:
        if self.start >= self.end:
            raise PydanticCustomError(
                "window_order", "start ({start}) must be before end ({end})",
                {"start": self.start, "end": self.end})
        if not self.days:
            raise PydanticCustomError("window_days", "a deploy window needs at least one day")
        return self


class Changes(Model):
    """A service's deploys and rollbacks (see docs/model.md, "Changes")."""

    per_week: Annotated[float, Field(ge=0.0, le=1000.0)] = Field(
        description="Changes the service intends to ship per week (Poisson, in the window)."
    )
    window: DeployWindow = Field(default_factory=DeployWindow)
    leaders: list[Identifier] = Field(
        default_factory=list, description="Who may lead a change (default: everyone)."
    )
    needs: list[Identifier] = Field(
        default_factory=list, description="People whose presence makes a change feel safe; "
        "one of them must be there."
    )
    when_needed_absent: GatePolicy = Field(
        GatePolicy.POSTPONE, description="postpone: the change waits and later ones pile into "
        "the same release; ship: it goes out at the unsafe failure rate."
    )
    failure_rate: Unit = Field(
        0.1, description="Change-failure rate with an expert leader and a one-change release."
    )
    unsafe_failure_rate: Unit = Field(
        0.25, description="Change-failure rate when shipped without the needed people."
    )
    knowledge_penalty: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        1.0, description="The rate is multiplied by 1 + penalty x (1 - leader's knowledge of "
        "the rollback class): a novice leader at penalty 1 doubles it."
    )
    batch_penalty: Annotated[float, Field(ge=0.0, le=10.0)] = Field(
        0.1, description="Each extra change in a release multiplies the rate by 1 + this."
    )
    rollback_class: Identifier = Field(
        description="The incident class a failed change raises (worked like any incident)."
    )
    detection_minutes: Minutes = Field(
        30.0, description="Mean minutes from shipping to the failure being paged."
    )
    review_minutes: Annotated[float, Field(ge=0.0, le=480.0)] = Field(
        15.0, description="Minutes of a needed person's time a release they gate takes (they "
        "review or approve it: a gate interruption and review time)."
    )



class EscalationLevel(Model):
    """One level of the escalation policy: whom it pages and how long it waits."""

    target: LevelTarget
    people: list[Identifier] = Field(
        default_factory=list, description="With target 'people': who is paged."
    )
    timeout_minutes: Minutes = Field(15.0, description="Minutes to acknowledge before "
                                     "escalating to the next level.")

    @model_validator(mode="after")
    def _people_match_target(self) -> EscalationLevel:
        if self.target is LevelTarget.PEOPLE and not self.people:
            raise PydanticCustomError(
                "level_empty", "a 'people' level names nobody; list at least one person"
            )
        if self.target is not LevelTarget.PEOPLE and self.people:
            raise PydanticCustomError(
                "level_people",
                "people are listed on a '{target}' level; only target 'people' takes them",
                {"target": self.target.value},
            )
        return self


class EscalationPolicy(Model):
    """The escalation policy: ordered levels, repeated `loops` times after the first pass."""

    levels: list[EscalationLevel] = Field(min_length=1)
    loops: Annotated[int, Field(ge=0, le=9)] = Field(
        1, description="Times the whole policy repeats after the last level."
    )


class Conditions(Model):
    """What keeps summoning the hero."""

    alert_noise: Annotated[float, Field(ge=0.0, le=100.0)] = Field(
        0.0, description="False pages per real incident."
    )
    routing_ambiguity: Unit = Field(
        0.0, description="Chance a page first lands on the wrong person."
    )
    observability: Annotated[float, Field(ge=0.1, le=10.0)] = Field(
        1.0, description="Diagnosis time multiplier (1 = good, 2 = twice as slow)."
    )
    informal_pull: Unit = Field(
        0.0, description="Chance a hesitant or stuck responder messages the hero directly "
        "instead of following the policy."
    )
    consult: Unit = Field(
        0.0, description="Chance a capable but hesitant responder asks a hero for advice and "
        "then leads it themselves (a consult: hero minutes and an interruption, no hand-off)."
    )


class Behaviour(Model):
    """How people respond; the defaults are reasoned in docs/model.md."""

    ack_median_minutes: dict[HourClass, Annotated[float, Field(ge=0.0, le=240.0)]] = Field(
        default_factory=lambda: {HourClass.BUSINESS: 2.0, HourClass.OFF: 5.0,
                                 HourClass.SLEEP: 9.0},
        description="Median minutes to acknowledge a page, by the person's local hour class; "
        "exponential around it. 0 means instant.",
    )
    @field_validator("ack_median_minutes")
    @classmethod
    def _all_hour_classes(cls, medians: dict[HourClass, float]) -> dict[HourClass, float]:
        # A partial mapping overrides some hour classes and keeps the defaults of the others.
        defaults = {HourClass.BUSINESS: 2.0, HourClass.OFF: 5.0, HourClass.SLEEP: 9.0}
        return {**defaults, **medians}

    skill_sharpness: Annotated[float, Field(gt=0.0, le=2.0)] = Field(
        0.2, description="Width of the ramp in P(can fix) = clamp(0.5 + (k - d) / width, 0, 1), "
        "and likewise P(will lead) with confidence c: certain when skill exceeds difficulty "
        "by half the width, never when it falls short by half the width."
    )
    knowledge_slowdown: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        2.0, description="Work time multiplier per unit of missing knowledge: "
        "time = expert time x (1 + slowdown x (1 - k))."
    )
    struggle_factor: Annotated[float, Field(ge=1.0, le=50.0)] = Field(
        3.0, description="Extra multiplier when nobody capable is reachable and the best "
        "person available works it anyway."
    )
    stuck_minutes: Minutes = Field(
        20.0, description="Mean minutes a responder who cannot fix it tries before escalating."
    )
    hesitation_minutes: Minutes = Field(
        5.0, description="Mean minutes a capable but unconfident responder spends before "
        "escalating or pulling the hero."
    )
    reroute_minutes: Minutes = Field(
        4.0, description="Minutes a misrouted page costs before it reaches the right person."
    )
    triage_minutes: Minutes = Field(
        5.0, description="Minutes a false page costs the person who acknowledges it."
    )
    consult_minutes: Minutes = Field(
        10.0, description="Minutes a consult costs the hero who answers it."
    )


class PracticeKind(str, Enum):
    """Ways a person practises a class; each has its own learning rate."""

    LEAD = "lead"  # led a live incident alone
    LEAD_WITH_BACKUP = "lead_with_backup"  # led a live incident with the hero as backup
    PAIR = "pair"  # worked a live incident beside the hero
    SHADOW = "shadow"  # was paged with the primary and watched
    DRILL = "drill"  # a game-day drill
    CHANGE = "change"  # led a deploy or rollback
    CONSULTED = "consulted"  # led a live incident after asking a hero (who answered)


class Rate(Model):
    """Gain per practice: knowledge += knowledge x (1 - knowledge), same for confidence."""

    knowledge: Unit
    confidence: Unit


def _default_rates() -> dict[PracticeKind, Rate]:
    # Leading alone teaches most and builds confidence most; backup a little less; pairing and
    # shadowing teach the steps more than the nerve; a drill sits between (safe, but real
    # hands on keyboard). Reasoning and sources: docs/model.md, "Skills change".
    return {
        PracticeKind.LEAD: Rate(knowledge=0.10, confidence=0.15),
        PracticeKind.LEAD_WITH_BACKUP: Rate(knowledge=0.08, confidence=0.10),
        PracticeKind.PAIR: Rate(knowledge=0.06, confidence=0.04),
        PracticeKind.SHADOW: Rate(knowledge=0.04, confidence=0.02),
        PracticeKind.DRILL: Rate(knowledge=0.06, confidence=0.08),
        PracticeKind.CHANGE: Rate(knowledge=0.03, confidence=0.04),
        # Asking the hero and then leading: the steps of leading, but the nerve is borrowed.
        PracticeKind.CONSULTED: Rate(knowledge=0.08, confidence=0.06),
    }


class Learning(Model):
    """How skills change with practice and fade with disuse."""

    rates: dict[PracticeKind, Rate] = Field(
        default_factory=_default_rates,
        description="Per practice kind, the share of the remaining gap to 1 closed by one "
        "practice, for knowledge and for confidence (diminishing returns).",
    )
    half_life_days: Annotated[float, Field(gt=0.0, le=3650.0)] = Field(
        270.0, description="Days of disuse after which half of a trained gain above the "
        "person's starting level is lost (skill-decay literature: 6-12 months)."
    )
    runbook_weight: Unit = Field(
        0.5, description="Share of the knowledge gap a complete, fresh runbook closes "
        "(knowledge only: a runbook does not give confidence)."
    )
    runbook_speedup: Unit = Field(
        0.3, description="Share of work time a complete, fresh runbook saves."
    )
    runbook_half_life_days: Annotated[float, Field(gt=0.0, le=3650.0)] = Field(
        180.0, description="Days after which an unrefreshed runbook is half as useful."
    )
    pairing_overhead: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.25, description="Extra hero time while pairing, as a share of the incident's work."
    )
    backup_share: Annotated[float, Field(ge=0.0, le=2.0)] = Field(
        0.3, description="Hero time spent backing up a learner who leads, as a share of the "
        "incident's work."
    )
    new_joiner_share: Unit = Field(
        0.3, description="A person who joins (an `events` join) starts with this share of the "
        "knowledge and confidence listed for them..."
    )
    ramp_weeks: Annotated[float, Field(gt=0.0, le=104.0)] = Field(
        12.0, description="...and reaches the listed skills over this many weeks of onboarding "
        "(practice adds to it as for anyone)."
    )

    @field_validator("rates")
    @classmethod
    def _all_kinds(cls, rates: dict[PracticeKind, Rate]) -> dict[PracticeKind, Rate]:
        return {**_default_rates(), **rates}


class Runbook(Model):
    """An existing runbook for a class."""

    class_id: Identifier = Field(alias="class", description="The class it covers.")
    coverage: Unit = Field(0.7, description="Share of the fix the runbook covers.")
    quality: Unit = Field(0.8, description="How right and clear it is when fresh.")
    written_day: int = Field(
        0, le=0, description="Day it was last written or refreshed (0 or negative: before "
        "the scenario starts)."
    )

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
