"""Each person's load and the hero's time (issue 17): hours by kind from hand-made records, the
budget and final-approver review of a plan, the concentration alert, the sustainment warning,
the hero-load criteria, the next person out and the team as a plan leaves it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.common import console
from cli.format import new_table
from cli.main import app
from sim.analysis.independence import run_check
from sim.analysis.independence.verdicts import hero_load_verdict
from sim.analysis.metrics import replication_metrics
from sim.analysis.people import (
    FIELDS,
    PLAYBOOK_APPROVER,
    PLAYBOOK_NO_TIME,
    approver_flags,
    arm_people,
    as_kinds,
    budget_review,
    hours_table,
    week_edges,
    weekly_capacity,
)
from sim.analysis.replicate import Replications
from sim.analysis.whatif import run_scenario
from sim.model.records import (
    IncidentRecord,
    Interruption,
    InterruptionKind,
    PlanCost,
    RunRecords,
    WorkSpan,
)
from sim.model.skills import SkillBook
from sim.schema import MINUTES_PER_WEEK, HourClass, Plan, Role, Scenario, Severity

runner = CliRunner()
WEEK = MINUTES_PER_WEEK


def team(**overrides) -> Scenario:
    """A hero, three learners and two primaries who cannot fix anything; one critical class."""
    base = {
        "name": "people",
        "services": [{"id": "svc", "critical": True}],
        "classes": [{"id": "down", "service": "svc", "severity": "sev2", "rate_per_week": 10,
                     "difficulty": 0.5, "work_minutes": {"median": 30, "p90": 60},
                     "slo_minutes": 480}],
        "people": [
            {"id": "hero", "skills": {"down": 1.0}, "working_hours": {"start": 9, "end": 17},
             "project_share": 0.25, "transfer_hours_per_week": 8},
            {"id": "a", "skills": {"down": 0.9}},
            {"id": "b", "skills": {"down": 0.9}},
            {"id": "c", "skills": {"down": 0.9}},
            {"id": "p1", "skills": {"down": 0.1}},
            {"id": "p2", "skills": {"down": 0.1}},
        ],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["p1", "p2"]}, "secondary": {"members": ["hero"]}},
        "escalation": {"levels": [{"target": "primary", "timeout_minutes": 15},
                                  {"target": "secondary", "timeout_minutes": 15},
                                  {"target": "team", "timeout_minutes": 15}]},
        "conditions": {"alert_noise": 0.0, "routing_ambiguity": 0.0, "informal_pull": 0.0},
        "independence": {"evaluation_days": 7, "min_incidents_per_class": 0},
    }
    base.update(overrides)
    return Scenario.model_validate(base)


def plan(*actions) -> Plan:
    return Plan.model_validate({"name": "p", "actions": list(actions)})


# -- hours by kind ------------------------------------------------------------------------


def test_capacity_is_working_hours_less_the_project_share():
    """8 hours a day, 5 days, a quarter on projects: 30 hours a week for everything else."""
    assert weekly_capacity(team().people[0]) == pytest.approx(30.0)


def records(**kwargs) -> RunRecords:
    return RunRecords(days=14, without=(), heroes=("hero",), **kwargs)


def test_spans_are_counted_by_kind_and_cut_at_week_edges():
    """Each role goes to its kind; a span across a week edge counts in both weeks."""
    work = [
        WorkSpan("hero", WEEK - 60, WEEK + 60, 1, Role.LED),  # an hour each side
        WorkSpan("hero", 100, 130, 2, Role.BACKUP),
        WorkSpan("hero", 200, 210, 3, Role.CONSULT),
        WorkSpan("hero", 300, 315, None, Role.REVIEW),
        WorkSpan("hero", WEEK + 600, WEEK + 720, None, Role.TRANSFER),
        WorkSpan("hero", 400, 405, None, Role.ACKNOWLEDGED),  # a false page's triage
        WorkSpan("a", 500, 560, 4, Role.PAIRED),
    ]
    table = hours_table(records(work=work), ["hero", "a"], week_edges(2), 0.25)
    hero = [as_kinds(row) for row in table["hero"]]
    assert hero[0] == pytest.approx({"rescue": 1.0, "backup": 0.5, "consult": 10 / 60,
                                     "review": 0.25, "transfer": 0.0, "triage": 5 / 60,
                                     "total": 1 + 0.5 + 10 / 60 + 0.25 + 5 / 60})
    assert hero[1]["rescue"] == pytest.approx(1.0)
    assert hero[1]["transfer"] == pytest.approx(2.0)
    assert as_kinds(table["a"][0])["transfer"] == pytest.approx(1.0)


def test_pairing_overhead_is_transfer_and_the_rest_rescue():
    """A hero leading with a learner beside them: o / (1 + o) of the span is transfer."""
    work = [WorkSpan("hero", 0, 125, 1, Role.LED), WorkSpan("a", 0, 125, 1, Role.PAIRED)]
    row = as_kinds(hours_table(records(work=work), ["hero"], week_edges(1), 0.25)["hero"][0])
    assert row["transfer"] == pytest.approx(25 / 60)
    assert row["rescue"] == pytest.approx(100 / 60)


def test_plan_charges_count_once():
    """A charge without a span counts as transfer for the action's hero; a drill's charge never
    counts (the engine records the drill as transfer spans for whoever attended); a skipped one
    costs nothing."""
    p = plan({"kind": "fix_condition", "condition": "alert_noise", "value": 0.1},
             {"kind": "drill", "learners": ["a"], "classes": ["down"]})
    costs = [PlanCost(0.0, 0, "fix_condition", 16.0, 8.0),
             PlanCost(600.0, 1, "drill", 2.0, 2.0),
             PlanCost(WEEK + 600.0, 1, "drill", 0.0, 0.0, "hero away")]
    charged = hours_table(records(plan_costs=costs), ["hero"], week_edges(2), 0.25, p)
    assert as_kinds(charged["hero"][0])["transfer"] == pytest.approx(16.0)
    spanned = records(plan_costs=costs, work=[WorkSpan("hero", 600, 720, None, Role.TRANSFER)])
    table = hours_table(spanned, ["hero"], week_edges(2), 0.25, p)
    assert as_kinds(table["hero"][0])["transfer"] == pytest.approx(18.0)
    assert table["hero"][1].sum() == 0.0


def consult_and_gate_records() -> RunRecords:
    """A week: a hero answers two consults (10 minutes each) and reviews three releases (15
    minutes each), with their interruptions."""
    incidents = [IncidentRecord(i, "down", "svc", Severity.SEV2, 100.0 * i, 100.0 * i + 1,
                                100.0 * i + 2, 100.0 * i + 40, "a", "a",
                                (("a", Role.LED), ("hero", Role.CONSULT)), (), True,
                                HourClass.BUSINESS, 480.0, False) for i in (1, 2)]
    interruptions = [Interruption("hero", 100.0 * i + 2, HourClass.BUSINESS,
                                  InterruptionKind.CONSULT, i) for i in (1, 2)]
    interruptions += [Interruption("hero", 1000.0 + i, HourClass.OFF, InterruptionKind.GATE,
                                   None) for i in range(3)]
    work = [WorkSpan("hero", 100.0 * i + 3, 100.0 * i + 13, i, Role.CONSULT) for i in (1, 2)]
    work += [WorkSpan("hero", 1000.0 + 20 * i, 1015.0 + 20 * i, None, Role.REVIEW)
             for i in range(3)]
    work += [WorkSpan("a", 100.0 * i + 13, 100.0 * i + 40, i, Role.LED) for i in (1, 2)]
    return RunRecords(days=7, without=(), heroes=("hero",), incidents=incidents,
                      interruptions=interruptions, work=work)


def test_consult_and_gate_time_in_hero_time_and_interruptions():
    """Consults and gates are hero time by kind (consult, review) and hero interruptions
    (consult, gate), in the run's metrics and in a checkpoint's picture."""
    scenario = team()
    m = replication_metrics(consult_and_gate_records(), scenario,
                            SkillBook.from_scenario(scenario))
    time = m["hero_time"]["hero"]
    assert time["consult"] == pytest.approx(20 / 60)
    assert time["review"] == pytest.approx(45 / 60)
    assert time["total"] == pytest.approx(65 / 60)
    assert time["improvement_left"] == pytest.approx(30 - 65 / 60)
    row = m["hero_interruptions_per_week"]["by_hero"]["hero"]
    assert (row["consult"], row["gate"], row["total"]) == (2.0, 3.0, 5.0)
    assert (row["business"], row["off"]) == (2.0, 3.0)
    picture = arm_people(consult_and_gate_records(), scenario, 7, set())
    at = dict(zip(FIELDS, picture["load"][0]))
    assert (at["consults_received"], at["gates"]) == (2, 3)
    assert at["consult"] == pytest.approx(20 / 60) and at["review"] == pytest.approx(0.75)
    assert picture["hero_consults"] == 2
    assert (picture["serious"], picture["serious_hero"]) == (2, 2)


# -- the budget and final approvers ----------------------------------------------------------


DAILY_DRILL = {"kind": "drill", "learners": ["a", "b"], "classes": ["down"], "every_days": 1,
               "hero_hours": 8, "learner_hours": 8}


def test_a_plan_over_the_heros_budget_is_flagged():
    """An 8-hour drill every day asks 56 hours a week of an 8-hour budget: every week over,
    one drill a week allowed, the playbook's warning said."""
    review = budget_review(plan(DAILY_DRILL), team(), 13)
    hero = next(row for row in review.people if row.person == "hero")
    assert not review.fits
    assert hero.over_weeks == list(range(13))
    assert hero.total == pytest.approx(728.0) and hero.peak == pytest.approx(56.0)
    assert sum(hero.allowed) == pytest.approx(13 * 8.0)
    assert hero.skipped_drills == 13 * 6
    assert any(PLAYBOOK_NO_TIME in line for line in review.text)


