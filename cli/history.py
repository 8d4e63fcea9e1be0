"""`herosim map` and what every history command shares: the import options, the import
report, the results of `herosim run --replay` (`load_replay`, `print_replay`)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from cli.common import console, err_console, handle_errors, print_answer, print_item, print_written
from cli.format import TOP_ROWS, new_table, number
from cli.options import Out
from sim.analysis.calibrate import ReplayComparison, replay_arrivals
from sim.analysis.heromap import Finding, HeroMap, hero_map
from sim.errors import InputError, Problem
from sim.inputs.history import (
    History,
    ImportReport,
    load_history,
    load_mapping,
    load_people,
    parse_class_patterns,
    parse_column_options,
)
from sim.outputs.headline import map_headline
from sim.outputs.heromap_md import heromap_markdown
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.report import write_report
from sim.schema import Scenario, check_zone


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
ZoneOption = Annotated[Optional[str], typer.Option(
    "--timezone", help="Zone of the people neither --people nor the history places (default "
    "UTC). Everyone else is in their own zone: the people file's, else inferred from the "
    "history (shown with its evidence).")]
PeopleOption = Annotated[Optional[Path], typer.Option(
    "--people", help="People file: PagerDuty's users (JSON from GET /users, or a CSV with id, "
    "name, time_zone; `herosim generate` writes people.csv). Names and time zones by user "
    "id.")]


def read_history(path: Path, mapping: Path | None, columns: list[str] | None,
                 patterns: list[str] | None, strict: bool, people: Path | None = None,
                 timezone: str | None = None) -> History:
    """Parse the import options and load the history (raises InputError)."""
    zone = _zone(timezone) if timezone else "UTC"
    column_map = parse_column_options(columns or [])
    spec = load_mapping(mapping, column_map)
    users = load_people(people) if people is not None else None
    return load_history(path, spec, strict, parse_class_patterns(patterns or []), users, zone)


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
    if report.dropped:
        by_reason = {}
        for s in report.dropped:
            by_reason.setdefault(f"{s.field}: {s.reason}", []).append(s.row)
        for reason, rows in by_reason.items():
            shown = ", ".join(map(str, rows[:10])) + (" ..." if len(rows) > 10 else "")
            err_console.print(f"  [yellow]field dropped[/yellow] {len(rows)} x "
                              f"{escape(reason)} (rows {shown}; the incident is kept)",
                              soft_wrap=True)
    if report.auto_resolved:
        err_console.print(f"  {report.auto_resolved} incidents resolved automatically: "
                          "counted as auto-resolved, credited to nobody", soft_wrap=True)
    if report.people_file:
        err_console.print(f"  people from {escape(report.people_file)}", soft_wrap=True)
        for s in report.people_skipped:
            err_console.print(f"  [yellow]people file row skipped[/yellow] {s.row} "
                              f"({escape(s.where)}) {escape(s.field)}: {escape(s.reason)}",
                              soft_wrap=True)
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
    out: Out = Path("results"),
    mapping: MappingOption = None,
    column: ColumnOption = None,
    class_pattern: PatternOption = None,
    strict: StrictOption = False,
    people: PeopleOption = None,
    timezone: ZoneOption = None,
    half_life: Annotated[float, typer.Option(
        min=1.0, max=3650.0, help="Recency half-life (days) of the truck factor.")] = 90.0,
) -> None:
    """The operational hero map: who your incidents really depend on, and who is merely busy.
    Writes heromap.json and heromap.md."""
    with handle_errors():
        loaded = read_history(history, mapping, column, class_pattern, strict, people,
                              timezone)
        doc = hero_map(loaded, by=by.value, half_life_days=half_life)
        as_json = format is OutputFormat.JSON
        print_import(loaded.report)
        print_answer(as_json, lambda: print_map(doc), map_headline(doc))
        with ResultsFolder(out, "heromap", command_line(), None, None,
                           extra={"history_file": str(history), "by": by.value},
                           kind="map") as folder:
            folder.write_json("heromap.json", doc.to_json())
            folder.write_text("heromap.md", heromap_markdown(doc))
            write_report(folder.partial, folder.journal)
            path = folder.complete(verdict=", ".join(h.person for h in doc.heroes) or None)
    print_written(doc.to_json(), path, as_json)


def print_map(doc: HeroMap) -> None:
    """The hero map's tables and its findings, with their evidence."""
    period = doc.period
    console.print(f"[bold]Hero map[/bold]: {doc.overall.incidents} incidents, "
                  f"{escape(period.start[:10])} to {escape(period.end[:10])} "
                  f"({period.weeks:.1f} weeks), {len(doc.teams)} team(s), by {doc.by}.\n")
    console.print(new_table(
        "Teams", ["team", "zone", "incidents", "per week", "top handler", "share"],
        [[escape(t.name), t.zone, str(t.incidents), number(t.per_week, 1),
          escape(t.top_handler or "–"), number(t.top_handler_share, 0, 100, "%")]
         for t in doc.teams], left=2, drop=["zone", "per week"]))
    rows = [[str(g.rank), escape(g.id), str(g.incidents), number(g.ttr_p50_min, 0),
             escape(g.top_person or "–"), number(g.top_share, 0, 100, "%"),
             number(g.hhi, 2), str(g.effective_responders)] for g in doc.groups[:TOP_ROWS]]
    rest = doc.groups[TOP_ROWS:]
    if rest:
        rows.append(["", f"{len(rest)} others", str(sum(g.incidents for g in rest)),
                     *[""] * 5])
    console.print(new_table(
        f"By {doc.by}, riskiest first (risk x recurrence)",
        ["#", doc.by, "n", "TTR p50", "top person", "share", "HHI", "responders"],
        rows, left=2, drop=["HHI", "TTR p50", "n"],
        caption="effective responders: people who handled it recently (recency-weighted; the "
                "operational truck factor)"))
    busiest = sorted(doc.people.items(), key=lambda kv: -kv[1].touched)
    people = [[escape(p), escape(r.name), f"{r.timezone} ({r.zone_source})", str(r.touched),
               number(r.touch_share, 0, 100, "%"), str(r.resolved), str(r.escalated_to),
               str(r.interruptions["off"]), str(r.interruptions["sleep"])]
              for p, r in busiest[:TOP_ROWS]]
    others = [r for _, r in busiest[TOP_ROWS:]]
    if others:
        people.append([f"{len(others)} others", "", "", str(sum(r.touched for r in others)),
                       "", str(sum(r.resolved for r in others)),
                       str(sum(r.escalated_to for r in others)),
                       str(sum(r.interruptions["off"] for r in others)),
                       str(sum(r.interruptions["sleep"] for r in others))])
    console.print(new_table("People", ["id", "name", "zone", "touched", "share", "resolved",
                                       "escalated to", "off", "sleep"], people, left=3,
                            drop=["name", "zone", "resolved", "touched"],
                            caption="off / sleep: off-hour and sleep-hour interruptions in "
                                    "each person's own zone"))
    if not doc.heroes:
        console.print("No likely heroes: no service shows two measures of dependence on "
                      "anyone.")
    for h in doc.heroes:
        _print_finding(h, "[bold red]Likely hero:[/bold red]")
    for b in doc.busy:
        _print_finding(b, "[bold yellow]Busy, not a hero:[/bold yellow]")


