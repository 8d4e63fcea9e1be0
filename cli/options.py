"""Options every simulating command shares, declared once (typer `Annotated` aliases)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer


class OutputFormat(str, Enum):
    """How a command prints its result: rich tables, or the JSON document."""

    TABLE = "table"
    JSON = "json"


ScenarioArg = Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).")]
Reps = Annotated[int, typer.Option(min=1, max=100_000, help="Replications.")]
Seed = Annotated[int, typer.Option(min=0, help="Root seed; same seed, same results.")]
Workers = Annotated[int, typer.Option(min=0, help="Local worker processes; 0 = all cores.")]
Weeks = Annotated[int, typer.Option(min=1, max=520, help="Weeks the plan runs.")]
Every = Annotated[int, typer.Option(min=1, max=520, help="Weeks between checkpoints.")]
Format = Annotated[OutputFormat, typer.Option("--format", help="table or json")]
Out = Annotated[Path, typer.Option(help="Where the results folder goes.")]
