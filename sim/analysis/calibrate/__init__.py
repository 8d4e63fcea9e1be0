"""A scenario per team, fitted from incident history; the check that it reproduces that history;
a backtest on held-out weeks.

A multi-team history (PagerDuty's `team_name`, else `escalation_policy_name`) gives one
scenario per team, each with its own rotation, in its own zone, with everyone in theirs (the
engine runs one team per scenario: a person on two teams appears in both). The method, step by
step, is in docs/history.md ("Calibration"); the modules:

- `rates`: rates (at the window's end when the load has a trend), severities as a mix, weekly
  profiles in the team's zone, alert noise from auto-resolved incidents;
- `work`: work times and skills, shrunk toward what is known beyond one person's few incidents,
  experts seen only through escalations included;
- `schedule`: one rotation per team, chosen by how well it predicts held-out pages;
- `behaviour`: acknowledgement times by hour class in each person's zone, informal pulls,
  whether the team learned;
- `team`: the scenario document with every number's evidence;
- `figures`, `consistency`: the self-consistency check (every figure beside the simulation's
  spread; misfit reported, not absorbed);
- `backtest`: `--holdout`: fit on the earlier weeks, predict the held-out ones;
- `replay`: a history through a scenario (`herosim run --replay`).

The commented YAML is written by `sim.outputs.calibration_yaml`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from sim import __version__
from sim.analysis.calibrate.backtest import Backtest, backtest, parse_holdout, uncertainty
from sim.analysis.calibrate.consistency import (
    CONSISTENCY_REPLICATIONS,
    Consistency,
    self_consistency,
    simulated_histories,
)
from sim.analysis.calibrate.replay import ReplayComparison, replay_arrivals, replay_comparison
from sim.analysis.calibrate.shared import TeamData, team_slices
from sim.analysis.calibrate.team import TeamFit, fit_team, scenario_name
from sim.analysis.document import Document, to_plain
from sim.analysis.heromap import HeroMap, hero_map
from sim.analysis.replicate import Replications
from sim.errors import InputError, Problem
from sim.inputs.history import History, team_of
from sim.schema import Scenario

LAYOUT = "one scenario per team"


@dataclass(frozen=True)
class HistorySummary(Document):
    """Where a calibration's history came from (the YAML's header)."""

    file: str
    format: str
    rows: int
    imported: int
    skipped: int
    start: dt.date
    end: dt.date
    weeks: float
    dropped: int = 0
    auto_resolved: int = 0


@dataclass
class TeamCalibration:
    """One team's fitted scenario, the evidence behind it, the check and the backtest."""

    fit: TeamFit
    scenario: Scenario
    hero_notes: dict[str, str]  # scenario person id -> why the hero map names them
    consistency: Consistency | None = None
    backtest: Backtest | None = None

    @property
    def team(self) -> str:
        """The team's name in the history."""
        return self.fit.team

    @property
    def heroes(self) -> list[str]:
        """The heroes of the scenario."""
        return list(self.scenario.heroes)

    def to_json(self) -> dict:
        """The team's part of calibration.json (docs/outputs.md)."""
        fit = self.fit
        return {
            "team": fit.team, "zone": fit.zone, "scenario": self.scenario.name,
            "classes": fit.classes, "heroes": self.heroes,
            "rotation": to_plain(fit.rotation),
            "work": to_plain(fit.work),
            "skills": to_plain(fit.skills),
            "ack_samples": fit.ack_counts,
            "trend": fit.trend.to_json(),
            "learning": fit.learning.to_json(),
            "consistency": self.consistency.to_json() if self.consistency else None,
            "backtest": self.backtest.to_json() if self.backtest else None,
        }


@dataclass
class Calibration:
    """A calibration: one scenario per team of the history."""

    source: HistorySummary
    teams: list[TeamCalibration]
    layout: str = LAYOUT
    heromap: HeroMap | None = field(default=None, repr=False)

    @property
    def scenario(self) -> Scenario:
        """The first (largest) team's scenario: the only one of a one-team history."""
        return self.teams[0].scenario

    def to_json(self) -> dict:
        """calibration.json (docs/outputs.md)."""
        return {"herosim_version": __version__, "source": self.source.to_json(),
                "layout": self.layout, "teams": [t.to_json() for t in self.teams]}


