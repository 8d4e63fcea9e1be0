"""`herosim validate` and `herosim schema`: check input files without simulating anything."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, exit_with_problems, print_problems
from sim.errors import InputError, Problem
from sim.inputs.files import load_document
from sim.inputs.observations import is_observations_document, read_observations, resolve
from sim.inputs.scenario import (
    is_plan_document,
    load_model,
    load_plan,
    load_scenario,
    plan_warnings,
    size_problems,
)
from sim.schema import Plan, Scenario


def validate(
    files: Annotated[list[Path], typer.Argument(
        help="Scenario, plan and game-day observation files (YAML, JSON; game days also "
        "CSV), told apart by what they hold.")],
    scenario: Annotated[
        Optional[Path],
        typer.Option(help="Scenario to check plan and game-day files against (default: the "
                     "scenario given among FILES, if exactly one)."),
    ] = None,
) -> None:
    """Check scenario, plan and game-day files and report [bold]every[/bold] problem: file,
    field, value, and what to write."""
    problems: list[Problem] = []
    scenarios: list[Scenario] = []  # those among FILES
    given: Scenario | None = None  # --scenario
    plans: list[Path] = []
    gamedays: list[Path] = []
    for listed, path in [(False, scenario)] * bool(scenario) + [(True, f) for f in files]:
        try:
            kind = _kind(path)
            if kind != "scenario":
                (plans if kind == "plan" else gamedays).append(path)
                continue
            model = load_scenario(path)
        except InputError as error:
            problems.extend(error.problems)
            continue
        if listed:
            scenarios.append(model)
            _ok(path, _summary(model))
            print_problems(size_problems(model, str(path)), warning=True)
        else:
            given = model
    against = given if scenario else scenarios[0] if len(scenarios) == 1 else None
    checked = f"checked against {against.name}" if against else (
        "not checked against a scenario: give --scenario")
    warnings: list[Problem] = []
    for path in plans:
        try:
            plan = load_plan(path, against) if against else load_model(path, Plan)
        except InputError as error:
            problems.extend(error.problems)
            continue
        _ok(path, f"plan {plan.name}, {len(plan.actions)} actions, {checked}")
        if against:
            warnings += plan_warnings(plan, against, str(path))
    for path in gamedays:
        try:
            observations, locate = read_observations(path)
            if against:
                resolve(observations, against, str(path), locate)
        except InputError as error:
            problems.extend(error.problems)
            continue
        _ok(path, f"game day {observations.gameday.date}, {len(observations.injections)} "
            f"injections, {checked}")
    print_problems(warnings, warning=True)
    if problems:
        exit_with_problems(InputError(problems))


def _kind(path: Path) -> str:
    """scenario, plan or gameday: by what the file holds (a CSV is a game day's)."""
    if path.suffix.lower() == ".csv":
        return "gameday"
    data = load_document(path)
    if is_plan_document(data):
        return "plan"
    return "gameday" if is_observations_document(data) else "scenario"


def _ok(path: Path, summary: str) -> None:
    # One line however long the path: a terminal wraps it, rich never breaks a phrase.
    console.print(f"[green]✓[/green] {escape(str(path))}: {escape(summary)}", soft_wrap=True)


def schema() -> None:
    """Print the scenario format as JSON Schema (for editors and other tools)."""
    sys.stdout.write(json.dumps(Scenario.model_json_schema(), indent=2) + "\n")


def _summary(scenario: Scenario) -> str:
    def count(n: int, noun: str, plural: str | None = None) -> str:
        return f"{n} {noun if n == 1 else plural or noun + 's'}"

    parts = [count(len(scenario.people), "person", "people"),
             count(len(scenario.classes), "class", "classes"),
             count(len(scenario.services), "service")]
    if scenario.heroes:
        shown = scenario.heroes[:5]
        rest = len(scenario.heroes) - len(shown)
        parts.append(f"heroes: {', '.join(shown)}" + (f" and {rest} others" if rest else ""))
    return ", ".join(parts)
