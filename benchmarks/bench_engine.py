"""Engine benchmark: microseconds per incident of herosim against a bare SimPy M/M/c.

    python benchmarks/bench_engine.py [--customers N] [--repeat K] [--profile CASE]

Every case runs in this one process, on this machine, with the same number of incidents
(Poisson-distributed around N for the herosim cases, exactly N for bare SimPy; every time is
divided by the incidents actually simulated). Each case is timed K times and the best time is
kept. The last line printed is one JSON object with the numbers, for scripts.

Cases (see CASES at the bottom; add a `@case(...)` function to benchmark something new):

  simpy    idiomatic SimPy M/M/c, c=3, lambda=2.4, mu=1.0 - the floor to compare against.
  reduced  herosim's engine on the same M/M/c (pool rotation, fully skilled people,
           difficulty 0, instant acks, exponential work, one level, no loops).
  full     herosim's engine on a full-featured team at the same incident count.
  check    the default `herosim check` on the platform-team example (a fixed amount of work:
           20 replications of the plan run and of 8 checkpoint replays); its wall time is the
           check's own, single process.

Targets (from the issues): reduced within 1.5x of bare SimPy, full within 3x, the check
within 3x per incident.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import math
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np  # noqa: E402
import simpy  # noqa: E402

import sim.model  # noqa: E402
from sim.model import ENGINE_BUILD, TeamModel  # noqa: E402
from sim.model.records import RunRecords  # noqa: E402
from sim.schema import MAX_RATE_PER_WEEK, MINUTES_PER_DAY, MINUTES_PER_WEEK, Role, Scenario  # noqa: E402

SEED = 20240601

# The M/M/c of the issue, in its own time unit.
MMC_SERVERS = 3
MMC_LAMBDA = 2.4
MMC_MU = 1.0

# A herosim scenario cannot ask for 2.4 incidents a minute (24,192 a week is above the schema's
# MAX_RATE_PER_WEEK), so the reduced scenario runs the same queue in a longer time unit: one
# M/M/c time unit is MMC_UNIT herosim minutes. rho, c and the queue's dynamics are unchanged,
# and the engine's cost per incident does not depend on the time unit.
MMC_RATE_PER_WEEK = MAX_RATE_PER_WEEK
MMC_UNIT = MMC_LAMBDA * MINUTES_PER_WEEK / MMC_RATE_PER_WEEK  # herosim minutes per unit


# -- the harness ----------------------------------------------------------------------------


@dataclass
class Bench:
    """One prepared case: `run()` is timed and returns what `incidents` and `check` read."""

    run: Callable[[], object]
    incidents: Callable[[object], int]
    check: Callable[[object], str] = lambda result: ""


@dataclass(frozen=True)
class Case:
    name: str
    label: str
    prepare: Callable[[int], Bench]  # customers -> Bench; untimed (validation, set-up)


CASES: dict[str, Case] = {}


def case(name: str, label: str):
    """Register a benchmark case; `prepare(customers)` returns a Bench."""

    def register(prepare: Callable[[int], Bench]) -> Callable[[int], Bench]:
        CASES[name] = Case(name, label, prepare)
        return prepare

    return register


@dataclass
class Timing:
    name: str
    label: str
    incidents: int
    best_seconds: float
    all_seconds: list[float]
    check: str

    @property
    def us_per_incident(self) -> float:
        return self.best_seconds / self.incidents * 1e6


def time_case(c: Case, customers: int, repeat: int) -> Timing:
    bench = c.prepare(customers)
    seconds, count, result = [], 0, None
    for _ in range(repeat):
        result = None  # free the previous run's records outside the timed region
        gc.collect()
        start = time.perf_counter()
        result = bench.run()
        seconds.append(time.perf_counter() - start)
        count = bench.incidents(result)
    note = bench.check(result)
    return Timing(c.name, c.label, count, min(seconds), seconds, note)


def profile_case(c: Case, customers: int, top: int) -> None:
    bench = c.prepare(customers)
    gc.collect()
    profiler = cProfile.Profile()
    profiler.enable()
    result = bench.run()
    profiler.disable()
    print(f"# profile of {c.name} ({bench.incidents(result)} incidents), by tottime")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    print(out.getvalue())


# -- shared helpers -------------------------------------------------------------------------


def days_for(customers: int, rate_per_week: float) -> int:
    """Days whose expected incident count at `rate_per_week` is closest to `customers`."""
    return max(1, round(customers * 7 / rate_per_week))


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c."""
    a = lam / mu
    rho = a / c
    below = sum(a**k / math.factorial(k) for k in range(c))
    top = a**c / math.factorial(c) / (1 - rho)
    return top / (below + top) / (c * mu - lam)


