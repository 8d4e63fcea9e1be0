"""`herosim check`: the independence check, as a gate a pipeline can use (exit 0/1/2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import (
    EXIT_FAILED,
    console,
    err_console,
    handle_errors,
    load_plan_warning,
    print_answer,
    print_item,
    print_written,
)
from cli.format import FittedTable, new_table, number
from cli.options import Every, Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Weeks, Workers
from cli.people import (
    budget_table,
    drift_table,
    hero_time_table,
    next_out_line,
    people_table,
    print_findings,
)
from cli.progress import DelayedProgress
from sim.analysis.independence import CheckResult, run_check
from sim.analysis.replicate import Replications, default_workers
from sim.analysis.types import CheckDocument, Checkpoint
from sim.analysis.whatif import check_people
from sim.errors import InputError, Problem
from sim.inputs.scenario import load_scenario
from sim.outputs.headline import check_headline
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.markdown import independence_markdown, week_span
from sim.outputs.report import write_report

VERDICT_STYLE = {"independent": "green", "partly": "yellow", "hero-dependent": "red"}
# Short labels keep the class table within 80 columns.
VERDICT_LABEL = {"independent": "indep.", "partly": "partly", "hero-dependent": "HERO"}


def check(
    scenario: ScenarioArg,
    plan: Annotated[
        Optional[str],
        typer.Option(help="Plan file, or the name of a plan in the scenario's `plans`. "
                     "Without one: today's team."),
    ] = None,
    weeks: Weeks = 26,
    every: Every = 4,
    reps: Reps = 20,
    seed: Seed = 0,
    workers: Workers = 0,
    format: Format = OutputFormat.TABLE,
    out: Out = Path("results"),
    also_without: Annotated[
        Optional[list[str]],
        typer.Option(help="Also replay each checkpoint without the heroes and this person (the "
                     "next person out); repeat for several."),
    ] = None,
) -> None:
    """Is the team independent of its heroes, and from which week of the plan?

    Exit 0 when the last checkpoint passes, 1 when it does not, 2 on bad input.
    """
    with handle_errors():
        model = load_scenario(scenario)
        chosen = load_plan_warning(plan, model) if plan else None
        next_out = tuple(dict.fromkeys(also_without or ()))
        _check_next_out(model, next_out)
        workers = workers or default_workers()
        with DelayedProgress(err_console, "Checking", total=reps) as progress:
            result = run_check(
                Replications(model, reps, seed, min(workers, reps), progress=progress.update),
                chosen, weeks=weeks, every=every, also_without=next_out)
        as_json = format is OutputFormat.JSON
        print_answer(as_json, lambda: print_check(result), check_headline(result.document))
        folder = write_check(result, scenario, plan, out)
    print_written(result.to_json(), folder, as_json)
    if not result.passed:
        raise typer.Exit(EXIT_FAILED)


def _check_next_out(model, people: tuple[str, ...]) -> None:
    """The next people out are people of the scenario, and not its heroes."""
    check_people(model, people, "--also-without")
    heroes = [p for p in people if p in model.heroes]
    if heroes:
        raise InputError([Problem("command line", "--also-without", repr(p),
                                  "a hero is absent in the check's second arm already; name "
                                  "someone else (the next person out)") for p in heroes])


def write_check(result: CheckResult, scenario_path: Path, plan_ref: str | None,
                root: Path = Path("results")) -> Path:
    """Write journal, independence.json, independence.md and report.html; return the folder."""
    spec = result.spec
    name = spec.scenario.name + (f"-{spec.plan.name}" if spec.plan else "") + "-check"
    with ResultsFolder(
        root, name, command_line(), spec.seed,
        spec.scenario.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "plan": plan_ref,
               "plan_definition": spec.plan.model_dump(mode="json") if spec.plan else None},
        kind="check",
    ) as folder:
        folder.write_json("independence.json", result.to_json())
        folder.write_text("independence.md", independence_markdown(result.document))
        write_report(folder.partial, folder.journal)
        return folder.complete(verdict=result.document.final.verdict)


def print_check(result: CheckResult) -> None:
    """The check as rich tables: checkpoints, classes at the end, releases, the verdict."""
    doc = result.document
    plan = f"plan [bold]{escape(doc.plan)}[/bold]" if doc.plan else "no plan (today's team)"
    console.print(
        f"[bold]{escape(doc.scenario)}[/bold] — {plan}: "
        f"{doc.weeks} weeks, {doc.replications} replications, seed {doc.seed}; each "
        f"checkpoint replays {doc.evaluation_days} days with heroes "
        f"({escape(', '.join(doc.heroes) or 'none named')}) present and absent.\n"
    )
    console.print(checkpoint_table(doc))
    last = doc.checkpoints[-1]
    console.print(class_table(last, f"Classes at week {last.week}"))
    line = next_out_line(doc)
    if line:
        console.print(line)
    if last.releases is not None:
        r = last.releases
        style = VERDICT_STYLE[r.verdict]
        failures = shift(r.present.failure_rate, r.absent.failure_rate, 0, 100, "%")
        console.print(
            f"Releases at week {last.week}: p90 delay "
            f"{shift(r.present.delay_p90_hours, r.absent.delay_p90_hours)} h, "
            f"change-failure rate {failures}"
            f" (hero present→absent): [{style}]{r.verdict}[/{style}]")
    final = doc.final
    style = "green" if final.passed else "red"
    console.print(f"[bold {style}]Verdict: {final.verdict}[/bold {style}] at week "
                  f"{final.week}. Time to independence: "
                  f"{escape(week_span(doc.time_to_independence, weeks=doc.weeks))}.")
    for item in final.holding_back:
        print_item(f"[bold]{escape(item.class_id)}[/bold] ({item.verdict}):")
        for reason in item.reasons:
            print_item(f"- {escape(reason)}", 4)
    for cid, verdict in final.specialty.items():
        print_item(f"specialty [bold]{escape(cid)}[/bold]: {verdict} (reported apart)")
    print_people(doc)


def print_people(doc: CheckDocument) -> None:
    """The hero's time, each person's picture, the budget, the drift, the findings."""
    if len(doc.checkpoints) > 1 and doc.heroes:
        console.print(hero_time_table(doc))
    console.print(people_table(doc.checkpoints[-1], doc.heroes, doc.evaluation_days))
    if doc.plan_review is not None:
        table = budget_table(doc.plan_review.budget)
        if table is not None:
            console.print(table)
    if doc.sustainment is not None and len(doc.checkpoints) > 1:
        console.print(drift_table(doc.sustainment, [cp.week for cp in doc.checkpoints]))
    print_findings(doc.findings)


def shift(here, gone, digits: int = 0, scale: float = 1.0, suffix: str = "") -> str:
    """'here→gone' of a hero-present and a hero-absent figure."""
    return f"{number(here, digits, scale, suffix)}→{number(gone, digits, scale, suffix)}"


def checkpoint_table(doc: CheckDocument) -> FittedTable:
    """One row per checkpoint: passes, pooled p90 and hand-offs present→absent, hero load."""
    rows = []
    for cp in doc.checkpoints:
        overall = cp.overall
        classes = [r for r in cp.classes.values() if not r.specialty]
        independent = sum(r.verdict == "independent" for r in classes)
        rows.append([
            str(cp.week), "[green]yes[/green]" if cp.passed else "[red]no[/red]",
            shift(overall.present_p90, overall.absent_p90),
            number(overall.p90_ratio, 2),
            shift(overall.present_escalations_per_incident,
                  overall.absent_escalations_per_incident, 1),
            number(cp.hero_interruptions_per_week.mean, 1),
            number(cp.plan_hero_hours.mean, 0),
            f"{independent}/{len(classes)}",
        ])
    return new_table(
        "Independence by checkpoint (hero present→absent, pooled across replications)",
        ["week", "passes", "TTM p90 min", "ratio", "hand-offs /incident", "hero int. /week",
         "plan hero hours", "classes indep."],
        rows, left=2, drop=["hand-offs /incident", "plan hero hours", "TTM p90 min"])


def class_table(checkpoint: Checkpoint, title: str) -> FittedTable:
    """One row per class at a checkpoint: verdict and the criteria's figures."""
    rows = []
    for cid, row in checkpoint.classes.items():
        style = VERDICT_STYLE[row.verdict]
        present, absent = row.present, row.absent
        rows.append([
            escape(cid) + (" *" if row.specialty else ""),
            f"[{style}]{VERDICT_LABEL[row.verdict]}[/{style}]",
            shift(present.ttm_p90, absent.ttm_p90), number(row.p90_ratio, 2),
            number(row.added_breach_rate, 0, 100, "%"),
            shift(present.escalations_per_incident, absent.escalations_per_incident, 1),
            number(present.informal_per_incident, 2),
            number(row.effective_responders),
        ])
    return new_table(
        f"{title} (hero present→absent)",
        ["class", "verdict", "TTM p90 min", "ratio", "breach +", "hand-offs", "pulls /inc",
         "resp."], rows, left=2, drop=["pulls /inc", "hand-offs", "TTM p90 min"],
        caption="*: specialty class (reported apart); indep./partly/HERO: independent, partly, "
                "hero-dependent; breach +: SLO breaches the absence adds; hand-offs: "
                "escalations per incident; pulls: informal pulls per incident (present); "
                "resp.: non-hero effective responders")
