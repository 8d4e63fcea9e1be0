"""`herosim score`: place a real game day in the model's predictions; learn skills from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import (
    console,
    err_console,
    handle_errors,
    load_plan_warning,
    print_answer,
    print_item,
    print_path,
    print_written,
    write_file,
)
from cli.format import FittedTable, new_table, number
from cli.options import Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Workers
from cli.progress import DelayedProgress
from sim.analysis.gameday import ScoreResult, score_gameday
from sim.analysis.gameday.types import ClassScore
from sim.analysis.replicate import Replications, default_workers
from sim.errors import InputError, Problem
from sim.inputs.files import read_text
from sim.inputs.observations import load_observations
from sim.inputs.scenario import load_scenario
from sim.outputs.headline import score_headline
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.markdown_score import score_markdown
from sim.outputs.report import write_report
from sim.outputs.scenario_update import updated_scenario_text
from sim.schema import Plan, Scenario

VERDICT_STYLE = {"hesitation": "red", "surprise": "cyan", "as predicted": "green"}
VERDICT_LABEL = {"hesitation": "hesitation", "surprise": "surprise", "as predicted": "ok"}


def score(
    scenario: ScenarioArg,
    observations: Annotated[
        Path, typer.Argument(help="Game-day observations (YAML, JSON or CSV; docs/gameday.md).")
    ],
    plan: Annotated[
        Optional[str],
        typer.Option(help="Plan file, or the name of a plan in the scenario's `plans`, run up "
                     "to the game day. Without one: the scenario's team, practising live."),
    ] = None,
    reps: Reps = 200,
    seed: Seed = 0,
    workers: Workers = 0,
    update: Annotated[
        Optional[Path],
        typer.Option(help="Write the scenario with the observed skills updated to this file."),
    ] = None,
    format: Format = OutputFormat.TABLE,
    out: Out = Path("results"),
) -> None:
    """How did a real game day compare with the model? Hesitation points, surprises, a score,
    and skill estimates learned from it.

    Exit 0 when scored, 2 on bad input.
    """
    with handle_errors():
        model = load_scenario(scenario)
        chosen = load_plan_warning(plan, model) if plan else None
        gameday = load_observations(observations, model)
        if update is not None:
            _check_writable(update, scenario)
        workers = workers or default_workers()
        with DelayedProgress(err_console, "Scoring", total=reps) as progress:
            result = score_gameday(
                Replications(model, reps, seed, min(workers, reps), progress=progress.update),
                gameday, chosen)
        as_json = format is OutputFormat.JSON
        print_answer(as_json, lambda: print_score(result), score_headline(result))
        folder = write_score(result, model, chosen, scenario, observations, plan, out)
        if update is not None:
            text = updated_scenario_text(read_text(scenario), model, result, str(scenario))
            write_file(update, text)
    print_written(result.to_json(), folder, as_json)
    if update is not None:
        if as_json:
            err_console.print(f"updated scenario: {update}", soft_wrap=True, highlight=False)
        else:
            print_path("Updated scenario written to", update)


def _check_writable(path: Path, scenario: Path) -> None:
    """Refuse an --update target that would overwrite the input or cannot be written."""
    problem = None
    if path.exists() and path.resolve() == scenario.resolve():
        problem = "is the scenario being scored; write the update to a new file"
    elif path.is_dir():
        problem = "is a directory; give a file name such as updated.yaml"
    elif not path.parent.exists() and str(path.parent) not in ("", "."):
        problem = f"its folder {path.parent} does not exist"
    if problem:
        raise InputError([Problem("command line", "--update", repr(str(path)), problem)])


def write_score(result: ScoreResult, scenario: Scenario, plan: Plan | None,
                scenario_path: Path, observations_path: Path, plan_ref: str | None,
                root: Path = Path("results")) -> Path:
    """Write the results folder of a scored game day: gameday.json, gameday.md, report.html
    and the journal (with the scenario and plan as scored); return its path."""
    name = f"{scenario.name}-gameday-{result.date}"
    with ResultsFolder(
        root, name, command_line(), result.seed,
        scenario.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "observations_file": str(observations_path),
               "plan": plan_ref, "replications": result.replications,
               "plan_definition": plan.model_dump(mode="json") if plan else None},
        kind="score",
    ) as folder:
        folder.write_json("gameday.json", result.to_json())
        folder.write_text("gameday.md", score_markdown(result))
        write_report(folder.partial, folder.journal)
        return folder.complete(verdict=f"score {result.score.value:.2f}")


def print_score(result: ScoreResult) -> None:
    """The scored game day as rich tables: injections, flags, classes, skills, the score."""
    plan = result.plan or "no plan"
    console.print(
        f"[bold]{escape(result.scenario)}[/bold] game day {result.date} (scenario day "
        f"{result.scenario_day}, plan {escape(plan)}): heroes "
        f"({escape(', '.join(result.heroes) or 'none named')}) {result.hero_role}, absent: "
        f"{escape(', '.join(result.absent) or 'nobody')}; {result.replications} replications "
        f"per injection, seed {result.seed}.\n")
    console.print(injection_table(result))
    for row in result.injections:
        for text in row.hesitations:
            print_item(f"[red]hesitation[/red] {escape(row.id)}: {escape(text)}")
        for text in row.surprises:
            print_item(f"[cyan]surprise[/cyan] {escape(row.id)}: {escape(text)}")
    console.print()
    console.print(class_table(result))
    console.print(skill_table(result))
    score = result.score
    console.print(
        f"[bold]Game-day score: {score.value:.0%}[/bold] ({score.handled} of "
        f"{score.injections}; the model expected {score.expected:.0%}) — "
        f"{escape(score.definition)}.")
    console.print(f"Dependence: {escape(result.dependence.text)}.")


def injection_table(result: ScoreResult) -> FittedTable:
    """Each injection: observed TTM, predicted p10–p50–p90, percentile, chances, verdict."""
    rows = []
    for r in result.injections:
        observed, predicted = r.observed, r.predicted
        ttm = predicted.ttm
        style = VERDICT_STYLE[r.verdict]
        hero = observed.hero_involved or observed.hero_consulted
        rows.append([
            escape(r.id),
            "gave up" if observed.abandoned else number(observed.ttm, 0),
            f"{number(ttm.p10, 0)}–{number(ttm.p50, 0)}–{number(ttm.p90, 0)}",
            number(r.ttm_percentile, 0),
            f"{'yes' if observed.escalated else 'no'} {predicted.escalation_chance:.0%}",
            f"{'yes' if hero else 'no'} {predicted.hero_chance:.0%}",
            f"[{style}]{VERDICT_LABEL[r.verdict]}[/{style}]",
        ])
    return new_table(
        "Injections: observed vs predicted", ["injection", "TTM", "predicted", "pct",
                                              "escalated", "hero", "verdict"],
        rows, left=1, drop=["escalated", "pct"],
        caption="TTM: minutes to mitigate; predicted: its p10–p50–p90; pct: the observation's "
                "percentile among the predictions; escalated, hero: observed, then the model's "
                "chance (of reaching a hero: when one is reachable)")


def class_table(result: ScoreResult) -> FittedTable:
    """Per class: injections, hero pulled, mean percentile, and what the dependence is."""
    rows = [[escape(cid) + (" [dim](specialty)[/dim]" if c.specialty else ""),
             str(c.injections), str(c.hero_pulled), number(c.ttm_percentile_mean, 0),
             _dependence_label(c)] for cid, c in result.classes.items()]
    return new_table("Classes", ["class", "inj.", "hero pulled", "mean pct", "dependence"],
                     rows, left=1, drop=["mean pct"])


def _dependence_label(row: ClassScore) -> str:
    if not row.hero_pulled:
        return "[green]no hero[/green]"
    if row.specialty:
        return "specialty, as agreed"
    return "[red]default rescue[/red]"


def skill_table(result: ScoreResult) -> FittedTable:
    """The skill estimates as scenario values, before → after."""
    rows = []
    for u in result.skill_updates:
        before, after = u.scenario_before, u.scenario_after
        led = sum(e.led for e in u.evidence)
        rows.append([escape(u.person), escape(u.class_id),
                     f"{led}/{len(u.evidence) - led}",
                     f"{before.knowledge:.2f}→{after.knowledge:.2f}",
                     f"{before.confidence:.2f}→{after.confidence:.2f}"])
    return new_table("Skill estimates (scenario values)", ["person", "class", "led/handed on",
                                                           "knowledge", "confidence"],
                     rows, left=2, drop=["led/handed on"])
