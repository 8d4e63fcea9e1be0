"""Markdown (and CSV rows) of the artifacts advise writes for people: the knowledge pack's
pages (`--write-pack`) and the anti-heroics improvement plan (`--write-improvements`).

Tables never fill a column with one value repeated in place of information: a column whose
cells are all the same is left out and said once under the table (`compact_table`).
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.analysis.advise.pack import TO_COMPLETE
from sim.analysis.types.artifacts import (
    ClassPack,
    Escalations,
    ImprovementPlan,
    IncidentRef,
    KnowledgePack,
)
from sim.outputs.markdown import cell, num, table

BLANK = "> **TO COMPLETE (team):** ______________________________"
CAUSE_WORDS = {"knowledge": "a responder tried and got stuck", "confidence":
               "a responder who could have fixed it hesitated", "requires": "the access was "
               "missing", "rotation": "the hero was on the rotation", "routing": "the page "
               "first went to the wrong person"}


def compact_table(header: Sequence[str], rows: list[list], keep: int = 1) -> str:
    """A markdown table without the columns (after the first `keep`) whose cells are all
    the same when there are two rows or more; those are said once below it."""
    if len(rows) < 2:
        return table(header, rows)
    same = [i for i in range(keep, len(header)) if len({str(r[i]) for r in rows}) == 1]
    kept = [i for i in range(len(header)) if i not in same]
    text = table([header[i] for i in kept], [[r[i] for i in kept] for r in rows])
    if same:
        text += "\n\nEvery row: " + "; ".join(f"{cell(header[i])} {cell(rows[0][i])}"
                                               for i in same) + "."
    return text


def _date(ref: IncidentRef) -> str:
    return ref.created[:16].replace("T", " ")


def incident_rows(refs: list[IncidentRef]) -> list[list]:
    """Date, number (or id), title, escalation path, hand-offs, minutes to ack and resolve."""
    return [[_date(r), r.number if r.number is not None else r.id, r.title,
             " → ".join(r.path) or "–", _handoffs(r), num(r.minutes_to_ack, 0),
             num(r.minutes_to_resolve, 0)] for r in refs]


INCIDENT_COLUMNS = ["created (UTC)", "#", "title", "path", "hand-offs", "ack min", "resolve min"]


def _handoffs(ref: IncidentRef) -> str:
    parts = [f"{n} {w}" for n, w in ((ref.manual, "manual"), (ref.timeout, "timeout"),
                                     (ref.reassigned, "reassigned")) if n]
    return ", ".join(parts) or "none"


def _escalation_lines(e: Escalations) -> list[str]:
    if not e.incidents:
        return ["The history has no incident of this class."]
    whom = ", ".join(f"{cell(p)} ({n})" for p, n in e.to_whom.items()) or "nobody recorded"
    return [f"{e.escalated} of {e.incidents} incidents were escalated or reassigned "
            f"({e.manual} with a manual escalation, {e.timeout} after a timeout, "
            f"{e.reassigned} reassigned); the first acknowledgement took "
            f"{num(e.median_minutes_to_ack, 0)} min (median), and escalated ones took "
            f"{num(e.median_minutes_to_resolve_escalated, 0)} min to resolve (median).",
            "", f"Taken over by: {whom}."]


def pack_page(page: ClassPack, pack: KnowledgePack) -> str:
    """One class's page of the pack."""
    hero_share = num(page.hero_share, 0, 100, "%")
    lines = [
        f"# Knowledge pack: {cell(page.class_id)} (draft)", "",
        "> A **draft generated from the model"
        + (" and the incident history" if pack.history else "") + "**, not a finished "
        "page: the sections marked TO COMPLETE hold what only the team knows. Model numbers "
        "are simulated.", "",
        f"Service {cell(page.service)}, {page.severity}, about {page.rate_per_week:g} a week, "
        f"SLO {page.slo_minutes:g} min, difficulty {page.difficulty:g}. A hero takes part in "
        f"{hero_share} of incidents in the model; verdict: {cell(page.verdict)}.", ""]
    lines += _what_happened(page, pack)
    lines += ["## Who can handle it today, and what the others lack", "",
              "Alone today: " + (cell(", ".join(page.alone_today)) if page.alone_today
                                 else "nobody but the heroes") + ".", ""]
    if page.gaps:
        lines += [compact_table(["person", "knowledge", "confidence", "short of"],
                                [[g.person, f"{g.knowledge:.2f}", f"{g.confidence:.2f}",
                                  ", ".join(g.short_of) or "nothing (capacity or chance)"]
                                 for g in page.gaps]), ""]
    causes = ", ".join(f"{CAUSE_WORDS.get(c, c)} ({share:.0%})"
                       for c, share in sorted(page.causes.items(), key=lambda kv: -kv[1]))
    lines += [f"Why the hero is reached in the model: {causes or 'no hero interruptions'}.",
              "", "## When to escalate, and to whom", "",
              f"The model's responders who cannot fix it try for about "
              f"{page.stuck_minutes:.0f} minutes before handing on; the SLO is "
              f"{page.slo_minutes:g} min. Escalate to: {cell(', '.join(page.escalate_to))}"
              + (f"; the fix needs access held by {cell(', '.join(page.requires))}"
                 if page.requires else "") + ".", "", BLANK, "",
              "## What a runbook must cover", "",
              (f"An existing runbook covers {page.runbook_coverage:.0%}."
               if page.runbook_coverage is not None else "There is no runbook today."), ""]
    for key in ("diagnosis", "fix"):
        lines += [f"- {TO_COMPLETE[key]}", "", BLANK, ""]
    lines += ["## Practice that keeps it alive", "",
              (f"Best single candidate in the model: {cell(page.best_candidate)}."
               if page.best_candidate else "No candidate targets this class.")
              + (" It is rare: drill it on a schedule." if page.rate_per_week <= 0.5 else ""),
              "", "## Traps only the team knows", "", f"- {TO_COMPLETE['traps']}", "",
              BLANK, "", "---", "",
              "**Not complete.** Still to write: "
              + "; ".join(TO_COMPLETE[k].rstrip(".") for k in page.to_complete) + ".", ""]
    return "\n".join(lines)


