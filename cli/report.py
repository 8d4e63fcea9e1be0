"""`herosim report`: regenerate report.html from a results folder, without rerunning."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.common import console, handle_errors
from sim.outputs.report import write_report


def report(
    results_dir: Annotated[
        Path, typer.Argument(metavar="RESULTS_DIR",
                             help="A results folder written by herosim run, check, ...")
    ],
) -> None:
    """Write (or rewrite) report.html in a results folder from the files already there."""
    with handle_errors():
        target = write_report(results_dir)
    console.print(f"Report written to [bold]{escape(str(target))}[/bold]")
