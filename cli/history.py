"""`herosim map`, `herosim calibrate`, `herosim generate`: from incident history to a scenario.

Also the helpers `herosim run --replay` uses (`load_replay`, `print_replay`).
"""

from __future__ import annotations

import re
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err_console, handle_errors, show
from cli.format import new_table, number
from sim.analysis.calibrate import Consistency, ReplayComparison, replay_arrivals
from sim.analysis.calibrate import calibrate as fit_scenario
from sim.analysis.heromap import HeroMap, hero_map
from sim.analysis.replicate import default_workers
from sim.errors import InputError, Problem
from sim.inputs.generate import CSV_COLUMNS, csv_rows, generate_org
from sim.inputs.history import (
    History,
    ImportReport,
    load_history,
    load_mapping,
    parse_class_patterns,
    parse_column_options,
)
from sim.outputs.calibration_yaml import calibration_yaml
from sim.outputs.heromap_md import heromap_markdown
from sim.outputs.journal import ResultsFolder, command_line, dump_json
from sim.outputs.report import write_report
from sim.schema import IDENTIFIER_PATTERN, Scenario, check_zone


class Grouping(str, Enum):
    """How the hero map groups incidents."""

    SERVICE = "service"
    CLASS = "class"


class OutputFormat(str, Enum):
    """What a command prints: tables, or the JSON document."""

    TABLE = "table"
    JSON = "json"


MappingOption = Annotated[Optional[Path], typer.Option(
    "--mapping", help="Column-mapping file (YAML/JSON) for a generic CSV: "
    "{columns: {created_at: opened, ...}, list_separator, timezone}.")]
ColumnOption = Annotated[Optional[list[str]], typer.Option(
    "--column", help="Map a generic CSV column onto a PagerDuty field: FIELD=COLUMN "
    "(repeat; overrides --mapping).")]
PatternOption = Annotated[Optional[list[str]], typer.Option(
    "--class-pattern", help="Class from the description: NAME=REGEX (repeat; first match "
    "wins, else the incident type, else the service).")]
StrictOption = Annotated[bool, typer.Option(
    "--strict", help="Fail on the first bad row instead of skipping it.")]
ZoneOption = Annotated[str, typer.Option(
    "--timezone", help="The team's time zone (hour classes, schedule hand-offs).")]


def read_history(path: Path, mapping: Path | None, columns: list[str] | None,
                 patterns: list[str] | None, strict: bool) -> History:
    """Parse the import options and load the history (raises InputError)."""
    column_map = parse_column_options(columns or [])
    spec = load_mapping(mapping, column_map)
    return load_history(path, spec, strict, parse_class_patterns(patterns or []))


def print_import(report: ImportReport) -> None:
    """One line of what was imported; every skipped reason with its count and rows."""
    err_console.print(
        f"Imported {report.imported} of {report.rows} rows from {escape(report.file)} "
        f"({report.format}); skipped {report.skipped_count}.")
    if report.skipped:
        by_reason: dict[str, list[int]] = {}
        for s in report.skipped:
            by_reason.setdefault(f"{s.field}: {s.reason}", []).append(s.row)
        for reason, rows in by_reason.items():
            shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
            err_console.print(f"  [yellow]skipped[/yellow] {len(rows)} x {escape(reason)} "
                              f"(rows {shown})", soft_wrap=True)
    if report.ignored_fields:
        err_console.print(f"  ignored fields: {escape(', '.join(report.ignored_fields))}",
                          soft_wrap=True)


def _zone(zone: str) -> str:
    try:
        return check_zone(zone)
    except Exception:
        raise InputError([Problem("command line", "--timezone", repr(zone),
                                     "not an IANA time zone (e.g. Europe/Berlin, UTC)")]) from None


