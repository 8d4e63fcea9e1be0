"""heromap.md: the hero map in words and tables (user strings escaped for markdown)."""

from __future__ import annotations

from sim.analysis.heromap import Finding, HeroMap
from sim.outputs.markdown import cell, num, table


def heromap_markdown(doc: HeroMap) -> str:
    """heromap.md of a hero map."""
    source, period, overall = doc.source, doc.period, doc.overall
    out = [
        f"# Hero map: {cell(source.file)}",
        "",
        f"- {overall.incidents} incidents from {cell(period.start[:10])} to "
        f"{cell(period.end[:10])} ({period.weeks:.1f} weeks), {len(doc.teams)} team(s), "
        f"grouped by {doc.by}.",
        f"- Imported {source.imported} of {source.rows} rows ({source.format}); "
        f"skipped {source.skipped}"
        + (": " + "; ".join(f"{cell(k)} x{v}" for k, v in source.skipped_by_reason.items())
           if source.skipped else "") + "."
        + (f" Fields dropped (incident kept) {source.dropped}: "
           + "; ".join(f"{cell(k)} x{v}" for k, v in source.dropped_by_reason.items()) + "."
           if source.dropped else ""),
        f"- {overall.auto_resolved} incidents resolved automatically: reported as such, "
        "credited to nobody.",
        "- People are PagerDuty users (one per user id; renamed users keep one id, their "
        "old names listed as aliases), each in their own time zone: "
        + ", ".join(f"{n} from {cell(k)}" for k, n in doc.zones.items()) + ".",
        f"- Effective responders (operational truck factor): people whose recency-weighted "
        f"handling reaches {doc.recent_weight:g} (half-life {doc.half_life_days:g} days).",
        "",
        "## Likely heroes (the team depends on them)",
        "",
    ]
    if not doc.heroes:
        out.append("No service shows two measures of dependence on anyone.")
    for h in doc.heroes:
        out += _finding(h)
    out += ["", "## Busy, not heroes (load nobody depends on them for)", ""]
    if not doc.busy:
        out.append("Nobody carries a large multiple of an even share without being depended on.")
    for b in doc.busy:
        out += _finding(b)
    out += ["", "## Teams", "", table(
        ["team", "zone", "incidents", "per week", "services", "top handler", "share",
         "auto-resolved"],
        [[t.name, t.zone, t.incidents, num(t.per_week, 1), ", ".join(t.services),
          t.top_handler, num(t.top_handler_share, 0, 100, "%"), t.auto_resolved]
         for t in doc.teams])]
    out += ["", f"## By {doc.by}, riskiest first", "", table(
        ["rank", "team", doc.by, "incidents", "per week", "TTR p50 (min)", "top person",
         "top share", "HHI", "effective responders", "escalated to", "score"],
        [[g.rank, g.team, g.id, g.incidents, num(g.per_week, 2), num(g.ttr_p50_min),
          g.top_person, num(g.top_share, 0, 100, "%"), num(g.hhi, 2),
          g.effective_responders,
          ", ".join(f"{p} {n}" for p, n in list(g.escalated_to.items())[:3]),
          num(g.score, 2)] for g in doc.groups],
    ), "", "## People", "", table(
        ["person", "name", "zone", "incidents touched", "share", "first responder",
         "resolved", "joined", "escalated to", "pulled in", "business", "off-hour",
         "sleep-hour"],
        [[p, r.name + (f" (also {', '.join(r.aliases)})" if r.aliases else ""),
          f"{r.timezone} ({r.zone_source})", r.touched, num(r.touch_share, 0, 100, "%"),
          r.first_responder, r.resolved, r.joined, r.escalated_to, r.pulled_in,
          r.interruptions["business"], r.interruptions["off"], r.interruptions["sleep"]]
         for p, r in doc.people.items()],
    ), "", "Interruptions per person are counted in their own zone: PagerDuty's hour class "
        "when the incident interrupted only them, else the incident's creation time in their "
        "zone (business 08-18 Mon-Fri, off 18-22 and weekends, sleep 22-08).", ""]
    return "\n".join(out)


def _finding(f: Finding) -> list[str]:
    lines = [f"- **{cell(f.person)}** ({cell(f.name)}, {cell(f.team)}; "
             f"{cell(', '.join(f.services))})"]
    lines += [f"  - {cell(reason)}" for reason in f.reasons]
    shown = [e for e in f.evidence if not e.passed]
    if shown:
        lines.append("  - not shown: " + "; ".join(cell(e.text) for e in shown[:4]))
    return lines
