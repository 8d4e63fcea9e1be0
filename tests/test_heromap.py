"""The hero map against generated organisations whose truth was written before their history:
heroes found with their services and evidence, the busy non-hero shown apart, people counted
by user id; and the map's tables and files."""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.heromap import hero_map
from sim.inputs.generate import generate_org
from sim.inputs.history import history_from_records, load_history, load_people
from sim.outputs.heromap_md import heromap_markdown

runner = CliRunner()
SEEDS = (0, 1, 2)


@pytest.fixture(scope="module", params=SEEDS)
def mapped(request, organisation):
    """A messy three-team organisation (2, 1 and 0 heroes; a busy non-hero), its import and
    its hero map by service."""
    org, history = organisation(request.param)
    return org, history, hero_map(history, by="service")


def test_heroes_are_found_with_their_services_and_evidence(mapped):
    """Every true hero is a finding covering the services the truth says need them, and each
    finding's reasons are measured evidence with numbers; nobody else is named a hero."""
    org, _, doc = mapped
    truth = {h["id"]: set(h["needed_for"]["services"])
             for team in org.plan.truth["teams"] for h in team["heroes"]}
    found = {f.person: f for f in doc.heroes}
    assert set(found) == set(truth)
    for person, services in truth.items():
        assert services <= set(found[person].services), (person, found[person].services)
        finding = found[person]
        passed = [e for e in finding.evidence if e.passed]
        assert len(passed) >= 2
        assert all(e.count is not None and e.value is not None for e in passed)
        assert any(e.measure in ("escalations_received", "pulled_in") for e in passed)
        assert all(any(ch.isdigit() for ch in reason) for reason in finding.reasons)


def test_the_busy_non_hero_is_shown_apart_not_named_a_hero(mapped):
    """The person who takes most of a team's easy pages is a busy finding, with their load,
    and no hero."""
    org, _, doc = mapped
    busy = {b for team in org.plan.truth["teams"] for b in team["busy_non_heroes"]}
    assert busy and busy.isdisjoint(f.person for f in doc.heroes)
    assert busy <= {f.person for f in doc.busy}
    finding = next(f for f in doc.busy if f.person in busy)
    load = finding.evidence[0]
    assert load.measure == "load" and load.value >= 0.2 and load.passed
    assert not any(e.passed for e in finding.evidence[1:] if e.measure != "load")


def test_people_are_users_counted_once(mapped):
    """The renamed user is one person (labelled by their new name, the old an alias); the map
    counts exactly the organisation's people."""
    org, history, doc = mapped
    assert doc.overall.people == len(org.plan.truth["people"])
    renamed = org.plan.truth["mess"]["renamed"]
    person = doc.people[renamed["person"]]
    assert person.name == renamed["new"] and person.aliases == [renamed["old"]]
    assert history.report.skipped_count == 6 and len(history.report.dropped) == 6


def test_everyone_is_placed_in_their_own_zone(mapped):
    """Without a people file each person's zone is inferred from the history, with its
    evidence: the truth's for nearly everyone, never more than an hour off (a member living an
    hour from their team, with few incidents of their own, can tie between neighbouring
    zones; the evidence then says so)."""
    org, history, doc = mapped
    zones = {p["id"]: p["timezone"] for p in org.plan.truth["people"]}
    middle = history.start + (history.end - history.start) / 2
    exact = 0
    for person, row in doc.people.items():
        assert row.zone_source == "inferred" and row.zone_evidence
        offset = abs(middle.astimezone(ZoneInfo(row.timezone)).utcoffset()
                     - middle.astimezone(ZoneInfo(zones[person])).utcoffset())
        assert offset.total_seconds() <= 3600, (person, row.timezone, zones[person])
        exact += row.timezone == zones[person]
        if row.timezone != zones[person]:
            assert "fit equally well" in row.zone_evidence
    assert exact >= len(zones) - 1
    assert {t.name: t.zone for t in doc.teams} == {
        t["name"]: t["zone"] for t in org.plan.truth["teams"]}


def test_map_groups_are_ranked_and_consistent(mapped):
    """Groups come riskiest first; counts, shares and truck factors agree; auto-resolved
    incidents are handled by nobody."""
    _, history, doc = mapped
    scores = [g.score for g in doc.groups]
    assert scores == sorted(scores, reverse=True)
    for g in doc.groups:
        assert sum(g.handled.values()) + g.unhandled == g.incidents
        assert g.unhandled >= g.auto_resolved
        assert g.effective_responders == len(g.recent_responders)
        assert g.top_share == max(g.shares.values())
    assert doc.overall.auto_resolved == history.report.auto_resolved > 0


