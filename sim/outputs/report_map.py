"""The report of a `herosim map` folder: the likely heroes and why, the hero map as a heatmap
(people x classes or services), the ranking by risk x recurrence and the people's load
(heromap.json; definitions in sim/analysis/heromap.py and docs/history.md)."""

from __future__ import annotations

from sim.outputs import charts
from sim.outputs.html import Raw, ReportBody, Section, figure, join, note, table, tag
from sim.outputs.markdown import num

# More people than this and the heatmap keeps the busiest (the table lists everyone).
MAX_HEATMAP_PEOPLE = 25


def map_report(folder: dict) -> ReportBody:
    """The report body of a map folder (journal, heromap.json)."""
    doc = folder["json"]["heromap.json"]
    source, period, overall = doc["source"], doc["period"], doc["overall"]
    heroes = [h["person"] for h in doc.get("heroes") or []]
    return ReportBody(
        title=f"Hero map: {source.get('file')}",
        verdict=("Likely heroes: " + ", ".join(heroes) if heroes
                 else "No single person dominates any " + doc["by"]),
        tone="bad" if heroes else "good",
        facts=[
            ("history", f"{source.get('file')} ({source.get('format')}): imported "
                        f"{source.get('imported')} of {source.get('rows')} rows, skipped "
                        f"{source.get('skipped')}"),
            ("period", f"{(period.get('start') or '')[:10]} to {(period.get('end') or '')[:10]} "
                       f"({num(period.get('weeks'), 1)} weeks)"),
            ("incidents", f"{overall.get('incidents')} ({num(overall.get('per_week'), 1)} per "
                          f"week), {overall.get('people')} people involved, "
                          f"{overall.get('unresolved')} unresolved"),
            ("grouped by", doc["by"]),
            ("time zone", doc.get("timezone")),
            ("truck factor", f"recency half-life {num(doc.get('half_life_days'), 0)} days, "
                             f"recent at weight {num(doc.get('recent_weight'), 2)}"),
        ],
        intro=_skipped(source),
        sections=[
            Section("heroes", "Likely heroes", heroes_section(doc)),
            Section("hero-map", "The hero map", heatmap_section(doc)),
            Section("ranking", f"By {doc['by']}, riskiest first", ranking_section(doc)),
            Section("people", "People", people_section(doc)),
        ],
    )


def _skipped(source: dict) -> Raw | None:
    reasons = source.get("skipped_by_reason") or {}
    parts = []
    if reasons:
        parts.append(note("Skipped rows: " + "; ".join(f"{k} x{v}" for k, v in reasons.items())
                          + " (every skipped row is in heromap.json's source.skipped_rows)."))
    if source.get("ignored_fields"):
        parts.append(note("Fields ignored: " + ", ".join(source["ignored_fields"]) + "."))
    return join(parts) if parts else None


def heroes_section(doc: dict) -> Raw:
    heroes = doc.get("heroes") or []
    if not heroes:
        return note(f"No single person dominates any {doc['by']}: nobody handles half of one, "
                    "nor is anyone involved in a large multiple of an even share of incidents.")
    items = [tag("li", join([
        tag("strong", h["person"]),
        f" — involved in {num(h.get('touch_share'), 0, 100, '%')} of all incidents",
        tag("ul", join(tag("li", reason) for reason in h.get("reasons") or [])),
    ])) for h in heroes]
    return join([
        tag("ul", join(items), class_="reasons"),
        note(f"A likely hero: the top person of a {doc['by']} with at least half its "
             "incidents (or its only recent responder, with 3+ incidents), or anyone involved "
             "in at least 30% of all incidents and three times an even share. Strongest "
             "first."),
    ])


def _people_order(doc: dict) -> list[str]:
    """People for the heatmap: the likely heroes first, then by incidents touched."""
    heroes = [h["person"] for h in doc.get("heroes") or []]
    people = list(dict.fromkeys([*heroes, *(doc.get("people") or {})]))
    return people[:MAX_HEATMAP_PEOPLE]


def heatmap_section(doc: dict) -> Raw:
    groups = doc.get("groups") or []
    people = _people_order(doc)
    if not groups or not people:
        return note("No incident has a handler: nothing to map.")
    ids = [g["id"] for g in groups]

    def grid(value) -> list[list[float]]:
        return [[value(g, p) for g in groups] for p in people]

    grids = {
        "share handled":
            grid(lambda g, p: (g.get("shares") or {}).get(p, 0.0)),
        "pulled in by escalation":
            grid(lambda g, p: (g.get("escalated_to") or {}).get(p, 0) / g["incidents"]
                 if g.get("incidents") else None),
    }
    chart = charts.skill_heatmaps(people, ids, grids,
                                  scale_label="share (0 = none, 1 = every incident)",
                                  title="Hero map, people x " + doc["by"])
    hidden = len(doc.get("people") or {}) - len(people)
    return figure(chart, f"Left: each person's share of the incidents of each {doc['by']} "
                         "they handled (resolved, else last acknowledged; a column sums to 1). "
                         "Right: the share of its incidents where the person was pulled in by "
                         f"an escalation or reassignment. {_plural(doc['by']).capitalize()} "
                         "riskiest first, likely heroes on top."
                         + (f" {hidden} people with fewer incidents are left out (see People)."
                            if hidden > 0 else ""))


def _plural(by: str) -> str:
    return "classes" if by == "class" else by + "s"


def ranking_section(doc: dict) -> Raw:
    rows = [[g["rank"], g["id"], g.get("top_person") or "–",
             ", ".join(g.get("recent_responders") or []) or "nobody",
             g.get("severity"), g["incidents"], num(g.get("per_week"), 2),
             num(g.get("ttr_p50_min"), 0), num(g.get("top_share"), 0, 100, "%"),
             num(g.get("hhi"), 2), g.get("effective_responders"), num(g.get("score"), 2)]
            for g in doc.get("groups") or []]
    return table(["rank", doc["by"], "top person", "recent responders", "severity",
                  "incidents", "per week", "TTR p50 min", "top share", "HHI",
                  "effective responders", "risk x recurrence"], rows, left=5,
                 caption="Risk x recurrence = severity weight (sev1 4 .. sev4 1, the mean) x "
                         "incidents per week x HHI (sum of squared handling shares; 1 = one "
                         "person handles everything) x 2 when the effective responders (the "
                         "operational truck factor: people who handled it recently) are at "
                         "most 1. Times to resolve, escalation counts: heromap.json.")


def people_section(doc: dict) -> Raw:
    heroes = {h["person"] for h in doc.get("heroes") or []}
    rows = [[person + (" (likely hero)" if person in heroes else ""), r["touched"],
             num(r.get("touch_share"), 0, 100, "%"), r.get("first_responder"),
             r.get("acknowledged"), r.get("resolved"), r.get("joined"), r.get("escalated_to"),
             " / ".join(str((r.get("interruptions") or {}).get(h, 0))
                        for h in ("business", "off", "sleep"))]
            for person, r in (doc.get("people") or {}).items()]
    zone = doc.get("timezone")
    return table(["person", "incidents touched", "share", "first responder", "acknowledged",
                  "resolved", "joined", "escalated to", "business / off / sleep"], rows,
                 caption=f"Business / off / sleep: interruptions, the incidents that involved "
                         f"the person, by the incident's creation time in {zone} (business "
                         "08-18 Mon-Fri, off 18-22 and weekends, sleep 22-08).")