def test_the_same_plan_within_budget_is_not_flagged():
    """With 60 hours a week cleared for everyone, the same plan fits."""
    people = [{**p.model_dump(mode="json", exclude_none=True), "transfer_hours_per_week": 60}
              for p in team().people]
    review = budget_review(plan(DAILY_DRILL), team(people=people), 13)
    assert review.fits
    assert all(not row.over_weeks and not row.skipped_drills for row in review.people)
    assert not any(PLAYBOOK_NO_TIME in line for line in review.text)


def test_a_runbook_waits_for_a_week_with_room():
    """A 10-hour runbook does not fit an 8-hour budget at all: nothing of it is allowed; a
    6-hour one the day after a 4-hour drill waits for the next week (and the plan, asking 10
    hours in week 0, is flagged)."""
    review = budget_review(plan({"kind": "runbook", "classes": ["down"], "hero_hours": 10}),
                           team(), 4)
    assert sum(review.people[0].allowed) == 0.0 and review.people[0].over_weeks == [0]
    review = budget_review(plan(
        {"kind": "drill", "learners": ["a"], "classes": ["down"], "every_days": 28,
         "hero_hours": 4, "learner_hours": 1},
        {"kind": "runbook", "classes": ["down"], "hero_hours": 6, "start_day": 1}), team(), 4)
    hero = next(row for row in review.people if row.person == "hero")
    assert hero.allowed[:2] == pytest.approx([4.0, 6.0])
    assert hero.over_weeks == [0] and not review.fits


