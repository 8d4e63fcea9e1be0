"""Game-day scoring: the observations format (YAML and CSV), placing observations in the
model's predictions, learning skills back from simulated game days, and `herosim score`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.gameday import ScoreResult, percentile_rank, score_gameday
from sim.analysis.replicate import Replications
from sim.inputs.observations import load_observations, resolve
from sim.inputs.scenario import load_scenario
from sim.model import Arrival, SkillBook, TeamModel, TeamState
from sim.outputs.scenario_update import updated_scenario_text
from sim.schema import MINUTES_PER_DAY, EscalationKind, Observations, Scenario

HERE = Path(__file__).parent
ROOT = HERE.parent
TINY = HERE / "data" / "tiny.yaml"
DATA = HERE / "data" / "gameday"
PLATFORM = ROOT / "scenarios" / "platform-team.yaml"

runner = CliRunner()


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    """tests/data/tiny.yaml."""
    return load_scenario(TINY)


# -- the format ---------------------------------------------------------------------------------


def test_example_yaml_and_csv_twin_read_the_same():
    """The shipped platform-team game day reads the same from YAML and from its CSV twin."""
    scenario = load_scenario(PLATFORM)
    from_yaml = load_observations(ROOT / "scenarios" / "platform-team-gameday.yaml", scenario)
    from_csv = load_observations(ROOT / "scenarios" / "platform-team-gameday.csv", scenario)
    assert from_yaml.injections == from_csv.injections
    assert (from_yaml.day, from_yaml.hero_role, from_yaml.absent, from_yaml.primary) == (
        from_csv.day, from_csv.hero_role, from_csv.absent, from_csv.primary)
    assert from_yaml.day == 66


def test_clock_times_and_minutes_land_on_the_scenario_calendar(tiny):
    """'10:30' on day 7 and 90 minutes after a 10:00 start become minutes of the calendar;
    an unquoted 10:30 in YAML is a clock time, not the base-60 integer 630."""
    day = load_observations(DATA / "good.yaml", tiny)
    assert day.day == 7
    first, second = day.injections
    assert first.injected == 7 * MINUTES_PER_DAY + 10 * 60 + 30
    assert second.injected == 7 * MINUTES_PER_DAY + 11 * 60 + 30
    assert second.escalations[0].from_person == "ben"  # the primary acknowledged
    text = (DATA / "good.yaml").read_text().replace('"10:30"', "10:30")
    unquoted = DATA.parent / "tmp_unquoted.yaml"
    try:
        unquoted.write_text(text)
        assert load_observations(unquoted, tiny).injections[0].injected == first.injected
    finally:
        unquoted.unlink()


def test_csv_and_yaml_fixtures_agree(tiny):
    """tests/data/gameday/good.csv is good.yaml as a spreadsheet."""
    assert load_observations(DATA / "good.csv", tiny).injections == \
        load_observations(DATA / "good.yaml", tiny).injections


@pytest.mark.parametrize("name, where, value, words", [
    ("unknown_class.yaml", "injections[0].class", "'api-500'", "did you mean 'api-5xx'"),
    ("unknown_person.yaml", "injections[0].led_by", "'benn'", "unknown person 'benn'"),
    ("mitigated_before_injected.yaml", "injections[0].mitigated_at", "'10:05'",
     "mitigated before it was injected (10:30)"),
    ("times_out_of_order.yaml", "injections[0].acknowledged_at", "'10:50'",
     "acknowledged after mitigated_at (10:45)"),
    ("times_out_of_order.yaml", "injections[0].escalations[0].at", "'10:20'",
     "escalation before injected_at"),
    ("missing_column.csv", "row 1 (header)", None, "missing column 'mitigated_at'"),
    ("bad_cell.csv", "row 3: injected_at", "'half past ten'", "is not a time"),
    ("bad_cell.csv", "row 3: hints", "'lots'", "integer"),
])
def test_bad_observations_exit_2_naming_file_field_and_value(name, where, value, words):
    """Each bad observations file exits 2 with file, field (or row), value and reason, and
    writes no results folder."""
    out = DATA.parent / "tmp_results"
    result = runner.invoke(app, ["score", str(TINY), str(DATA / name), "--reps", "2",
                                 "--workers", "1", "--out", str(out)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"{DATA / name}: {where}" in text
    assert words in text
    if value is not None:
        assert f"got: {value}" in text
    assert "Traceback" not in result.output
    assert not out.exists()


def test_minutes_without_a_start_is_an_error(tiny):
    """Times in minutes need the game day's start to be placed on the clock."""
    data = {"gameday": {"date": "2026-01-12", "hero_role": "absent"},
            "injections": [{"class": "api-5xx", "injected_at": 5, "acknowledged_at": 7,
                            "mitigated_at": 40, "led_by": "ben"}]}
    with pytest.raises(Exception) as caught:
        resolve(Observations.model_validate(data), tiny, "obs.yaml")
    assert "gameday.start" in str(caught.value)


