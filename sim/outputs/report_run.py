"""The report of a `herosim run` folder: how the team copes, and the what-if against everyone
present when the run was made `--without` someone."""

from __future__ import annotations

import math
from typing import Any

from sim.analysis.metrics import ESCALATION_KINDS
from sim.analysis.types import MetricsSummary, RunDocument
from sim.outputs import charts
from sim.outputs.headline import run_headline
from sim.outputs.html import (
    CHART_ROWS,
    TABLE_ROWS,
    Raw,
    ReportBody,
    Section,
    busiest,
    estimate_cell,
    figure,
    interval,
    join,
    mean_of,
    note,
    others_note,
    para,
    table,
    tag,
)
from sim.outputs.report_people import run_hero_time_section

KINDS = ESCALATION_KINDS  # every kind, in the order of the enum
HOUR_CLASSES = ("business", "off", "sleep")
PRESENT_LABEL = "everyone present"


def arm_labels(without: list[str]) -> dict[str, str]:
    """incidents.csv arm -> the label the report gives it."""
    return {"all": "all", "baseline": PRESENT_LABEL,
            "without": "without " + ", ".join(without) if without else "without"}


def run_report(folder: dict) -> ReportBody:
    """The report body of a run folder (journal, metrics.json, incidents.csv)."""
    journal = folder["journal"]
    doc = RunDocument.from_json(folder["json"]["metrics.json"])
    scenario = journal.get("scenario") or {}
    without = list(doc.without or [])
    labels = arm_labels(without)
    # (label, metrics) per arm, everyone present first.
    arms = [(labels["without"] if without else labels["all"], doc.metrics)]
    if doc.baseline:
        arms.insert(0, (PRESENT_LABEL, doc.baseline))
    fit = doc.fit_check
    overloaded = fit is not None and fit.overloaded
    title = (f"What if {', '.join(without)} were gone: {doc.scenario}" if without
             else f"Run: {doc.scenario}")
    body = ReportBody(
        title=title,
        verdict=("Overloaded: the real problem is staffing" if overloaded
                 else "Not overloaded" if fit else None),
        tone="bad" if overloaded else "good" if fit else None,
        facts=[
            ("scenario", doc.scenario),
            ("simulated", f"{doc.days} days x {doc.replications} replications, "
                          f"seed {doc.seed}"),
            ("absent", ", ".join(without) or "nobody"),
            *([("team", f"as plan {doc.plan} leaves it at week {doc.at_week}")]
              if doc.plan else []),
            ("heroes", ", ".join(doc.heroes or []) or "none named"),
        ],
        intro=join([
            para(tag("strong", run_headline(doc).text)),
            para(scenario.get("description") or ""),
            para(fit.reason if fit else ""),
            note("Figures are means per replication; the small figures under them are the 95% "
                 "interval across replications."
                 + (" The what-if replays the same incidents (common random numbers) with "
                    "everyone present and without " + ", ".join(without) + "." if without
                    else "")),
        ]),
    )
    body.sections = [
        Section("summary", "Summary", summary_table(arms)),
        Section("time-to-mitigate", "Time to mitigate", ttm_section(folder, labels)),
        Section("escalations", "Escalations", escalation_section(arms)),
        Section("hero-interruptions", "Hero interruptions", hero_section(arms, doc)),
        Section("hero-time", "Hero time", run_hero_time_section(arms)),
        Section("load", "Load per person", load_section(arms, scenario, without)),
        Section("classes", "Incident classes", class_table(arms[-1][1], scenario)),
    ]
    return body


Arms = list[tuple[str, MetricsSummary]]  # (label, metrics) per arm, everyone present first


