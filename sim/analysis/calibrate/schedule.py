"""The on-call rotation from who was paged: the schedule whose shifts best predict it."""

from __future__ import annotations

from collections import Counter, defaultdict

from sim.schema import MINUTES_PER_DAY


def fit_schedule(pairs: list[tuple[float, str]]) -> tuple[dict | None, int]:
    """The schedule (period 7, 14 or 1 days, hand-off hour, member order, offset) whose
    shifts best predict who was paged at each minute; (None, 0) without data."""
    if not pairs:
        return None, 0
    best = None
    for period in (7, 14, 1):
        for hour in range(24):
            shifts: dict[int, Counter] = defaultdict(Counter)
            for at, person in pairs:
                shifts[int((at - hour * 60) // (period * MINUTES_PER_DAY))][person] += 1
            agree = sum(c.most_common(1)[0][1] for c in shifts.values())
            if best is None or agree > best[0]:
                best = (agree, period, hour, shifts)
    if best is None:
        return None, 0
    agree, period, hour, shifts = best
    order = [shifts[s].most_common(1)[0][0] for s in sorted(shifts)]
    members = list(dict.fromkeys(order))
    offset = (members.index(order[0]) - min(shifts)) % len(members)
    return {"members": members, "period_days": period, "handoff_hour": hour,
            "offset": offset}, agree


def ids_in(schedule: dict, ids: dict[str, str]) -> dict:
    """The schedule with its members renamed through `ids`."""
    return {**schedule, "members": [ids[m] for m in schedule["members"]]}
