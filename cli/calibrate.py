"""`herosim calibrate`: a scenario per team fitted to incident history, every number with its
evidence; the self-consistency check; `--holdout` backtests on the last weeks."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err_console, handle_errors, print_headline, print_item, write_file
from cli.format import new_table
from cli.history import (
    ColumnOption,
    MappingOption,
    OutputFormat,
    PatternOption,
    PeopleOption,
    StrictOption,
    ZoneOption,
    print_import,
    read_history,
)
from cli.options import creatable_folder
from sim.analysis.calibrate import Calibration, TeamCalibration, parse_holdout
from sim.analysis.calibrate import calibrate as fit_scenarios
from sim.analysis.replicate import default_workers
from sim.errors import InputError, Problem
from sim.outputs.calibration_yaml import calibration_yaml
from sim.outputs.headline import calibrate_headline
from sim.outputs.journal import dump_json
from sim.schema import IDENTIFIER_PATTERN


def calibrate(
    history: Annotated[Path, typer.Argument(help="Incident history (as for `herosim map`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help=(
        "Scenario YAML to write; for a history of several teams a directory, which gets one "
        "<scenario>.yaml per team and calibration.json."))],
    name: Annotated[Optional[str], typer.Option(help="Scenario name (default: from the "
                                                "file name; each team's id is appended).")] = None,
    mapping: MappingOption = None,
    column: ColumnOption = None,
    class_pattern: PatternOption = None,
    strict: StrictOption = False,
    people: PeopleOption = None,
    timezone: ZoneOption = None,
    team: Annotated[Optional[list[str]], typer.Option(
        "--team", help="Only this team (team_name, else escalation policy); repeat.")] = None,
    holdout: Annotated[Optional[str], typer.Option(
        help="Backtest: also fit on all but the last weeks (e.g. 8w or 56d) and set each "
        "held-out figure beside its 80% prediction interval.")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the simulations.")] = 0,
    check: Annotated[bool, typer.Option(help="Run the self-consistency check.")] = True,
    reps: Annotated[int, typer.Option(min=2, max=1000, help="Replications of the check and "
                                      "the backtest.")] = 20,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes; 0 = all cores.")] = 0,
    format: Annotated[OutputFormat, typer.Option("--format", help="table, or json: "
                                                 "calibration.json on stdout")] = (
        OutputFormat.TABLE),
) -> None:
    """Fit a scenario per team to incident history: every number commented with its evidence,
    the misfit the self-consistency check finds reported, not absorbed."""
    with handle_errors():
        scenario_name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", history.stem).strip("-.")
        if not re.match(IDENTIFIER_PATTERN, scenario_name or "") or len(scenario_name) > 48:
            raise InputError([Problem("command line", "--name", repr(scenario_name),
                                      "a scenario name is letters, digits, '_', '.', '-' "
                                      "(at most 48)")])
        weeks = parse_holdout(holdout) if holdout is not None else None
        loaded = read_history(history, mapping, column, class_pattern, strict, people,
                              timezone)
        print_import(loaded.report)
        teams = len(team) if team else len(loaded.teams)
        check_output(output, teams)
        err_console.print("Fitting each team, then simulating to check the fit"
                          + (" and to backtest" if weeks else "") + " ...")
        result = fit_scenarios(loaded, name=scenario_name, seed=seed, check=check,
                               holdout_weeks=weeks, teams=team or (), replications=reps,
                               workers=workers or default_workers())
        written = write_calibration(result, output)
    if format is OutputFormat.JSON:
        sys.stdout.write(dump_json(result.to_json()))
        return
    print_headline(calibrate_headline(result))
    for t, path in zip(result.teams, written):
        print_team(t, path)


def check_output(output: Path, teams: int) -> None:
    """Refuse, before fitting, an output that cannot take `teams` scenarios: one team needs a
    file name (not an existing folder), several a folder (not an existing file)."""
    if teams == 1 and output.is_dir():
        raise InputError([Problem("command line", "--output", str(output),
                                  "is a folder; name the scenario YAML to write, e.g. "
                                  f"{output / 'scenario.yaml'}")])
    if teams > 1 and output.exists() and not output.is_dir():
        raise InputError([Problem("command line", "--output", str(output),
                                  f"the history has {teams} teams (a scenario each): name a "
                                  "folder, or pick one team with --team")])
    creatable_folder(output if teams > 1 else output.parent, "--output")


def write_calibration(result: Calibration, output: Path) -> list[Path]:
    """Write each team's YAML (and, for several, calibration.json); return the YAML paths.
    The output is checked again: the fit takes a while, and the path may have changed."""
    check_output(output, len(result.teams))
    if len(result.teams) == 1:
        paths = [output]
    else:
        paths = [output / f"{t.scenario.name}.yaml" for t in result.teams]
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for t, path in zip(result.teams, paths):
        write_file(path, calibration_yaml(result, t))
    if len(result.teams) > 1:
        write_file(output / "calibration.json", dump_json(result.to_json()))
    return paths


def print_team(t: TeamCalibration, path: Path) -> None:
    """What was fitted for one team, the check's misfit and the backtest."""
    s = t.scenario
    console.print(f"[green]✓[/green] {escape(t.team)}: {len(s.classes)} classes, "
                  f"{len(s.people)} people, zone {s.timezone}, heroes: "
                  f"{escape(', '.join(s.heroes) or 'none')}; written to")
    console.print(f"[bold]{escape(str(path))}[/bold]", soft_wrap=True, highlight=False)
    for position, fit in t.fit.rotation.items():
        print_item(f"{position}: {escape(fit.note)}")
    print_item(f"learning: {escape(t.fit.learning.note)}")
    if t.consistency is not None:
        c = t.consistency
        inside = sum(x.inside for x in c.checks)
        print_item(f"Self-consistency ({c.replications} replications): {inside} of "
                   f"{len(c.checks)} figures inside the model's 90% band"
                   + ("." if not c.misfit else "; misfit (reported, not absorbed):"))
        for line in c.misfit:
            print_item(f"[yellow]-[/yellow] {escape(line)}", 4)
    if t.backtest is not None:
        b = t.backtest
        rows = [[("✓" if ch.inside else "✗"), escape(ch.figure), escape(ch.subject),
                 f"{ch.history:.3g}", f"{ch.low:.3g} to {ch.high:.3g}"] for ch in b.checks]
        console.print(new_table(
            f"Backtest of {escape(t.team)}: fitted on the weeks before {b.split[:10]}, the "
            f"{b.holdout_weeks:g} weeks after predicted",
            ["", "figure", "subject", "real", f"{b.interval:.0%} interval"], rows, left=3,
            caption=b.summary))
