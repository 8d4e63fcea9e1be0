"""Metrics from hand-built records: every number here is worked out on paper."""

from __future__ import annotations

import json
import math

import pytest
from scipy import stats

from sim.analysis.metrics import (
    expert_load,
    fit_check,
    mean_expert_minutes,
    replication_metrics,
    summarize,
)
from sim.analysis.stats import gini, percentiles
from sim.model.records import (
    Escalation,
    IncidentRecord,
    Interruption,
    InterruptionKind,
    RunRecords,
    WorkSpan,
)
from sim.model.skills import SkillBook
from sim.schema import EscalationKind as EK
from sim.schema import HourClass as HC
from sim.schema import Role, Scenario, Severity

DAYS = 14
HORIZON = DAYS * 1440


def make_scenario(rate: float = 2.0, median: float = 30.0, p90: float = 60.0,
                  noise: float = 0.0, pool: bool = False) -> Scenario:
    return Scenario.model_validate({
        "name": "t",
        "services": [{"id": "web", "critical": True}, {"id": "db"}],
        "classes": [
            {"id": "web-down", "service": "web", "severity": "sev1", "rate_per_week": rate,
             "difficulty": 0.5, "work_minutes": {"median": median, "p90": p90},
             "slo_minutes": 60},
            {"id": "db-lock", "service": "db", "rate_per_week": 1.0, "difficulty": 0.5,
             "work_minutes": {"median": 60, "p90": 60}, "slo_minutes": 60,
             "requires": ["hero"]},
        ],
        "people": [
            {"id": "hero", "skills": {"web-down": 1.0, "db-lock": 1.0}},
            {"id": "alice", "capacity": 2, "skills": {"web-down": 1.0, "db-lock": 1.0}},
            {"id": "bob", "skills": {"web-down": 0.2}},
            {"id": "carol"},
        ],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["bob", "carol"]},
                     "secondary": {"members": ["hero"]}, "pool": pool},
        "conditions": {"alert_noise": noise},
    })


def incident(iid, cls, arrived, ack, started, mitigated, lead, escalations=(), hero=False,
             struggled=False):
    return IncidentRecord(
        incident_id=iid, class_id=cls, service="web" if cls == "web-down" else "db",
        severity=Severity.SEV1 if cls == "web-down" else Severity.SEV2,
        arrived=arrived, acknowledged=ack, work_started=started, mitigated=mitigated,
        acknowledged_by=lead, lead=lead, involved=((lead, Role.LED),) if lead else (),
        escalations=tuple(escalations), hero_involved=hero, hero_hour_class=None,
        slo_minutes=60.0, struggled=struggled,
    )


def make_records(without=()) -> RunRecords:
    incidents = [
        incident(1, "web-down", 0, 2, 5, 30, "alice"),
        incident(2, "web-down", 100, 110, 120, 200, "hero", hero=True, escalations=[
            Escalation(EK.TIMEOUT, "bob", "hero", 105), Escalation(EK.MANUAL, "bob", "hero", 115),
        ]),
        incident(3, "db-lock", 1000, 1004, 1010, 1040, "hero", hero=True, escalations=[
            Escalation(EK.REROUTE, "alice", "bob", 1002),
            Escalation(EK.INFORMAL, "bob", "hero", 1003),
        ]),
        incident(4, "web-down", 2000, 2001, 2001, 2101, "bob", struggled=True),
    ]
    interruptions = [
        Interruption("hero", 105, HC.BUSINESS, InterruptionKind.PAGE, 2),
        Interruption("hero", 1003, HC.OFF, InterruptionKind.PULL, 3),
        Interruption("hero", 1500, HC.SLEEP, InterruptionKind.PAGE, None),
        Interruption("hero", 3000, HC.SLEEP, InterruptionKind.NOISE, None),
        Interruption("alice", 0, HC.BUSINESS, InterruptionKind.PAGE, 1),
        Interruption("alice", 1000, HC.BUSINESS, InterruptionKind.PAGE, 3),
        Interruption("alice", 4000, HC.OFF, InterruptionKind.NOISE, None),
        Interruption("bob", 2000, HC.BUSINESS, InterruptionKind.PAGE, 4),
    ]
    work = [
        WorkSpan("alice", 5, 30, 1, Role.LED),
        WorkSpan("bob", 100, 115, 2, Role.STUCK),
        WorkSpan("hero", 120, 200, 2, Role.LED),
        WorkSpan("hero", 1004, 1010, 3, Role.ACKNOWLEDGED),
        WorkSpan("hero", 1010, 1040, 3, Role.LED),
        WorkSpan("hero", 3000, 3005, None, Role.ACKNOWLEDGED),
        WorkSpan("bob", 2001, 2101, 4, Role.LED),
        WorkSpan("alice", 2001, 2101, 4, Role.SHADOW),
        WorkSpan("hero", HORIZON - 60, HORIZON + 40, 99, Role.LED),  # runs past the horizon
    ]
    return RunRecords(
        days=DAYS, without=tuple(without), heroes=("hero",), incidents=incidents,
        interruptions=interruptions, work=work,
        available_minutes={"hero": HORIZON / 2, "alice": HORIZON, "bob": HORIZON, "carol": 0.0},
        capacity={"hero": 1, "alice": 2, "bob": 1, "carol": 1},
    )


