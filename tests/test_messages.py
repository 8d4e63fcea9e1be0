"""Messages that say how to fix (issue 19, part 2): what to write instead, the documented key,
every problem at once, files told apart by what they hold, plans that would do nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
TINY = Path("scenarios/tiny.yaml")
PLATFORM = Path("scenarios/platform-team.yaml")
GAMEDAY = Path("scenarios/platform-team-gameday.yaml")
GAMEDAY_CSV = Path("scenarios/platform-team-gameday.csv")


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def edited(path: Path, target: Path, *changes: tuple[str, str]) -> Path:
    text = path.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    target.write_text(text)
    return target


def problems(result) -> list[str]:
    """The problem paragraphs of a refused file (split on the blank lines between them)."""
    assert result.exit_code == 2, result.output
    return [p for p in re.split(r"\n\n|\n(?=✗ )", result.output) if p.startswith("✗")]


# -- what to write instead ------------------------------------------------------------------------


def test_a_bare_number_where_a_mapping_belongs(tmp_path):
    """`work_minutes: 30` says to write `work_minutes: {median: 30}`."""
    bad = edited(TINY, tmp_path / "s.yaml",
                 ("work_minutes: {median: 20, p90: 60}", "work_minutes: 30"))
    [problem] = problems(invoke("validate", bad))
    assert "classes[0].work_minutes" in problem
    assert "write `work_minutes: {median: 30}`" in problem
    assert "valid dictionary" not in problem


def test_a_list_where_a_schedule_belongs_is_one_problem(tmp_path):
    """`primary: [lee, kim]` is one problem saying `primary: {members: [lee, kim]}`, not one
    "instance of Schedule" per person."""
    bad = edited(TINY, tmp_path / "s.yaml", ("members: [lee, kim] ", "[lee, kim] "),
                 ("  primary:\n    [lee", "  primary: [lee"))
    [problem] = problems(invoke("validate", bad))
    assert "rotation.primary" in problem
    assert "write `primary: {members: [lee, kim]}`" in problem
    assert "Schedule" not in problem


def test_a_plain_name_where_a_schedule_belongs(tmp_path):
    """`secondary: sam` says `secondary: {members: [sam]}`."""
    bad = edited(TINY, tmp_path / "s.yaml", ("  secondary:\n    members: [sam]",
                                             "  secondary: sam"))
    [problem] = problems(invoke("validate", bad))
    assert "write `secondary: {members: [sam]}`" in problem


def test_an_unquoted_comma_in_a_text(tmp_path):
    """`{..., reason: spring holiday, two weeks}` names the comma and shows the quoted text."""
    bad = edited(TINY, tmp_path / "s.yaml", ('reason: "spring holiday, two weeks"',
                                             "reason: spring holiday, two weeks"))
    [problem] = problems(invoke("validate", bad))
    assert "unquoted comma" in problem
    assert 'reason: "spring holiday, two weeks"' in problem
    assert "allowed here" not in problem


def test_did_you_mean_names_the_documented_key(tmp_path):
    """An injection's `clas:` suggests `class` (what a game-day file says), not `class_id`;
    an escalation's allowed keys list `from`, not `from_person`."""
    bad = edited(GAMEDAY, tmp_path / "g.yaml", ("    class: gateway-5xx", "    clas: gateway-5xx"),
                 ("{to: marco, at: \"16:25\", kind: manual}",
                  "{to: marco, at: \"16:25\", kind: manual, by: sofia}"))
    found = problems(invoke("score", PLATFORM, bad, "--reps", "2", "--out", tmp_path))
    clas = next(p for p in found if "injections[0].clas\n" in p)
    assert "did you mean 'class'?" in clas and "class_id" not in clas
    by = next(p for p in found if ".by\n" in p)
    assert "from" in by.split("allowed here:")[1] and "from_person" not in by


