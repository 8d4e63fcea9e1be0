"""A backtest a manager can believe: fit on the earlier weeks, predict the held-out ones.

`calibrate --holdout 8w` fits each team on the history before the last eight weeks, runs the
fitted scenario over the held-out weeks (its start moved to the Monday before them, the
rotation turned to match), and sets each real figure of those weeks beside its prediction
interval: incidents per class, time to resolve p50 and p90 per class, the top handler's share,
the escalation rate and the heroes' interruptions per week. Each replication draws the classes'
rates and work medians from the fit's own uncertainty (a rate from n incidents is known to
about 1/sqrt(n); a work median to its bootstrap interval), so the intervals carry what the
fit does not know as well as the weeks' own randomness. An interval runs from the k-th
smallest to the k-th largest of the replications' values, k as large as keeps its coverage of
a new value (n + 1 - 2k) / (n + 1) at least 80% (81% with 20 replications; with fewer it is
wider in probability, e.g. 78% from min to max of 8). Coverage (the share of real figures
inside their intervals) should be near that level.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sim.analysis.calibrate.consistency import (
    Check,
    Uncertainty,
    compare,
    prediction_interval,
    simulated_window,
)
from sim.analysis.calibrate.figures import measure, references
from sim.analysis.document import Document
from sim.analysis.replicate import Replications
from sim.errors import InputError, Problem
from sim.schema import Scenario

INTERVAL = 0.8  # nominal coverage of the prediction intervals
FIGURES = ("incidents", "ttr_p50", "ttr_p90", "top_handler_share", "escalation_rate",
           "hero_interruptions_per_week")
TEAM_FIGURES = ("top_handler_share", "escalation_rate", "hero_interruptions_per_week")


@dataclass
class Backtest(Document):
    """One team's held-out weeks beside their predictions (docs/outputs.md)."""

    team: str
    train_start: str
    split: str
    end: str
    holdout_weeks: float
    replications: int
    interval: float  # the intervals' coverage by construction ((n + 1 - 2k) / (n + 1))
    checks: list[Check]
    covered: int
    figures: int
    coverage: float | None
    summary: str = ""
    notes: list[str] = field(default_factory=list)


def parse_holdout(text: str) -> float:
    """'8w', '8', '56d' -> weeks (raises InputError)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([wd]?)\s*", text or "")
    if not match or float(match.group(1)) <= 0:
        raise InputError([Problem("command line", "--holdout", repr(text),
                                  "a number of weeks or days, e.g. 8w or 56d")])
    value = float(match.group(1))
    return value / 7.0 if match.group(2) == "d" else value


def uncertainty(scenario: Scenario, incidents: dict[str, int], work_sd: dict[str, float]
                ) -> Uncertainty:
    """Per scenario class: the sd of log rate (1/sqrt(n + 0.5) of its history class's n) and
    of log work median (from its bootstrap interval)."""
    return Uncertainty({c.id: 1.0 / math.sqrt(incidents.get(c.id, 0) + 0.5)
                        for c in scenario.classes},
                       {c.id: work_sd.get(c.id, 0.0) for c in scenario.classes})


def shifted(scenario: Scenario, start: dt.date) -> Scenario:
    """The scenario starting at the Monday on or before `start` (or before that, so that
    every layer's shifts line up), its rotation turned to have the same people on call."""
    monday = start - dt.timedelta(days=start.weekday())
    layers = [layer for position in ("primary", "secondary", "shadow")
              for layer in (getattr(scenario.rotation, position) or [])]
    while any((monday - scenario.start_date).days % layer.period_days for layer in layers):
        monday -= dt.timedelta(days=7)
    delta = (monday - scenario.start_date).days

    def turn(position):
        schedule = getattr(scenario.rotation, position)
        if schedule is None:
            return None
        return [layer.model_copy(update={"offset": (layer.offset + delta // layer.period_days)
                                         % len(layer.members)}) for layer in schedule]

    rotation = scenario.rotation.model_copy(update={
        p: turn(p) for p in ("primary", "secondary", "shadow")})
    return scenario.model_copy(update={"start_date": monday, "rotation": rotation})


def backtest(reps: Replications, team: str, incidents: list, train_start: dt.datetime,
             split: dt.datetime, end: dt.datetime, class_of: Callable[[str], str], zone_of,
             heroes: list[str], trained_on: list, u: Uncertainty,
             label: Callable[[str], str] = str) -> Backtest:
    """The held-out weeks [split, end) of one team beside the fitted scenario's predictions.

    Args:
        reps: the scenario fitted on the training weeks, replications, seed, workers.
        team: the team's name.
        incidents: the team's held-out incidents (auto-resolved left out).
        train_start, split, end: the training window's start, the split, the end.
        class_of, zone_of, heroes: as in `sim.analysis.calibrate.figures.measure`.
        trained_on: the training incidents (whose top handler and targets are compared).
        u: the fit's uncertainty, drawn per replication.
        label: a subject's label in the texts.
    """
    weeks = (end - split).total_seconds() / (7 * 86400.0)
    local = split.astimezone(ZoneInfo(reps.scenario.timezone)).date()
    moved = Replications(shifted(reps.scenario, local), reps.replications, reps.seed,
                         reps.workers, reps.executor, reps.progress)
    refs = references(trained_on, class_of)
    real = {k: v for k, v in measure(incidents, weeks, class_of, zone_of, heroes, refs).items()
            if k[0] in FIGURES and (k[0] not in TEAM_FIGURES or k[1] == "team")}
    simulated = [measure(kept, weeks, class_of, zone_of, heroes, refs)
                 for kept in simulated_window(moved, split, end, u)]
    checks = compare(real, simulated, INTERVAL, label)
    covered = sum(c.inside for c in checks)
    coverage = covered / len(checks) if checks else None
    nominal = prediction_interval(list(range(reps.replications)), INTERVAL)[2]
    summary = (f"{covered} of {len(checks)} held-out figures inside their {nominal:.0%} "
               f"prediction intervals ({coverage:.0%})" if checks else "nothing to compare")
    return Backtest(team, train_start.isoformat(), split.isoformat(), end.isoformat(),
                    round(weeks, 2), reps.replications, nominal, checks, covered, len(checks),
                    coverage, summary)
