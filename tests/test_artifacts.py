"""advise's artifacts for people: the improvement plan and the knowledge pack, written from a
generated history with real incident references; the targeted condition candidates."""

from __future__ import annotations

import csv
import json
import re

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.advise import candidates
from sim.analysis.types import CauseShare, ClassAttribution
from sim.analysis.types.artifacts import ImprovementPlan, KnowledgePack
from sim.inputs.history import load_history
from sim.inputs.scenario import load_scenario
from sim.outputs.artifacts_md import compact_table

# No proposal searched for: these tests are about the artifacts.
NO_PROPOSAL = ["--no-propose"]


@pytest.fixture(scope="module")
def advised(tmp_path_factory):
    """A generated, messy organisation (8 weeks of history) advised with its history."""
    root = tmp_path_factory.mktemp("artifacts")
    runner = CliRunner()
    made = runner.invoke(app, ["generate", "-o", str(root / "gen"), "--people", "6",
                               "--weeks", "8", "--messy", "--seed", "1"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(app, [
        "advise", str(root / "gen" / "scenario.yaml"), "--history",
        str(root / "gen" / "history.json"), "--weeks", "4", "--reps", "4", "--workers", "1",
        *NO_PROPOSAL, "--write-improvements", str(root / "plan.md"),
        "--write-pack", str(root / "pack"), "--out", str(root / "out")])
    assert result.exit_code == 0, result.output
    (folder,) = (root / "out").iterdir()
    return root, folder


def _numbers(history) -> dict[str, object]:
    return {str(i.number): i for i in history.incidents}


def test_pack_starts_from_real_incidents_that_summoned_the_hero(advised):
    """Each page cites incidents of its class from the history, each touched by a hero, with
    their date and path; it marks what people must write and never claims to be complete."""
    root, folder = advised
    history = load_history(root / "gen" / "history.json")
    scenario = load_scenario(root / "gen" / "scenario.yaml")
    pack = KnowledgePack.from_json(json.loads((folder / "pack.json").read_text()))
    by_number = _numbers(history)
    cited = [ref for page in pack.pages for ref in page.hero_incidents]
    assert cited, "no real incident cited"
    for page in pack.pages:
        for ref in page.hero_incidents:
            incident = by_number[str(ref.number)]
            assert set(scenario.heroes) & set(incident.touched)
            assert ref.class_id == page.class_id and ref.created.startswith(
                incident.created_at.date().isoformat())
            assert ref.path == list(incident.touched)
        assert page.escalations is not None and page.escalations.incidents >= len(
            page.hero_incidents)
        text = (root / "pack" / f"{page.class_id}.md").read_text()
        assert "draft" in text and "TO COMPLETE" in text and "Not complete" in text
        for ref in page.hero_incidents:
            assert f"| {ref.number} |" in text


def test_pack_tables_repeat_no_value_in_place_of_a_gap(advised):
    """No markdown table of the pack has a column (past the first) with one value in every
    row: such a value is said once instead."""
    root, _ = advised
    for page in (root / "pack").glob("*.md"):
        for block in re.findall(r"((?:^\|.*\|\n)+)", page.read_text(), flags=re.M):
            rows = [[c.strip() for c in line.strip("|\n").split(" | ")]
                    for line in block.splitlines()[2:]]
            if len(rows) < 2:
                continue
            for column in range(1, len(rows[0])):
                assert len({r[column] for r in rows}) > 1, (page.name, block)


def test_improvement_plan_lists_structural_fixes_with_evidence(advised):
    """Only structural kinds, each with its evidence, interval, hours and an owner blank;
    the incidents it cites exist in the history and involve a hero."""
    root, folder = advised
    history = load_history(root / "gen" / "history.json")
    scenario = load_scenario(root / "gen" / "scenario.yaml")
    plan = ImprovementPlan.from_json(json.loads((folder / "improvements.json").read_text()))
    assert plan.improvements
    assert {i.kind for i in plan.improvements} <= set(plan.kinds)
    by_number = _numbers(history)
    for item in plan.improvements:
        assert item.owner == ""
        assert item.risk_reduction.low <= item.risk_reduction.mean <= item.risk_reduction.high
        assert item.evidence_interruptions_per_week == pytest.approx(
            sum(e.interruptions_per_week for e in item.evidence))
        for ref in item.incidents:
            assert set(scenario.heroes) & set(by_number[str(ref.number)].touched)
    assert any(item.incidents for item in plan.improvements)
    text = (root / "plan.md").read_text()
    assert "Owner: ____" in text and "Expected effect" in text


def test_improvement_plan_as_csv(tmp_path, advised):
    """--write-improvements x.csv writes a tracker's rows with a blank owner column."""
    root, _ = advised
    result = CliRunner().invoke(app, [
        "advise", str(root / "gen" / "scenario.yaml"), "--weeks", "2", "--reps", "2",
        "--workers", "1", *NO_PROPOSAL, "--write-improvements", str(tmp_path / "fixes.csv"),
        "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    with (tmp_path / "fixes.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows and all(r["owner"] == "" for r in rows)
    bad = CliRunner().invoke(app, ["advise", str(root / "gen" / "scenario.yaml"),
                                   "--write-improvements", str(tmp_path / "fixes.txt")])
    assert bad.exit_code == 2 and ".md or .csv" in bad.output


def test_targeted_fixes_are_candidates():
    """Misrouted pages that reach the hero give `fix-ownership` for those classes; a fragile
    service whose rollbacks summon the hero gives `fix-release-fragility-S`."""
    scenario = load_scenario("scenarios/platform-team.yaml")
    cause = CauseShare(interruptions_per_week=0.5, hours_per_week=0.2, share=0.5,
                       hours_share=0.5)
    attribution = {c.id: ClassAttribution(incidents_per_week=1.0, hero_share=1.0,
                                          hero_interruptions_per_week=1.0,
                                          hero_hours_per_week=1.0, causes={"routing": cause})
                   for c in scenario.classes}
    found = {c.name: c for c in candidates(scenario, attribution, 4)}
    ownership = found["fix-ownership"].plan.actions[0]
    assert ownership.condition.value == "ownership" and ownership.value == 0
    assert "pg-failover" in ownership.classes
    fragility = found["fix-release-fragility-postgres"].plan.actions[0]
    assert fragility.services == ["postgres"] and fragility.value == 0.05
    assert "fix-release-fragility-api-gateway" not in found  # already at 0.05


def test_compact_table_says_a_repeated_value_once():
    text = compact_table(["who", "k", "short of"], [["a", "0.1", "access"], ["b", "0.2",
                                                                              "access"]])
    assert "short of" not in text.splitlines()[0] and "Every row: short of access." in text