@pytest.fixture
def metrics():
    scenario = make_scenario()
    return replication_metrics(make_records(), scenario, SkillBook.from_scenario(scenario))


# --- helpers --------------------------------------------------------------------------------


def test_percentiles_are_linear():
    """Percentiles interpolate linearly between order statistics."""
    assert percentiles([10, 1, 4, 2], (50, 90, 99)) == pytest.approx([3.0, 8.2, 9.82])


def test_percentiles_of_nothing_are_none():
    """No values (or only non-finite ones) give None, never NaN."""
    assert percentiles([], (50, 90)) == [None, None]
    assert percentiles([math.inf, math.nan], (50,)) == [None]


@pytest.mark.parametrize("values, expected", [
    ([1, 1, 1], 0.0), ([0, 0, 3], 2 / 3), ([0, 0, 0], 0.0), ([], 0.0), ([1, 3, 3], 4 / 21),
])
def test_gini_of_known_vectors(values, expected):
    """Gini is 0 for an even or empty load and grows as one person holds more."""
    assert gini(values) == pytest.approx(expected)


# --- one replication ------------------------------------------------------------------------


def test_counts_and_severities(metrics):
    """Incidents are counted overall and per severity, with every severity present."""
    assert metrics["incidents"] == 4
    assert metrics["by_severity"] == {"sev1": 3, "sev2": 1, "sev3": 0, "sev4": 0}


def test_mtta_mttm_wait_and_breaches(metrics):
    """Response times are percentiles of the incidents' durations; breaches exceed the SLO."""
    assert metrics["mtta"] == pytest.approx({"p50": 3.0, "p90": 8.2, "p99": 9.82, "mean": 4.25})
    assert metrics["mttm"] == pytest.approx(
        {"p50": 70.0, "p90": 100.7, "p99": 100.97, "mean": 67.75})
    assert metrics["wait_mean"] == pytest.approx(9.0)
    assert metrics["slo_breach_rate"] == 0.5


def test_escalations_by_kind_and_target(metrics):
    """Every escalation is counted by kind, per incident, and by who received it."""
    assert metrics["escalations"] == {
        "timeout": 1, "manual": 1, "informal": 1, "reroute": 1, "busy": 0, "direct": 0,
        "total": 4}
    assert metrics["escalations_per_incident"] == pytest.approx(
        {"timeout": 0.25, "manual": 0.25, "informal": 0.25, "reroute": 0.25, "busy": 0.0,
         "direct": 0.0, "total": 1.0})
    assert metrics["escalations_to"]["hero"] == {
        "timeout": 1, "manual": 1, "informal": 1, "reroute": 0, "busy": 0, "direct": 0}
    assert metrics["escalations_to"]["bob"] == {
        "timeout": 0, "manual": 0, "informal": 0, "reroute": 1, "busy": 0, "direct": 0}
    assert metrics["escalations_to"]["carol"] == dict.fromkeys(
        ["timeout", "manual", "informal", "reroute", "busy", "direct"], 0)


def test_hero_interruptions_per_week_by_hour_and_kind(metrics):
    """Four hero interruptions in two weeks split by local hour class and by kind."""
    expected = {"total": 2.0, "business": 0.5, "off": 0.5, "sleep": 1.0,
                "page": 1.0, "noise": 0.5, "pull": 0.5, "backup": 0.0, "consult": 0.0,
                "gate": 0.0}
    assert metrics["hero_interruptions_per_week"]["by_hero"]["hero"] == pytest.approx(expected)
    assert metrics["hero_interruptions_per_week"]["all_heroes"] == pytest.approx(expected)