def test_final_approver_forever_is_flagged():
    """A lead_with_backup with no end_day and a `needs` gate never removed are flagged; with
    an end_day and a remove_needs they are not."""
    gated = team(services=[{"id": "svc", "critical": True, "changes": {
        "per_week": 2, "needs": ["hero"], "rollback_class": "down"}}])
    forever = plan({"kind": "lead_with_backup", "learners": ["a"], "classes": ["down"]})
    flags = approver_flags(forever, gated)
    assert [f.kind for f in flags] == ["lead_with_backup", "needs"]
    assert all(PLAYBOOK_APPROVER in f.text for f in flags)
    ended = plan({"kind": "lead_with_backup", "learners": ["a"], "classes": ["down"],
                  "end_day": 55}, {"kind": "remove_needs", "services": ["svc"], "start_day": 56})
    assert approver_flags(ended, gated) == []
    assert [f.kind for f in approver_flags(None, gated)] == ["needs"]


def test_a_check_flags_the_plan_over_budget_and_not_the_same_plan_within_it():
    """In a check, the 8-hour daily drill is a budget finding with the playbook's sentence, and
    the run skips what the budget cannot hold (six drills a week); with 60 hours a week cleared,
    no budget finding and nothing skipped."""
    tight = run_check(Replications(team(), 1, seed=3), plan(DAILY_DRILL), weeks=2,
                      every=2).document
    kinds = [f.kind for f in tight.findings]
    assert "over_budget" in kinds and not tight.plan_review.budget.fits
    assert any(PLAYBOOK_NO_TIME in f.text for f in tight.findings)
    assert tight.plan_review.budget.skipped["over budget"]["drill"] == pytest.approx(12.0)
    assert "skipped" in kinds
    people = [{**p.model_dump(mode="json", exclude_none=True), "transfer_hours_per_week": 60}
              for p in team().people]
    ample = run_check(Replications(team(people=people), 1, seed=3), plan(DAILY_DRILL),
                      weeks=2, every=2).document
    assert ample.plan_review.budget.fits and not ample.plan_review.budget.skipped
    assert not {"over_budget", "skipped"} & {f.kind for f in ample.findings}
    # The hero's transfer time is what happened: one 8-hour drill a week, then all seven.
    assert tight.hero_time["hero"].mean.hours["transfer"] == pytest.approx(8.0)
    assert ample.hero_time["hero"].mean.hours["transfer"] == pytest.approx(56.0)
    assert ample.hero_time["hero"].overloaded_weeks == [0, 1]


