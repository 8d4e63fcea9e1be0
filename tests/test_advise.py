"""herosim advise: attribution, candidate ranking, the proposed plan, the pack, the CLI."""

from __future__ import annotations

import json

import pytest
from conftest import build_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.advise import (
    CAUSES,
    NOISE,
    attribute,
    candidates,
    run_advise,
    summarize_attribution,
)
from sim.analysis.independence import run_check
from sim.analysis.replicate import Replications
from sim.analysis.types import ClassAttribution
from sim.inputs.scenario import load_plan
from sim.model import TeamModel
from sim.outputs.report_advise import pack_pages

WEEKS = 6
REPS = 8


def hero_only_scenario():
    """A frequent critical class only the hero can fix; an easy class everyone covers."""
    return build_scenario(
        name="hero-only",
        services=[{"id": "db", "critical": True}, {"id": "web"}],
        classes=[
            {"id": "db-down", "service": "db", "rate_per_week": 4.0, "difficulty": 0.6,
             "work_minutes": {"median": 30, "p90": 60}, "slo_minutes": 60},
            {"id": "web-5xx", "service": "web", "rate_per_week": 2.0, "difficulty": 0.2,
             "work_minutes": {"median": 15, "p90": 30}, "slo_minutes": 120},
        ],
        people=[
            # Two days a week for transfer: a runbook's day of writing fits beside backup.
            {"id": "hero", "skills": {"db-down": 1.0, "web-5xx": 1.0},
             "transfer_hours_per_week": 16},
            {"id": "ann", "skills": {"db-down": {"knowledge": 0.6, "confidence": 0.3},
                                     "web-5xx": 0.9}},
            {"id": "bob", "skills": {"db-down": {"knowledge": 0.5, "confidence": 0.3},
                                     "web-5xx": 0.9}},
        ],
        heroes=["hero"],
        rotation={"primary": {"members": ["ann", "bob"]}, "secondary": {"members": ["hero"]}},
        independence={"evaluation_days": 28},
    )


def noisy_scenario():
    """Everyone covers the one class; false pages are most of what reaches the hero."""
    return build_scenario(
        name="noisy",
        classes=[{"id": "k", "service": "svc", "rate_per_week": 6.0, "difficulty": 0.3,
                  "work_minutes": {"median": 20, "p90": 40}, "slo_minutes": 30}],
        people=[
            {"id": "hero", "skills": {"k": 1.0}},
            {"id": "ann", "skills": {"k": 0.9}},
            {"id": "bob", "skills": {"k": 0.9}},
        ],
        heroes=["hero"],
        # The hero is the backstop after a short primary timeout: slow acks reach her.
        rotation={"primary": {"members": ["ann", "bob"], "period_days": 1}},
        escalation={"levels": [{"target": "primary", "timeout_minutes": 2},
                               {"target": "people", "people": ["hero"]},
                               {"target": "team"}]},
        conditions={"alert_noise": 12.0},
        independence={"evaluation_days": 28},
    )


def test_top_candidate_is_transfer_of_hero_only_class():
    """One frequent critical class only the hero can fix: the top candidate transfers it."""
    result = run_advise(Replications(hero_only_scenario(), REPS, seed=3), weeks=WEEKS,
                        propose=False)
    top = result.to_json()["candidates"][0]
    assert top["target"] == "db-down"
    # Shadowing the primary is a rotation change that transfers by practice; it counts.
    assert top["kind"] in ("pair", "lead_with_backup", "drill", "add_shadow")
    assert top["reduction"]["mean"] > 0


def test_top_candidate_is_noise_fix_when_noise_drives_the_hero():
    """When false pages are most of the hero's interruptions, the noise fix comes first."""
    result = run_advise(Replications(noisy_scenario(), REPS, seed=3), weeks=WEEKS,
                        propose=False)
    doc = result.to_json()
    noise = doc["attribution"][NOISE]["hero_interruptions_per_week"]
    real = sum(v["hero_interruptions_per_week"] for k, v in doc["attribution"].items()
               if k != NOISE)
    assert noise > real
    assert doc["candidates"][0]["name"] == "fix-alert-noise"


