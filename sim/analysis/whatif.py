"""`herosim run` as a library call: replicate a scenario, summarise, check the fit.

>>> from sim.inputs.scenario import load_scenario
>>> from sim.analysis.replicate import Replications
>>> from sim.analysis.whatif import run_scenario
>>> team = load_scenario("scenarios/tiny.yaml")
>>> result = run_scenario(Replications(team, replications=4), days=28)
>>> result.summary["mttm"]["p90"]["mean"]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sim import __version__
from sim.analysis.metrics import fit_check, summarize
from sim.analysis.replicate import (
    ReplicationResult,
    Replications,
    RunSpec,
    run_replication,
    run_tasks,
)
from sim.analysis.types import FitCheck, MetricsSummary, ReplicationMetrics, RunDocument
from sim.errors import InputError, Problem
from sim.model.records import IncidentRecord
from sim.schema import Plan, Scenario

MAX_DAYS = 3660
MAX_REPLICATIONS = 100_000


@dataclass(frozen=True)
class RunResult:
    """Everything `herosim run` reports, usable from Python without the CLI."""

    scenario: Scenario
    days: int
    replications: int
    seed: int
    without: tuple[str, ...]
    per_replication: list[ReplicationMetrics] = field(repr=False)
    summary: MetricsSummary = field(repr=False)
    fit: FitCheck = field(repr=False)
    # (arm, replication, record); arm is "all", or "without" and "baseline" for a what-if.
    incidents: list[tuple[str, int, IncidentRecord]] = field(default_factory=list, repr=False)
    # With `without`: the same replications with everyone present (summarised metrics).
    baseline: MetricsSummary | None = field(default=None, repr=False)
    # The team as this plan leaves it after `at_week` weeks, when given.
    plan: Plan | None = field(default=None, repr=False)
    at_week: int | None = None

    @property
    def document(self) -> RunDocument:
        """The run's document: metrics.json, and `herosim run --format json`."""
        return RunDocument(
            herosim_version=__version__,
            scenario=self.scenario.name,
            days=self.days,
            replications=self.replications,
            seed=self.seed,
            without=list(self.without),
            heroes=list(self.scenario.heroes),
            metrics=self.summary,
            baseline=self.baseline,
            fit_check=self.fit,
            plan=self.plan.name if self.plan is not None else None,
            at_week=self.at_week,
        )

    def to_json(self) -> dict:
        """The stable JSON document of `herosim run --format json` (see docs/outputs.md)."""
        return self.document.to_json()


def check_people(scenario: Scenario, people: Sequence[str], option: str = "--without") -> None:
    """Raise InputError naming every person not in the scenario."""
    known = {p.id for p in scenario.people}
    problems = [
        Problem(
            file="command line",
            field_path=option,
            value=repr(person),
            message=f"unknown person; people in scenario '{scenario.name}': "
            f"{', '.join(sorted(known))}",
        )
        for person in people
        if person not in known
    ]
    if problems:
        raise InputError(problems)


def check_counts(days: int, replications: int) -> None:
    """Raise InputError for a horizon or replication count outside what is sensible."""
    problems = []
    if not 1 <= days <= MAX_DAYS:
        problems.append(Problem("command line", "--days", repr(days),
                                f"days must be between 1 and {MAX_DAYS}"))
    if not 1 <= replications <= MAX_REPLICATIONS:
        problems.append(Problem("command line", "--reps", repr(replications),
                                f"replications must be between 1 and {MAX_REPLICATIONS}"))
    if problems:
        raise InputError(problems)


