"""Every document an analysis returns, named (after Chaos Toolkit's `chaoslib/types.py`).

The fields are the keys docs/outputs.md documents, in the order the JSON writes them:
`doc.to_json()` is the file (`metrics.json`, `independence.json`, `compare.json`,
`advise.json`) and `Type.from_json(data)` reads one back (sim/analysis/document.py). Dataclasses
are the documents and their rows; TypedDicts are the JSON-shaped nests where a dict keyed by
data (person, class, hour class) is the natural form: the run metrics, the criteria, the skills.

    run       RunDocument: metrics (RunMetrics of Estimate leaves), baseline, FitCheck
    check     CheckDocument: Checkpoint (ClassRow of ArmFigures, ReleaseRow, Overall),
              TimeToIndependence, FinalVerdict (HoldingBack), SkillTables
    compare   CompareDocument: PlanRow (Versus), RankingEntry (Difference), the checks
    advise    AdviseDocument: BaselineRisk, ClassAttribution (CauseShare), CandidateRow,
              Proposal (ProposalStep), ClassVerdict, AdviseCheck (CheckBrief)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, NotRequired, TypedDict, TypeVar

from sim.analysis.document import INLINE, OPTIONAL, Document, key

N = TypeVar("N")

# -- shared ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval(Document):
    """A mean with its 95% interval (bootstrap or across replications): `{mean, low, high}`."""

    mean: float
    low: float
    high: float


class Estimate(TypedDict):
    """One summarised metric: the mean across replications, its 95% t-interval, and how many
    replications define it."""

    mean: float
    ci_low: float
    ci_high: float
    n: int


# -- run (metrics.json) -------------------------------------------------------------------------


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
    breach_rate: N | None
    escalation_rate: N | None
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


# -- check (independence.json) ------------------------------------------------------------------


class Criteria(TypedDict):
    """The scenario's `independence` section: the pass criteria."""

    max_p90_ratio: float
    max_added_breach_rate: float
    min_effective_responders: int
    partly_factor: float
    evaluation_days: int
    max_added_release_delay_hours: float
    max_added_change_failure_rate: float
    min_incidents_per_class: int


@dataclass(frozen=True)
class ArmFigures(Document):
    """One arm (hero present or absent) of a class, pooled over replications."""

    n: int
    ttm_p50: float | None
    ttm_p90: float | None
    breach_rate: float | None
    escalation_rate: float | None
    escalations_per_incident: float | None
    informal_per_incident: float | None
    hero_share: float | None
    struggled: int
    unresolved: int


@dataclass(frozen=True)
class ClassRow(Document):
    """One class at one checkpoint: both arms, the criteria's figures and the verdict."""

    verdict: str
    specialty: bool
    critical: bool
    present: ArmFigures
    absent: ArmFigures
    p90_ratio: float | None
    added_breach_rate: float | None
    effective_responders: float
    notes: list[str]


@dataclass(frozen=True)
class ReleaseFlow(Document):
    """Release flow of one arm."""

    releases: int
    delay_p50_hours: float | None
    delay_p90_hours: float | None
    failure_rate: float | None


@dataclass(frozen=True)
class ReleaseRow(Document):
    """Release flow at one checkpoint, hero present and absent, and its verdict."""

    verdict: str
    present: ReleaseFlow
    absent: ReleaseFlow
    notes: list[str]


@dataclass(frozen=True)
class Bands(Document):
    """Bootstrap 95% bands (`[low, high]`, or None) of the pooled curves."""

    present_p90: list[float] | None
    present_escalation_rate: list[float] | None
    absent_p90: list[float] | None
    absent_escalation_rate: list[float] | None


@dataclass(frozen=True)
class Overall(Document):
    """All classes pooled at one checkpoint."""

    present_p90: float | None
    absent_p90: float | None
    p90_ratio: float | None
    present_escalation_rate: float | None
    absent_escalation_rate: float | None
    present_escalations_per_incident: float | None
    absent_escalations_per_incident: float | None
    bands: Bands | None = None


@dataclass(frozen=True)
class Checkpoint(Document):
    """One checkpoint week of a check."""

    week: int
    passed: bool
    classes: dict[str, ClassRow]
    releases: ReleaseRow | None
    overall: Overall
    hero_interruptions_per_week: Interval
    plan_hero_hours: Interval
    plan_learner_hours: Interval | None = None


@dataclass(frozen=True)
class TimeToIndependence(Document):
    """The first passing week, its bootstrap interval (null high: not reached), and the share
    of resamples that reach it."""

    week: int | None
    low: float | None = None
    high: float | None = None
    reached_share: float | None = None


@dataclass(frozen=True)
class HoldingBack(Document):
    """A class (or `releases`) that keeps the team from independence, and why."""

    class_id: str = field(metadata=key("class"))
    verdict: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FinalVerdict(Document):
    """The verdict at the last checkpoint."""

    week: int
    passed: bool
    verdict: str
    holding_back: list[HoldingBack]
    specialty: dict[str, str]


class Skill(TypedDict):
    """Mean knowledge and confidence of a person in a class."""

    knowledge: float
    confidence: float


SkillTable = dict[str, dict[str, Skill]]  # person -> class -> Skill


class SkillTables(TypedDict):
    """The skills at the plan's start and end."""

    start: SkillTable
    end: SkillTable


@dataclass(frozen=True)
class CheckDocument(Document):
    """independence.json, and `herosim check --format json`."""

    herosim_version: str
    scenario: str
    plan: str | None
    weeks: int
    every: int
    replications: int
    seed: int
    evaluation_days: int
    heroes: list[str]
    criteria: Criteria
    checkpoints: list[Checkpoint]
    time_to_independence: TimeToIndependence
    final: FinalVerdict
    skills: SkillTables | None = None


