"""Transfer plans: each action changes the live team state on its dates, costs what it says,
changes who does what on incidents, and bad plan files are explained, never run."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from sim.errors import InputError
from sim.inputs.scenario import load_plan, load_scenario
from sim.model import TeamModel
from sim.model.plans import DEFAULT_COSTS, DRILL_MINUTE
from sim.model.records import InterruptionKind
from sim.schema import MINUTES_PER_DAY, EscalationKind, Plan, PracticeKind, Role, Scenario

HERE = Path(__file__).parent
TINY = HERE / "data" / "tiny.yaml"
PLANS = HERE / "data" / "plans"
INVALID_PLANS = HERE / "invalid_plans"
INSTANT_ACKS = {"ack_median_minutes": {"business": 0, "off": 0, "sleep": 0}}

runner = CliRunner()


def plan_of(*actions: dict) -> Plan:
    """A plan named 'p' with the given actions."""
    return Plan.model_validate({"name": "p", "actions": list(actions)})


def sample(scenario: Scenario, plan: Plan, days: int, at_days: list[float], probe,
           learn: bool = False) -> dict[float, object]:
    """Run `plan` with no incidents and return probe(model, t) at each of `at_days`."""
    model = TeamModel(scenario, days, plan=plan, arrivals=[], learn=learn)
    seen: dict[float, object] = {}

    def sampler():
        """Look at the live state at the chosen times."""
        for day in at_days:
            t = day * MINUTES_PER_DAY
            yield model.env.timeout(t - model.env.now)
            seen[day] = probe(model, t)

    model.env.process(sampler())
    model.run()
    return seen


# In force on days 5..9 inclusive: sampled the noon before, on its first and last day, and after.
BEFORE, FIRST, LAST, AFTER = 4.5, 5.5, 9.5, 10.5
WINDOW = {"start_day": 5, "end_day": 9}


def over_window(scenario, action: dict, probe) -> list:
    """probe() before, on the first day, on the last day and after an action on days 5..9."""
    seen = sample(scenario, plan_of({**action, **WINDOW}), 14, [BEFORE, FIRST, LAST, AFTER],
                  probe)
    return [seen[d] for d in (BEFORE, FIRST, LAST, AFTER)]


# -- each action on the live state ----------------------------------------------------------------


def test_change_rotation_swaps_who_is_on_call(make_scenario):
    """change_rotation puts new people on call for its days, then restores the old rotation."""
    scenario = make_scenario(rotation={"primary": {"members": ["ann"]}})
    action = {"kind": "change_rotation", "primary": {"members": ["hero"]},
              "secondary": {"members": ["ann"]}}
    seen = over_window(scenario, action, lambda m, t: (m.calendar.on_call("primary", t),
                                                       m.calendar.on_call("secondary", t)))
    assert seen == [("ann", None), ("hero", "ann"), ("hero", "ann"), ("ann", None)]


def test_add_shadow_sets_the_shadow_layer(make_scenario):
    """add_shadow puts a learner in the shadow slot for its days."""
    seen = over_window(make_scenario(), {"kind": "add_shadow", "schedule": {"members": ["ann"]}},
                       lambda m, t: m.calendar.on_call("shadow", t))
    assert seen == [None, "ann", "ann", None]


def test_add_shadow_pages_the_shadow_on_incidents(make_scenario):
    """Incidents paged after add_shadow starts involve the shadow; before it, none do."""
    scenario = make_scenario(
        classes=[{"id": "k", "service": "svc", "rate_per_week": 14.0, "difficulty": 0.0,
                  "work_minutes": {"median": 30}}],
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 1.0}},
                {"id": "bo", "skills": {"k": 0.2}}],
        rotation={"primary": {"members": ["ann"]}}, behaviour=INSTANT_ACKS)
    plan = plan_of({"kind": "add_shadow", "schedule": {"members": ["bo"]}, "start_day": 14})
    records = TeamModel(scenario, 28, seed=1, plan=plan).run()
    start = 14 * MINUTES_PER_DAY
    shadowed = [i for i in records.incidents if ("bo", Role.SHADOW) in i.involved]
    assert shadowed and all(i.arrived >= start for i in shadowed)
    assert all(("bo", Role.SHADOW) in i.involved for i in records.incidents if i.arrived >= start)
    assert any(w.person == "bo" and w.role is Role.SHADOW for w in records.work)


@pytest.mark.parametrize("condition, before, value", [
    ("alert_noise", 2.0, 0.5),
    ("routing_ambiguity", 0.3, 0.0),
    ("observability", 2.0, 1.0),
    ("informal_pull", 0.6, 0.1),
])
def test_fix_condition_sets_the_condition(make_scenario, condition, before, value):
    """fix_condition sets the condition to its value for its days, then restores it."""
    scenario = make_scenario(conditions={condition: before})
    seen = over_window(scenario, {"kind": "fix_condition", "condition": condition,
                                  "value": value},
                       lambda m, t: getattr(m.state, condition))
    assert seen == [before, value, value, before]


def test_stop_informal_pulls_for_listed_classes(make_scenario):
    """Pulls stop for the listed classes only, and resume after the end day."""
    scenario = make_scenario(classes=[
        {"id": "k", "service": "svc", "rate_per_week": 0.0, "work_minutes": {"median": 30}},
        {"id": "j", "service": "svc", "rate_per_week": 0.0, "work_minutes": {"median": 30}},
    ])
    seen = over_window(scenario, {"kind": "stop_informal_pulls", "classes": ["k"]},
                       lambda m, t: (m.state.pulls_allowed("k"), m.state.pulls_allowed("j")))
    assert seen == [(True, True), (False, True), (False, True), (True, True)]


def test_stop_informal_pulls_for_every_class(make_scenario):
    """Without classes, pulls stop for every class."""
    scenario = make_scenario(classes=[
        {"id": "k", "service": "svc", "rate_per_week": 0.0, "work_minutes": {"median": 30}},
        {"id": "j", "service": "svc", "rate_per_week": 0.0, "work_minutes": {"median": 30}},
    ])
    seen = over_window(scenario, {"kind": "stop_informal_pulls"},
                       lambda m, t: (m.state.pulls_allowed("k"), m.state.pulls_allowed("j")))
    assert seen == [(True, True), (False, False), (False, False), (True, True)]


@pytest.mark.parametrize("people, during", [(["hero"], ("ann",)), ([], ())])
def test_remove_requires(make_scenario, people, during):
    """remove_requires drops the named people (or everyone) from a class's requires."""
    scenario = make_scenario(classes=[{
        "id": "k", "service": "svc", "rate_per_week": 0.0, "work_minutes": {"median": 30},
        "requires": ["hero", "ann"]}])
    seen = over_window(scenario, {"kind": "remove_requires", "classes": ["k"], "people": people},
                       lambda m, t: m.state.requires["k"])
    assert seen == [("hero", "ann"), during, during, ("hero", "ann")]


