"""`herosim run`: simulate a team, print the figures, write a results folder."""

from __future__ import annotations

from collections.abc import Sequence
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
    print_written,
)
from cli.format import TOP_ROWS, FittedTable, estimate, mean_of, new_table, number, top_rows
from cli.history import load_replay, print_replay
from cli.options import Format, Out, OutputFormat, Reps, ScenarioArg, Seed, Workers
from cli.progress import DelayedProgress
from sim.analysis.calibrate import ReplayComparison, replay_comparison
from sim.analysis.metrics import ESCALATION_KINDS
from sim.analysis.replicate import Replications, default_workers
from sim.analysis.types import MetricsSummary
from sim.analysis.whatif import INCIDENT_COLUMNS, RunResult, incident_rows, run_scenario
from sim.inputs.scenario import load_scenario
from sim.outputs.headline import run_headline
from sim.outputs.journal import ResultsFolder, command_line
from sim.outputs.markdown import hours
from sim.outputs.report import write_report
from sim.schema import Scenario


def run(
    scenario: ScenarioArg,
    days: Annotated[int, typer.Option(min=1, max=3660, help="Simulated days.")] = 91,
    reps: Reps = 20,
    seed: Seed = 0,
    without: Annotated[
        Optional[list[str]],
        typer.Option(help="Person unavailable for the whole run (the hero-absent what-if); "
                     "repeat for several."),
    ] = None,
    workers: Workers = 0,
    format: Format = OutputFormat.TABLE,
    out: Out = Path("results"),
    replay: Annotated[
        Optional[Path],
        typer.Option(help="Incident history (PagerDuty JSON/CSV) to replay instead of sampled "
                     "incidents: its times and classes; --days is then the history's span."),
    ] = None,
    plan: Annotated[
        Optional[str],
        typer.Option(help="Run the team as this plan (a file, or a plan in the scenario) "
                     "leaves it at --at-week: its skills and the plan's state then."),
    ] = None,
    at_week: Annotated[
        Optional[int],
        typer.Option(min=0, max=520, help="With --plan: the week of the plan to run the team "
                     "from."),
    ] = None,
) -> None:
    """Simulate the team for N days, R replications, and report how it copes."""
    with handle_errors():
        model = load_scenario(scenario)
        chosen = load_plan_warning(plan, model) if plan else None
        arrivals = comparison = None
        if replay is not None:
            history, arrivals, days, skipped = load_replay(model, replay, seed)
        workers = workers or default_workers()
        arms = 2 if without else 1  # a what-if also runs the everyone-present baseline
        with DelayedProgress(err_console, "Simulating", total=reps * arms) as progress:
            result = run_scenario(
                Replications(model, reps, seed, min(workers, reps), progress=progress.update),
                days=days, without=tuple(without or ()), arrivals=arrivals,
                plan=chosen, at_week=at_week,
            )
        if replay is not None:
            comparison = replay_comparison(history, result, skipped=skipped)
        as_json = format is OutputFormat.JSON
        print_answer(as_json, lambda: print_run(result, comparison),
                     run_headline(result.document, replay=comparison is not None))
        folder = write_results(result, scenario, out, comparison)
    doc = result.to_json()
    if comparison is not None:
        doc["replay"] = comparison.to_json()
    print_written(doc, folder, as_json)


def print_run(result: RunResult, comparison: ReplayComparison | None) -> None:
    """The replay's tables (with --replay), then the run's."""
    if comparison is not None:
        print_replay(comparison)
    print_result(result)


def write_results(result: RunResult, scenario_path: Path, root: Path,
                  replay: ReplayComparison | None = None) -> Path:
    """Write journal, metrics.json, incidents.csv and report.html atomically; return the folder."""
    with ResultsFolder(
        root, result.scenario.name, command_line(), result.seed,
        result.scenario.model_dump(mode="json", exclude_none=True),
        extra={"scenario_file": str(scenario_path), "days": result.days,
               "replications": result.replications, "without": list(result.without),
               "plan": result.plan.name if result.plan else None, "at_week": result.at_week,
               "plan_definition": (result.plan.model_dump(mode="json") if result.plan
                                   else None)},
        kind="run",
    ) as folder:
        folder.write_json("metrics.json", result.to_json())
        if replay is not None:
            folder.write_json("replay.json", replay.to_json())
        folder.write_csv("incidents.csv", INCIDENT_COLUMNS,
                         incident_rows(result.scenario, result.incidents))
        write_report(folder.partial, folder.journal)
        return folder.complete(verdict="overloaded" if result.fit.overloaded else None)


