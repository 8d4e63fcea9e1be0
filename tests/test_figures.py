"""Figures that hold up: unresolved incidents are counted, and escalation figures can tell the
hero-present and hero-absent arms apart."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli.main import app
from sim.analysis.independence import run_check
from sim.analysis.replicate import Replications
from sim.analysis.whatif import run_scenario
from sim.schema import Scenario


def hero_access_team(make_scenario) -> Scenario:
    """Routine work anyone can do, and a class only the hero has the access to fix."""
    return make_scenario(
        classes=[{"id": "routine", "service": "svc", "rate_per_week": 20.0, "difficulty": 0.2,
                  "work_minutes": {"median": 20, "p90": 40}},
                 {"id": "vault", "service": "svc", "rate_per_week": 4.0, "difficulty": 0.3,
                  "requires": ["hero"], "work_minutes": {"median": 90, "p90": 180}}],
        people=[{"id": "hero", "skills": {"routine": 1.0, "vault": 1.0}},
                {"id": "ann", "skills": {"routine": 0.9, "vault": 0.9}},
                {"id": "bob", "skills": {"routine": 0.9, "vault": 0.9}}],
        rotation={"primary": {"members": ["ann", "bob"]}},
    )


def test_unresolved_incidents_never_flatter_the_hero_absent_arm(make_scenario):
    """Without the only person with the access, the vault incidents are never mitigated; they
    count with their time so far, so the hero-absent p90 is not below the hero-present one,
    and how many there were is reported beside it."""
    scenario = hero_access_team(make_scenario)
    result = run_scenario(Replications(scenario, 4, seed=3), days=28, without=["hero"])
    absent, present = result.summary, result.baseline
    assert absent["unresolved"]["mean"] > 0 and present["unresolved"]["mean"] == 0
    assert absent["mttm"]["p90"]["mean"] >= present["mttm"]["p90"]["mean"]
    vault = absent["by_class"]["vault"]
    assert vault["unresolved"]["mean"] == vault["count"]["mean"]
    assert vault["mttm_p50"]["mean"] is not None  # counted, not dropped


def test_the_run_shows_the_unresolved_count_beside_the_times(make_scenario, tmp_path):
    """`herosim run --without` prints the unresolved incidents and says how they count."""
    path = tmp_path / "team.yaml"
    path.write_text(json.dumps(hero_access_team(make_scenario).model_dump(mode="json")))
    done = CliRunner().invoke(app, ["run", str(path), "--without", "hero", "--days", "28",
                                    "--reps", "2", "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    words = " ".join(done.output.split())  # however the terminal wrapped it
    assert "unresolved incidents" in words
    assert "time so far (a lower bound)" in words


def test_check_escalation_figures_can_differ_between_the_arms(make_scenario):
    """The share of incidents handed on is the same in both arms when the first responder is
    (whether to hand on is decided before who receives it), so the check reports what can
    differ: hand-offs per incident, whom it needed (a hero when present, anyone beyond the
    first responder when not), and hand-offs to a named person against the policy."""
    scenario = hero_access_team(make_scenario).model_copy(update={
        "conditions": hero_access_team(make_scenario).conditions.model_copy(
            update={"informal_pull": 0.6})})
    doc = run_check(Replications(scenario, 4, seed=2), None, weeks=0, every=4).document
    overall = doc.checkpoints[0].overall
    assert "escalation_rate" not in json.dumps(doc.to_json())
    assert overall.present_escalations_per_incident != overall.absent_escalations_per_incident
    assert overall.present_hero_share is not None
    assert overall.absent_beyond_first_share is not None
    assert overall.present_to_person_per_incident > overall.absent_to_person_per_incident
    vault = doc.checkpoints[0].classes["vault"]
    assert vault.absent.hero_share is None  # no hero in that arm: nothing to compare
    assert vault.present.to_person_per_incident + vault.present.to_policy_per_incident == (
        vault.present.escalations_per_incident)
