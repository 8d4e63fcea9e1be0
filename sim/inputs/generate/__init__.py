"""Synthetic organisations: teams, people, a ground truth written first, and the PagerDuty
history that truth produces when simulated.

For trying herosim without data, and for testing the importer, the hero map and calibration
against a truth that is known. Everything derives from one seed: names come from seeded `Faker`
instances, choices from numpy streams, and the history from the engine's own streams.

    >>> from sim.inputs.generate import generate_org
    >>> org = generate_org(teams=3, people=7, weeks=26, seed=3, messy=True)  # doctest: +SKIP
    >>> org.plan.truth["teams"][0]["heroes"], len(org.history["data"])  # doctest: +SKIP

The package: `team` (one team's classes, skills, rotation), `org` (teams, zones, people; the
plan and the simulation), `mess` (how a real export is damaged), `pagerduty` (records ->
PagerDuty's raw incidents).
"""

from sim.inputs.generate.org import (
    MAX_PEOPLE,
    MAX_TEAMS,
    MAX_WEEKS,
    Org,
    OrgPlan,
    generate_org,
    plan_org,
    simulate_org,
)
from sim.inputs.generate.pagerduty import (
    CSV_COLUMNS,
    Naming,
    csv_rows,
    iso,
    pagerduty_history,
    pagerduty_rows,
)

__all__ = ["CSV_COLUMNS", "MAX_PEOPLE", "MAX_TEAMS", "MAX_WEEKS", "Naming", "Org", "OrgPlan",
           "csv_rows", "generate_org", "iso", "pagerduty_history", "pagerduty_rows", "plan_org",
           "simulate_org"]
