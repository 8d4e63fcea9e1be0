"""The report of a `herosim compare` folder: the plans' curves on one chart, the ranking with
time to independence and hero hours, each with its interval."""

from __future__ import annotations

from sim.outputs import charts
from sim.outputs.html import (
    Raw,
    ReportBody,
    Section,
    figure,
    join,
    note,
    para,
    table,
    tag,
)
from sim.outputs.markdown import num, week_span


def _span(figure_: dict | None, digits: int = 1) -> str:
    """'28.2 (26.9–29.6)' from {mean, low, high}."""
    if not figure_ or figure_.get("mean") is None:
        return "–"
    if figure_.get("low") is None or figure_.get("low") == figure_.get("high"):
        return num(figure_["mean"], digits)
    return (f"{num(figure_['mean'], digits)} ({num(figure_['low'], digits)}–"
            f"{num(figure_['high'], digits)})")


def compare_report(folder: dict) -> ReportBody:
    """The report body of a compare folder (journal, compare.json)."""
    doc = folder["json"]["compare.json"]
    scenario = (folder["journal"].get("scenario") or {})
    ranking = doc.get("ranking") or []
    best = ranking[0]["plan"] if ranking else None
    return ReportBody(
        title=f"Plan comparison: {doc['scenario']}",
        verdict=f"Ranked first: {best}" if best else None,
        tone="good" if best else None,
        facts=[
            ("plans", ", ".join(p["plan"] for p in doc["plans"])),
            ("baseline", doc.get("baseline") or "–"),
            ("simulated", f"{doc['weeks']} weeks, checkpoints every {doc['every']} weeks; "
                          f"{doc['replications']} replications, seed {doc['seed']}, the same "
                          "incidents for every plan"),
        ],
        intro=join([para(scenario.get("description") or ""),
                    note("Ranking rule: " + (doc.get("rule") or "–"))]),
        sections=[
            Section("ranking", "Ranking", ranking_section(doc)),
            Section("curves", "The plans over time", curves_section(doc)),
        ],
    )


def ranking_section(doc: dict) -> Raw:
    plans = {p["plan"]: p for p in doc["plans"]}
    rows = []
    differences = []
    for row in doc.get("ranking") or []:
        p = plans.get(row["plan"]) or {}
        difference = (row.get("difference") or {}).get("verdict") or ""
        ttl = p.get("time_to_independence") or {}
        rows.append([
            str(row["rank"]), row["plan"],
            "not reached" if ttl.get("week") is None else week_span(ttl),
            _span(p.get("hero_hours")), _span(p.get("learner_hours")),
            _span(p.get("hero_interruptions_change"), 2),
            num(p.get("absent_p90_end"), 0), p.get("final_verdict") or "",
        ])
        if row.get("next"):
            differences.append(tag("li", f"{row['plan']} vs {row['next']}: {difference}"))
    return join([
        table(["rank", "plan", "time to independence", "hero hours", "learner hours",
               "hero interruptions /week, change", "absent p90 min at the end", "verdict"],
              rows, left=3, caption="Intervals: 95% paired bootstrap across replications."),
        tag("ul", join(differences), class_="reasons") if differences else "",
    ])


def curves_section(doc: dict) -> Raw:
    checks = doc.get("checks") or {}
    if not checks:
        return note("compare.json holds no per-plan checks: nothing to plot.")
    colours = dict(zip(checks, charts.CYCLE))
    weeks = [cp["week"] for cp in next(iter(checks.values()))["checkpoints"]]

    def lines(pick) -> list[dict]:
        out = []
        for plan, check in checks.items():
            values, lows, highs = zip(*(pick(cp) for cp in check["checkpoints"]))
            out.append({"label": plan, "colour": colours[plan], "values": list(values),
                        "low": list(lows), "high": list(highs),
                        "passed": [cp["passed"] for cp in check["checkpoints"]]})
        return out

    def absent(cp):
        band = (cp["overall"].get("bands") or {}).get("absent_p90") or (None, None)
        return cp["overall"].get("absent_p90"), band[0], band[1]

    def interruptions(cp):
        row = cp.get("hero_interruptions_per_week") or {}
        return row.get("mean"), row.get("low"), row.get("high")

    panels = [
        {"title": "hero-absent p90 time to mitigate, all classes pooled", "ylabel": "minutes",
         "lines": lines(absent)},
        {"title": "hero interruptions per week (hero present)", "ylabel": "per week",
         "lines": lines(interruptions)},
    ]
    chart = charts.independence_curve(weeks, panels, [False] * len(weeks), None)
    return figure(chart, "Each plan replayed on the same incidents; shaded: 95% bands across "
                         "replications. Filled markers: checkpoints where the plan passes.")
