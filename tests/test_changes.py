"""Changes: deploys gated by the people they need, postponed batches, failures and rollbacks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.metrics import change_metrics
from sim.errors import InputError
from sim.inputs.scenario import load_plan, load_scenario
from sim.model import TeamModel
from sim.model.records import InterruptionKind
from sim.schema import MINUTES_PER_DAY, PracticeKind, Role, Scenario

PLATFORM = "scenarios/platform-team.yaml"
AWAY = (14, 27)  # the hero's two-week holiday, days inclusive


def release_team(policy: str = "postpone", per_week: float = 10.0, hero_away: bool = True,
                 **changes) -> Scenario:
    """A small team whose `app` changes need the hero; the hero is away two weeks."""
    return Scenario.model_validate({
        "name": "releases",
        "services": [{"id": "app", "changes": {
            "per_week": per_week, "needs": ["hero"], "when_needed_absent": policy,
            "rollback_class": "rollback", **changes}}],
        "classes": [{"id": "rollback", "service": "app", "rate_per_week": 0.0,
                     "difficulty": 0.5, "work_minutes": {"median": 20, "p90": 40}}],
        "people": [
            {"id": "hero", "skills": {"rollback": 1.0},
             "absences": [{"start_day": AWAY[0], "end_day": AWAY[1]}] if hero_away else []},
            {"id": "dev", "skills": {"rollback": 0.2}},
        ],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["dev"]}, "secondary": {"members": ["hero"]}},
    })


def run(scenario: Scenario, days: int = 42, seed: int = 1, replication: int = 0, **kwargs):
    model = TeamModel(scenario, days, seed, replication, **kwargs)
    return model, model.run()


def day(t: float) -> int:
    return int(t // MINUTES_PER_DAY)


def test_postponed_changes_wait_for_the_hero_and_ship_as_one_batch():
    """With needs [hero] and postpone, nothing ships while the hero is away; the first
    release after holds every change that waited."""
    _, records = run(release_team("postpone"))
    shipped = [c for c in records.changes if c.shipped is not None]
    assert not [c for c in shipped if AWAY[0] <= day(c.shipped) <= AWAY[1]]
    waited = [c for c in records.changes if AWAY[0] <= day(c.intended) <= AWAY[1]]
    assert len(waited) >= 10  # two weeks of a ten-a-week train
    first_release = min(c.release for c in waited)
    batch = [c for c in records.changes if c.release == first_release]
    assert {c.change_id for c in waited} <= {c.change_id for c in batch}
    assert batch[0].batch_size == len(batch)
    assert day(batch[0].shipped) > AWAY[1]
    assert all(c.postponed for c in waited) and not any(c.unsafe for c in batch)


def test_shipping_without_the_hero_fails_at_the_unsafe_rate():
    """With ship, changes go out during the absence at the configured unsafe failure rate."""
    scenario = release_team("ship", per_week=40.0, failure_rate=0.05, unsafe_failure_rate=0.3,
                            knowledge_penalty=0.0, batch_penalty=0.0)
    unsafe = []
    for replication in range(12):
        _, records = run(scenario, replication=replication)
        unsafe += [c for c in records.changes if c.unsafe]
    assert unsafe and all(AWAY[0] <= day(c.shipped) <= AWAY[1] for c in unsafe)
    assert all(c.batch_size == 1 for c in unsafe)
    failures = sum(c.failed for c in unsafe)
    low, high = stats.binomtest(failures, len(unsafe)).proportion_ci(0.99)
    assert low <= 0.3 <= high, (failures, len(unsafe))
    assert high < 0.45  # and clearly not the safe 5%: low > 0.05 below
    assert low > 0.05


def test_a_failed_change_raises_a_rollback_incident():
    """Each failed release raises one incident of the rollback class, after it shipped."""
    _, records = run(release_team("ship", per_week=20.0, failure_rate=0.5,
                                  unsafe_failure_rate=0.5), days=28)
    incidents = {i.incident_id: i for i in records.incidents}
    failed = [c for c in records.changes if c.failed]
    assert failed
    for change in failed:
        rollback = incidents[change.rollback_incident]
        assert rollback.class_id == "rollback"
        assert rollback.arrived >= change.shipped
    assert len({c.rollback_incident for c in failed}) == len({c.release for c in failed})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(knowledge=st.floats(0.0, 0.3), seed=st.integers(0, 10_000),
       informal=st.floats(0.0, 1.0))
def test_rollbacks_escalate_like_any_incident(knowledge, seed, informal):
    """A rollback the primary cannot fix is paged, escalated and worked like any incident."""
    scenario = release_team("ship", per_week=15.0, failure_rate=0.6, unsafe_failure_rate=0.6,
                            hero_away=False)
    data = scenario.model_dump(mode="json")
    data["people"][1]["skills"] = {"rollback": knowledge}
    data["conditions"] = {"informal_pull": informal}
    scenario = Scenario.model_validate(data)
    model, records = run(scenario, days=21, seed=seed)
    rollback_ids = {c.rollback_incident for c in records.changes if c.rollback_incident is not None}
    rollbacks = [i for i in records.incidents if i.incident_id in rollback_ids]
    assert len(rollbacks) == len(rollback_ids)
    paged = {x.incident_id for x in records.interruptions
             if x.kind in (InterruptionKind.PAGE, InterruptionKind.PULL)}
    for incident in rollbacks:
        assert incident.arrived <= incident.acknowledged <= incident.mitigated
        assert incident.incident_id in paged
        # dev (primary) cannot fix it: it always moves on to the hero, by the policy or a DM.
        assert incident.escalations and incident.lead == "hero"


def test_leading_a_change_is_practice_for_the_rollback_class():
    """With learning on, whoever leads changes practises the rollback class."""
    scenario = release_team("ship", per_week=10.0, hero_away=False)
    model, records = run(scenario, days=28, learn=True)
    leads = [p for p in records.practice if p.kind is PracticeKind.CHANGE]
    assert leads and all(p.class_id == "rollback" for p in leads)
    if any(p.person == "dev" for p in leads):
        assert model.skills.get("dev", "rollback", 28 * MINUTES_PER_DAY)[0] > 0.2


def test_plan_actions_for_changes():
    """A learner leads changes with the hero backing up; removing the gate lets changes ship
    while the hero is away."""
    scenario = release_team("postpone")
    plan = load_plan("tests/data/changes-plan.yaml", scenario)
    model, records = run(scenario, plan=plan, learn=True)
    backed = [c for c in records.changes if c.backed_by == "hero"]
    assert backed and all(c.leader == "dev" and day(c.shipped) < 14 for c in backed)
    assert [w for w in records.work if w.person == "hero" and w.role is Role.BACKUP]
    assert model.state.needs["app"] == ()
    shipped_away = [c for c in records.changes
                    if c.shipped is not None and AWAY[0] <= day(c.shipped) <= AWAY[1]]
    assert shipped_away and not any(c.unsafe for c in shipped_away)


def test_platform_team_release_flow_depends_on_its_hero():
    """Without Priya, postgres migrations wait; the gateway's changes flow as before."""
    scenario = load_scenario(PLATFORM)
    _, present = run(scenario, days=56)
    _, absent = run(scenario, days=56, without=("priya",))
    postgres = [c for c in absent.changes if c.service == "postgres"]
    assert postgres and all(c.shipped is None and c.needed_hero for c in postgres)
    gateway = [c for c in absent.changes if c.service == "api-gateway"]
    assert gateway and all(c.shipped is not None for c in gateway)
    assert change_metrics(absent)["unshipped"] > change_metrics(present)["unshipped"]


@pytest.mark.parametrize(("field", "value", "expected"), [
    ("needs", ["nobody"], "unknown person 'nobody'"),
    ("leaders", ["ghost"], "unknown person 'ghost'"),
    ("rollback_class", "nope", "unknown class 'nope'"),
    ("unsafe_failure_rate", 0.01, "cannot be safer"),
])
def test_bad_changes_are_named(tmp_path, field, value, expected):
    """A bad `changes` section names the field path and the value."""
    import yaml

    data = release_team().model_dump(mode="json")
    data["services"][0]["changes"][field] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(InputError) as error:
        load_scenario(path)
    message = error.value.render()
    assert f"services[0].changes.{field}" in message and expected in message
