"""herosim rotation: the weekly layout, shifts as CSV and iCalendar, loads and flags."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import icalendar
import pytest
from conftest import build_scenario
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.replicate import Replications
from sim.analysis.rotation import run_rotation
from sim.analysis.types.rotation import RotationDocument
from sim.schema import Plan


def team():
    """Three engineers and a hero; the hero is the secondary, one class only the hero knows."""
    return build_scenario(
        name="rota",
        services=[{"id": "db", "critical": True}],
        classes=[{"id": "db-down", "service": "db", "rate_per_week": 2.0, "difficulty": 0.6,
                  "work_minutes": {"median": 30, "p90": 60}, "slo_minutes": 60}],
        people=[{"id": "hero", "skills": {"db-down": 1.0}},
                {"id": "ann", "skills": {"db-down": 0.5}},
                {"id": "bob", "skills": {"db-down": 0.4}},
                {"id": "cy", "skills": {"db-down": 0.4}}],
        heroes=["hero"],
        rotation={"primary": {"members": ["ann", "bob", "cy"]},
                  "secondary": {"members": ["hero", "ann"]}},
    )


HERO_OFF = Plan.model_validate({
    "name": "hero-off-secondary", "actions": [
        {"kind": "change_rotation", "start_day": 14, "secondary": {"members": ["ann"]}},
        {"kind": "add_shadow", "start_day": 21, "schedule": {"members": ["bob", "cy"]}}]})


def test_weeks_follow_the_plan():
    """Before the plan's day 14 the hero takes turns as secondary, after it ann holds every
    week; the shadow layer starts at midnight of day 21, 10 hours before week 3's hand-off:
    the layout reads the engine's state hour by hour."""
    doc = run_rotation(Replications(team(), 2, 0, 1), HERO_OFF, weeks=5)
    secondary = [[h.person for h in w.secondary] for w in doc.week_rows]
    assert secondary[:2] == [["hero"], ["ann"]]
    assert all(s[0] == "ann" for s in secondary[2:])
    assert [sum(h.hours for h in w.shadow) for w in doc.week_rows] == [0, 0, 10, 168, 168]
    assert [w.primary[0].person for w in doc.week_rows] == ["ann", "bob", "cy", "ann", "bob"]
    assert any("rotation changed" in c for c in doc.week_rows[2].changes)


def test_flags_a_rotation_that_leans_on_one_learner():
    """The advised hero-off-secondary that made one person the only secondary is flagged."""
    doc = run_rotation(Replications(team(), 2, 0, 1), HERO_OFF, weeks=8)
    flag = next(f for f in doc.flags if f.kind == "leans_on_one")
    assert (flag.layer, flag.person) == ("secondary", "ann")
    assert flag.share > 0.7 and "learner" in flag.message
    # ann is also primary one week in three: the same person holds both layers at times.
    assert any(f.kind == "same_person" and f.person == "ann" for f in doc.flags)
    assert not [f for f in run_rotation(Replications(team(), 2, 0, 1), None, 8).flags
                if f.kind == "leans_on_one"]


def test_loads_count_weeks_nights_and_pages():
    """Per person: weeks per layer add up, nights only with on-call hours, pages expected."""
    doc = run_rotation(Replications(team(), 3, 0, 1), None, weeks=6)
    people = {p.person: p for p in doc.people}
    assert sum(p.primary_weeks for p in doc.people) >= 6
    assert people["hero"].primary_weeks == 0 and people["hero"].hero
    assert people["hero"].nights > 0 and people["hero"].hero_interruptions["mean"] > 0
    assert all(p.learner for p in doc.people if not p.hero)
    assert sum(p.pages["mean"] for p in doc.people) > 0
    assert people["hero"].hero_involved["mean"] == 0


def _events(path: Path) -> list[tuple]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    out = []
    for event in calendar.walk("VEVENT"):
        layer, _, person = str(event["SUMMARY"]).partition(" on call: ")
        out.append((layer, person, event.decoded("DTSTART"), event.decoded("DTEND")))
    return out


def test_cli_writes_csv_and_ics_that_match(tmp_path):
    """The .ics parses with a calendar library and holds exactly the CSV's shifts; the folder
    has journal.json and report.html; --format json prints the document."""
    scenario = tmp_path / "rota.yaml"
    scenario.write_text(json.dumps(team().model_dump(mode="json", exclude_none=True)))
    plan = tmp_path / "plan.yaml"
    plan.write_text(json.dumps(HERO_OFF.model_dump(mode="json", exclude_none=True)))
    result = CliRunner().invoke(app, ["rotation", str(scenario), "--plan", str(plan),
                                      "--weeks", "4", "--reps", "2", "--workers", "1",
                                      "--format", "json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    doc = RotationDocument.from_json(json.loads(result.stdout))
    (folder,) = (tmp_path / "out").iterdir()
    assert {"journal.json", "report.html", "rotation.csv", "rotation.ics", "rotation.json"} \
        <= {p.name for p in folder.iterdir()}
    with (folder / "rotation.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    from_csv = sorted((r["layer"], r["person"], dt.datetime.fromisoformat(r["start"]),
                       dt.datetime.fromisoformat(r["end"])) for r in rows)
    assert sorted(_events(folder / "rotation.ics")) == from_csv
    assert len(rows) == len(doc.shifts) > 4
    # Consecutive shifts of a layer meet: no gap, no overlap.
    primary = sorted((s for s in from_csv if s[0] == "primary"), key=lambda s: s[2])
    assert all(a[3] == b[2] for a, b in zip(primary, primary[1:]))
    assert "secondary layer leans on" in (folder / "report.html").read_text()


def test_ics_escapes_and_folds():
    """Commas and semicolons in names are escaped, long lines folded at 75 octets."""
    from sim.outputs.rotation_files import rotation_ics

    data = team().model_dump(mode="json", exclude_none=True)
    data["people"][1]["name"] = "Ann; the, very long-named engineer with ünïcödé " * 2
    scenario = build_scenario(**data)
    doc = run_rotation(Replications(scenario, 1, 0, 1), None, weeks=1)
    text = rotation_ics(doc, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = icalendar.Calendar.from_ical(text)
    descriptions = [str(e["DESCRIPTION"]) for e in parsed.walk("VEVENT")]
    assert any("Ann; the, very long-named engineer with ünïcödé" in d for d in descriptions)


@pytest.mark.parametrize("weeks", [0, 600])
def test_cli_rejects_weeks_out_of_range(weeks, tmp_path):
    result = CliRunner().invoke(app, ["rotation", "scenarios/tiny.yaml", "--weeks", str(weeks)])
    assert result.exit_code == 2