# -- placing observations -----------------------------------------------------------------------


def one_injection(mitigated_after: float, role: str = "observer") -> Observations:
    """A one-injection game day of tiny.yaml: api-5xx at 10:30 on day 7, ben leading."""
    return Observations.model_validate({
        "gameday": {"date": "2026-01-12", "start": "10:00", "hero_role": role,
                    "primary": "ben"},
        "injections": [{"id": "x", "class": "api-5xx", "injected_at": 30,
                        "acknowledged_at": 32, "mitigated_at": 30 + mitigated_after,
                        "led_by": "ben"}],
    })


def test_percentile_rank_counts_ties_half():
    """The rank of a value among predictions: below counts whole, ties half."""
    assert percentile_rank(np.array([1.0, 2.0, 3.0, 4.0]), 2.0) == pytest.approx(37.5)
    assert percentile_rank(np.array([1.0, np.inf]), np.inf) == pytest.approx(75.0)


def test_observation_at_the_median_scores_near_50_and_far_past_p90_is_flagged(tiny):
    """An observation at the predicted median sits near the 50th percentile and is not
    flagged; one ten times the p90 sits at the top and is a hesitation point."""
    reps = Replications(tiny, replications=200, seed=3)
    probe = score_gameday(reps, resolve(one_injection(30), tiny))
    ttm = probe.injections[0].predicted.ttm
    at_median = score_gameday(reps, resolve(one_injection(ttm.p50), tiny)).injections[0]
    assert at_median.ttm_percentile == pytest.approx(50, abs=1.0)
    assert not any("p90" in h for h in at_median.hesitations)
    slow = score_gameday(reps, resolve(one_injection(10 * ttm.p90), tiny)).injections[0]
    assert slow.ttm_percentile > 99
    assert slow.verdict == "hesitation"
    assert any("slower than the predicted p90" in h for h in slow.hesitations)


def test_same_seed_same_document_whatever_the_workers(tiny):
    """Scoring is deterministic in the seed, with one worker or two."""
    day = load_observations(DATA / "good.yaml", tiny)
    one = score_gameday(Replications(tiny, 12, seed=5, workers=1), day).to_json()
    two = score_gameday(Replications(tiny, 12, seed=5, workers=2), day).to_json()
    assert one == two


# -- learning skills back: recovery -------------------------------------------------------------


def recovery_team(ann: float) -> Scenario:
    """ann is primary; she hands on to bob (escalation level 2); the hero is away."""
    return Scenario.model_validate({
        "name": "recovery",
        "services": [{"id": "svc"}],
        "classes": [{"id": "k", "service": "svc", "rate_per_week": 1.0, "difficulty": 0.5,
                     "work_minutes": {"median": 30, "p90": 60}}],
        "people": [
            {"id": "hero", "skills": {"k": 1.0}},
            {"id": "ann", "skills": {"k": ann}},
            {"id": "bob", "skills": {"k": 0.9}},
        ],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["ann"]}},
        "escalation": {"levels": [{"target": "primary", "timeout_minutes": 15},
                                  {"target": "people", "people": ["bob"]}]},
    })


