"""Unit tests of the engine's behaviours, one small team each, fixed seeds."""

from __future__ import annotations

import pytest
from scipy import stats

from sim.model import Arrival, TeamModel
from sim.model.records import InterruptionKind
from sim.schema import HOURS_PER_WEEK, EscalationKind, HourClass, Role

SEED = 7
DAYS = 28
INSTANT = {"ack_median_minutes": {"business": 0, "off": 0, "sleep": 0}}


def one_class(**fields):
    """The single class `k` of these tests: 10 a week, difficulty 0.5, ~30 minutes of work."""
    return [{"id": "k", "service": "svc", "rate_per_week": 10.0, "difficulty": 0.5,
             "work_minutes": {"median": 30, "p90": 90}, **fields}]


def profile_at(hour_of_week: int) -> list[float]:
    """A weekly profile with all its weight in one hour (Monday 00:00 is hour 0)."""
    weights = [0.0] * HOURS_PER_WEEK
    weights[hour_of_week] = 1.0
    return weights


def primary_then_hero(timeout: float = 15.0, hero_timeout: float = 15.0) -> dict:
    """Escalation: the primary, then the hero by name, no loops."""
    return {"levels": [{"target": "primary", "timeout_minutes": timeout},
                       {"target": "people", "people": ["hero"], "timeout_minutes": hero_timeout}],
            "loops": 0}



def first_hand_offs(records) -> list[tuple]:
    """(kind, from, to) of every incident's first escalation; there are incidents, and each
    has one."""
    assert records.incidents
    return [(r.escalations[0].kind, r.escalations[0].from_person, r.escalations[0].to_person)
            for r in records.incidents]

