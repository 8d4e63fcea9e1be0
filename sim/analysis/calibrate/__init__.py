"""A scenario fitted from incident history, and the check that it reproduces that history.

The method (docs/history.md, "Calibration", has the reasoning):

1. **Rates**: incidents per class over the observation window; a weekly profile (business /
   off / sleep hour levels) when a chi-square test says the hours differ (p < 0.01, n >= 30).
2. **People's speed**: a person's *work time* on an incident they resolved alone (time to
   resolve minus time to acknowledge) is the expert's time stretched by the engine's factor
   1 + slowdown x (1 - k). Relative to the fastest person with at least 3 solo resolutions,
   a person's median ratio r gives knowledge k = 1 - (r - 1) / slowdown.
3. **Work times**: every solo work time divided by its resolver's factor is an expert sample;
   their median and p90 give the class's lognormal.
4. **Solo share -> confidence**: among incidents a person was paged for first, the share they
   resolved alone, s, is P(can fix) x P(will lead) in the engine; with difficulty 0.5 (the
   scale's midpoint: difficulty and knowledge are not separately identifiable from history),
   confidence is set so P(will lead) = s / P(can fix). People who resolved escalated incidents
   but never alone get knowledge 0.9 (speed unobservable); people paged first who never
   resolved get 0.3.
5. **Rotation and policy**: the primary schedule (members, period, hand-off hour) that best
   predicts who was paged first; the person most escalated to as the secondary; the default
   policy. Ack medians per hour class; the informal-pull chance from hand-offs that went to a
   person outside the assignments (a responder request or a direct message).
6. **Correction by simulation**: the class work medians are rescaled (a few fixed-point steps)
   until the simulated median time to resolve per class matches history.

`self_consistency` runs the fitted scenario and compares: median time to resolve per class,
and the share of incidents touching the top person.

The package: `fit` (the statistics of steps 1-6), `schedule` (the rotation), `consistency`
(step 7 and the self-consistency check, by simulation), `replay` (a history through a
scenario). The commented YAML is written by `sim.outputs.calibration_yaml`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sim.analysis.calibrate.consistency import (
    CONSISTENCY_REPLICATIONS,
    Consistency,
    self_consistency,
    simulated_histories,
)
from sim.analysis.calibrate.consistency import correct as correct_by_simulation
from sim.analysis.calibrate.fit import HistoryFit
from sim.analysis.calibrate.replay import ReplayComparison, replay_arrivals, replay_comparison
from sim.analysis.heromap import hero_map
from sim.analysis.replicate import Replications
from sim.inputs.history import History
from sim.schema import Scenario


@dataclass(frozen=True)
class HistorySummary:
    """Where a calibration's history came from (the YAML's header)."""

    file: str
    format: str
    rows: int
    imported: int
    skipped: int
    start: dt.date
    end: dt.date
    weeks: float


@dataclass
class Calibration:
    """A fitted scenario, the document and notes its commented YAML is written from, and the
    evidence behind it."""

    scenario: Scenario
    document: dict  # the scenario as fitted, in the order the YAML writes it
    notes: dict[tuple, str]  # the evidence of each fitted number, by its path in `document`
    people: dict[str, str]  # history name -> scenario person id
    classes: dict[str, str]  # history class -> scenario class id
    heroes: list[str]
    hero_notes: dict[str, str]  # scenario person id -> why the hero map suggests them
    source: HistorySummary
    evidence: dict = field(default_factory=dict)
    consistency: Consistency | None = None

    def to_json(self) -> dict:
        """The calibration's evidence as JSON (docs/outputs.md)."""
        return {"scenario": self.scenario.name, "people": self.people, "classes": self.classes,
                "heroes": self.heroes, "evidence": self.evidence,
                "consistency": self.consistency.to_json() if self.consistency else None}


def calibrate(
    history: History,
    name: str = "calibrated",
    timezone: str = "UTC",
    seed: int = 0,
    correct: bool = True,
    check: bool = True,
    workers: int = 1,
) -> Calibration:
    """Fit a scenario to `history` (see the module docstring for the method).

    Its simulations (the correction and the check) each run through a `Replications` of the
    fitted scenario with `seed` and `workers`.

    Args:
        history: imported incidents.
        name: the scenario's name (an identifier).
        timezone: the team's zone (hour classes, schedule hand-offs).
        seed: seed of the correction and consistency simulations.
        correct: rescale work medians by simulation until class medians match.
        check: run the self-consistency check and keep its figures.
        workers: local processes for the simulations (results do not depend on it).
    """
    zone = ZoneInfo(timezone)
    fit = HistoryFit(history, zone)
    heromap = hero_map(history, by="class")
    heroes = [fit.person_id[h.person] for h in heromap.heroes]
    doc, notes = fit.scenario_document(name, timezone, heroes)
    scenario = Scenario.model_validate(doc)
    if correct:
        scenario, doc, notes = correct_by_simulation(
            Replications(scenario, seed=seed, workers=workers), doc, notes, history,
            fit.class_id)
    consistency = self_consistency(
        Replications(scenario, CONSISTENCY_REPLICATIONS, seed, workers), history, fit.class_id,
    ) if check else None
    reasons = {h.person: h.reasons[0] for h in heromap.heroes}
    names = {p["id"]: p["name"] for p in doc["people"]}
    report = history.report
    source = HistorySummary(report.file, report.format, report.rows, len(history.incidents),
                            report.skipped_count, history.start.date(), history.end.date(),
                            history.weeks)
    return Calibration(scenario, doc, notes, dict(fit.person_id), dict(fit.class_id), heroes,
                       {h: reasons.get(names.get(h), "") for h in doc["heroes"]}, source,
                       fit.evidence, consistency)


__all__ = ["Calibration", "Consistency", "HistorySummary", "ReplayComparison", "calibrate",
           "replay_arrivals", "replay_comparison", "self_consistency", "simulated_histories"]
