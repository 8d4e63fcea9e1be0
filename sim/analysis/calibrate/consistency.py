"""Simulating a fitted scenario as if it were history: the correction of work times and the
self-consistency check (docs/history.md, "Calibration", step 7 and "Self-consistency").

Every simulation goes through a `Replications` (the shared parameter object): its scenario,
replications, seed, workers and executor. A replication's records are written as PagerDuty rows
by the generator and imported like a real export, so the fitted and the real history are
measured by the same code.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sim.analysis import documents
from sim.analysis.calibrate.shared import DIFFICULTY, ramp, rounded
from sim.analysis.heromap import touch_share
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.stats import quantile
from sim.inputs.generate import Naming, pagerduty_history
from sim.inputs.history import History, history_from_records
from sim.model.engine import Arrival, TeamModel
from sim.model.rng import Purpose, stream
from sim.schema import Behaviour, Scenario

CORRECTION_STEPS = 3
CORRECTION_REPLICATIONS = 8
CONSISTENCY_REPLICATIONS = 20


@dataclass(frozen=True)
class SimSpec:
    """One simulated history: the scenario, its span, the seed, replayed arrivals, absences."""

    scenario: Scenario
    days: int
    seed: int
    arrivals: tuple[Arrival, ...] | None = None
    without: tuple[str, ...] = ()


def simulate_history(spec: SimSpec, replication: int) -> list[dict]:
    """One replication, written as PagerDuty rows (module level: it runs in workers)."""
    arrivals = list(spec.arrivals) if spec.arrivals is not None else None
    model = TeamModel(spec.scenario, spec.days, spec.seed, replication, spec.without,
                      arrivals=arrivals)
    records = model.run()
    naming = Naming("", "", {p.id: {"user_id": p.id, "name": p.display_name}
                             for p in spec.scenario.people})
    rng = stream(spec.seed, replication, Purpose.GENERATE)
    return pagerduty_history(spec.scenario, records, naming, rng)["data"]


def simulated_histories(reps: Replications, days: int,
                        arrivals: Sequence[Arrival] | None = None,
                        without: Sequence[str] = ()) -> list[History]:
    """Simulate `reps` over `days` and import each replication as a History."""
    spec = SimSpec(reps.scenario, days, reps.seed,
                   tuple(arrivals) if arrivals is not None else None, tuple(without))
    rows = run_tasks(simulate_history, [(spec, r) for r in range(reps.replications)],
                     reps.workers, reps.progress, reps.executor)
    return [history_from_records(data, f"replication {r}") for r, data in enumerate(rows)]


def headline(history: History, class_id=lambda c: c, person=None) -> dict:
    """Per-class median time to resolve and the top person's share of incidents touched."""
    by: dict[str, list[float]] = defaultdict(list)
    for i in history.incidents:
        if i.minutes_to_resolve is not None:
            by[class_id(i.class_id)].append(i.minutes_to_resolve)
    touched = Counter(p for i in history.incidents for p in i.touched)
    top = person or (min(touched, key=lambda p: (-touched[p], p)) if touched else None)
    return {"ttr_p50": {c: quantile(v, 0.5) for c, v in by.items()},
            "top_person": top, "top_touch_share": touch_share(history.incidents, top)}


@dataclass
class ClassConsistency:
    """One class: the history's and the simulation's median time to resolve."""

    history_ttr_p50: float
    simulated_ttr_p50: float | None
    ratio: float | None
    within_15pct: bool


@dataclass
class Consistency:
    """The fitted scenario over the history's span beside the history (docs/outputs.md)."""

    replications: int
    seed: int
    days: int
    classes: dict[str, ClassConsistency]
    top_person: str | None
    history_top_touch_share: float | None
    simulated_top_touch_share: float | None
    touch_share_gap: float | None
    passed: bool

    def to_json(self) -> dict:
        """The document as JSON."""
        return documents.to_json(self)


def self_consistency(reps: Replications, history: History,
                     class_ids: dict[str, str]) -> Consistency:
    """Run the fitted scenario (`reps.scenario`) over the history's span and compare.

    Per class the history's and the simulation's median time to resolve (pooled over
    replications) and their ratio, and the share of incidents touching the history's top
    person in both; `passed` applies the 15% / 5-point criteria.
    """
    real = headline(history, lambda c: class_ids.get(c, c))
    days = max(1, math.ceil(history.days))
    sims = simulated_histories(reps, days)
    pooled: dict[str, list[float]] = defaultdict(list)
    for sim in sims:
        for i in sim.incidents:
            if i.minutes_to_resolve is not None:
                pooled[i.class_id].append(i.minutes_to_resolve)
    incidents = [i for sim in sims for i in sim.incidents]
    top = real["top_person"]
    simulated_share = touch_share(incidents, top)
    classes = {}
    for c, value in real["ttr_p50"].items():
        sim_value = quantile(pooled[c], 0.5) if pooled.get(c) else None
        ratio = sim_value / value if sim_value is not None and value > 0 else None
        classes[c] = ClassConsistency(value, sim_value, ratio,
                                      ratio is not None and abs(ratio - 1) <= 0.15)
    share_gap = (None if simulated_share is None or real["top_touch_share"] is None
                 else simulated_share - real["top_touch_share"])
    return Consistency(
        replications=reps.replications, seed=reps.seed, days=days,
        classes=classes,
        top_person=top,
        history_top_touch_share=real["top_touch_share"],
        simulated_top_touch_share=simulated_share,
        touch_share_gap=share_gap,
        passed=all(c.within_15pct for c in classes.values())
        and share_gap is not None and abs(share_gap) <= 0.05,
    )