# A drill on a day its hero is away does not count as practice with the hero: the engine's
# tests/test_hero_time.py (test_a_drill_on_a_day_its_hero_is_away_is_skipped,
# test_a_drill_held_without_its_hero_costs_them_nothing); the hero's hours leave a skipped
# drill out (test_plan_charges_count_once above), and the check says it was skipped
# (test_a_check_flags_the_plan_over_budget_and_not_the_same_plan_within_it).


# -- consults and gates, end to end ------------------------------------------------------------


def gated_consulting_team(consult: float, needs: list[str]) -> Scenario:
    """ann can fix `down` but dares not lead it; she may consult the hero. Releases need
    `needs`."""
    return Scenario.model_validate({
        "name": "consults",
        "services": [{"id": "svc", "critical": True, "changes": {
            "per_week": 5, "needs": needs, "rollback_class": "down", "failure_rate": 0.0,
            "review_minutes": 20}}],
        "classes": [{"id": "down", "service": "svc", "severity": "sev2", "rate_per_week": 10,
                     "difficulty": 0.5, "work_minutes": {"median": 30, "p90": 60}}],
        "people": [{"id": "hero", "skills": {"down": 1.0}},
                   {"id": "ann", "skills": {"down": {"knowledge": 0.95, "confidence": 0.1}}}],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["ann"]}},
        "conditions": {"consult": consult, "alert_noise": 0.0, "informal_pull": 0.0},
        "behaviour": {"ack_median_minutes": {"business": 0, "off": 0, "sleep": 0}},
    })


def test_consults_and_gates_of_a_run_are_hero_time_and_interruptions():
    """The engine's consults and release gates show in the run's hero time by kind (consult,
    review) and raise the hero's interruptions of those kinds; without them, both are zero."""
    def hero(consult: float, needs: list[str]):
        m = run_scenario(Replications(gated_consulting_team(consult, needs), 2, seed=5),
                         days=14, keep_incidents=False).summary
        return m["hero_time"]["hero"], m["hero_interruptions_per_week"]["by_hero"]["hero"]

    time, interruptions = hero(1.0, ["hero"])
    assert time["consult"]["mean"] > 0 and time["review"]["mean"] > 0
    assert interruptions["consult"]["mean"] > 0 and interruptions["gate"]["mean"] > 0
    # Five releases a week at most, 20 minutes each: the review hours follow the gates.
    assert time["review"]["mean"] == pytest.approx(interruptions["gate"]["mean"] * 20 / 60)
    time, interruptions = hero(0.0, [])
    assert time["consult"]["mean"] == 0 and time["review"]["mean"] == 0
    assert interruptions["consult"]["mean"] == 0 and interruptions["gate"]["mean"] == 0


# -- the concentration alert -------------------------------------------------------------------


def secondary(members: list[str]) -> dict:
    """A plan that hands the secondary (where every incident the primaries cannot fix goes)
    to `members` from day 7, a day each."""
    return {"kind": "change_rotation", "start_day": 7,
            "secondary": {"members": members, "period_days": 1}}