people_skills = st.fixed_dictionaries({
    "knowledge": st.floats(0.0, 1.0), "confidence": st.floats(0.0, 1.0)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    difficulty=st.floats(0.1, 0.9),
    ann=people_skills,
    noise=st.floats(0.0, 3.0),
    routing=st.floats(0.0, 0.5),
    pull=st.floats(0.0, 1.0),
    requires_hero=st.booleans(),
    hero_primary=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_attribution_shares_sum_to_one(difficulty, ann, noise, routing, pull, requires_hero,
                                       hero_primary, seed):
    """Every class with hero interruptions has cause shares (and hour shares) summing to 1."""
    scenario = build_scenario(
        classes=[{"id": "k", "service": "svc", "rate_per_week": 5.0, "difficulty": difficulty,
                  "work_minutes": {"median": 30, "p90": 90},
                  "requires": ["hero"] if requires_hero else []}],
        people=[{"id": "hero", "skills": {"k": 1.0}}, {"id": "ann", "skills": {"k": ann}},
                {"id": "bob", "skills": {"k": 0.3}}],
        rotation={"primary": {"members": ["ann", "bob"] + (["hero"] if hero_primary else [])},
                  "secondary": {"members": ["hero"]}},
        conditions={"alert_noise": noise, "routing_ambiguity": routing, "informal_pull": pull},
    )
    records = TeamModel(scenario, 21, seed, 0).run()
    raw = attribute(records, scenario)
    hero_interruptions = sum(1 for x in records.interruptions if x.person == "hero"
                             and (x.incident_id is None
                                  or x.incident_id in {i.incident_id for i in records.incidents}))
    assert sum(n for row in raw.values() for n, _ in row["causes"].values()) >= \
        hero_interruptions
    summary = summarize_attribution([raw], 3)
    for row in summary.values():
        if row.hero_interruptions_per_week > 0:
            assert sum(c.share for c in row.causes.values()) == pytest.approx(1.0)
            assert set(row.causes) <= set(CAUSES)
        if row.hero_hours_per_week > 0:
            assert sum(c.hours_share for c in row.causes.values()) == pytest.approx(1.0)


def test_noise_interruptions_are_attributed_to_noise():
    """False pages to the hero land in the noise pseudo-class, with cause noise."""
    scenario = noisy_scenario()
    records = TeamModel(scenario, 14, 1, 0).run()
    raw = attribute(records, scenario)
    false_pages = sum(1 for x in records.interruptions
                      if x.person == "hero" and x.kind.value == "noise")
    assert raw[NOISE]["causes"]["noise"][0] == false_pages > 0


def test_written_plan_passes_its_own_check(tmp_path):
    """The proposal loads with load_plan, and `check` with the options advise checked it with
    passes, as advise said (exit 0); the pack is written beside it."""
    scenario = hero_only_scenario()
    runner = CliRunner()
    plan_file = tmp_path / "advised.yaml"
    pack = tmp_path / "pack"
    result = runner.invoke(app, [
        "advise", _write(tmp_path, scenario),
        "--weeks", str(WEEKS), "--reps", str(REPS), "--seed", "3", "--workers", "1",
        "--check-weeks", str(WEEKS), "--check-reps", str(REPS),
        "--write-plan", str(plan_file), "--write-pack", str(pack), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = load_plan(plan_file, scenario)
    assert plan.actions
    assert f"--weeks {WEEKS}" in plan_file.read_text().splitlines()[1]
    checked = run_check(Replications(scenario, REPS, seed=3), plan, weeks=WEEKS)
    assert checked.passed
    pages = sorted(p.name for p in pack.iterdir())
    assert "db-down.md" in pages
    text = (pack / "db-down.md").read_text()
    assert "draft" in text and "TO COMPLETE" in text


def _write(tmp_path, scenario) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario.model_dump(mode="json", exclude_none=True,
                                                   by_alias=True)))
    return str(path)


def test_cli_json_and_table(tmp_path):
    """advise prints a table, or JSON to stdout, and writes advise.json and advise.md."""
    path = _write(tmp_path, noisy_scenario())
    runner = CliRunner()
    args = ["advise", path, "--weeks", "2", "--reps", "2", "--workers", "1",
            "--check-weeks", "2", "--check-reps", "2", "--out", str(tmp_path / "out")]
    table = runner.invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "Candidates" in table.output
    as_json = runner.invoke(app, args + ["--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    doc = json.loads(as_json.stdout)
    assert doc["candidates"] and "attribution" in doc
    folders = list((tmp_path / "out").iterdir())
    assert folders and all((f / "advise.json").is_file() and (f / "advise.md").is_file()
                           for f in folders)


def test_cli_bad_input_exits_2(tmp_path):
    """A missing scenario or a plan file without .yaml is a clear error, exit 2, no folder."""
    runner = CliRunner()
    missing = runner.invoke(app, ["advise", str(tmp_path / "nope.yaml"),
                                  "--out", str(tmp_path / "out")])
    assert missing.exit_code == 2
    assert "Traceback" not in missing.output
    path = _write(tmp_path, noisy_scenario())
    bad = runner.invoke(app, ["advise", path, "--write-plan", str(tmp_path / "plan.txt"),
                              "--out", str(tmp_path / "out")])
    assert bad.exit_code == 2
    assert "--write-plan" in bad.output and "plan.txt" in bad.output
    assert not (tmp_path / "out").exists()


def test_candidates_cover_every_kind_that_applies():
    """The platform-like scenario yields transfers, runbooks, rotation, fixes, removals."""
    from sim.inputs.scenario import load_scenario
    scenario = load_scenario("scenarios/platform-team.yaml")
    attribution = {c.id: ClassAttribution(incidents_per_week=1.0, hero_share=1.0,
                                          hero_interruptions_per_week=1.0,
                                          hero_hours_per_week=1.0, causes={})
                   for c in scenario.classes}
    kinds = {c.kind for c in candidates(scenario, attribution, 4)}
    assert kinds >= {"pair", "lead_with_backup", "drill", "runbook", "change_rotation",
                     "fix_condition", "stop_informal_pulls", "remove_requires",
                     "remove_needs"}


def test_pack_escapes_user_strings():
    """A class id with a pipe does not break the pack's tables."""
    scenario = hero_only_scenario()
    result = run_advise(Replications(scenario, 2, seed=0), weeks=2, propose=False)
    pages = pack_pages(result.document, scenario)
    assert pages and all("draft" in text for text in pages.values())
