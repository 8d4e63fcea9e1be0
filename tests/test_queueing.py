"""Agreement with queueing theory where the model reduces to a textbook queue.

With identical, fully skilled people (knowledge 1, difficulty 0: they always can and will
lead), a pool rotation, one escalation level, instant acknowledgements, no noise, misrouting or
informal pulls, and exponential work, a team is an M/M/c queue; its mean wait before work
starts must match Erlang C. Arrivals must be the Poisson process the scenario states, and a lone
hero with a known absence schedule must be a single server that goes away and comes back.

Every test is deterministic: fixed seeds, fixed replication counts.
"""

from __future__ import annotations

import heapq
import math
from concurrent.futures import ProcessPoolExecutor
from functools import partial

import numpy as np
import pytest
from scipy import stats

from sim.analysis.metrics import interval
from sim.analysis.replicate import default_workers
from sim.model import TeamModel, sample_arrivals
from sim.schema import HOURS_PER_WEEK, MINUTES_PER_DAY, MINUTES_PER_WEEK, Scenario

SEED = 20260105
MEAN_SERVICE = 10.0  # minutes: short, so that a simulated day holds many services
WARMUP_DAYS = 1  # incidents arriving on the first day (empty system) are left out
REPLICATIONS = 40
MAX_HALF_WIDTH = 0.03  # of the analytic value


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue of an M/M/c queue (Erlang C).

    With offered load a = lam / mu and utilisation rho = a / c < 1, the chance that an arrival
    finds all c servers busy and waits is

        C(c, a) = (a^c / c!) / (1 - rho)  /  [ sum_{k=0}^{c-1} a^k / k!  +  (a^c / c!) / (1 - rho) ]

    and the mean wait before service starts is Wq = C(c, a) / (c mu - lam). For c = 1 this is
    the M/M/1 result rho / (mu - lam).
    """
    a = lam / mu
    rho = a / c
    if not 0 <= rho < 1:
        raise ValueError(f"utilisation rho ({rho}) must be in [0, 1) for a steady state")
    busy = a**c / math.factorial(c) / (1 - rho)
    idle = sum(a**k / math.factorial(k) for k in range(c))
    return busy / (idle + busy) / (c * mu - lam)


def test_erlang_c_matches_hand_values():
    """Erlang C: M/M/1 gives rho/(mu-lam); M/M/2 at a=1 waits with chance 1/3."""
    assert erlang_c_wait(0.5, 1.0, 1) == pytest.approx(1.0)
    assert erlang_c_wait(0.8, 1.0, 1) == pytest.approx(4.0)
    # M/M/2, a = 1: C = (1/2 / (1/2)) / (1 + 1 + 1) = 1/3; Wq = C / (2 - 1) = 1/3.
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)


# --- M/M/c --------------------------------------------------------------------------------------


def replication_means(scenario: Scenario, days: int, replication: int):
    """One replication's means over the incidents that arrive after the warm-up.

    Returns the mean wait before work starts (work_started - arrived), the mean of the unit
    exponential variates carried by the incidents' work draws, and the number of incidents.
    The last two are inputs with known expectations, used as control variates.
    """
    records = TeamModel(scenario, days, SEED, replication).run()
    arrivals = sample_arrivals(scenario, days, SEED, replication)
    kept = [a for a in arrivals if a.at >= WARMUP_DAYS * MINUTES_PER_DAY]
    by_id = {r.incident_id: r for r in records.incidents}
    wait = np.mean([by_id[a.incident_id].work_started - by_id[a.incident_id].arrived
                    for a in kept])
    # The work draw z is standard normal; -ln Q(z), Q the normal tail, is then unit exponential.
    unit_work = np.mean(-stats.norm.logsf([a.work_z for a in kept]))
    return float(wait), float(unit_work), len(kept)


def controlled_interval(y, controls, expected, confidence: float = 0.95):
    """Control-variate estimate of E[y] and the half-width of its Student-t interval.

    `y` holds one mean per replication, `controls` one row of input statistics per replication,
    and `expected` their known expectations. Regressing y on (controls - expected) by least
    squares, the intercept estimates E[y] with the part of its variance the controls explain
    removed; its interval uses the intercept's standard error and t with R - 1 - q degrees of
    freedom (Lavenberg & Welch 1981; Law, Simulation Modeling and Analysis, 11.4).
    """
    y = np.asarray(y, dtype=float)
    design = np.column_stack([np.ones(len(y)), np.asarray(controls, dtype=float) - expected])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    dof = len(y) - design.shape[1]
    variance = residual @ residual / dof * np.linalg.inv(design.T @ design)[0, 0]
    half = float(stats.t.ppf(0.5 + confidence / 2, dof)) * math.sqrt(variance)
    return float(coef[0]), half


@pytest.fixture(scope="module")
def pool():
    """Worker processes for the replications: they are independent by construction."""
    with ProcessPoolExecutor(max_workers=min(2, default_workers())) as executor:
        yield executor


@pytest.mark.parametrize(
    "c, rho, days",
    [
        # Days per replication, so that 40 replications give an interval near +-2.4%.
        (1, 0.5, 47),
        (1, 0.8, 114),
        (3, 0.5, 44),
        (3, 0.8, 50),
    ],
)
def test_mean_wait_matches_erlang_c(mmc_scenario, pool, c, rho, days):
    """M/M/c: the 95% interval of the mean wait holds Erlang C and is narrower than +-3%.

    The interval comes from the per-replication means. Plain, it would need about twice the
    replications to be this narrow, so the estimate is corrected by two control variates
    whose expectations are known from the inputs alone: the mean unit-exponential work variate
    (1) and the number of incidents after the warm-up (lambda x minutes). They are input
    statistics, not outputs of the engine, so a wrong queue cannot be corrected into a right
    one; the uncorrected (wider) 99% interval must hold the analytic value too.
    """
    scenario = mmc_scenario(c, rho, MEAN_SERVICE)
    lam = rho * c / MEAN_SERVICE
    analytic = erlang_c_wait(lam, 1 / MEAN_SERVICE, c)
    rows = list(pool.map(partial(replication_means, scenario, days), range(REPLICATIONS)))
    waits = [r[0] for r in rows]
    controls = [r[1:] for r in rows]
    expected = (1.0, lam * (days - WARMUP_DAYS) * MINUTES_PER_DAY)

    estimate, half = controlled_interval(waits, controls, expected)
    plain = interval(waits, confidence=0.99)

    assert abs(estimate - analytic) <= half, (
        f"M/M/{c} at rho {rho}: mean wait {estimate:.3f} +- {half:.3f} min misses "
        f"Erlang C {analytic:.3f}"
    )
    assert half < MAX_HALF_WIDTH * analytic, (
        f"M/M/{c} at rho {rho}: half-width {half:.3f} is not under 3% of {analytic:.3f}"
    )
    assert plain["ci_low"] <= analytic <= plain["ci_high"], (
        f"M/M/{c} at rho {rho}: plain interval {plain} misses Erlang C {analytic:.3f}"
    )


# --- arrivals ------------------------------------------------------------------------------------


def test_incidents_per_week_are_poisson_at_the_rate(make_scenario):
    """Weekly counts average the rate, with Poisson dispersion and exponential gaps."""
    weeks = 1000
    rates = {"a": 3.0, "b": 1.5}
    scenario = make_scenario(classes=[
        {"id": cid, "service": "svc", "rate_per_week": rate, "work_minutes": {"median": 30}}
        for cid, rate in rates.items()
    ], people=[{"id": "hero", "skills": {"a": 1.0, "b": 1.0}},
               {"id": "ann", "skills": {"a": 0.5}}])
    arrivals = sample_arrivals(scenario, 7 * weeks, seed=SEED, replication=0)
    times = np.array([a.at for a in arrivals])
    total_rate = sum(rates.values())

    for index, (cid, rate) in enumerate(rates.items()):
        count = sum(a.class_index == index for a in arrivals)
        low, high = stats.poisson.interval(0.999, rate * weeks)
        assert low <= count <= high, f"class {cid}: {count} incidents in {weeks} weeks"

    weekly = np.bincount((times // MINUTES_PER_WEEK).astype(int), minlength=weeks)
    low, high = stats.poisson.interval(0.999, total_rate * weeks)
    assert low <= weekly.sum() <= high
    assert weekly.mean() == pytest.approx(total_rate, rel=0.05)
    # Index of dispersion: for Poisson counts, sum (x - mean)^2 / mean ~ chi2(weeks - 1).
    dispersion = ((weekly - weekly.mean()) ** 2).sum() / weekly.mean()
    low, high = stats.chi2.interval(0.999, weeks - 1)
    assert low <= dispersion <= high
    gaps = np.diff(np.sort(times))
    assert stats.kstest(gaps, "expon", args=(0, MINUTES_PER_WEEK / total_rate)).pvalue > 0.001


def test_weekly_profile_puts_every_arrival_in_its_hour(make_scenario):
    """All profile weight on Monday 10:00-11:00: every arrival falls in that hour."""
    profile = [0.0] * HOURS_PER_WEEK
    profile[10] = 1.0
    weeks = 50
    scenario = make_scenario(classes=[{
        "id": "k", "service": "svc", "rate_per_week": 4.0, "weekly_profile": profile,
        "work_minutes": {"median": 30},
    }])
    arrivals = sample_arrivals(scenario, 7 * weeks, seed=SEED, replication=0)
    minute_of_week = np.array([a.at for a in arrivals]) % MINUTES_PER_WEEK

    assert len(arrivals) > 0
    assert ((minute_of_week >= 600) & (minute_of_week < 660)).all()
    low, high = stats.poisson.interval(0.999, 4.0 * weeks)
    assert low <= len(arrivals) <= high


# --- a lone hero ---------------------------------------------------------------------------------

HERO_MEAN_WORK = 30.0
HERO_LOAD = 0.2
HERO_WEEKS = 20
ABSENT_WEEKDAYS = (2, 3)  # away every Wednesday and Thursday
RETURN_WEEKDAY = 4
TIMEOUT = 1.0  # minutes the page waits for an absent hero before the policy gives up


def lone_hero_scenario(make_scenario) -> Scenario:
    """One hero, fully skilled, the only one with access, away on known days."""
    return make_scenario(
        classes=[{
            "id": "k", "service": "svc", "difficulty": 0.0, "requires": ["hero"],
            "rate_per_week": HERO_LOAD / HERO_MEAN_WORK * MINUTES_PER_WEEK,
            "work_minutes": {"median": HERO_MEAN_WORK * math.log(2.0),
                             "distribution": "exponential"},
        }],
        people=[{
            "id": "hero", "skills": {"k": 1.0},
            "absences": [{"start_day": 7 * w + ABSENT_WEEKDAYS[0],
                          "end_day": 7 * w + ABSENT_WEEKDAYS[-1]} for w in range(HERO_WEEKS)],
        }],
        heroes=["hero"],
        rotation={"primary": {"members": ["hero"]}},
        escalation={"levels": [{"target": "primary", "timeout_minutes": TIMEOUT}], "loops": 0},
        behaviour={"ack_median_minutes": {"business": 0, "off": 0, "sleep": 0}},
    )


def hero_ready_at(arrived: float) -> float:
    """When the hero can first take an incident: at once, or when back from an absence."""
    day = int(arrived // MINUTES_PER_DAY)
    if day % 7 not in ABSENT_WEEKDAYS:
        return arrived
    back = (day - day % 7 + RETURN_WEEKDAY) * MINUTES_PER_DAY
    # The page to the absent hero times out first; then the incident waits for the return.
    return max(back, arrived + TIMEOUT)


def waits_from(arrived: float) -> float:
    """When an incident starts waiting for the hero: at once, or after the page times out."""
    day = int(arrived // MINUTES_PER_DAY)
    return arrived if day % 7 not in ABSENT_WEEKDAYS else arrived + TIMEOUT


def hero_back_at(t: float) -> float:
    """`t`, or the hero's return when `t` falls in an absence (nobody starts work while away)."""
    day = int(t // MINUTES_PER_DAY)
    if day % 7 not in ABSENT_WEEKDAYS:
        return t
    return (day - day % 7 + RETURN_WEEKDAY) * MINUTES_PER_DAY


def test_lone_hero_with_absences_is_explainable(make_scenario):
    """A lone hero away Wed-Thu: a single FIFO server that pauses, checked exactly and on average.

    Exact, per incident: the hero is one server taking incidents in the order they start
    waiting for it: the arrival on a present day, the page's timeout on an absent day. An
    incident whose turn comes while the hero is away (it arrived on an absent day, or queued on
    Tuesday night behind work that ran past midnight) waits for the return (00:00 of Friday),
    keeping its place: nobody starts work while away, and the queue stays first come, first
    served. Replaying that single server with
    a heap reproduces every work_started exactly, and an absent-day incident is
    acknowledged by the hero when they take it up (the queue of waiting work is offered to them
    on their return, oldest first): its time to mitigate is the time left until the absence
    ends, plus the work queued ahead of it, plus its own work.

    On average: incidents arriving on ordinary present days (not Tuesday, whose late queue
    waits out the absence, nor Friday, when the backlog is worked off) see an M/M/1 queue at
    low load, whose mean time to mitigate is 1 / (mu - lambda); the 95% interval over
    replications must contain it.
    """
    scenario = lone_hero_scenario(make_scenario)
    days = 7 * HERO_WEEKS
    lam = HERO_LOAD / HERO_MEAN_WORK
    mu = 1 / HERO_MEAN_WORK
    present_means = []
    absent_seen = 0
    for replication in range(40):
        incidents = TeamModel(scenario, days, SEED, replication).run().incidents
        # (when it may start, when it began waiting for that, arrival, record)
        waiting = [(waits_from(r.arrived), waits_from(r.arrived), r.arrived, r)
                   for r in incidents]
        heapq.heapify(waiting)
        free_at = 0.0
        while waiting:
            since, began, _, record = heapq.heappop(waiting)
            turn = max(since, free_at)
            if hero_back_at(turn) > turn:
                # Its turn came while the hero is away: it waits for the return, keeping its
                # place among those waiting (first come, first served by when each began to
                # wait: the arrival, or the page's timeout on an absent day).
                heapq.heappush(waiting, (hero_back_at(turn), began, record.arrived, record))
                continue
            assert record.lead == "hero" and not record.struggled
            assert record.work_started == pytest.approx(turn, abs=1e-6), record
            ready = hero_ready_at(record.arrived)
            if ready > record.arrived:
                absent_seen += 1
                assert record.acknowledged == pytest.approx(record.work_started, abs=1e-6)
                assert record.acknowledged >= ready - 1e-6, record
                assert record.acknowledged_by == "hero"
            free_at = record.mitigated
        ordinary = [r.time_to_mitigate for r in incidents
                    if int(r.arrived // MINUTES_PER_DAY) % 7
                    not in (ABSENT_WEEKDAYS[0] - 1, *ABSENT_WEEKDAYS, RETURN_WEEKDAY)]
        present_means.append(np.mean(ordinary))

    assert absent_seen > 2000  # the absent-day path is well exercised
    sojourn = interval(present_means)
    assert sojourn["ci_low"] <= 1 / (mu - lam) <= sojourn["ci_high"], sojourn