def engine_bench(scenario: Scenario, days: int, check: Callable[[RunRecords], str]) -> Bench:
    """Time what a user pays per replication: building the TeamModel and running it."""

    def run() -> RunRecords:
        return TeamModel(scenario, days, seed=SEED, replication=0).run()

    return Bench(run=run, incidents=lambda r: len(r.incidents), check=check)


def loads(records: RunRecords, scenario: Scenario, bin_minutes: float) -> list[float]:
    """Utilisation of every person and time bin of the horizon in which they held a slot:
    slot-minutes held (leading or stuck) over capacity x bin length."""
    busy: dict[tuple[str, int], float] = {}
    bins = int(records.days * MINUTES_PER_DAY // bin_minutes)
    for span in records.work:
        if span.role is not Role.LED and span.role is not Role.STUCK:
            continue
        b, t = int(span.start // bin_minutes), span.start
        while t < span.end and b < bins:  # split spans across bin edges
            edge = min(span.end, (b + 1) * bin_minutes)
            busy[span.person, b] = busy.get((span.person, b), 0.0) + edge - t
            b, t = b + 1, edge
    capacity = {p.id: p.capacity for p in scenario.people}
    return [v / (capacity[k[0]] * bin_minutes) for k, v in busy.items()]


# -- cases ----------------------------------------------------------------------------------


@case("simpy", "bare SimPy M/M/c")
def bare_simpy(customers: int) -> Bench:
    """Idiomatic SimPy: a source process, one process per customer, a Resource of c servers."""

    def customer(env: simpy.Environment, server: simpy.Resource, service: float, waits: list):
        arrived = env.now
        with server.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(service)

    def source(env, server, gaps, services, waits):
        for gap, service in zip(gaps, services):
            yield env.timeout(gap)
            env.process(customer(env, server, service, waits))

    def run() -> list[float]:
        rng = np.random.default_rng(SEED)
        gaps = rng.exponential(1.0 / MMC_LAMBDA, customers).tolist()
        services = rng.exponential(1.0 / MMC_MU, customers).tolist()
        env = simpy.Environment()
        server = simpy.Resource(env, capacity=MMC_SERVERS)
        waits: list[float] = []
        env.process(source(env, server, gaps, services, waits))
        env.run()
        return waits

    def check(waits: list[float]) -> str:
        theory = erlang_c_wait(MMC_LAMBDA, MMC_MU, MMC_SERVERS)
        return f"mean wait {statistics.fmean(waits):.3f} (Erlang C {theory:.3f})"

    return Bench(run=run, incidents=len, check=check)


def reduced_scenario() -> Scenario:
    """The M/M/c above as a herosim team: every engine feature reduced away."""
    members = [f"p{i}" for i in range(MMC_SERVERS)]
    return Scenario.model_validate(dict(
        name="mmc",
        services=[{"id": "s"}],
        classes=[{
            "id": "k", "service": "s", "rate_per_week": MMC_RATE_PER_WEEK, "difficulty": 0.0,
            "work_minutes": {"median": MMC_UNIT / MMC_MU * math.log(2.0),
                             "distribution": "exponential"},
        }],
        people=[{"id": p, "skills": {"k": 1.0}} for p in members],
        rotation={"primary": {"members": members}, "pool": True},
        escalation={"levels": [{"target": "primary"}], "loops": 0},
        behaviour={"ack_median_minutes": {"business": 0, "off": 0, "sleep": 0}},
    ))


@case("reduced", "herosim, M/M/c-reduced")
def reduced(customers: int) -> Bench:
    scenario = reduced_scenario()
    days = days_for(customers, MMC_RATE_PER_WEEK)

    def check(records: RunRecords) -> str:
        waits = [(r.work_started - r.arrived) / MMC_UNIT for r in records.incidents]
        theory = erlang_c_wait(MMC_LAMBDA, MMC_MU, MMC_SERVERS)
        return f"{days} days; mean wait {statistics.fmean(waits):.3f} (Erlang C {theory:.3f})"

    return engine_bench(scenario, days, check)


# Weekly profiles, 168 hourly weights from Monday 00:00 in the scenario's zone.
BUSINESS_PROFILE = [3.0 if d < 5 and 8 <= h < 18 else 1.0 for d in range(7) for h in range(24)]
DEPLOY_PROFILE = [
    6.0 if d < 4 and 10 <= h < 16 else 2.0 if d < 5 and 8 <= h < 18 else 0.5
    for d in range(7) for h in range(24)
]

# Real incidents per week of the full scenario; with its alert noise the page rate stays
# within MAX_RATE_PER_WEEK. Durations are compressed to match (sub-minute work, seconds-long
# acks), so that ~1,000 incidents a day keep every person-week below 70% utilisation.
FULL_RATE_PER_WEEK = 7000.0
FULL_NOISE = 0.3


def full_scenario() -> Scenario:
    """A team using every engine feature: profiles, lognormal work, 7 people in 3 zones,
    escalations, a hero pulled informally, secondary and shadow, noise, misrouting,
    absences, sick days, a class requiring someone's access, capacities 1-2."""
    shares = {"api": 0.40, "db": 0.20, "pay": 0.15, "deploy": 0.25}
    rate = {k: FULL_RATE_PER_WEEK * v for k, v in shares.items()}
    return Scenario.model_validate(dict(
        name="full",
        timezone="Europe/Berlin",
        services=[{"id": "api"}, {"id": "db"}, {"id": "payments", "critical": True}],
        classes=[
            {"id": "api", "service": "api", "rate_per_week": rate["api"],
             "weekly_profile": BUSINESS_PROFILE, "difficulty": 0.35,
             "work_minutes": {"median": 0.15, "p90": 0.45}, "slo_minutes": 3.0},
            {"id": "db", "service": "db", "severity": "sev1", "rate_per_week": rate["db"],
             "difficulty": 0.7, "work_minutes": {"median": 0.2, "p90": 0.6},
             "slo_minutes": 5.0},
            {"id": "pay", "service": "payments", "severity": "sev1",
             "rate_per_week": rate["pay"], "weekly_profile": BUSINESS_PROFILE,
             "difficulty": 0.55, "work_minutes": {"median": 0.15, "p90": 0.4},
             "requires": ["ana", "cleo", "fay"], "slo_minutes": 4.0},
            {"id": "deploy", "service": "api", "severity": "sev3", "rate_per_week": rate["deploy"],
             "weekly_profile": DEPLOY_PROFILE, "difficulty": 0.25,
             "work_minutes": {"median": 0.1, "p90": 0.3}, "slo_minutes": 3.0},
        ],
        people=[
            {"id": "ana", "timezone": "Europe/Berlin", "capacity": 2,
             "skills": {"api": 0.95, "db": 0.95, "pay": 0.95, "deploy": 0.9},
             "absences": [{"start_day": 14, "end_day": 27, "reason": "vacation"}],
             "sick_days_per_year": 6},
            {"id": "ben", "timezone": "Europe/Berlin", "capacity": 2,
             "skills": {"api": 0.7, "db": {"knowledge": 0.5, "confidence": 0.3}, "pay": 0.4,
                        "deploy": 0.8},
             "absences": [{"start_day": 60, "end_day": 66}], "sick_days_per_year": 8},
            {"id": "cleo", "timezone": "Europe/Berlin", "capacity": 2, "wakeable": False,
             "skills": {"api": 0.6, "db": 0.3, "pay": {"knowledge": 0.7, "confidence": 0.45},
                        "deploy": 0.6},
             "sick_days_per_year": 10},
            {"id": "dev", "timezone": "America/New_York", "capacity": 2,
             "skills": {"api": 0.8, "db": 0.6, "deploy": 0.7},
             "absences": [{"start_day": 150, "end_day": 160}], "sick_days_per_year": 8},
            {"id": "eli", "timezone": "America/New_York", "capacity": 1,
             "skills": {"api": {"knowledge": 0.5, "confidence": 0.3}, "deploy": 0.5},
             "sick_days_per_year": 8},
            {"id": "fay", "timezone": "Asia/Kolkata", "capacity": 2,
             "working_hours": {"start": 9, "end": 17},
             "skills": {"api": 0.7, "db": 0.7, "pay": 0.5, "deploy": 0.6},
             "absences": [{"start_day": 100, "end_day": 104}], "sick_days_per_year": 8},
            {"id": "gus", "timezone": "Asia/Kolkata", "capacity": 1, "wakeable": False,
             "skills": {"api": 0.4, "deploy": 0.4}, "sick_days_per_year": 8},
        ],
        heroes=["ana"],
        rotation={
            "primary": {"members": ["ben", "dev", "fay", "cleo"], "period_days": 7},
            "secondary": {"members": ["ana", "dev", "fay"], "period_days": 7, "offset": 1},
            "shadow": {"members": ["eli", "gus"], "period_days": 7},
        },
        escalation={"levels": [{"target": "primary", "timeout_minutes": 3.0},
                               {"target": "secondary", "timeout_minutes": 3.0},
                               {"target": "team", "timeout_minutes": 3.0}],
                    "loops": 1},
        conditions={"alert_noise": FULL_NOISE, "routing_ambiguity": 0.1,
                    "observability": 1.2, "informal_pull": 0.35},
        behaviour={"ack_median_minutes": {"business": 0.4, "off": 0.8, "sleep": 1.5},
                   "stuck_minutes": 0.3, "hesitation_minutes": 0.5, "reroute_minutes": 0.3,
                   "triage_minutes": 0.4},
    ))


@case("full", "herosim, full-featured team")
def full(customers: int) -> Bench:
    scenario = full_scenario()
    days = days_for(customers, FULL_RATE_PER_WEEK)

    def check(records: RunRecords) -> str:
        incidents = records.incidents
        escalated = sum(1 for r in incidents if r.escalations) / len(incidents)
        hero = sum(1 for r in incidents if r.hero_involved) / len(incidents)
        ttm = np.percentile([r.mitigated - r.arrived for r in incidents], [50, 90, 99])
        day = max(loads(records, scenario, MINUTES_PER_DAY))
        hour = np.percentile(loads(records, scenario, 60.0), [99, 100])
        return (f"{days} days; {escalated:.0%} escalated, hero in {hero:.0%}, "
                f"{len(records.interruptions) / len(incidents):.2f} pages/incident; "
                f"time to mitigate p50/p90/p99 {ttm[0]:.1f}/{ttm[1]:.1f}/{ttm[2]:.1f} min; "
                f"utilisation of the busiest person-day {day:.0%}, "
                f"of person-hours p99 {hour[0]:.0%}, max {hour[1]:.0%}")

    return engine_bench(scenario, days, check)


PLATFORM = Path(__file__).resolve().parent.parent / "scenarios" / "platform-team.yaml"


@case("check", "herosim check, platform-team")
def default_check(customers: int) -> Bench:
    """The default `herosim check scenarios/platform-team.yaml` (26 weeks, checkpoints every 4,
    20 replications), in this process: every incident of the plan runs and of the checkpoint
    replays counts. Its size is fixed by the check, not by --customers."""
    from sim.analysis import independence
    from sim.analysis.replicate import Replications
    from sim.inputs.scenario import load_scenario
    from sim.model import team as engine

    scenario = load_scenario(PLATFORM)
    counted = [0, 0, 0]  # real incidents, false pages, changes
    original = engine.TeamModel.run

    def counting_run(self, snapshot_at=()):
        records = original(self, snapshot_at)
        counted[0] += len(records.incidents)
        counted[1] += sum(1 for w in records.work if w.incident_id is None
                          and w.role is Role.ACKNOWLEDGED)
        counted[2] += len(records.changes)
        return records

    def run():
        counted[:] = [0, 0, 0]
        engine.TeamModel.run = counting_run
        try:
            result = independence.run_check(Replications(scenario, 20, SEED, workers=1),
                                            None, weeks=26, every=4)
        finally:
            engine.TeamModel.run = original
        return result, list(counted)

    def check(result) -> str:
        doc = result[0].to_json()
        incidents, pages, changes = result[1]
        return (f"{incidents} incidents, {pages} false pages and {changes} changes simulated "
                f"(per incident: counted by real incidents only); "
                f"verdict {doc['final']['verdict']}; "
                f"{len(doc['checkpoints'])} checkpoints x 2 replays of "
                f"{doc['evaluation_days']} days per replication")

    return Bench(run, lambda result: result[1][0], check)


# -- main -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=200_000,
                        help="incidents per case (default 200000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per case, best kept")
    parser.add_argument("--profile", choices=sorted(CASES), metavar="CASE",
                        help=f"instead of timing, cProfile one run of CASE ({', '.join(CASES)})")
    parser.add_argument("--top", type=int, default=30, help="rows of --profile output")
    args = parser.parse_args(argv)

    if args.profile:
        profile_case(CASES[args.profile], args.customers, args.top)
        return

    timings = [time_case(c, args.customers, max(1, args.repeat)) for c in CASES.values()]
    base = timings[0].us_per_incident  # the first case is the floor: bare SimPy
    print(f"python {sys.version.split()[0]}, simpy {simpy.__version__}, herosim engine "
          f"{ENGINE_BUILD} ({Path(sim.model.__file__).parent}), "
          f"{args.customers} incidents per case, best of {args.repeat}")
    print(f"{'case':<30} {'incidents':>10} {'best s':>8} {'us/incident':>12} {'x simpy':>8}")
    for t in timings:
        print(f"{t.label:<30} {t.incidents:>10} {t.best_seconds:>8.2f} "
              f"{t.us_per_incident:>12.2f} {t.us_per_incident / base:>8.2f}")
    for t in timings:
        if t.check:
            print(f"  {t.name}: {t.check}")
    summary: dict[str, float | str] = {"engine_build": ENGINE_BUILD}
    for t in timings:
        summary[f"us_per_incident_{t.name}"] = round(t.us_per_incident, 3)
    for t in timings[1:]:
        summary[f"ratio_{t.name}"] = round(t.us_per_incident / base, 3)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