def test_hero_hours_count_every_role_unclipped(metrics):
    """Hero hours sum all the hero's spans (triage included), even past the horizon."""
    assert metrics["hero_hours"]["total"] == pytest.approx((80 + 6 + 30 + 5 + 100) / 60)
    assert metrics["hero_hours"]["by_hero"] == {"hero": pytest.approx(221 / 60)}


def test_load_per_person_and_gini(metrics):
    """Pages count page and noise interruptions; pulls apart; hours every span."""
    load = metrics["load"]
    assert load["hero"] == {"pages": 3, "pulls": 1, "hours": pytest.approx(221 / 60),
                            "incidents_led": 2}
    assert load["alice"] == {"pages": 3, "pulls": 0, "hours": pytest.approx(125 / 60),
                             "incidents_led": 1}
    assert load["bob"] == {"pages": 1, "pulls": 0, "hours": pytest.approx(115 / 60),
                           "incidents_led": 1}
    assert load["carol"] == {"pages": 0, "pulls": 0, "hours": 0.0, "incidents_led": 0}
    assert metrics["pages_gini"] == pytest.approx(gini([3, 3, 1, 0]))


def test_gini_leaves_out_absent_people():
    """People removed for the run do not count towards the spread of pages."""
    scenario = make_scenario()
    m = replication_metrics(make_records(without=("carol",)), scenario,
                            SkillBook.from_scenario(scenario))
    assert m["pages_gini"] == pytest.approx(4 / 21)


def test_struggled_and_per_class(metrics):
    """Per-class numbers use only that class's incidents."""
    assert metrics["struggled"] == {"count": 1, "share": 0.25}
    assert metrics["by_class"]["web-down"] == pytest.approx({
        "count": 3, "mttm_p50": 100.0, "mttm_p90": 100.8, "unresolved": 0,
        "breach_rate": 2 / 3, "escalations_per_incident": 2 / 3, "hero_share": 1 / 3})
    assert metrics["by_class"]["db-lock"] == {
        "count": 1, "mttm_p50": 40.0, "mttm_p90": 40.0, "unresolved": 0, "breach_rate": 0.0,
        "escalations_per_incident": 2.0, "hero_share": 1.0}


def test_utilisation_clips_to_horizon_and_counts_busy_roles(metrics):
    """Only LED and STUCK spans hold a slot; spans are clipped; no availability means 0."""
    assert metrics["utilisation"]["hero"] == pytest.approx((80 + 30 + 60) / (HORIZON / 2))
    assert metrics["utilisation"]["alice"] == pytest.approx(25 / (2 * HORIZON))
    assert metrics["utilisation"]["bob"] == pytest.approx(115 / HORIZON)
    assert metrics["utilisation"]["carol"] == 0.0


def test_effective_responders(metrics):
    """k=c=1 counts, k=0.2 does not, `requires` restricts to the named people."""
    assert metrics["effective_responders"] == {
        "by_class": {"web-down": 2, "db-lock": 1}, "by_critical_service": {"web": 2}}


def test_effective_responders_exclude_the_absent():
    """A person left out of the run is not a responder."""
    scenario = make_scenario()
    m = replication_metrics(make_records(without=("hero",)), scenario,
                            SkillBook.from_scenario(scenario))
    assert m["effective_responders"] == {
        "by_class": {"web-down": 1, "db-lock": 0}, "by_critical_service": {"web": 1}}


def test_effective_responders_follow_the_skill_book():
    """Effective responders are judged by the skills passed in, not the scenario's."""
    scenario = make_scenario()
    skills = SkillBook.from_scenario(scenario)
    skills.set("bob", "web-down", 0.6, 0.6)
    m = replication_metrics(make_records(), scenario, skills)
    assert m["effective_responders"]["by_class"]["web-down"] == 3


def test_metrics_are_strict_json(metrics):
    """The dict serialises without NaN or infinities."""
    json.dumps(metrics, allow_nan=False)


