"""The report of a `herosim map` folder: the likely heroes and the busy, each with the
evidence, the hero map as a heatmap (people x classes or services), the ranking by risk x
recurrence and the people's load (heromap.json; definitions in sim/analysis/heromap/ and
docs/history.md)."""

from __future__ import annotations

from sim.analysis.heromap import Finding, HeroMap, Source
from sim.outputs import charts
from sim.outputs.headline import map_headline
from sim.outputs.html import Raw, ReportBody, Section, figure, join, note, para, table, tag
from sim.outputs.markdown import num

# More people than this and the heatmap keeps the busiest (the table lists everyone).
MAX_HEATMAP_PEOPLE = 25


def map_report(folder: dict) -> ReportBody:
    """The report body of a map folder (journal, heromap.json)."""
    doc = HeroMap.from_json(folder["json"]["heromap.json"])
    source, period, overall = doc.source, doc.period, doc.overall
    heroes = [h.person for h in doc.heroes]
    return ReportBody(
        title=f"Hero map: {source.file}",
        verdict=("Likely heroes: " + ", ".join(heroes) if heroes
                 else "No single person dominates any " + doc.by),
        tone="bad" if heroes else "good",
        facts=[
            ("history", f"{source.file} ({source.format}): imported "
                        f"{source.imported} of {source.rows} rows, skipped "
                        f"{source.skipped}"),
            ("period", f"{period.start[:10]} to {period.end[:10]} "
                       f"({num(period.weeks, 1)} weeks)"),
            ("incidents", f"{overall.incidents} ({num(overall.per_week, 1)} per "
                          f"week), {overall.people} people involved, "
                          f"{overall.unresolved} unresolved, {overall.auto_resolved} "
                          "auto-resolved"),
            ("teams", ", ".join(f"{t.name} ({t.zone})" for t in doc.teams)),
            ("grouped by", doc.by),
            ("time zones", ", ".join(f"{n} from {k}" for k, n in doc.zones.items())
             + f"; otherwise {doc.timezone}"),
            ("truck factor", f"recency half-life {num(doc.half_life_days, 0)} days, "
                             f"recent at weight {num(doc.recent_weight, 2)}"),
        ],
        intro=join([para(tag("strong", map_headline(doc).text)), _skipped(source)]),
        sections=[
            Section("heroes", "Likely heroes", heroes_section(doc)),
            Section("busy", "Busy, not heroes", busy_section(doc)),
            Section("hero-map", "The hero map", heatmap_section(doc)),
            Section("ranking", f"By {doc.by}, riskiest first", ranking_section(doc)),
            Section("people", "People", people_section(doc)),
        ],
    )


def _skipped(source: Source) -> Raw | None:
    reasons = source.skipped_by_reason
    parts = []
    if reasons:
        parts.append(note("Skipped rows: " + "; ".join(f"{k} x{v}" for k, v in reasons.items())
                          + " (every skipped row is in heromap.json's source.skipped_rows)."))
    if source.ignored_fields:
        parts.append(note("Fields ignored: " + ", ".join(source.ignored_fields) + "."))
    return join(parts) if parts else None


def heroes_section(doc: HeroMap) -> Raw:
    """The likely heroes, each with the evidence that passed."""
    heroes = doc.heroes
    if not heroes:
        return note("No service shows two measures of dependence on anyone (escalations "
                    "received, pulled in, others without them, hard incidents).")
    return join([
        _findings(heroes),
        note("A likely hero of a service: others turn to them (they receive its hand-offs, "
             "or are pulled in without the escalation policy) and at least two of the four "
             "measures of dependence hold, over the service or one of its classes. Strongest "
             "first; heromap.json lists every measure with its numbers."),
    ])


def busy_section(doc: HeroMap) -> Raw:
    """People who carry load nobody depends on them for."""
    if not doc.busy:
        return note("Nobody handles a large multiple of an even share without being depended "
                    "on.")
    return join([
        _findings(doc.busy),
        note("Busy: at least 20% of the team's incidents and 1.75 times an even share, and a "
             "hero nowhere. A fairness and burnout problem, not a single point of failure."),
    ])


