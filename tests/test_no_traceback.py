"""No traceback, whatever the input (issue 19, part 3): each of these exits 2 with a message that
names the file, the field or option, and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()
TINY = Path("scenarios/tiny.yaml")
PLATFORM = Path("scenarios/platform-team.yaml")
GAMEDAY = Path("scenarios/platform-team-gameday.yaml")


def invoke(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def refused(result, *words: str) -> None:
    """Exit 2 with a message holding `words`, and no exception escaped (no traceback)."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, (word, result.output)


def edited(path: Path, old: str, new: str, target: Path) -> Path:
    text = path.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    return target


# -- YAML conversions ----------------------------------------------------------------------------


def test_a_date_that_does_not_exist(tmp_path):
    """`start_date: 2026-02-30` (unquoted) names the line and says to correct or quote it."""
    bad = edited(TINY, "start_date: 2026-01-05", "start_date: 2026-02-30", tmp_path / "s.yaml")
    refused(invoke("validate", bad), "s.yaml", "line 17", "'2026-02-30' is not a date that "
            "exists", "quotes")


def test_a_game_day_on_the_29th_of_february_2026(tmp_path):
    """A game-day `date: 2026-02-29` is refused by score with its line, not a ValueError."""
    bad = edited(GAMEDAY, "date: 2026-03-12", "date: 2026-02-29", tmp_path / "g.yaml")
    refused(invoke("score", PLATFORM, bad, "--reps", "2", "--out", tmp_path),
            "g.yaml", "'2026-02-29' is not a date that exists")


def test_a_date_in_a_plan_note(tmp_path):
    """A plan whose `note` reads as a date that does not exist is refused with its line."""
    plan = tmp_path / "plan.yaml"
    plan.write_text("name: p\nactions:\n  - kind: stop_informal_pulls\n    note: 2026-02-30\n")
    refused(invoke("check", TINY, "--plan", plan, "--reps", "2", "--weeks", "1",
                   "--out", tmp_path), "plan.yaml", "line 4", "not a date that exists")


@pytest.mark.parametrize("tag, value, says", [
    ("!!int", "ninety", "'ninety' is not an integer; write an integer, or drop the tag"),
    ("!!float", "fast", "'fast' is not a number"),
    ("!!bool", "maybe", "'maybe' is not true or false"),
])
def test_a_yaml_tag_whose_conversion_fails(tmp_path, tag, value, says):
    """`slo_minutes: !!int ninety` names the line and the tag instead of a ValueError."""
    bad = edited(TINY, "slo_minutes: 90", f"slo_minutes: {tag} {value}", tmp_path / "t.yaml")
    refused(invoke("validate", bad), "t.yaml", "line 32", says)


# -- where results go ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["run", TINY, "--reps", "2", "--days", "7"],
    ["check", TINY, "--reps", "2", "--weeks", "1"],
    ["compare", TINY, "--plan", "tests/data/plans/pairing.yaml", "--reps", "2", "--weeks", "1"],
    ["advise", TINY, "--reps", "2", "--weeks", "1"],
    ["score", PLATFORM, GAMEDAY, "--reps", "2"],
    ["map", "tests/data/history/pagerduty.json"],
], ids=lambda c: c[0])
@pytest.mark.parametrize("out", ["a-file", "a-file/below"])
def test_out_naming_a_file_or_a_folder_that_cannot_be_created(tmp_path, command, out):
    """--out naming a file, or a folder below a file, is refused before anything runs."""
    (tmp_path / "a-file").write_text("not a folder")
    result = invoke(*command, "--out", tmp_path / out)
    refused(result, "--out", "a file")
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_a_results_folder_that_cannot_be_created_when_writing(tmp_path, monkeypatch):
    """A results folder that fails to appear at write time (a race, a full disk) is a
    message naming the folder, not an OSError."""
    from sim.outputs import journal

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(journal.Path, "mkdir", refuse)
    refused(invoke("run", TINY, "--reps", "2", "--days", "7", "--out", tmp_path),
            "cannot create a results folder here", "Permission denied")


@pytest.mark.parametrize("output", ["a-file", "a-file/below"])
def test_generate_output_that_is_a_file(tmp_path, output):
    """`generate -o` an existing file, or a folder below one, is refused with the option."""
    (tmp_path / "a-file").write_text("keep me")
    refused(invoke("generate", "-o", tmp_path / output, "--weeks", "1"), "--output", "a file")
    assert (tmp_path / "a-file").read_text() == "keep me"


def test_generate_into_a_folder_whose_scenarios_is_a_file(tmp_path):
    """Several teams write scenarios/; a file of that name is refused, not a FileExistsError."""
    (tmp_path / "scenarios").write_text("in the way")
    refused(invoke("generate", "-o", tmp_path, "--teams", "2", "--weeks", "1"),
            "scenarios", "File exists")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("org")
    assert invoke("generate", "-o", folder, "--weeks", "3").exit_code == 0
    return folder / "history.json"


def test_calibrate_output_an_existing_folder(history, tmp_path):
    """A one-team history calibrated to an existing folder is refused before fitting, and
    leaves no `.NAME.partial` behind."""
    refused(invoke("calibrate", history, "-o", tmp_path, "--no-check"), "--output",
            "is a folder", "scenario.yaml")
    assert list(tmp_path.iterdir()) == []


def test_calibrate_output_below_a_file(history, tmp_path):
    """`calibrate -o FILE/x.yaml` is refused with the option, before fitting."""
    (tmp_path / "a-file").write_text("")
    refused(invoke("calibrate", history, "-o", tmp_path / "a-file" / "x.yaml", "--no-check"),
            "--output", "a file")


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    """write_file removes its `.NAME.partial` when the rename fails (the target is a folder)."""
    from cli.common import write_file

    (tmp_path / "x.yaml").mkdir()
    with pytest.raises(OSError):
        write_file(tmp_path / "x.yaml", "text")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.yaml"]


# -- report ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    {"herosim_version": "0.1.0"},  # JSON, but not what run writes
    {"metrics": [], "scenario": 3},
    [1, 2, 3],
])
def test_report_on_a_malformed_metrics_json(tmp_path, content):
    """`herosim report` on a folder whose metrics.json holds something else names the files
    and says to rerun, instead of a KeyError from deep inside the page."""
    assert invoke("run", TINY, "--reps", "2", "--days", "7", "--out", tmp_path).exit_code == 0
    folder = next(tmp_path.iterdir())
    (folder / "metrics.json").write_text(json.dumps(content))
    refused(invoke("report", folder), "metrics.json", "do not hold what herosim run writes",
            "Run the command again")
