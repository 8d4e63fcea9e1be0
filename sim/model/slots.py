"""Capacity slots of every person, and the queue of incidents waiting for them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

import simpy


class Slots:
    """Capacity slots of every person: a request names candidates and waits FIFO for one.

    Freed slots go to the oldest waiting request that accepts that person, so a pool of
    candidates behaves as an M/M/c queue and a single named person as a queue in front of them.
    A waiting request is either a SimPy event (for a process) or a callback (for the common path
    of an incident, which runs on callbacks); either way it gets the slot at the moment it is
    freed.
    """

    def __init__(self, env: simpy.Environment, capacity: dict[str, int]):
        self.env = env
        self.free = dict(capacity)
        self.waiting: list[tuple[tuple[str, ...], Callable[[str], object]]] = []
        self._freed: deque[str] = deque()
        self._handing = False

    def take(self, candidates: tuple[str, ...]) -> str | None:
        """Take a free slot of the first candidate who has one, at once; None if all are busy.

        A free slot means nobody is waiting for that person, so taking it skips no queue.
        """
        free = self.free
        for person in candidates:
            if free[person] > 0:
                free[person] -= 1
                return person
        return None

    def wait(self, candidates: tuple[str, ...]) -> simpy.Event:
        """Queue for the first slot any candidate frees; the event's value is the person."""
        event = self.env.event()
        self.waiting.append((candidates, event.succeed))
        return event

    def on_free(self, candidates: tuple[str, ...], callback: Callable[[str], object]) -> None:
        """Queue `callback(person)` for the first slot any candidate frees."""
        self.waiting.append((candidates, callback))

    def release(self, person: str) -> None:
        """`person` frees a slot: it goes to the oldest request that accepts them.

        A callback given a slot may free another one (someone gone away passes it on); that
        slot is handed on after it returns, by this loop, so a long queue never recurses.
        """
        self._freed.append(person)
        if self._handing:
            return
        self._handing = True
        try:
            while self._freed:
                freed = self._freed.popleft()
                for i, (candidates, give) in enumerate(self.waiting):
                    if freed in candidates:
                        del self.waiting[i]
                        give(freed)
                        break
                else:
                    self.free[freed] += 1
        finally:
            self._handing = False