def map_command(
    history: Annotated[Path, typer.Argument(help="Incident history: PagerDuty JSON or CSV, or "
                                            "a CSV with --mapping/--column.")],
    by: Annotated[Grouping, typer.Option("--by", help="Group by service or by class.")] = (
        Grouping.CLASS),
    format: Annotated[OutputFormat, typer.Option("--format", help="table or json")] = (
        OutputFormat.TABLE),
    out: Annotated[Path, typer.Option(help="Where the results folder goes.")] = Path("results"),
    mapping: MappingOption = None,
    column: ColumnOption = None,
    class_pattern: PatternOption = None,
    strict: StrictOption = False,
    timezone: ZoneOption = "UTC",
    half_life: Annotated[float, typer.Option(
        min=1.0, max=3650.0, help="Recency half-life (days) of the truck factor.")] = 90.0,
) -> None:
    """The operational hero map: who your incidents really depend on. Writes heromap.json
    and heromap.md."""
    with handle_errors():
        zone = _zone(timezone)
        loaded = read_history(history, mapping, column, class_pattern, strict)
        doc = hero_map(loaded, by=by.value, timezone=zone, half_life_days=half_life)
        with ResultsFolder(out, "heromap", command_line(), None, None,
                           extra={"history_file": str(history), "by": by.value},
                           kind="map") as folder:
            folder.write_json("heromap.json", doc.to_json())
            folder.write_text("heromap.md", heromap_markdown(doc))
            write_report(folder.partial, folder.journal)
            path = folder.complete(verdict=", ".join(h.person for h in doc.heroes) or None)
    print_import(loaded.report)
    show(doc.to_json(), path, format is OutputFormat.JSON, lambda: print_map(doc))


def print_map(doc: HeroMap) -> None:
    """The hero map's tables and likely heroes."""
    period = doc.period
    console.print(f"[bold]Hero map[/bold]: {doc.overall.incidents} incidents, "
                  f"{escape(period.start[:10])} to {escape(period.end[:10])} "
                  f"({period.weeks:.1f} weeks), by {doc.by}.")
    rows = [[str(g.rank), escape(g.id), str(g.incidents), number(g.ttr_p50_min, 0),
             escape(g.top_person or "–"), number(g.top_share, 0, 100, "%"),
             number(g.hhi, 2), str(g.effective_responders)] for g in doc.groups]
    console.print(new_table(
        f"By {doc.by}, riskiest first (risk x recurrence)",
        ["#", doc.by, "n", "TTR p50", "top person", "share", "HHI", "responders"],
        rows, left=2,
        caption="effective responders: people who handled it recently (recency-weighted; the "
                "operational truck factor)"))
    people = [[escape(p), str(r.touched), number(r.touch_share, 0, 100, "%"),
               str(r.resolved), str(r.escalated_to),
               str(r.interruptions["off"]), str(r.interruptions["sleep"])]
              for p, r in doc.people.items()]
    console.print(new_table("People", ["person", "touched", "share", "resolved", "escalated to",
                                       "off", "sleep"], people,
                            caption="off / sleep: off-hour and sleep-hour interruptions"))
    if not doc.heroes:
        console.print("No likely heroes: nobody dominates a class.")
    for h in doc.heroes:
        console.print(f"[bold red]Likely hero:[/bold red] [bold]{escape(h.person)}[/bold]")
        for reason in h.reasons:
            console.print(f"  - {escape(reason)}", soft_wrap=True)


def calibrate(
    history: Annotated[Path, typer.Argument(help="Incident history (as for `herosim map`).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Scenario YAML to write.")],
    name: Annotated[Optional[str], typer.Option(help="Scenario name (default: from the "
                                                "file name).")] = None,
    mapping: MappingOption = None,
    column: ColumnOption = None,
    class_pattern: PatternOption = None,
    strict: StrictOption = False,
    timezone: ZoneOption = "UTC",
    seed: Annotated[int, typer.Option(min=0, help="Seed of the fitting simulations.")] = 0,
    check: Annotated[bool, typer.Option(help="Run the self-consistency check.")] = True,
    workers: Annotated[int, typer.Option(min=0, help="Worker processes; 0 = all cores.")] = 0,
) -> None:
    """Fit a scenario skeleton to incident history; every number commented with its evidence."""
    with handle_errors():
        zone = _zone(timezone)
        scenario_name = name or re.sub(r"[^A-Za-z0-9_.-]+", "-", history.stem).strip("-.")
        if not re.match(IDENTIFIER_PATTERN, scenario_name or "") or len(scenario_name) > 64:
            raise InputError([Problem("command line", "--name", repr(scenario_name),
                                         "a scenario name is letters, digits, '_', '.', '-'")])
        loaded = read_history(history, mapping, column, class_pattern, strict)
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


