"""Pure functions that turn one replication's records into numbers, and many into estimates.

Nothing here runs the model or prints: `replication_metrics` (metrics/replication.py) reads a
`RunRecords`, `summarize` (metrics/summary.py) reduces the per-replication dicts to means with
95% t-intervals, `fit_check` (metrics/fit.py) says whether the team is simply overloaded.
Metrics are JSON-shaped dicts with no NaN (typed as `sim.analysis.types.RunMetrics`): a value
that is undefined (a percentile of no incidents, a rate over zero incidents) is None.

Keys of `replication_metrics` (a stable interface: `herosim run --format json` prints the
`summarize`d form, where every numeric leaf becomes {"mean", "ci_low", "ci_high", "n"}).
Times are minutes, rates are shares in 0..1 unless named per week. Dicts keyed by person hold
every person of the scenario (and anyone else named in the records); dicts keyed by class,
severity, escalation kind or hour class hold every member, zeros included, so that all
replications share one shape.

    days                      int, the horizon of the replication
    heroes, without           lists of person ids (context, kept by summarize when equal)
    incidents                 int, real incidents recorded
    by_severity               {sev1..sev4: count}
    mtta, mttm                {p50, p90, p99, mean}: time to acknowledge / to mitigate;
                              an incident nobody mitigated counts with its time so far (to
                              the end of the run), so these are lower bounds when any did
    unresolved                int, incidents nobody could work before the horizon ended
                              (a `requires` person absent throughout); they count as breaches
    wait_mean                 mean minutes from arrival to the start of work
    slo_breach_rate           share of incidents mitigated after their SLO
    escalations               {timeout, manual, informal, reroute, busy, direct, total: count}
    escalations_per_incident  {timeout, ..., total: count / incidents}
    escalations_to            {person: {timeout, ..., direct: count}}
    hero_interruptions_per_week
                              {all_heroes: row, by_hero: {hero: row}} where a row is
                              {total, business, off, sleep, page, noise, pull, backup, consult,
                              gate} per week
                              (every interruption of a hero; weeks = days / 7)
    hero_hours                {total, by_hero: {hero: hours}}: hero work spans, all roles
    hero_time                 {hero: {rescue, backup, consult, review, transfer, triage,
                              total (hours per week over the run), capacity (working hours a
                              week x (1 - project_share)), improvement_left, peak_week (the
                              busiest full week's hours), overloaded_weeks}} for each hero
                              present (sim/analysis/people/hours.py: the kinds)
    load                      {person: {pages, pulls, hours, incidents_led}}; pages count
                              page and noise interruptions, hours every work span
    pages_gini                Gini of pages across people not in `without` (0 = even)
    struggled                 {count, share}
    by_class                  {class: {count, mttm_p50, mttm_p90, unresolved, breach_rate,
                              escalations_per_incident, hero_share}} (unresolved incidents
                              counted as in mttm)
    effective_responders      {by_class: {class: n}, by_critical_service: {service: n}}:
                              people who would handle it alone without escalating
    utilisation               {person: busy slot-minutes / (capacity x available minutes)}
    changes                   release flow: {intended, shipped, unshipped, postponed,
                              shipped_unsafe, failed, failure_rate (per release), releases,
                              mean_batch_size, release_delay_hours {p50, p90, mean} (a change
                              still waiting at the end counts its wait so far),
                              needed_hero, rollbacks, rollback_ttm {p50, p90}}
"""

from sim.analysis.metrics.fit import (
    OVERLOAD_EXPERT_LOAD,
    OVERLOAD_UTILISATION,
    expert_load,
    fit_check,
    mean_expert_minutes,
    on_call_slots,
)
from sim.analysis.metrics.replication import (
    EFFECTIVE_THRESHOLD,
    ESCALATION_KINDS,
    change_metrics,
    effective_responders,
    replication_metrics,
)
from sim.analysis.metrics.summary import interval, is_number, summarize

__all__ = [
    "EFFECTIVE_THRESHOLD", "ESCALATION_KINDS", "OVERLOAD_EXPERT_LOAD", "OVERLOAD_UTILISATION",
    "change_metrics",
    "effective_responders", "expert_load", "fit_check", "interval", "is_number",
    "mean_expert_minutes", "on_call_slots", "replication_metrics", "summarize",
]
