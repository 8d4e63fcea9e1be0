"""Immutable records appended while a replication runs; metrics are computed from them after.

Times are minutes from the scenario start. Records hold ids, not model objects, so they pickle
cheaply across processes and read the same in a notebook as in a CSV. They are NamedTuples:
immutable like frozen dataclasses, and about five times cheaper to build, which matters at a few
records per simulated incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import NamedTuple

from sim.schema import EscalationKind, HourClass, PracticeKind, Role, Severity


class InterruptionKind(str, Enum):
    """How a person was interrupted."""

    PAGE = "page"  # paged by the escalation policy for a real incident
    NOISE = "noise"  # paged by a false alert
    PULL = "pull"  # messaged directly, outside the policy (informal pull)
    BACKUP = "backup"  # asked to back up a learner who leads (a transfer plan)
    CONSULT = "consult"  # asked for advice by a responder who keeps the lead
    GATE = "gate"  # asked to review or approve a change that needs them


class Escalation(NamedTuple):
    """One hand-off of an incident: who to whom, why, when."""

    kind: EscalationKind
    from_person: str | None  # None: the policy itself moved on (timeout with nobody acking)
    to_person: str | None  # None: the page reached nobody at that level
    at: float


class IncidentRecord(NamedTuple):
    """Everything that happened to one real incident."""

    incident_id: int
    class_id: str
    service: str
    severity: Severity
    arrived: float
    acknowledged: float
    work_started: float
    mitigated: float
    acknowledged_by: str | None
    lead: str | None
    involved: tuple[tuple[str, Role], ...]
    escalations: tuple[Escalation, ...]
    hero_involved: bool
    hero_hour_class: HourClass | None  # the hero's local hour class at their first interruption
    slo_minutes: float
    struggled: bool

    @property
    def time_to_acknowledge(self) -> float:
        """Minutes from arrival to the first acknowledgement."""
        return self.acknowledged - self.arrived

    @property
    def time_to_mitigate(self) -> float:
        """Minutes from arrival to mitigation (to the horizon when never mitigated)."""
        return self.mitigated - self.arrived

    @property
    def slo_breached(self) -> bool:
        """Whether time to mitigate exceeded the class's SLO."""
        return self.time_to_mitigate > self.slo_minutes


class Interruption(NamedTuple):
    """A person was paged or pulled."""

    person: str
    at: float
    hour_class: HourClass
    kind: InterruptionKind
    incident_id: int | None  # None for a false page


class WorkSpan(NamedTuple):
    """A person held one of their capacity slots (or triaged a false page) from start to end."""

    person: str
    start: float
    end: float
    incident_id: int | None
    role: Role


class Practice(NamedTuple):
    """A person practised a class: skills moved at `at`."""

    person: str
    class_id: str
    kind: PracticeKind
    at: float


class PlanCost(NamedTuple):
    """Hours a plan action cost when it happened (beyond the live work it caused), or, with
    `skipped`, the occurrence that did not happen and why."""

    at: float
    action: int  # index in the plan's actions
    kind: str
    hero_hours: float
    learner_hours: float  # all learners together
    skipped: str | None = None  # "hero away", "over budget": it did not happen, cost nothing


class ChangeRecord(NamedTuple):
    """One change of a service: when it was meant to ship, when it did, how it went."""

    service: str
    change_id: int
    intended: float
    shipped: float | None  # None: still waiting when the run ended
    release: int | None  # the release (batch) it went out in
    batch_size: int
    leader: str | None
    backed_by: str | None  # a hero backing a learner up (a transfer plan)
    postponed: bool  # it waited for someone it `needs` at least once
    unsafe: bool  # shipped without anyone it `needs`
    needed_hero: bool  # its `needs` named a hero
    failed: bool
    rollback_incident: int | None


@dataclass(slots=True)
class RunRecords:
    """What one replication appended, plus the context needed to read it."""

    days: int
    without: tuple[str, ...]
    heroes: tuple[str, ...]
    incidents: list[IncidentRecord] = field(default_factory=list)
    interruptions: list[Interruption] = field(default_factory=list)
    work: list[WorkSpan] = field(default_factory=list)
    practice: list[Practice] = field(default_factory=list)
    changes: list[ChangeRecord] = field(default_factory=list)
    plan_costs: list[PlanCost] = field(default_factory=list)
    available_minutes: dict[str, float] = field(default_factory=dict)
    capacity: dict[str, int] = field(default_factory=dict)