def _what_happened(page: ClassPack, pack: KnowledgePack) -> list[str]:
    if pack.history is None:
        return ["## What happened", "", "No incident history was given (`--history`): this "
                "page starts from the model alone.", ""]
    period = pack.period or {}
    lines = ["## What happened", "",
             f"From {cell(pack.history)} ({str(period.get('start', ''))[:10]} to "
             f"{str(period.get('end', ''))[:10]}): {page.hero_incidents_total} incidents of "
             "this class summoned a hero"
             + (f"; the first {len(page.hero_incidents)}:" if page.hero_incidents_total
                > len(page.hero_incidents) else ":"), ""]
    if page.hero_incidents:
        lines += [compact_table(INCIDENT_COLUMNS, incident_rows(page.hero_incidents)), ""]
    if page.escalations is not None:
        lines += ["### When the team escalated, and to whom", "",
                  *_escalation_lines(page.escalations), ""]
    fps = page.false_positives
    if fps is not None:
        lines += ["### False positives", ""]
        for label, refs in (("Auto-resolved (nobody acted)", fps.auto_resolved),
                            ("Flapping (reopened within an hour)", fps.flapping),
                            ("Duplicates (opened while another was open)", fps.duplicates)):
            lines.append(f"- {label}: " + (", ".join(
                f"#{r.number if r.number is not None else r.id} ({_date(r)})" for r in refs)
                or "none in the history"))
        lines += ["", f"- {TO_COMPLETE['false_positives']}", "", BLANK, ""]
    return lines


def pack_pages(pack: KnowledgePack) -> dict[str, str]:
    """{file name: markdown}: one page per class."""
    return {f"{page.class_id}.md": pack_page(page, pack) for page in pack.pages}


