"""Capacity slots of every person, and the incidents waiting for someone able to take them.

A person has a number of slots (concurrent incidents). An incident that needs someone while
nobody suitable is free waits in one first-come, first-served queue. Whenever a person becomes
able to take work -- one of their slots frees, or they become available (a shift or an
availability window starts, they return from an absence, they wake, a pool layer comes into
force) -- they take the oldest waiting incident they are eligible for. Each waiting incident
says who is eligible (`Waiting.eligible`): a pool's members who have not tried it, the people
with an access, anyone who can work it once the policy is exhausted.

Availability changes are not events of their own: while incidents wait, the queue sets one
timer at the next moment a free person's availability changes (`Calendar.next_change`), so an
idle night costs nothing and a queue that waits for the morning shift is offered to it at once.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

import simpy
from simpy.events import Timeout

from sim.model.calendar import Calendar
from sim.model.incident import Incident


class Waiting:
    """An incident waiting for the first person able to take it.

    `eligible(person)` says whether `person`, free now, may take it; `give(person)` hands it
    over (the slot is already taken for them). `seq` orders the queue: a request that goes back
    to the queue keeps its place. `incident` is what waits (recorded unresolved if nobody ever
    takes it).
    """

    __slots__ = ("seq", "eligible", "give", "incident")

    def __init__(self, seq: int, eligible: Callable[[str], bool],
                 give: Callable[[str], None], incident: Incident):
        self.seq = seq
        self.eligible = eligible
        self.give = give
        self.incident = incident


class Slots:
    """Capacity slots of every person and the first-come, first-served queue of waiting work."""

    def __init__(self, env: simpy.Environment, capacity: dict[str, int], calendar: Calendar):
        self.env = env
        self.calendar = calendar
        self.people = list(capacity)
        self.free = dict(capacity)
        self.waiting: list[Waiting] = []
        self._seq = 0
        self._offers: deque[str] = deque()
        self._handing = False
        self._check_at = math.inf  # when the availability check is set for, if any
        self._changes: dict[str, float] = {}  # person -> next availability change (cached)

    def take(self, person: str) -> bool:
        """Take one of `person`'s slots if one is free."""
        if self.free[person] > 0:
            self.free[person] -= 1
            return True
        return False

    def take_any(self, candidates: tuple[str, ...]) -> str | None:
        """Take a free slot of the first candidate who has one; None if all are busy."""
        free = self.free
        for person in candidates:
            if free[person] > 0:
                free[person] -= 1
                return person
        return None

    def next_seq(self) -> int:
        """A place at the back of the queue (for a request about to wait)."""
        self._seq += 1
        return self._seq

    def wait(self, request: Waiting) -> None:
        """Queue `request` in its place; it is given the first eligible person who is able."""
        waiting = self.waiting
        i = len(waiting)
        while i > 0 and waiting[i - 1].seq > request.seq:
            i -= 1
        waiting.insert(i, request)
        self._watch()

    def release(self, person: str) -> None:
        """`person` frees a slot: it goes to the oldest waiting request they may take."""
        self.free[person] += 1
        self.offer(person)
        if self.waiting and self.free[person] > 0:
            self._watch()

    def offer(self, person: str) -> None:
        """Offer `person`'s free slots to the oldest requests they are eligible for.

        A request given a slot may free another one or offer someone else (a pool member who
        went away passes it on); those offers are made after it returns, by this loop, so a
        long queue never recurses.
        """
        self._offers.append(person)
        if self._handing:
            return
        self._handing = True
        try:
            while self._offers:
                offered = self._offers.popleft()
                while self.free[offered] > 0 and self._give_oldest(offered):
                    pass
        finally:
            self._handing = False

    def offer_everyone(self) -> None:
        """Offer every free person's slots (after a plan changed the rotation or the state)."""
        self._changes.clear()
        if not self.waiting:
            return
        for person in self.people:
            if self.free[person] > 0:
                self.offer(person)
        if self.waiting:
            self._watch()

    def _give_oldest(self, person: str) -> bool:
        for i, request in enumerate(self.waiting):
            if request.eligible(person):
                del self.waiting[i]
                self.free[person] -= 1
                request.give(person)
                return True
        return False

    def _watch(self) -> None:
        """While requests wait, set one timer for the next moment a free person's
        availability changes (they may then take one)."""
        now = self.env.now
        soonest = math.inf
        for person in self.people:
            if self.free[person] > 0:
                at = self._changes.get(person)
                if at is None or at <= now:
                    at = self._changes[person] = self.calendar.next_change(person, now)
                if at < soonest:
                    soonest = at
        if soonest < self._check_at:
            self._check_at = soonest
            Timeout(self.env, soonest - now, soonest).callbacks.append(self._check)

    def _check(self, event: simpy.Event) -> None:
        if event.value != self._check_at:
            return  # a sooner check replaced this one
        self._check_at = math.inf
        if not self.waiting:
            return
        for person in self.people:
            if self.free[person] > 0:
                self.offer(person)
        if self.waiting:
            self._watch()
