"""Readable markdown artifacts written beside the JSON ones (independence.md, ...).

User-supplied strings (ids, names, notes) are escaped for markdown tables: a `|` or a newline
in a name must not break the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sim.analysis.types import CheckDocument, ClassRow, CompareDocument, Finding, TimeToIndependence

if TYPE_CHECKING:
    from sim.analysis.gameday.types import Quantiles

HOUR_KINDS = ("rescue", "backup", "consult", "review", "transfer", "triage")
# How each kind of finding is labelled, in every output.
FINDING_LABEL = {"over_budget": "budget", "skipped": "skipped", "final_approver":
                 "final approver forever", "overload": "overload", "concentration":
                 "dependence moved", "regression": "slid back", "hero_load": "hero load"}
# Informal pulls and consults go to heroes only (the model's rule): for anyone else the figure is
# not a measurement, and is shown as '–' with this note.
HERO_ONLY_NOTE = "pulls and consults go to heroes only in the model (others: –)"


def cell(value: object) -> str:
    """A value safe inside a markdown table cell."""
    text = "–" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def table(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    """A markdown table, every cell escaped."""
    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def num(value: float | None, digits: int = 1, scale: float = 1.0, suffix: str = "") -> str:
    """A number with `digits` decimals (times `scale`, then `suffix`), or '–' when undefined
    (never '-0': a figure that rounds to zero is 0)."""
    if value is None:
        return "–"
    text = f"{value * scale:.{digits}f}"
    if text.startswith("-") and not text.strip("-0."):
        text = text[1:]
    return text + suffix


def quantile_range(q: Quantiles | None, sep: str = "–") -> str:
    """'11–24–64': a prediction's p10, p50 and p90 minutes (`q` has them, or is None);
    'never' where those replays were never mitigated."""
    values = (q.p10, q.p50, q.p90) if q is not None else (None, None, None)
    return sep.join("never" if v is None else num(v, 0) for v in values)


def hours(value: float | None) -> str:
    """Hours with one decimal; '<0.1' for a small positive amount (not 'never')."""
    if value is not None and 0 < value < 0.05:
        return "<0.1"
    return num(value, 1)


def absent_in_arm(arm: str, heroes: Sequence[str], also_without: Sequence[str]) -> set[str]:
    """Who is away by construction in a check's arm: nobody (present), the heroes (absent),
    the heroes and the next people out (next_out)."""
    if arm == "present":
        return set()
    return set(heroes) | (set(also_without) if arm == "next_out" else set())


def week_span(ttl: TimeToIndependence, short: bool = False, weeks: int | None = None) -> str:
    """When independence comes and how sure that is, from the share of resamples of the
    replications that reach it (`weeks`: how long the plan ran, to say "within N weeks").

    'week 12 (95% interval: weeks 8 to 16)'; 'week 20, reached in 62% of resamples (the rest:
    not within 26 weeks)'; 'not reached within 26 weeks (reached in 3% of resamples)'.
    `short`: '12 [8–16]', '20 (62%)', 'no (3%)'.
    """
    week = ttl.week
    share = ttl.reached_share or 0.0
    within = f" within {weeks} weeks" if weeks else ""
    if week is None:
        if short:
            return f"no ({share:.0%})"
        return f"not reached{within} (reached in {share:.0%} of resamples)"
    if ttl.high is None:
        if short:
            return f"{week} ({share:.0%})"
        return (f"week {week}, reached in {share:.0%} of resamples (the rest: not"
                f"{within or ' by the end'})")
    low, high = f"{ttl.low:.0f}" if ttl.low is not None else "?", f"{ttl.high:.0f}"
    if short:
        return f"{week} [{low}–{high}]"
    span = f"week {low}" if low == high else f"weeks {low} to {high}"
    return f"week {week} (95% interval: {span})"


def independence_markdown(doc: CheckDocument) -> str:
    """The playbook's independence-check artifact, from an independence.json document."""
    final = doc.final
    plan = doc.plan or "no plan (today's team)"
    c = doc.criteria
    out = [
        f"# Independence check: {cell(doc.scenario)}",
        "",
        f"- Plan: **{cell(plan)}**, {doc.weeks} weeks, checkpoints every {doc.every} "
        f"weeks; {doc.replications} replications, seed {doc.seed}.",
        f"- Heroes tested: {cell(', '.join(doc.heroes) or 'none named')}; each checkpoint "
        f"replays the same {doc.evaluation_days} days of incidents with them present and "
        "absent.",
        f"- Pass criteria per class: hero-absent p90 time to mitigate at most "
        f"{c['max_p90_ratio']:g}x hero-present; at most {c['max_added_breach_rate']:.0%} added "
        f"SLO breaches; at least {c['min_effective_responders']} non-hero effective responders "
        "for critical classes (1 otherwise). Specialty classes are reported apart.",
        "",
        f"## Verdict: {final.verdict} at week {final.week}",
        "",
        f"Time to independence: {week_span(doc.time_to_independence, weeks=doc.weeks)}.",
        "",
    ]
    if final.holding_back:
        out += ["### What still holds it back", ""]
        for item in final.holding_back:
            out.append(f"- **{cell(item.class_id)}** ({item.verdict})")
            out += [f"  - {cell(reason)}" for reason in item.reasons]
        out.append("")
    if final.specialty:
        out += ["### Specialty classes (accepted as specialist work)", ""]
        out += [f"- {cell(k)}: {v}" for k, v in final.specialty.items()]
        out.append("")
    out += ["## Checkpoints", "", table(
        ["week", "passes", "p90 present (min)", "p90 absent (min)", "ratio",
         "hand-offs/incident present", "hand-offs/incident absent", "needed a hero (present)",
         "needed anyone else (absent)", "hero interruptions/week", "plan hero hours",
         "plan learner hours"],
        [
            [cp.week, "yes" if cp.passed else "no",
             num(cp.overall.present_p90), num(cp.overall.absent_p90),
             num(cp.overall.p90_ratio, 2),
             num(cp.overall.present_escalations_per_incident, 2),
             num(cp.overall.absent_escalations_per_incident, 2),
             num(cp.overall.present_hero_share, 0, 100, "%"),
             num(cp.overall.absent_beyond_first_share, 0, 100, "%"),
             num(cp.hero_interruptions_per_week.mean, 2),
             num(cp.plan_hero_hours.mean),
             num(cp.plan_learner_hours.mean if cp.plan_learner_hours else None)]
            for cp in doc.checkpoints
        ],
    ), ""]
    last = doc.checkpoints[-1]
    out += [f"## Classes at week {last.week}", "", class_table(last.classes), ""]
    if last.releases is not None:
        out += ["## Releases", "", table(
            ["week", "verdict", "releases present", "releases absent", "p90 delay present (h)",
             "p90 delay absent (h)", "failure rate present", "failure rate absent", "notes"],
            [[cp.week, r.verdict, r.present.releases, r.absent.releases,
              num(r.present.delay_p90_hours), num(r.absent.delay_p90_hours),
              num(r.present.failure_rate, 0, 100, "%"),
              num(r.absent.failure_rate, 0, 100, "%"), "; ".join(r.notes)]
             for cp in doc.checkpoints if (r := cp.releases) is not None],
        ), ""]
    first = doc.checkpoints[0]
    if len(doc.checkpoints) > 1:
        out += [f"## Classes at week {first.week} (start)", "",
                class_table(first.classes), ""]
    out += people_markdown(doc)
    return "\n".join(out)


