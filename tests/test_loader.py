"""The loader and `herosim validate`: every bad input gets a clear message, never a traceback."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
import sim.model
from cli.main import app
from sim.errors import InputError, Problem
from sim.inputs.files import MAX_FILE_BYTES
from sim.inputs.problems import format_path
from sim.inputs.scenario import load_model, load_scenario
from sim.schema import Scenario, WorkTime

HERE = Path(__file__).parent
TINY = HERE / "data" / "tiny.yaml"
INVALID = HERE / "invalid"

# fixture -> substrings the rendered error must hold: the field path, the bad value, and a word
# of the explanation (file-level problems have no field path or value).
EXPECTED: dict[str, list[str]] = {
    "unknown_person_in_rotation.yaml": ["rotation.primary.members[2]", "'zed'", "unknown person"],
    "class_missing_service.yaml": ["classes[0].service", "'apii'", "missing service"],
    "negative_rate.yaml": ["classes[0].rate_per_week", "-1.0", "greater than or equal to 0"],
    "p90_below_median.yaml": ["classes[0].work_minutes", "'p90': 10", "at least the median"],
    "overlapping_absences.yaml": ["people[1].absences", "'start_day': 10", "overlap"],
    "people_level_names_nobody.yaml": ["escalation.levels[2]", "'people'", "names nobody"],
    "unknown_person_in_requires.yaml": ["classes[1].requires[0]", "'anna'", "unknown person"],
    "unknown_timezone.yaml": ["people[0].timezone", "'Europe/Berln'", "IANA time zone"],
    "duplicate_person_id.yaml": ["people[2].id", "'ben'", "duplicate person id"],
    "start_date_not_monday.yaml": ["start_date", "2026-01-06", "must be a Monday"],
    "unknown_key_typo.yaml": ["classes[0].severty", "'sev2'", "did you mean 'severity'"],
    "knowledge_above_one.yaml": ["people[0].skills.db-slow.knowledge", "1.5",
                                 "less than or equal to 1"],
    "skill_for_unknown_class.yaml": ["people[0].skills.db-falover", "'db-falover'",
                                     "unknown class"],
    "secondary_level_without_secondary.yaml": ["escalation.levels[1].target", "'secondary'",
                                               "no secondary schedule"],
    "weekly_profile_wrong_length.yaml": ["classes[0].weekly_profile", "[1, 2, 3]", "168"],
    "absurd_rate.yaml": ["classes[0].rate_per_week", "1000000000.0",
                         "less than or equal to 10000"],
    "zero_capacity.yaml": ["people[2].capacity", "got: 0", "greater than or equal to 1"],
    "working_hours_end_before_start.yaml": ["people[2].working_hours", "'start': 17",
                                            "must be before end"],
    "offset_past_members.yaml": ["rotation.primary.offset", "got: 5", "past the 2 members"],
    "missing_rotation.yaml": ["rotation", "required"],
    "rate_not_a_number.yaml": ["classes[2].rate_per_week", "'often'", "valid number"],
    "unknown_severity.yaml": ["classes[1].severity", "'sev5'", "'sev1'"],
    "unknown_hero.yaml": ["heroes[0]", "'dana'", "unknown person"],
    "bad_identifier.yaml": ["classes[0].id", "'api 5xx'", "not a valid id"],
    "duplicate_key.yaml": ["duplicate key 'heroes'", "line 49"],
    # not scenarios at all
    "empty.yaml": ["empty"],
    "comments_only.yaml": ["no data"],
    "not_utf8.yaml": ["not UTF-8", "0xe9", "line 2"],
    "truncated.yaml": ["invalid YAML", "line 36", "column"],
    "truncated.json": ["invalid JSON", "line 1", "column 46"],
    "top_level_list.yaml": ["top level is a list", "mapping"],
    "yaml_bomb.yaml": ["aliases", "alias bomb"],
    "recursive_alias.yaml": ["refers to its own anchor"],
}


def render_error(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    return caught.value


def test_every_fixture_has_expectations():
    """Each file in tests/invalid/ is covered by EXPECTED, and vice versa."""
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_is_explained(name):
    """The message names the file, the field path, the bad value and what is wrong."""
    error = render_error(INVALID / name)
    text = error.render()
    assert str(INVALID / name) in text
    for expected in EXPECTED[name]:
        assert expected in text, f"{expected!r} missing from:\n{text}"
    assert all(p.file == str(INVALID / name) for p in error.problems)


def test_tiny_scenario_loads():
    """The valid fixture loads into a Scenario."""
    scenario = load_scenario(TINY)
    assert isinstance(scenario, Scenario)
    assert [p.id for p in scenario.people] == ["ana", "ben", "chen"]
    assert scenario.heroes == ["ana"]


def test_json_scenario_loads(tmp_path):
    """A JSON file with the same content loads the same scenario."""
    data = load_scenario(TINY).model_dump(mode="json")
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(data))
    assert load_scenario(path) == load_scenario(TINY)


def test_flow_yaml_starting_with_brace_loads(tmp_path):
    """YAML flow style that is not JSON still parses as YAML."""
    path = tmp_path / "flow.yaml"
    path.write_text("{median: 10, p90: 20}")
    assert load_model(path, WorkTime) == WorkTime(median=10, p90=20)


def test_load_model_takes_any_model(tmp_path):
    """load_model validates against the model it is given and names the field."""
    path = tmp_path / "work.yaml"
    path.write_text("median: 10\np90: 5\n")
    with pytest.raises(InputError, match="at least the median"):
        load_model(path, WorkTime)


def test_missing_file():
    """A missing file is a InputError naming it."""
    error = render_error(HERE / "nope.yaml")
    assert "nope.yaml" in error.render() and "no such file" in error.render()


def test_directory():
    """A directory is refused with a clear message."""
    assert "directory" in render_error(INVALID).render()


def test_oversized_file(tmp_path):
    """Files above the size limit are refused before they are read."""
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    assert "limit is 5 MB" in render_error(path).render()


@pytest.mark.parametrize("text", ["name: " + "[" * 5000 + "]" * 5000,
                                  '{"name": ' + "[" * 50000 + "]" * 50000 + "}"])
def test_deep_nesting_is_refused(tmp_path, text):
    """Absurd nesting gives a message, not a crash of the YAML C extension."""
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    assert "nests" in render_error(path).render()


def test_yaml_bomb_is_fast():
    """The billion-laughs file is refused without expanding it."""
    start = time.perf_counter()
    render_error(INVALID / "yaml_bomb.yaml")
    # Generous bound: it takes milliseconds; expanding it would take forever.
    assert time.perf_counter() - start < 1.0


def test_moderate_aliases_are_allowed(tmp_path):
    """Anchors and aliases used sensibly (shared skills) are fine."""
    text = TINY.read_text().replace(
        "skills: {api-5xx: 0.6, db-slow: 0.3}", "skills: &shared {api-5xx: 0.6, db-slow: 0.3}"
    ).replace("skills: {api-5xx: {knowledge: 0.5, confidence: 0.2}}", "skills: *shared")
    path = tmp_path / "aliases.yaml"
    path.write_text(text)
    assert load_scenario(path).person("chen").skill("db-slow") == (0.3, 0.3)


def test_all_problems_reported_at_once(tmp_path):
    """Several mistakes in one file are all listed, not just the first."""
    text = (INVALID / "unknown_person_in_rotation.yaml").read_text().replace(
        "heroes: [ana]", "heroes: [dana]")
    path = tmp_path / "two.yaml"
    path.write_text(text)
    paths = {p.field_path for p in render_error(path).problems}
    assert {"rotation.primary.members[2]", "heroes[0]"} <= paths


def test_union_noise_is_folded(tmp_path):
    """A skill mapping with a bad knowledge gives one problem, not one per union branch."""
    error = render_error(INVALID / "knowledge_above_one.yaml")
    assert len(error.problems) == 1
    assert "constrained-float" not in error.render()


def test_value_is_truncated(tmp_path):
    """Long values are cut to a readable length."""
    text = TINY.read_text().replace("name: tiny\n", "name: " + "x" * 500 + "\n", 1)
    path = tmp_path / "long.yaml"
    path.write_text(text)
    (problem,) = render_error(path).problems
    assert problem.field_path == "name" and len(problem.value) <= 60


def test_problem_render_is_one_paragraph():
    """A problem renders as file + path, then message, then the value."""
    text = Problem("a.yaml", "people[0].id", "'x y'", "not a valid id").render()
    assert text.splitlines() == ["a.yaml: people[0].id", "    not a valid id", "    got: 'x y'"]


def test_format_path():
    """Locations become dotted paths with list indices in brackets."""
    assert format_path(("rotation", "primary", "members", 2)) == "rotation.primary.members[2]"
    assert format_path(("people", 0, "skills", "db.slow")) == "people[0].skills['db.slow']"


# -- CLI ---------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_validate_valid():
    """validate exits 0 and prints a one-line summary."""
    result = runner.invoke(app, ["validate", str(TINY)])
    assert result.exit_code == 0, result.output
    assert "3 people, 3 classes, 2 services" in result.output


def test_cli_validate_invalid():
    """validate exits 2 with the problem, and no traceback."""
    result = runner.invoke(app, ["validate", str(INVALID / "unknown_person_in_rotation.yaml")])
    assert result.exit_code == 2
    assert "rotation.primary.members[2]" in result.output
    assert "'zed'" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cli_validate_never_tracebacks(name):
    """Every invalid fixture exits 2 cleanly."""
    result = runner.invoke(app, ["validate", str(INVALID / name)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_cli_validate_several_files():
    """All files are checked and every problem of every file is reported."""
    files = [TINY, INVALID / "negative_rate.yaml", INVALID / "unknown_hero.yaml",
             INVALID / "empty.yaml"]
    result = runner.invoke(app, ["validate", *map(str, files)])
    assert result.exit_code == 2
    for expected in ["tiny.yaml: 3 people", "classes[0].rate_per_week", "heroes[0]",
                     "empty.yaml", "3 problems"]:
        assert expected in result.output


def test_cli_schema_is_json():
    """schema prints parseable JSON Schema."""
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "rotation" in schema["properties"]


def test_cli_version():
    """--version prints the package version and which engine build runs."""
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert f"herosim {sim.__version__} (engine: {sim.model.ENGINE_BUILD})" in result.output
