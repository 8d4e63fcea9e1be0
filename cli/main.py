"""The `herosim` typer app. Commands live here or in sibling modules added with `app.command`
/ `app.add_typer`; shared helpers are in `cli.common`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

import sim
from cli.advise import advise
from cli.calibrate import calibrate
from cli.check import check
from cli.common import console, exit_with_problems
from cli.compare import compare
from cli.gameday import app as gameday_app
from cli.generate import generate
from cli.history import map_command
from cli.report import report
from cli.rotation import rotation
from cli.run import run
from cli.score import score
from sim.errors import InputError, Problem
from sim.inputs.files import load_document
from sim.inputs.scenario import is_plan_document, load_model, load_plan, load_scenario
from sim.model import ENGINE_BUILD
from sim.schema import Plan, Scenario

app = typer.Typer(
    name="herosim",
    help="Game-day simulator for operations teams that lean on heroes.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"herosim {sim.__version__} (engine: {ENGINE_BUILD})")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Show the version and exit."),
    ] = None,
) -> None:
    """Game-day simulator for operations teams that lean on heroes."""


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario or plan files (YAML or JSON).")],
    scenario: Annotated[
        Optional[Path],
        typer.Option(help="Scenario to check plan files against (default: the scenario given "
                     "among FILES, if exactly one)."),
    ] = None,
) -> None:
    """Check scenario and plan files and report [bold]every[/bold] problem: file, field, value."""
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    plan_files: list[Path] = []
    for path in ([scenario] if scenario else []) + list(files):
        try:
            if is_plan_document(load_document(path)):
                plan_files.append(path)
                continue
            model = load_scenario(path)
        except InputError as error:
            problems.extend(error.problems)
            continue
        scenarios.append(model)
        if path != scenario:
            console.print(f"[green]✓[/green] {escape(str(path))}: {_summary(model)}")
    against = scenarios[0] if len(scenarios) == 1 else None
    for path in plan_files:
        try:
            plan = load_plan(path, against) if against else load_model(path, Plan)
        except InputError as error:
            problems.extend(error.problems)
            continue
        checked = f"checked against {against.name}" if against else (
            "not checked against a scenario: give --scenario")
        console.print(f"[green]✓[/green] {escape(str(path))}: plan {escape(plan.name)}, "
                      f"{len(plan.actions)} actions, {escape(checked)}")
    if problems:
        exit_with_problems(InputError(problems))


@app.command()
def schema() -> None:
    """Print the scenario format as JSON Schema (for editors and other tools)."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n")


app.command(name="run")(run)
app.command(name="check")(check)
app.command(name="advise")(advise)
app.command(name="map")(map_command)
app.command(name="calibrate")(calibrate)
app.command(name="generate")(generate)
app.command(name="score")(score)
app.command(name="report")(report)
app.command(name="compare")(compare)
app.command(name="rotation")(rotation)
app.add_typer(gameday_app, name="gameday")


def _summary(scenario: Scenario) -> str:
    def count(n: int, noun: str, plural: str | None = None) -> str:
        return f"{n} {noun if n == 1 else plural or noun + 's'}"

    parts = [count(len(scenario.people), "person", "people"),
             count(len(scenario.classes), "class", "classes"),
             count(len(scenario.services), "service")]
    if scenario.heroes:
        parts.append(f"heroes: {', '.join(scenario.heroes)}")
    return ", ".join(escape(p) for p in parts)


__all__ = ["app"]
