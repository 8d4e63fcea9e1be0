"""The hero map on generated data: heroes, truck factor, the files it writes."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.heromap import hero_map
from sim.outputs.heromap_md import heromap_markdown
from sim.inputs.generate import generate_org
from sim.inputs.history import history_from_records, load_history

runner = CliRunner()


@pytest.fixture(scope="module")
def org():
    return generate_org(people=6, weeks=12, heroes=1, seed=4)


@pytest.fixture(scope="module")
def history(org):
    return history_from_records(org.history["data"], envelope=org.history)


def test_generated_history_imports_whole(org, history):
    """Every generated PagerDuty row imports without a skip."""
    assert history.report.skipped_count == 0
    assert len(history.incidents) == len(org.history["data"]) > 30
    assert history.weeks == pytest.approx(12.0, abs=0.01)  # a DST change may cost an hour


def test_map_names_the_generated_hero(org, history):
    """The ground truth's hero is the map's first likely hero, with reasons."""
    doc = hero_map(history, timezone=org.scenario.timezone)
    hero_name = org.scenario.person(org.scenario.heroes[0]).display_name
    assert doc.heroes[0].person == hero_name
    assert any("handled" in reason for reason in doc.heroes[0].reasons)
    assert doc.overall.top_person == hero_name


def test_map_groups_are_ranked_and_consistent(history):
    """Groups come riskiest first; counts, shares and truck factors agree."""
    doc = hero_map(history)
    scores = [g.score for g in doc.groups]
    assert scores == sorted(scores, reverse=True)
    for g in doc.groups:
        assert sum(g.handled.values()) + g.unhandled == g.incidents
        assert g.effective_responders == len(g.recent_responders)
        assert g.top_share == max(g.shares.values())


def test_truck_factor_forgets_old_responders(history):
    """A short half-life leaves fewer people counted as recent responders."""
    long = hero_map(history, half_life_days=3650)
    short = hero_map(history, half_life_days=2)
    total = lambda doc: sum(g.effective_responders for g in doc.groups)  # noqa: E731
    assert total(short) < total(long)


def test_by_service_groups_by_service(org, history):
    """--by service makes one group per service."""
    doc = hero_map(history, by="service")
    assert {g.id for g in doc.groups} == {i.service for i in history.incidents}


def test_markdown_escapes_user_strings(tmp_path):
    """A '|' in a person's name does not break heromap.md's tables."""
    rows = [{"id": "1", "service_name": "api|x", "created_at": "2025-01-06T10:00:00Z",
             "resolved_at": "2025-01-06T10:30:00Z", "resolved_by_user_name": "Eve | Pipe",
             "acknowledged_user_names": ["Eve | Pipe"]}]
    text = heromap_markdown(hero_map(history_from_records(rows)))
    assert "Eve \\| Pipe" in text and "api\\|x" in text


def test_cli_map_writes_heromap_files(tmp_path, org):
    """`herosim map` writes heromap.json and heromap.md into a results folder."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps(org.history))
    result = runner.invoke(app, ["map", str(path), "--out", str(tmp_path / "out"),
                                 "--timezone", org.scenario.timezone])
    assert result.exit_code == 0, result.output
    assert "Likely hero" in result.output
    (folder,) = (tmp_path / "out").iterdir()
    doc = json.loads((folder / "heromap.json").read_text())
    assert doc["heroes"] and (folder / "heromap.md").read_text().startswith("# Hero map")
    assert json.loads((folder / "journal.json").read_text())["kind"] == "map"


def test_cli_map_bad_timezone_is_exit_2(tmp_path, org):
    """An unknown --timezone is a clear error, exit 2."""
    path = tmp_path / "history.json"
    path.write_text(json.dumps(org.history))
    result = runner.invoke(app, ["map", str(path), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2 and "IANA" in result.output


def test_loaded_csv_matches_json(tmp_path):
    """`herosim generate` writes the same incidents as JSON and as CSV."""
    result = runner.invoke(app, ["generate", "-o", str(tmp_path), "--weeks", "4",
                                 "--people", "4", "--seed", "2"])
    assert result.exit_code == 0, result.output
    from_json = load_history(tmp_path / "history.json")
    from_csv = load_history(tmp_path / "history.csv")
    assert from_csv.report.skipped_count == 0
    assert [(i.id, i.touched, i.minutes_to_resolve) for i in from_json.incidents] == \
        [(i.id, i.touched, i.minutes_to_resolve) for i in from_csv.incidents]