def calibrate(
    history: History,
    name: str = "calibrated",
    seed: int = 0,
    check: bool = True,
    holdout_weeks: float | None = None,
    teams: Sequence[str] = (),
    replications: int = CONSISTENCY_REPLICATIONS,
    workers: int = 1,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """Fit a scenario to each team of `history`.

    Every simulation (the check, the backtest) runs through a `Replications` of the fitted
    scenario with `replications`, `seed`, `workers` and `executor`.

    Args:
        history: imported incidents (people in their zones: see `load_history`).
        name: the scenario's name; a multi-team history appends each team's id.
        seed: seed of the simulations and of the work times' bootstrap intervals.
        check: run the self-consistency check.
        holdout_weeks: also fit on all but the last weeks and predict those (a backtest).
        teams: only these teams (by name); all when empty.
        replications, workers, executor, progress: the simulations' (see `Replications`).

    Raises:
        InputError: a named team is not in the history, or the holdout leaves too little.
    """
    heromap = hero_map(history, by="service")
    slices = _chosen(team_slices(history), teams)
    out = []
    for team in slices:
        fitted = _fit(team, heromap, name, len(slices), seed)
        reps = Replications(fitted.scenario, replications, seed, workers, executor, progress)
        if check:
            fitted.consistency = self_consistency(
                reps, team.incidents, team.start, team.end, _class_of(fitted.fit),
                team.zone_of, fitted.heroes, history.label)
        out.append(fitted)
    if holdout_weeks:
        _backtests(history, out, heromap, name, len(slices), holdout_weeks, seed,
                   replications, workers, executor, progress)
    report = history.report
    source = HistorySummary(report.file, report.format, report.rows, len(history.incidents),
                            report.skipped_count, history.start.date(), history.end.date(),
                            history.weeks, len(report.dropped), report.auto_resolved)
    return Calibration(source, out, heromap=heromap)


def _chosen(slices: list[TeamData], teams: Sequence[str]) -> list[TeamData]:
    if not teams:
        return slices
    names = {t.name for t in slices}
    unknown = [t for t in teams if t not in names]
    if unknown:
        raise InputError([Problem("command line", "--team", repr(t),
                                  f"no such team in the history; its teams: "
                                  f"{', '.join(sorted(names))}") for t in unknown])
    return [t for t in slices if t.name in teams]


def _fit(team: TeamData, heromap: HeroMap, name: str, count: int, seed: int
         ) -> TeamCalibration:
    findings = [f for f in heromap.heroes if f.team == team.name]
    pulled = {p: sum(p in (set(i.touched) - set(i.assigned)) for i in team.incidents)
              for p in (f.person for f in findings)}
    order = sorted(findings, key=lambda f: (-pulled[f.person], -f.score, f.person))
    fit = fit_team(team, scenario_name(name, team.name, count), [f.person for f in order],
                   seed)
    notes = {f.person: f.reasons[0] for f in findings if f.reasons}
    return TeamCalibration(fit, fit.scenario, {h: notes.get(h, "") for h in fit.heroes})


def _class_of(fit: TeamFit) -> Callable[[str], str]:
    """History classes and scenario classes (severity variants too) -> the reported class."""
    table = {}
    for history_class, variants in fit.classes.items():
        table[history_class] = variants[0]
        for v in variants:
            table[v] = variants[0]
    return lambda c: table.get(c, c)


def _backtests(history: History, fitted: list[TeamCalibration], heromap: HeroMap, name: str,
               count: int, weeks: float, seed: int, replications: int, workers: int,
               executor, progress) -> None:
    split = history.end - dt.timedelta(weeks=weeks)
    if (split - history.start).days < 7 * 4:
        raise InputError([Problem("command line", "--holdout", f"{weeks:g}w",
                                  f"leaves {(split - history.start).days} days to fit on; the "
                                  f"history spans {history.weeks:.1f} weeks, keep at least 4 "
                                  "of them for the fit")])
    training = {t.name: t for t in team_slices(history, end=split)}
    for result in fitted:
        team = training.get(result.team)
        if team is None or not team.incidents:
            continue
        trained = _fit(team, heromap, name, count, seed)
        fit = trained.fit
        per_class, work_sd = {}, {}
        for cf in fit.class_fits:
            w = fit.work[cf.history_class]
            # The bootstrap 90% interval of the median spans 2 x 1.645 sd of its log.
            sd = math.log(w.high / w.low) / (2 * 1.645) if w.low and w.high else 0.0
            for cid, _, share in cf.variants:
                per_class[cid] = int(round(cf.incidents * share))
                work_sd[cid] = sd
        held = [i for i in history.incidents if not i.auto_resolved
                and split <= i.created_at < history.end and team_of(i) == result.team]
        reps = Replications(trained.scenario, replications, seed, workers, executor, progress)
        result.backtest = backtest(
            reps, result.team, held, team.start, split, history.end, _class_of(fit),
            team.zone_of, trained.heroes, team.incidents,
            uncertainty(trained.scenario, per_class, work_sd), history.label)


__all__ = ["LAYOUT", "Backtest", "Calibration", "Consistency", "HistorySummary",
           "ReplayComparison", "TeamCalibration", "calibrate", "parse_holdout",
           "replay_arrivals", "replay_comparison", "self_consistency", "simulated_histories"]
