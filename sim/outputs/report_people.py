"""Report sections on each person's load and the hero's time, shared by the check's, the
comparison's and the run's report.html: the hero's time by kind week by week, everyone's
figures per arm, the plan against each person's transfer budget and its final approvers, the
sustainment view, and the findings."""

from __future__ import annotations

from collections.abc import Sequence

from sim.analysis.types import (
    CheckDocument,
    CompareDocument,
    Finding,
    HeroTime,
    MetricsSummary,
    PeopleArm,
    PlanReview,
)
from sim.outputs import charts
from sim.outputs.html import Raw, estimate_cell, figure, join, mean_of, note, table, tag
from sim.outputs.markdown import (
    FINDING_LABEL,
    HERO_ONLY_NOTE,
    absent_in_arm,
    hours,
    num,
    practice_note,
)

KINDS = ("rescue", "backup", "consult", "review", "transfer", "triage")
FINDING_TONE = {"over_budget": "bad", "skipped": "warn", "final_approver": "warn",
                "overload": "bad",
                "concentration": "warn", "regression": "bad", "hero_load": "bad"}
VERDICT_TONE = {"independent": "good", "partly": "warn", "hero-dependent": "bad"}
ARM_LABEL = {"present": "hero present", "absent": "hero absent",
             "next_out": "hero and the next person out absent"}
KIND_NOTE = ("Hours a week by kind: rescue (leading or working incidents), backup (beside a "
             "learner who leads, on incidents and changes), consult (answering a responder "
             "who keeps the lead), review (release gates), transfer (drills, runbooks, the "
             "plan's other charges, the pairing overhead), triage (false pages).")


def findings_section(findings: Sequence[Finding]) -> Raw:
    """The findings as a list, each labelled by kind."""
    if not findings:
        return note("Nothing to flag: the plan fits everyone's budget, nobody is kept as "
                    "final approver forever, no hero is overloaded, dependence did not move to "
                    "anyone and no class slid back.")
    return tag("ul", join(
        tag("li", join([tag("span", FINDING_LABEL.get(f.kind, f.kind),
                             class_=f"tag {FINDING_TONE.get(f.kind, '')}".strip()),
                        " ", f.text]))
        for f in findings), class_="reasons")


def _time_row(label: Sequence[str], time: HeroTime) -> list:
    by_kind = time.hours
    left = num(time.improvement_left, 1)
    return [*label, *(hours(by_kind[k]) for k in KINDS), num(by_kind["total"], 1),
            num(time.capacity, 1),
            tag("span", left, class_="tag bad") if time.overloaded else left,
            num(time.budget_used, 1), num(time.budget, 0)]


def hero_time_section(doc: CheckDocument) -> Raw:
    """The tracked people's hours by kind week by week over the plan run, with their
    capacity and budget, and per span between checkpoints."""
    if not doc.hero_time:
        return note("No hero is named: no hero time to show.")
    panels = {person: {k: [w.hours[k] for w in series.weeks] for k in KINDS}
              for person, series in doc.hero_time.items()}
    lines = {person: {"capacity": series.capacity, "transfer budget": series.budget}
             for person, series in doc.hero_time.items()}
    chart = charts.weekly_stacks(panels, lines, charts.HOUR_KIND_COLOURS, "hours per week",
                                 "Hero time by kind, week by week (mean over replications)")
    rows = [_time_row([str(cp.week), person], time)
            for cp in doc.checkpoints[1:] for person, time in cp.hero_time.items()]
    over = [f"{p}: weeks {', '.join(map(str, s.overloaded_weeks))}"
            for p, s in doc.hero_time.items() if s.overloaded_weeks]
    return join([
        figure(chart, KIND_NOTE + " Dashed: the capacity (working hours a week x (1 - project "
                      "share)); dotted: the weekly transfer budget, which pays for drills, "
                      "runbook writing, pairing and backing up."),
        table(["week", "who", *KINDS, "total", "capacity", "left", "budget used", "budget"],
              rows, left=2, caption="Means per week over the weeks since the previous "
                                    "checkpoint; left: capacity minus total, for improvement "
                                    "work."),
        note("Overloaded: " + "; ".join(over) + ".") if over else "",
    ])