def test_timeout_escalation_when_primary_is_sick(make_scenario):
    """A primary who is off sick never acknowledges: every page times out to the hero."""
    scenario = make_scenario(
        classes=one_class(),
        people=[{"id": "ann", "skills": {"k": 1.0}, "sick_days_per_year": 365},
                {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        escalation=primary_then_hero(timeout=10),
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert set(first_hand_offs(records)) == {(EscalationKind.TIMEOUT, "ann", "hero")}
    for r in records.incidents:
        assert r.escalations[0].at == pytest.approx(r.arrived + 10)
        assert r.lead == "hero"
    assert not [i for i in records.interruptions if i.person == "ann"]


@pytest.mark.parametrize("hour_of_week, times_out", [(24 + 3, True), (24 + 10, False)])
def test_timeout_escalation_when_primary_sleeps(make_scenario, hour_of_week, times_out):
    """Paged at 03:00 the primary sleeps through a short timeout; at 10:00 they answer at once."""
    scenario = make_scenario(
        classes=one_class(weekly_profile=profile_at(hour_of_week)),
        people=[{"id": "ann", "skills": {"k": 1.0}}, {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        # Asleep, an acknowledgement takes ~350 minutes on average: within 0.1 minute, almost
        # never (1 in 3500). Awake it is instant. The hero is given all the time they need.
        behaviour={"ack_median_minutes": {"business": 0, "off": 0, "sleep": 240}},
        escalation=primary_then_hero(timeout=0.1, hero_timeout=10_000),
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert records.incidents
    for r in records.incidents:
        timeouts = [e for e in r.escalations if e.kind is EscalationKind.TIMEOUT]
        if times_out:
            assert (timeouts[0].from_person, timeouts[0].to_person) == ("ann", "hero")
            assert r.acknowledged_by == "hero"
        else:
            assert not timeouts
            assert r.acknowledged_by == "ann" and r.acknowledged == r.arrived


def test_manual_escalation_when_primary_cannot_fix(make_scenario):
    """A primary with no knowledge tries, gets stuck, and escalates along the policy."""
    scenario = make_scenario(
        classes=one_class(),
        people=[{"id": "ann", "skills": {"k": 0.0}}, {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        escalation=primary_then_hero(),
        behaviour=INSTANT,
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert records.incidents
    stuck = {w.incident_id for w in records.work if w.person == "ann" and w.role is Role.STUCK}
    for r in records.incidents:
        assert [(e.kind, e.from_person, e.to_person) for e in r.escalations] == [
            (EscalationKind.MANUAL, "ann", "hero")]
        assert ("ann", Role.STUCK) in r.involved
        assert r.incident_id in stuck
        assert r.lead == "hero"


def test_informal_pull_goes_to_the_hero_when_responder_hesitates(make_scenario):
    """Capable but unconfident, with informal_pull 1, the primary messages the hero directly."""
    scenario = make_scenario(
        classes=one_class(),
        people=[{"id": "ann", "skills": {"k": {"knowledge": 1.0, "confidence": 0.0}}},
                {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        escalation={"levels": [{"target": "primary"}, {"target": "team"}], "loops": 0},
        conditions={"informal_pull": 1.0},
        behaviour=INSTANT,
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert records.incidents
    pulls = {(i.incident_id, i.at) for i in records.interruptions
             if i.person == "hero" and i.kind is InterruptionKind.PULL}
    for r in records.incidents:
        [pull] = r.escalations
        assert (pull.kind, pull.from_person, pull.to_person) == (
            EscalationKind.INFORMAL, "ann", "hero")
        assert (r.incident_id, pull.at) in pulls
        assert ("ann", Role.ACKNOWLEDGED) in r.involved
        assert r.lead == "hero" and r.hero_involved


def test_routing_ambiguity_one_reroutes_every_incident(make_scenario):
    """With routing_ambiguity 1 every page first lands on the wrong person and is rerouted."""
    scenario = make_scenario(
        classes=one_class(),
        people=[{"id": "ann", "skills": {"k": 1.0}}, {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        conditions={"routing_ambiguity": 1.0},
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert set(first_hand_offs(records)) == {(EscalationKind.REROUTE, "hero", "ann")}


def test_alert_noise_pages_at_noise_times_rate(make_scenario):
    """alert_noise 2 on 20 incidents a week gives about 40 false pages a week."""
    weeks, rate, noise = 26, 20.0, 2.0
    scenario = make_scenario(
        classes=one_class(rate_per_week=rate),
        people=[{"id": "ann", "skills": {"k": 1.0}}, {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        escalation={"levels": [{"target": "primary"}], "loops": 0},
        conditions={"alert_noise": noise},
    )
    records = TeamModel(scenario, 7 * weeks, SEED).run()

    false_pages = [i for i in records.interruptions if i.kind is InterruptionKind.NOISE]
    assert all(i.incident_id is None and i.person == "ann" for i in false_pages)
    # One level with one person: each false alarm is exactly one NOISE interruption.
    low, high = stats.poisson.interval(0.999, noise * rate * weeks)
    assert low <= len(false_pages) <= high


def test_requires_incident_is_led_by_a_required_person(make_scenario):
    """A fix that needs the hero's access is led by the hero even when the primary knows it."""
    scenario = make_scenario(
        classes=one_class(requires=["hero"]),
        people=[{"id": "ann", "skills": {"k": 1.0}}, {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        escalation={"levels": [{"target": "primary"}], "loops": 0},
        behaviour=INSTANT,
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert records.incidents
    assert all(r.lead == "hero" for r in records.incidents)
    assert not [w for w in records.work if w.person == "ann" and w.role is Role.LED]


def test_without_hero_the_hero_is_never_interrupted(make_scenario):
    """Replayed `--without hero`, the hero gets no page, pull or false page and does no work."""
    scenario = make_scenario(
        classes=one_class(),
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": 0.4}},
                {"id": "bo", "skills": {"k": {"knowledge": 0.7, "confidence": 0.3}}}],
        rotation={"primary": {"members": ["ann", "bo", "hero"], "period_days": 1},
                  "secondary": {"members": ["hero"]}},
        conditions={"alert_noise": 1.0, "informal_pull": 0.5, "routing_ambiguity": 0.3},
    )
    present = TeamModel(scenario, DAYS, SEED).run()
    absent = TeamModel(scenario, DAYS, SEED, without=("hero",)).run()

    assert any(i.person == "hero" for i in present.interruptions)  # the test has teeth
    assert absent.incidents
    assert not [i for i in absent.interruptions if i.person == "hero"]
    assert not [w for w in absent.work if w.person == "hero"]
    assert not [r for r in absent.incidents
                if r.hero_involved or any(p == "hero" for p, _ in r.involved)]


@pytest.mark.parametrize(
    "utc_hour_of_week, berlin, new_york",
    [
        # Scenario time UTC in January: Berlin is UTC+1, New York UTC-5.
        (24 + 9, HourClass.BUSINESS, HourClass.SLEEP),  # Tue 10:00 Berlin, Tue 04:00 NY
        (5 * 24 + 11, HourClass.OFF, HourClass.SLEEP),  # Sat 12:00 Berlin, Sat 06:00 NY
        (2, HourClass.SLEEP, HourClass.OFF),  # Mon 03:00 Berlin, Sun 21:00 NY
        (24 + 15, HourClass.BUSINESS, HourClass.BUSINESS),  # Tue 16:00 Berlin, 10:00 NY
    ],
)
def test_pages_are_classed_by_local_hour(make_scenario, utc_hour_of_week, berlin, new_york):
    """A page's hour class follows each person's local time: 03:00 sleep, Tue 10:00 business,
    Saturday noon off."""
    scenario = make_scenario(
        timezone="UTC",
        classes=one_class(difficulty=0.0, weekly_profile=profile_at(utc_hour_of_week)),
        people=[{"id": "hero", "timezone": "Europe/Berlin", "skills": {"k": 1.0}},
                {"id": "ann", "timezone": "America/New_York", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["hero"]}},
        escalation={"levels": [{"target": "team"}], "loops": 0},
    )
    records = TeamModel(scenario, DAYS, SEED).run()
    arrived = {r.incident_id: r.arrived for r in records.incidents}
    pages = [i for i in records.interruptions
             if i.kind is InterruptionKind.PAGE and i.at == arrived[i.incident_id]]

    assert {i.person for i in pages} == {"hero", "ann"}
    assert {i.hour_class for i in pages if i.person == "hero"} == {berlin}
    assert {i.hour_class for i in pages if i.person == "ann"} == {new_york}


def test_shadow_is_paged_with_the_primary(make_scenario):
    """The shadow gets a page at the same moment as the primary and shadows the work."""
    scenario = make_scenario(
        classes=one_class(),
        people=[{"id": "ann", "skills": {"k": 1.0}}, {"id": "hero", "skills": {"k": 1.0}},
                {"id": "sam", "skills": {"k": 0.1}}],
        rotation={"primary": {"members": ["ann"]}, "shadow": {"members": ["sam"]}},
        behaviour=INSTANT,
    )
    records = TeamModel(scenario, DAYS, SEED).run()

    assert records.incidents
    pages = {(i.person, i.incident_id): i.at for i in records.interruptions
             if i.kind is InterruptionKind.PAGE}
    shadowed = {w.incident_id: w for w in records.work if w.role is Role.SHADOW}
    for r in records.incidents:
        assert pages[("sam", r.incident_id)] == pages[("ann", r.incident_id)] == r.arrived
        assert ("sam", Role.SHADOW) in r.involved
        span = shadowed[r.incident_id]
        assert (span.person, span.start, span.end) == ("sam", r.work_started, r.mitigated)


def test_hero_is_a_scarce_resource(make_scenario):
    """Two simultaneous incidents escalated to the hero: the second's work starts when the
    first's ends."""
    scenario = make_scenario(
        classes=one_class(work_minutes={"median": 120, "p90": 120}),  # fixed 120 minutes
        people=[{"id": "ann", "skills": {"k": 0.0}, "capacity": 2},
                {"id": "hero", "skills": {"k": 1.0}}],
        rotation={"primary": {"members": ["ann"]}},
        escalation=primary_then_hero(),
        behaviour=INSTANT,
    )
    arrivals = [Arrival(0, 600.0, 0, 0.0), Arrival(1, 600.0, 0, 0.0)]
    records = TeamModel(scenario, DAYS, SEED, arrivals=arrivals).run()

    first, second = sorted(records.incidents, key=lambda r: r.work_started)
    assert first.lead == second.lead == "hero"
    assert first.mitigated - first.work_started == pytest.approx(120)
    [handed] = [e for e in second.escalations if e.to_person == "hero"]
    assert handed.at < first.mitigated  # the second reached the hero while they were busy
    assert second.work_started == pytest.approx(first.mitigated)


def ann_away_on_day_one(make_scenario, pool: bool):
    """One person, ann, away all of day 1; her incidents take 10 hours."""
    return make_scenario(
        classes=one_class(difficulty=0.0, work_minutes={"median": 600, "p90": 600}),
        people=[{"id": "ann", "skills": {"k": 1.0},
                 "absences": [{"start_day": 1, "end_day": 1}]}],
        heroes=[],
        rotation={"primary": {"members": ["ann"]}, "pool": pool},
        escalation={"levels": [{"target": "primary"}], "loops": 0},
        behaviour=INSTANT,
    )


def away_on_day_one(make_scenario, pool: bool):
    """Ann, away all of day 1, handed two 10-hour incidents late on day 0."""
    scenario = ann_away_on_day_one(make_scenario, pool)
    # At 23:00 and 23:10 on day 0: the first keeps ann busy past midnight, into day 1.
    model = TeamModel(scenario, DAYS, SEED,
                      arrivals=[Arrival(0, 1380.0, 0, 0.0), Arrival(1, 1390.0, 0, 0.0)])
    return model.run(), model.calendar


def test_pool_member_is_not_paged_when_their_slot_frees_while_away(make_scenario):
    """A pool slot that frees on its holder's day off is not theirs to take: wait for return."""
    records, calendar = away_on_day_one(make_scenario, pool=True)

    assert not [i for i in records.interruptions if calendar.absent(i.person, i.at)]
    second = records.incidents[1]
    assert second.work_started == 2 * 1440  # ann back on day 2, at 00:00


def test_queued_work_does_not_start_while_away(make_scenario):
    """Work queued behind a person's own incident does not start on a day they are away."""
    records, calendar = away_on_day_one(make_scenario, pool=False)

    assert not [w for w in records.work if calendar.absent(w.person, w.start)]


def test_a_slot_passed_on_through_a_long_queue_does_not_recurse(make_scenario):
    """3,000 incidents queue for a pool member whose slot frees on their day off: each passes
    it on in turn (far deeper than Python's recursion limit) and all are mitigated later."""
    scenario = ann_away_on_day_one(make_scenario, pool=True)
    queued = 3000
    arrivals = [Arrival(0, 1380.0, 0, 0.0)] + [
        Arrival(i, 1381.0 + 50.0 * i / queued, 0, 0.0) for i in range(1, queued + 1)]
    model = TeamModel(scenario, DAYS, SEED, arrivals=arrivals)
    records = model.run()

    assert len(records.incidents) == queued + 1
    assert min(r.work_started for r in records.incidents[1:]) == 2 * 1440  # ann back, day 2
    assert not [w for w in records.work if model.calendar.absent(w.person, w.start)]


def test_slots_go_to_the_oldest_waiting_request_that_accepts_the_person(make_scenario):
    """A freed slot goes to the oldest request that accepts the person; a request that goes
    back to the queue keeps its place; one naming someone else is skipped."""
    import numpy as np
    import simpy

    from sim.model.arrivals import Arrival
    from sim.model.calendar import Calendar
    from sim.model.incident import Incident
    from sim.model.slots import Slots, Waiting

    scenario = make_scenario(people=[{"id": "ann"}, {"id": "bob"}, {"id": "hero"}])
    # The compiled engine checks types: every request carries a real incident.
    incident = Incident(Arrival(0, 0.0, 0, 0.0), scenario.classes[0], [], 0,
                        np.random.default_rng(0))
    env = simpy.Environment()
    slots = Slots(env, {"ann": 1, "bob": 1}, Calendar(scenario, 7))
    assert slots.take_any(("ann", "bob")) == "ann" and slots.take_any(("ann", "bob")) == "bob"
    given: list[tuple[str, str]] = []

    def request(name: str, accepts: tuple[str, ...], seq: int | None = None) -> Waiting:
        return Waiting(seq or slots.next_seq(), lambda p: p in accepts,
                       lambda p: given.append((name, p)), incident)

    slots.wait(request("bob-only", ("bob",)))
    first = request("pool-early", ("ann", "bob"))
    slots.wait(request("pool-late", ("ann", "bob")))
    slots.wait(first)  # queued after pool-late, but it keeps its earlier place

    slots.release("ann")  # bob-only does not accept ann: the oldest pool request gets her
    assert given == [("pool-early", "ann")]
    slots.release("bob")
    assert given[-1] == ("bob-only", "bob")
    slots.release("bob")
    assert given[-1] == ("pool-late", "bob")
    slots.release("bob")
    assert slots.free == {"ann": 0, "bob": 1} and not slots.waiting


def test_a_finished_run_leaves_its_records_to_reference_counting():
    """Once a run is over and its reader lets go, the records are freed at once: nothing of
    them waits as cyclic garbage for Python's collector, which would rescan them (it took a
    tenth of a check). Only SimPy's environment, which refers to itself, is left to it."""
    import gc
    from pathlib import Path

    from sim.inputs.scenario import load_scenario
    from sim.model.records import IncidentRecord, Interruption, RunRecords, WorkSpan

    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios"
                             / "platform-team.yaml")
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        records = TeamModel(scenario, 28, seed=0, replication=0).run()
        assert records.incidents and records.interruptions and records.work
        del records
        gc.collect()
        left = [o for o in gc.garbage
                if isinstance(o, RunRecords | IncidentRecord | Interruption | WorkSpan)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if enabled:
            gc.enable()
    assert not left, f"{len(left)} records were freed only by the cyclic collector"
