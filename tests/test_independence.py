"""The independence check: common random numbers, verdicts, checkpoints, plan hours, the
determinism of `run_check`, and `herosim check` as a pipeline gate (exit 0/1/2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.independence import (
    CheckSpec,
    check_replication,
    class_verdict,
    plan_hours,
    run_check,
)
from sim.analysis.replicate import Replications
from sim.inputs.scenario import load_plan, load_scenario
from sim.model import TeamModel, TeamState, sample_arrivals
from sim.model.plans import DEFAULT_COSTS
from sim.model.records import PlanCost, RunRecords, WorkSpan
from sim.model.rng import EVALUATION
from sim.model.skills import SkillBook
from sim.schema import (
    MINUTES_PER_DAY,
    IndependenceCriteria,
    Plan,
    PracticeKind,
    Role,
    Scenario,
    Verdict,
)

HERE = Path(__file__).parent
TINY = HERE / "data" / "tiny.yaml"
INDEPENDENT = HERE / "data" / "independent.yaml"
PAIRING = HERE / "data" / "plans" / "pairing.yaml"
SMALL = ["--reps", "4", "--weeks", "8", "--every", "4", "--workers", "1"]

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    """tests/data/tiny.yaml."""
    return load_scenario(TINY)


# -- common random numbers -----------------------------------------------------------------------


def replay_pair(scenario: Scenario, days: int = 28, seed: int = 7, replication: int = 0):
    """The hero-present and hero-absent replays of one evaluation window, as the check builds
    them: frozen skills and state, the same replication address, heroes away in one."""
    skills = SkillBook.from_scenario(scenario, dynamic=True).frozen(0.0)
    state = TeamState.from_scenario(scenario).frozen(0.0)
    address = EVALUATION + replication
    return [
        TeamModel(scenario, days, seed, address, without=without, skills=skills,
                  state=state.frozen(0.0))
        for without in ((), tuple(scenario.heroes))
    ]


def test_present_and_absent_replays_sample_the_same_arrivals(tiny):
    """Both arms of a replication draw identical incident arrivals (times, classes, work)."""
    present, absent = replay_pair(tiny)
    assert present.arrivals, "the window should hold incidents"
    assert present.arrivals == absent.arrivals
    assert present.arrivals == sample_arrivals(tiny, 28, 7, EVALUATION)


def test_present_and_absent_replays_record_the_same_incidents(tiny):
    """The records of both arms hold the same sampled incidents at the same arrival times.

    (Rollbacks of failed changes are consequences, not samples: they may differ.)"""
    models = replay_pair(tiny)
    sampled = len(models[0].arrivals)
    present, absent = (model.run() for model in models)
    arrivals = [(i.incident_id, i.arrived, i.class_id) for i in present.incidents
                if i.incident_id < sampled]
    assert arrivals == [(i.incident_id, i.arrived, i.class_id) for i in absent.incidents
                        if i.incident_id < sampled]
    # ...and the absence does change how they were handled.
    assert [i.mitigated for i in present.incidents] != [i.mitigated for i in absent.incidents]


def test_other_replications_see_other_incidents(tiny):
    """Another replication (or seed) samples a different window."""
    first = sample_arrivals(tiny, 28, 7, EVALUATION)
    assert sample_arrivals(tiny, 28, 7, EVALUATION + 1) != first
    assert sample_arrivals(tiny, 28, 8, EVALUATION) != first


def test_check_replication_arms_count_the_same_incidents(tiny):
    """At every checkpoint, both arms of one replication hold the same incidents per class."""
    # Without changes, so that no rollback (a consequence that may differ) is counted.
    no_changes = tiny.model_copy(update={
        "services": [s.model_copy(update={"changes": None}) for s in tiny.services]})
    result = check_replication(CheckSpec(no_changes, None, weeks=4, every=2, seed=3), 0)
    assert [c["week"] for c in result["checkpoints"]] == [0, 2, 4]
    for checkpoint in result["checkpoints"]:
        present, absent = checkpoint["arms"]["present"], checkpoint["arms"]["absent"]
        assert {c: r["n"] for c, r in present.items()} == {c: r["n"] for c, r in absent.items()}
        assert sum(r["n"] for r in present.values()) > 0


def test_checkpoints_replay_the_same_window(tiny):
    """Without a plan or learning gains, every checkpoint replays identical incidents."""
    zero = {"knowledge": 0.0, "confidence": 0.0}
    scenario = tiny.model_copy(update={"learning": tiny.learning.model_copy(
        update={"rates": {kind: tiny.learning.rates[kind].model_copy(update=zero)
                          for kind in PracticeKind}})})
    result = check_replication(CheckSpec(scenario, None, weeks=4, every=2, seed=3), 0)
    first = result["checkpoints"][0]["arms"]
    for checkpoint in result["checkpoints"][1:]:
        for arm in ("present", "absent"):
            for class_id, row in checkpoint["arms"][arm].items():
                assert list(row["ttm"]) == list(first[arm][class_id]["ttm"])


def test_practice_arrangements_do_not_leak_into_checkpoint_replays(tiny):
    """A pairing or backup plan that teaches nothing leaves the checkpoint replays unchanged."""
    # Regression: the frozen state kept pairing and lead-with-backup, so the hero-present arm
    # was slowed by the plan's own practice (pairing overhead, learners leading) and the plan
    # looked more independent than the team was.
    zero = {"knowledge": 0.0, "confidence": 0.0}
    scenario = tiny.model_copy(update={"learning": tiny.learning.model_copy(
        update={"rates": {kind: tiny.learning.rates[kind].model_copy(update=zero)
                          for kind in PracticeKind}})})
    baseline = check_replication(CheckSpec(scenario, None, weeks=4, every=4), 0)
    for kind in ("pair", "lead_with_backup"):
        plan = Plan.model_validate({"name": "p", "actions": [
            {"kind": kind, "learners": ["ben", "chen"], "classes": ["api-5xx", "db-slow"]}]})
        with_plan = check_replication(CheckSpec(scenario, plan, weeks=4, every=4), 0)
        for before, after in zip(baseline["checkpoints"], with_plan["checkpoints"]):
            for arm in ("present", "absent"):
                for class_id, row in before["arms"][arm].items():
                    assert list(after["arms"][arm][class_id]["ttm"]) == list(row["ttm"]), (
                        kind, before["week"], arm, class_id)


def test_frozen_state_drops_pairing_and_backup_but_keeps_the_rest(tiny):
    """A frozen team state keeps conditions, requires, rotation; not live practice."""
    state = TeamState.from_scenario(tiny)
    state.pairing["db-slow"] = ["ben"]
    state.backup["api-5xx"] = ["chen"]
    state.no_pulls.add("api-5xx")
    state.observability = 2.0
    frozen = state.frozen(0.0)
    assert frozen.pairing == {} and frozen.backup == {}
    assert frozen.observability == 2.0 and not frozen.pulls_allowed("api-5xx")
    assert frozen.requires == state.requires and frozen.schedules == state.schedules
    frozen.no_pulls.clear()
    assert not state.pulls_allowed("api-5xx")


# -- verdicts on hand-made numbers ---------------------------------------------------------------

CRITERIA = IndependenceCriteria(max_p90_ratio=1.5, max_added_breach_rate=0.05,
                                min_effective_responders=2, partly_factor=2.0)


def pooled(p90: float | None, breach_rate: float | None, n: int = 50,
           unresolved: int = 0) -> dict:
    """A pooled arm as `_pool` returns it, with just what the verdict reads."""
    return {"n": n, "ttm_p50": None if p90 is None else p90 / 2, "ttm_p90": p90,
            "breach_rate": breach_rate, "escalations_per_incident": 0.1,
            "informal_per_incident": 0.0,
            "hero_share": 0.0, "struggled": 0, "unresolved": unresolved}


@pytest.mark.parametrize("absent_p90, absent_breach, verdict", [
    (120.0, 0.12, Verdict.INDEPENDENT),  # ratio 1.2, +2%
    (150.0, 0.15, Verdict.INDEPENDENT),  # exactly at both thresholds
    (200.0, 0.12, Verdict.PARTLY),  # ratio 2.0: within twice the threshold
    (120.0, 0.18, Verdict.PARTLY),  # +8%: within twice the threshold
    (300.0, 0.20, Verdict.PARTLY),  # both at twice the thresholds
    (400.0, 0.12, Verdict.DEPENDENT),  # ratio 4.0
    (120.0, 0.30, Verdict.DEPENDENT),  # +20%
])
def test_class_verdict_thresholds(absent_p90, absent_breach, verdict):
    """Independent within the thresholds, partly within partly_factor of them, else dependent."""
    got, ratio, added, notes = class_verdict(
        pooled(100.0, 0.10), pooled(absent_p90, absent_breach), 2.0, True, CRITERIA)
    assert got is verdict
    assert ratio == pytest.approx(absent_p90 / 100.0)
    assert added == pytest.approx(absent_breach - 0.10)
    assert (notes == []) == (verdict is Verdict.INDEPENDENT)


def test_class_verdict_explains_a_slow_class():
    """A failing ratio and added breaches are both spelled out with their limits."""
    _, _, _, notes = class_verdict(pooled(100.0, 0.0), pooled(400.0, 0.5), 3.0, True, CRITERIA)
    text = " ".join(notes)
    assert "4.00x slower" in text and "1.5x" in text
    assert "+50.0% SLO breaches" in text and "+5.0%" in text


def test_class_verdict_needs_enough_effective_responders():
    """A critical class with too few non-hero responders is not independent, however fast."""
    verdict, _, _, notes = class_verdict(pooled(100.0, 0.1), pooled(100.0, 0.1), 1.0, True,
                                         CRITERIA)
    assert verdict is Verdict.PARTLY
    assert "1.0 non-hero effective responders, 2 needed" in notes
    verdict, *_ = class_verdict(pooled(100.0, 0.1), pooled(100.0, 0.1), 1.0, False, CRITERIA)
    assert verdict is Verdict.INDEPENDENT


@pytest.mark.parametrize("effective, verdict", [(2.0, Verdict.INDEPENDENT),
                                                (0.0, Verdict.DEPENDENT)])
def test_class_verdict_without_incidents_uses_effective_responders(effective, verdict):
    """With no incidents in the window the verdict rests on effective responders alone."""
    got, ratio, added, notes = class_verdict(pooled(None, None, n=0), pooled(None, None, n=0),
                                             effective, True, CRITERIA)
    assert (got, ratio, added) == (verdict, None, None)
    assert any("no incidents" in note for note in notes)


def test_class_verdict_when_nobody_can_work_it_without_heroes():
    """Incidents nobody could work without the heroes make the class hero-dependent."""
    verdict, ratio, added, notes = class_verdict(
        pooled(100.0, 0.1), pooled(None, 1.0, unresolved=50), 2.0, True, CRITERIA)
    assert (verdict, ratio) == (Verdict.DEPENDENT, None)
    assert added == pytest.approx(0.9)
    assert any("nobody could work" in note for note in notes)


def test_class_verdict_some_unresolved_is_never_independent_or_partly():
    """Even one incident left unworked without the heroes rules out independent and partly."""
    verdict, ratio, added, notes = class_verdict(
        pooled(100.0, 0.1), pooled(110.0, 0.1, unresolved=1), 2.0, True, CRITERIA)
    assert verdict is Verdict.DEPENDENT
    assert ratio == pytest.approx(1.1) and added == pytest.approx(0.0)
    assert any("1 incidents nobody could work" in note for note in notes)


def test_class_verdict_follows_the_criteria():
    """Looser criteria turn the same numbers independent."""
    loose = IndependenceCriteria(max_p90_ratio=3.0, max_added_breach_rate=0.2)
    verdict, *_ = class_verdict(pooled(100.0, 0.1), pooled(250.0, 0.25), 2.0, True, loose)
    assert verdict is Verdict.INDEPENDENT
    verdict, *_ = class_verdict(pooled(100.0, 0.1), pooled(250.0, 0.25), 2.0, True, CRITERIA)
    assert verdict is Verdict.DEPENDENT


# -- checkpoints and plan hours ------------------------------------------------------------------


@pytest.mark.parametrize("weeks, every, expected", [
    (8, 4, [0, 4, 8]),
    (10, 4, [0, 4, 8, 10]),
    (3, 4, [0, 3]),
    (1, 1, [0, 1]),
    (26, 4, [0, 4, 8, 12, 16, 20, 24, 26]),
])
def test_checkpoints_are_zero_every_n_and_the_last_week(tiny, weeks, every, expected):
    """Checkpoints: week 0, every N weeks, and the last week once."""
    assert CheckSpec(tiny, None, weeks=weeks, every=every).checkpoints == expected


def hand_records() -> RunRecords:
    """Two explicit costs and the live practice of three incidents, in minutes."""
    day = MINUTES_PER_DAY
    return RunRecords(
        days=28, without=(), heroes=("hero",),
        plan_costs=[PlanCost(0.0, 0, "runbook", 8.0, 2.0),
                    PlanCost(10 * day, 1, "drill", 2.0, 4.0)],
        work=[
            # incident 1: the hero leads 125 minutes with ann paired (stretched by 1.25)
            WorkSpan("hero", 100.0, 225.0, 1, Role.LED),
            WorkSpan("ann", 100.0, 225.0, 1, Role.PAIRED),
            # incident 2: ann leads 60 minutes with the hero backing up 18
            WorkSpan("ann", 5 * day, 5 * day + 60, 2, Role.LED),
            WorkSpan("hero", 5 * day, 5 * day + 18, 2, Role.BACKUP),
            # incident 3: bo shadows the hero for 30 minutes (no pairing overhead)
            WorkSpan("hero", 12 * day, 12 * day + 30, 3, Role.LED),
            WorkSpan("bo", 12 * day, 12 * day + 30, 3, Role.SHADOW),
            # not plan work: someone stuck, someone leading alone
            WorkSpan("bo", 200.0, 260.0, 4, Role.STUCK),
            WorkSpan("ann", 300.0, 400.0, 4, Role.LED),
        ],
    )


def test_plan_hours_add_costs_and_live_practice():
    """Hours are explicit costs plus backup, pairing overhead, pairing, shadowing and leading."""
    hero, learner = plan_hours(hand_records(), 28 * MINUTES_PER_DAY, ("hero",), 0.25)
    assert hero == pytest.approx(8 + 2 + 18 / 60 + 125 * 0.25 / 1.25 / 60)
    assert learner == pytest.approx(2 + 4 + (125 + 60 + 30) / 60)


def test_plan_hours_count_only_what_happened_by_the_checkpoint():
    """Costs and spans after `until` are left out."""
    hero, learner = plan_hours(hand_records(), 6 * MINUTES_PER_DAY, ("hero",), 0.25)
    assert hero == pytest.approx(8 + 18 / 60 + 25 / 60)
    assert learner == pytest.approx(2 + (125 + 60) / 60)
    assert plan_hours(hand_records(), 50.0, ("hero",), 0.25) == pytest.approx((8.0, 2.0))


def test_plan_hours_of_no_plan_are_zero():
    """Records without plan costs or practice spans cost nothing."""
    records = RunRecords(days=7, without=(), heroes=("hero",),
                         work=[WorkSpan("hero", 0.0, 60.0, 1, Role.LED)])
    assert plan_hours(records, 1e9, ("hero",), 0.25) == (0.0, 0.0)


# -- the whole check -----------------------------------------------------------------------------


def canonical(document: dict) -> str:
    """A check document as sorted JSON, for exact comparison."""
    return json.dumps(document, sort_keys=True)


def test_run_check_is_deterministic_for_a_seed(tiny):
    """The same seed gives the same document; another seed a different one."""
    first = run_check(Replications(tiny, 3, seed=11), None, weeks=4, every=2)
    again = run_check(Replications(tiny, 3, seed=11), None, weeks=4, every=2)
    other = run_check(Replications(tiny, 3, seed=12), None, weeks=4, every=2)
    assert canonical(first.to_json()) == canonical(again.to_json())
    assert canonical(first.to_json()) != canonical(other.to_json())


def test_run_check_is_the_same_on_two_workers(tiny):
    """Worker processes change nothing in the result."""
    one = run_check(Replications(tiny, 4, seed=5, workers=1), None, weeks=4, every=2)
    two = run_check(Replications(tiny, 4, seed=5, workers=2), None, weeks=4, every=2)
    assert canonical(one.to_json()) == canonical(two.to_json())


def test_run_check_reports_tiny_as_hero_dependent(tiny):
    """Today's tiny team fails: db-failover needs ana's access, and is named as holding back."""
    result = run_check(Replications(tiny, 3, seed=0), None, weeks=4, every=4)
    doc = result.to_json()
    assert not result.passed
    assert doc["time_to_independence"]["week"] is None
    assert [c["week"] for c in doc["checkpoints"]] == [0, 4]
    held = {item["class"]: item for item in doc["final"]["holding_back"]}
    assert held["db-failover"]["verdict"] == "hero-dependent"
    assert any("requires" in reason for reason in held["db-failover"]["reasons"])


def test_run_check_with_a_plan_charges_hero_hours(tiny):
    """A pairing-and-drills plan accumulates hero hours from checkpoint to checkpoint."""
    plan = load_plan(PAIRING, tiny)
    doc = run_check(Replications(tiny, 3, seed=0), plan, weeks=8, every=4).to_json()
    assert doc["plan"] == "pairing"
    hours = [c["plan_hero_hours"]["mean"] for c in doc["checkpoints"]]
    # Drills at 10:00 on days 0 and 28 (after the week-0 checkpoint at 00:00; the run ends on
    # day 56), plus the hero's pairing overhead.
    drill_hero, _ = DEFAULT_COSTS["drill"]
    assert hours[0] == 0
    assert drill_hero <= hours[1] <= hours[2]
    assert hours[2] > 2 * drill_hero
    ben = doc["skills"]
    assert ben["end"]["ben"]["db-slow"]["knowledge"] > ben["start"]["ben"]["db-slow"]["knowledge"]


def test_run_check_passes_a_team_that_does_not_need_its_hero():
    """A fully skilled team is independent from week 0."""
    scenario = load_scenario(INDEPENDENT)
    result = run_check(Replications(scenario, 3, seed=0), None, weeks=4, every=2)
    doc = result.to_json()
    assert result.passed
    assert doc["time_to_independence"]["week"] == 0
    for checkpoint in doc["checkpoints"]:
        row = checkpoint["classes"]["api-5xx"]
        assert row["verdict"] == "independent" and row["p90_ratio"] == pytest.approx(1.0)


def test_diagnosis_reads_the_plan_state_at_the_checked_week(tiny):
    """A plan action dated after the checked weeks does not explain away what holds back."""
    plan = Plan.model_validate({"name": "late", "actions": [
        {"kind": "remove_requires", "classes": ["db-failover"], "start_day": 100}]})
    doc = run_check(Replications(tiny, 2, seed=0), plan, weeks=4, every=4).to_json()
    held = {item["class"]: item["reasons"] for item in doc["final"]["holding_back"]}
    assert any(r.startswith("requires: only ana") for r in held["db-failover"])
    assert all(c["plan_hero_hours"]["mean"] == 0.0 for c in doc["checkpoints"])


# -- herosim check ------------------------------------------------------------------------------


def only_folder(root: Path) -> Path:
    """The one results folder a command wrote under `root`."""
    folders = [p for p in root.iterdir() if p.is_dir()]
    assert len(folders) == 1, folders
    return folders[0]


def test_cli_check_passes_exit_0(tmp_path):
    """`herosim check` exits 0 when the criteria pass and writes the results folder."""
    result = runner.invoke(app, ["check", str(INDEPENDENT), *SMALL, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Verdict: independent" in result.output
    folder = only_folder(tmp_path)
    assert {p.name for p in folder.iterdir()} >= {"journal.json", "independence.json",
                                                  "independence.md"}
    journal = json.loads((folder / "journal.json").read_text())
    assert journal["status"] == "completed" and journal["verdict"] == "independent"
    assert json.loads((folder / "independence.json").read_text())["final"]["passed"] is True
    assert (folder / "independence.md").read_text().strip()


def test_cli_check_fails_exit_1(tmp_path):
    """`herosim check` exits 1 when the team is not independent, and still writes results."""
    result = runner.invoke(app, ["check", str(TINY), *SMALL, "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "not independent" in result.output
    journal = json.loads((only_folder(tmp_path) / "journal.json").read_text())
    assert journal["verdict"] == "not independent"


def test_cli_check_json_format(tmp_path):
    """`--format json` prints the check document as valid JSON on stdout."""
    result = runner.invoke(app, ["check", str(TINY), *SMALL, "--format", "json",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.stdout)
    assert {"checkpoints", "time_to_independence", "final"} <= set(doc)
    assert [c["week"] for c in doc["checkpoints"]] == [0, 4, 8]
    assert doc["replications"] == 4 and doc["final"]["passed"] is False
    saved = json.loads((only_folder(tmp_path) / "independence.json").read_text())
    assert saved == doc


def test_cli_check_with_a_plan_file(tmp_path):
    """A plan file is run and named in the journal and the document."""
    result = runner.invoke(app, ["check", str(TINY), "--plan", str(PAIRING), *SMALL,
                                 "--format", "json", "--out", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["plan"] == "pairing"
    journal = json.loads((only_folder(tmp_path) / "journal.json").read_text())
    assert journal["plan"] == str(PAIRING)
    assert journal["plan_definition"]["name"] == "pairing"


def test_cli_check_bad_scenario_exit_2(tmp_path):
    """An invalid scenario exits 2 with the problem, writes nothing, shows no traceback."""
    bad = tmp_path / "bad.yaml"
    document = yaml.safe_load(TINY.read_text())
    document["heroes"] = ["dana"]
    bad.write_text(yaml.safe_dump(document))
    out = tmp_path / "results"
    result = runner.invoke(app, ["check", str(bad), *SMALL, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "heroes[0]" in result.output and "dana" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_cli_check_missing_scenario_exit_2(tmp_path):
    """A scenario file that does not exist exits 2."""
    result = runner.invoke(app, ["check", str(tmp_path / "nope.yaml"), *SMALL,
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize("plan", ["nope", "nope.yaml"])
def test_cli_check_unknown_plan_exit_2(tmp_path, plan):
    """An unknown plan name or a missing plan file exits 2 before anything runs."""
    out = tmp_path / "results"
    result = runner.invoke(app, ["check", str(TINY), "--plan", plan, *SMALL, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "nope" in result.output
    assert not out.exists()


def test_cli_check_unknown_plan_lists_none_for_a_scenario_without_plans(tmp_path):
    """The not-found message says the scenario keeps no plans."""
    result = runner.invoke(app, ["check", str(TINY), "--plan", "nope", *SMALL,
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "its plans: none" in result.output.replace("\n", " ")