def improvements_markdown(plan: ImprovementPlan) -> str:
    """The improvement plan as markdown: a summary table, then one section per fix."""
    lines = [f"# Anti-heroics improvement plan: {cell(plan.scenario)}", "",
             "Structural fixes only (how the team works, not who knows what), best risk "
             "reduction per hero hour first. " + cell(plan.risk_definition) + ". Intervals: "
             f"95% paired bootstrap over {plan.replications} replications (seed {plan.seed}), "
             f"{plan.weeks} weeks." + (f" Real incidents from {cell(plan.history)}."
                                       if plan.history else ""), ""]
    if not plan.improvements:
        return "\n".join(lines + ["No structural fix applies to this team today.", ""])
    lines += [table(["#", "fix", "hero int./wk it explains", "risk cut [95%]",
                     "hero int./wk after", "hero h", "learner h", "owner"],
                    improvement_rows(plan)), ""]
    for item in plan.improvements:
        lines += [f"## {item.rank}. {cell(item.name)}", "", cell(item.description), ""]
        if item.evidence:
            lines += ["Evidence in the model (today, heroes present):", "",
                      table(["where", "cause", "hero int./wk", "hero h/wk"],
                            [[e.source, e.cause, num(e.interruptions_per_week, 2),
                              num(e.hours_per_week, 2)] for e in item.evidence]), ""]
        else:
            lines += ["The model attributes no hero interruption to what this fixes.", ""]
        if plan.history is not None:
            lines.append(f"Real incidents that show it: {item.incidents_matched}"
                         + (":" if item.incidents else "."))
            if item.incidents:
                lines += ["", compact_table(INCIDENT_COLUMNS, incident_rows(item.incidents))]
            lines.append("")
        r = item.risk_reduction
        lines += [f"Expected effect: risk down {r.mean:.1f} [{r.low:.1f}, {r.high:.1f}]; "
                  f"hero interruptions {item.hero_interruptions_per_week_before:.2f} -> "
                  f"{item.hero_interruptions_per_week_after:.2f} a week. Cost: "
                  f"{item.hero_hours:.0f} hero hours, {item.learner_hours:.0f} learner hours.",
                  "", "Owner: ______________________  Due: __________", ""]
    return "\n".join(lines)


def improvement_rows(plan: ImprovementPlan) -> list[list]:
    """One row per fix: rank, name, evidence, risk cut, after, hours, owner blank."""
    return [[i.rank, i.name, num(i.evidence_interruptions_per_week, 2),
             f"{i.risk_reduction.mean:.1f} [{i.risk_reduction.low:.1f}, "
             f"{i.risk_reduction.high:.1f}]", num(i.hero_interruptions_per_week_after, 2),
             num(i.hero_hours, 0), num(i.learner_hours, 0), i.owner or "____"]
            for i in plan.improvements]


IMPROVEMENT_CSV_COLUMNS = ["rank", "fix", "kind", "target", "description",
                           "evidence_interruptions_per_week", "evidence_hours_per_week",
                           "incidents_matched", "incidents_cited", "risk_reduction",
                           "risk_reduction_low", "risk_reduction_high",
                           "hero_interruptions_per_week_after", "hero_hours", "learner_hours",
                           "owner"]


def improvement_csv_rows(plan: ImprovementPlan) -> list[list]:
    """improvements.csv: a tracker's rows (the owner column left blank)."""
    return [[i.rank, i.name, i.kind, i.target, i.description,
             round(i.evidence_interruptions_per_week, 3), round(i.evidence_hours_per_week, 3),
             i.incidents_matched, " ".join(str(r.number or r.id) for r in i.incidents),
             round(i.risk_reduction.mean, 2), round(i.risk_reduction.low, 2),
             round(i.risk_reduction.high, 2), round(i.hero_interruptions_per_week_after, 3),
             round(i.hero_hours, 1), round(i.learner_hours, 1), i.owner]
            for i in plan.improvements]
