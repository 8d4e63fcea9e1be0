"""herosim gameday design: injections chosen for what they teach and the risk they cover; the
run sheet and a pre-filled observation file that `herosim score` accepts once filled in."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from conftest import build_scenario
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.gameday.design import design_gameday
from sim.analysis.gameday.design_types import GameDayDesign
from sim.analysis.gameday.skills import outcome_information
from sim.analysis.replicate import Replications
from sim.schema import HeroRole

START = dt.date(2026, 1, 5)


def team():
    """ann holds the pager; she is at the edge of `unsure` (the model cannot say whether she
    leads), sure of `easy`, and hopeless at `hard` (a risky class only the hero can fix)."""
    work = {"median": 30, "p90": 60}
    return build_scenario(
        name="design", start_date=START.isoformat(),
        services=[{"id": "svc", "critical": True}],
        classes=[{"id": "easy", "service": "svc", "rate_per_week": 1.0, "difficulty": 0.3,
                  "work_minutes": work, "slo_minutes": 120},
                 {"id": "unsure", "service": "svc", "rate_per_week": 1.0, "difficulty": 0.5,
                  "work_minutes": work, "slo_minutes": 600},
                 {"id": "hard", "service": "svc", "rate_per_week": 1.0, "difficulty": 0.8,
                  "work_minutes": work, "slo_minutes": 60}],
        people=[{"id": "hero", "skills": {"easy": 1.0, "unsure": 1.0, "hard": 1.0}},
                {"id": "ann", "skills": {"easy": 0.95, "unsure": 0.6, "hard": 0.1}}],
        heroes=["hero"],
        rotation={"primary": {"members": ["ann"]}, "secondary": {"members": ["hero"]}},
    )


def test_information_is_largest_at_the_edge_of_a_skill():
    """Bits a size-up tells: most where the person may or may not lead, little either side."""
    edge = outcome_information(0.6, 0.6, 0.5, 0.2)
    assert edge > 0.4
    assert outcome_information(0.95, 0.95, 0.3, 0.2) < 0.05
    assert outcome_information(0.1, 0.1, 0.8, 0.2) < 0.05


def test_design_prefers_the_injection_whose_skill_is_most_uncertain():
    """With one injection, the class whose holder's skill the model is least sure of wins,
    ahead of a sure class and of a riskier class whose outcome is certain."""
    design = design_gameday(Replications(team(), 8, 0, 1), START, injections=1,
                            hero_role=HeroRole.ABSENT)
    assert [i.class_id for i in design.injections] == ["unsure"]
    bits = {c.class_id: c.information_bits for c in design.candidates}
    risk = {c.class_id: c.risk for c in design.candidates}
    assert bits["unsure"] > 5 * max(bits["easy"], bits["hard"])
    assert risk["hard"] > risk["unsure"]  # the risky class loses on what it would teach
    (injection,) = design.injections
    assert injection.skills_at_stake[0].person == "ann"
    assert "ann's unsure" in injection.why[0]
    # Three injections: the risky class is covered once the uncertain one has been sampled.
    three = design_gameday(Replications(team(), 8, 0, 1), START, injections=3,
                           hero_role=HeroRole.ABSENT)
    assert "hard" in [i.class_id for i in three.injections]
    assert [i.at for i in three.injections] == ["10:00", "11:15", "12:30"]


def _fill(observations: dict, design: GameDayDesign) -> dict:
    """Plausible observations: acknowledged and mitigated at the predicted medians, led by
    the most likely non-hero lead."""
    for entry, inj in zip(observations["injections"], design.injections):
        start = dt.datetime.strptime(inj.at, "%H:%M")
        p = inj.predicted
        tta = p.tta.p50 or 3.0
        ttm = max(p.ttm.p50 or 90.0, tta + 1)
        lead = next(n for n in p.lead_shares if n not in ("nobody", "hero"))
        entry["acknowledged_at"] = (start + dt.timedelta(minutes=tta)).strftime("%H:%M")
        entry["acknowledged_by"] = "ann"
        entry["mitigated_at"] = (start + dt.timedelta(minutes=ttm)).strftime("%H:%M")
        entry["led_by"] = lead
    return observations


def test_designed_observation_file_filled_in_is_scored(tmp_path):
    """The CLI writes the run sheet (markdown and report.html) and observations.yaml; filled
    in with plausible times, `herosim score` accepts the file; left blank, it says what is
    missing."""
    scenario = tmp_path / "team.yaml"
    scenario.write_text(json.dumps(team().model_dump(mode="json", exclude_none=True)))
    runner = CliRunner()
    result = runner.invoke(app, ["gameday", "design", str(scenario), "--date", "2026-01-07",
                                 "--injections", "3", "--reps", "6", "--workers", "1",
                                 "--format", "json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    design = GameDayDesign.from_json(json.loads(result.stdout))
    (folder,) = (tmp_path / "out").iterdir()
    names = {p.name for p in folder.iterdir()}
    assert {"journal.json", "report.html", "runsheet.md", "observations.yaml",
            "design.json"} <= names
    sheet = (folder / "runsheet.md").read_text()
    assert "Hesitation signs" in sheet and "Watch for" in sheet
    assert all(i.class_id in sheet for i in design.injections)
    assert "Watch for" in (folder / "report.html").read_text()
    blank = runner.invoke(app, ["score", str(scenario), str(folder / "observations.yaml"),
                                "--reps", "5", "--workers", "1", "--out", str(tmp_path)])
    assert blank.exit_code == 2 and "acknowledged_at" in blank.output
    filled = tmp_path / "filled.yaml"
    observations = _fill(yaml.safe_load((folder / "observations.yaml").read_text()), design)
    filled.write_text(yaml.safe_dump(observations))
    scored = runner.invoke(app, ["score", str(scenario), str(filled), "--reps", "20",
                                 "--workers", "1", "--format", "json", "--out",
                                 str(tmp_path / "scored")])
    assert scored.exit_code == 0, scored.output
    doc = json.loads(scored.stdout)
    assert len(doc["injections"]) == 3 and doc["scenario_day"] == 2


@pytest.mark.parametrize("args, message", [
    (["--date", "2025-12-01"], "before the scenario starts"),
    (["--date", "2026-01-07", "--absent", "zed"], "unknown person"),
    (["--date", "2026-01-07", "--start", "23:00", "--injections", "3"], "past midnight"),
])
def test_design_rejects_bad_input(tmp_path, args, message):
    scenario = tmp_path / "team.yaml"
    scenario.write_text(json.dumps(team().model_dump(mode="json", exclude_none=True)))
    result = CliRunner().invoke(app, ["gameday", "design", str(scenario), *args, "--reps",
                                      "2", "--out", str(tmp_path)])
    assert result.exit_code == 2 and message in result.output


def test_the_design_does_not_depend_on_python_s_string_hashing(tmp_path):
    """Same seed, same design, whatever PYTHONHASHSEED: who is at stake for an injection
    (several people holding it equally often) comes in the same order in every process."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    scenario = Path(__file__).resolve().parent.parent / "scenarios" / "platform-team.yaml"
    documents = []
    for hash_seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", "from cli.entry import main; main()", "gameday", "design",
             str(scenario), "--date", "2026-03-02", "--reps", "4", "--format", "json",
             "--out", str(tmp_path / hash_seed)],
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": hash_seed},
            timeout=300)
        assert run.returncode == 0, run.stderr
        document = json.loads(run.stdout)
        document.pop("results", None)  # the folder written: its own per run
        documents.append(document)
    assert documents[0] == documents[1]