def people_table(arm: PeopleArm, heroes: Sequence[str], away: set[str], caption: str) -> Raw:
    """Everyone's figures in one arm: per week, and their shares ('–' for who is away in the
    arm, and for a non-hero's pulls and consults)."""
    rows = []
    for person, f in arm.people.items():
        hero = person in heroes
        if person in away:
            rows.append([person + " (away)", *["–"] * 10])
            continue
        i = f.interruptions
        shares = ", ".join(f"{c} {num(s, 0, 100, '%')}" for c, s in f.critical_shares.items()
                           if s)
        only = (lambda v: num(v, 2)) if hero else (lambda v: "–")
        rows.append([person + (" (hero)" if hero else ""), num(f.pages, 2),
                     num(f.incidents_led, 2), num(f.escalations_received, 2),
                     only(f.pulls_received), only(f.consults_received), num(f.gates, 2),
                     f"{num(i['business'], 1)} / {num(i['off'], 1)} / {num(i['sleep'], 1)}",
                     num(f.hours["total"], 1), num(f.escalation_share, 0, 100, "%"),
                     shares or "–"])
    return table(["person", "pages", "led", "escalations in", "pulls", "consults", "gates",
                  "business / off / sleep", "hours", "share of escalations",
                  "share of critical incidents led"], rows, left=1, caption=caption)


def people_section(doc: CheckDocument) -> Raw:
    """Each person at the start and the end, in every arm, and where dependence moved."""
    parts = []
    for index in sorted({0, len(doc.checkpoints) - 1}):
        cp = doc.checkpoints[index]
        for arm, figures in cp.people.items():
            parts.append(tag("h3", f"Week {cp.week}, {ARM_LABEL.get(arm, arm)}"))
            away = absent_in_arm(arm, doc.heroes, doc.also_without)
            parts.append(people_table(figures, doc.heroes, away,
                                      f"Per week in the checkpoint's {doc.evaluation_days}-day "
                                      "replay (live work, no plan activity), mean over "
                                      f"replications (probes left out); {HERO_ONLY_NOTE}. "
                                      "Gini of hours "
                                      f"{num(figures.gini_hours, 2)}, of pages "
                                      f"{num(figures.gini_pages, 2)} (0 = even)."))
    alerts = [a.text for a in doc.concentration]
    return join([
        note("Shares count every incident of the window, probes included; an alert fires when "
             "a non-hero's share of a critical class, or of escalations, is past "
             f"{num(doc.criteria.get('concentration_share'), 0, 100, '%')} at the end and "
             "above the start."),
        tag("ul", join(tag("li", a) for a in alerts), class_="reasons") if alerts else "",
        *parts,
    ])


def review_section(review: PlanReview | None) -> Raw:
    """The plan against each person's weekly transfer budget, and its final approvers."""
    if review is None:
        return note("No plan review.")
    budget = review.budget
    rows = [[row.person, num(row.budget, 0), num(row.peak, 1),
             ", ".join(map(str, row.over_weeks)) or "none", num(row.total, 0),
             num(sum(row.allowed), 0), str(row.skipped_drills), num(row.other_hours, 1)]
            for row in budget.people]
    skipped = [f"{kind}: {num(n, 1)} ({reason})" for reason, kinds in budget.skipped.items()
               for kind, n in kinds.items()]
    return join([
        table(["person", "budget h/week", "peak week h", "weeks over", "asked h", "allowed h",
               "drills over budget", "other charges h"], rows, left=1,
              caption="Asked: drills and runbook writing as the plan schedules them; allowed: "
                      "what the budget lets happen (a drill over it is skipped, a runbook "
                      "waits); other charges are outside the budget.")
        if rows else note("The plan schedules no drills or runbooks."),
        note("Skipped in the run, per replication: " + "; ".join(skipped) + ".")
        if skipped else "",
        tag("ul", join(tag("li", t) for t in budget.text), class_="reasons")
        if budget.text else "",
        tag("h3", "Final approver forever") if review.final_approver else "",
        tag("ul", join(tag("li", f.text) for f in review.final_approver), class_="reasons")
        if review.final_approver else "",
    ])