def test_the_concentration_alert_fires_when_a_plan_moves_the_pulls_to_one_learner():
    """The primaries cannot fix anything: everything goes to the secondary. A plan that makes
    `a` the only secondary moves it all to her: an alert names her (escalations and the
    critical class), in both arms; a plan that spreads the secondary over a, b and c does
    not."""
    scenario = team(independence={"evaluation_days": 14, "min_incidents_per_class": 0})
    one = run_check(Replications(scenario, 2, seed=4), plan(secondary(["a"])), weeks=2,
                    every=2).document
    subjects = {(a.person, a.subject, a.arm) for a in one.concentration}
    assert {("a", "escalations", "present"), ("a", "down", "present")} <= subjects
    assert {alert.person for alert in one.concentration} == {"a"}
    alert = next(a for a in one.concentration if a.subject == "down" and a.arm == "present")
    assert alert.share > 0.8 and (alert.start_share or 0.0) < 0.1 and alert.week == 2
    assert "Dependence moved rather than fell" in alert.text and "a leads" in alert.text
    assert "concentration" in {f.kind for f in one.findings}
    spread = run_check(Replications(scenario, 2, seed=4), plan(secondary(["a", "b", "c"])),
                       weeks=2, every=2).document
    assert spread.concentration == []
    shares = spread.checkpoints[-1].people["present"].people
    assert max(shares[p].critical_shares["down"] for p in "abc") < 0.5


# -- sustainment ---------------------------------------------------------------------------------


def drilled_team() -> Scenario:
    """The hero takes every page; a and b only learn in drills, and forget fast (a week's
    half-life). Without the hero, the whole team is paged."""
    return Scenario.model_validate({
        "name": "drilled",
        "services": [{"id": "svc"}],
        "classes": [{"id": "down", "service": "svc", "severity": "sev2", "rate_per_week": 5,
                     "difficulty": 0.4, "work_minutes": {"median": 30, "p90": 60},
                     "slo_minutes": 120}],
        "people": [{"id": "hero", "skills": {"down": 1.0}},
                   {"id": "a", "skills": {"down": 0.3}}, {"id": "b", "skills": {"down": 0.3}}],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["hero"]}},
        "escalation": {"levels": [{"target": "primary", "timeout_minutes": 15},
                                  {"target": "team", "timeout_minutes": 15}]},
        "conditions": {"alert_noise": 0.0, "routing_ambiguity": 0.0, "informal_pull": 0.0},
        "learning": {"half_life_days": 7},
        "independence": {"evaluation_days": 7, "min_incidents_per_class": 0},
    })


def daily_drill(**extra) -> dict:
    return {"kind": "drill", "learners": ["a", "b"], "classes": ["down"], "every_days": 1,
            "hero_hours": 1, "learner_hours": 1, **extra}


def test_the_sustainment_warning_fires_on_a_plan_that_stops_practising():
    """Daily drills for two weeks, then nothing: a and b handle `down` alone by week 2 and
    have forgotten it by week 8; the check warns that the class slid back and that the plan's
    practice ended by week 2. The same drills kept up: no warning."""
    stop = run_check(Replications(drilled_team(), 2, seed=2), plan(daily_drill(end_day=13)),
                     weeks=8, every=2).document
    drift = stop.sustainment
    assert drift.practice_ends_week == 2
    row = drift.classes["down"]
    assert row.regressed and row.effective_peak_week == 2
    assert row.effective_peak >= 1.5 and row.effective_end < 0.5
    assert len(drift.warnings) == 1 and "practice ended by week 2" in drift.warnings[0]
    assert "regression" in {f.kind for f in stop.findings}
    keep = run_check(Replications(drilled_team(), 2, seed=2), plan(daily_drill()), weeks=8,
                     every=2).document
    assert keep.sustainment.practice_ends_week is None
    assert not keep.sustainment.classes["down"].regressed and not keep.sustainment.warnings
    assert keep.sustainment.classes["down"].effective_end >= 1.5


def test_practice_ends_with_the_last_practising_action():
    """One-off actions (a runbook, access, a gate, the rotation) do not practise; an open-ended
    pairing never ends; a plan with no practice has none from week 0."""
    from sim.analysis.people import practice_end_week

    assert practice_end_week(plan(daily_drill(end_day=13),
                                  {"kind": "runbook", "classes": ["down"]})) == 2
    assert practice_end_week(plan({"kind": "pair", "learners": ["a"],
                                   "classes": ["down"]})) is None
    assert practice_end_week(plan({"kind": "runbook", "classes": ["down"]})) == 0
    assert practice_end_week(None) is None