@pytest.mark.parametrize("kind, table", [("pair", "pairing"), ("lead_with_backup", "backup")])
def test_pair_and_backup_enrol_learners_for_their_days(make_scenario, kind, table):
    """pair and lead_with_backup list the learners for the classes only while in force."""
    seen = over_window(make_scenario(), {"kind": kind, "learners": ["ann"], "classes": ["k"]},
                       lambda m, t: list(getattr(m.state, table).get("k", [])))
    assert seen == [[], ["ann"], ["ann"], []]


def test_action_without_end_day_lasts_to_the_end(make_scenario):
    """An action with no end_day stays in force to the horizon."""
    plan = plan_of({"kind": "stop_informal_pulls", "start_day": 3})
    seen = sample(make_scenario(), plan, 30, [2.5, 3.5, 29.5],
                  lambda m, t: m.state.pulls_allowed("k"))
    assert seen == {2.5: True, 3.5: False, 29.5: False}


def test_runbook_is_written_on_its_start_day_and_refreshed(make_scenario):
    """A runbook appears on its start day and every refresh makes it as fresh as new."""
    scenario = make_scenario(learning={"runbook_half_life_days": 20})
    plan = plan_of({"kind": "runbook", "classes": ["k"], "coverage": 1.0, "quality": 1.0,
                    "start_day": 2, "refresh_every_days": 10})
    seen = sample(scenario, plan, 40, [1.5, 2.5, 11.5, 12.5, 22.5, 32.5, 39.5],
                  lambda m, t: m.state.runbooks.strength("k", t))
    assert seen[1.5] == 0.0
    fresh = 0.5 ** (0.5 / 20)
    for day in (2.5, 12.5, 22.5, 32.5):
        assert seen[day] == pytest.approx(fresh)
    assert seen[11.5] == pytest.approx(0.5 ** (9.5 / 20))
    assert seen[39.5] == pytest.approx(0.5 ** (7.5 / 20))


