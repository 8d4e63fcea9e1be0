"""Importing incident history: PagerDuty JSON and CSV, generic CSV, messy rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.heromap import hero_map
from sim.errors import InputError
from sim.inputs.history import (
    history_from_records,
    hour_class_at,
    load_history,
    load_mapping,
    load_people,
    parse_class_patterns,
    readable_id,
)

DATA = Path(__file__).parent / "data" / "history"
runner = CliRunner()


def skipped_fields(history):
    return {s.field: s for s in history.report.skipped}


def test_pagerduty_json_keeps_good_rows_and_reports_every_bad_one():
    """The JSON fixture skips the 4 rows it cannot use and names each; a bad optional field
    drops the field, not the incident, and is named too."""
    history = load_history(DATA / "pagerduty.json")
    assert [i.id for i in history.incidents] == ["Q1AAA", "Q1AAB", "Q1AAD", "Q1AAF", "Q1AAG"]
    assert history.report.rows == 9 and history.report.skipped_count == 4
    bad = skipped_fields(history)
    assert bad["created_at"].row == 3 and "ISO 8601" in bad["created_at"].reason
    assert "service_name" in bad and bad["(record)"].where == "data[5]"
    assert "duplicate" in bad["id"].reason and "row 1" in bad["id"].reason
    dropped = {d.field: d for d in history.report.dropped}
    assert "resolved before it was created" in dropped["resolved_at"].reason
    assert dropped["resolved_at"].row == 4
    assert dropped["escalation_count"].value == "'two'" and dropped["escalation_count"].row == 7
    kept = {i.id: i for i in history.incidents}
    assert kept["Q1AAD"].resolved_at is None and kept["Q1AAD"].resolved_by == "lee-wong"
    assert kept["Q1AAF"].escalation_count == 0 and kept["Q1AAF"].minutes_to_resolve == 15
    assert history.report.ignored_fields == ["snoozed_seconds"]


def test_pagerduty_json_fields_are_normalised():
    """Offsets become UTC, people keep their order and are keyed by user id (a row naming
    Priya Shah without her id is hers), priority decides severity."""
    history = load_history(DATA / "pagerduty.json")
    first, failover, *_, open_one = history.incidents
    assert first.acknowledged == ("lee-wong", "priya-shah")
    assert first.handler == "priya-shah" and first.first_responder == "lee-wong"
    assert first.minutes_to_resolve == pytest.approx(37.0)
    assert failover.created_at == dt.datetime(2024, 3, 5, 22, 40, tzinfo=dt.UTC)
    assert failover.severity.value == "sev1" and failover.class_id == "payments-db"
    assert failover.handler == "priya-shah"
    assert history.directory["priya-shah"].user_id == "PU1"
    assert history.directory["priya-shah"].name == "Priya Shah"
    assert open_one.resolved_at is None and open_one.status == "triggered"
    assert first.team == "Payments" and first.escalation_policy == "Checkout EP"


def test_pagerduty_csv_reads_json_arrays_and_comma_lists():
    """CSV list cells may be JSON arrays or comma-separated names; bad rows name their line;
    a bad optional cell is dropped and named, the incident kept."""
    history = load_history(DATA / "pagerduty.csv")
    assert [i.id for i in history.incidents] == ["Q2A", "Q2B", "Q2C", "Q2E", "Q2G", "Q2H"]
    assert history.incidents[0].assigned == ("lee-wong", "priya-shah")
    assert history.incidents[1].acknowledged == ("priya-shah",)
    bad = skipped_fields(history)
    assert bad["created_at"].where == "line 5"
    assert "21 values for 20 columns" in bad["(row)"].reason
    dropped = {d.field: d for d in history.report.dropped}
    assert "at least 0" in dropped["seconds_to_first_ack"].reason
    assert "JSON array" in dropped["acknowledged_user_names"].reason
    assert dropped["resolved_at"].where == "line 6"
    assert history.report.ignored_fields == ["custom_field"]


def test_strict_fails_on_the_first_bad_row():
    """--strict raises naming the file, the row, the field and the value."""
    with pytest.raises(InputError) as error:
        load_history(DATA / "pagerduty.csv", strict=True)
    problem = error.value.problems[0]
    assert problem.file.endswith("pagerduty.csv")
    assert problem.field_path == "row 4 (line 5).created_at"
    assert problem.value == "'2024-13-06T10:00:00Z'"


def test_generic_csv_with_a_mapping_file():
    """A mapping file maps columns, list separator and the zone of naive timestamps."""
    mapping = load_mapping(DATA / "generic-mapping.yaml")
    history = load_history(DATA / "generic.csv", mapping)
    assert [i.id for i in history.incidents] == ["INC-1", "INC-2", "INC-3"]
    assert history.incidents[0].joined == ("lee", "priya")
    assert history.incidents[0].class_id == "5xx"
    assert history.report.skipped[0].field == "created_at"


def test_generic_csv_needs_a_mapping_and_a_known_column():
    """Without a mapping a foreign CSV is refused; a mapping naming a missing column too."""
    with pytest.raises(InputError, match="header is not PagerDuty"):
        load_history(DATA / "generic.csv")
    with pytest.raises(InputError, match="does not have"):
        load_history(DATA / "generic.csv", load_mapping(columns={"created_at": "opened_at"}))
    with pytest.raises(InputError, match="unknown PagerDuty field"):
        load_mapping(columns={"created_at": "opened", "owner": "owner"})


def test_class_patterns_override_the_incident_type():
    """A description pattern decides the class before the incident type."""
    patterns = parse_class_patterns(["failover=fail ?over"])
    history = load_history(DATA / "pagerduty.json", class_patterns=patterns)
    assert history.incidents[1].class_id == "failover"
    with pytest.raises(InputError, match="regular expression"):
        parse_class_patterns(["bad=("])


def test_unusable_files_are_errors(tmp_path):
    """Missing, non-JSON, wrong shape, and all-bad files raise InputError."""
    with pytest.raises(InputError, match="no such file"):
        load_history(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        load_history(broken)
    shape = tmp_path / "shape.json"
    shape.write_text('{"incidents": []}')
    with pytest.raises(InputError, match="'data' is a list"):
        load_history(shape)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"data": [{"id": "x", "service_name": "s"}]}))
    with pytest.raises(InputError, match="none of the 1 rows"):
        load_history(bad)


def test_cli_map_reports_skips_and_exits_2_in_strict_mode(tmp_path):
    """`herosim map` says what it skipped; with --strict a bad row is exit 2, no traceback."""
    result = runner.invoke(app, ["map", str(DATA / "pagerduty.json"), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "skipped 4" in result.output and "duplicate incident id" in result.output
    assert "field dropped" in result.output
    strict = runner.invoke(app, ["map", str(DATA / "pagerduty.json"), "--strict",
                                 "--out", str(tmp_path)])
    assert strict.exit_code == 2
    assert "row 3 (data[2]).created_at" in strict.output
    assert "Traceback" not in strict.output


def test_cli_map_generic_csv_with_columns(tmp_path):
    """--column maps a generic CSV from the command line."""
    args = ["map", str(DATA / "generic.csv"), "--out", str(tmp_path), "--format", "json"]
    for spec in ("id=ticket", "created_at=opened", "resolved_at=closed",
                 "service_name=system", "resolved_by_user_name=owner"):
        args += ["--column", spec]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["source"]["imported"] == 3 and doc["source"]["format"] == "generic-csv"


# -- hypothesis: any well-formed incidents import, and shares sum to 1 per class ---------------

NAMES = st.sampled_from(["Ann Lee", "Bo Chen", "Cy Diaz", "Dee O'Neil", "Eve | Pipe"])
START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)


@st.composite
def incidents(draw):
    n = draw(st.integers(1, 30))
    rows = []
    for k in range(n):
        created = START + dt.timedelta(minutes=draw(st.integers(0, 60 * 24 * 90)))
        resolved = created + dt.timedelta(minutes=draw(st.integers(0, 600)))
        acked = draw(st.lists(NAMES, max_size=3, unique=True))
        row = {
            "id": f"I{k}",
            "service_name": draw(st.sampled_from(["api", "db"])),
            "incident_type_name": draw(st.sampled_from(["a", "b", "c", ""])),
            "created_at": created.isoformat(),
            "resolved_at": resolved.isoformat() if draw(st.booleans()) else None,
            "status": "resolved",
            "acknowledged_user_names": acked,
            "assigned_user_names": acked[:1],
            "resolved_by_user_name": draw(st.one_of(st.none(), NAMES)),
            "escalation_count": draw(st.integers(0, 3)),
            "urgency": draw(st.sampled_from(["high", "low"])),
        }
        if row["resolved_at"] is None:
            row["seconds_to_resolve"] = (resolved - created).total_seconds()
        rows.append(row)
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(incidents())
def test_well_formed_incidents_import_and_shares_sum_to_one(rows):
    """Any list of well-formed incidents imports whole; per class the shares sum to 1."""
    history = history_from_records(rows)
    assert history.report.skipped_count == 0
    assert len(history.incidents) == len(rows)
    doc = hero_map(history)
    for group in doc.groups:
        handled = sum(group.handled.values())
        assert handled + group.unhandled == group.incidents
        if handled:
            assert sum(group.shares.values()) == pytest.approx(1.0)
            assert 0 < group.hhi <= 1.0


# -- people: users by id, readable ids, people files, time zones -------------------------------


def _row(k: int, when: str, user: str, name: str, **extra) -> dict:
    return {"id": f"R{k}", "service_name": "api", "created_at": when,
            "resolved_at": when.replace("T10", "T11"), "resolved_by_user_id": user,
            "resolved_by_user_name": name, "acknowledged_user_ids": [user],
            "acknowledged_user_names": [name], "assigned_user_ids": [user],
            "assigned_user_names": [name], **extra}


def test_a_renamed_user_is_one_person_labelled_by_the_latest_name():
    """Same user id, two names: one person, the latest name the label, the old an alias."""
    rows = [_row(1, "2025-01-06T10:00:00Z", "PX1", "Anna Kowalska"),
            _row(2, "2025-02-06T10:00:00Z", "PX1", "Anna Nowak"),
            _row(3, "2025-01-07T10:00:00Z", "PX2", "Bo Chen")]
    history = history_from_records(rows)
    assert history.people == ["anna-nowak", "bo-chen"]
    anna = history.directory["anna-nowak"]
    assert anna.user_id == "PX1" and anna.name == "Anna Nowak"
    assert anna.aliases == ("Anna Kowalska",)
    assert {i.handler for i in history.incidents} == {"anna-nowak", "bo-chen"}


def test_ids_are_readable_transliterations_of_the_names():
    """Accents and letters such as Ł and Þ are transliterated; a name in another script falls
    back to the user id."""
    assert readable_id("Łukasz Żółwiński") == "lukasz-zolwinski"
    assert readable_id("Borg Þórbergsdóttir") == "borg-thorbergsdottir"
    assert readable_id("José María Núñez") == "jose-maria-nunez"
    assert readable_id("Иван Петров", fallback="PUSER7") == "puser7"
    rows = [_row(1, "2025-01-06T10:00:00Z", "PX9", "Zoë Ærø")]
    assert history_from_records(rows).people == ["zoe-aero"]


def test_auto_resolved_incidents_are_reported_not_credited():
    """An incident that resolved by itself has no handler, whoever acknowledged it, and the
    import report counts it."""
    rows = [_row(1, "2025-01-06T10:00:00Z", "PX1", "Ann Lee", auto_resolved=True),
            _row(2, "2025-01-06T10:00:00Z", "PX1", "Ann Lee")]
    history = history_from_records(rows)
    auto = next(i for i in history.incidents if i.auto_resolved)
    assert auto.handler is None and auto.acknowledged == ("ann-lee",)
    assert history.report.auto_resolved == 1
    assert history.report.to_json()["auto_resolved"] == 1


def test_a_people_file_names_people_and_places_them(tmp_path):
    """PagerDuty's users (JSON or CSV) give labels and zones by user id; a bad row is
    reported, not fatal."""
    rows = [_row(1, "2025-01-06T10:00:00Z", "PX1", "Anna K"),
            _row(2, "2025-01-07T10:00:00Z", "PX2", "Bo")]
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"users": [
        {"id": "PX1", "name": "Anna Kowalska", "time_zone": "Europe/Warsaw"},
        {"id": "PX2", "name": "Bo Chen", "time_zone": "Mars/Olympus"},
        {"name": "no id"}]}))
    people = load_people(users)
    assert set(people.users) == {"PX1"}
    assert [s.field for s in people.skipped] == ["time_zone", "id"]
    history = history_from_records(rows, people=people, default_zone="Asia/Tokyo")
    anna = history.directory["anna-kowalska"]
    assert anna.timezone == "Europe/Warsaw" and anna.zone_source == "people file"
    assert anna.aliases == ("Anna K",)
    bo = history.directory["bo"]  # too little of their own: their team's placed people's zone
    assert bo.timezone == "Europe/Warsaw" and bo.zone_source == "colleagues"
    alone = history_from_records(rows, default_zone="Asia/Tokyo")
    assert {r.timezone for r in alone.directory.values()} == {"Asia/Tokyo"}
    assert history.report.people_skipped[0].field == "time_zone"
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("id,name,email,time_zone\nPX2,Bo Chen,bo@example.com,America/Chicago\n")
    history = history_from_records(rows, people=load_people(csv_file))
    assert history.directory["bo-chen"].timezone == "America/Chicago"
    with pytest.raises(InputError, match="needs an id"):
        bad = tmp_path / "bad.csv"
        bad.write_text("who,where\nx,y\n")
        load_people(bad)


def test_zones_are_inferred_from_pagerduty_hour_classes():
    """Without a people file, PagerDuty's own hour class of the incidents that paged one person
    places them; the evidence says so."""
    start = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)
    zone = ZoneInfo("America/New_York")
    rows = []
    for k in range(60):
        moment = start + dt.timedelta(hours=7 * k + 3)
        klass = hour_class_at(moment, zone).value
        rows.append({**_row(k, moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "PX1", "Ann Lee"),
                     "resolved_at": None, "status": "acknowledged",
                     "business_hour_interruptions": int(klass == "business"),
                     "off_hour_interruptions": int(klass == "off"),
                     "sleep_hour_interruptions": int(klass == "sleep")})
    history = history_from_records(rows)
    ann = history.directory["ann-lee"]
    assert ann.timezone == "America/New_York" and ann.zone_source == "inferred"
    assert "agrees with America/New_York for 60" in ann.zone_evidence