def findings_markdown(findings: list[Finding]) -> list[str]:
    """The findings as a list, each labelled by kind (empty when there are none)."""
    if not findings:
        return []
    return [f"- **{cell(FINDING_LABEL.get(f.kind, f.kind))}**: {cell(f.text)}"
            for f in findings] + [""]


def people_markdown(doc: CheckDocument) -> list[str]:
    """The hero's time, each person at the end, the budget, the sustainment view, and the
    findings, as sections of independence.md."""
    out = []
    if doc.findings:
        out += ["## Findings", "", *findings_markdown(doc.findings)]
    rows = [[cp.week, person, *(hours(t.hours[k]) for k in HOUR_KINDS), num(t.hours["total"]),
             num(t.capacity), num(t.improvement_left), "yes" if t.overloaded else "no"]
            for cp in doc.checkpoints[1:] for person, t in cp.hero_time.items()]
    if rows:
        out += ["## The hero's time (hours a week since the previous checkpoint)", "", table(
            ["week", "who", *HOUR_KINDS, "total", "capacity", "left", "overloaded"], rows), "",
            "In the plan run; capacity: working hours a week x (1 - project share); left: for "
            "improvement work.", ""]
    last = doc.checkpoints[-1]
    for arm, figures in last.people.items():
        away = absent_in_arm(arm, doc.heroes, doc.also_without)
        out += [f"## Each person at week {last.week}, {arm.replace('_', ' ')} (per week)", "",
                table(["person", "pages", "incidents led", "escalations in", "pulls",
                       "consults", "gates", "business", "off", "sleep", "hours",
                       "share of escalations"],
                      [_person_row(p, f, p in doc.heroes, p in away)
                       for p, f in figures.people.items()]),
                "", f"The checkpoint's {doc.evaluation_days}-day replay (live work; no plan "
                f"activity); {HERO_ONLY_NOTE}; –: away in this arm. Gini of hours "
                f"{num(figures.gini_hours, 2)}, of pages {num(figures.gini_pages, 2)} "
                "(0 = even).", ""]
    review = doc.plan_review
    if review is not None and review.budget.people:
        out += ["## The plan against each person's weekly transfer budget", "", table(
            ["person", "budget h/week", "peak week h", "weeks over", "asked h", "allowed h",
             "drills over budget", "other charges h"],
            [[r.person, num(r.budget, 0), num(r.peak), ", ".join(map(str, r.over_weeks)) or
              "none", num(r.total, 0), num(sum(r.allowed), 0), r.skipped_drills,
              num(r.other_hours)] for r in review.budget.people]), ""]
    if doc.sustainment is not None:
        out += ["## Sustainment (verdicts at each checkpoint)", "", table(
            ["class", *(f"wk {cp.week}" for cp in doc.checkpoints),
             "responders, peak (week) → end", "slid back"],
            [[cid, *d.verdicts, f"{num(d.effective_peak)} ({d.effective_peak_week}) → "
              f"{num(d.effective_end)}", "yes" if d.regressed else "no"]
             for cid, d in doc.sustainment.classes.items()]), "",
            practice_note(doc.sustainment.practice_ends_week), ""]
    return out


