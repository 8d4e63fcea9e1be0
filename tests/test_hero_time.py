"""The hero's time in the model: plan activities need the hero and spend their budget, consults
and gates cost hero minutes, and the team changes on its calendar (issue 17, the engine side)."""

from __future__ import annotations

import pytest
from conftest import INSTANT_ACKS

from sim.analysis.independence import run_check
from sim.analysis.metrics import effective_responders
from sim.analysis.replicate import Replications
from sim.model import Arrival, TeamModel
from sim.model.records import InterruptionKind
from sim.schema import MINUTES_PER_DAY, MINUTES_PER_WEEK, Plan, PracticeKind, Role


def drill_team(make_scenario, **person):
    """A hero who runs drills for ann; no incidents."""
    return make_scenario(
        people=[{"id": "hero", "skills": {"k": 1.0}, **person},
                {"id": "ann", "skills": {"k": 0.2}}],
        classes=[{"id": "k", "service": "svc", "rate_per_week": 0.0, "difficulty": 0.5,
                  "work_minutes": {"median": 30}}],
    )


def drills(**action) -> Plan:
    return Plan.model_validate({"name": "drills", "actions": [
        {"kind": "drill", "learners": ["ann"], "classes": ["k"], **action}]})


def test_a_drill_on_a_day_its_hero_is_away_is_skipped(make_scenario):
    """With the hero away on day 7, that week's drill does not happen: no practice, no hours;
    the others run the hero's session and take their time."""
    scenario = drill_team(make_scenario, absences=[{"start_day": 7, "end_day": 7}])
    records = TeamModel(scenario, 21, plan=drills(every_days=7), arrivals=[], learn=True).run()
    days = {int(c.at // MINUTES_PER_DAY): c for c in records.plan_costs}
    assert days[7].skipped == "hero away" and days[7].hero_hours == 0.0
    assert days[0].skipped is None and days[14].skipped is None
    practised = sorted(int(p.at // MINUTES_PER_DAY) for p in records.practice)
    assert practised == [0, 14]
    hero_sessions = [w for w in records.work if w.person == "hero" and w.role is Role.TRANSFER]
    assert [int(w.start // MINUTES_PER_DAY) for w in hero_sessions] == [0, 14]
    assert all(w.end - w.start == pytest.approx(120.0) for w in hero_sessions)


def test_a_drill_held_without_its_hero_costs_them_nothing(make_scenario):
    """`if_hero_away: without_hero`: the learners practise, the hero spends no time."""
    scenario = drill_team(make_scenario, absences=[{"start_day": 7, "end_day": 7}])
    plan = drills(every_days=7, if_hero_away="without_hero")
    records = TeamModel(scenario, 14, plan=plan, arrivals=[], learn=True).run()
    day7 = next(c for c in records.plan_costs if int(c.at // MINUTES_PER_DAY) == 7)
    assert day7.skipped is None and day7.hero_hours == 0.0 and day7.learner_hours > 0
    assert not [w for w in records.work if w.person == "hero"
                and int(w.start // MINUTES_PER_DAY) == 7]
    assert sorted(int(p.at // MINUTES_PER_DAY) for p in records.practice) == [0, 7]


def test_a_plan_over_the_weekly_budget_does_what_the_budget_allows(make_scenario):
    """An 8-hour drill every day (56 hours a week) against an 8-hour weekly budget: one drill
    a week happens, the rest are skipped as over budget; with a 56-hour budget all happen."""
    plan = drills(every_days=1, hero_hours=8, learner_hours=1)
    tight = TeamModel(drill_team(make_scenario), 14, plan=plan, arrivals=[]).run()
    held = [c for c in tight.plan_costs if c.skipped is None]
    over = [c for c in tight.plan_costs if c.skipped == "over budget"]
    assert [int(c.at // MINUTES_PER_WEEK) for c in held] == [0, 1]
    assert len(over) == 12
    ample = TeamModel(drill_team(make_scenario, transfer_hours_per_week=56), 14, plan=plan,
                      arrivals=[]).run()
    assert all(c.skipped is None for c in ample.plan_costs) and len(ample.plan_costs) == 14


def consult_team(make_scenario, consult: float):
    """ann can fix k but never dares lead; she may consult the hero instead of handing on."""
    return make_scenario(
        people=[{"id": "hero", "skills": {"k": 1.0}},
                {"id": "ann", "skills": {"k": {"knowledge": 0.95, "confidence": 0.1}}}],
        rotation={"primary": {"members": ["ann"]}},
        conditions={"consult": consult},
        behaviour=INSTANT_ACKS,
    )


def test_a_consult_costs_the_hero_minutes_and_an_interruption_and_ann_keeps_the_lead(
        make_scenario):
    """With consult 1, every incident ann doubts is a consult: the hero is interrupted (kind
    consult), spends the consult minutes (role consult), and ann leads, practising CONSULTED."""
    scenario = consult_team(make_scenario, 1.0)
    arrivals = [Arrival(i, 100.0 + 600.0 * i, 0, 0.0) for i in range(5)]
    records = TeamModel(scenario, 7, arrivals=arrivals, learn=True).run()
    assert [i.lead for i in records.incidents] == ["ann"] * 5
    assert all(i.hero_involved and not i.escalations for i in records.incidents)
    consults = [x for x in records.interruptions if x.kind is InterruptionKind.CONSULT]
    assert [x.person for x in consults] == ["hero"] * 5
    spans = [w for w in records.work if w.role is Role.CONSULT]
    assert len(spans) == 5 and all(w.person == "hero" for w in spans)
    minutes = scenario.behaviour.consult_minutes
    assert all(w.end - w.start == pytest.approx(minutes) for w in spans)
    assert {p.kind for p in records.practice if p.person == "ann"} == {PracticeKind.CONSULTED}
    without = TeamModel(consult_team(make_scenario, 0.0), 7, arrivals=arrivals).run()
    assert [i.lead for i in without.incidents] == ["hero"] * 5  # she hands on instead
    assert not [w for w in without.work if w.role is Role.CONSULT]


def test_a_gated_release_costs_its_reviewer_time_and_an_interruption(make_scenario):
    """A release that needs the hero: a gate interruption and review minutes for them."""
    scenario = make_scenario(
        services=[{"id": "svc", "changes": {"per_week": 10, "needs": ["hero"],
                                            "rollback_class": "k", "review_minutes": 20}}],
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 0.5}}],
    )
    records = TeamModel(scenario, 14, 4, arrivals=[]).run()
    releases = {c.release for c in records.changes if c.shipped is not None}
    gates = [x for x in records.interruptions if x.kind is InterruptionKind.GATE]
    reviews = [w for w in records.work if w.role is Role.REVIEW]
    assert releases and len(gates) == len(reviews) == len(releases)
    assert all(x.person == "hero" for x in gates)
    assert all(w.person == "hero" and w.end - w.start == 20.0 for w in reviews)


def team_events(make_scenario, events):
    return make_scenario(
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 0.9}},
                {"id": "bob", "skills": {"k": 0.9}}],
        rotation={"primary": {"members": ["ann", "bob", "hero"], "period_days": 1}},
        classes=[{"id": "k", "service": "svc", "rate_per_week": 30.0, "difficulty": 0.3,
                  "work_minutes": {"median": 20, "p90": 40}}],
        events=events,
    )


def test_a_person_who_leaves_takes_their_skills_with_them(make_scenario):
    """bob leaves on day 14: never paged or leading after it, and no longer an effective
    responder once gone (the rotation covers his days, as for a planned absence)."""
    scenario = team_events(make_scenario, [{"day": 14, "leave": "bob"}])
    model = TeamModel(scenario, 28, 1)
    records = model.run()
    day14 = 14 * MINUTES_PER_DAY
    assert any(i.lead == "bob" for i in records.incidents if i.arrived < day14)
    assert not [x for x in records.interruptions if x.person == "bob" and x.at >= day14]
    assert not [w for w in records.work if w.person == "bob" and w.start >= day14]
    before = effective_responders(scenario, model.skills, "k", t=day14 - 1)
    after = effective_responders(scenario, model.skills, "k", t=day14)
    assert "bob" in before and "bob" not in after


def test_the_check_replays_the_team_without_who_has_left(make_scenario):
    """At a checkpoint after bob left, neither arm of the replay pages him."""
    scenario = team_events(make_scenario, [{"day": 14, "leave": "bob"}])
    doc = run_check(Replications(scenario, 2, seed=1), None, weeks=4, every=2).document
    first, last = doc.checkpoints[0], doc.checkpoints[-1]
    assert first.classes["k"].effective_responders > last.classes["k"].effective_responders


def test_a_joiner_is_away_before_joining_and_ramps_up(make_scenario):
    """ann joins on day 7 with new_joiner_share of her listed skills and reaches them over the
    ramp; before day 7 she is never paged."""
    scenario = team_events(make_scenario, [{"day": 7, "join": "ann"}])
    ramp_end = 7 * 1440 + scenario.learning.ramp_weeks * MINUTES_PER_WEEK
    model = TeamModel(scenario, 7 * 14, 2)
    records = model.run(snapshot_at=[7 * 1440 + 1, ramp_end - 1, ramp_end + 1])
    assert not [x for x in records.interruptions if x.person == "ann" and x.at < 7 * 1440]
    joined, ramping, ramped = (s.skills.get("ann", "k")[0] for s in model.snapshots)
    share = scenario.learning.new_joiner_share
    assert joined == pytest.approx(0.9 * share)
    assert joined < ramping < 0.9 and ramped == pytest.approx(0.9)


def test_a_class_that_appears_has_no_incidents_before(make_scenario):
    """A class appearing on day 10 has no incidents (nor false pages) before it."""
    scenario = team_events(make_scenario, [{"day": 10, "appears": "k"}])
    scenario = scenario.model_copy(update={"conditions": scenario.conditions.model_copy(
        update={"alert_noise": 1.0})})
    records = TeamModel(scenario, 20, 3).run()
    assert records.incidents and min(i.arrived for i in records.incidents) >= 10 * 1440
    noise = [x for x in records.interruptions if x.kind is InterruptionKind.NOISE]
    assert noise and min(x.at for x in noise) >= 10 * 1440