# -- printing ---------------------------------------------------------------------------------


def print_result(result: RunResult) -> None:
    """The run as rich tables: response, escalations, heroes, load, responders, releases."""
    m = result.summary
    scenario = result.scenario
    absent = ", ".join(result.without) or "nobody"
    after = (f" The team as plan [bold]{escape(result.plan.name)}[/bold] leaves it at week "
             f"{result.at_week} (its skills and the plan's state then)."
             if result.plan is not None else "")
    console.print(
        f"[bold]{escape(scenario.name)}[/bold]: {result.days} days x {result.replications} "
        f"replications, seed {result.seed}, absent: {escape(absent)}.{after} "
        "Figures are means across replications ± the half-width of their 95% interval.\n"
    )
    if result.baseline is not None:
        console.print(what_if_table(m, result.baseline, result.without))
    console.print(response_table(m))
    console.print(escalation_table(m))
    console.print(hero_table(m, scenario.heroes, result.without, result.baseline))
    console.print(hero_time_table(m, result.baseline))
    console.print(load_table(m))
    console.print(responders_table(m, scenario))
    if any(v.changes is not None for v in scenario.services):
        console.print(releases_table(m, result.baseline))
    fit = result.fit
    style = "bold red" if fit.overloaded else "green"
    console.print(f"[{style}]Fit check:[/{style}] {escape(fit.reason)}")


def what_if_table(m: MetricsSummary, base: MetricsSummary, without: Sequence[str]
                  ) -> FittedTable:
    """The what-if against the same incidents with everyone present."""
    rows = []
    for label, path, digits, scale in (
        ("time to mitigate p50 (min)", ("mttm", "p50"), 1, 1),
        ("time to mitigate p90 (min)", ("mttm", "p90"), 1, 1),
        ("time to acknowledge p90 (min)", ("mtta", "p90"), 1, 1),
        ("SLO breach rate (%)", ("slo_breach_rate",), 1, 100),
        ("struggled incidents", ("struggled", "count"), 1, 1),
        ("unresolved incidents", ("unresolved",), 1, 1),
        ("escalations", ("escalations", "total"), 1, 1),
    ):
        here, gone = base, m
        for key in path:
            here, gone = here[key], gone[key]
        rows.append([label, estimate(here, digits, scale), estimate(gone, digits, scale)])
    return new_table(f"What if {escape(', '.join(without))} were gone (same incidents)",
                     ["per replication", "everyone present", "without"], rows,
                     caption="Time to mitigate counts an incident nobody mitigated with its "
                             "time so far (a lower bound): see the unresolved row.")


def response_table(m: MetricsSummary) -> FittedTable:
    """Time to acknowledge and to mitigate, with the incident counts as caption."""
    quantiles = ("p50", "p90", "p99", "mean")
    rows = [[label, *(estimate(m[key][q]) for q in quantiles)]
            for key, label in (("mtta", "time to acknowledge"), ("mttm", "time to mitigate"))]
    return new_table("Response", ["minutes", *quantiles], rows, drop=["mean", "p99"], caption=(
        f"incidents/replication {estimate(m['incidents'], 0)} · SLO breach rate "
        f"{estimate(m['slo_breach_rate'], 1, 100)}% · struggled "
        f"{estimate(m['struggled']['count'])} · unresolved {estimate(m['unresolved'])} "
        "(counted in time to mitigate with their time so far: a lower bound)"))


def escalation_table(m: MetricsSummary) -> FittedTable:
    """Escalations by kind, in all and per person escalated to (the top ones)."""
    kinds = list(ESCALATION_KINDS)
    rows = [["[bold]all[/bold]", *(estimate(m["escalations"][k]) for k in kinds)]]
    ranked = sorted(
        ((person, by_kind) for person, by_kind in m["escalations_to"].items()
         if sum(mean_of(v) for v in by_kind.values()) > 0),
        key=lambda kv: -sum(mean_of(v) for v in kv[1].values()),
    )
    rest = ranked[TOP_ROWS:]
    others = [f"{len(rest)} others", *(number(sum(mean_of(b[k]) for _, b in rest))
                                       for k in kinds)] if rest else None
    rows += top_rows([[escape(person), *(estimate(by_kind[k]) for k in kinds)]
                      for person, by_kind in ranked], others)
    rarest = sorted(kinds, key=lambda k: mean_of(m["escalations"][k]))
    return new_table("Escalations per replication", ["to", *kinds], rows, drop=rarest[:4])
