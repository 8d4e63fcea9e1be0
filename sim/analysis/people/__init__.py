"""Each person's load and the hero's time: where dependence moves, not only whether it falls.

Pure functions of records and plans, used by the run, the check, the comparison and the
advice. The package by role:

- `hours`: a person's hours by kind (rescue, backup, consult, review, transfer, triage) from
  one replication's records, binned by week or window; capacity and budget.
- `herotime`: the heroes' time week by week over a plan run, pooled over replications, against
  capacity (overload) and the weekly transfer budget.
- `picture`: each person's figures in a checkpoint's arms (pages, incidents led, escalations,
  pulls, consults, gates, interruptions by hour class, hours by kind, Gini), and the hero-load
  criteria's figures.
- `review`: a plan read before it runs: scheduled hours per person per week against the
  budget (and what the budget allows), and heroes kept as final approver forever.
- `findings`: every finding of a check in one list, for the reader.
- `drift`: the concentration alert (dependence moved to a non-hero) and the sustainment view
  (classes that slid back).
"""

from sim.analysis.people.drift import (
    MIN_POOLED,
    arm_words,
    concentration_alerts,
    practice_end_week,
    sustainment,
)
from sim.analysis.people.findings import budget_text, collect_findings, overload_text
from sim.analysis.people.herotime import HeroTimeData, hero_time, weekly_hours
from sim.analysis.people.hours import (
    BUDGET_KINDS,
    COLUMNS,
    KINDS,
    SPANNED_CHARGES,
    as_kinds,
    budget_used,
    charged_person,
    hours_table,
    week_edges,
    weekly_capacity,
)
from sim.analysis.people.picture import FIELDS, ArmPeople, PeopleData, arm_people, critical_classes
from sim.analysis.people.review import (
    PLAYBOOK_APPROVER,
    PLAYBOOK_NO_TIME,
    Occurrence,
    approver_flags,
    budget_review,
    occurrences,
    review_plan,
)

__all__ = [
    "BUDGET_KINDS", "COLUMNS", "FIELDS", "KINDS", "MIN_POOLED", "PLAYBOOK_APPROVER",
    "PLAYBOOK_NO_TIME", "SPANNED_CHARGES", "ArmPeople", "HeroTimeData", "Occurrence",
    "PeopleData", "approver_flags", "arm_people", "arm_words", "as_kinds", "budget_review",
    "budget_text", "budget_used", "charged_person", "collect_findings", "concentration_alerts",
    "critical_classes", "hero_time", "hours_table", "occurrences", "overload_text",
    "practice_end_week", "review_plan", "sustainment", "week_edges", "weekly_capacity",
    "weekly_hours",
]
