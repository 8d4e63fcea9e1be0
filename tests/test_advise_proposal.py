"""advise's proposal: it passes its own check, or says what budget or weeks it would take; it
respects the hero's weekly budget, combines actions that only work together, and says what it
makes worse (issue 18, item 1)."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import build_scenario
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.advise.moves import compose, families, fold_drills
from sim.analysis.advise.verify import proposal_check, today_rows
from sim.analysis.independence import run_check
from sim.analysis.independence.budget import over_budget_weeks, transfer_spending
from sim.analysis.replicate import Replications
from sim.analysis.types import AdviseDocument
from sim.inputs.scenario import load_plan, load_scenario
from sim.model import TeamModel
from sim.schema import MINUTES_PER_WEEK, Plan

WEEKS = 6
REPS = 8


def locked_scenario():
    """A frequent critical class whose fix needs the hero's access; two people know some of
    it but hesitate; an easy class everyone covers."""
    return build_scenario(
        name="locked",
        services=[{"id": "db", "critical": True}, {"id": "web"}],
        classes=[
            {"id": "db-down", "service": "db", "rate_per_week": 4.0, "difficulty": 0.6,
             "work_minutes": {"median": 30, "p90": 60}, "slo_minutes": 90,
             "requires": ["hero"]},
            {"id": "web-5xx", "service": "web", "rate_per_week": 2.0, "difficulty": 0.2,
             "work_minutes": {"median": 15, "p90": 30}, "slo_minutes": 120},
        ],
        people=[
            {"id": "hero", "skills": {"db-down": 1.0, "web-5xx": 1.0},
             "transfer_hours_per_week": 10},
            {"id": "ann", "skills": {"db-down": {"knowledge": 0.6, "confidence": 0.35},
                                     "web-5xx": 0.9}},
            {"id": "bob", "skills": {"db-down": {"knowledge": 0.55, "confidence": 0.35},
                                     "web-5xx": 0.9}},
        ],
        heroes=["hero"],
        rotation={"primary": {"members": ["ann", "bob"]}, "secondary": {"members": ["hero"]}},
        independence={"evaluation_days": 28},
    )


def _write(tmp_path, scenario, name="scenario.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(scenario.model_dump(mode="json", exclude_none=True,
                                                   by_alias=True)))
    return str(path)


def _advise(tmp_path, scenario_file: str, *extra: str):
    return CliRunner().invoke(app, [
        "advise", scenario_file, "--weeks", "2", "--reps", "2", "--workers", "2",
        "--format", "json", *extra, "--out", str(tmp_path / "out")])


def test_platform_team_proposal_passes_its_own_check(tmp_path):
    """On the bundled platform team, with the default budget and the check's defaults, the
    proposal passes its check inside advise, and `herosim check --plan` on the written file
    exits 0; no class is left worse than today and every backup ends."""
    plan_file = tmp_path / "advised.yaml"
    result = _advise(tmp_path, "scenarios/platform-team.yaml", "--write-plan", str(plan_file))
    assert result.exit_code == 0, result.output
    doc = AdviseDocument.from_json(json.loads(result.stdout))
    proposal, check = doc.proposal, doc.check
    assert proposal.passes and proposal.within_budget and check.passed
    # The default budget is the hero's own transfer time: 12 h a week x 26 weeks.
    assert doc.budget_hero_hours == 12 * 26 and "priya" in doc.budget_source
    assert proposal.hero_hours <= doc.budget_hero_hours and not check.over_budget
    assert check.degraded == []
    assert all(row.verdict == "independent" for row in check.classes.values()
               if not row.specialty)
    plan = yaml.safe_load(plan_file.read_text())
    backups = [a for a in plan["actions"] if a["kind"] in ("lead_with_backup", "pair")]
    assert backups and all(a.get("end_day") is not None for a in backups)
    checked = CliRunner().invoke(app, ["check", "scenarios/platform-team.yaml", "--plan",
                                       str(plan_file), "--out", str(tmp_path / "check")])
    assert checked.exit_code == 0, checked.output
    (folder,) = (tmp_path / "out").iterdir()
    assert "Its check, beside today" in (folder / "report.html").read_text()


def test_too_small_budget_exits_with_the_budget_it_needs(tmp_path):
    """With a budget no plan fits in, advise exits 1 and names the budget a passing plan
    needs; given that budget, the same advice exits 0 with the same plan."""
    path = _write(tmp_path, locked_scenario())
    small = ["--check-weeks", str(WEEKS), "--check-reps", str(REPS), "--seed", "1"]
    tight = _advise(tmp_path, path, *small, "--budget-hero-hours", "2")
    assert tight.exit_code == 1, tight.output
    doc = json.loads(tight.stdout)["proposal"]
    needed = doc["needed_budget_hero_hours"]
    assert doc["passes"] and not doc["within_budget"] and needed > 2
    assert f"--budget-hero-hours {needed:g}" in doc["line"]
    enough = _advise(tmp_path, path, *small, "--budget-hero-hours", str(needed))
    assert enough.exit_code == 0, enough.output
    assert json.loads(enough.stdout)["proposal"]["plan"]["actions"] == doc["plan"]["actions"]


def test_too_few_weeks_says_how_many_would(tmp_path):
    """Over three weeks nothing passes: advise exits 1 and says how many weeks the same moves
    need (six), where the advice does pass."""
    path = _write(tmp_path, locked_scenario())
    short = _advise(tmp_path, path, "--check-weeks", "3", "--check-reps", str(REPS),
                    "--seed", "1")
    assert short.exit_code == 1, short.output
    proposal = json.loads(short.stdout)["proposal"]
    assert not proposal["passes"] and proposal["weeks_needed"] == WEEKS
    assert f"--check-weeks {WEEKS}" in proposal["line"]


def test_access_and_practice_are_proposed_together():
    """The class's access removal and its learners' practice each fail alone (pairing cannot
    teach a fix only the hero may do, the access alone finds nobody who would); the proposal
    holds both and passes."""
    from sim.analysis.advise import run_advise

    scenario = locked_scenario()
    reps = Replications(scenario, REPS, seed=1, workers=2)
    stages = families(scenario, ["db-down"], [], WEEKS)
    lead = stages["live:db-down"][0]
    alone = [Plan.model_validate({"name": "access", "actions": [
                 {"kind": "remove_requires", "classes": ["db-down"]}]}),
             Plan.model_validate({"name": "practice", "actions": [
                 a for a in lead.actions if a["kind"] != "remove_requires"]})]
    for plan in alone:
        assert not run_check(reps, plan, weeks=WEEKS, every=WEEKS).passed, plan.name
    result = run_advise(reps, weeks=2, check_weeks=WEEKS, check_reps=REPS)
    kinds = {a.kind for a in result.plan.actions}
    assert {"remove_requires", "lead_with_backup"} <= kinds
    assert result.passed


def test_transfer_spending_matches_the_engine_ledger():
    """Read back from the records, each person's plan hours, summed by week, are the
    engine's own ledger (drills, pairing with its overhead, backup on incidents and on
    changes)."""
    scenario = load_scenario("scenarios/platform-team.yaml")
    plan = load_plan("pair-and-lead", scenario)
    for replication in range(2):
        model = TeamModel(scenario, 70, 0, replication, plan=plan, learn=True)
        records = model.run()
        ledger = {}
        for (person, week), hours in model.ctx.transfer_spent.items():
            ledger.setdefault(person, {})[week] = pytest.approx(hours)
        weekly: dict = {}
        for person, charges in transfer_spending(
                records, scenario.learning.pairing_overhead).items():
            for t, hours in charges:
                week = int(t // MINUTES_PER_WEEK)
                weekly.setdefault(person, {}).setdefault(week, 0.0)
                weekly[person][week] += hours
        assert weekly == ledger


def test_a_plan_over_the_weekly_budget_is_flagged_and_one_within_is_not():
    """A daily two-hour drill asks 14 h a week of a hero with 8: flagged (the drills it
    skipped, the weeks it filled); a weekly one is not."""
    scenario = build_scenario(
        classes=[{"id": "k", "service": "svc", "rate_per_week": 0.0, "difficulty": 0.5,
                  "work_minutes": {"median": 30}}],
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 0.2},
                                                      "transfer_hours_per_week": 40}])

    def drills(every: int) -> Plan:
        return Plan.model_validate({"name": "d", "actions": [
            {"kind": "drill", "learners": ["ann"], "classes": ["k"], "every_days": every}]})

    daily, weekly = drills(1), drills(7)
    flagged = over_budget_weeks(TeamModel(scenario, 21, plan=daily, arrivals=[],
                                          learn=True).run(), scenario, daily)
    assert flagged == {"hero": [0, 1, 2]}
    assert over_budget_weeks(TeamModel(scenario, 21, plan=weekly, arrivals=[],
                                       learn=True).run(), scenario, weekly) == {}


def test_backup_the_budget_stopped_is_flagged():
    """A learner who leads with the hero as backup, ten incidents a week: with half an hour of
    the hero's week for transfer, backup stops after the first few and the weeks are flagged;
    with a day a week, nothing is."""
    def team(hours: float):
        return build_scenario(
            classes=[{"id": "k", "service": "svc", "rate_per_week": 10.0, "difficulty": 0.5,
                      "work_minutes": {"median": 30, "p90": 60}}],
            people=[{"id": "hero", "skills": {"k": 1.0}, "transfer_hours_per_week": hours},
                    {"id": "ann", "skills": {"k": 0.7}}],
            rotation={"primary": {"members": ["ann"]}})

    plan = Plan.model_validate({"name": "backed", "actions": [
        {"kind": "lead_with_backup", "learners": ["ann"], "classes": ["k"]}]})
    tight, roomy = team(0.5), team(8.0)
    flagged = over_budget_weeks(TeamModel(tight, 21, 0, 0, plan=plan, learn=True).run(),
                                tight, plan)
    assert flagged == {"hero": [0, 1, 2]}
    assert over_budget_weeks(TeamModel(roomy, 21, 0, 0, plan=plan, learn=True).run(),
                             roomy, plan) == {}


def test_drills_on_the_same_days_share_a_session():
    """A fortnightly drill whose days are all days of a weekly one joins its session (one
    game day, one cost); a weekly drill that starts later keeps its own."""
    weekly = {"kind": "drill", "learners": ["a"], "classes": ["x"], "every_days": 7,
              "start_day": 0, "end_day": 181}
    fortnightly = dict(weekly, learners=["b"], classes=["y"], every_days=14)
    late = dict(weekly, classes=["z"], start_day=91)
    sessions = fold_drills([fortnightly, weekly])
    assert sessions == [dict(weekly, learners=["a", "b"], classes=["x", "y"])]
    assert len(fold_drills([late, fortnightly])) == 2
    plan = compose([], "empty", "")
    assert plan.actions == []


def test_the_proposal_says_what_it_makes_worse():
    """A plan that makes the hero the only primary turns a class that is independent today
    into one that waits for the hero's page to time out without them: the check of the
    proposal names it as worse than today."""
    scenario = build_scenario(
        classes=[{"id": "k", "service": "svc", "rate_per_week": 6.0, "difficulty": 0.5,
                  "work_minutes": {"median": 30, "p90": 60}, "slo_minutes": 60}],
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 0.9}},
                {"id": "bob", "skills": {"k": 0.9}}],
        rotation={"primary": {"members": ["ann", "bob"]}},
        escalation={"levels": [{"target": "primary", "timeout_minutes": 60},
                               {"target": "team"}]},
        independence={"evaluation_days": 28, "min_effective_responders": 1})
    plan = Plan.model_validate({"name": "worse", "actions": [
        {"kind": "change_rotation", "primary": {"members": ["hero"]}}]})
    reps = Replications(scenario, 4, seed=0)
    result = run_check(reps, plan, weeks=2, every=2)
    check = proposal_check(result, ({}, 0), today_rows(reps, 4))
    assert check.classes["k"].today == "independent"
    assert check.classes["k"].verdict != "independent"
    assert check.classes["k"].degraded and check.degraded == ["k"]
    assert "k " in check.line and "worse than today's independent" in check.line