def test_an_unknown_key_of_a_plan_action_lists_that_action_s_keys(tmp_path):
    """The actions are told apart by `kind`: a misspelt key of a `fix_condition` lists the
    keys of `fix_condition`, not those of another kind of action."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: p\nactions:\n"
                    "  - {kind: fix_condition, condition: alert_noise, value: 0.2, "
                    "start_week: 2}\n")
    [problem] = problems(invoke("validate", plan))
    allowed = problem.split("allowed here:")[1]
    assert "did you mean 'start_day'?" in problem
    assert "condition" in allowed and "value" in allowed and "learners" not in allowed


def test_a_tab_is_named_as_a_tab(tmp_path):
    """A tab that indents a line is named, with what to write instead."""
    bad = edited(TINY, tmp_path / "s.yaml", ("    severity: sev2\n    rate_per_week: 2.0",
                                             "\tseverity: sev2\n    rate_per_week: 2.0"))
    [problem] = problems(invoke("validate", bad))
    assert "a tab character indents this line" in problem and "spaces" in problem


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_a_csv_with_another_delimiter_is_named(tmp_path, delimiter):
    """A `;`- (or tab-) delimited game-day CSV is one problem naming the delimiter, not eight
    "missing column" errors."""
    bad = tmp_path / "g.csv"
    bad.write_text(GAMEDAY_CSV.read_text().replace(",", delimiter))
    [problem] = problems(invoke("score", PLATFORM, bad, "--reps", "2", "--out", tmp_path))
    assert ("semicolons" if delimiter == ";" else "tabs") in problem
    assert "comma-separated" in problem and "missing column" not in problem


def test_a_semicolon_history_is_named(tmp_path):
    """The same for an incident history's CSV."""
    bad = tmp_path / "h.csv"
    bad.write_text(Path("tests/data/history/pagerduty.csv").read_text().replace(",", ";"))
    [problem] = problems(invoke("map", bad, "--out", tmp_path))
    assert "separated by semicolons" in problem


# -- every problem at once -------------------------------------------------------------------------


def test_every_problem_at_once(tmp_path):
    """Unknown people and misspelt classes are reported with the problems of the fields, each
    misspelling with a did-you-mean, in one run."""
    bad = edited(TINY, tmp_path / "s.yaml",
                 ("work_minutes: {median: 20, p90: 60}", "work_minutes: 30"),
                 ("heroes: [sam]", "heroes: [samm]"),
                 ("      db-slow-queries: 0.4", "      db-slow-querys: 0.4"),
                 ("    requires: [sam]", "    requires: [sma]"))
    found = problems(invoke("validate", bad))
    text = "\n".join(found)
    assert len(found) == 4, text
    assert "work_minutes: {median: 30}" in text
    assert "unknown person 'samm'; did you mean 'sam'?" in text
    assert "unknown class 'db-slow-querys'; did you mean 'db-slow-queries'?" in text
    assert "classes[2].requires[0]" in text and "did you mean 'sam'?" in text


def test_a_misspelt_class_in_a_valid_file_gets_a_did_you_mean(tmp_path):
    """A class misspelt in an otherwise valid scenario also gets its did-you-mean."""
    bad = edited(TINY, tmp_path / "s.yaml", ("      db-slow-queries: 0.4",
                                             "      db-slow-querys: 0.4"))
    [problem] = problems(invoke("validate", bad))
    assert "did you mean 'db-slow-queries'?" in problem


