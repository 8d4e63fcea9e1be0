"""Calibration from history: generate -> calibrate recovers the truth; the fit reproduces
the history; replay drives the engine with the history's incidents."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.calibrate import calibrate, replay_arrivals, replay_comparison
from sim.analysis.replicate import Replications
from sim.analysis.whatif import run_scenario
from sim.inputs.generate import generate_org
from sim.inputs.history import history_from_records
from sim.inputs.scenario import load_scenario

runner = CliRunner()
WEEKS = 26


@pytest.fixture(scope="module")
def org():
    return generate_org(people=8, weeks=WEEKS, heroes=1, seed=0)


@pytest.fixture(scope="module")
def history(org):
    return history_from_records(org.history["data"], envelope=org.history)


@pytest.fixture(scope="module")
def fitted(org, history):
    return calibrate(history, name="fitted", timezone=org.scenario.timezone, seed=0)


def test_calibration_recovers_the_rates(org, history, fitted):
    """Each class's fitted rate is within 3 Poisson standard errors of the ground truth."""
    truth = {c.id: c.rate_per_week for c in org.scenario.classes}
    fitted_rates = {c.id: c.rate_per_week for c in fitted.scenario.classes}
    assert set(fitted_rates) == set(truth)
    for cid, rate in truth.items():
        expected = rate * history.weeks
        assert abs(fitted_rates[cid] * history.weeks - expected) <= 3 * math.sqrt(expected), cid


def test_calibration_identifies_the_hero(org, fitted):
    """The suggested heroes are the ground truth's."""
    assert fitted.heroes == org.scenario.heroes
    assert fitted.scenario.heroes == org.scenario.heroes


def test_calibration_recovers_the_rotation(org, fitted):
    """The primary members and the hero as secondary are found from who was paged."""
    truth, got = org.scenario.rotation, fitted.scenario.rotation

    def on_call(schedule, hour):
        shift = (hour - schedule.handoff_hour) // (schedule.period_days * 24)
        return schedule.members[(shift + schedule.offset) % len(schedule.members)]

    # The same person on call at noon every day of the history (hand-off hours may differ).
    noons = [day * 24 + 12 for day in range(WEEKS * 7)]
    assert [on_call(got.primary[0], h) for h in noons] == \
        [on_call(truth.primary[0], h) for h in noons]
    assert got.primary[0].period_days == 7
    assert got.secondary[0].members == truth.secondary[0].members


def test_calibrated_yaml_validates_and_runs(tmp_path, fitted):
    """The commented YAML loads as a valid scenario and runs."""
    path = tmp_path / "fitted.yaml"
    path.write_text(fitted.yaml)
    scenario = load_scenario(path)
    assert scenario == fitted.scenario
    assert "# " in fitted.yaml and "incidents in" in fitted.yaml
    result = run_scenario(Replications(scenario, 2), days=14)
    assert result.summary["incidents"]["mean"] > 0


def test_every_fitted_class_number_carries_its_evidence(fitted):
    """Rate, work time and every skill line say what they were fitted from."""
    lines = fitted.yaml.splitlines()
    assert all("incidents in" in line for line in lines if "rate_per_week:" in line)
    work = [i for i, line in enumerate(lines) if "work_minutes:" in line]
    assert all("expert work time:" in lines[i - 1] for i in work)
    skills = [line for line in lines if "knowledge" in line]
    assert skills and all("#" in line for line in skills)


def test_self_consistency(history, fitted):
    """The fitted scenario reproduces median TTR per class (15%) and the top person's share
    of incidents touched (5 points)."""
    c = fitted.consistency
    for cid, row in c["classes"].items():
        assert abs(row["ratio"] - 1) <= 0.15, (cid, row)
    assert abs(c["touch_share_gap"]) <= 0.05
    assert c["passed"]


def test_two_heroes_are_both_found():
    """With two heroes sharing the secondary rotation, both are suggested."""
    org = generate_org(people=8, weeks=WEEKS, heroes=2, seed=7)
    history = history_from_records(org.history["data"], envelope=org.history)
    fitted = calibrate(history, timezone=org.scenario.timezone, check=False, correct=False)
    assert sorted(fitted.heroes) == sorted(org.scenario.heroes)


def test_replay_uses_the_history_incidents(org, history, fitted):
    """Replay arrivals keep every incident's time and class; the run sees exactly them."""
    arrivals, days, skipped = replay_arrivals(fitted.scenario, history)
    assert not skipped and len(arrivals) == len(history.incidents)
    classes = [fitted.scenario.classes[a.class_index].id for a in arrivals]
    assert Counter(classes) == Counter(i.class_id for i in history.incidents)
    hero = fitted.heroes[0]
    result = run_scenario(Replications(fitted.scenario, 3), days=days, without=(hero,),
                          arrivals=arrivals)
    assert result.summary["incidents"]["mean"] == len(arrivals)
    doc = replay_comparison(history, result)
    present = [r["present"]["ttr_p50"] for r in doc["classes"].values()]
    without = [r["without"]["ttr_p50"] for r in doc["classes"].values()]
    assert sum(without) > sum(present)
    assert all(r["without"]["top_handler_share"] == 0 for r in doc["classes"].values())


def test_replay_skips_unknown_classes_and_says_so(history, make_scenario):
    """Incidents of classes the scenario lacks are counted, not silently dropped."""
    arrivals, _, skipped = replay_arrivals(make_scenario(), history)
    assert arrivals == [] and sum(skipped.values()) == len(history.incidents)


def test_cli_sequence_generate_calibrate_validate_replay(tmp_path):
    """generate -> calibrate -> validate -> run --replay --without works end to end."""
    org_dir, scenario = tmp_path / "org", tmp_path / "cal.yaml"
    result = runner.invoke(app, ["generate", "-o", str(org_dir), "--weeks", "8", "--seed", "1"])
    assert result.exit_code == 0, result.output
    truth = load_scenario(org_dir / "scenario.yaml")
    result = runner.invoke(app, ["calibrate", str(org_dir / "history.json"), "-o", str(scenario),
                                 "--timezone", truth.timezone, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "Self-consistency" in result.output
    assert runner.invoke(app, ["validate", str(scenario)]).exit_code == 0
    hero = load_scenario(scenario).heroes[0]
    result = runner.invoke(app, ["run", str(scenario), "--replay", str(org_dir / "history.json"),
                                 "--without", hero, "--reps", "2", "--workers", "1",
                                 "--out", str(tmp_path / "results"), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["replay"]["without"] == [hero]
    (folder,) = (tmp_path / "results").iterdir()
    assert (folder / "replay.json").exists()


def test_cli_calibrate_bad_input_is_exit_2(tmp_path):
    """A bad name or a missing file is exit 2 with a message, and no YAML is written."""
    out = tmp_path / "x.yaml"
    result = runner.invoke(app, ["calibrate", str(tmp_path / "missing.json"), "-o", str(out)])
    assert result.exit_code == 2 and "no such file" in result.output
    assert not out.exists()
    result = runner.invoke(app, ["generate", "-o", str(tmp_path), "--people", "3",
                                 "--heroes", "3"])
    assert result.exit_code == 2


def test_generate_is_deterministic():
    """Same seed, same organisation and history."""
    a, b = generate_org(5, 3, 1, seed=9), generate_org(5, 3, 1, seed=9)
    assert a.history == b.history and a.people == b.people
