"""fix_condition on named targets: release fragility (a service's change-failure rate) and
ownership (the routing ambiguity of a class's pages)."""

from __future__ import annotations

import pytest
from conftest import build_scenario
from pydantic import ValidationError

from sim.model import TeamModel
from sim.model.records import EscalationKind
from sim.schema import Plan

DAYS = 70


def fragile_team():
    """Two services: `app` ships 20 changes a week at a 50% failure rate; `web` pages are
    misrouted half the time, like every class's."""
    return build_scenario(
        services=[{"id": "app", "changes": {"per_week": 20, "failure_rate": 0.5,
                                            "unsafe_failure_rate": 0.6, "knowledge_penalty": 0,
                                            "batch_penalty": 0,
                                            "rollback_class": "rollback"}},
                  {"id": "web"}],
        classes=[{"id": "rollback", "service": "app", "rate_per_week": 0.0, "difficulty": 0.2,
                  "work_minutes": {"median": 10, "p90": 20}},
                 {"id": "web-5xx", "service": "web", "rate_per_week": 10.0, "difficulty": 0.2,
                  "work_minutes": {"median": 10, "p90": 20}}],
        people=[{"id": "hero", "skills": {"rollback": 1.0, "web-5xx": 1.0}},
                {"id": "ann", "skills": {"rollback": 0.9, "web-5xx": 0.9}}],
        conditions={"routing_ambiguity": 0.5},
    )


def plan(*actions) -> Plan:
    return Plan.model_validate({"name": "fix", "actions": list(actions)})


def failure_share(scenario, fix: Plan | None) -> float:
    records = TeamModel(scenario, DAYS, seed=3, plan=fix).run()
    shipped = [c for c in records.changes if c.shipped is not None]
    return sum(c.failed for c in shipped) / len(shipped)


def misrouted(scenario, fix: Plan | None, class_id: str) -> int:
    records = TeamModel(scenario, DAYS, seed=3, plan=fix).run()
    return sum(any(e.kind is EscalationKind.REROUTE for e in i.escalations)
               for i in records.incidents if i.class_id == class_id)


def test_release_fragility_sets_the_change_failure_rate():
    """Fixing release fragility of `app` to 5% cuts failed changes from about half to few."""
    team = fragile_team()
    fix = plan({"kind": "fix_condition", "condition": "release_fragility", "value": 0.05,
                "services": ["app"]})
    assert failure_share(team, None) == pytest.approx(0.5, abs=0.1)
    assert failure_share(team, fix) < 0.12


def test_ownership_stops_misrouting_of_the_named_classes_only():
    """Clear ownership of web-5xx: its pages no longer bounce; ending the fix restores the
    team-wide ambiguity."""
    team = fragile_team()
    fix = plan({"kind": "fix_condition", "condition": "ownership", "value": 0.0,
                "classes": ["web-5xx"]})
    assert misrouted(team, None, "web-5xx") > 20
    assert misrouted(team, fix, "web-5xx") == 0
    ended = plan({"kind": "fix_condition", "condition": "ownership", "value": 0.0,
                  "classes": ["web-5xx"], "end_day": 34})
    partly = misrouted(team, ended, "web-5xx")
    assert 0 < partly < misrouted(team, None, "web-5xx")


@pytest.mark.parametrize("action, message", [
    ({"condition": "release_fragility", "value": 0.1}, "list them in `services`"),
    ({"condition": "ownership", "value": 0.0}, "list them in `classes`"),
    ({"condition": "alert_noise", "value": 0.1, "classes": ["k"]}, "leave out `classes`"),
    ({"condition": "ownership", "value": 2.0, "classes": ["k"]}, "chance within 0..1"),
])
def test_targeted_conditions_say_what_to_write(action, message):
    with pytest.raises(ValidationError, match=message.replace("`", ".")):
        plan({"kind": "fix_condition", **action})