def test_no_incidents_is_nan_free():
    """An empty replication gives None for undefined numbers, and summarize copes."""
    scenario = make_scenario()
    m = replication_metrics(RunRecords(days=7, without=(), heroes=("hero",)), scenario,
                            SkillBook.from_scenario(scenario))
    json.dumps(m, allow_nan=False)
    assert m["incidents"] == 0
    assert m["mttm"] == {"p50": None, "p90": None, "p99": None, "mean": None}
    assert m["slo_breach_rate"] is None
    assert m["hero_interruptions_per_week"]["all_heroes"]["total"] == 0.0
    s = summarize([m, m])
    assert s["mttm"]["p50"] is None
    assert s["incidents"] == {"mean": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n": 2}


# --- many replications ----------------------------------------------------------------------


def test_summarize_t_interval():
    """Numeric leaves become mean and 95% t half-width, nested as given."""
    reps = [{"a": {"b": x}, "name": "t"} for x in (1.0, 2.0, 3.0, 4.0)]
    s = summarize(reps)
    sd = stats.tstd([1, 2, 3, 4])
    half = stats.t.ppf(0.975, 3) * sd / 2
    assert s["a"]["b"] == pytest.approx(
        {"mean": 2.5, "ci_low": 2.5 - half, "ci_high": 2.5 + half, "n": 4})
    assert s["name"] == "t"


def test_summarize_skips_none_and_drops_unequal_text():
    """None is left out of the statistics; text that differs across replications is dropped."""
    s = summarize([{"x": None, "y": "a"}, {"x": 5, "y": "b"}, {"x": 7, "y": "a"}])
    assert s["x"]["n"] == 2 and s["x"]["mean"] == 6.0
    assert "y" not in s


def test_summarize_one_replication_has_a_point_interval(metrics):
    """With one replication the interval is the mean itself."""
    s = summarize([metrics])
    assert s["incidents"] == {"mean": 4.0, "ci_low": 4.0, "ci_high": 4.0, "n": 1}
    assert s["heroes"] == ["hero"]
    json.dumps(s, allow_nan=False)


# --- fit check ------------------------------------------------------------------------------


def test_mean_expert_minutes_is_the_lognormal_mean():
    """Median and p90 give sigma; the mean is median * exp(sigma^2 / 2)."""
    sigma = math.log(2) / 1.2815516
    assert mean_expert_minutes(30, 60) == pytest.approx(30 * math.exp(sigma**2 / 2))
    assert mean_expert_minutes(30, 30) == 30


def test_expert_load_counts_real_work_and_noise_over_slots():
    """(rate x mean minutes + noise pages x triage) / (primary + secondary slots)."""
    s = make_scenario(rate=2, median=30, p90=30, noise=1.0)
    real = 2 * 30 / 10080 + 1 * 60 / 10080
    noise = 3 * 1.0 * 5 / 10080
    assert expert_load(s) == pytest.approx((real + noise) / 2)


def test_expert_load_in_pool_mode_uses_every_primary_member():
    """A pool works as many incidents at once as its members' capacities add up to."""
    s = make_scenario(rate=2, median=30, p90=30, pool=True)
    assert expert_load(s) == pytest.approx((2 * 30 + 60) / 10080 / 2)


def test_fit_check_overloaded_by_expert_load():
    """Offered load near saturation says staffing, not knowledge concentration."""
    s = make_scenario(rate=300, median=60, p90=60)  # (300*60 + 60) / 10080 / 2 = 0.896
    result = fit_check(s)
    assert result.overloaded is True
    assert result.expert_load == pytest.approx((300 * 60 + 60) / 10080 / 2)
    assert "overloaded" in result.reason and "staffing" in result.reason
    assert "0.90" in result.reason


def test_fit_check_not_overloaded(metrics):
    """A lightly loaded team is told its problem is knowledge concentration."""
    result = fit_check(make_scenario(), metrics)
    assert result.overloaded is False
    assert result.leaders == ["hero"]
    assert "not overloaded" in result.reason


def test_fit_check_overloaded_by_measured_leader_utilisation():
    """The people who lead most work being 85%+ busy is overload, whatever the expert load."""
    measured = {"load": {"alice": {"incidents_led": 8}, "bob": {"incidents_led": 2}},
                "utilisation": {"alice": 0.9, "bob": 0.1}}
    result = fit_check(make_scenario(), measured)
    assert result.overloaded is True
    assert result.leaders == ["alice"]
    assert result.leader_utilisation == pytest.approx(0.9)
    assert "90%" in result.reason
    # The summarised form and a list of replications read the same.
    assert fit_check(make_scenario(), summarize([measured])).overloaded is True
    assert fit_check(make_scenario(), [measured, measured]).overloaded is True
