"""`herosim calibrate`: a scenario fitted to incident history, every number with its evidence."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err_console, handle_errors
from cli.format import new_table, number
from cli.history import (
    ColumnOption,
    MappingOption,
    PatternOption,
    PeopleOption,
    StrictOption,
    ZoneOption,
    print_import,
    read_history,
)
from sim.analysis.calibrate import Consistency
from sim.analysis.calibrate import calibrate as fit_scenario
from sim.analysis.replicate import default_workers
from sim.errors import InputError, Problem
from sim.outputs.calibration_yaml import calibration_yaml
from sim.schema import IDENTIFIER_PATTERN


def calibrate(
    history: Annotated[Path, typer.Argument(help="Incident history (as for `herosim map`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario YAML to write.")],
    name: Annotated[Optional[str], typer.Option(help="Scenario name (default: from the "
                                                "file name).")] = None,
    mapping: MappingOption = None,
    column: ColumnOption = None,
    class_pattern: PatternOption = None,
    strict: StrictOption = False,
    people: PeopleOption = None,
    timezone: ZoneOption = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the fitting simulations.")] = 0,
    check: Annotated[bool, typer.Option(help="Run the self-consistency check.")] = True,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes; 0 = all cores.")] = 0,
) -> None:
    """Fit a scenario skeleton to incident history; every number commented with its evidence."""
    with handle_errors():
        scenario_name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", history.stem).strip("-.")
        if not re.match(IDENTIFIER_PATTERN, scenario_name or "") or len(scenario_name) > 64:
            raise InputError([Problem("command line", "--name", repr(scenario_name),
                                         "a scenario name is letters, digits, '_', '.', '-'")])
        loaded = read_history(history, mapping, column, class_pattern, strict, people,
                              timezone)
        zone = loaded.default_zone
        print_import(loaded.report)
        err_console.print("Fitting, then simulating to correct and check the fit ...")
        result = fit_scenario(loaded, name=scenario_name, timezone=zone, seed=seed,
                              check=check, workers=workers or default_workers())
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(f".{output.name}.partial")
        partial.write_text(calibration_yaml(result), encoding="utf-8")
        partial.replace(output)
    s = result.scenario
    console.print(f"[green]✓[/green] wrote {escape(str(output))}: {len(s.classes)} classes, "
                  f"{len(s.people)} people, heroes: {escape(', '.join(s.heroes) or 'none')}")
    if result.consistency is not None:
        print_consistency(result.consistency)


def print_consistency(c: Consistency) -> None:
    """The self-consistency check's table and verdict."""
    rows = [[escape(k), number(v.history_ttr_p50), number(v.simulated_ttr_p50),
             number(v.ratio, 2), "yes" if v.within_15pct else "no"]
            for k, v in c.classes.items()]
    console.print(new_table(
        f"Self-consistency: the fitted scenario over the history's {c.days} days, "
        f"{c.replications} replications",
        ["class", "history TTR p50", "simulated TTR p50", "ratio", "within 15%"], rows))
    gap = c.touch_share_gap
    console.print(
        f"Share of incidents touching {escape(str(c.top_person))}: history "
        f"{number(c.history_top_touch_share, 1, 100, '%')}, simulated "
        f"{number(c.simulated_top_touch_share, 1, 100, '%')} (gap "
        f"{number(gap, 1, 100, ' points')}). "
        + ("[green]Reproduces the history.[/green]" if c.passed else
           "[yellow]Does not reproduce the history within 15% / 5 points: read the "
           "comments in the YAML and adjust.[/yellow]"))