def generate(
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory to write.")],
    people: Annotated[int, typer.Option(min=2, max=40, help="Team size.")] = 8,
    weeks: Annotated[int, typer.Option(min=1, max=260, help="Weeks of history.")] = 12,
    heroes: Annotated[int, typer.Option(min=0, max=39, help="Heroes among the people.")] = 1,
    seed: Annotated[int, typer.Option(min=0, help="Seed: same seed, same organisation.")] = 0,
) -> None:
    """A synthetic organisation: scenario.yaml (the ground truth), history.json and
    history.csv (PagerDuty's raw incidents), people.csv."""
    import yaml

    with handle_errors():
        if heroes >= people:
            raise InputError([Problem("command line", "--heroes", str(heroes),
                                         f"must be fewer than --people ({people})")])
        org = generate_org(people=people, weeks=weeks, heroes=heroes, seed=seed)
        output.mkdir(parents=True, exist_ok=True)
        doc = org.scenario.model_dump(mode="json", exclude_none=True, by_alias=True)
        header = (f"# Ground truth of a synthetic team: herosim generate --people {people} "
                  f"--weeks {weeks} --heroes {heroes} --seed {seed}\n")
        _write(output / "scenario.yaml", header + yaml.safe_dump(doc, sort_keys=False))
        _write(output / "history.json", dump_json(org.history))
        import csv
        import io
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(org.history))
        _write(output / "history.csv", buffer.getvalue())
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["id", "user_id", "name", "email", "timezone", "hero"])
        writer.writerows([[p["id"], p["user_id"], p["name"], p["email"], p["timezone"],
                           str(p["hero"]).lower()] for p in org.people])
        _write(output / "people.csv", buffer.getvalue())
    console.print(f"[green]✓[/green] {escape(str(output))}: {len(org.people)} people, "
                  f"{len(org.scenario.classes)} classes on {len(org.scenario.services)} "
                  f"services, {len(org.history['data'])} incidents over {weeks} weeks; heroes: "
                  f"{escape(', '.join(org.scenario.heroes) or 'none')}")


def _write(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


# -- herosim run --replay ----------------------------------------------------------------------


def load_replay(scenario: Scenario, path: Path, seed: int):
    """History -> (history, arrivals, days, skipped) for `herosim run --replay`."""
    history = load_history(path)
    print_import(history.report)
    arrivals, days, skipped = replay_arrivals(scenario, history, seed)
    for reason, n in skipped.items():
        err_console.print(f"  [yellow]not replayed[/yellow] {n} x {escape(reason)}")
    if not arrivals:
        raise InputError([Problem(str(path), "", None,
                                     f"no incident of the history maps onto scenario "
                                     f"'{scenario.name}' (its classes: "
                                     f"{', '.join(c.id for c in scenario.classes)}); calibrate "
                                     "the scenario from this history first")])
    return history, arrivals, days, skipped


def print_replay(c: ReplayComparison) -> None:
    """Real figures beside the replay with everyone present, then the replay without."""
    rows, gone = [], []
    for cid, row in c.classes.items():
        h, p, w = row.history, row.present, row.without
        p_ttr = p.ttr_p50 if p else None
        p_share = p.top_handler_share if p else None
        rows.append([escape(cid), str(h.incidents), number(h.ttr_p50), number(p_ttr),
                     number(h.top_handler_share, 0, 100, "%"), number(p_share, 0, 100, "%")])
        if w is not None:
            gone.append([escape(cid), number(p_ttr), number(w.ttr_p50),
                         number(p_share, 0, 100, "%"),
                         number(w.top_handler_share, 0, 100, "%"),
                         number(w.unresolved, 1)])
    console.print(new_table(
        f"Replay of {escape(c.history_file)}: what really happened beside the model "
        "(all present)",
        ["class", "n", "TTR real", "TTR model", "share real", "share model"], rows, left=1,
        caption="TTR: median minutes to resolve; share: of the class's incidents, those the "
                "real top handler handled (replay.json names them)"))
    if gone:
        without = escape(", ".join(c.without))
        console.print(new_table(
            f"The same incidents without {without}",
            ["class", "TTR with", "TTR w/o", "share with", "share w/o", "unresolved"],
            gone, left=1,
            caption="TTR in minutes (replications pooled); top share: the real top handler's "
                    "share of the incidents"))
