"""Tables of each person's load and the hero's time, shared by `check` and `compare`."""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from rich.table import Table

from cli.common import console
from cli.format import new_table, number
from sim.analysis.types import (
    Budget,
    CheckDocument,
    Checkpoint,
    CompareDocument,
    Finding,
    HeroTime,
    Sustainment,
)
from sim.outputs.markdown import FINDING_LABEL, HERO_ONLY_NOTE, absent_in_arm, hours, practice_note

KIND_COLUMNS = ("rescue", "backup", "consult", "review", "transfer")
FINDING_STYLE = {"over_budget": "red", "skipped": "yellow", "final_approver": "yellow",
                 "overload": "red", "concentration": "yellow", "regression": "red",
                 "hero_load": "red"}
VERDICT_LETTER = {"independent": "I", "partly": "p", "hero-dependent": "H"}


def hero_time_row(label: list[str], time: HeroTime) -> list[str]:
    """One row of hero time: the label cells, hours by kind, total, capacity, what is left."""
    by_kind = time.hours
    left = number(time.improvement_left, 1)
    return [*label, *(hours(by_kind[k]) for k in KIND_COLUMNS), number(by_kind["total"], 1),
            number(time.capacity, 1),
            f"[red]{left}[/red]" if time.overloaded else left]


HERO_TIME_CAPTION = ("hours a week by kind: rescue (leading or working incidents), backup "
                     "(learners leading), consult, review (release gates), transfer (drills, "
                     "runbooks, the plan's other charges, pairing overhead); backup and "
                     "transfer come from a plan (none without one); total includes triage "
                     "(false pages); cap.: working hours x (1 - project share); left: for "
                     "improvement work (red: overloaded)")


def hero_time_table(doc: CheckDocument) -> Table:
    """The heroes' hours per week by kind between checkpoints of the plan run."""
    rows = []
    for cp in doc.checkpoints[1:]:
        for person, time in cp.hero_time.items():
            rows.append(hero_time_row([str(cp.week), escape(person)], time))
    return new_table("Hero time per week over the run (the weeks up to each checkpoint)",
                     ["week", "who", *KIND_COLUMNS, "total", "cap.", "left"], rows, left=2,
                     caption=HERO_TIME_CAPTION)


def _pair(here: float | None, gone: float | None, digits: int = 1) -> str:
    return f"{number(here, digits)}→{number(gone, digits)}"


def people_table(checkpoint: Checkpoint, heroes: Sequence[str], evaluation_days: int
                 ) -> Table:
    """Everyone at one checkpoint, hero present→absent: pages, incidents led, escalations and
    pulls received, hours, and the present arm's interruptions by hour class."""
    present = checkpoint.people.get("present")
    absent = checkpoint.people.get("absent")
    away = absent_in_arm("absent", heroes, ())
    rows = []
    if present is not None:
        for person, here in present.people.items():
            gone = None if absent is None or person in away else absent.people.get(person)
            hero = person in heroes
            i = here.interruptions
            rows.append([
                escape(person) + (" ★" if hero else ""),
                _pair(here.pages, gone and gone.pages),
                _pair(here.incidents_led, gone and gone.incidents_led),
                _pair(here.escalations_received, gone and gone.escalations_received),
                number(here.pulls_received + here.consults_received, 1) if hero else "–",
                _pair(here.hours["total"], gone and gone.hours["total"]),
                f"{number(i['business'], 1)}/{number(i['off'], 1)}/{number(i['sleep'], 1)}",
            ])
    gini = (f"Gini of hours {_pair(present.gini_hours, absent.gini_hours, 2)}, of pages "
            f"{_pair(present.gini_pages, absent.gini_pages, 2)} (0 = even)."
            if present is not None and absent is not None else "")
    return new_table(
        f"Each person at week {checkpoint.week}, per week of the {evaluation_days}-day "
        "replay (hero present→absent)",
        ["person", "pages", "led", "escal. in", "pulls + consults", "hours",
         "business/ off/sleep"], rows, left=1,
        caption="★ hero (away in the second arm: –); live work only, no plan activity; escal. "
                f"in: escalations received; {HERO_ONLY_NOTE}; pulls + consults and "
                f"interruptions by the person's local hours with the hero present. {gini}")


def next_out_line(doc: CheckDocument) -> str | None:
    """The third arm at the end, in a sentence (None without --also-without)."""
    last = doc.checkpoints[-1]
    if last.next_out is None:
        return None
    classes = {c: r for c, r in last.next_out.classes.items() if not r.specialty}
    independent = sum(r.verdict == "independent" for r in classes.values())
    held = ", ".join(f"{escape(c)} {r.verdict}" for c, r in classes.items()
                     if r.verdict != "independent")
    who = escape(", ".join([*doc.heroes, *doc.also_without]))
    verdict = "[green]passes[/green]" if last.next_out.passed else "[red]does not pass[/red]"
    return (f"Without {who} (the next person out) at week {last.week}: {verdict}, "
            f"{independent}/{len(classes)} classes independent" + (f"; {held}." if held else "."))


