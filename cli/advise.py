"""`herosim advise`: what keeps summoning the hero, and what to transfer first."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml
from rich.markup import escape

from cli.common import console, err_console, handle_errors, print_answer, print_item, print_written
from cli.format import new_table, number
from cli.options import Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Workers
from cli.progress import DelayedProgress
from sim.analysis.advise import AdviseResult, run_advise
from sim.analysis.replicate import Replications, default_workers
from sim.analysis.types import ClassAttribution
from sim.errors import InputError, Problem
from sim.inputs.scenario import load_scenario
from sim.outputs.headline import advise_headline
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.report_advise import CAUSE_LABEL, advise_markdown, attribution_rows, pack_pages
from sim.schema import Scenario


def advise(
    scenario: ScenarioArg,
    budget_hero_hours: Annotated[
        float, typer.Option(min=0.0, max=10_000.0,
                            help="Hero hours the proposed plan may cost over the weeks.")
    ] = 40.0,
    weeks: Annotated[int, typer.Option(min=1, max=520,
                                       help="Weeks each candidate runs before the "
                                       "hero-absent replay.")] = 12,
    reps: Reps = 12,
    seed: Seed = 0,
    workers: Workers = 0,
    format: Format = OutputFormat.TABLE,
    write_plan: Annotated[
        Optional[Path], typer.Option(help="Write the proposed plan here (YAML), for "
                                     "`check --plan` and `compare --plan`.")
    ] = None,
    write_pack: Annotated[
        Optional[Path], typer.Option(help="Write the knowledge pack outline (one markdown "
                                     "page per hero-dependent class) into this folder.")
    ] = None,
    out: Out = Path("results"),
) -> None:
    """Why is the hero pulled, and which transfer cuts hero-absent risk most per hero hour?"""
    with handle_errors():
        model = load_scenario(scenario)
        _check_targets(write_plan, write_pack)
        workers = workers or default_workers()
        with DelayedProgress(err_console, "Advising", total=None) as progress:
            result = run_advise(
                Replications(model, reps, seed, workers, progress=progress.update),
                budget_hero_hours=budget_hero_hours, weeks=weeks)
        as_json = format is OutputFormat.JSON
        print_answer(as_json, lambda: print_advise(result), advise_headline(result.document))
        folder = write_advise(result, scenario, out, model)
        if write_plan is not None and result.plan is not None:
            write_plan.write_text(plan_yaml(result))
        if write_pack is not None:
            write_pack.mkdir(parents=True, exist_ok=True)
            for name, text in pack_pages(result.document, model).items():
                (write_pack / name).write_text(text)
    print_written(result.to_json(), folder, as_json)
    if write_plan is not None:
        err_console.print(f"plan: {write_plan}" if result.plan is not None
                          else "no plan proposed: nothing written to --write-plan")


def _check_targets(write_plan: Path | None, write_pack: Path | None) -> None:
    problems = []
    if write_plan is not None:
        if write_plan.suffix.lower() not in (".yaml", ".yml"):
            problems.append(Problem("command line", "--write-plan", str(write_plan),
                                    "the plan file must end in .yaml or .yml"))
        elif not write_plan.parent.is_dir():
            problems.append(Problem("command line", "--write-plan", str(write_plan),
                                    "its folder does not exist"))
    if write_pack is not None and write_pack.exists() and not write_pack.is_dir():
        problems.append(Problem("command line", "--write-pack", str(write_pack),
                                "exists and is not a folder"))
    if problems:
        raise InputError(problems)


SHORT = {"knowledge": "kn", "confidence": "co", "requires": "rq", "rotation": "ro",
         "routing": "rt", "noise": "no", "change_gate": "cg", "change_lead": "cl"}


def _short_causes(row: ClassAttribution) -> str:
    """The causes of a class, largest first, as 'kn 46% co 46%'."""
    ranked = sorted(row.causes.items(), key=lambda kv: -kv[1].share)
    return " ".join(f"{SHORT[c]} {v.share:.0%}" for c, v in ranked if v.share >= 0.005)


def plan_yaml(result: AdviseResult) -> str:
    """The proposed plan as a plan file (YAML), with a header saying how to check it."""
    assert result.plan is not None
    header = "# Proposed by `herosim advise`; check it with `herosim check --plan THIS_FILE`.\n"
    return header + yaml.safe_dump(result.plan.model_dump(mode="json", exclude_none=True),
                                   sort_keys=False)


def write_advise(result: AdviseResult, scenario_path: Path, root: Path, model: Scenario
                 ) -> Path:
    """Write journal, advise.json and advise.md; return the folder."""
    doc = result.document
    with ResultsFolder(
        root, f"{doc.scenario}-advise", command_line(), doc.seed,
        model.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "budget_hero_hours":
               doc.budget_hero_hours, "weeks": doc.weeks},
        kind="advise",
    ) as folder:
        folder.write_json("advise.json", result.to_json())
        folder.write_text("advise.md", advise_markdown(doc))
        top = doc.candidates[0].name if doc.candidates else None
        return folder.complete(verdict=top)


def print_advise(result: AdviseResult, limit: int = 15) -> None:
    """The advice as rich tables: attribution, the top candidates, the proposal."""
    doc = result.document
    console.print(
        f"[bold]{escape(doc.scenario)}[/bold]: {doc.weeks} weeks, {doc.replications} "
        f"replications (seed {doc.seed}), budget {doc.budget_hero_hours:g} hero hours.\n")
    console.print(new_table(
        "Why the hero is pulled today (per class; causes as shares of hero interruptions)",
        ["class", "hero in", "int./wk", "h/wk", "causes"],
        [[escape(str(c)) for c in row[:4]] + [_short_causes(doc.attribution[row[0]])]
         for row in attribution_rows(doc)], left=1, drop=["h/wk"],
        caption="causes: " + ", ".join(f"{SHORT[c]} {CAUSE_LABEL[c]}" for c in SHORT)))
    rows = []
    for r in doc.candidates[:limit]:
        red, per = r.figures.reduction, r.figures.per_hero_hour
        rows.append([str(r.rank), escape(r.name),
                     f"{number(red.mean, 0)} [{number(red.low, 0)} to {number(red.high, 0)}]",
                     f"{number(per.mean, 1)}", number(r.figures.hero_hours, 0),
                     number(r.figures.learner_hours, 0)])
    console.print(new_table(
        f"Candidates by risk reduction per hero hour (top {min(limit, len(rows))} of "
        f"{len(doc.candidates)})",
        ["#", "candidate", "risk cut [95%]", "per hero h", "hero h", "lrn h"],
        rows, left=2, drop=["lrn h", "risk cut [95%]"],
        caption=escape(doc.risk_definition) + "; doing nothing: "
        + number(doc.baseline_risk.mean)))
    plan = doc.proposal.plan
    if plan is None:
        console.print("No candidate lowered the risk within the budget: nothing proposed.")
    else:
        console.print(f"[bold]Proposed plan[/bold]: {escape(plan['description'])}")
    if doc.check:
        console.print(escape(doc.check.line))
    verdicts = [f"{escape(cid)}: {r.verdict}" for cid, r in doc.classes.items()
                if r.verdict != "covered"]
    if verdicts:
        console.print("[bold]Specialty or default rescue[/bold] (true specialty: only "
                      "specialists should handle it; default rescue: the hero is pulled in "
                      "where others could learn it):")
        for line in verdicts:
            print_item(line)