def sustainment_section(doc: CheckDocument) -> Raw:
    """Each class's verdict at every checkpoint, and the classes that slid back."""
    drift = doc.sustainment
    if drift is None:
        return note("No sustainment view.")
    weeks = [str(cp.week) for cp in doc.checkpoints]
    rows = [[cid, *(tag("span", v[:5], class_=f"tag {VERDICT_TONE.get(v, '')}".strip())
                    for v in d.verdicts),
             f"{num(d.effective_peak)} (wk {d.effective_peak_week}) → {num(d.effective_end)}",
             "yes" if d.regressed else "no"] for cid, d in drift.classes.items()]
    return join([
        table(["class", *(f"wk {w}" for w in weeks), "responders, peak → end", "slid back"],
              rows, left=1,
              caption=practice_note(drift.practice_ends_week)
              + " Responders: non-hero effective responders. A class slides back when its "
                "verdict at the end is worse than its best with fewer responders than then, or "
                "when its responders fall from their peak (by 0.5 or more) to fewer than it "
                "needs."),
        tag("ul", join(tag("li", w) for w in drift.warnings), class_="reasons")
        if drift.warnings else "",
    ])


def compare_people_section(doc: CompareDocument) -> Raw:
    """Each plan's hero time over its run, the Gini of hours at the end, its findings. A
    hero's capacity and budget are the scenario's, the same for every plan: said once."""
    rows = []
    findings = []
    limits = {}
    for row in doc.ranked_plans:
        gini = row.gini_hours_end
        for hero, time in row.hero_time.items():
            limits[hero] = (time.capacity, time.budget)
            by_kind = time.hours
            left = num(time.improvement_left, 1)
            rows.append([row.plan, hero, *(hours(by_kind[k]) for k in KINDS),
                         num(by_kind["total"], 1),
                         tag("span", left, class_="tag bad") if time.overloaded else left,
                         num(time.budget_used, 1), str(row.overloaded_weeks.get(hero, 0)),
                         f"{num(gini.get('present'), 2)} / {num(gini.get('absent'), 2)}",
                         "fits" if row.budget_fits else tag("span", "over", class_="tag bad")])
        if row.findings:
            findings.append(tag("h3", row.plan))
            findings.append(findings_section(row.findings))
    said = "; ".join(f"{hero}: capacity {num(c, 1)} h a week, transfer budget {num(b, 0)} h"
                     for hero, (c, b) in limits.items())
    return join([
        table(["plan", "hero", *KINDS, "total", "left", "budget used", "weeks overloaded",
               "Gini of hours, present / absent", "plan's drills and runbooks"], rows,
              left=2, caption=KIND_NOTE + " Means per week over each plan's run; left: "
                              "capacity minus total, for improvement work; budget used: "
                              "transfer and backup, which the weekly budget pays for. The "
                              f"same for every plan: {said}."),
        *findings,
    ])


def run_hero_time_section(arms: Sequence[tuple[str, MetricsSummary]]) -> Raw:
    """The heroes' hours a week by kind in a run, per arm, against their capacity."""
    panels = {label: {hero: {k: mean_of(row.get(k)) for k in KINDS}
                      for hero, row in (m.get("hero_time") or {}).items()}
              for label, m in arms}
    panels = {label: bars for label, bars in panels.items() if bars}
    if not panels:
        return note("No hero present: no hero time to show.")
    rows = [[hero, label, *(estimate_cell(row.get(k)) for k in (*KINDS, "total")),
             estimate_cell(row.get("capacity")), estimate_cell(row.get("improvement_left")),
             estimate_cell(row.get("overloaded_weeks"))]
            for label, m in arms for hero, row in (m.get("hero_time") or {}).items()]
    chart = charts.stacked_bars(panels, charts.HOUR_KIND_COLOURS, "hours per week (mean)",
                                "Hero time by kind")
    return join([
        figure(chart, KIND_NOTE),
        table(["hero", "arm", *KINDS, "total", "capacity", "left", "weeks overloaded"], rows,
              left=2, caption="Capacity: working hours a week x (1 - project share); left: "
                              "for improvement work; weeks overloaded: full weeks past the "
                              "capacity. Backup and transfer happen while a plan runs (check "
                              "and compare): none in a run."),
    ])