# -- compare (compare.json) ---------------------------------------------------------------------


@dataclass(frozen=True)
class Versus(Document):
    """A plan against the baseline, by the ranking rule, resample by resample."""

    baseline: str
    share_ahead: float
    share_behind: float
    beyond_noise: bool
    verdict: str


@dataclass(frozen=True)
class Difference(Document):
    """Whether a plan is ahead of the next in the ranking beyond noise."""

    figure: str
    share_ahead: float
    beyond_noise: bool
    verdict: str


@dataclass(frozen=True)
class PlanRow(Document):
    """One plan of a comparison, at the end of its weeks."""

    plan: str
    description: str
    time_to_independence: TimeToIndependence
    hero_hours: Interval
    learner_hours: Interval
    hero_interruptions_per_week_end: Interval
    hero_interruptions_change: Interval
    absent_p90_end: float | None
    absent_p90_end_band: list[float] | None
    absent_p90_change: Interval | None
    absent_breach_rate_end: float | None
    added_breach_rate_end: float | None
    effective_responders_critical_end: dict[str, float | None]
    releases_end: ReleaseRow | None
    final_verdict: str
    holding_back: list[str]
    vs_baseline: Versus | None = None


@dataclass(frozen=True)
class RankingEntry(Document):
    """A plan's place; with the plan after it, what separated them (absent for the last)."""

    rank: int
    plan: str
    next: str | None = field(default=None, metadata=OPTIONAL)
    difference: Difference | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class CompareDocument(Document):
    """compare.json, and `herosim compare --format json`."""

    herosim_version: str
    scenario: str
    baseline: str
    weeks: int
    every: int
    replications: int
    seed: int
    bootstrap_samples: int
    rule: str
    plans: list[PlanRow]
    ranking: list[RankingEntry]
    checks: dict[str, CheckDocument] = field(default_factory=dict)

    @property
    def ranked_plans(self) -> list[PlanRow]:
        """The plan rows in ranking order."""
        rows = {row.plan: row for row in self.plans}
        return [rows[entry.plan] for entry in self.ranking]


# -- advise (advise.json) -----------------------------------------------------------------------


@dataclass(frozen=True)
class BaselineRisk(Document):
    """Doing nothing: the risk, its hero-absent part, hero interruptions, risk per class."""

    mean: float
    absent_risk: float
    hero_interruptions_per_week: float
    by_class: dict[str, float]


@dataclass(frozen=True)
class CauseShare(Document):
    """One cause of a class's hero interruptions, per week and as shares."""

    interruptions_per_week: float
    hours_per_week: float
    share: float
    hours_share: float


@dataclass(frozen=True)
class ClassAttribution(Document):
    """Why the hero is pulled for one class (or the pseudo-classes `noise` and `changes`)."""

    incidents_per_week: float
    hero_share: float | None
    hero_interruptions_per_week: float
    hero_hours_per_week: float
    causes: dict[str, CauseShare]


class CandidateRules(TypedDict):
    """The constants that decide which candidates apply."""

    hero_class_share: float
    learners_per_class: int
    min_hero_hours: float
    condition_targets: dict[str, float]


@dataclass(frozen=True)
class Reduction(Document):
    """A plan's risk reduction against doing nothing (paired bootstrap), and its cost."""

    reduction: Interval
    per_hero_hour: Interval
    share_better: float
    hero_hours: float
    learner_hours: float
    risk: float
    absent_risk: float
    hero_interruptions_per_week: float


@dataclass(frozen=True)
class CandidateRow(Document):
    """One candidate action, ranked by risk reduction per hero hour; its figures (`Reduction`)
    are written among its own keys."""

    name: str
    kind: str
    target: str
    description: str
    default_costs: dict[str, float]
    figures: Reduction = field(metadata=INLINE)
    rank: int


@dataclass(frozen=True)
class ProposalStep(Document):
    """One greedy step: a candidate tried in the combined plan, kept or not."""

    candidate: str
    kept: bool
    risk: float
    hero_hours: float
    reduction: Interval


@dataclass(frozen=True)
class Proposal(Document):
    """The proposed plan (a plan document, or None) and the steps that built it."""

    steps: list[ProposalStep]
    plan: dict[str, Any] | None


@dataclass(frozen=True)
class ClassVerdict(Document):
    """True specialty, default rescue or covered, with the inputs of the rule."""

    verdict: str
    declared_specialty: bool
    hero_share: float
    rate_per_week: float
    risk_share: float
    knowledge_gap: float
    access_only_heroes: bool
    rare: bool
    low_risk: bool
    costly: bool


@dataclass(frozen=True)
class CheckBrief(Document):
    """A plan's figures in the check of the proposal."""

    final_verdict: str
    time_to_independence: int | None
    absent_p90_end: float | None
    added_breach_rate_end: float | None
    hero_interruptions_per_week_end: float


@dataclass(frozen=True)
class AdviseCheck(Document):
    """The proposal against doing nothing in the independence check."""

    plan: CheckBrief
    none: CheckBrief
    versus: Versus
    line: str


@dataclass(frozen=True)
class AdviseDocument(Document):
    """advise.json, and `herosim advise --format json`."""

    herosim_version: str
    scenario: str
    heroes: list[str]
    weeks: int
    replications: int
    seed: int
    budget_hero_hours: float
    risk_definition: str
    baseline_risk: BaselineRisk
    attribution: dict[str, ClassAttribution]
    hero_classes: list[str]
    candidate_rules: CandidateRules
    candidates: list[CandidateRow]
    proposal: Proposal
    classes: dict[str, ClassVerdict]
    check: AdviseCheck | None