def test_runbook_costs_a_write_then_each_refresh(make_scenario):
    """Plan costs hold one write at the start and one refresh per refresh date."""
    plan = plan_of({"kind": "runbook", "classes": ["k"], "start_day": 2,
                    "refresh_every_days": 10})
    records = TeamModel(make_scenario(), 40, plan=plan, arrivals=[]).run()
    rows = [(int(c.at // MINUTES_PER_DAY), c.kind, c.hero_hours, c.learner_hours)
            for c in records.plan_costs]
    write, refresh = DEFAULT_COSTS["runbook"], DEFAULT_COSTS["runbook_refresh"]
    assert rows == [(2, "runbook", *write), (12, "runbook_refresh", *refresh),
                    (22, "runbook_refresh", *refresh), (32, "runbook_refresh", *refresh)]


# -- drills ---------------------------------------------------------------------------------------


def drill_scenario(make_scenario):
    """Two classes, a hero and two learners; bo is away on days 7-8."""
    return make_scenario(
        classes=[{"id": c, "service": "svc", "rate_per_week": 0.0,
                  "work_minutes": {"median": 30}} for c in ("k", "j")],
        people=[{"id": "hero", "skills": {"k": 1.0, "j": 1.0}},
                {"id": "ann", "skills": {"k": 0.2}},
                {"id": "bo", "absences": [{"start_day": 7, "end_day": 8}]}],
        rotation={"primary": {"members": ["ann", "hero"]}})


def test_drill_practises_each_present_learner_each_class(make_scenario):
    """Every N days each present learner practises each class once, as a DRILL."""
    plan = plan_of({"kind": "drill", "learners": ["ann", "bo"], "classes": ["k", "j"],
                    "every_days": 7})
    model = TeamModel(drill_scenario(make_scenario), 28, plan=plan, arrivals=[], learn=True)
    records = model.run()
    drills = [(int(p.at // MINUTES_PER_DAY), p.person, p.class_id) for p in records.practice
              if p.kind is PracticeKind.DRILL]
    assert {p.at % MINUTES_PER_DAY for p in records.practice} == {DRILL_MINUTE}  # at 10:00
    expected = [(d, person, c) for d in (0, 7, 14, 21) for person in ("ann", "bo")
                for c in ("k", "j") if not (d == 7 and person == "bo")]
    assert sorted(drills) == sorted(expected)
    # bo (floor 0) drilled on days 0, 14 and 21, forgetting in between.
    r = model.scenario.learning.rates[PracticeKind.DRILL].knowledge
    half_life = model.scenario.learning.half_life_days
    k = r
    for gap in (14, 7):
        k *= 0.5 ** (gap / half_life)
        k += r * (1 - k)
    assert model.skills.get("bo", "k", 21 * MINUTES_PER_DAY)[0] == pytest.approx(k)


def test_drill_without_learning_changes_no_skill(make_scenario):
    """With learning off, a drill still costs time but moves nobody's skills."""
    plan = plan_of({"kind": "drill", "learners": ["ann"], "classes": ["k"], "every_days": 7})
    model = TeamModel(drill_scenario(make_scenario), 14, plan=plan, arrivals=[])
    records = model.run()
    assert model.skills.get("ann", "k", 13 * MINUTES_PER_DAY) == (0.2, 0.2)
    assert len(records.plan_costs) == 2


def test_drill_charges_default_hours_per_present_learner(make_scenario):
    """Each drill charges the hero's hours once and each present learner's hours."""
    plan = plan_of({"kind": "drill", "learners": ["ann", "bo"], "classes": ["k"],
                    "every_days": 7, "end_day": 13})
    records = TeamModel(drill_scenario(make_scenario), 28, plan=plan, arrivals=[]).run()
    hero, learner = DEFAULT_COSTS["drill"]
    rows = [(int(c.at // MINUTES_PER_DAY), c.kind, c.hero_hours, c.learner_hours)
            for c in records.plan_costs]
    assert rows == [(0, "drill", hero, 2 * learner), (7, "drill", hero, learner)]


def test_drill_charges_overridden_hours(make_scenario):
    """hero_hours and learner_hours on the action replace the defaults per occurrence."""
    plan = plan_of({"kind": "drill", "learners": ["ann", "bo"], "classes": ["k"],
                    "every_days": 14, "hero_hours": 5, "learner_hours": 1.5})
    records = TeamModel(drill_scenario(make_scenario), 28, plan=plan, arrivals=[]).run()
    assert [(c.hero_hours, c.learner_hours) for c in records.plan_costs] == [(5, 3), (5, 3)]


def test_drill_with_nobody_present_costs_nothing(make_scenario):
    """A drill whose learners are all away costs no hours and teaches nothing."""
    plan = plan_of({"kind": "drill", "learners": ["bo"], "classes": ["k"], "start_day": 7,
                    "end_day": 8, "every_days": 7})
    records = TeamModel(drill_scenario(make_scenario), 14, plan=plan, arrivals=[],
                        learn=True).run()
    assert [(c.hero_hours, c.learner_hours) for c in records.plan_costs] == [(0.0, 0.0)]
    assert records.practice == []


@pytest.mark.parametrize("action, kind, expected", [
    ({"kind": "pair", "learners": ["ann"], "classes": ["k"]}, "pair", DEFAULT_COSTS["pair"]),
    ({"kind": "lead_with_backup", "learners": ["ann", "bo"], "classes": ["k"]},
     "lead_with_backup", (0.5, 1.0)),
    ({"kind": "add_shadow", "schedule": {"members": ["ann", "bo"]}}, "add_shadow", (0.0, 1.0)),
    ({"kind": "stop_informal_pulls"}, "stop_informal_pulls", (0.5, 0.0)),
    ({"kind": "fix_condition", "condition": "observability", "value": 1.0}, "fix_condition",
     (16.0, 8.0)),
    ({"kind": "remove_requires", "classes": ["k"]}, "remove_requires", (8.0, 4.0)),
    ({"kind": "change_rotation", "primary": {"members": ["ann"]}, "hero_hours": 3,
      "learner_hours": 0}, "change_rotation", (3.0, 0.0)),
])
def test_one_off_actions_charge_once_on_their_start_day(make_scenario, action, kind, expected):
    """A one-off action appends one cost, on its start day: defaults unless overridden."""
    plan = plan_of({**action, "start_day": 3})
    records = TeamModel(drill_scenario(make_scenario), 14, plan=plan, arrivals=[]).run()
    assert [(c.at, c.action, c.kind, c.hero_hours, c.learner_hours)
            for c in records.plan_costs] == [(3 * MINUTES_PER_DAY, 0, kind, *expected)]


@pytest.mark.parametrize("action", [
    {"kind": "drill", "learners": ["ann"], "classes": ["k"]},
    {"kind": "stop_informal_pulls"},
    {"kind": "runbook", "classes": ["k"], "refresh_every_days": 5},
    {"kind": "remove_requires", "classes": ["k"]},
], ids=lambda a: a["kind"])
def test_action_starting_after_the_horizon_never_acts(make_scenario, action):
    """An action dated after the run's end neither changes the state nor costs anything."""
    scenario = drill_scenario(make_scenario)
    model = TeamModel(scenario, 28, plan=plan_of({**action, "start_day": 60}), arrivals=[],
                      learn=True)
    records = model.run()
    assert records.plan_costs == [] and records.practice == []
    fresh = TeamModel(scenario, 28, arrivals=[])
    assert model.state.summary(28 * MINUTES_PER_DAY) == fresh.state.summary(28 * MINUTES_PER_DAY)


def test_action_ending_after_the_horizon_is_in_force_at_the_end(make_scenario):
    """An action whose end day falls after the run is still in force when the run ends."""
    plan = plan_of({"kind": "stop_informal_pulls", "start_day": 20, "end_day": 40})
    model = TeamModel(make_scenario(), 28, plan=plan, arrivals=[])
    model.run()
    assert not model.state.pulls_allowed("k")


# -- what the actions do to incidents ----------------------------------------------------------


def hesitant_team(make_scenario, **overrides):
    """ann can fix every incident but never dares lead; the hero always could."""
    return make_scenario(**{
        "classes": [{"id": "k", "service": "svc", "rate_per_week": 10.0, "difficulty": 0.5,
                     "work_minutes": {"median": 30, "p90": 60}}],
        "people": [{"id": "hero", "skills": {"k": 1.0}},
                   {"id": "ann", "skills": {"k": {"knowledge": 0.9, "confidence": 0.1}}}],
        "rotation": {"primary": {"members": ["ann"]}},
        "behaviour": INSTANT_ACKS,
        **overrides,
    })


def test_informal_pulls_stop_when_the_plan_stops_them(make_scenario):
    """A hesitant responder pulls the hero until stop_informal_pulls, and never after."""
    scenario = hesitant_team(make_scenario, conditions={"informal_pull": 1.0})
    plan = plan_of({"kind": "stop_informal_pulls", "start_day": 14})
    records = TeamModel(scenario, 28, seed=3, plan=plan).run()
    stop = 14 * MINUTES_PER_DAY
    pulls = [e for i in records.incidents for e in i.escalations
             if e.kind is EscalationKind.INFORMAL]
    assert len(pulls) >= 5
    assert all(e.at < stop and e.to_person == "hero" for e in pulls)
    later = [i for i in records.incidents if i.arrived >= stop]
    assert later
    assert all(i.escalations and i.escalations[0].kind is EscalationKind.MANUAL for i in later)
    assert not any(x.kind is InterruptionKind.PULL and x.at >= stop
                   for x in records.interruptions)


def test_lead_with_backup_makes_the_learner_lead(make_scenario):
    """A learner on lead_with_backup leads; the hero is interrupted as BACKUP and backs up."""
    scenario = hesitant_team(make_scenario)
    plan = plan_of({"kind": "lead_with_backup", "learners": ["ann"], "classes": ["k"],
                    "start_day": 7})
    records = TeamModel(scenario, 21, seed=2, plan=plan).run()
    start = 7 * MINUTES_PER_DAY
    before = [i for i in records.incidents if i.arrived < start]
    after = [i for i in records.incidents if i.arrived >= start]
    assert before and after
    assert all(i.lead == "hero" for i in before)
    # ann leads what she takes up; what arrives while she is busy she hands on (BUSY).
    handed_on = [i for i in after if any(e.kind is EscalationKind.BUSY for e in i.escalations)]
    after = [i for i in after if i not in handed_on]
    assert after and all(i.lead == "hero" for i in handed_on)
    assert all(i.lead == "ann" for i in after)
    assert all(("hero", Role.BACKUP) in i.involved for i in after)
    backups = {x.incident_id for x in records.interruptions if x.kind is InterruptionKind.BACKUP}
    assert backups == {i.incident_id for i in after}
    spans = {w.incident_id: w for w in records.work if w.role is Role.BACKUP}
    assert set(spans) == backups and all(w.person == "hero" for w in spans.values())
    share = scenario.learning.backup_share
    for i in after:
        led = next(w for w in records.work if w.incident_id == i.incident_id
                   and w.role is Role.LED)
        assert spans[i.incident_id].end - spans[i.incident_id].start == pytest.approx(
            share * (led.end - led.start))


def test_lead_with_backup_is_practised_as_such(make_scenario):
    """With learning on, a learner leading with backup practises LEAD_WITH_BACKUP."""
    plan = plan_of({"kind": "lead_with_backup", "learners": ["ann"], "classes": ["k"]})
    records = TeamModel(hesitant_team(make_scenario), 14, seed=2, plan=plan, learn=True).run()
    kinds = {p.kind for p in records.practice if p.person == "ann"}
    assert kinds == {PracticeKind.LEAD_WITH_BACKUP}


def pairing_team(make_scenario):
    """The hero is the only primary and leads everything; ann is a beginner."""
    return make_scenario(
        classes=[{"id": "k", "service": "svc", "rate_per_week": 10.0, "difficulty": 0.5,
                  "work_minutes": {"median": 30, "p90": 60}}],
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 0.1}}],
        rotation={"primary": {"members": ["hero"]}}, behaviour=INSTANT_ACKS)


def test_pairing_puts_the_learner_beside_the_hero(make_scenario):
    """While pairing is in force, incidents the hero leads have the learner PAIRED."""
    plan = plan_of({"kind": "pair", "learners": ["ann"], "classes": ["k"], "start_day": 7,
                    "end_day": 13})
    records = TeamModel(pairing_team(make_scenario), 21, seed=4, plan=plan).run()
    start, end = 7 * MINUTES_PER_DAY, 14 * MINUTES_PER_DAY
    assert all(i.lead == "hero" for i in records.incidents)
    inside = [i for i in records.incidents if start <= i.work_started < end]
    outside = [i for i in records.incidents if not start <= i.work_started < end]
    assert inside and outside
    assert all(("ann", Role.PAIRED) in i.involved for i in inside)
    assert not any(("ann", Role.PAIRED) in i.involved for i in outside)
    paired = {w.incident_id for w in records.work if w.role is Role.PAIRED}
    assert paired == {i.incident_id for i in inside}


def test_pairing_stretches_the_heros_work(make_scenario):
    """A paired incident takes the hero 1 + pairing_overhead times as long."""
    scenario = pairing_team(make_scenario)
    plain = TeamModel(scenario, 14, seed=4).run()
    paired = TeamModel(scenario, 14, seed=4, plan=plan_of(
        {"kind": "pair", "learners": ["ann"], "classes": ["k"]})).run()
    overhead = 1 + scenario.learning.pairing_overhead
    first_plain, first_paired = plain.incidents[0], paired.incidents[0]
    assert first_paired.mitigated - first_paired.work_started == pytest.approx(
        overhead * (first_plain.mitigated - first_plain.work_started))


def test_pairing_raises_the_learners_knowledge(make_scenario):
    """With learning on, a learner's knowledge rises over a run of pairing."""
    scenario = pairing_team(make_scenario)
    plan = plan_of({"kind": "pair", "learners": ["ann"], "classes": ["k"]})
    model = TeamModel(scenario, 56, seed=5, plan=plan, learn=True)
    records = model.run()
    practised = [p for p in records.practice if p.person == "ann"]
    assert sum(p.kind is PracticeKind.PAIR for p in practised) >= 20
    # Beside pairing, ann leads only what the hero handed on while busy with another incident.
    led = [i for i in records.incidents if i.lead == "ann"]
    assert all(any(e.kind is EscalationKind.BUSY and e.from_person == "hero"
                   for e in i.escalations) for i in led)
    assert sum(p.kind is PracticeKind.LEAD for p in practised) == len(led)
    k_end, c_end = model.skills.get("ann", "k", 56 * MINUTES_PER_DAY)
    assert k_end > 0.5 and c_end > 0.3
    without = TeamModel(scenario, 56, seed=5, learn=True)
    without.run()
    assert without.skills.get("ann", "k", 56 * MINUTES_PER_DAY) == (0.1, 0.1)


def test_pairing_without_learning_leaves_skills_alone(make_scenario):
    """Pairing with learning off records the pairing but no practice."""
    plan = plan_of({"kind": "pair", "learners": ["ann"], "classes": ["k"]})
    model = TeamModel(pairing_team(make_scenario), 28, seed=5, plan=plan)
    records = model.run()
    assert any(w.role is Role.PAIRED for w in records.work)
    assert records.practice == []
    assert model.skills.get("ann", "k", 27 * MINUTES_PER_DAY) == (0.1, 0.1)


def test_every_kind_runs_on_tiny():
    """A plan using every kind of action runs on tiny to the end, learning on."""
    scenario = load_scenario(TINY)
    plan = load_plan(PLANS / "everything.yaml", scenario)
    assert {a.kind for a in plan.actions} == set(DEFAULT_COSTS) - {"runbook_refresh"}
    model = TeamModel(scenario, 91, seed=0, plan=plan, learn=True)
    records = model.run()
    rollbacks = {c.rollback_incident for c in records.changes if c.rollback_incident is not None}
    assert len(records.incidents) == len(model.arrivals) + len(rollbacks)
    assert {c.kind for c in records.plan_costs} == set(DEFAULT_COSTS)
    assert model.state.needs["db"] == ()
    assert model.state.requires["db-failover"] == ()
    assert model.state.alert_noise == 0.1


# -- validation ------------------------------------------------------------------------------------

# fixture -> (field path, substrings of the rendered message: the value and the explanation)
INVALID: dict[str, tuple[str, list[str]]] = {
    "unknown_learner.yaml": ("actions[0].learners[0]", ["'zed'", "unknown person"]),
    "unknown_class.yaml": ("actions[0].classes[0]", ["'db-falover'", "unknown class"]),
    "end_before_start.yaml": ("actions[0]", ["end_day (10)", "start_day (20)"]),
    "unknown_kind.yaml": ("actions[0]", ["'hire_more_heroes'", "'pair'"]),
    "observability_out_of_range.yaml": ("actions[0]", ["50", "0.1..10"]),
    "rotation_with_nothing.yaml": ("actions[0]", ["'change_rotation'", "primary, secondary"]),
    "pair_without_heroes.yaml": ("actions[0].kind", ["'pair'", "needs a hero"]),
}


def no_hero_tiny() -> dict:
    """tiny.yaml's document with no heroes named."""
    return {**yaml.safe_load(TINY.read_text()), "heroes": []}


def scenario_for(name: str) -> Scenario:
    """The scenario an invalid plan fixture is checked against."""
    if name == "pair_without_heroes.yaml":
        return Scenario.model_validate(no_hero_tiny())
    return load_scenario(TINY)


def test_every_invalid_plan_fixture_has_expectations():
    """Each file in tests/invalid_plans/ is listed in INVALID, and each listed file exists."""
    assert sorted(p.name for p in INVALID_PLANS.glob("*.yaml")) == sorted(INVALID)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_plan_is_explained(name):
    """load_plan raises InputError naming the plan file, the field path and the value."""
    path = INVALID_PLANS / name
    with pytest.raises(InputError) as caught:
        load_plan(path, scenario_for(name))
    field, fragments = INVALID[name]
    assert caught.value.files == [str(path)]
    assert field in [p.field_path for p in caught.value.problems]
    text = caught.value.render()
    assert f"{path}: {field}\n" in text
    for fragment in fragments:
        assert fragment in text


def test_pair_plan_is_fine_with_a_hero():
    """The pairing fixture that fails without heroes loads against tiny, which has one."""
    plan = load_plan(INVALID_PLANS / "pair_without_heroes.yaml", load_scenario(TINY))
    assert plan.actions[0].kind == "pair"


def test_all_reference_problems_are_reported_at_once(tmp_path):
    """A plan naming several unknown things gets one problem for each."""
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"name": "p", "actions": [
        {"kind": "pair", "learners": ["zed", "ben"], "classes": ["nope"]},
        {"kind": "remove_requires", "classes": ["db-failover"], "people": ["ghost"]},
        {"kind": "add_shadow", "schedule": {"members": ["casper"]}},
    ]}))
    with pytest.raises(InputError) as caught:
        load_plan(path, load_scenario(TINY))
    assert [p.field_path for p in caught.value.problems] == [
        "actions[0].learners[0]", "actions[0].classes[0]", "actions[1].people[0]",
        "actions[2].schedule.members[0]"]