def _findings(found: list[Finding]) -> Raw:
    items = [tag("li", join([
        tag("strong", f.person),
        f" ({f.name}, {f.team}; {', '.join(f.services)}) — involved in "
        f"{num(f.touch_share, 0, 100, '%')} of all incidents",
        tag("ul", join(tag("li", reason) for reason in f.reasons)),
    ])) for f in found]
    return tag("ul", join(items), class_="reasons")


def _people_order(doc: HeroMap) -> list[str]:
    """People for the heatmap: the likely heroes first, then by incidents touched."""
    heroes = [h.person for h in doc.heroes]
    people = list(dict.fromkeys([*heroes, *(doc.people)]))
    return people[:MAX_HEATMAP_PEOPLE]


def heatmap_section(doc: HeroMap) -> Raw:
    """People x groups: the share handled, and the share pulled in by escalation."""
    groups = doc.groups
    people = _people_order(doc)
    if not groups or not people:
        return note("No incident has a handler: nothing to map.")
    ids = [g.id for g in groups]

    def grid(value) -> list[list[float]]:
        return [[value(g, p) for g in groups] for p in people]

    grids = {
        "share handled":
            grid(lambda g, p: g.shares.get(p, 0.0)),
        "pulled in by escalation":
            grid(lambda g, p: g.escalated_to.get(p, 0) / g.incidents
                 if g.incidents else None),
    }
    chart = charts.skill_heatmaps(people, ids, grids,
                                  scale_label="share (0 = none, 1 = every incident)",
                                  title="Hero map, people x " + doc.by)
    hidden = len(doc.people) - len(people)
    return figure(chart, f"Left: each person's share of the incidents of each {doc.by} "
                         "they handled (resolved, else last acknowledged; a column sums to 1). "
                         "Right: the share of its incidents where the person was pulled in by "
                         f"an escalation or reassignment. {_plural(doc.by).capitalize()} "
                         "riskiest first, likely heroes on top."
                         + (f" {hidden} people with fewer incidents are left out (see People)."
                            if hidden > 0 else ""))


def _plural(by: str) -> str:
    return "classes" if by == "class" else by + "s"


def ranking_section(doc: HeroMap) -> Raw:
    """The groups, riskiest first."""
    rows = [[g.rank, g.id, g.top_person or "–",
             ", ".join(g.recent_responders) or "nobody",
             g.severity, g.incidents, num(g.per_week, 2),
             num(g.ttr_p50_min, 0), num(g.top_share, 0, 100, "%"),
             num(g.hhi, 2), g.effective_responders, num(g.score, 2)]
            for g in doc.groups]
    return table(["rank", doc.by, "top person", "recent responders", "severity",
                  "incidents", "per week", "TTR p50 min", "top share", "HHI",
                  "effective responders", "risk x recurrence"], rows, left=5,
                 caption="Risk x recurrence = severity weight (sev1 4 .. sev4 1, the mean) x "
                         "incidents per week x HHI (sum of squared handling shares; 1 = one "
                         "person handles everything) x 2 when the effective responders (the "
                         "operational truck factor: people who handled it recently) are at "
                         "most 1. Times to resolve, escalation counts: heromap.json.")


def people_section(doc: HeroMap) -> Raw:
    """Everyone's load."""
    heroes = {h.person for h in doc.heroes}
    rows = [[person + (" (likely hero)" if person in heroes else ""), r.touched,
             num(r.touch_share, 0, 100, "%"), r.first_responder,
             r.acknowledged, r.resolved, r.joined, r.escalated_to,
             " / ".join(str(r.interruptions.get(h, 0))
                        for h in ("business", "off", "sleep"))]
            for person, r in (doc.people).items()]
    zone = doc.timezone
    return table(["person", "incidents touched", "share", "first responder", "acknowledged",
                  "resolved", "joined", "escalated to", "business / off / sleep"], rows,
                 caption=f"Business / off / sleep: interruptions, the incidents that involved "
                         f"the person, by the incident's creation time in {zone} (business "
                         "08-18 Mon-Fri, off 18-22 and weekends, sleep 22-08).")
