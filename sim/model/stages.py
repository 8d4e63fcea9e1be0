"""What one stage of an incident's life needs from another, as typed interfaces.

Paging hands an acknowledged incident to the response, which may hand it back to paging (the
next level of the policy). Paging depends on this interface rather than on the response's
class, so neither module imports the other both ways.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Protocol

from sim.model.incident import Incident


class Responding(Protocol):
    """The response stage, as paging sees it."""

    def size_up(self, inc: Incident, person: str, level: int, holding: bool) -> None:
        """`person` acknowledged `inc` at policy position `level` (holding one of their
        slots already when `holding`): they lead it, or they hand it on."""

    def fall_back(self, inc: Incident) -> Generator:
        """The policy is exhausted: the best person present works `inc` (a SimPy process)."""