def test_good_plan_fixtures_load():
    """Every plan in tests/data/plans/ loads against tiny."""
    scenario = load_scenario(TINY)
    for path in sorted(PLANS.glob("*.yaml")):
        assert load_plan(path, scenario).actions


def test_plan_by_name_from_the_scenario(make_scenario):
    """A name that is not a file picks the scenario's plan of that name."""
    scenario = make_scenario(plans=[{"name": "drills", "actions": [
        {"kind": "drill", "learners": ["ann"], "classes": ["k"]}]}])
    assert load_plan("drills", scenario).actions[0].kind == "drill"


def test_plan_name_not_found_lists_the_plans(make_scenario):
    """An unknown plan name is an error that lists the scenario's plans."""
    scenario = make_scenario(plans=[{"name": "drills", "actions": []},
                                    {"name": "pairing", "actions": []}])
    with pytest.raises(InputError) as caught:
        load_plan("nope", scenario)
    problem = caught.value.problems[0]
    assert problem.field_path == "--plan" and problem.value == "'nope'"
    assert "drills, pairing" in problem.message


def test_cli_validate_good_plan():
    """`herosim validate tiny plan` exits 0 and says the plan was checked against tiny."""
    result = runner.invoke(app, ["validate", str(TINY), str(PLANS / "everything.yaml")])
    assert result.exit_code == 0, result.output
    assert "plan everything" in result.output
    assert "checked against tiny" in result.output.replace("\n", " ")