def _print_finding(f: Finding, title: str) -> None:
    services = ", ".join(f.services)
    print_item(f"{title} [bold]{escape(f.person)}[/bold] ({escape(f.name)}, "
               f"{escape(f.team)}; {escape(services)})", 0)
    for reason in f.reasons:
        print_item(f"- {escape(reason)}")


# -- herosim run --replay ----------------------------------------------------------------------


def load_replay(scenario: Scenario, path: Path, seed: int):
    """History -> (history, arrivals, days, skipped) for `herosim run --replay`."""
    history = load_history(path)
    print_import(history.report)
    arrivals, days, skipped = replay_arrivals(scenario, history, seed)
    foreign = {r: n for r, n in skipped.items() if r.endswith("not in the scenario")}
    if foreign:
        err_console.print(f"  [yellow]not replayed[/yellow] {sum(foreign.values())} incidents "
                          f"of {len(foreign)} classes the scenario does not have (another "
                          "team's, or a class it does not model; replay.json lists them)",
                          soft_wrap=True)
    for reason, n in skipped.items():
        if reason not in foreign:
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
        drop=["share real", "share model"],
        caption="TTR: median minutes to resolve; share: of the class's incidents, those the "
                "real top handler handled (replay.json names them)"))
    if gone:
        without = escape(", ".join(c.without))
        console.print(new_table(
            f"The same incidents without {without}",
            ["class", "TTR with", "TTR w/o", "share with", "share w/o", "unresolved"],
            gone, left=1, drop=["share with", "share w/o"],
            caption="TTR in minutes (replications pooled); top share: the real top handler's "
                    "share of the incidents"))
