"""How the team responds and whether it learns (docs/history.md, "Calibration", steps 7-9).

- **Acknowledgement**: per hour class *of the person paged, in their own zone*, an exponential
  fitted to the time to first acknowledgement with right-censoring at the level's timeout (a
  page nobody acknowledged only says "longer").
- **Informal pull**: among the incidents the first person paged answered and handed on, the
  share that went to somebody never assigned (a responder request or a direct message).
- **Learning from incidents led alone**: the engine raises skills with practice, so a model
  with the default rates projects the heroes' load falling. The history says whether it did:
  the share of the team's incidents that needed a hero in the last third of the window against
  the first. Unless it fell (one-sided test, p < 0.05), learning from leading alone is set to
  0, so that `check` without a plan does not project an improvement the history contradicts.
  Plan-driven practice (pairing, backup, drills, shadowing) keeps its default rates.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from sim.analysis.calibrate.shared import (
    POLICY_TIMEOUT,
    TeamData,
    answered,
    handed_on,
    local_class,
    rounded,
)
from sim.analysis.document import Document
from sim.schema import Behaviour, HourClass

DEFAULT_TIMEOUT = POLICY_TIMEOUT
MIN_ACKS = 5
LEARNING_Z = 1.645  # one-sided p < 0.05


@dataclass
class Learning(Document):
    """Whether the heroes' share of the load fell over the window."""

    first_share: float | None
    last_share: float | None
    z: float
    fell: bool
    note: str


def ack_medians(team: TeamData) -> tuple[dict[str, float], dict[str, int], str]:
    """Median minutes to acknowledge by hour class (in each paged person's zone), the counts
    behind them, and the note."""
    acked: dict[HourClass, list[float]] = defaultdict(list)
    censored: Counter = Counter()
    for i in team.incidents:
        first = i.first_responder
        if first is None or i.minutes_to_ack is None:
            continue
        klass = local_class(i, team.zone_of(first))
        if first in i.acknowledged and i.minutes_to_ack < DEFAULT_TIMEOUT:
            acked[klass].append(i.minutes_to_ack)
        elif i.timeout_escalation_count > 0 or i.minutes_to_ack >= DEFAULT_TIMEOUT:
            censored[klass] += 1
    medians, counts, parts = {}, {}, []
    defaults = Behaviour().ack_median_minutes
    for h in HourClass:
        n = len(acked[h])
        counts[h.value] = n
        if n >= MIN_ACKS:
            exposure = sum(acked[h]) + censored[h] * DEFAULT_TIMEOUT
            medians[h.value] = rounded(min(math.log(2.0) * exposure / n, 240.0), 2)
            parts.append(f"{h.value} {n} acked + {censored[h]} timed out")
        else:
            medians[h.value] = defaults[h]
            parts.append(f"{h.value} default (n={n} < {MIN_ACKS})")
    note = (f"exponential fitted to the time to first ack, timeouts censored at "
            f"{DEFAULT_TIMEOUT:g} min, by the paged person's hour class in their own zone: "
            + ", ".join(parts))
    return medians, counts, note


def informal_pull(team: TeamData) -> tuple[float, str]:
    """The chance a responder who hands on messages someone directly rather than escalating:
    among the incidents the first person paged answered in time and then handed on, the
    share where the person brought in was never assigned; and the note."""
    handoffs = [i for i in team.incidents if answered(i) and handed_on(i)]
    informal = [i for i in handoffs
                if any(p not in i.assigned for p in set(i.touched) - {i.first_responder})]
    if not handoffs:
        return 0.0, "no hand-offs in the history"
    share = len(informal) / len(handoffs)
    return rounded(share, 3), (
        f"{len(informal)} of the {len(handoffs)} incidents the first person paged answered "
        "and handed on went to someone never assigned (a direct message or responder "
        "request), not up the escalation policy")


def learning_trend(team: TeamData, heroes: list[str]) -> Learning:
    """Did the share of incidents involving the heroes fall from the first third of the
    window to the last?"""
    if not heroes or not team.incidents:
        return Learning(None, None, 0.0, False, "no heroes: learning rates left at defaults")
    span = (team.end - team.start).total_seconds()
    first = [i for i in team.incidents if (i.created_at - team.start).total_seconds() < span / 3]
    last = [i for i in team.incidents
            if (i.created_at - team.start).total_seconds() >= 2 * span / 3]
    if len(first) < 20 or len(last) < 20:
        return Learning(None, None, 0.0, True, "too little history to tell whether the "
                        "heroes' share fell: learning rates left at defaults")
    hero = set(heroes)
    a = sum(bool(hero & set(i.touched)) for i in first)
    b = sum(bool(hero & set(i.touched)) for i in last)
    p1, p2 = a / len(first), b / len(last)
    pooled = (a + b) / (len(first) + len(last))
    se = math.sqrt(max(pooled * (1 - pooled) * (1 / len(first) + 1 / len(last)), 1e-12))
    z = (p1 - p2) / se
    fell = z >= LEARNING_Z
    what = (f"incidents involving the heroes: {p1:.0%} of {len(first)} in the window's first "
            f"third, {p2:.0%} of {len(last)} in its last (z = {z:.1f})")
    if fell:
        return Learning(p1, p2, z, True, what + ": the team learned; default learning rates")
    return Learning(p1, p2, z, False, what + ": no sign the team learned from the incidents it "
                    "led alone, so that rate is 0 (check would otherwise project a falling "
                    "hero load the history contradicts)")
