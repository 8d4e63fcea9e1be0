"""The fit check: is the team simply overloaded? Then the real problem is staffing, not heroes
(the playbook's "do not use when")."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.metrics.summary import is_number, summarize
from sim.analysis.types import FitCheck
from sim.schema import MINUTES_PER_WEEK, Scenario, WorkTime, members_of

# The classic "do not use when" thresholds: offered load near a queue's saturation point.
OVERLOAD_EXPERT_LOAD = 0.8
OVERLOAD_UTILISATION = 0.85

def mean_expert_minutes(median: float, p90: float) -> float:
    """Mean of the lognormal with this median and 90th percentile."""
    return WorkTime(median=median, p90=p90).mean


def on_call_slots(scenario: Scenario) -> float:
    """Concurrent incidents the rotation can work: a primary and a secondary (mean capacity of
    their members), or every primary member in pool mode."""
    rotation = scenario.rotation
    capacity = {p.id: p.capacity for p in scenario.people}
    if rotation.pool:
        return float(sum(capacity[m] for m in members_of(rotation.primary)))
    slots = float(np.mean([capacity[m] for m in members_of(rotation.primary)]))
    if rotation.secondary is not None:
        slots += float(np.mean([capacity[m] for m in members_of(rotation.secondary)]))
    return slots


def expert_load(scenario: Scenario) -> float:
    """Offered load per on-call slot if experts worked every incident and triaged every false
    page: (sum of rate x mean expert minutes + noise pages x triage minutes) / slots."""
    real = sum(
        c.rate_per_week / MINUTES_PER_WEEK * c.work_minutes.mean
        for c in scenario.classes
    )
    noise_rate = sum(c.rate_per_week for c in scenario.classes) * scenario.conditions.alert_noise
    noise = noise_rate / MINUTES_PER_WEEK * scenario.behaviour.triage_minutes
    return (real + noise) / on_call_slots(scenario)


def fit_check(scenario: Scenario, metrics: dict | list[dict] | None = None) -> FitCheck:
    """Is the team simply overloaded? Then the real problem is staffing, not heroes.

    Args:
        scenario: the team.
        metrics: one replication's `replication_metrics`, a list of them, or their `summarize`d
            form; None to judge from the scenario alone.

    Returns:
        The verdict (`FitCheck`: overloaded, expert_load, leader_utilisation, leaders, reason).
        Overloaded when
        the expert load per on-call slot is >= 0.8 or the measured mean utilisation of the
        leaders (the fewest people who together led at least half of the incidents) is >= 0.85.
    """
    load = expert_load(scenario)
    if isinstance(metrics, list):
        metrics = summarize(metrics) if metrics else None
    leaders, utilisation = _leader_utilisation(metrics) if metrics else ([], None)
    by_load = load >= OVERLOAD_EXPERT_LOAD
    by_use = utilisation is not None and utilisation >= OVERLOAD_UTILISATION
    used = (
        f"the people who lead most incidents ({', '.join(leaders)}) are "
        f"{utilisation:.0%} utilised" if utilisation is not None else "no measured utilisation"
    )
    if by_load or by_use:
        reason = (
            f"The team is overloaded: expert load is {load:.2f} per on-call slot "
            f"(limit {OVERLOAD_EXPERT_LOAD}) and {used} (limit {OVERLOAD_UTILISATION:.0%}), "
            "so the real problem is staffing, not knowledge concentration."
        )
    else:
        reason = (
            f"The team is not overloaded: expert load is {load:.2f} per on-call slot "
            f"(below {OVERLOAD_EXPERT_LOAD}) and {used} (below {OVERLOAD_UTILISATION:.0%}), "
            "so hero dependence here is about knowledge concentration, not staffing."
        )
    return FitCheck(
        overloaded=by_load or by_use,
        expert_load=load,
        leader_utilisation=utilisation,
        leaders=leaders,
        reason=reason,
    )


def _value(leaf: Any) -> float | None:
    """A number from a per-replication leaf or a summarised {"mean": ...} leaf."""
    if isinstance(leaf, dict):
        leaf = leaf.get("mean")
    return float(leaf) if is_number(leaf) else None


def _leader_utilisation(metrics: dict) -> tuple[list[str], float | None]:
    led = {p: _value(row.get("incidents_led")) or 0.0 for p, row in metrics.get("load", {}).items()}
    total = sum(led.values())
    if total <= 0:
        return [], None
    leaders, covered = [], 0.0
    for person, n in sorted(led.items(), key=lambda item: -item[1]):
        leaders.append(person)
        covered += n
        if covered >= total / 2:
            break
    use = [_value(metrics.get("utilisation", {}).get(p)) for p in leaders]
    known = [u for u in use if u is not None]
    return leaders, (sum(known) / len(known) if known else None)
