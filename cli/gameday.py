"""`herosim gameday design`: the next game day's injections, who steps out, the run sheet and
a pre-filled observation file for `herosim score`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err_console, handle_errors, show
from cli.format import new_table
from cli.options import Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Workers
from cli.progress import DelayedProgress
from sim.analysis.gameday.design import design_gameday
from sim.analysis.gameday.design_types import GameDayDesign
from sim.analysis.replicate import Replications, default_workers
from sim.inputs.scenario import load_plan, load_scenario
from sim.outputs.gameday_design import observations_yaml, runsheet_markdown
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.markdown import quantile_range
from sim.outputs.report import write_report
from sim.schema import HeroRole, Plan, Scenario

app = typer.Typer(help="Game days: design the next one (`score` reads one back).",
                  no_args_is_help=True)


@app.command()
def design(
    scenario: ScenarioArg,
    date: Annotated[dt.datetime, typer.Option(formats=["%Y-%m-%d"],
                                              help="The game-day date (YYYY-MM-DD).")],
    plan: Annotated[
        Optional[str],
        typer.Option(help="Plan file, or the name of a plan in the scenario's `plans`, run up "
                     "to the game day."),
    ] = None,
    injections: Annotated[int, typer.Option(min=1, max=12, help="How many injections.")] = 4,
    hero_role: Annotated[HeroRole, typer.Option(help="What the heroes do that day.")] =
    HeroRole.OBSERVER,
    absent: Annotated[Optional[list[str]], typer.Option(
        help="Someone else who will not be there (repeat).")] = None,
    start: Annotated[str, typer.Option(help="First injection, HH:MM.")] = "10:00",
    reps: Reps = 40,
    seed: Seed = 0,
    workers: Workers = 0,
    format: Format = OutputFormat.TABLE,
    out: Out = Path("results"),
) -> None:
    """Choose the injections and who holds the pager to learn most about the skills the model
    is least sure of and to cover the riskiest classes; write the run sheet (runsheet.md,
    report.html) and observations.yaml for `herosim score`."""
    with handle_errors():
        model = load_scenario(scenario)
        chosen = load_plan(plan, model) if plan else None
        workers = workers or default_workers()
        with DelayedProgress(err_console, "Designing", total=reps) as progress:
            doc = design_gameday(
                Replications(model, reps, seed, min(workers, reps), progress=progress.update),
                date.date(), chosen, injections, hero_role, tuple(absent or ()), start)
        folder = write_design(doc, model, chosen, scenario, plan, out)
    show(doc.to_json(), folder, format is OutputFormat.JSON, lambda: print_design(doc))
    if format is OutputFormat.JSON:
        err_console.print(f"observations to fill in: {folder / 'observations.yaml'}")
    else:
        console.print(f"Fill in [bold]{escape(str(folder / 'observations.yaml'))}[/bold], "
                      "then `herosim score` it.")


def write_design(doc: GameDayDesign, scenario: Scenario, plan: Plan | None,
                 scenario_path: Path, plan_ref: str | None, root: Path) -> Path:
    """Write design.json, runsheet.md, observations.yaml, report.html and the journal."""
    with ResultsFolder(
        root, f"{scenario.name}-gameday-design-{doc.date}", command_line(), doc.seed,
        scenario.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "plan": plan_ref,
               "plan_definition": plan.model_dump(mode="json") if plan else None},
        kind="design",
    ) as folder:
        folder.write_json("design.json", doc.to_json())
        folder.write_text("runsheet.md", runsheet_markdown(doc))
        folder.write_text("observations.yaml", observations_yaml(doc))
        write_report(folder.partial, folder.journal)
        return folder.complete(verdict=", ".join(i.class_id for i in doc.injections))


def print_design(doc: GameDayDesign) -> None:
    """The timeline and each injection's reasons."""
    console.print(f"[bold]{escape(doc.scenario)}[/bold] game day {doc.date}: heroes "
                  f"{doc.hero_role}, primary pager {escape(doc.primary or 'the rotation')}"
                  + (f", away: {escape(', '.join(doc.absent))}" if doc.absent else "") + ".")
    console.print(new_table(
        "Injections (minutes: p10-p50-p90 predicted)", ["at", "class", "TTA", "TTM", "esc",
                                                         "hero"],
        [[i.at, escape(i.class_id), quantile_range(i.predicted.tta, "-"),
          quantile_range(i.predicted.ttm, "-"),
          f"{i.predicted.escalation_chance:.0%}", f"{i.predicted.hero_chance:.0%}"]
         for i in doc.injections], left=2))
    for i in doc.injections:
        console.print(f"[bold]{i.at} {escape(i.class_id)}[/bold]: "
                      + escape("; ".join(i.why)))
