"""The state of one incident while it is worked, and the bookkeeping of its hand-offs."""

from __future__ import annotations

import math

import numpy as np

from sim.model.arrivals import DRAWS_PER_INCIDENT, Arrival
from sim.model.records import Escalation
from sim.schema import EscalationKind, HourClass, IncidentClass, Role

# Records on the hot path are built with tuple.__new__: the same NamedTuple, without the cost
# of its Python-level __new__ (about half of building one).
_new = tuple.__new__


class Incident:
    """The mutable state of one incident while it is worked.

    It consumes its own row of decision draws in order (`draw`); a rare long escalation chain
    that uses them all continues on the replication's shared EXTRA stream.
    """

    __slots__ = (
        "arrival", "cls", "draws", "cursor", "end", "extra", "acknowledged", "acknowledged_by",
        "involved", "escalations", "tried", "hero_hour_class", "touched", "backup", "pending",
        "shadowed", "queue_seq", "consulted",
    )

    def __init__(self, arrival: Arrival, cls: IncidentClass, draws: list[float], base: int,
                 extra: np.random.Generator):
        self.arrival = arrival
        self.cls = cls
        self.draws = draws  # the replication's flat list of decision draws
        self.cursor = base  # this incident's next draw; its own run ends at base + DRAWS
        self.end = base + DRAWS_PER_INCIDENT
        self.extra = extra
        self.acknowledged: float | None = None
        self.acknowledged_by: str | None = None
        self.involved: list[tuple[str, Role]] = []
        self.escalations: list[Escalation] = []
        self.tried: set[str] = set()
        self.hero_hour_class: HourClass | None = None
        self.touched: set[str] = set()
        self.backup: str | None = None  # the hero backing a learner up (a transfer plan)
        self.pending: list[int] = []  # escalations whose target is whoever acknowledges next
        self.shadowed = False  # a shadow joined (they are in `involved`)
        self.queue_seq = 0  # its place in the queue of waiting work, once it has waited
        self.consulted = False  # its lead asked a hero for advice first

    def draw(self) -> float:
        """The incident's next uniform decision draw."""
        cursor = self.cursor
        if cursor < self.end:
            self.cursor = cursor + 1
            return self.draws[cursor]
        return float(self.extra.random())

    def exponential(self, mean: float) -> float:
        """An exponential duration with `mean`, from the next draw."""
        return -mean * math.log(1.0 - self.draw())

    def acknowledge(self, person: str, now: float) -> None:
        """`person` took the incident at `now`: the first to do so acknowledged it, and they
        are the target of the hand-offs still waiting for one."""
        if self.acknowledged is None:
            self.acknowledged = now
            self.acknowledged_by = person
        if self.pending:
            for index in self.pending:
                self.escalations[index] = self.escalations[index]._replace(to_person=person)
            self.pending.clear()

    def escalate(self, kind: EscalationKind, source: str | None, targets: list[str],
                 now: float) -> None:
        """Record a hand-off to the next policy level; when that level pages several people,
        its target is whoever acknowledges next (filled in by `acknowledge`)."""
        to = targets[0] if len(targets) == 1 else None
        self.escalations.append(_new(Escalation, (kind, source, to, now)))
        if to is None and targets:
            self.pending.append(len(self.escalations) - 1)

    def hand_to(self, kind: EscalationKind, source: str | None, person: str | None,
                now: float) -> None:
        """Record a hand-off to a named person (a hero pulled or backing up, someone with the
        access)."""
        self.escalations.append(Escalation(kind, source, person, now))
