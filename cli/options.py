"""Options every simulating command shares, declared once (typer `Annotated` aliases)."""

from __future__ import annotations

import os
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


def creatable_folder(path: Path, option: str = "--out") -> Path:
    """`path` when it is a folder that exists or can be created.

    Raises:
        InputError: naming the option and saying why not (a file of that name, a file on the
            way to it, a folder that cannot be written).
    """
    from sim.errors import InputError, Problem

    def refuse(message: str) -> InputError:
        return InputError([Problem("command line", option, str(path), message)])

    if path.exists():
        if not path.is_dir():
            raise refuse("this is a file, not a folder; name a folder (it is created when "
                         "missing)")
        if not os.access(path, os.W_OK | os.X_OK):
            raise refuse("cannot write in this folder; name a folder you can write")
        return path
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise refuse(f"cannot be created: {ancestor} is a file, not a folder")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise refuse(f"cannot be created: cannot write in {ancestor}")
    return path


def _folder_option(option: str):
    """The callback of an option naming a folder to write: checked as the command line is
    parsed, before anything is loaded or simulated."""
    def check(value: Path) -> Path:
        from cli.common import exit_with_problems
        from sim.errors import InputError

        try:
            return creatable_folder(value, option)
        except InputError as error:
            exit_with_problems(error)
    return check


output_folder = _folder_option("--output")
Out = Annotated[Path, typer.Option(help="Where the results folder goes (created when missing).",
                                   callback=_folder_option("--out"))]
