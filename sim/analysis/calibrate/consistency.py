"""Simulating a fitted scenario as if it were history, and the self-consistency check.

Every simulation goes through a `Replications` (the shared parameter object): its scenario,
replications, seed, workers and executor. A replication's records are written as PagerDuty rows
by the generator's writer and imported like a real export, so the fitted and the real history
are measured by the same code (sim/analysis/calibrate/figures.py).

The check compares each figure of the history with the spread of the same figure over the
replications (a 90% prediction interval from their order statistics): a figure outside that
band is misfit, reported in words. Nothing is rescaled to make it fit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from sim.analysis.calibrate.figures import Key, measure, references
from sim.analysis.document import Document
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.stats import percentiles
from sim.inputs.generate import Naming, pagerduty_history
from sim.inputs.history import History, PeopleFile, UserRow, history_from_records
from sim.model import Arrival, TeamModel
from sim.model.rng import Purpose, stream
from sim.schema import Scenario

CONSISTENCY_REPLICATIONS = 20
BAND = 0.9  # nominal coverage of the self-consistency check's bands
FIGURE_WORDS = {
    "incidents": "incidents", "ttr_p50": "median time to resolve",
    "ttr_p90": "p90 time to resolve", "escalation_rate": "escalation rate",
    "top_target_share": "share of hand-offs reaching the top target",
    "handling_share": "share of the team's incidents handled",
    "top_handler_share": "the top handler's share", "ack_p50": "median time to acknowledge",
    "hero_interruptions_per_week": "hero interruptions per week",
}


@dataclass(frozen=True)
class Uncertainty:
    """How unsure the fit is of each class's rate and work median (log-normal sd per scenario
    class id); each replication draws its own values."""

    rate_sd: dict[str, float] = field(default_factory=dict)
    work_sd: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SimSpec:
    """One simulated history: the scenario, its span, the seed, replayed arrivals, absences,
    and the parameter uncertainty drawn per replication."""

    scenario: Scenario
    days: int
    seed: int
    arrivals: tuple[Arrival, ...] | None = None
    without: tuple[str, ...] = ()
    uncertainty: Uncertainty | None = None


def simulate_history(spec: SimSpec, replication: int) -> list[dict]:
    """One replication, written as PagerDuty rows (module level: it runs in workers)."""
    scenario = spec.scenario
    if spec.uncertainty is not None:
        scenario = _drawn(scenario, spec.uncertainty, spec.seed, replication)
    arrivals = list(spec.arrivals) if spec.arrivals is not None else None
    model = TeamModel(scenario, spec.days, spec.seed, replication, spec.without,
                      arrivals=arrivals)
    records = model.run()
    naming = Naming("", "", {p.id: {"user_id": p.id, "name": p.id} for p in scenario.people})
    rng = stream(spec.seed, replication, Purpose.GENERATE)
    return pagerduty_history(scenario, records, naming, rng)["data"]


def simulated_histories(reps: Replications, days: int,
                        arrivals: Sequence[Arrival] | None = None,
                        without: Sequence[str] = (),
                        uncertainty: Uncertainty | None = None) -> list[History]:
    """Simulate `reps` over `days` and import each replication as a History (people keyed by
    the scenario's ids, in the scenario's zones)."""
    spec = SimSpec(reps.scenario, days, reps.seed,
                   tuple(arrivals) if arrivals is not None else None, tuple(without),
                   uncertainty)
    rows = run_tasks(simulate_history, [(spec, r) for r in range(reps.replications)],
                     reps.workers, reps.progress, reps.executor)
    people = PeopleFile("<scenario>", {p.id: UserRow(p.id, p.id, "", p.timezone)
                                       for p in reps.scenario.people})
    return [history_from_records(data, f"replication {r}", people=people)
            for r, data in enumerate(rows)]


def _drawn(scenario: Scenario, u: Uncertainty, seed: int, replication: int) -> Scenario:
    """The scenario with each class's rate and work median drawn from their uncertainty."""
    rng = stream(seed, replication, Purpose.BOOTSTRAP)
    classes = []
    for c in scenario.classes:
        rate = c.rate_per_week * math.exp(rng.normal(0.0, u.rate_sd.get(c.id, 0.0)))
        work = math.exp(rng.normal(0.0, u.work_sd.get(c.id, 0.0)))
        minutes = c.work_minutes.model_copy(update={
            "median": c.work_minutes.median * work,
            "p90": c.work_minutes.p90 * work if c.work_minutes.p90 is not None else None})
        classes.append(c.model_copy(update={"rate_per_week": rate, "work_minutes": minutes}))
    return scenario.model_copy(update={"classes": classes})


