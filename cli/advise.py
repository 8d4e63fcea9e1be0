"""`herosim advise`: what keeps summoning the hero, and what to transfer first."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml
from rich.markup import escape

from cli.check import VERDICT_LABEL, VERDICT_STYLE
from cli.common import (
    EXIT_FAILED,
    console,
    csv_text,
    err_console,
    handle_errors,
    print_answer,
    print_item,
    print_written,
    write_file,
)
from cli.format import new_table, number
from cli.options import Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Workers
from cli.people import print_findings
from cli.progress import DelayedProgress
from sim.analysis.advise import (
    CHECK_EVERY,
    CHECK_REPLICATIONS,
    CHECK_WEEKS,
    AdviseResult,
    run_advise,
)
from sim.analysis.advise.improvements import improvement_plan
from sim.analysis.advise.pack import knowledge_pack
from sim.analysis.replicate import Replications, default_workers
from sim.analysis.types import ClassAttribution
from sim.analysis.types.artifacts import ImprovementPlan, KnowledgePack
from sim.errors import InputError, Problem
from sim.inputs.history import load_history
from sim.inputs.scenario import load_scenario
from sim.outputs.artifacts_md import (
    IMPROVEMENT_CSV_COLUMNS,
    improvement_csv_rows,
    improvements_markdown,
    pack_pages,
)
from sim.outputs.headline import advise_headline
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.report import write_report
from sim.outputs.report_advise import (
    CAUSE_LABEL,
    advise_markdown,
    attribution_rows,
    check_command,
    proposal_rows,
)
from sim.schema import Scenario


def advise(
    scenario: ScenarioArg,
    budget_hero_hours: Annotated[
        Optional[float], typer.Option(
            min=0.0, max=100_000.0,
            help="Hero hours the proposed plan may cost over --check-weeks; default: the "
                 "heroes' transfer_hours_per_week x --check-weeks.")
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=520,
                                       help="Weeks each candidate of the ranking runs "
                                       "before the hero-absent replay.")] = 12,
    reps: Reps = 12,
    check_weeks: Annotated[int, typer.Option(
        min=1, max=520, help="Weeks of the proposal and of its check (herosim check "
        "--weeks).")] = CHECK_WEEKS,
    check_reps: Annotated[int, typer.Option(
        min=1, max=100_000, help="Replications of the proposal's check (herosim check "
        "--reps).")] = CHECK_REPLICATIONS,
    check_every: Annotated[int, typer.Option(
        min=1, max=520, help="Weeks between the check's checkpoints (herosim check "
        "--every).")] = CHECK_EVERY,
    propose: Annotated[bool, typer.Option(
        help="Search for a plan that passes its own check (--no-propose: the attribution, "
        "the ranking and the artifacts only; exit 0).")] = True,
    seed: Seed = 0,
    workers: Workers = 0,
    format: Format = OutputFormat.TABLE,
    write_plan: Annotated[
        Optional[Path], typer.Option(help="Write the proposed plan here (YAML), for "
                                     "`check --plan` and `compare --plan`.")
    ] = None,
    write_pack: Annotated[
        Optional[Path], typer.Option(help="Write the knowledge pack (one draft markdown "
                                     "page per hero-dependent class) into this folder.")
    ] = None,
    write_improvements: Annotated[
        Optional[Path], typer.Option(help="Write the anti-heroics improvement plan (the "
                                     "structural fixes, evidence, effect, hours, owner) "
                                     "here: .md, or .csv for a tracker.")
    ] = None,
    history: Annotated[
        Optional[Path], typer.Option(help="Incident history (PagerDuty export, as `herosim "
                                     "map` reads): the pack and the improvement plan cite "
                                     "its real incidents.")
    ] = None,
    out: Out = Path("results"),
) -> None:
    """Why is the hero pulled, what to transfer first, and a plan that passes its own check.

    Exit 0 when the proposal passes `herosim check` within the budget (or today's team passes
    without one, or with --no-propose), 1 when it does not (the output says what budget or how
    many weeks would), 2 on bad input.
    """
    with handle_errors():
        model = load_scenario(scenario)
        _check_targets(write_plan, write_pack, write_improvements)
        past = load_history(history) if history is not None else None
        workers = workers or default_workers()
        with DelayedProgress(err_console, "Advising", total=None) as progress:
            result = run_advise(
                Replications(model, reps, seed, workers, progress=progress.update),
                budget_hero_hours=budget_hero_hours, weeks=weeks, propose=propose,
                check_weeks=check_weeks, check_reps=check_reps, check_every=check_every)
        artifacts = Artifacts(
            improvements=improvement_plan(result.document, model, past)
            if write_improvements is not None else None,
            pack=knowledge_pack(result.document, model, past) if write_pack is not None
            else None)
        as_json = format is OutputFormat.JSON
        print_answer(as_json, lambda: print_advise(result), advise_headline(result.document))
        folder = write_advise(result, scenario, out, model, artifacts, history)
        if write_plan is not None and result.plan is not None:
            write_file(write_plan, plan_yaml(result, scenario))
        if artifacts.pack is not None and write_pack is not None:
            write_pack.mkdir(parents=True, exist_ok=True)
            for name, text in pack_pages(artifacts.pack).items():
                write_file(write_pack / name, text)
        if artifacts.improvements is not None and write_improvements is not None:
            _write_improvements(write_improvements, artifacts.improvements)
    print_written(result.to_json(), folder, as_json)
    if write_plan is not None:
        err_console.print(f"plan: {write_plan}" if result.plan is not None
                          else "no plan proposed: nothing written to --write-plan")
    if write_improvements is not None and artifacts.improvements is not None:
        err_console.print(f"improvement plan: {write_improvements} "
                          f"({len(artifacts.improvements.improvements)} structural fixes)")
    if write_pack is not None and artifacts.pack is not None:
        err_console.print(f"knowledge pack: {write_pack} ({len(artifacts.pack.pages)} draft "
                          "pages)")
    if propose and not result.passed:
        raise typer.Exit(EXIT_FAILED)


@dataclass(frozen=True)
class Artifacts:
    """What advise writes for people besides advise.json, when asked."""

    improvements: ImprovementPlan | None = None
    pack: KnowledgePack | None = None


def _write_improvements(path: Path, plan: ImprovementPlan) -> None:
    if path.suffix.lower() == ".csv":
        write_file(path, csv_text(IMPROVEMENT_CSV_COLUMNS, improvement_csv_rows(plan)))
    else:
        write_file(path, improvements_markdown(plan))


def _check_targets(write_plan: Path | None, write_pack: Path | None,
                   write_improvements: Path | None = None) -> None:
    problems = []
    if write_improvements is not None:
        if write_improvements.suffix.lower() not in (".md", ".csv"):
            problems.append(Problem("command line", "--write-improvements",
                                    str(write_improvements),
                                    "the improvement plan is written as .md or .csv: end the "
                                    "file name in one of them"))
        elif not write_improvements.parent.is_dir():
            problems.append(Problem("command line", "--write-improvements",
                                    str(write_improvements), "its folder does not exist"))
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


def plan_yaml(result: AdviseResult, scenario_path: Path | str = "SCENARIO") -> str:
    """The proposed plan as a plan file (YAML), with a header saying how to check it and what
    its check said."""
    assert result.plan is not None
    doc = result.document
    header = ["# Proposed by `herosim advise`. Check it with:",
              f"#   {check_command(doc, str(scenario_path), 'THIS_FILE')}"]
    if doc.proposal is not None:
        header += ["#"] + [f"# {line}" for line in _wrap(doc.proposal.line, 88)]
    return "\n".join(header) + "\n" + yaml.safe_dump(
        result.plan.model_dump(mode="json", exclude_none=True), sort_keys=False)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]


def write_advise(result: AdviseResult, scenario_path: Path, root: Path, model: Scenario,
                 artifacts: Artifacts | None = None, history: Path | None = None) -> Path:
    """Write journal, advise.json, advise.md and report.html (and improvements.json,
    pack.json when asked); return the folder."""
    doc = result.document
    artifacts = artifacts or Artifacts()
    extra = {"scenario_file": str(scenario_path), "budget_hero_hours": doc.budget_hero_hours,
             "weeks": doc.weeks}
    if history is not None:
        extra["history_file"] = str(history)
    with ResultsFolder(
        root, f"{doc.scenario}-advise", command_line(), doc.seed,
        model.model_dump(mode="json", exclude_none=True), extra=extra, kind="advise",
    ) as folder:
        folder.write_json("advise.json", result.to_json())
        folder.write_text("advise.md", advise_markdown(doc))
        if artifacts.improvements is not None:
            folder.write_json("improvements.json", artifacts.improvements.to_json())
            folder.write_text("improvements.md", improvements_markdown(artifacts.improvements))
        if artifacts.pack is not None:
            folder.write_json("pack.json", artifacts.pack.to_json())
        write_report(folder.partial, folder.journal)
        return folder.complete(verdict=_verdict(result))


def _verdict(result: AdviseResult) -> str:
    """The journal's verdict: what the proposal comes to."""
    proposal = result.document.proposal
    if proposal is None:
        return "no proposal"
    if proposal.passes and proposal.within_budget:
        return "passes" if proposal.plan is not None else "no plan needed"
    if proposal.passes:
        return f"needs {proposal.needed_budget_hero_hours:g} hero hours"
    return "does not pass" + (f" (passes in {proposal.weeks_needed} weeks)"
                              if proposal.weeks_needed else "")


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
    print_proposal(result)
    verdicts = [f"{escape(cid)}: {r.verdict}" for cid, r in doc.classes.items()
                if r.verdict != "covered"]
    if verdicts:
        console.print("[bold]Specialty or default rescue[/bold] (true specialty: only "
                      "specialists should handle it; default rescue: the hero is pulled in "
                      "where others could learn it):")
        for line in verdicts:
            print_item(line)
    print_findings(doc.findings, "The proposal against people's time and the playbook")