def test_a_plan_file_reports_its_references_with_its_fields(tmp_path):
    """A plan file with a bad field and an unknown learner reports both at once."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: p\nactions:\n  - kind: pair\n    learners: [le]\n"
                    "    classes: [db-slow-queries]\n    start_day: -3\n")
    text = "\n".join(problems(invoke("check", TINY, "--plan", plan, "--out", tmp_path)))
    assert "actions[0].start_day" in text
    assert "unknown person 'le'; did you mean 'lee'?" in text


# -- validate tells files apart ------------------------------------------------------------------


def test_validate_every_bundled_file():
    """`herosim validate scenarios/*` (scenarios, the game day as YAML and CSV) exits 0: each
    file is recognised by what it holds, the game days checked against the scenario named."""
    files = sorted(Path("scenarios").glob("*.yaml")) + [GAMEDAY_CSV]
    result = invoke("validate", "--scenario", PLATFORM, *files)
    assert result.exit_code == 0, result.output
    assert "game day 2026-03-12, 5 injections, checked against platform-team" in result.output
    assert result.output.count("✓") == len(files)


def test_validate_a_game_day_with_its_problem(tmp_path):
    """A game-day file is validated as one: its problems are a game day's, not a scenario's."""
    bad = edited(GAMEDAY, tmp_path / "g.yaml", ("led_by: sofia", "led_by: sofi"))
    [problem] = problems(invoke("validate", PLATFORM, bad))
    assert "unknown person 'sofi'; did you mean 'sofia'?" in problem


# -- a plan that does nothing ----------------------------------------------------------------


def test_a_plan_that_does_nothing_is_warned(tmp_path):
    """`remove_requires` of a person the class does not require, a fix to the current value:
    validate passes (exit 0) and warns about each."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: idle\nactions:\n"
        "  - {kind: remove_requires, classes: [db-restore], people: [lee]}\n"
        "  - {kind: remove_requires, classes: [api-errors]}\n"
        "  - {kind: fix_condition, condition: alert_noise, value: 0.5}\n")
    result = invoke("validate", TINY, plan)
    assert result.exit_code == 0, result.output
    assert "class 'db-restore' does not require 'lee' (it requires sam)" in result.output
    assert "class 'api-errors' requires nobody" in result.output
    assert "alert_noise is already 0.5" in result.output
    assert result.output.count("warning:") == 3


def test_a_fix_of_a_named_target_to_its_value_is_warned_per_target(tmp_path):
    """`release_fragility` and `ownership` act on named services and classes, not on a
    team-wide condition: each target already at the value is warned about, the others not."""
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "name: idle\nactions:\n"
        "  - {kind: fix_condition, condition: release_fragility, value: 0.05,\n"
        "     services: [api-gateway, postgres]}\n"
        "  - {kind: fix_condition, condition: ownership, value: 0.1,\n"
        "     classes: [pg-failover]}\n")
    result = invoke("validate", PLATFORM, plan)
    assert result.exit_code == 0, result.output
    assert "release_fragility of 'api-gateway' is already 0.05" in result.output
    assert "'postgres'" not in result.output  # its changes fail 8% of the time
    assert "ownership of 'pg-failover' is already 0.1" in result.output
    assert result.output.count("warning:") == 2


def test_check_warns_about_a_plan_that_does_nothing(tmp_path):
    """check runs the plan and warns on stderr, too."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: idle\nactions:\n"
                    "  - {kind: remove_requires, classes: [api-errors]}\n")
    result = invoke("check", TINY, "--plan", plan, "--reps", "2", "--weeks", "1",
                    "--out", tmp_path)
    assert result.exit_code in (0, 1), result.output
    assert "warning: class 'api-errors' requires nobody" in result.output


# -- map and calibrate place people in their own zones (done with the history work) --------------


def test_map_and_calibrate_default_to_the_zones_in_the_data(tmp_path):
    """Without --timezone, teams and scenarios are in the zones of their people, not UTC."""
    assert invoke("generate", "-o", tmp_path / "org", "--teams", "2", "--weeks", "4"
                  ).exit_code == 0
    history = tmp_path / "org" / "history.json"
    mapped = invoke("map", history, "--format", "json", "--out", tmp_path)
    assert mapped.exit_code == 0, mapped.output
    assert "America/New_York" in mapped.output and "Europe/London" in mapped.output
    calibrated = invoke("calibrate", history, "-o", tmp_path / "cal", "--no-check")
    assert calibrated.exit_code == 0, calibrated.output
    zones = {line.split("zone ")[1].split(",")[0] for line in calibrated.output.splitlines()
             if "zone " in line}
    assert zones == {"America/New_York", "Europe/London"}
