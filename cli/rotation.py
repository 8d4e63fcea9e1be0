"""`herosim rotation`: the on-call rotation week by week as a plan changes it, as CSV and
iCalendar, with each person's expected load."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err_console, handle_errors, show
from cli.format import new_table
from cli.options import Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Weeks, Workers
from cli.progress import DelayedProgress
from sim.analysis.replicate import Replications, default_workers
from sim.analysis.rotation import run_rotation
from sim.analysis.types.rotation import RotationDocument
from sim.inputs.scenario import load_plan, load_scenario
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.report import write_report
from sim.outputs.report_rotation import PERSON_COLUMNS, holders, person_rows
from sim.outputs.rotation_files import SHIFT_COLUMNS, rotation_ics, shift_rows
from sim.schema import Plan, Scenario


def rotation(
    scenario: ScenarioArg,
    plan: Annotated[
        Optional[str],
        typer.Option(help="Plan file, or the name of a plan in the scenario's `plans`, whose "
                     "actions change the rotation. Without one: the rotation as it is."),
    ] = None,
    weeks: Weeks = 12,
    reps: Reps = 20,
    seed: Seed = 0,
    workers: Workers = 0,
    format: Format = OutputFormat.TABLE,
    out: Out = Path("results"),
) -> None:
    """Who is primary, secondary and shadow each week, and what it costs each person; written
    as rotation.csv and rotation.ics (import it into a calendar) in the results folder."""
    with handle_errors():
        model = load_scenario(scenario)
        chosen = load_plan(plan, model) if plan else None
        workers = workers or default_workers()
        with DelayedProgress(err_console, "Laying out the rotation", total=reps) as progress:
            doc = run_rotation(Replications(model, reps, seed, min(workers, reps),
                                            progress=progress.update), chosen, weeks)
        folder = write_rotation(doc, model, chosen, scenario, plan, out)
    show(doc.to_json(), folder, format is OutputFormat.JSON, lambda: print_rotation(doc))


def write_rotation(doc: RotationDocument, scenario: Scenario, plan: Plan | None,
                   scenario_path: Path, plan_ref: str | None, root: Path) -> Path:
    """Write rotation.json, rotation.csv, rotation.ics, report.html and the journal."""
    with ResultsFolder(
        root, f"{scenario.name}-rotation", command_line(), doc.seed,
        scenario.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "plan": plan_ref, "weeks": doc.weeks,
               "plan_definition": plan.model_dump(mode="json") if plan else None},
        kind="rotation",
    ) as folder:
        folder.write_json("rotation.json", doc.to_json())
        folder.write_csv("rotation.csv", SHIFT_COLUMNS, shift_rows(doc))
        folder.write_text("rotation.ics", rotation_ics(doc, folder.started))
        write_report(folder.partial, folder.journal)
        verdict = "; ".join(f.kind for f in doc.flags) or "no warnings"
        return folder.complete(verdict=verdict)


def print_rotation(doc: RotationDocument) -> None:
    """The weekly table, the per-person table and the warnings."""
    console.print(f"[bold]{escape(doc.scenario)}[/bold]: {doc.weeks} weeks from "
                  f"{doc.start_date}, plan {escape(doc.plan or 'none')}.")
    layers = [layer for layer in ("primary", "secondary", "shadow") if layer in doc.layers]
    rows = [[str(w.week), w.start[5:]] + [escape(holders(getattr(w, layer)))
                                          for layer in layers]
            for w in doc.week_rows]
    console.print(new_table("Week by week", ["wk", "from", *layers], rows,
                            left=2 + len(layers)))
    console.print(new_table(
        f"Per person over {doc.weeks} weeks (pages: expected, {doc.replications} "
        "replications)", PERSON_COLUMNS, [[escape(c) for c in row] for row in person_rows(doc)],
        left=2, caption="hero: for a hero, times paged or pulled; for others, incidents they "
        "acknowledged that a hero took part in"))
    for flag in doc.flags:
        console.print(f"[yellow]![/yellow] {escape(flag.message)}")