def practice_note(ends: int | None) -> str:
    """When the plan's practice ends, in a sentence (for the sustainment view)."""
    if ends is None:
        return ("Practice (pairing, backup, shadowing, drills) runs to the end of the check, "
                "or there is no plan.")
    if ends == 0:
        return "The plan has no practice (pairing, backup, shadowing, drills)."
    return (f"The plan's practice (pairing, backup, shadowing, drills) ends by week {ends}; "
            "after it only live incidents keep skills up.")


def _person_row(person: str, f, hero: bool, away: bool) -> list[str]:
    """One person's figures in a markdown people table ('–' where they are away, and for
    pulls and consults of a non-hero)."""
    if away:
        return [person + " (away)", *["–"] * 11]
    only = (lambda v: num(v, 2)) if hero else (lambda v: "–")
    return [person + (" (hero)" if hero else ""), num(f.pages, 2), num(f.incidents_led, 2),
            num(f.escalations_received, 2), only(f.pulls_received), only(f.consults_received),
            num(f.gates, 2), num(f.interruptions["business"], 2), num(f.interruptions["off"], 2),
            num(f.interruptions["sleep"], 2), num(f.hours["total"]),
            num(f.escalation_share, 0, 100, "%")]


def class_table(classes: dict[str, ClassRow]) -> str:
    """One row per class of a checkpoint: the verdict and the criteria's figures."""
    return table(
        ["class", "verdict", "p50 present", "p90 present", "p90 absent", "ratio",
         "breaches added", "hand-offs/incident absent", "to a named person/incident present",
         "to a named person/incident absent", "effective responders",
         "notes"],
        [
            [cid + (" (specialty)" if row.specialty else ""), row.verdict,
             num(row.present.ttm_p50), num(row.present.ttm_p90),
             num(row.absent.ttm_p90), num(row.p90_ratio, 2),
             num(row.added_breach_rate, 0, 100, "%"),
             num(row.absent.escalations_per_incident, 2),
             num(row.present.to_person_per_incident, 2),
             num(row.absent.to_person_per_incident, 2),
             num(row.effective_responders), "; ".join(row.notes)]
            for cid, row in classes.items()
        ],
    )