def correct(reps: Replications, doc: dict, notes: dict, history: History,
            class_ids: dict[str, str]) -> tuple[Scenario, dict, dict]:
    """Rescale class work medians until simulated median TTR per class matches history.

    Each step simulates `CORRECTION_REPLICATIONS` replications with seed `reps.seed + 1 +
    step`; the scenario of `reps` is the starting point.
    """
    scenario = reps.scenario
    real = headline(history, lambda c: class_ids.get(c, c))["ttr_p50"]
    solo_real = {class_ids[c]: v for c, v in _solo_shares(history.incidents).items()}
    days = max(1, math.ceil(history.days))
    steps: dict[str, list[float]] = defaultdict(list)
    for step in range(CORRECTION_STEPS):
        step_reps = Replications(scenario, CORRECTION_REPLICATIONS, reps.seed + 1 + step,
                                 reps.workers, reps.executor)
        sims = simulated_histories(step_reps, days)
        pooled: dict[str, list[float]] = defaultdict(list)
        for sim in sims:
            for i in sim.incidents:
                if i.minutes_to_resolve is not None:
                    pooled[i.class_id].append(i.minutes_to_resolve)
        solo_sim = _solo_shares(i for sim in sims for i in sim.incidents)
        for cid, target in solo_real.items():
            if solo_sim.get(cid):
                _scale_solo(doc, cid, min(2.0, max(0.5, target / solo_sim[cid])))
        for cls in doc["classes"]:
            target, got = real.get(cls["id"]), pooled.get(cls["id"])
            if not target or not got:
                continue
            factor = min(4.0, max(0.25, target / quantile(got, 0.5)))
            work = cls["work_minutes"]
            median = min(max(work["median"] * factor, 0.5), 10_000.0)
            spread = work["p90"] / work["median"]
            cls["work_minutes"] = {"median": rounded(median, 1),
                                   "p90": rounded(median * spread, 1)}
            steps[cls["id"]].append(factor)
        scenario = Scenario.model_validate(doc)
    for index, cls in enumerate(doc["classes"]):
        if steps.get(cls["id"]):
            total = math.prod(steps[cls["id"]])
            key = ("classes", index, "work_minutes")
            notes[key] = (notes.get(key, "") + f"; then x{total:.2f} so that the simulated "
                          f"median time to resolve matches history ({CORRECTION_STEPS} steps "
                          f"x {CORRECTION_REPLICATIONS} replications)")
    return scenario, doc, notes


def _solo_shares(incidents) -> dict[str, float]:
    """Per class, the share of incidents resolved alone by the first person paged."""
    solo: Counter = Counter()
    total: Counter = Counter()
    for i in incidents:
        total[i.class_id] += 1
        solo[i.class_id] += i.solo
    return {c: solo[c] / n for c, n in total.items()}


def _scale_solo(doc: dict, class_id: str, factor: float) -> None:
    """Scale everyone's chance to lead `class_id` alone by `factor` (through confidence, or
    knowledge when confidence is no longer the limit)."""
    width = Behaviour().skill_sharpness
    for person in doc["people"]:
        skill = person.get("skills", {}).get(class_id)
        if skill is None:
            continue
        if not isinstance(skill, dict):
            skill = {"knowledge": skill, "confidence": skill}
        can = ramp(skill["knowledge"] - DIFFICULTY, width)
        will = ramp(skill["confidence"] - DIFFICULTY, width)
        if can * will <= 0:
            continue
        target = min(1.0, can * will * factor)
        will = min(1.0, target / can)
        can = max(can, target / will) if will > 0 else can
        skill = {"knowledge": rounded(min(1.0, max(skill["knowledge"],
                                                   DIFFICULTY + width * (can - 0.5))), 3),
                 "confidence": rounded(min(1.0, DIFFICULTY + width * (will - 0.5))
                                       if will < 1.0 else max(skill["confidence"],
                                                              DIFFICULTY + width / 2), 3)}
        person["skills"][class_id] = skill
