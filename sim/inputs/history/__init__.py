"""Incident history from the paging tool: PagerDuty Analytics raw incidents, or any CSV.

Three shapes are read, all into the same `HistoryIncident` rows:

- PagerDuty's Analytics API (`POST /analytics/raw/incidents`) as it returns them: a JSON object
  whose `data` is a list of incidents (a bare list is accepted too);
- the same records as CSV with PagerDuty's column names (list-valued columns such as
  `acknowledged_user_names` may be JSON arrays or comma-separated strings);
- a generic CSV, one row per incident, whose columns are mapped onto PagerDuty's field names by
  a `ColumnMapping` (given on the command line or in a small YAML/JSON mapping file).

Rows that cannot be used are never dropped silently: each becomes a `SkippedRow` with its row
number, field, value and reason in the `ImportReport`; with `strict=True` the first one raises
`InputError` instead. Absent optional fields are tolerated and unknown ones ignored (their
names are listed in the report), since PagerDuty adds fields over time.

    >>> from sim.inputs.history import load_history
    >>> history = load_history("history.json")  # doctest: +SKIP
    >>> history.report.skipped_count, len(history.incidents)  # doctest: +SKIP

The package: `records` (the types), `pagerduty` (PagerDuty's fields, one record -> an
incident), `csv` (CSV shapes and column mappings), `people` (users by id, labels and readable
ids, the people file), `zones` (time zones inferred from the history), `load` (files and
records -> a History).
"""

from sim.inputs.history.csv import ColumnMapping, load_mapping, parse_column_options
from sim.inputs.history.load import (
    ClassPattern,
    history_from_records,
    load_history,
    parse_class_patterns,
)
from sim.inputs.history.pagerduty import PAGERDUTY_FIELDS
from sim.inputs.history.people import PeopleFile, UserRow, load_people, readable_id
from sim.inputs.history.records import (
    History,
    HistoryIncident,
    ImportReport,
    PersonRecord,
    SkippedRow,
    hour_class_at,
    team_of,
)

__all__ = [
    "PAGERDUTY_FIELDS", "ClassPattern", "ColumnMapping", "History", "HistoryIncident",
    "ImportReport", "PeopleFile", "PersonRecord", "SkippedRow", "UserRow",
    "history_from_records", "hour_class_at", "load_history", "load_mapping", "load_people",
    "parse_class_patterns", "parse_column_options", "readable_id", "team_of",
]
