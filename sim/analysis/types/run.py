"""The run's document (metrics.json): metrics per replication or summarised, and the fit check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, NotRequired, TypedDict, TypeVar

from sim.analysis.document import Document
from sim.analysis.types.shared import Estimate

N = TypeVar("N")


class Spread(TypedDict, Generic[N]):
    """Percentiles and mean of a time (minutes)."""

    p50: N | None
    p90: N | None
    p99: N | None
    mean: N | None


class HeroInterruptions(TypedDict, Generic[N]):
    """Hero interruptions per week: all heroes, and each, by hour class and kind."""

    all_heroes: dict[str, N]
    by_hero: dict[str, dict[str, N]]


class HeroHours(TypedDict, Generic[N]):
    """Hours the heroes worked, in all and each."""

    total: N
    by_hero: dict[str, N]


class HeroTimeRow(TypedDict, Generic[N]):
    """One hero's time in a replication: hours per week by kind (over the whole run), their
    capacity (working hours a week x (1 - project_share)) and what is left of it for
    improvement work, and the full weeks whose total went past the capacity."""

    rescue: N
    backup: N
    consult: N
    review: N
    transfer: N
    triage: N
    total: N
    capacity: N
    improvement_left: N
    peak_week: N
    overloaded_weeks: N


class PersonLoad(TypedDict, Generic[N]):
    """One person's load in a replication."""

    pages: N
    pulls: N
    hours: N
    incidents_led: N


class Struggled(TypedDict, Generic[N]):
    """Incidents worked by someone not capable."""

    count: N
    share: N | None


class ClassMetrics(TypedDict, Generic[N]):
    """One incident class in a replication."""

    count: N
    mttm_p50: N | None
    mttm_p90: N | None
    unresolved: N
    breach_rate: N | None
    escalations_per_incident: N | None
    hero_share: N | None


class EffectiveResponders(TypedDict, Generic[N]):
    """People who would handle a class (or a critical service's classes) alone."""

    by_class: dict[str, N]
    by_critical_service: dict[str, N | None]


class ReleaseDelay(TypedDict, Generic[N]):
    """Release delay in hours."""

    p50: N | None
    p90: N | None
    mean: N | None


class RollbackTimes(TypedDict, Generic[N]):
    """Time to mitigate of rollback incidents."""

    p50: N | None
    p90: N | None


class ChangeMetrics(TypedDict, Generic[N]):
    """Release flow of a replication."""

    intended: N
    shipped: N
    unshipped: N
    postponed: N
    shipped_unsafe: N
    failed: N
    failure_rate: N | None
    releases: N
    mean_batch_size: N | None
    release_delay_hours: ReleaseDelay[N]
    needed_hero: N
    rollbacks: N
    rollback_ttm: RollbackTimes[N]


class RunMetrics(TypedDict, Generic[N]):
    """The metrics of a run: numbers per replication (`RunMetrics[float]`, from
    `replication_metrics`), or Estimate leaves summarised across replications
    (`RunMetrics[Estimate]`, from `summarize`; context lists kept only when equal)."""

    days: N
    heroes: NotRequired[list[str]]
    without: NotRequired[list[str]]
    incidents: N
    by_severity: dict[str, N]
    mtta: Spread[N]
    mttm: Spread[N]
    unresolved: N
    wait_mean: N | None
    slo_breach_rate: N | None
    escalations: dict[str, N]
    escalations_per_incident: dict[str, N | None]
    escalations_to: dict[str, dict[str, N]]
    hero_interruptions_per_week: HeroInterruptions[N]
    hero_hours: HeroHours[N]
    hero_time: dict[str, HeroTimeRow[N]]
    load: dict[str, PersonLoad[N]]
    pages_gini: N | None
    struggled: Struggled[N]
    by_class: dict[str, ClassMetrics[N]]
    effective_responders: EffectiveResponders[N]
    utilisation: dict[str, N]
    changes: ChangeMetrics[N]


ReplicationMetrics = RunMetrics[float]
MetricsSummary = RunMetrics[Estimate]


@dataclass(frozen=True)
class FitCheck(Document):
    """Is the team simply overloaded (staffing, not heroes)?"""

    overloaded: bool
    expert_load: float
    leader_utilisation: float | None
    leaders: list[str]
    reason: str


@dataclass(frozen=True)
class RunDocument(Document):
    """`herosim run --format json` and metrics.json."""

    herosim_version: str
    scenario: str
    days: int
    replications: int
    seed: int
    without: list[str]
    heroes: list[str]
    metrics: MetricsSummary
    baseline: MetricsSummary | None
    fit_check: FitCheck
    plan: str | None = None  # run --plan P --at-week N: the team as P leaves it at week N
    at_week: int | None = None