def compare_markdown(doc: CompareDocument) -> str:
    """compare.md, from a compare.json document."""
    ranked = list(zip(doc.ranking, doc.ranked_plans))
    out = [
        f"# Plan comparison: {cell(doc.scenario)}",
        "",
        f"{len(ranked)} plans over {doc.weeks} weeks (checkpoints every {doc.every}), "
        f"{doc.replications} replications with common random numbers, seed {doc.seed}; "
        f"baseline: {cell(doc.baseline)}.",
        "",
        f"Ranking rule: {cell(doc.rule)}",
        "",
        table(
            ["rank", "plan", "time to independence", "hero hours", "learner hours",
             "hero interruptions/week at the end", "change vs baseline",
             "hero-absent p90 at the end (min)", "hero-absent breach rate",
             "breaches added", "verdict"],
            [[entry.rank, r.plan, week_span(r.time_to_independence, weeks=doc.weeks),
              num(r.hero_hours.mean), num(r.learner_hours.mean),
              num(r.hero_interruptions_per_week_end.mean, 2),
              num(r.hero_interruptions_change.mean, 2), num(r.absent_p90_end),
              num(r.absent_breach_rate_end, 1, 100, "%"),
              num(r.added_breach_rate_end, 1, 100, "%"), r.final_verdict]
             for entry, r in ranked],
        ),
        "",
        "## Differences",
        "",
    ]
    for entry in doc.ranking:
        if entry.difference is not None:
            out.append(f"- {cell(entry.plan)} over {cell(entry.next)}: "
                       f"{cell(entry.difference.verdict)}")
    for _, r in ranked:
        if r.vs_baseline:
            out.append(f"- {cell(r.plan)} vs baseline: {cell(r.vs_baseline.verdict)}")
    out += ["", "## Plans", ""]
    for _, r in ranked:
        held = ", ".join(r.holding_back) or "nothing"
        out.append(f"- **{cell(r.plan)}**: {cell(r.description)} Still holding it back at "
                   f"the end: {cell(held)}.")
    limits = {hero: (t.capacity, t.budget) for _, r in ranked for hero, t in r.hero_time.items()}
    out += ["", "## Hero time and load (hours a week over each plan's run)", "", table(
        ["plan", "hero", *HOUR_KINDS, "total", "left", "weeks overloaded",
         "Gini of hours present / absent", "budget"],
        [[r.plan, hero, *(hours(t.hours[k]) for k in HOUR_KINDS), num(t.hours["total"]),
          num(t.improvement_left), r.overloaded_weeks.get(hero, 0),
          f"{num(r.gini_hours_end.get('present'), 2)} / "
          f"{num(r.gini_hours_end.get('absent'), 2)}", "fits" if r.budget_fits else "over"]
         for _, r in ranked for hero, t in r.hero_time.items()]), "",
        "Left: capacity minus total, for improvement work. The same for every plan: "
        + "; ".join(f"{cell(h)}: capacity {num(c)} h a week, transfer budget {num(b, 0)} h"
                    for h, (c, b) in limits.items()) + ".", ""]
    for _, r in ranked:
        if r.findings:
            out += [f"### Findings: {cell(r.plan)}", "", *findings_markdown(r.findings)]
    return "\n".join(out) + "\n"
