"""`herosim compare`: which transfer plan gets the team independent, for the least hero time."""

from __future__ import annotations

from contextlib import nullcontext
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
    print_written,
)
from cli.format import FittedTable, new_table, number
from cli.options import Every, Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Weeks, Workers
from cli.people import plan_time_table, print_plan_findings
from cli.progress import DelayedProgress
from sim.analysis.cluster import cluster_address, dask_executor
from sim.analysis.compare import NO_PLAN, CompareResult, run_compare
from sim.analysis.replicate import Replications, default_workers
from sim.analysis.types import CompareDocument
from sim.errors import InputError, Problem
from sim.inputs.scenario import load_scenario
from sim.outputs.headline import compare_headline
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.markdown import compare_markdown, week_span
from sim.outputs.report import write_report
from sim.schema import Scenario


def compare(
    scenario: ScenarioArg,
    plan: Annotated[
        list[str],
        typer.Option(help="A plan file or the name of a plan in the scenario; repeat for each "
                     "candidate."),
    ],
    baseline: Annotated[
        str, typer.Option(help="What the others are measured against: 'none' (doing nothing, "
                          "added as a candidate) or one of the plans.")
    ] = NO_PLAN,
    weeks: Weeks = 26,
    every: Every = 4,
    reps: Reps = 20,
    seed: Seed = 0,
    workers: Workers = 0,
    dask: Annotated[
        Optional[str],
        typer.Option(help="Run on an existing Dask cluster: tcp://host:port (or set "
                     "HEROSIM_DASK). Needs pip install 'herosim\\[dask]'."),
    ] = None,
    format: Format = OutputFormat.TABLE,
    out: Out = Path("results"),
) -> None:
    """Compare transfer plans from the same starting team with common random numbers."""
    with handle_errors():
        model = load_scenario(scenario)
        plans = [load_plan_warning(ref, model) for ref in plan]
        names = [p.name for p in plans]
        _check_names(names, plan, baseline)
        address = cluster_address(dask)
        candidates = len(plans) + (1 if baseline == NO_PLAN else 0)
        cluster = dask_executor(address) if address else nullcontext((None, 0))
        with cluster as (executor, slots):
            local = workers or default_workers()
            with DelayedProgress(err_console, "Comparing", total=reps * candidates) as progress:
                result = run_compare(
                    Replications(model, reps, seed, slots or local, executor=executor,
                                 progress=progress.update),
                    plans, baseline=baseline, weeks=weeks, every=every,
                )
        as_json = format is OutputFormat.JSON
        print_answer(as_json, lambda: print_compare(result), compare_headline(result.document))
        folder = write_compare(result, scenario, plan, out, model)
    print_written(result.to_json(), folder, as_json)


def _check_names(names: list[str], refs: list[str], baseline: str) -> None:
    problems = []
    seen: dict[str, str] = {}
    for name, ref in zip(names, refs):
        if name == NO_PLAN:
            problems.append(Problem(ref, "name", repr(name),
                                    f"'{NO_PLAN}' is reserved for doing nothing; rename the plan"))
        elif name in seen:
            problems.append(Problem(ref, "name", repr(name),
                                    f"two candidate plans are called '{name}' ({seen[name]} and "
                                    f"{ref}); give each plan its own name"))
        seen.setdefault(name, ref)
    if baseline != NO_PLAN and baseline not in names:
        problems.append(Problem("command line", "--baseline", repr(baseline),
                                f"the baseline must be '{NO_PLAN}' or one of the compared plans: "
                                f"{', '.join(names)}"))
    if problems:
        raise InputError(problems)


def write_compare(result: CompareResult, scenario_path: Path, refs: list[str], root: Path,
                  model: Scenario) -> Path:
    """Write journal, compare.json, compare.md and report.html; return the folder."""
    doc = result.document
    with ResultsFolder(
        root, f"{doc.scenario}-compare", command_line(), doc.seed,
        model.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "plans": refs, "baseline": doc.baseline},
        kind="compare",
    ) as folder:
        folder.write_json("compare.json", result.to_json())
        folder.write_text("compare.md", compare_markdown(doc))
        write_report(folder.partial, folder.journal)
        return folder.complete(verdict=doc.ranking[0].plan)


def print_compare(result: CompareResult) -> None:
    """The comparison as a rich table, the ranking and each plan against the baseline."""
    doc = result.document
    console.print(
        f"[bold]{escape(doc.scenario)}[/bold]: {len(doc.plans)} plans over "
        f"{doc.weeks} weeks, {doc.replications} replications with common random numbers "
        f"(seed {doc.seed}); baseline: {escape(doc.baseline)}.\n"
    )
    console.print(plans_table(doc))
    console.print(plan_time_table(doc))
    console.print("[bold]Ranking[/bold] — " + escape(doc.rule))
    for entry in doc.ranking:
        line = f"{entry.rank}. [bold]{escape(entry.plan)}[/bold]"
        if entry.difference is not None and entry.next is not None:
            diff = entry.difference
            style = "green" if diff.beyond_noise else "yellow"
            line += (f" vs {escape(entry.next)}: [{style}]{escape(diff.verdict)}"
                     f"[/{style}]")
        print_item(line)
    for row in doc.plans:
        if row.vs_baseline:
            v = row.vs_baseline
            style = "green" if v.beyond_noise else "yellow"
            print_item(f"{escape(row.plan)} vs baseline: [{style}]{escape(v.verdict)}"
                       f"[/{style}]")
    print_plan_findings(doc)


def plans_table(doc: CompareDocument) -> FittedTable:
    """The plans at the end, in ranking order."""
    rows = []
    for row in doc.ranked_plans:
        change = row.hero_interruptions_change
        critical = row.effective_responders_critical_end
        rows.append([
            escape(row.plan),
            escape(week_span(row.time_to_independence, short=True)),
            f"{number(row.hero_hours.mean, 0)}/{number(row.learner_hours.mean, 0)}",
            f"{number(row.hero_interruptions_per_week_end.mean)} "
            f"({'+' if change.mean >= 0 else ''}{number(change.mean)})",
            number(row.absent_p90_end, 0),
            f"{number(row.absent_breach_rate_end, 0, 100, '%')} "
            f"(+{number(row.added_breach_rate_end, 0, 100)})",
            " ".join(number(v) for v in critical.values()) or "–",
        ])
    return new_table(
        "Plans at the end, in ranking order (means over replications)",
        ["plan", "independent", "hours hero/ learner", "hero int./ week (vs base)",
         "p90 w/o hero", "breach absent (+)", "resp. crit."],
        rows, left=1, drop=["hero int./ week (vs base)", "p90 w/o hero", "resp. crit."],
        caption="independent: week [95% interval], or no (share of resamples reaching it "
                f"within {doc.weeks} weeks); p90 w/o hero: p90 time to mitigate with the heroes "
                "absent, in minutes; breach absent: SLO breach rate with the heroes absent "
                "(points the absence adds); resp. crit.: non-hero effective responders per "
                "critical service ("
                + ", ".join(doc.plans[0].effective_responders_critical_end) + ")")
