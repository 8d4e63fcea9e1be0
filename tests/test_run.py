"""`herosim run` and the library call behind it: figures, what-ifs, results folders."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import sim
import sim.model
from cli.main import app
from sim.analysis.replicate import Replications
from sim.analysis.whatif import INCIDENT_COLUMNS, run_scenario
from sim.errors import InputError
from sim.inputs.scenario import load_scenario
from sim.outputs import journal

runner = CliRunner()
SCENARIOS = sorted(p for p in Path("scenarios").glob("*.yaml") if "gameday" not in p.name)
TINY = Path("scenarios/tiny.yaml")


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_example_scenario_validates_and_runs(path, tmp_path):
    """Each bundled scenario validates and runs through the CLI with a results folder."""
    assert invoke("validate", str(path)).exit_code == 0
    result = invoke("run", str(path), "--days", "28", "--reps", "2", "--workers", "1",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "Response" in result.output and "Fit check" in result.output
    folder = next(tmp_path.iterdir())
    assert {"journal.json", "metrics.json", "incidents.csv", "report.html"} <= {
        f.name for f in folder.iterdir()}


def test_table_output_names_the_figures(tmp_path):
    """The table output has every section the issue asks for."""
    result = invoke("run", str(TINY), "--days", "56", "--reps", "3", "--without", "sam",
                    "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    for heading in ("What if sam were gone", "time to acknowledge", "time to mitigate",
                    "SLO breach rate", "Escalations per replication", "timeout", "manual",
                    "informal", "Hero interruptions per week", "business", "sleep",
                    "Load per person", "Gini of pages", "Effective responders",
                    "critical services", "utilisation", "Fit check"):
        assert heading in result.output, heading


def test_json_output_has_stable_keys(tmp_path):
    """--format json prints one document with the documented keys; the folder says where."""
    result = invoke("run", str(TINY), "--days", "28", "--reps", "3", "--format", "json",
                    "--without", "sam", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"herosim_version", "scenario", "days", "replications", "seed", "without",
            "heroes", "metrics", "baseline", "fit_check"} <= set(doc)
    metrics = doc["metrics"]
    for key in ("incidents", "mtta", "mttm", "slo_breach_rate", "escalations",
                "escalations_to", "hero_interruptions_per_week", "hero_hours", "load",
                "pages_gini", "struggled", "unresolved", "by_class", "effective_responders",
                "utilisation", "changes"):
        assert key in metrics, key
    assert set(metrics["mttm"]["p90"]) == {"mean", "ci_low", "ci_high", "n"}
    assert doc["baseline"]["mttm"]["p90"]["mean"] <= metrics["mttm"]["p90"]["mean"]


def test_results_folder_contents(tmp_path):
    """journal.json carries provenance; incidents.csv has a row per incident of each arm."""
    result = invoke("run", str(TINY), "--days", "28", "--reps", "2", "--without", "sam",
                    "--seed", "7", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = next(tmp_path.iterdir())
    assert folder.name.startswith("tiny-")
    record = json.loads((folder / "journal.json").read_text())
    assert record["status"] == "completed" and record["kind"] == "run"
    assert record["seed"] == 7 and record["without"] == ["sam"]
    assert record["scenario"]["name"] == "tiny" and record["command"][0]
    assert record["start"] <= record["end"]
    assert record["engine"] == sim.model.ENGINE_BUILD
    rows = list(csv.DictReader((folder / "incidents.csv").open()))
    assert list(rows[0]) == list(INCIDENT_COLUMNS)
    metrics = json.loads((folder / "metrics.json").read_text())
    per_arm = {arm: sum(1 for r in rows if r["arm"] == arm) for arm in ("without", "baseline")}
    assert per_arm["without"] == per_arm["baseline"]  # same incidents in both arms
    assert per_arm["without"] == round(metrics["metrics"]["incidents"]["mean"] * 2)


def test_workers_do_not_change_the_numbers():
    """--workers 1 and --workers 2 give identical metrics for the same seed."""
    scenario = load_scenario(TINY)
    one = run_scenario(Replications(scenario, 4, seed=3, workers=1), days=28)
    two = run_scenario(Replications(scenario, 4, seed=3, workers=2), days=28)
    assert one.to_json() == two.to_json()
    assert [r for _, _, r in one.incidents] == [r for _, _, r in two.incidents]


def test_without_reuses_the_same_incidents():
    """The what-if and its baseline see the same incidents (common random numbers)."""
    scenario = load_scenario(TINY)
    result = run_scenario(Replications(scenario, 2, seed=5), days=28, without=["sam"])
    arms = {arm: [(rep, i.incident_id, i.arrived) for a, rep, i in result.incidents
                  if a == arm and i.class_id != "x"] for arm in ("without", "baseline")}
    assert arms["without"] == arms["baseline"]


def test_unknown_person_in_without_is_exit_2(tmp_path):
    """--without someone not in the scenario names them and exits 2, writing nothing."""
    result = invoke("run", str(TINY), "--without", "nobody", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "--without" in result.output and "'nobody'" in result.output
    assert "sam" in result.output  # the people it knows
    assert "Traceback" not in result.output
    assert not any(tmp_path.iterdir())


def test_library_errors_are_scenario_errors():
    """From Python, a bad --without is a InputError, not a crash."""
    with pytest.raises(InputError):
        run_scenario(Replications(load_scenario(TINY)), without=["nobody"])


def test_bad_scenario_is_exit_2(tmp_path):
    """A malformed scenario exits 2 with file, field and value."""
    data = yaml.safe_load(TINY.read_text())
    data["classes"][0]["rate_per_week"] = -1
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data))
    result = invoke("run", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and "classes[0].rate_per_week" in result.output
    assert "-1" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_interrupted_run_leaves_no_complete_looking_folder(tmp_path, monkeypatch):
    """A run that dies while writing leaves neither a final folder nor a partial one."""
    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(journal.ResultsFolder, "write_csv", explode)
    result = invoke("run", str(TINY), "--days", "14", "--reps", "1", "--out", str(tmp_path))
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_overloaded_team_is_told_it_is_a_staffing_problem(tmp_path):
    """When the team is simply overloaded, run says so plainly (the playbook's 'do not use')."""
    data = yaml.safe_load(TINY.read_text())
    for cls in data["classes"]:
        cls["rate_per_week"] *= 200
    data["name"] = "swamped"
    path = tmp_path / "swamped.yaml"
    path.write_text(yaml.safe_dump(data))
    result = invoke("run", str(path), "--days", "14", "--reps", "2", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "overloaded" in result.output and "staffing" in result.output
    assert "not overloaded" not in result.output


def test_schema_and_version():
    """`herosim schema` is JSON Schema of a scenario; --version prints the version."""
    schema = json.loads(invoke("schema").stdout)
    assert "classes" in schema["properties"] and "rotation" in schema["properties"]
    assert "herosim" in invoke("--version").output