def budget_table(budget: Budget) -> Table | None:
    """Each person's scheduled drills and runbooks against their weekly budget."""
    if not budget.people:
        return None
    rows = [[escape(row.person), number(row.budget, 0), number(row.peak, 1),
             str(len(row.over_weeks)), number(row.total, 0), number(sum(row.allowed), 0),
             str(row.skipped_drills), number(row.other_hours, 1)] for row in budget.people]
    return new_table(
        "The plan against each person's weekly transfer budget (hours)",
        ["person", "budget /week", "peak week", "weeks over", "asked", "allowed",
         "drills over budget", "other"], rows, left=1,
        caption="asked: drills and runbook writing the plan schedules; allowed: what the budget "
                "lets happen (a drill over it is skipped, a runbook waits), before absences: "
                "what the run skipped is under Findings; other: the plan's "
                "charges outside the budget (condition fixes, access, arrangements). Pairing "
                "and backing up also spend it, live: see hero time.")


def drift_table(sustainment: Sustainment, weeks: Sequence[int]) -> Table:
    """Each class's verdict at every checkpoint, its best and whether it slid back."""
    rows = []
    for cid, drift in sustainment.classes.items():
        letters = " ".join(VERDICT_LETTER.get(v, "?") for v in drift.verdicts)
        rows.append([escape(cid), letters,
                     f"{VERDICT_LETTER.get(drift.best_verdict, '?')} (wk {drift.best_week})",
                     f"{number(drift.effective_peak)} (wk {drift.effective_peak_week})→"
                     f"{number(drift.effective_end)}",
                     "[red]yes[/red]" if drift.regressed else "no"])
    return new_table(
        "Sustainment: verdicts at weeks " + " ".join(str(w) for w in weeks),
        ["class", "verdicts", "best", "resp. peak→end", "slid back"], rows, left=2,
        caption="I independent, p partly, H hero-dependent; resp.: non-hero effective "
                "responders. A class slides back when its verdict falls from its best with "
                "fewer responders, or its responders fall from their peak (by 0.5 or more) to "
                "fewer than it needs. "
                + practice_note(sustainment.practice_ends_week))


def print_findings(findings: Sequence[Finding], title: str = "Findings") -> None:
    """The findings, one paragraph each, labelled by kind."""
    if not findings:
        return
    console.print(f"[bold]{escape(title)}[/bold]")
    for finding in findings:
        console.print(finding_line(finding))


def finding_line(finding: Finding) -> str:
    """A finding as one indented paragraph, labelled (and coloured) by its kind."""
    style = FINDING_STYLE.get(finding.kind, "bold")
    label = FINDING_LABEL.get(finding.kind, finding.kind)
    return f"  [{style}]{escape(label)}[/{style}]: {escape(finding.text)}"


def plan_time_table(doc: CompareDocument) -> Table:
    """Each plan's hero time over its run, the Gini of hours at the end, its budget."""
    rows = []
    for row in doc.ranked_plans:
        gini = row.gini_hours_end
        for n, (hero, time) in enumerate(row.hero_time.items()):
            first = n == 0
            rows.append([
                escape(row.plan) if first else "", escape(hero),
                number(time.hours["total"], 1), number(time.hours["transfer"], 1),
                number(time.improvement_left, 1), str(row.overloaded_weeks.get(hero, 0)),
                _pair(gini.get("present"), gini.get("absent"), 2) if first else "",
                ("fits" if row.budget_fits else "[red]over[/red]") if first else "",
            ])
    return new_table(
        "Hero time and each person's load (hours a week over the plan run)",
        ["plan", "hero", "total", "of which transfer", "left", "weeks over cap.",
         "Gini hours", "budget"], rows, left=2,
        caption="left: capacity minus total, for improvement work; Gini of hours at the end, "
                "hero present→absent; budget: the plan's drills and runbooks within each "
                "person's weekly transfer budget. Findings below; each plan's check in "
                "compare.json.")


def print_plan_findings(doc: CompareDocument) -> None:
    """Each plan's findings, concentration alerts in one line each."""
    for row in doc.ranked_plans:
        check = doc.checks.get(row.plan)
        alerts = check.concentration if check is not None else []
        rest = [f for f in row.findings if f.kind != "concentration"]
        if not rest and not alerts:
            continue
        console.print(f"[bold]{escape(row.plan)}[/bold]")
        for finding in rest:
            console.print(finding_line(finding))
        for alert in alerts:
            console.print(f"  [yellow]dependence moved[/yellow]: {escape(alert.person)} "
                          f"{alert.share:.0%} of {escape(alert.subject)} ({alert.arm}; "
                          f"{(alert.start_share or 0.0):.0%} at the start)")