def hero_table(m: MetricsSummary, heroes: Sequence[str], without: Sequence[str] = (),
               base: MetricsSummary | None = None) -> FittedTable:
    """Hero interruptions by the hero's local hour class. A hero who is away in the what-if
    is shown as they are with everyone present (the load the team must absorb)."""
    rows = []

    def total(hero: str) -> float:
        source = base if hero in without and base is not None else m
        return mean_of(source["hero_interruptions_per_week"]["by_hero"].get(hero, {})
                       .get("total"))
    shown = heroes if len(heroes) <= TOP_ROWS else sorted(heroes, key=lambda h: -total(h))
    for hero in shown[:TOP_ROWS]:
        source, label = m, escape(hero)
        if hero in without and base is not None:
            source, label = base, f"{escape(hero)} (when present)"
        row = source["hero_interruptions_per_week"]["by_hero"].get(hero, {})
        rows.append([label, *(estimate(row.get(k), 2) for k in
                              ("business", "off", "sleep", "total", "pull")),
                     estimate(source["hero_hours"]["by_hero"].get(hero))])
    if not heroes:
        rows.append(["(no heroes named in the scenario)", *[""] * 6])
    rest = shown[TOP_ROWS:]
    if rest:
        rows.append([f"{len(rest)} others (in all)", "", "", "",
                     number(sum(total(h) for h in rest), 2), "", ""])
    return new_table("Hero interruptions per week (hero's local time)",
                     ["hero", "business", "off", "sleep", "total", "of which pulls",
                      "hours /run"], rows, drop=["of which pulls", "business", "off"],
                     caption=f"the {TOP_ROWS} heroes interrupted most, then the others"
                     if rest else None)


def hero_time_table(m: MetricsSummary, base: MetricsSummary | None = None) -> FittedTable:
    """Each hero's hours a week by kind against their capacity; a hero away in the what-if
    shown as they are with everyone present."""
    rows = []
    heroes = dict((base or {}).get("hero_time", {}))
    heroes.update(m.get("hero_time", {}))
    over = []
    ranked = list(heroes.items())
    if len(ranked) > TOP_ROWS:  # the heroes with the most hours
        ranked.sort(key=lambda kv: -mean_of(kv[1]["total"]))
    for hero, row in ranked[:TOP_ROWS]:
        rows.append([f"{escape(hero)} ({mean_of(row['capacity']):.1f})",
                     *(hours(mean_of(row[k])) for k in ("rescue", "consult", "review",
                                                        "triage")),
                     estimate(row["total"]), estimate(row["improvement_left"])])
    for hero, row in ranked:
        if mean_of(row["overloaded_weeks"]) > 0:
            over.append(f"{escape(hero)} {mean_of(row['overloaded_weeks']):.1f}")
    rest = ranked[TOP_ROWS:]
    return new_table(
        "Hero time, hours a week by kind", ["hero (cap.)", "rescue", "consult", "review",
                                            "triage", "total", "left"], rows,
        drop=["triage", "review", "consult"],
        caption="rescue: leading or working incidents; review: release gates; triage: false "
                "pages; backing up learners and plan activities (transfer) happen only while "
                "a plan runs, in check and compare (--at-week freezes the team as the plan "
                "left it, as the check's replays do); cap.: working hours x (1 - project "
                "share); left: for improvement work. Weeks past the capacity: "
                + (", ".join(over) if over else "none") + "."
                + (f" The {TOP_ROWS} heroes with the most hours of {len(ranked)}." if rest
                   else ""))


