"""The skill state of a team and how it changes: practice, forgetting, runbooks.

Knowledge `k` (what a person can do alone) and confidence `c` (how readily they lead) live per
person and class in 0..1. Practice closes a share of the gap to 1 (diminishing returns), at a
rate that depends on the kind of practice. Disuse lets the gain above the person's starting
level (their floor) fade exponentially with a half-life. Decay is applied lazily, when a skill is
read or practised, which is exact for exponential decay and costs nothing for skills nobody
touches. A runbook raises effective knowledge (never confidence) and goes stale unless refreshed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from sim.schema import MINUTES_PER_DAY, Learning, Rate, Scenario


def ramp(margin: float, width: float) -> float:
    """Chance of success when skill exceeds difficulty by `margin`: a clamped linear ramp.

    0.5 at margin 0, certain at margin >= width / 2, impossible at margin <= -width / 2. A ramp
    rather than a logistic so that clearly capable people are exactly certain, which keeps the
    model reducible to a textbook queue.
    """
    p = 0.5 + margin / width
    return 0.0 if p < 0.0 else 1.0 if p > 1.0 else p


def decayed(value: float, floor: float, elapsed: float, half_life: float | None) -> float:
    """`value` after `elapsed` minutes of disuse, fading toward `floor` with `half_life`."""
    if half_life is None or elapsed <= 0 or value <= floor:
        return value
    return floor + (value - floor) * 0.5 ** (elapsed / half_life)


class SkillBook:
    """Knowledge and confidence per (person, class), with practice and decay.

    A book with `half_life` None is frozen in time: it never decays (used for checkpoint
    replays, where the skill state is held fixed).
    """

    __slots__ = ("_table", "_floor", "half_life")

    def __init__(
        self,
        table: dict[str, dict[str, list[float]]],
        floor: dict[str, dict[str, tuple[float, float]]] | None = None,
        half_life: float | None = None,
    ):
        # table[person][class] = [knowledge, confidence, minute of last update]
        self._table = table
        self._floor = floor if floor is not None else {
            p: {c: (v[0], v[1]) for c, v in row.items()} for p, row in table.items()
        }
        self.half_life = half_life

    @classmethod
    def from_scenario(cls, scenario: Scenario, dynamic: bool = False) -> SkillBook:
        """The scenario's skills; `dynamic` makes unused gains decay per `scenario.learning`."""
        table = {
            p.id: {c.id: [*p.skill(c.id), 0.0] for c in scenario.classes}
            for p in scenario.people
        }
        half_life = scenario.learning.half_life_days * MINUTES_PER_DAY if dynamic else None
        return cls(table, half_life=half_life)

    def get(self, person: str, class_id: str, t: float = 0.0) -> tuple[float, float]:
        """Knowledge and confidence of `person` for `class_id` at minute `t`."""
        k, c, last = self._table[person][class_id]
        if self.half_life is None or t <= last:
            return k, c
        floor_k, floor_c = self._floor[person][class_id]
        elapsed = t - last
        return (decayed(k, floor_k, elapsed, self.half_life),
                decayed(c, floor_c, elapsed, self.half_life))

    def practise(self, person: str, class_id: str, t: float, rate: Rate) -> None:
        """One practice at minute `t`: decay to `t`, then close part of the gap to 1."""
        k, c = self.get(person, class_id, t)
        self._table[person][class_id] = [
            k + rate.knowledge * (1.0 - k), c + rate.confidence * (1.0 - c), t
        ]

    def set(self, person: str, class_id: str, knowledge: float, confidence: float,
            t: float = 0.0) -> None:
        """Set `person`'s knowledge and confidence in `class_id` as of `t`."""
        self._table[person][class_id] = [knowledge, confidence, t]

    def frozen(self, t: float) -> SkillBook:
        """A copy holding the skills as they are at `t`, that no longer decays."""
        table = {
            p: {c: [*self.get(p, c, t), t] for c in row} for p, row in self._table.items()
        }
        return SkillBook(table, self._floor, half_life=None)

    def copy(self) -> SkillBook:
        """An independent copy (a replication mutates its own when it learns)."""
        return SkillBook(copy.deepcopy(self._table), self._floor, self.half_life)

    def people(self) -> list[str]:
        """Everyone with skills in the book."""
        return list(self._table)

    def as_dict(self, t: float = 0.0) -> dict[str, dict[str, dict[str, float]]]:
        """{person: {class: {knowledge, confidence}}} at minute `t`."""
        out: dict[str, dict[str, dict[str, float]]] = {}
        for p, row in self._table.items():
            out[p] = {}
            for c in row:
                k, conf = self.get(p, c, t)
                out[p][c] = {"knowledge": k, "confidence": conf}
        return out


@dataclass(slots=True)
class RunbookState:
    """One class's runbook: how much it covers, how good it is, when last written."""

    coverage: float
    quality: float
    written: float  # minute of the last write or refresh


class Runbooks:
    """The team's runbooks: what each adds to knowledge and saves in work time, as it ages."""

    # `any`: whether there is a runbook at all; the engine skips the arithmetic when not.
    __slots__ = ("_learning", "_books", "weight", "speedup", "half_life", "any")

    def __init__(self, learning: Learning, books: dict[str, RunbookState] | None = None):
        self._learning = learning
        self._books = books or {}
        self.any = bool(self._books)
        self.weight = learning.runbook_weight
        self.speedup = learning.runbook_speedup
        self.half_life = learning.runbook_half_life_days * MINUTES_PER_DAY

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Runbooks:
        """The runbooks a scenario starts with."""
        return cls(scenario.learning, {
            r.class_id: RunbookState(r.coverage, r.quality, r.written_day * MINUTES_PER_DAY)
            for r in scenario.runbooks
        })

    def write(self, class_id: str, coverage: float, quality: float, t: float) -> None:
        """Write (or rewrite) the runbook of `class_id` at `t`."""
        self._books[class_id] = RunbookState(coverage, quality, t)
        self.any = True

    def refresh(self, class_id: str, t: float) -> None:
        """Refresh the runbook of `class_id` at `t`: it is as fresh as when written."""
        book = self._books.get(class_id)
        if book is not None:
            book.written = t

    def strength(self, class_id: str, t: float) -> float:
        """coverage x quality x freshness, 0 without a runbook."""
        book = self._books.get(class_id)
        if book is None:
            return 0.0
        freshness = 0.5 ** (max(0.0, t - book.written) / self.half_life)
        return book.coverage * book.quality * freshness

    def knowledge(self, k: float, class_id: str, t: float) -> float:
        """Effective knowledge with the runbook at hand: part of the gap to 1 is closed."""
        if not self._books:
            return k
        return k + (1.0 - k) * self.weight * self.strength(class_id, t)

    def work_factor(self, class_id: str, t: float) -> float:
        """Multiplier on work time (1 without a runbook)."""
        if not self._books:
            return 1.0
        return 1.0 - self.speedup * self.strength(class_id, t)

    def frozen(self, t: float) -> Runbooks:
        """A copy whose runbooks stay as they are at `t` (their age is kept, not advanced)."""
        books = {c: RunbookState(b.coverage, b.quality * 0.5 ** (max(0.0, t - b.written)
                                                                  / self.half_life), 0.0)
                 for c, b in self._books.items()}
        frozen = Runbooks(self._learning, books)
        frozen.half_life = float("inf")
        return frozen

    def as_dict(self, t: float) -> dict[str, float]:
        """Each class's runbook strength at `t`, for reports."""
        return {c: self.strength(c, t) for c in self._books}