def simulated_gameday(truth: Scenario, seed: int, injections: int = 6) -> Observations:
    """Run a game day of `truth` with the engine (hero absent) and record it as observations,
    as a facilitator would: one injection an hour from 09:00 on Tuesday, day 1."""
    skills = SkillBook.from_scenario(truth).frozen(0.0)
    work_z = np.random.default_rng(seed).standard_normal(injections)
    start = MINUTES_PER_DAY + 9 * 60

    def minutes(t: float) -> float:
        return round(t - start, 2)

    rows = []
    for j in range(injections):
        state = TeamState.from_scenario(truth).frozen(0.0)
        arrival = Arrival(0, start + 60 * j, 0, float(work_z[j]))
        record = TeamModel(truth, 2, seed, 1000 + j, without=("hero",), skills=skills,
                           state=state, arrivals=[arrival]).run().incidents[0]
        rows.append({
            "id": f"inj-{j}", "class": "k", "injected_at": minutes(record.arrived),
            "acknowledged_at": minutes(record.acknowledged),
            "acknowledged_by": record.acknowledged_by,
            "mitigated_at": minutes(record.mitigated), "led_by": record.lead,
            "escalations": [
                {"kind": e.kind.value, "to": e.to_person, "at": minutes(e.at),
                 **({"from": e.from_person} if e.from_person else {})}
                for e in record.escalations
                if e.kind is not EscalationKind.REROUTE and e.to_person],
        })
    return Observations.model_validate({
        "gameday": {"date": "2026-01-06", "start": "09:00", "hero_role": "absent"},
        "injections": rows,
    })


@pytest.mark.parametrize("truth, wrong", [(0.85, 0.3), (0.3, 0.9)])
def test_skill_estimates_move_toward_the_truth(truth, wrong):
    """A game day simulated from known skills, scored against deliberately wrong ones, moves
    ann's knowledge and confidence toward the truth, seed after seed."""
    true_team, wrong_team = recovery_team(truth), recovery_team(wrong)
    for seed in (1, 2, 3):
        day = resolve(simulated_gameday(true_team, seed), wrong_team)
        result = score_gameday(Replications(wrong_team, 20, seed=seed), day)
        update = next(u for u in result.skill_updates if u.person == "ann")
        for key in ("knowledge", "confidence"):
            before = getattr(update.scenario_before, key)
            after = getattr(update.scenario_after, key)
            assert abs(after - truth) < abs(before - truth) - 0.05, (seed, key, before, after)


def test_repeated_game_days_keep_closing_the_gap():
    """Feeding the updated scenario back in and scoring the next game day moves the estimate
    further toward the truth."""
    true_team = recovery_team(0.85)
    team = recovery_team(0.3)
    gaps = [abs(team.person("ann").skill("k")[0] - 0.85)]
    for seed in (11, 12, 13):
        day = resolve(simulated_gameday(true_team, seed), team)
        result = score_gameday(Replications(team, 20, seed=seed), day)
        text = updated_scenario_text(yaml.safe_dump(team.model_dump(mode="json")), team, result)
        team = Scenario.model_validate(yaml.safe_load(text))
        gaps.append(abs(team.person("ann").skill("k")[0] - 0.85))
    assert gaps == sorted(gaps, reverse=True) and gaps[-1] < gaps[0] / 2, gaps


# -- `herosim score` ----------------------------------------------------------------------------


def test_score_writes_results_and_an_updated_scenario_that_validates(tmp_path):
    """`herosim score --update` writes gameday.json, gameday.md and journal.json, and an
    updated scenario that keeps the original text and comments and validates."""
    target = tmp_path / "updated.yaml"
    result = runner.invoke(app, [
        "score", str(PLATFORM), str(ROOT / "scenarios" / "platform-team-gameday.yaml"),
        "--plan", "pair-and-lead", "--reps", "20", "--workers", "1", "--out", str(tmp_path),
        "--update", str(target)])
    assert result.exit_code == 0, result.output
    assert "Game-day score" in result.output
    folder = next(p for p in tmp_path.iterdir() if p.is_dir())
    assert {p.name for p in folder.iterdir()} == {"gameday.json", "gameday.md", "journal.json",
                                                  "report.html"}
    journal = json.loads((folder / "journal.json").read_text())
    assert journal["kind"] == "score" and journal["status"] == "completed"
    document = json.loads((folder / "gameday.json").read_text())
    assert document["score"]["definition"] in " ".join(result.output.split())
    text = target.read_text()
    assert text.startswith("# Updated by `herosim score`")
    assert "# Platform team, Berlin: six engineers, one hero." in text  # original kept
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0
    updated = load_scenario(target)
    changed = [u for u in document["skill_updates"] if u["changed"]]
    assert changed
    for u in changed:
        k, c = updated.person(u["person"]).skill(u["class"])
        assert (k, c) == (u["scenario_after"]["knowledge"], u["scenario_after"]["confidence"])
    original = load_scenario(PLATFORM)
    assert updated.classes == original.classes and updated.plans == original.plans