def print_proposal(result: AdviseResult) -> None:
    """The proposal: its moves, its check beside today's team, and what it comes to."""
    doc = result.document
    proposal = doc.proposal
    if proposal is None:
        return
    if proposal.moves:
        exact = doc.check.replications if doc.check else "-"
        console.print(f"[bold]Proposed plan[/bold] (search: {proposal.evaluations} plans read "
                      f"on {proposal.search_replications} replications, or {exact} when read "
                      "exactly):")
        for move in proposal.moves:
            print_item(f"[bold]{escape(move.name)}[/bold]: {escape(move.description)}")
    check = doc.check
    if check is not None:
        rows = []
        for row in proposal_rows(doc):
            verdict, before = row[2], row[1]
            style = VERDICT_STYLE.get(verdict, "")
            rows.append([escape(row[0]), VERDICT_LABEL.get(before, before),
                         f"[{style}]{VERDICT_LABEL.get(verdict, verdict)}[/{style}]",
                         *row[3:6], "[red]worse[/red]" if row[6] else ""])
        console.print(new_table(
            f"Its check ({check.weeks} weeks, {check.replications} replications, seed "
            f"{check.seed}) beside today's team",
            ["class", "today", "plan", "p90 ratio", "breach +", "resp.", ""], rows, left=1,
            caption="p90 ratio: hero-absent / hero-present p90 time to mitigate, today→plan; "
                    "breach +: SLO breaches the absence adds; resp.: non-hero effective "
                    "responders; *: specialty (reported apart)"))
    style = "green" if result.passed else "red"
    console.print(f"[bold {style}]{escape(proposal.line)}[/bold {style}]")