def test_cli_validate_plan_with_scenario_option():
    """`--scenario` checks plan files against that scenario."""
    result = runner.invoke(app, ["validate", "--scenario", str(TINY),
                                 str(PLANS / "pairing.yaml")])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(INVALID))
def test_cli_validate_bad_plan(tmp_path, name):
    """`herosim validate scenario plan` exits 2 and names the file and field of a bad plan."""
    scenario = TINY
    if name == "pair_without_heroes.yaml":
        scenario = tmp_path / "no-hero.yaml"
        scenario.write_text(yaml.safe_dump(no_hero_tiny()))
    path = INVALID_PLANS / name
    result = runner.invoke(app, ["validate", str(scenario), str(path)])
    assert result.exit_code == 2, result.output
    output = result.output.replace("\n", " ")
    assert str(path) in output and INVALID[name][0] in output
    assert "Traceback" not in result.output


def test_cli_check_unknown_plan_name_lists_plans(tmp_path):
    """`herosim check --plan NAME` with no such plan exits 2 and lists the scenario's plans."""
    document = yaml.safe_load(TINY.read_text())
    document["plans"] = [{"name": "drills", "actions": []}, {"name": "pairing", "actions": []}]
    scenario = tmp_path / "with-plans.yaml"
    scenario.write_text(yaml.safe_dump(document))
    result = runner.invoke(app, ["check", str(scenario), "--plan", "nope", "--reps", "1",
                                 "--weeks", "1", "--workers", "1", "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "--plan" in result.output
    assert "drills, pairing" in result.output.replace("\n", " ")


def test_overlapping_actions_stack_instead_of_undoing_each_other():
    """When one of two overlapping actions ends, the other stays in force."""
    scenario = load_scenario(TINY)
    plan = Plan.model_validate({"name": "overlap", "actions": [
        {"kind": "stop_informal_pulls", "classes": ["api-5xx"], "start_day": 0, "end_day": 10},
        {"kind": "stop_informal_pulls", "classes": ["api-5xx"], "start_day": 5},
        {"kind": "fix_condition", "condition": "observability", "value": 1.0,
         "start_day": 0, "end_day": 10},
        {"kind": "fix_condition", "condition": "observability", "value": 0.8, "start_day": 5},
        {"kind": "fix_condition", "condition": "alert_noise", "value": 0.2,
         "start_day": 2, "end_day": 6},
    ]})
    model = TeamModel(scenario, 20, plan=plan, arrivals=[])
    seen = []

    def probe():
        for day in (1, 3, 7, 15):
            yield model.env.timeout(day * MINUTES_PER_DAY - model.env.now)
            seen.append((model.state.pulls_allowed("api-5xx"), model.state.observability,
                         model.state.alert_noise))

    model.env.process(probe())
    model.run()
    noise = scenario.conditions.alert_noise
    assert seen == [(False, 1.0, noise), (False, 1.0, 0.2), (False, 0.8, noise),
                    (False, 0.8, noise)]
