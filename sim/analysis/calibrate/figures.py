"""The figures a calibrated model is checked on, measured the same way on the real history and
on each simulated one (both imported from PagerDuty rows by the same importer).

Per class: incidents, time to resolve p50 and p90, escalation rate (the share handed on by the
first person paged), and the share of its hand-offs that reached the history's top escalation
target. Per person: their share of the team's handled incidents. For the team: the top
handler's share, the escalation rate, the heroes' interruptions per week (incidents involving
a hero), and the median time to acknowledge by hour class (in the paged person's zone).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from sim.analysis.calibrate.shared import handed_on, local_class
from sim.analysis.stats import quantile
from sim.inputs.history import HistoryIncident

Key = tuple[str, str]  # (figure, subject)


def measure(incidents: list[HistoryIncident], weeks: float, class_of: Callable[[str], str],
            zone_of: Callable[[str], ZoneInfo], heroes: list[str],
            reference: dict[str, str] | None = None) -> dict[Key, float | None]:
    """Every figure of a team's incidents over `weeks` weeks.

    Args:
        incidents: the team's handled or open incidents (auto-resolved left out).
        weeks: the span they cover.
        class_of: history class -> the class reported (severity variants merge back).
        zone_of: a person's zone.
        heroes: the heroes (their interruptions per week).
        reference: whose shares to report, by figure subject (the history's top handler and
            top escalation targets), so that a simulation reports the same people's shares.
    """
    reference = reference or {}
    out: dict[Key, float | None] = {}
    by: dict[str, list[HistoryIncident]] = defaultdict(list)
    for i in incidents:
        by[class_of(i.class_id)].append(i)
    for c, items in by.items():
        ttr = [i.minutes_to_resolve for i in items if i.minutes_to_resolve is not None]
        out[("incidents", c)] = float(len(items))
        out[("ttr_p50", c)] = quantile(ttr, 0.5)
        out[("ttr_p90", c)] = quantile(ttr, 0.9)
        handed = [i for i in items if handed_on(i)]
        out[("escalation_rate", c)] = len(handed) / len(items)
        target = reference.get(f"target:{c}") or _top_target(handed)
        if target is not None and handed:
            out[("top_target_share", c)] = sum(
                target in set(i.touched) - {i.first_responder} for i in handed) / len(handed)
    handled = Counter(i.handler for i in incidents if i.handler)
    total = sum(handled.values())
    for person, n in handled.items():
        out[("handling_share", person)] = n / total
    top = reference.get("top_handler") or (handled.most_common(1)[0][0] if handled else None)
    if top is not None and total:
        out[("top_handler_share", "team")] = handled.get(top, 0) / total
    if incidents:
        out[("escalation_rate", "team")] = sum(handed_on(i) for i in incidents) / len(incidents)
    if heroes:
        hero = set(heroes)
        out[("hero_interruptions_per_week", "team")] = sum(
            bool(hero & set(i.touched)) for i in incidents) / max(weeks, 1e-9)
    acks: dict[str, list[float]] = defaultdict(list)
    for i in incidents:
        if i.first_responder and i.minutes_to_ack is not None:
            acks[local_class(i, zone_of(i.first_responder)).value].append(i.minutes_to_ack)
    for klass, values in acks.items():
        out[("ack_p50", klass)] = quantile(values, 0.5)
    return out


def references(incidents: list[HistoryIncident], class_of: Callable[[str], str]
               ) -> dict[str, str]:
    """The people whose shares are compared: the top handler and each class's top target."""
    out = {}
    handled = Counter(i.handler for i in incidents if i.handler)
    if handled:
        out["top_handler"] = handled.most_common(1)[0][0]
    by: dict[str, list[HistoryIncident]] = defaultdict(list)
    for i in incidents:
        if handed_on(i):
            by[class_of(i.class_id)].append(i)
    for c, handed in by.items():
        target = _top_target(handed)
        if target is not None:
            out[f"target:{c}"] = target
    return out


def _top_target(handed: list[HistoryIncident]) -> str | None:
    counts = Counter(p for i in handed for p in set(i.touched) - {i.first_responder})
    return min(counts, key=lambda p: (-counts[p], p)) if counts else None
