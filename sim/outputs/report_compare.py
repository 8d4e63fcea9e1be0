"""The report of a `herosim compare` folder: the plans' curves on one chart, the ranking with
time to independence and hero hours, each with its interval."""

from __future__ import annotations

from sim.analysis.types import CompareDocument, Interval
from sim.outputs import charts, charts_ranges
from sim.outputs.headline import compare_headline
from sim.outputs.html import Raw, ReportBody, Section, figure, join, note, para, table, tag
from sim.outputs.markdown import num, week_span
from sim.outputs.report_people import compare_people_section


def _span(figure_: Interval | None, digits: int = 1) -> str:
    """'28.2 (26.9 to 29.6)', '-1.65 (-1.88 to -1.42)' from {mean, low, high}."""
    if not figure_ or figure_.mean is None:
        return "–"
    if figure_.low is None or figure_.low == figure_.high:
        return num(figure_.mean, digits)
    return (f"{num(figure_.mean, digits)} ({num(figure_.low, digits)} to "
            f"{num(figure_.high, digits)})")


def compare_report(folder: dict) -> ReportBody:
    """The report body of a compare folder (journal, compare.json)."""
    doc = CompareDocument.from_json(folder["json"]["compare.json"])
    scenario = (folder["journal"].get("scenario") or {})
    best = doc.ranking[0].plan if doc.ranking else None
    return ReportBody(
        title=f"Plan comparison: {doc.scenario}",
        verdict=f"Ranked first: {best}" if best else None,
        tone="good" if best else None,
        facts=[
            ("plans", ", ".join(p.plan for p in doc.plans)),
            ("baseline", doc.baseline or "–"),
            ("simulated", f"{doc.weeks} weeks, checkpoints every {doc.every} weeks; "
                          f"{doc.replications} replications, seed {doc.seed}, the same "
                          "incidents for every plan"),
        ],
        intro=join([para(tag("strong", compare_headline(doc).text)),
                    para(scenario.get("description") or ""),
                    note("Ranking rule: " + (doc.rule or "–"))]),
        sections=[
            Section("ranking", "Ranking", ranking_section(doc)),
            Section("cost", "Cost against outcome", cost_section(doc)),
            Section("curves", "The plans over time", curves_section(doc)),
            Section("people", "Hero time and each person's load",
                    compare_people_section(doc)),
        ],
    )


def ranking_section(doc: CompareDocument) -> Raw:
    """The ranking with each plan's figures, and the differences between neighbours."""
    plans = {p.plan: p for p in doc.plans}
    rows = []
    differences = []
    for row in doc.ranking or []:
        p = plans.get(row.plan)
        difference = row.difference.verdict if row.difference else ""
        ttl = p.time_to_independence if p else None
        rows.append([
            str(row.rank), row.plan,
            "not reached" if ttl is None or ttl.week is None else week_span(ttl),
            _span(p.hero_hours if p else None), _span(p.learner_hours if p else None),
            _span(p.hero_interruptions_change if p else None, 2),
            num(p.absent_p90_end if p else None, 0),
            (f"{num(p.absent_breach_rate_end, 1, 100, '%')} (+"
             f"{num(p.added_breach_rate_end, 1, 100)})" if p else "–"),
            " ".join(f"{svc} {num(n)}" for svc, n in
                     p.effective_responders_critical_end.items()) if p else "–",
            (p.final_verdict if p else "") or "",
        ])
        if row.next:
            differences.append(tag("li", f"{row.plan} vs {row.next}: {difference}"))
    return join([
        table(["rank", "plan", "time to independence", "hero hours", "learner hours",
               "hero interruptions /week, change", "absent p90 min at the end",
               "SLO breach rate with the heroes absent at the end (points added)",
               "non-hero effective responders per critical service", "verdict"],
              rows, left=3, caption="Intervals: 95% paired bootstrap across replications. "
              "The ranking is decided by time to independence, then hero hours, then (for "
              "plans that do not reach it) the SLO breach rate with the heroes absent."),
        tag("ul", join(differences), class_="reasons") if differences else "",
    ])


def cost_section(doc: CompareDocument) -> Raw:
    """Hero hours against time to independence, each plan with its intervals."""
    points = []
    for row in doc.ranked_plans:
        ttl, hours = row.time_to_independence, row.hero_hours
        points.append({"label": row.plan, "hours": hours.mean, "hours_low": hours.low,
                       "hours_high": hours.high, "week": ttl.week, "week_low": ttl.low,
                       "week_high": ttl.high, "reached": ttl.reached_share})
    if not points:
        return note("compare.json holds no plans: nothing to plot.")
    return figure(charts_ranges.cost_outcome(points, doc.weeks),
                  "Each plan's hero hours (up) against its time to independence (right), "
                  "means over the replications with 95% paired-bootstrap intervals; a plan "
                  "that does not reach independence within the weeks stands in the grey zone, "
                  "with the share of resamples that do reach it.")


def curves_section(doc: CompareDocument) -> Raw:
    """Every plan's hero-absent p90 and hero interruptions over the weeks, on one chart."""
    checks = doc.checks or {}
    if not checks:
        return note("compare.json holds no per-plan checks: nothing to plot.")
    colours = dict(zip(checks, charts.CYCLE))
    weeks = [cp.week for cp in next(iter(checks.values())).checkpoints]

    def lines(pick) -> list[dict]:
        out = []
        for plan, check in checks.items():
            values, lows, highs = zip(*(pick(cp) for cp in check.checkpoints))
            out.append({"label": plan, "colour": colours[plan], "values": list(values),
                        "low": list(lows), "high": list(highs),
                        "passed": [cp.passed for cp in check.checkpoints]})
        return out

    def absent(cp):
        band = (cp.overall.bands.absent_p90 if cp.overall.bands else None) or (None, None)
        return cp.overall.absent_p90, band[0], band[1]

    def interruptions(cp):
        row = cp.hero_interruptions_per_week
        return (row.mean, row.low, row.high) if row else (None, None, None)

    panels = [
        {"title": "hero-absent p90 time to mitigate, all classes pooled", "ylabel": "minutes",
         "lines": lines(absent)},
        {"title": "hero interruptions per week (hero present)", "ylabel": "per week",
         "lines": lines(interruptions)},
    ]
    chart = charts.independence_curve(weeks, panels, [False] * len(weeks), None)
    return figure(chart, "Each plan replayed on the same incidents; shaded: 95% bands across "
                         "replications. Filled markers: checkpoints where the plan passes.")
