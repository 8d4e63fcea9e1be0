"""Properties of the engine over generated small teams: conservation, causality, capacity,
absence, determinism, common random numbers and termination."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sim.model import TeamModel, sample_arrivals
from sim.schema import MINUTES_PER_DAY, Role, Scenario

DAYS = 14
ROUNDING = 1e-9  # minutes
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
PROPERTY = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

unit = st.floats(0.0, 1.0)


@st.composite
def absences(draw):
    """Zero to two planned absences within the horizon, in order, not overlapping."""
    spans, day = [], draw(st.integers(0, DAYS))
    for _ in range(draw(st.integers(0, 2))):
        if day >= DAYS:
            break
        end = day + draw(st.integers(0, 4))
        spans.append({"start_day": day, "end_day": end})
        day = end + 1 + draw(st.integers(0, 5))
    return spans


@st.composite
def teams(draw):
    """Scenario overrides for a team of 2-5 people, 1-3 classes, a random rotation and policy."""
    people = [f"p{i}" for i in range(draw(st.integers(2, 5)))]
    classes = [f"c{j}" for j in range(draw(st.integers(1, 3)))]
    some_people = st.lists(st.sampled_from(people), min_size=1, max_size=3, unique=True)

    def schedule():
        return {"members": draw(some_people), "period_days": draw(st.integers(1, 7)),
                "handoff_hour": draw(st.integers(0, 23))}

    rotation = {"primary": schedule(), "pool": draw(st.booleans())}
    if draw(st.booleans()):
        rotation["secondary"] = schedule()
    if draw(st.booleans()):
        rotation["shadow"] = schedule()
    targets = ["primary", "people", "team"] + (["secondary"] if "secondary" in rotation else [])
    levels = []
    for target in draw(st.lists(st.sampled_from(targets), min_size=1, max_size=4)):
        level = {"target": target, "timeout_minutes": draw(st.floats(1.0, 30.0))}
        if target == "people":
            level["people"] = draw(some_people)
        levels.append(level)

    return {
        "classes": [{
            "id": c,
            "service": "svc",
            "rate_per_week": draw(st.floats(0.5, 25.0)),
            "difficulty": draw(unit),
            "work_minutes": draw(st.one_of(
                st.builds(lambda m, s: {"median": m, "p90": m * s},
                          st.floats(5.0, 120.0), st.floats(1.0, 5.0)),
                st.builds(lambda m: {"median": m, "distribution": "exponential"},
                          st.floats(5.0, 120.0)),
            )),
            "requires": draw(st.lists(st.sampled_from(people), max_size=2, unique=True)),
        } for c in classes],
        "people": [{
            "id": p,
            "timezone": draw(st.sampled_from(ZONES)),
            "capacity": draw(st.integers(1, 2)),
            "skills": {c: {"knowledge": draw(unit), "confidence": draw(unit)}
                       for c in classes if draw(st.booleans())},
            "absences": draw(absences()),
            "sick_days_per_year": draw(st.sampled_from([0.0, 30.0, 180.0])),
            "wakeable": draw(st.booleans()),
        } for p in people],
        "heroes": draw(st.lists(st.sampled_from(people), max_size=2, unique=True)),
        "rotation": rotation,
        "escalation": {"levels": levels, "loops": draw(st.integers(0, 2))},
        "conditions": {
            "alert_noise": draw(st.sampled_from([0.0, 0.5, 2.0])),
            "routing_ambiguity": draw(unit),
            "informal_pull": draw(unit),
            "observability": draw(st.floats(0.5, 2.0)),
        },
        "behaviour": {"ack_median_minutes": {
            "business": draw(st.floats(0.0, 10.0)),
            "off": draw(st.floats(0.0, 20.0)),
            "sleep": draw(st.floats(0.0, 40.0)),
        }},
    }


seeds = st.integers(0, 2**32 - 1)


def everyone(scenario: Scenario) -> list[str]:
    return [p.id for p in scenario.people]


@PROPERTY
@given(team=teams(), seed=seeds)
def test_every_incident_is_mitigated_exactly_once(make_scenario, team, seed):
    """Each sampled arrival ends as exactly one incident record, ids 0..n-1."""
    scenario = make_scenario(**team)
    records = TeamModel(scenario, DAYS, seed).run()
    arrivals = sample_arrivals(scenario, DAYS, seed, 0)
    assert [r.incident_id for r in records.incidents] == list(range(len(arrivals)))


@PROPERTY
@given(team=teams(), seed=seeds)
def test_times_are_causal(make_scenario, team, seed):
    """arrived <= acknowledged <= mitigated and arrived <= work_started <= mitigated."""
    records = TeamModel(make_scenario(**team), DAYS, seed).run()
    for r in records.incidents:
        # The clock reaches an arrival as now + (arrival - now), which can round one ulp
        # below the sampled time; ROUNDING (60 ns) absorbs that and nothing larger.
        arrived = r.arrived - ROUNDING
        assert arrived <= r.acknowledged <= r.mitigated, r
        assert arrived <= r.work_started <= r.mitigated, r


@PROPERTY
@given(team=teams(), seed=seeds)
def test_nobody_works_over_capacity(make_scenario, team, seed):
    """At no moment does a person lead or try more incidents than their capacity."""
    scenario = make_scenario(**team)
    records = TeamModel(scenario, DAYS, seed).run()
    changes = defaultdict(list)
    for w in records.work:
        if w.role in (Role.LED, Role.STUCK):
            changes[w.person] += [(w.start, 1), (w.end, -1)]
    for person, events in changes.items():
        # A slot released and taken at the same instant is not an overlap: ends sort first.
        level = peak = 0
        for _, step in sorted(events):
            level += step
            peak = max(peak, level)
        assert peak <= records.capacity[person], person


def away_run(make_scenario, team, seed, data):
    """A run, possibly without one person, and the calendar it ran on (the engine's own)."""
    scenario = make_scenario(**team)
    without = tuple(data.draw(st.lists(st.sampled_from(everyone(scenario)), max_size=1)))
    model = TeamModel(scenario, DAYS, seed, 0, without)
    return model.run(), model.calendar


@PROPERTY
@given(team=teams(), seed=seeds, data=st.data())
def test_absent_people_are_never_paged(make_scenario, team, seed, data):
    """Nobody is paged, pulled or sent a false page on a day they are away."""
    records, calendar = away_run(make_scenario, team, seed, data)
    for i in records.interruptions:
        assert not calendar.absent(i.person, i.at), (i, int(i.at // MINUTES_PER_DAY))


@settings(PROPERTY, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(team=teams(), seed=seeds, data=st.data())
def test_absent_people_never_start_work(make_scenario, team, seed, data):
    """Nobody starts leading or trying an incident on a day they are away."""
    records, calendar = away_run(make_scenario, team, seed, data)
    for w in records.work:
        if w.role in (Role.LED, Role.STUCK):
            assert not calendar.absent(w.person, w.start), (w, int(w.start // MINUTES_PER_DAY))


@PROPERTY
@given(team=teams(), seed=seeds)
def test_same_seed_same_records(make_scenario, team, seed):
    """Two runs with the same seed append identical records."""
    scenario = make_scenario(**team)
    first = TeamModel(scenario, DAYS, seed, 3).run()
    second = TeamModel(scenario, DAYS, seed, 3).run()
    assert first.incidents == second.incidents
    assert first.interruptions == second.interruptions
    assert first.work == second.work


@PROPERTY
@given(team=teams(), seed=seeds, data=st.data())
def test_present_and_absent_replays_share_arrivals(make_scenario, team, seed, data):
    """Replaying without a person keeps every incident's arrival time and class."""
    scenario = make_scenario(**team)
    person = data.draw(st.sampled_from(everyone(scenario)))
    present = TeamModel(scenario, DAYS, seed, 1).run()
    absent = TeamModel(scenario, DAYS, seed, 1, without=(person,)).run()

    def arrivals(records):
        return [(r.incident_id, r.arrived, r.class_id) for r in records.incidents]

    assert arrivals(present) == arrivals(absent)


@PROPERTY
@given(team=teams(), seed=seeds)
def test_runs_terminate_with_everyone_absent(make_scenario, team, seed):
    """With the whole team away the run still ends, every incident unresolved and recorded."""
    scenario = make_scenario(**team)
    records = TeamModel(scenario, DAYS, seed, without=tuple(everyone(scenario))).run()
    assert len(records.incidents) == len(sample_arrivals(scenario, DAYS, seed, 0))
    assert all(r.lead is None and r.mitigated >= r.arrived for r in records.incidents)
    assert not records.interruptions and not records.work
