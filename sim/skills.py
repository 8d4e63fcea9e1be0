"""The skill state of a team: knowledge and confidence per person and class.

The engine reads it on every size-up; transfer plans and practice change it between and during
runs. It is a plain mutable mapping so that a checkpoint can be copied and frozen cheaply.
"""

from __future__ import annotations

import copy

from sim.schema import Scenario


def ramp(margin: float, width: float) -> float:
    """Chance of success when skill exceeds difficulty by `margin`: a clamped linear ramp.

    0.5 at margin 0, certain at margin >= width / 2, impossible at margin <= -width / 2. A ramp
    rather than a logistic so that clearly capable people are exactly certain, which keeps the
    model reducible to a textbook queue.
    """
    p = 0.5 + margin / width
    return 0.0 if p < 0.0 else 1.0 if p > 1.0 else p


class SkillBook:
    """Knowledge and confidence per (person, class), starting from the scenario."""

    __slots__ = ("_table",)

    def __init__(self, table: dict[str, dict[str, list[float]]]):
        self._table = table

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> SkillBook:
        table = {
            p.id: {c.id: list(p.skill(c.id)) for c in scenario.classes} for p in scenario.people
        }
        return cls(table)

    def get(self, person: str, class_id: str) -> tuple[float, float]:
        """Knowledge and confidence of `person` for `class_id`."""
        k, c = self._table[person][class_id]
        return k, c

    def set(self, person: str, class_id: str, knowledge: float, confidence: float) -> None:
        self._table[person][class_id] = [knowledge, confidence]

    def copy(self) -> SkillBook:
        return SkillBook(copy.deepcopy(self._table))

    def as_dict(self) -> dict[str, dict[str, dict[str, float]]]:
        return {
            p: {c: {"knowledge": kc[0], "confidence": kc[1]} for c, kc in row.items()}
            for p, row in self._table.items()
        }
