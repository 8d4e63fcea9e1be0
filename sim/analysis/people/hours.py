"""A person's time by kind, from one replication's records: work spans by role, the pairing
overhead of a hero's own work, and the hours a plan charged them.

The kinds (`KINDS`) and the role each span is counted under:

    rescue     led or stuck spans: working incidents (for a hero, the rescues)
    backup     backup spans: backing up a learner who leads an incident or a change
    consult    consult spans: answering a responder who keeps the lead
    review     review spans: gating a release that needs them
    transfer   transfer spans (drills, runbook writing and refreshing); the plan's charges
               that have no span (a condition fix, access, an arrangement); the pairing
               overhead of a hero leading with a learner beside them (o / (1 + o) of the
               span, o = learning.pairing_overhead); a learner's paired and shadow spans
    triage     false pages (an acknowledged span with no incident)

Spans are cut at bin edges (weeks, or a replay's window), so a long incident counts in every
week it ran. A plan charge is counted at its minute, for the person the action names (a
drill's `hero`, a runbook's `author`) or the scenario's first hero; a charge that did not
happen (`skipped`) counts nothing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

import numpy as np

from sim.model.records import PlanCost, RunRecords
from sim.schema import MINUTES_PER_WEEK, Person, Plan, Role

KINDS = ("rescue", "backup", "consult", "review", "transfer", "triage")
# The columns of an hours table: the kinds, and the plan's charges that have no span (part of
# `transfer` when shown; apart because the weekly budget does not pay for them).
COLUMNS = (*KINDS, "charges")
KIND_INDEX = {kind: i for i, kind in enumerate(COLUMNS)}
ROLE_KIND = {
    Role.LED: "rescue", Role.STUCK: "rescue", Role.BACKUP: "backup", Role.CONSULT: "consult",
    Role.REVIEW: "review", Role.TRANSFER: "transfer", Role.PAIRED: "transfer",
    Role.SHADOW: "transfer",
}
# Plan charges the engine also records as transfer spans (the time placed on the calendar, for
# whoever spent it): counted from the spans, never from the charge.
SPANNED_CHARGES = frozenset({"drill", "runbook", "runbook_refresh"})
# What a person's weekly transfer budget pays for (as the engine spends it): drills, runbook
# writing, pairing and backing up; not the plan's other charges (a condition fix, access).
BUDGET_KINDS = ("transfer", "backup")


def weekly_capacity(person: Person) -> float:
    """Hours a week left for operations, transfer and improvement: working hours a week x
    (1 - project_share)."""
    hours = person.working_hours
    return (hours.end - hours.start) * len(hours.days) * (1.0 - person.project_share)


def week_edges(weeks: int) -> list[float]:
    """Bin edges (minutes) of weeks 0..weeks-1."""
    return [w * MINUTES_PER_WEEK for w in range(weeks + 1)]


def charged_person(cost: PlanCost, plan: Plan | None, heroes: Sequence[str]) -> str | None:
    """Who a plan charge is for: the action's `hero` or `author`, else the first hero."""
    if plan is not None and 0 <= cost.action < len(plan.actions):
        action = plan.actions[cost.action]
        named = getattr(action, "hero", None) or getattr(action, "author", None)
        if named:
            return named
    return heroes[0] if heroes else None


def hours_table(records: RunRecords, people: Sequence[str], edges: Sequence[float],
                pairing_overhead: float, plan: Plan | None = None,
                leave_out: set[int] | frozenset[int] = frozenset()) -> dict[str, np.ndarray]:
    """Each person's hours by kind in each bin between `edges` (minutes, ascending).

    Args:
        records: one replication's records.
        people: whose hours.
        edges: bin edges in minutes.
        pairing_overhead: `learning.pairing_overhead` (the share a learner adds to a hero's
            work).
        plan: the plan the run followed (whom its charges are for).
        leave_out: incident ids whose spans are not counted (a window's probes).

    Returns:
        person -> array (bins x len(COLUMNS)) of hours.
    """
    bins = len(edges) - 1
    edges = [float(e) for e in edges]
    # Rows of Python floats while adding (a span at a time), arrays at the end: the same sums
    # in the same order, without numpy's cost per scalar.
    table = {p: [[0.0] * len(COLUMNS) for _ in range(bins)] for p in people}
    paired = {s.incident_id: s.person for s in records.work if s.role is Role.PAIRED}
    stretch = pairing_overhead / (1.0 + pairing_overhead)
    for span in records.work:
        row = table.get(span.person)
        if row is None or (span.incident_id is not None and span.incident_id in leave_out):
            continue
        if span.role is Role.ACKNOWLEDGED:
            kind = "triage" if span.incident_id is None else "rescue"
        else:
            kind = ROLE_KIND.get(span.role)
            if kind is None:
                continue
        if kind == "rescue" and span.role is Role.LED and span.incident_id in paired \
                and paired[span.incident_id] != span.person:
            _add(row, edges, span.start, span.end, KIND_INDEX["rescue"], 1.0 - stretch)
            _add(row, edges, span.start, span.end, KIND_INDEX["transfer"], stretch)
            continue
        _add(row, edges, span.start, span.end, KIND_INDEX[kind], 1.0)
    heroes = records.heroes
    charges = KIND_INDEX["charges"]
    for cost in records.plan_costs:
        if cost.skipped or cost.hero_hours <= 0 or cost.kind in SPANNED_CHARGES:
            continue
        row = table.get(charged_person(cost, plan, heroes) or "")
        if row is None:
            continue
        b = bisect_right(edges, cost.at) - 1
        if 0 <= b < bins:
            row[b][charges] += cost.hero_hours
    return {p: np.array(rows, dtype=float).reshape(bins, len(COLUMNS))
            for p, rows in table.items()}


def _add(row: list[list[float]], edges: list[float], start: float, end: float, kind: int,
         weight: float) -> None:
    """Add the span's hours (x weight) to each bin it overlaps."""
    if end <= start:
        return
    first = max(0, bisect_right(edges, start) - 1)
    for b in range(first, len(edges) - 1):
        low, high = edges[b], edges[b + 1]
        if low >= end:
            break
        overlap = min(end, high) - max(start, low)
        if overlap > 0:
            row[b][kind] += weight * overlap / 60.0


def as_kinds(values: Sequence[float]) -> dict[str, float]:
    """Hours by kind (a row in COLUMNS order) as the `HoursByKind` dict with its total; the
    plan's charges count as transfer."""
    out = {kind: float(v) for kind, v in zip(KINDS, values)}
    if len(values) > len(KINDS):
        out["transfer"] += float(values[KIND_INDEX["charges"]])
    out["total"] = float(sum(values))
    return out


def budget_used(values: Sequence[float]) -> float:
    """Hours the weekly transfer budget pays for (transfer spans and pairing overhead, and
    backup; not the plan's other charges) of a COLUMNS row."""
    return float(sum(values[KIND_INDEX[k]] for k in BUDGET_KINDS))