# -- the hero-load pass criteria -------------------------------------------------------------


def test_hero_load_verdict_reads_the_serious_share_and_the_consults():
    """Each criterion fails only past its limit, and an unset one never does."""
    criteria = team().independence.model_copy(update={"max_hero_serious_share": 0.5,
                                                      "max_hero_consults_per_week": 2.0})
    assert hero_load_verdict(0.5, 2.0, criteria) == (True, [])
    held, notes = hero_load_verdict(0.8, 3.0, criteria)
    assert not held and len(notes) == 2
    assert "80% of sev1/sev2" in notes[0] and "3.0 consults a week" in notes[1]
    assert hero_load_verdict(1.0, 99.0, team().independence) == (True, [])


def test_the_check_fails_on_hero_load_and_says_why():
    """ann consults the hero on every incident she doubts (and consulting never gives her the
    nerve): the heroes are in every serious incident and answer about ten consults a week.
    With limits set, the check holds back on 'hero load' with both reasons; without, it does
    not."""
    scenario = Scenario.model_validate({
        **gated_consulting_team(1.0, []).model_dump(mode="json", exclude_none=True,
                                                    by_alias=True),
        "learning": {"rates": {"consulted": {"knowledge": 0.0, "confidence": 0.0}}},
        "independence": {"evaluation_days": 7, "min_incidents_per_class": 0}})
    loose = run_check(Replications(scenario, 2, seed=6), None, weeks=2, every=2).document
    end = loose.checkpoints[-1]
    assert end.hero_serious_share > 0.9 and end.hero_consults_per_week > 5
    assert "hero load" not in [h.class_id for h in loose.final.holding_back]
    strict = scenario.model_copy(update={"independence": scenario.independence.model_copy(
        update={"max_hero_serious_share": 0.5, "max_hero_consults_per_week": 1.0})})
    doc = run_check(Replications(strict, 2, seed=6), None, weeks=2, every=2).document
    held = next(h for h in doc.final.holding_back if h.class_id == "hero load")
    assert len(held.reasons) == 2 and not doc.final.passed
    assert [f.kind for f in doc.findings].count("hero_load") == 2


# -- the CLI: the next person out, the team as a plan leaves it, 80 columns --------------------


TINY = Path(__file__).parent / "data" / "tiny.yaml"
PAIRING = Path(__file__).parent / "data" / "plans" / "pairing.yaml"
SMALL = ["--reps", "2", "--weeks", "4", "--every", "2", "--workers", "1"]


def test_cli_check_also_without_replays_the_next_person_out(tmp_path):
    """`check --also-without ben` adds a third arm at every checkpoint (the heroes and ben
    away), judged by the same rules, and says so under the verdict."""
    result = runner.invoke(app, ["check", str(TINY), *SMALL, "--also-without", "ben",
                                 "--format", "json", "--out", str(tmp_path / "j")])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["also_without"] == ["ben"]
    last = doc["checkpoints"][-1]
    assert set(last["people"]) == {"present", "absent", "next_out"}
    assert last["people"]["next_out"]["people"]["ben"]["pages"] == 0.0
    assert last["people"]["absent"]["people"]["ben"]["pages"] > 0.0
    assert set(last["next_out"]["classes"]) == set(last["classes"])
    table = runner.invoke(app, ["check", str(TINY), *SMALL, "--also-without", "ben",
                                "--out", str(tmp_path / "t")])
    assert table.exit_code == result.exit_code
    assert "Without ana, ben (the next person out) at week 4" in " ".join(
        table.output.split())


@pytest.mark.parametrize(("who", "message"), [
    ("nobody", "nobody"), ("ana", "a hero is absent in the check's second arm already")])