def run_scenario(
    reps: Replications,
    days: int = 91,
    without: Sequence[str] = (),
    keep_incidents: bool = True,
    arrivals: Sequence | None = None,
    plan: Plan | None = None,
    at_week: int | None = None,
) -> RunResult:
    """Simulate `reps.replications` replications of `days` days and summarise them.

    Args:
        reps: the team, the replications (common random numbers across what-ifs: the same seed
            and replication index give the same incidents with or without a person), the root
            seed, and where they run (results do not depend on it).
        days: simulated days per replication.
        without: people unavailable for the whole run (the hero-absent what-if).
        keep_incidents: keep every incident record (for incidents.csv).
        arrivals: incidents to replay in every replication (`sim.model.Arrival`, e.g.
            from `sim.analysis.calibrate.replay_arrivals`) instead of sampling them;
            replications then differ only in decisions, acknowledgements and absences.
        plan, at_week: run the team as `plan` leaves it after `at_week` weeks: each
            replication runs the plan (with learning) to that week, freezes the team's skills
            and the plan's state, and runs from there (`replicate.team_after`).
    """
    scenario, replications, seed = reps.scenario, reps.replications, reps.seed
    check_people(scenario, without)
    check_counts(days, replications)
    check_plan_week(plan, at_week)
    replay = tuple(arrivals) if arrivals is not None else None
    after = {"plan": plan, "at_week": at_week or 0}
    spec = RunSpec(scenario, days, seed, tuple(without), keep_records=keep_incidents,
                   arrivals=replay, **after)
    tasks = [(spec, r) for r in range(replications)]
    if without:
        # The what-if is read against the same team with everyone present, on the same
        # incidents (common random numbers): the baseline arm.
        baseline_spec = RunSpec(scenario, days, seed, (), keep_records=keep_incidents,
                                arrivals=replay, **after)
        tasks += [(baseline_spec, r) for r in range(replications)]
    results = run_tasks(run_replication, tasks, reps.workers, reps.progress, reps.executor)
    arm, base = results[:replications], results[replications:]
    per_rep = [r.metrics for r in arm]
    incidents = _labelled(arm, "without" if without else "all")
    if base:
        incidents += _labelled(base, "baseline")
    summary = summarize(per_rep)
    return RunResult(
        scenario=scenario,
        days=days,
        replications=replications,
        seed=seed,
        without=tuple(without),
        per_replication=per_rep,
        summary=summary,
        fit=fit_check(scenario, summary),  # the summary, not summarised again
        incidents=incidents,
        baseline=summarize([r.metrics for r in base]) if base else None,
        plan=plan,
        at_week=at_week if plan is not None else None,
    )


def check_plan_week(plan: Plan | None, at_week: int | None) -> None:
    """Raise InputError unless a plan and its week come together, the week within range."""
    problem = None
    if plan is not None and at_week is None:
        problem = Problem("command line", "--at-week", "missing",
                          "with --plan, say which week of the plan to run the team from: "
                          "--at-week N")
    elif plan is None and at_week is not None:
        problem = Problem("command line", "--plan", "missing",
                          "--at-week needs the plan whose week it is: --plan NAME|FILE")
    elif at_week is not None and not 0 <= at_week <= MAX_DAYS // 7:
        problem = Problem("command line", "--at-week", repr(at_week),
                          f"the week must be between 0 and {MAX_DAYS // 7}")
    if problem is not None:
        raise InputError([problem])


def _labelled(results: list[ReplicationResult], arm: str) -> list[tuple[str, int, IncidentRecord]]:
    return [
        (arm, r.replication, incident)
        for r in results if r.records is not None
        for incident in r.records.incidents
    ]


INCIDENT_COLUMNS = (
    "arm", "replication", "incident_id", "class", "service", "severity", "arrived_at",
    "arrived_min", "acknowledged_min", "work_started_min", "mitigated_min",
    "time_to_acknowledge_min", "time_to_mitigate_min", "acknowledged_by", "lead", "involved",
    "escalations", "hero_involved", "hero_hour_class", "slo_minutes", "slo_breached",
    "struggled", "unresolved",
)


def incident_rows(scenario: Scenario, incidents) -> Iterator[list]:
    """incidents.csv rows: one per simulated incident (see INCIDENT_COLUMNS).

    `involved` is `person:role` joined by `;` in order of involvement; `escalations` is
    `kind:from>to@minute` joined by `;` (an empty side means nobody).
    """
    start = dt.datetime.combine(scenario.start_date, dt.time(), tzinfo=ZoneInfo(scenario.timezone))
    for arm, replication, i in incidents:
        arrived_at = start + dt.timedelta(minutes=i.arrived)
        yield [
            arm, replication, i.incident_id, i.class_id, i.service, i.severity.value,
            arrived_at.isoformat(timespec="seconds"),
            _minutes(i.arrived), _minutes(i.acknowledged), _minutes(i.work_started),
            _minutes(i.mitigated), _minutes(i.time_to_acknowledge), _minutes(i.time_to_mitigate),
            i.acknowledged_by or "", i.lead or "",
            ";".join(f"{p}:{role.value}" for p, role in i.involved),
            ";".join(
                f"{e.kind.value}:{e.from_person or ''}>{e.to_person or ''}@{_minutes(e.at)}"
                for e in i.escalations
            ),
            int(i.hero_involved), i.hero_hour_class.value if i.hero_hour_class else "",
            _minutes(i.slo_minutes), int(i.slo_breached), int(i.struggled), int(i.lead is None),
        ]


def _minutes(value: float) -> str:
    return f"{value:.2f}"
