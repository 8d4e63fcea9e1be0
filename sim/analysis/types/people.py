"""Each person's picture and the hero's time: the documents of sim/analysis/people/.

Shared by the check (independence.json), the comparison (compare.json), the run (metrics.json,
`hero_time`) and the advice (advise.json, `plan_review`). Hours are hours per week unless a key
says otherwise; weeks are counted from the plan's start (week 0 is days 0-6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypedDict

from sim.analysis.document import Document


class HoursByKind(TypedDict):
    """Hours by kind of work (per week): `rescue` (leading or working incidents, stuck
    included), `backup` (backing up a learner who leads, on incidents and changes), `consult`
    (answering a responder who keeps the lead), `review` (gating a release that needs them),
    `transfer` (plan activities: drills, runbooks, the plan's other charges; the pairing
    overhead of a hero's own work; a learner's pairing and shadowing), `triage` (false pages),
    and their `total`."""

    rescue: float
    backup: float
    consult: float
    review: float
    transfer: float
    triage: float
    total: float


@dataclass(frozen=True)
class HeroTime(Document):
    """A hero's time by kind over some weeks (hours per week, mean over replications), against
    their capacity: working hours a week x (1 - project_share)."""

    hours: HoursByKind
    capacity: float
    improvement_left: float  # capacity - total; negative: overloaded
    overloaded: bool
    budget: float  # transfer_hours_per_week
    budget_used: float  # transfer + backup: what the weekly transfer budget pays for


@dataclass(frozen=True)
class HeroWeek(Document):
    """One week of a hero's time over the plan run (mean over replications)."""

    week: int
    hours: HoursByKind
    improvement_left: float
    overloaded: bool


@dataclass(frozen=True)
class HeroTimeSeries(Document):
    """A hero's time week by week over the plan run, and the weeks it went past their
    capacity or their transfer budget."""

    capacity: float
    budget: float
    weeks: list[HeroWeek]
    overloaded_weeks: list[int]
    over_budget_weeks: list[int]
    mean: HeroTime  # over the whole run


class Interruptions(TypedDict):
    """Interruptions per week by the person's local hour class (PagerDuty's)."""

    business: float
    off: float
    sleep: float


@dataclass(frozen=True)
class PersonFigures(Document):
    """One person in one arm of a checkpoint's window, per week, mean over replications
    (probes left out): pages (policy and false pages), incidents led, escalations received
    (every kind, by name or by the policy), informal pulls and consults received, release
    gates (reviews), interruptions by hour class, and hours by kind."""

    pages: float
    incidents_led: float
    escalations_received: float
    pulls_received: float
    consults_received: float
    gates: float
    interruptions: Interruptions
    hours: HoursByKind
    escalation_share: float | None  # of every escalation that reached someone in the window
    critical_shares: dict[str, float | None]  # critical class -> share of its incidents led


@dataclass(frozen=True)
class PeopleArm(Document):
    """Everyone in one arm of a checkpoint: each person's figures and the Gini of load."""

    gini_pages: float
    gini_hours: float
    people: dict[str, PersonFigures]


@dataclass(frozen=True)
class ConcentrationAlert(Document):
    """A non-hero whose share of a critical class, or of escalations, is past the threshold at
    the last checkpoint and above where it started: dependence moved to them rather than
    fell."""

    person: str
    arm: str
    subject: str  # a critical class, or "escalations"
    week: int  # the checkpoint since which it has been past the threshold
    share: float  # at the last checkpoint
    start_share: float | None  # at week 0
    threshold: float
    text: str


@dataclass(frozen=True)
class BudgetRow(Document):
    """One person's scheduled plan hours against their weekly transfer budget: the hours of
    drills and runbook writing the plan's actions ask of them each week (live pairing and
    backup, which the budget also pays for, are measured in the run), the weeks over, what the
    budget allows (drills over it are skipped, runbooks wait), and the plan's other charges
    (condition fixes, access, arrangements: not paid from the budget)."""

    person: str
    budget: float
    scheduled: list[float]  # hours per week, week 0 first
    over_weeks: list[int]
    peak: float
    total: float
    allowed: list[float]  # hours per week the budget allows
    skipped_drills: int
    other_hours: float


@dataclass(frozen=True)
class Budget(Document):
    """The plan against each person's weekly transfer budget: scheduled (deterministic, from
    the plan's actions and costs) and, in a check, the occurrences the run skipped."""

    fits: bool
    people: list[BudgetRow]
    # Mean occurrences per replication that did not happen: reason -> action kind -> count.
    skipped: dict[str, dict[str, float]] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ApproverFlag(Document):
    """A hero kept as backup or approver with no end: the playbook's "final approver
    forever"."""

    kind: str  # the action kind, or "needs" for a gate the plan never removes
    subject: str  # the classes or services
    people: list[str]
    text: str


@dataclass(frozen=True)
class PlanReview(Document):
    """What a plan asks of people, read before running it: the budget and the approvers."""

    budget: Budget
    final_approver: list[ApproverFlag]


@dataclass(frozen=True)
class ClassDrift(Document):
    """One class over the checkpoints: its verdicts, its best, its non-hero effective
    responders at the best, at their peak and at the end, and whether it slid back (the
    verdict fell from its best with fewer responders, or the responders fell from their peak
    by at least 0.5 to fewer than needed)."""

    verdicts: list[str]  # one per checkpoint
    best_week: int | None
    best_verdict: str
    end_verdict: str
    regressed: bool
    effective_best: float | None
    effective_end: float | None
    effective_peak: float | None = None
    effective_peak_week: int | None = None
    effective_needed: int | None = None


@dataclass(frozen=True)
class Sustainment(Document):
    """After the plan's practice ends, do classes stay independent? `practice_ends_week`: the
    week by which the plan's pairing, backup, shadowing and drills have all ended (0: the plan
    has none), None without a plan or when one of them runs to the end."""

    practice_ends_week: int | None
    classes: dict[str, ClassDrift]
    warnings: list[str]


@dataclass(frozen=True)
class Finding(Document):
    """A finding to put in front of the reader: `kind` is over_budget, skipped,
    final_approver, overload, concentration, regression or hero_load."""

    kind: str
    text: str