def test_cli_check_also_without_refuses_a_stranger_and_a_hero(tmp_path, who, message):
    """An unknown person or a hero after --also-without exits 2 with what to write."""
    result = runner.invoke(app, ["check", str(TINY), *SMALL, "--also-without", who,
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "--also-without" in result.output and message in result.output
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())


def test_cli_run_at_week_runs_the_team_as_the_plan_leaves_it(tmp_path):
    """`run --plan P --at-week N`: the document names the plan and the week; at week 0 it is
    today's team (the same figures as a plain run); after eight weeks of pairing and drills,
    ben leads more incidents than today."""
    def run(*extra: str) -> dict:
        result = runner.invoke(app, ["run", str(TINY), "--days", "28", "--reps", "4",
                                     "--workers", "1", "--format", "json",
                                     "--out", str(tmp_path), *extra])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    plain = run()
    today = run("--plan", str(PAIRING), "--at-week", "0")
    later = run("--plan", str(PAIRING), "--at-week", "8")
    assert (later["plan"], later["at_week"]) == ("pairing", 8)
    assert today["metrics"]["load"] == plain["metrics"]["load"]
    led = [doc["metrics"]["load"]["ben"]["incidents_led"]["mean"] for doc in (today, later)]
    assert led[1] > led[0]


@pytest.mark.parametrize(("args", "message"), [
    (["--at-week", "4"], "--at-week needs the plan"),
    (["--plan", str(PAIRING)], "say which week of the plan"),
    (["--plan", "nope", "--at-week", "4"], "nope"),
    (["--plan", str(PAIRING), "--at-week", "600"], "520"),
])
def test_cli_run_at_week_bad_input_exits_2(tmp_path, args, message):
    """--at-week without --plan, --plan without --at-week, an unknown plan, a week past the
    longest run: exit 2 with a message, no traceback, no results."""
    result = runner.invoke(app, ["run", str(TINY), "--days", "7", "--reps", "1", *args,
                                 "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def numbers(text: str) -> Counter:
    """The whitespace-separated tokens of `text` that hold a digit, paths left out."""
    return Counter(t for t in text.split() if any(c.isdigit() for c in t) and "/" not in t)


@pytest.mark.parametrize("command", ["check", "compare"])
def test_cli_tables_fit_80_columns_without_losing_a_number(tmp_path, monkeypatch, command):
    """On an 80-column terminal no line of `check` or `compare` is wider than 80, and every
    number a 200-column terminal shows is still there (nothing cropped)."""
    def output(width: int) -> str:
        monkeypatch.setattr(console, "width", width)
        result = runner.invoke(app, [command, str(TINY), "--plan", str(PAIRING), *SMALL,
                                     "--out", str(tmp_path / str(width))])
        assert result.exit_code in (0, 1), result.output
        return result.output.split("Results written to")[0]

    narrow, wide = output(80), output(200)
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert numbers(narrow) == numbers(wide)


def test_a_wide_table_wraps_its_headers_rather_than_crop_its_cells():
    """rich alone shrinks the widest column first, even one whose cells cannot shrink, and
    crops the table; `new_table` wraps the headers that can wrap instead."""
    from rich.console import Console

    rows = [["pg-migration-rollback", "indep.", "207→210", "1.01", "-1%", "0.7→0.9", "0.22",
             "3.0"]]
    table = new_table("Classes", ["class", "verdict", "TTM p90 min", "ratio", "breach +",
                                  "hand- offs", "pulls /inc", "resp."], rows, left=2)
    out = Console(width=80, record=True)
    out.print(table)
    text = out.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert all(value in text for value in rows[0])
    assert all(word in text for word in ("pulls", "/inc", "resp."))


def test_a_table_too_wide_even_so_folds_its_names_not_its_numbers():
    """When wrapped headers are not enough, the first column (a long plan name) folds over
    lines; every number is still there, within 80 columns."""
    from rich.console import Console

    rows = [["pair-and-lead-then-stop", "wk 20 [20–20]", "95/196", "0.9 (-4.7)", "143",
             "10% (+1)", "3.0 2.9"]]
    table = new_table("Plans", ["plan", "independent", "hours hero/ learner",
                                "hero int./ week (vs base)", "p90 hero absent",
                                "breach absent (+)", "resp. critical"], rows)
    out = Console(width=80, record=True)
    out.print(table)
    text = out.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert all(value in text for value in rows[0][1:])
    first = [line[:16].strip() for line in text.splitlines() if line[:16].strip()]
    assert "".join(first).endswith("pair-and-lead-then-stop")
