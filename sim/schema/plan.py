"""Transfer plans: dated actions on the scenario's calendar (docs/plans.md)."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from sim.schema.base import Identifier, Model, Unit
from sim.schema.team import Layers


class _Action(Model):
    """Fields every plan action shares."""

    start_day: Annotated[int, Field(ge=0, le=3660)] = Field(0, description="First day in force.")
    end_day: Annotated[int, Field(ge=0, le=3660)] | None = Field(
        None, description="Last day in force (inclusive); default: to the end."
    )
    hero_hours: Annotated[float, Field(ge=0.0, le=10_000.0)] | None = Field(
        None, description="Hero hours this action costs (per occurrence for drills and "
        "refreshes); default per kind, see docs/plans.md. Live practice is also measured."
    )
    learner_hours: Annotated[float, Field(ge=0.0, le=10_000.0)] | None = Field(
        None, description="Hours each learner spends (per occurrence where it repeats)."
    )
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self):
        if self.end_day is not None and self.end_day < self.start_day:
            raise PydanticCustomError(
                "action_order", "end_day ({end}) is before start_day ({start})",
                {"end": self.end_day, "start": self.start_day},
            )
        return self


class PairAction(_Action):
    """Learners pair with the hero on live incidents of the classes the hero leads."""

    kind: Literal["pair"]
    learners: list[Identifier] = Field(min_length=1)
    classes: list[Identifier] = Field(min_length=1)


class LeadWithBackupAction(_Action):
    """A learner who acknowledges an incident of the classes leads it, the hero backing up."""

    kind: Literal["lead_with_backup"]
    learners: list[Identifier] = Field(min_length=1)
    classes: list[Identifier] = Field(min_length=1)


class ShadowAction(_Action):
    """Add a shadow layer to the rotation: learners paged with the primary."""

    kind: Literal["add_shadow"]
    schedule: Layers


class RotationAction(_Action):
    """Change the rotation (e.g. the hero moves from primary to secondary)."""

    kind: Literal["change_rotation"]
    primary: Layers | None = None
    secondary: Layers | None = None

    @model_validator(mode="after")
    def _something(self):
        if self.primary is None and self.secondary is None:
            raise PydanticCustomError(
                "rotation_empty", "change_rotation needs a new primary, secondary or both"
            )
        return self


class RunbookAction(_Action):
    """Write (or rewrite) a runbook; optionally refresh it every N days."""

    kind: Literal["runbook"]
    classes: list[Identifier] = Field(min_length=1)
    author: Identifier | None = Field(
        None, description="Who writes it (default: the scenario's first hero); written on the "
        "first day they are present, on or after start_day.")
    coverage: Unit = 0.7
    quality: Unit = 0.8
    refresh_every_days: Annotated[int, Field(ge=1, le=3660)] | None = None


class DrillAction(_Action):
    """Game-day drills: every N days the learners practise the classes."""

    kind: Literal["drill"]
    learners: list[Identifier] = Field(min_length=1)
    classes: list[Identifier] = Field(min_length=1)
    every_days: Annotated[int, Field(ge=1, le=3660)] = 28
    hero: Identifier | None = Field(
        None, description="Who runs the drill (default: the scenario's first hero).")
    if_hero_away: Literal["skip", "without_hero"] = Field(
        "skip", description="On a day the hero is away: skip the drill (default), or hold it "
        "without them (the learners practise; no hero time).")


class StopPullsAction(_Action):
    """The hero stops answering direct messages for the classes (empty: every class)."""

    kind: Literal["stop_informal_pulls"]
    classes: list[Identifier] = Field(default_factory=list)


class ConditionName(str, Enum):
    """A condition a `fix_condition` action can change."""

    ALERT_NOISE = "alert_noise"
    ROUTING_AMBIGUITY = "routing_ambiguity"
    OBSERVABILITY = "observability"
    INFORMAL_PULL = "informal_pull"
    # Per service: its change-failure rate (with the people its changes need present).
    RELEASE_FRAGILITY = "release_fragility"
    # Per class: the chance its page first lands on the wrong person (0: a clear owner).
    OWNERSHIP = "ownership"


# The conditions that act on named services or classes, and the field that names them.
TARGETED_CONDITIONS = {ConditionName.RELEASE_FRAGILITY: "services",
                       ConditionName.OWNERSHIP: "classes"}


class FixConditionAction(_Action):
    """Fix a condition that keeps summoning the hero: set it to a new value.

    `release_fragility` sets the change-failure rate of the `services` (fewer failed changes,
    fewer rollbacks); `ownership` makes the owner of the `classes` clear: their pages first
    land on the wrong person with chance `value` (0: never), whatever the team-wide
    routing ambiguity.
    """

    kind: Literal["fix_condition"]
    condition: ConditionName
    value: Annotated[float, Field(ge=0.0, le=100.0)]
    services: list[Identifier] = Field(
        default_factory=list, description="release_fragility: the services it acts on.")
    classes: list[Identifier] = Field(
        default_factory=list, description="ownership: the classes whose owner it makes clear.")

    @model_validator(mode="after")
    def _in_range(self):
        if self.condition is ConditionName.OBSERVABILITY and not 0.1 <= self.value <= 10:
            raise PydanticCustomError(
                "observability_range", "observability must be within 0.1..10, got {v}",
                {"v": self.value},
            )
        if self.condition not in (ConditionName.ALERT_NOISE, ConditionName.OBSERVABILITY) \
                and self.value > 1:
            raise PydanticCustomError(
                "chance_range", "{c} is a chance within 0..1, got {v}",
                {"c": self.condition.value, "v": self.value},
            )
        for condition, name in TARGETED_CONDITIONS.items():
            if self.condition is condition and not getattr(self, name):
                raise PydanticCustomError(
                    "condition_target", "{c} acts on named {n}: list them in `{n}`",
                    {"c": condition.value, "n": name})
        named = [n for n in ("services", "classes") if getattr(self, n)
                 and TARGETED_CONDITIONS.get(self.condition) != n]
        if named:
            raise PydanticCustomError(
                "condition_target", "{c} is team-wide: leave out `{n}` (only "
                "release_fragility takes services, only ownership takes classes)",
                {"c": self.condition.value, "n": named[0]})
        return self


class LeadChangesAction(_Action):
    """Learners lead the services' changes with the hero present as backup."""

    kind: Literal["lead_changes_with_backup"]
    learners: list[Identifier] = Field(min_length=1)
    services: list[Identifier] = Field(min_length=1)


class RemoveNeedsAction(_Action):
    """Remove the `needs` gate of the services' changes from the start day."""

    kind: Literal["remove_needs"]
    services: list[Identifier] = Field(min_length=1)


class RemoveRequiresAction(_Action):
    """Remove a hard dependency: the classes no longer need these people (empty: anyone)."""

    kind: Literal["remove_requires"]
    classes: list[Identifier] = Field(min_length=1)
    people: list[Identifier] = Field(default_factory=list)


PlanAction = Annotated[
    PairAction | LeadWithBackupAction | ShadowAction | RotationAction | RunbookAction
    | DrillAction | StopPullsAction | FixConditionAction | RemoveRequiresAction
    | LeadChangesAction | RemoveNeedsAction,
    Field(discriminator="kind"),
]


class Plan(Model):
    """A capability-transfer plan: dated actions on the scenario's calendar."""

    name: Identifier
    description: str = ""
    actions: list[PlanAction] = Field(default_factory=list)