@dataclass
class Check(Document):
    """One figure of the history beside the simulation's spread of it."""

    figure: str
    subject: str
    history: float | None
    simulated: float | None  # median over the replications
    low: float | None  # the prediction interval (the check's band, a backtest's interval)
    high: float | None
    inside: bool
    text: str = ""


@dataclass
class Consistency(Document):
    """The fitted scenario over the history's span beside the history (docs/outputs.md)."""

    replications: int
    seed: int
    days: int
    checks: list[Check]
    misfit: list[str]
    passed: bool
    share_inside: float


def prediction_interval(values: list[float], nominal: float) -> tuple[float, float, float]:
    """A distribution-free prediction interval of a new value from the same distribution as
    `values`: the k-th smallest and k-th largest, k as large as keeps the coverage
    (n + 1 - 2k) / (n + 1) at least `nominal` (at least 1); and that coverage."""
    ordered = sorted(values)
    n = len(ordered)
    k = max(1, int((1.0 - nominal) * (n + 1) / 2.0))
    k = min(k, (n + 1) // 2)
    return ordered[k - 1], ordered[n - k], (n + 1 - 2 * k) / (n + 1)


def compare(real: dict[Key, float | None], simulated: list[dict[Key, float | None]],
            nominal: float = BAND, label: Callable[[str], str] = str) -> list[Check]:
    """The history's figures beside a `nominal` prediction interval from the simulated ones
    (see `prediction_interval`)."""
    checks = []
    for key, value in real.items():
        values = [s.get(key) for s in simulated]
        values = [v for v in values if v is not None]
        if value is None or not values:
            continue
        low, high, _ = prediction_interval(values, nominal)
        mid = percentiles(values, (50.0,))[0]
        inside = low - 1e-9 <= value <= high + 1e-9
        figure, subject = key
        text = (f"{FIGURE_WORDS.get(figure, figure)} of {label(subject)}: history "
                f"{_fmt(figure, value)}, model {_fmt(figure, mid)} "
                f"({_fmt(figure, low)} to {_fmt(figure, high)})")
        checks.append(Check(figure, subject, value, mid, low, high, inside, text))
    return checks


def simulated_window(reps: Replications, start: dt.datetime, end: dt.datetime,
                     uncertainty: Uncertainty | None = None) -> list[list]:
    """Each replication's incidents created in [start, end), the scenario starting on its
    start_date (the Monday on or before `start`)."""
    origin = dt.datetime.combine(reps.scenario.start_date, dt.time(),
                                 tzinfo=ZoneInfo(reps.scenario.timezone))
    days = max(1, math.ceil((end - origin).total_seconds() / 86400.0))
    return [[i for i in sim.incidents if not i.auto_resolved and start <= i.created_at < end]
            for sim in simulated_histories(reps, days, uncertainty=uncertainty)]


def self_consistency(reps: Replications, incidents: list, start: dt.datetime,
                     end: dt.datetime, class_of: Callable[[str], str], zone_of,
                     heroes: list[str], label: Callable[[str], str] = str) -> Consistency:
    """Run the fitted scenario (`reps.scenario`) over the history's window and compare every
    figure (sim/analysis/calibrate/figures.py) with its spread over the replications."""
    weeks = (end - start).total_seconds() / (7 * 86400.0)
    refs = references(incidents, class_of)
    real = measure(incidents, weeks, class_of, zone_of, heroes, refs)
    real = {k: v for k, v in real.items()
            if k[0] != "handling_share" or (v or 0.0) >= 0.05}
    simulated = [measure(kept, weeks, class_of, zone_of, heroes, refs)
                 for kept in simulated_window(reps, start, end)]
    checks = compare(real, simulated, label=label)
    misfit = [c.text for c in checks if not c.inside]
    inside = sum(c.inside for c in checks) / len(checks) if checks else 1.0
    days = max(1, math.ceil((end - start).total_seconds() / 86400.0))
    return Consistency(reps.replications, reps.seed, days, checks, misfit, not misfit, inside)


def _fmt(figure: str, value: float | None) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if figure in ("escalation_rate", "top_target_share", "handling_share",
                  "top_handler_share"):
        return f"{value:.0%}"
    if figure == "incidents":
        return f"{value:.0f}"
    return f"{value:.1f}"