@pytest.fixture(scope="module")
def small():
    org = generate_org(people=6, weeks=12, heroes=1, seed=4)
    return org, history_from_records(org.history["data"], envelope=org.history)


def test_truck_factor_forgets_old_responders(small):
    """A short half-life leaves fewer people counted as recent responders."""
    _, history = small
    long = hero_map(history, half_life_days=3650)
    short = hero_map(history, half_life_days=2)
    total = lambda doc: sum(g.effective_responders for g in doc.groups)  # noqa: E731
    assert total(short) < total(long)


def test_by_service_groups_by_service(small):
    """--by service makes one group per service."""
    _, history = small
    doc = hero_map(history, by="service")
    assert {g.id for g in doc.groups} == {i.service for i in history.incidents}


def test_markdown_escapes_user_strings():
    """A '|' in a person's name does not break heromap.md's tables."""
    rows = [{"id": "1", "service_name": "api|x", "created_at": "2025-01-06T10:00:00Z",
             "resolved_at": "2025-01-06T10:30:00Z", "resolved_by_user_name": "Eve | Pipe",
             "acknowledged_user_names": ["Eve | Pipe"]}]
    text = heromap_markdown(hero_map(history_from_records(rows)))
    assert "Eve \\| Pipe" in text and "api\\|x" in text


def test_cli_generate_then_map_with_the_people_file(tmp_path):
    """`herosim generate --teams 3 --messy` then `herosim map HISTORY --people people.csv`:
    truth.json first, zones from the people file, findings in the output and the files."""
    out = tmp_path / "org"
    result = runner.invoke(app, ["generate", "-o", str(out), "--teams", "3", "--people", "6",
                                 "--weeks", "12", "--messy", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert (out / "truth.json").stat().st_mtime_ns <= (out / "history.json").stat().st_mtime_ns
    truth = json.loads((out / "truth.json").read_text())
    result = runner.invoke(app, ["map", str(out / "history.json"), "--people",
                                 str(out / "people.csv"), "--out", str(tmp_path / "maps")])
    assert result.exit_code == 0, result.output
    assert "Likely hero" in result.output and "field dropped" in result.output
    (folder,) = (tmp_path / "maps").iterdir()
    doc = json.loads((folder / "heromap.json").read_text())
    zones = {p["id"]: p["timezone"] for p in truth["people"]}
    assert {p: r["timezone"] for p, r in doc["people"].items()} == zones
    assert {r["zone_source"] for r in doc["people"].values()} == {"people file"}
    assert doc["source"]["people_file"].endswith("people.csv")
    assert (folder / "heromap.md").read_text().startswith("# Hero map")
    assert json.loads((folder / "journal.json").read_text())["kind"] == "map"
    assert "Busy, not heroes" in (folder / "report.html").read_text()
    # Without --people or --timezone, the zones are the history's, not UTC (issue 19).
    result = runner.invoke(app, ["map", str(out / "history.json"), "--format", "json",
                                 "--out", str(tmp_path / "inferred")])
    assert result.exit_code == 0, result.output
    inferred = json.loads(result.stdout)["people"]
    assert {r["zone_source"] for r in inferred.values()} <= {"inferred", "colleagues"}
    assert sum(r["timezone"] == zones[p] for p, r in inferred.items()) >= len(zones) - 1


def test_cli_map_bad_timezone_and_people_file_are_exit_2(tmp_path, small):
    """An unknown --timezone or an unreadable --people file is a clear error, exit 2."""
    org, _ = small
    path = tmp_path / "history.json"
    path.write_text(json.dumps(org.history))
    result = runner.invoke(app, ["map", str(path), "--timezone", "Mars/Olympus"])
    assert result.exit_code == 2 and "IANA" in result.output
    result = runner.invoke(app, ["map", str(path), "--people", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2 and "no such file" in result.output


def test_loaded_csv_matches_json(tmp_path):
    """`herosim generate` writes the same incidents as JSON and as CSV, and a people file the
    importer reads."""
    result = runner.invoke(app, ["generate", "-o", str(tmp_path), "--weeks", "4",
                                 "--people", "4", "--seed", "2"])
    assert result.exit_code == 0, result.output
    from_json = load_history(tmp_path / "history.json")
    from_csv = load_history(tmp_path / "history.csv")
    assert from_csv.report.skipped_count == 0
    assert [(i.id, i.touched, i.minutes_to_resolve) for i in from_json.incidents] == \
        [(i.id, i.touched, i.minutes_to_resolve) for i in from_csv.incidents]
    people = load_people(tmp_path / "people.csv")
    assert len(people.users) == 4 and all(u.timezone for u in people.users.values())