def test_score_json_format_prints_the_document(tmp_path):
    """`--format json` prints gameday.json to stdout."""
    result = runner.invoke(app, ["score", str(TINY), str(DATA / "good.csv"), "--reps", "5",
                                 "--workers", "1", "--format", "json", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [r["id"] for r in document["injections"]] == ["api-1", "slow-1"]
    assert document["injections"][1]["observed"]["hero_consulted"] is True


def test_update_refuses_to_overwrite_the_scenario(tmp_path):
    """--update pointing at the scenario itself is bad input (exit 2), nothing written."""
    copy = tmp_path / "tiny.yaml"
    copy.write_text(TINY.read_text())
    result = runner.invoke(app, ["score", str(copy), str(DATA / "good.yaml"), "--reps", "2",
                                 "--workers", "1", "--update", str(copy),
                                 "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert "--update" in result.output
    assert copy.read_text() == TINY.read_text()


# -- the document -------------------------------------------------------------------------------


def _document_keys(cls: type) -> set[str]:
    """Every JSON key of a typed document and of the documents inside it."""
    import dataclasses
    import typing

    from sim.analysis.document import Document

    keys: set[str] = set()
    for f in dataclasses.fields(cls):
        keys.add(f.metadata.get("json", f.name))
        hint = typing.get_type_hints(cls)[f.name]
        for inner in (hint, *typing.get_args(hint)):
            for candidate in (inner, *typing.get_args(inner)):
                if isinstance(candidate, type) and issubclass(candidate, Document):
                    keys |= _document_keys(candidate)
    return keys


def test_score_document_reads_back_and_every_key_is_documented(tiny):
    """gameday.json read back (`ScoreResult.from_json`) is the result the analysis returned,
    and every key of the typed document is named in docs/outputs.md's `herosim score` part."""
    from sim.outputs.journal import dump_json

    day = load_observations(DATA / "good.yaml", tiny)
    result = score_gameday(Replications(tiny, 6, seed=1), day)
    assert ScoreResult.from_json(json.loads(dump_json(result.to_json()))) == result
    docs = (ROOT / "docs" / "outputs.md").read_text()
    section = docs.split("## `herosim score`")[1].split("\n## ")[0]
    missing = sorted(k for k in _document_keys(ScoreResult)
                     if not re.search(rf"(?:`|\{{|, ){re.escape(k)}(?:`|\}}|,|:|\[)", section))
    assert not missing, missing


def test_report_of_an_older_score_folder_shows_dashes_for_missing_keys(tiny):
    """A gameday.json without keys added later (thresholds, dependence) still renders."""
    from sim.outputs.journal import dump_json
    from sim.outputs.report_score import score_report

    result = score_gameday(Replications(tiny, 4, seed=1), load_observations(DATA / "good.yaml",
                                                                            tiny))
    old = json.loads(dump_json(result.to_json()))
    del old["thresholds"], old["dependence"], old["people"]
    body = score_report({"json": {"gameday.json": old}, "journal": {}})
    assert "Dependence: –." in str(body.intro)
    assert [s.id for s in body.sections][0] == "score"


def test_observations_go_through_the_same_file_gates_as_a_scenario(tiny, tmp_path):
    """A directory or a non-UTF-8 file given as observations is refused with the loader's own
    messages (sim.inputs.files)."""
    from sim.errors import InputError

    with pytest.raises(InputError, match="this is a directory"):
        load_observations(tmp_path, tiny)
    bad = tmp_path / "day.csv"
    bad.write_bytes(b"date,hero_role\n2026-01-12,caf\xe9\n")
    with pytest.raises(InputError, match="not UTF-8"):
        load_observations(bad, tiny)
