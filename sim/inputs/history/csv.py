"""Histories as CSV: PagerDuty's own columns, or another tool's through a column mapping.

A CSV with PagerDuty's column names is read as it is; any other CSV needs a `ColumnMapping`
(PagerDuty field -> the CSV's column), given on the command line or in a small YAML/JSON file.
Rows come out as records of PagerDuty fields for `sim.inputs.history.pagerduty.parse_incident`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError, field_validator

from sim.errors import InputError, Problem
from sim.inputs.files import foreign_delimiter
from sim.inputs.history.pagerduty import PAGERDUTY_FIELDS, PAGERDUTY_MARKERS, TooLong
from sim.inputs.history.records import short
from sim.inputs.problems import problems_from_validation
from sim.inputs.scenario import load_model
from sim.schema import Model, check_zone


class ColumnMapping(Model):
    """How a generic CSV's columns map onto PagerDuty's field names (a mapping file)."""

    columns: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        description="PagerDuty field name -> the CSV's column name, e.g. "
        "{created_at: opened, resolved_at: closed, incident_type_name: category}."
    )
    list_separator: Annotated[str, Field(min_length=1, max_length=3)] = Field(
        ",", description="Separator inside list-valued columns (people)."
    )
    timezone: str = Field("UTC", description="Zone of timestamps written without an offset.")

    @field_validator("columns")
    @classmethod
    def _known_fields(cls, columns: dict[str, str]) -> dict[str, str]:
        unknown = [k for k in columns if k not in PAGERDUTY_FIELDS]
        if unknown:
            from pydantic_core import PydanticCustomError
            raise PydanticCustomError(
                "unknown_field", "unknown PagerDuty field(s) {unknown}; map columns onto: "
                "{allowed}",
                {"unknown": ", ".join(unknown), "allowed": ", ".join(PAGERDUTY_FIELDS)})
        if "created_at" not in columns:
            from pydantic_core import PydanticCustomError
            raise PydanticCustomError(
                "created_missing", "the mapping needs a column for created_at (when the "
                "incident started)")
        return columns

    @field_validator("timezone")
    @classmethod
    def _zone(cls, zone: str) -> str:
        return check_zone(zone)



def parse_column_options(specs: Sequence[str]) -> dict[str, str]:
    """`FIELD=COLUMN` strings from the command line -> a columns mapping."""
    columns, problems = {}, []
    for spec in specs:
        name, sep, column = spec.partition("=")
        if not sep or not name.strip() or not column.strip():
            problems.append(Problem("command line", "--column", short(spec),
                                    "expected FIELD=COLUMN, e.g. created_at=opened_at"))
            continue
        columns[name.strip()] = column.strip()
    if problems:
        raise InputError(problems)
    return columns


def load_mapping(path: str | Path | None = None, columns: dict[str, str] | None = None,
                 list_separator: str | None = None, timezone: str | None = None
                 ) -> ColumnMapping | None:
    """A column mapping from a file, from command-line columns, or both (the command line
    overrides the file); None when neither is given."""
    if path is None and not columns:
        return None
    base: dict[str, Any] = {"columns": {}}
    if path is not None:
        base = load_model(path, ColumnMapping).model_dump()
    base["columns"] = {**base["columns"], **(columns or {})}
    if list_separator:
        base["list_separator"] = list_separator
    if timezone:
        base["timezone"] = timezone
    try:
        return ColumnMapping.model_validate(base)
    except ValidationError as error:
        name = str(path) if path is not None else "command line"
        raise InputError(problems_from_validation(name, error, base, ColumnMapping)) from None



def csv_records(text: str, name: str, mapping: ColumnMapping | None):
    """A CSV's header, its rows as (number, where, record), and its format name.

    Raises:
        InputError: no header, a foreign header without a mapping, a mapping naming missing
            columns, or broken CSV.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as error:
        raise InputError([Problem(name, "line 1", None, f"no CSV header: {error}")]) from None
    delimiter = foreign_delimiter(name, header, "line 1")
    if delimiter:
        raise delimiter
    if mapping is None:
        if not PAGERDUTY_MARKERS & set(header) or "created_at" not in header:
            raise InputError([Problem(
                name, "line 1", short(header[:8]),
                "the header is not PagerDuty's (it needs created_at and service_name or "
                "service_id); for another tool's CSV give a column mapping: --column "
                "created_at=COLUMN ... or --mapping FILE (see docs/history.md)")])
        fmt = "pagerduty-csv"
        columns = {h: h for h in header}
    else:
        missing = [c for c in mapping.columns.values() if c not in header]
        if missing:
            raise InputError([Problem(
                name, "line 1", short(missing),
                f"the mapping names column(s) the CSV does not have; its columns: "
                f"{', '.join(header)}")])
        fmt = "generic-csv"
        columns = {pd: column for pd, column in mapping.columns.items()}

    def rows():
        number = 0
        try:
            for values in reader:
                line = reader.line_num
                if not any(v.strip() for v in values):
                    continue
                number += 1
                if len(values) > len(header):
                    yield number, f"line {line}", (
                        f"{len(values)} values for {len(header)} columns (an unquoted comma?)")
                    continue
                by_header = dict(zip(header, values))
                yield number, f"line {line}", {
                    pd: by_header.get(column, "") for pd, column in columns.items()
                }
        except csv.Error as error:
            raise InputError([Problem(name, f"line {reader.line_num}", None,
                                         f"broken CSV: {error}")]) from None

    return header, _csv_rows(rows()), fmt


def _csv_rows(rows):
    """A too-long CSV row arrives as a string: turn it into a skipped-row marker."""
    for number, where, record in rows:
        if isinstance(record, str):
            yield number, where, TooLong(record)
        else:
            yield number, where, record