def load_table(m: MetricsSummary) -> FittedTable:
    """Pages, pulls, hours, incidents led and utilisation per person (the busiest ones)."""
    ranked = sorted(m["load"].items(), key=lambda kv: -mean_of(kv[1]["pages"]))
    rest = ranked[TOP_ROWS:]
    fields = ("pages", "pulls", "hours", "incidents_led")
    others = [f"{len(rest)} others (in all)",
              *(number(sum(mean_of(r[f]) for _, r in rest)) for f in fields),
              number(sum(mean_of(m["utilisation"].get(p)) for p, _ in rest)
                     / len(rest) * 100, 1) + " mean"] if rest else None
    rows = top_rows([[escape(person), *(estimate(row[f]) for f in fields),
                      estimate(m["utilisation"].get(person), 1, 100)]
                     for person, row in ranked], others)
    return new_table("Load per person", ["person", "pages", "pulls", "hours worked",
                                         "incidents led", "utilisation %"], rows,
                     drop=["pulls", "incidents led"],
                     caption=f"Gini of pages: {estimate(m['pages_gini'], 2)} (0 = spread "
                             "evenly)" + (f"; the {TOP_ROWS} people paged most, then the "
                                          f"{len(rest)} others" if rest else ""))


def responders_table(m: MetricsSummary, scenario: Scenario) -> FittedTable:
    """Effective responders and outcomes per class."""
    by_class = m["by_class"]
    responders = m["effective_responders"]["by_class"]
    rows = []
    classes = list(scenario.classes)
    if len(classes) > TOP_ROWS:  # the classes with the most incidents
        classes.sort(key=lambda c: -mean_of(by_class.get(c.id, {}).get("count")))
    rest = classes[TOP_ROWS:]
    for cls in classes[:TOP_ROWS]:
        row = by_class.get(cls.id, {})
        label = escape(cls.id) + (" (specialty)" if cls.specialty else "")
        rows.append([label, escape(cls.service), estimate(responders.get(cls.id), 0),
                     estimate(row.get("mttm_p90")), estimate(row.get("unresolved"), 1),
                     estimate(row.get("breach_rate"), 1, 100),
                     estimate(row.get("hero_share"), 1, 100)])
    if rest:
        rows.append([f"{len(rest)} others", "", "", "", number(sum(
            mean_of(by_class.get(c.id, {}).get("unresolved")) for c in rest), 1), "", ""])
    critical = m["effective_responders"]["by_critical_service"]
    caption = ("n: effective responders; TTM p90 in minutes; unres.: unresolved incidents; "
               "hero involved: share of the class's incidents"
               + (f"; the {TOP_ROWS} classes with the most incidents, then the others"
                  if rest else ""))
    if len(critical) > TOP_ROWS:
        shown_critical = dict(list(critical.items())[:TOP_ROWS])
        critical_rest = len(critical) - TOP_ROWS
    else:
        shown_critical, critical_rest = critical, 0
    if critical:
        caption += "; critical services: " + ", ".join(
            f"{escape(svc)} {estimate(n, 0)}" for svc, n in shown_critical.items()) + (
            f" and {critical_rest} more" if critical_rest else "")
    return new_table("Effective responders (would handle it alone)",
                     ["class", "service", "n", "TTM p90", "unres.", "breach %",
                      "hero involved %"], rows, left=2, caption=caption,
                     drop=["service", "unres.", "hero involved %"])


def releases_table(m: MetricsSummary, base: MetricsSummary | None) -> FittedTable:
    """Release flow per replication (and against everyone present, for a what-if)."""
    labels = (
        ("changes intended", ("intended",), 1, 1), ("shipped", ("shipped",), 1, 1),
        ("postponed at least once", ("postponed",), 1, 1),
        ("still waiting at the end", ("unshipped",), 1, 1),
        ("shipped without who they need", ("shipped_unsafe",), 1, 1),
        ("releases", ("releases",), 1, 1), ("mean batch size", ("mean_batch_size",), 2, 1),
        ("release delay p50 (h)", ("release_delay_hours", "p50"), 1, 1),
        ("release delay p90 (h)", ("release_delay_hours", "p90"), 1, 1),
        ("change-failure rate (%)", ("failure_rate",), 1, 100),
        ("rollbacks", ("rollbacks",), 1, 1),
        ("rollback time to mitigate p90 (min)", ("rollback_ttm", "p90"), 1, 1),
        ("changes that needed a hero", ("needed_hero",), 1, 1),
    )
    rows = []
    for label, path, digits, scale in labels:
        leaf, base_leaf = m["changes"], base["changes"] if base else None
        for key in path:
            leaf = leaf[key]
            base_leaf = base_leaf[key] if base_leaf is not None else None
        row = [label, estimate(leaf, digits, scale)]
        if base is not None:
            row.insert(1, estimate(base_leaf, digits, scale))
        rows.append(row)
    columns = ["per replication", "everyone present", "without"] if base else [
        "per replication", "value"]
    return new_table("Releases", columns, rows)
