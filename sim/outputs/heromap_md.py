"""heromap.md: the hero map in words and tables (user strings escaped for markdown)."""

from __future__ import annotations

from sim.analysis.heromap import HeroMap
from sim.outputs.markdown import cell, num, table


def heromap_markdown(doc: HeroMap) -> str:
    """heromap.md of a hero map."""
    source, period, overall = doc.source, doc.period, doc.overall
    out = [
        f"# Hero map: {cell(source.file)}",
        "",
        f"- {overall.incidents} incidents from {cell(period.start[:10])} to "
        f"{cell(period.end[:10])} ({period.weeks:.1f} weeks), grouped by {doc.by}.",
        f"- Imported {source.imported} of {source.rows} rows ({source.format}); "
        f"skipped {source.skipped}"
        + (": " + "; ".join(f"{cell(k)} x{v}" for k, v in source.skipped_by_reason.items())
           if source.skipped else "") + ".",
        f"- Effective responders (operational truck factor): people whose recency-weighted "
        f"handling reaches {doc.recent_weight:g} (half-life {doc.half_life_days:g} days).",
        "",
        "## Likely heroes",
        "",
    ]
    if not doc.heroes:
        out.append("No single person dominates any class.")
    for h in doc.heroes:
        out.append(f"- **{cell(h.person)}**")
        out += [f"  - {cell(reason)}" for reason in h.reasons]
    out += ["", f"## By {doc.by}, riskiest first", "", table(
        ["rank", doc.by, "incidents", "per week", "TTR p50 (min)", "top person", "top share",
         "HHI", "effective responders", "escalated to", "score"],
        [[g.rank, g.id, g.incidents, num(g.per_week, 2), num(g.ttr_p50_min),
          g.top_person, num(g.top_share, 0, 100, "%"), num(g.hhi, 2),
          g.effective_responders,
          ", ".join(f"{p} {n}" for p, n in list(g.escalated_to.items())[:3]),
          num(g.score, 2)] for g in doc.groups],
    ), "", "## People", "", table(
        ["person", "incidents touched", "share", "first responder", "resolved", "joined",
         "escalated to", "business", "off-hour", "sleep-hour"],
        [[p, r.touched, num(r.touch_share, 0, 100, "%"), r.first_responder,
          r.resolved, r.joined, r.escalated_to, r.interruptions["business"],
          r.interruptions["off"], r.interruptions["sleep"]]
         for p, r in doc.people.items()],
    ), "", f"Interruptions per person are the incidents that involved them, classified by the "
        f"incident's creation time in {cell(doc.timezone)} (business 08-18 Mon-Fri, off "
        "18-22 and weekends, sleep 22-08).", ""]
    return "\n".join(out)
