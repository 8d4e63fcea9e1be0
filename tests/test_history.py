"""Importing incident history: PagerDuty JSON and CSV, generic CSV, messy rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli.main import app
from sim.analysis.heromap import hero_map
from sim.errors import InputError
from sim.inputs.history import (
    history_from_records,
    load_history,
    load_mapping,
    parse_class_patterns,
)

DATA = Path(__file__).parent / "data" / "history"
runner = CliRunner()


def skipped_fields(history):
    return {s.field: s for s in history.report.skipped}


def test_pagerduty_json_keeps_good_rows_and_reports_every_bad_one():
    """The JSON fixture imports its 3 good rows and names each of its 6 bad ones."""
    history = load_history(DATA / "pagerduty.json")
    assert [i.id for i in history.incidents] == ["Q1AAA", "Q1AAB", "Q1AAG"]
    assert history.report.rows == 9 and history.report.skipped_count == 6
    bad = skipped_fields(history)
    assert bad["created_at"].row == 3 and "ISO 8601" in bad["created_at"].reason
    assert "resolved before it was created" in bad["resolved_at"].reason
    assert "service_name" in bad and bad["(record)"].where == "data[5]"
    assert bad["escalation_count"].value == "'two'"
    assert "duplicate" in bad["id"].reason and "row 1" in bad["id"].reason
    assert history.report.ignored_fields == ["snoozed_seconds", "team_id"]


def test_pagerduty_json_fields_are_normalised():
    """Offsets become UTC, people keep their order, priority decides severity."""
    history = load_history(DATA / "pagerduty.json")
    first, failover, open_one = history.incidents
    assert first.acknowledged == ("Lee Wong", "Priya Shah")
    assert first.handler == "Priya Shah" and first.first_responder == "Lee Wong"
    assert first.minutes_to_resolve == pytest.approx(37.0)
    assert failover.created_at == dt.datetime(2024, 3, 5, 22, 40, tzinfo=dt.UTC)
    assert failover.severity.value == "sev1" and failover.class_id == "payments-db"
    assert open_one.resolved_at is None and open_one.status == "triggered"


def test_pagerduty_csv_reads_json_arrays_and_comma_lists():
    """CSV list cells may be JSON arrays or comma-separated names; bad rows name their line."""
    history = load_history(DATA / "pagerduty.csv")
    assert [i.id for i in history.incidents] == ["Q2A", "Q2B", "Q2C"]
    assert history.incidents[0].assigned == ("Lee Wong", "Priya Shah")
    assert history.incidents[1].acknowledged == ("Priya Shah",)
    bad = skipped_fields(history)
    assert bad["created_at"].where == "line 5"
    assert "at least 0" in bad["seconds_to_first_ack"].reason
    assert "JSON array" in bad["acknowledged_user_names"].reason
    assert "21 values for 20 columns" in bad["(row)"].reason
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
    assert "skipped 6" in result.output and "duplicate incident id" in result.output
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