def _dig(metrics: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        metrics = (metrics or {}).get(key)
    return metrics


def summary_table(arms: Arms) -> Raw:
    """The headline figures per arm."""
    rows = []
    for label, path, digits, scale in (
        ("incidents", ("incidents",), 0, 1),
        ("time to acknowledge p90 (min)", ("mtta", "p90"), 1, 1),
        ("time to mitigate p50 (min)", ("mttm", "p50"), 1, 1),
        ("time to mitigate p90 (min)", ("mttm", "p90"), 1, 1),
        ("SLO breach rate (%)", ("slo_breach_rate",), 1, 100),
        ("escalations", ("escalations", "total"), 1, 1),
        ("struggled incidents", ("struggled", "count"), 1, 1),
        ("unresolved incidents", ("unresolved",), 1, 1),
        ("hero interruptions per week", ("hero_interruptions_per_week", "all_heroes", "total"),
         2, 1),
        ("hero hours", ("hero_hours", "total"), 1, 1),
        ("Gini of pages (0 = even)", ("pages_gini",), 2, 1),
    ):
        rows.append([label, *(estimate_cell(_dig(m, path), digits, scale) for _, m in arms)])
    return table(["per replication", *(label for label, _ in arms)], rows)


def ttm_section(folder: dict, labels: dict[str, str]) -> Raw:
    """Cumulative distributions of time to mitigate per arm, from incidents.csv."""
    columns = folder["csv"].get("incidents.csv") or {}
    times = columns.get("time_to_mitigate_min") or []
    arm_column = columns.get("arm") or ["all"] * len(times)
    unresolved = columns.get("unresolved") or ["0"] * len(times)
    by_arm: dict[str, list[float]] = {}
    missing: dict[str, int] = {}
    for arm, value, lost in zip(arm_column, times, unresolved):
        label = labels.get(arm, arm)
        by_arm.setdefault(label, [])
        number = _float(value)
        if lost == "1" or number is None:
            missing[label] = missing.get(label, 0) + 1
        else:
            by_arm[label].append(number)
    if PRESENT_LABEL in by_arm:  # everyone present first: blue, then the what-if
        by_arm = {PRESENT_LABEL: by_arm.pop(PRESENT_LABEL), **by_arm}
    if not any(by_arm.values()):
        return note("No incident was mitigated in this run: nothing to plot.")
    colours = {label: charts.PRESENT if i == 0 else charts.ABSENT
               for i, label in enumerate(by_arm)}
    lost = ", ".join(f"{label}: {n}" for label, n in missing.items() if n)
    caption = ("Every resolved incident of every replication, pooled (incidents.csv). A curve "
               "further right means slower mitigation; the dot marks each curve's p90."
               + (f" Unresolved, not plotted: {lost}." if lost else ""))
    return figure(charts.ttm_distribution(by_arm, colours), caption)


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def escalation_section(arms: Arms) -> Raw:
    """Who escalations reached, by kind, per arm."""
    panels = {
        label: {person: {kind: mean_of(by_kind.get(kind)) for kind in KINDS}
                for person, by_kind in (m.get("escalations_to") or {}).items()}
        for label, m in arms
    }
    # Only people someone escalated to, busiest first (over all arms).
    totals: dict[str, float] = {}
    for bars in panels.values():
        for person, stack in bars.items():
            totals[person] = totals.get(person, 0.0) + sum(stack.values())
    people, rest = busiest({p: t for p, t in totals.items() if t > 0}, CHART_ROWS)
    rows = [[label, *(estimate_cell((m.get("escalations") or {}).get(k)) for k in KINDS),
             estimate_cell((m.get("escalations") or {}).get("total"))] for label, m in arms]
    kinds_table = table(["per replication", *KINDS, "total"], rows)
    if not people:
        return join([note("Nobody was escalated to."), kinds_table])
    panels = {label: {p: bars.get(p, {}) for p in people} for label, bars in panels.items()}
    chart = charts.stacked_bars(panels, charts.ESCALATION_COLOURS,
                                "escalations per replication (mean)",
                                "Escalations by target and kind")
    return join([
        figure(chart, "Who escalations reached, by kind: timeout (no acknowledgement in time), "
                      "manual (the responder asked for help), informal (the hero messaged "
                      "directly, outside the policy), reroute (a misrouted page passed on)."
                      + others_note(rest, "people escalated to", "metrics.json")),
        kinds_table,
    ])


def hero_section(arms: Arms, doc: RunDocument) -> Raw:
    """Hero interruptions per week by the hero's local hour class, per arm."""
    if not doc.heroes:
        return note("The scenario names no heroes.")
    load = {h: sum(mean_of(((m.get("hero_interruptions_per_week") or {}).get("by_hero") or {})
                           .get(h, {}).get("total")) for _, m in arms) for h in doc.heroes}
    heroes, rest = busiest(load, CHART_ROWS)
    listed = heroes + busiest({h: load[h] for h in rest}, TABLE_ROWS - len(heroes))[0]
    panels = {}
    rows = []
    for label, m in arms:
        by_hero = (m.get("hero_interruptions_per_week") or {}).get("by_hero") or {}
        hours = (m.get("hero_hours") or {}).get("by_hero") or {}
        panels[label] = {h: {c: mean_of((by_hero.get(h) or {}).get(c)) for c in HOUR_CLASSES}
                         for h in heroes}
        for hero in listed:
            row = by_hero.get(hero) or {}
            rows.append([hero, label, *(estimate_cell(row.get(k), 2) for k in
                                        (*HOUR_CLASSES, "total", "pull")),
                         estimate_cell(hours.get(hero))])
    chart = charts.stacked_bars(panels, charts.HOUR_CLASS_COLOURS,
                                "interruptions per week (mean)",
                                "Hero interruptions per week, by the hero's local time")
    gone = [h for h in heroes if h in (doc.without or [])]
    return join([
        figure(chart, "Every page, pull or backup call that reached a hero, by the hero's "
                      "local hour class: business (08-18 Mon-Fri), off (evenings, weekends), "
                      "sleep (22-08)."
                      + (f" Absent in the what-if arm: {', '.join(gone)}." if gone else "")
                      + others_note(rest, "heroes (the least interrupted)", "the table")),
        table(["hero", "arm", *HOUR_CLASSES, "total", "of which pulls", "hours per run"], rows,
              left=2, caption=others_note(doc.heroes[len(listed):], "heroes",
                                          "metrics.json") or None),
    ])


def load_section(arms: Arms, scenario: dict, without: list[str]) -> Raw:
    """Pages and hours per person, with intervals (the people paged most, in a large team)."""
    names = {p.get("id"): p.get("name") or p.get("id") for p in scenario.get("people") or []}
    everyone = list(dict.fromkeys([*names, *(p for _, m in arms for p in m.get("load") or {})]))
    pages = {p: sum(mean_of(((m.get("load") or {}).get(p) or {}).get("pages")) for _, m in arms)
             for p in everyone}
    # Few people: everyone in their order; many: the people paged most.
    people, rest = (everyone, []) if len(everyone) <= CHART_ROWS else busiest(pages, CHART_ROWS)
    panels = {
        "pages per replication": {
            label: {p: interval(((m.get("load") or {}).get(p) or {}).get("pages"))
                    for p in people} for label, m in arms},
        "hours worked per replication": {
            label: {p: interval(((m.get("load") or {}).get(p) or {}).get("hours"))
                    for p in people} for label, m in arms},
    }
    colours = {label: charts.PRESENT if i == 0 else charts.ABSENT
               for i, (label, _) in enumerate(arms)}
    chart = charts.interval_bars(panels, colours, "Load per person")
    label, m = arms[-1]
    load = m.get("load") or {}
    listed = (everyone if len(everyone) <= TABLE_ROWS
              else busiest(pages, TABLE_ROWS)[0])
    rows = [[person, names.get(person, person) + (" (absent)" if person in without else ""),
             estimate_cell((load.get(person) or {}).get("pages")),
             estimate_cell((load.get(person) or {}).get("pulls")),
             estimate_cell((load.get(person) or {}).get("hours")),
             estimate_cell((load.get(person) or {}).get("incidents_led")),
             estimate_cell((m.get("utilisation") or {}).get(person), 1, 100)]
            for person in listed]
    unlisted = [p for p in everyone if p not in set(listed)]
    return join([
        figure(chart, "Pages received and hours worked per replication; whiskers are 95% "
                      "intervals across replications."
                      + (f" The {len(people)} people paged most." if rest else "")),
        table(["person", "name", "pages", "pulls", "hours worked", "incidents led",
               "utilisation %"], rows, left=2, caption=f"Arm: {label}."
              + (f" The {len(listed)} people paged most." if unlisted else "")
              + others_note(unlisted, "people", "metrics.json")),
    ])


def class_table(m: MetricsSummary, scenario: dict) -> Raw:
    """Outcomes and effective responders per incident class."""
    by_class = m.get("by_class") or {}
    responders = (m.get("effective_responders") or {}).get("by_class") or {}
    rows = []
    classes = scenario.get("classes") or [{"id": c} for c in by_class]
    if len(classes) > TABLE_ROWS:  # the classes with the most incidents
        counts = {c.get("id"): mean_of((by_class.get(c.get("id")) or {}).get("count"))
                  for c in classes}
        kept = set(busiest(counts, TABLE_ROWS)[0])
        unlisted = [c.get("id") for c in classes if c.get("id") not in kept]
        classes = [c for c in classes if c.get("id") in kept]
    else:
        unlisted = []
    for cls in classes:
        cid = cls.get("id")
        row = by_class.get(cid) or {}
        rows.append([cid + (" (specialty)" if cls.get("specialty") else ""),
                     cls.get("service"), estimate_cell(row.get("count"), 1),
                     estimate_cell(row.get("mttm_p90")),
                     estimate_cell(row.get("unresolved"), 1),
                     estimate_cell(row.get("breach_rate"), 1, 100),
                     estimate_cell(row.get("escalations_per_incident"), 2),
                     estimate_cell(row.get("hero_share"), 1, 100),
                     estimate_cell(responders.get(cid), 1)])
    return table(["class", "service", "incidents", "TTM p90 min", "unresolved", "breach %",
                  "hand-offs /incident", "hero involved %", "effective responders"], rows,
                 left=2,
                 caption="TTM counts an incident nobody mitigated with its time so far (a "
                         "lower bound); unresolved says how many. Effective responders: people "
                         "who would handle the class alone, without escalating."
                         + (f" The {len(classes)} classes with the most incidents."
                            if unlisted else "")
                         + others_note(unlisted, "classes", "metrics.json"))
