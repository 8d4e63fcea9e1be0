"""The report of a `herosim check` folder: the independence curve over the plan's weeks, the
skills at the start and the end, and the verdict per class."""

from __future__ import annotations

from sim.analysis.types import CheckDocument
from sim.outputs import charts
from sim.outputs.headline import check_headline
from sim.outputs.html import Raw, ReportBody, Section, figure, join, note, para, table, tag
from sim.outputs.markdown import num, week_span
from sim.outputs.report_people import (
    findings_section,
    hero_time_section,
    people_section,
    review_section,
    sustainment_section,
)

VERDICT_TONE = {"independent": "good", "partly": "warn", "hero-dependent": "bad"}


def check_report(folder: dict) -> ReportBody:
    """The report body of a check folder (journal, independence.json)."""
    doc = CheckDocument.from_json(folder["json"]["independence.json"])
    journal = folder["journal"]
    scenario = journal.get("scenario") or {}
    plan = journal.get("plan_definition") or {}
    final = doc.final
    c = doc.criteria
    plan_name = doc.plan or "no plan (today's team)"
    body = ReportBody(
        title=f"Independence check: {doc.scenario}, {plan_name}",
        verdict=f"{final.verdict.capitalize()} at week {final.week}",
        tone="good" if final.passed else "bad",
        facts=[
            ("time to independence", week_span(doc.time_to_independence, weeks=doc.weeks)),
            ("plan", f"{plan_name}: {doc.weeks} weeks, checkpoints every {doc.every} "
                     "weeks"),
            ("heroes tested", ", ".join(doc.heroes) or "none named"),
            ("simulated", f"{doc.replications} replications, seed {doc.seed}; each "
                          f"checkpoint replays {doc.evaluation_days} days of incidents with "
                          "the heroes present and absent"),
        ],
        intro=join([
            para(tag("strong", check_headline(doc).text)),
            para(scenario.get("description") or ""),
            para(plan.get("description") or ""),
            note(f"A class passes when, without the heroes, its p90 time to mitigate is at most "
                 f"{c['max_p90_ratio']:g}x the hero-present figure, the absence adds at most "
                 f"{c['max_added_breach_rate']:.0%} SLO breaches, and at least "
                 f"{c['min_effective_responders']} non-hero people would handle it alone "
                 "(critical classes; 1 otherwise). The team is independent at a checkpoint "
                 "when every non-specialty class passes."),
        ]),
    )
    body.sections = [
        Section("verdict", f"Verdict by class at week {final.week}", verdict_section(doc)),
        Section("findings", "Findings: time, approvers, where dependence went",
                findings_section(doc.findings)),
        Section("independence-curve", "Independence over the plan", curve_section(doc)),
        Section("hero-time", "The hero's time", hero_time_section(doc)),
        Section("people", "Each person", people_section(doc)),
        Section("budget", "The plan against people's time", review_section(doc.plan_review)),
        Section("sustainment", "Sustainment: does independence hold?",
                sustainment_section(doc)),
        Section("skills", "Skills at the start and the end", skills_section(doc, scenario)),
        Section("plan", "The plan", plan_section(plan)),
    ]
    return body


def _verdict_tag(verdict: str) -> Raw:
    return tag("span", verdict, class_=f"tag {VERDICT_TONE.get(verdict, '')}".strip())


def verdict_section(doc: CheckDocument) -> Raw:
    """The classes at the last checkpoint, and what holds each back."""
    last = doc.checkpoints[-1]
    reasons = {item.class_id: item.reasons for item in doc.final.holding_back}
    rows = []
    held = []
    for cid, row in last.classes.items():
        present, absent = row.present, row.absent
        why = reasons.get(cid) or row.notes or []
        rows.append([
            cid + (" (specialty)" if row.specialty else ""),
            _verdict_tag(row.verdict),
            f"{num(present.ttm_p90, 0)} → {num(absent.ttm_p90, 0)}",
            num(row.p90_ratio, 2),
            num(row.added_breach_rate, 1, 100, "%"),
            f"{num(present.escalations_per_incident, 1)} → "
            f"{num(absent.escalations_per_incident, 1)}",
            f"{num(present.to_person_per_incident, 2)} → "
            f"{num(absent.to_person_per_incident, 2)}",
            f"{num(present.hero_share, 0, 100, '%')} / "
            f"{num(absent.beyond_first_share, 0, 100, '%')}",
            num(row.effective_responders, 1),
        ])
        if why:
            held.append(tag("li", join([tag("strong", cid), " (", row.verdict, ")",
                                        tag("ul", join(tag("li", r) for r in why))])))
    specialty = doc.final.specialty or {}
    return join([
        table(["class", "verdict", "TTM p90 min, present → absent", "ratio", "breach +",
               "hand-offs /incident, present → absent",
               "to a named person /incident, present → absent",
               "needed a hero (present) / anyone beyond the first responder (absent)",
               "responders"], rows,
              left=2, caption="ratio: hero-absent / hero-present p90; breach +: SLO breaches "
                              "the absence adds; hand-offs to a named person: informal pulls "
                              "and direct pages, the rest go to a level of the policy; "
                              "responders: non-hero people who would handle the class alone "
                              "(mean over replications)."),
        tag("h3", "What holds it back") if held else "",
        tag("ul", join(held), class_="reasons") if held else "",
        note("Specialty classes are reported apart and do not decide the verdict: "
             + ", ".join(f"{cid} ({v})" for cid, v in specialty.items()) + ".")
        if specialty else "",
    ])


def curve_section(doc: CheckDocument) -> Raw:
    """The independence curve over the plan's weeks, and its table."""
    points = doc.checkpoints
    weeks = [cp.week for cp in points]
    overall = [cp.overall for cp in points]
    ratio = doc.criteria["max_p90_ratio"]

    def line(key: str, label: str, colour: str) -> dict:
        bands = [getattr(o.bands, key, None) or (None, None) for o in overall]
        return {"label": label, "colour": colour, "values": [getattr(o, key) for o in overall],
                "low": [b[0] for b in bands], "high": [b[1] for b in bands]}

    interruptions = [cp.hero_interruptions_per_week for cp in points]
    panels = [
        {"title": "p90 time to mitigate, all classes pooled", "ylabel": "minutes",
         "lines": [
             line("present_p90", "hero present", charts.PRESENT),
             line("absent_p90", "hero absent", charts.ABSENT),
             {"label": f"pass threshold ({ratio:g}x present)", "colour": charts.THRESHOLD,
              "dashed": True,
              "values": [None if o.present_p90 is None else o.present_p90 * ratio
                         for o in overall]},
         ]},
        {"title": "hand-offs per incident", "ylabel": "per incident",
         "lines": [line("present_escalations_per_incident", "hero present", charts.PRESENT),
                   line("absent_escalations_per_incident", "hero absent", charts.ABSENT)]},
        {"title": "needed beyond the first responder", "ylabel": "% of incidents",
         "percent": True,
         "lines": [line("present_hero_share", "a hero (hero present)", charts.PRESENT),
                   line("absent_beyond_first_share", "anyone else (hero absent)",
                        charts.ABSENT)]},
        {"title": "hero interruptions per week (hero present)", "ylabel": "per week",
         "lines": [{"label": "hero present", "colour": charts.PRESENT,
                    "values": [i.mean for i in interruptions],
                    "low": [i.low for i in interruptions],
                    "high": [i.high for i in interruptions]}]},
    ]
    chart = charts.independence_curve(weeks, panels, [cp.passed for cp in points],
                                      doc.time_to_independence.week)
    rows = []
    for cp in points:
        o = cp.overall
        classes = [r for r in cp.classes.values() if not r.specialty]
        independent = sum(r.verdict == "independent" for r in classes)
        rows.append([
            str(cp.week),
            _verdict_tag("independent") if cp.passed else _verdict_tag("not independent"),
            f"{num(o.present_p90, 0)} → {num(o.absent_p90, 0)}",
            num(o.p90_ratio, 2),
            f"{num(o.present_escalations_per_incident, 1)} → "
            f"{num(o.absent_escalations_per_incident, 1)}",
            f"{num(o.present_hero_share, 0, 100, '%')} / "
            f"{num(o.absent_beyond_first_share, 0, 100, '%')}",
            num(cp.hero_interruptions_per_week.mean, 1),
            num(cp.plan_hero_hours.mean, 0),
            num(cp.plan_learner_hours.mean if cp.plan_learner_hours else None, 0),
            f"{independent}/{len(classes)}",
        ])
    return join([
        figure(chart, "Hero-present (blue) and hero-absent (vermillion) figures at each "
                      "checkpoint, all classes pooled; shaded: 95% bootstrap bands across "
                      "replications. The dashed line is the pass threshold on the p90 time to "
                      f"mitigate ({ratio:g}x the hero-present p90); the verdict is per class, "
                      "so a pooled curve under the threshold can still fail. Filled markers: "
                      "checkpoints that pass."),
        table(["week", "passes", "TTM p90 min, present → absent", "ratio",
               "hand-offs /incident, present → absent",
               "needed a hero (present) / anyone else (absent)", "hero interruptions /week",
               "plan hero hours", "plan learner hours", "classes independent"], rows, left=2,
              caption="Pooled over all classes; plan hours are cumulative to the checkpoint. "
                      "Whether the first responder hands an incident on is decided before who "
                      "receives it, so the share handed on is the same in both arms by "
                      "construction; these figures differ: how many hand-offs it takes, and "
                      "whom it needed (a hero when there is one, anyone else when not)."),
    ])


def skills_section(doc: CheckDocument, scenario: dict) -> Raw:
    """Heatmaps of knowledge and confidence, people x classes, at the start and the end."""
    skills = doc.skills or {}
    start, end = skills.get("start") or {}, skills.get("end") or {}
    people = list(dict.fromkeys([*(p.get("id") for p in scenario.get("people") or []
                                   if p.get("id") in start), *start]))
    classes = list(dict.fromkeys(
        [*(c.get("id") for c in scenario.get("classes") or []),
         *(cid for row in start.values() for cid in row)]))
    classes = [cid for cid in classes if any(cid in start.get(p, {}) for p in people)]
    if not people or not classes:
        return note("The check recorded no skills.")

    def grid(state: dict, measure: str):
        return [[((state.get(p) or {}).get(cid) or {}).get(measure) for cid in classes]
                for p in people]

    grids = {
        "knowledge, start": grid(start, "knowledge"),
        f"knowledge, week {doc.weeks}": grid(end, "knowledge"),
        "confidence, start": grid(start, "confidence"),
        f"confidence, week {doc.weeks}": grid(end, "confidence"),
    }
    names = {p.get("id"): p.get("name") or p.get("id") for p in scenario.get("people") or []}
    heroes = set(doc.heroes or [])
    team = table(["person", "name", "role"],
                 [[p, names.get(p, p), "hero" if p in heroes else ""] for p in people],
                 left=3)
    return join([
        figure(charts.skill_heatmaps(people, classes, grids),
               "Mean knowledge (can they fix it) and confidence (will they lead it) per person "
               "and class across replications, at the start of the plan and at its end. "
               "Lighter is stronger."),
        team,
    ])


def plan_section(plan: dict) -> Raw:
    """The plan's actions as a table (from the journal's plan definition)."""
    actions = plan.get("actions") or []
    if not actions:
        return note("No plan: the check measured today's team.")
    rows = []
    for action in actions:
        start, end = action.get("start_day"), action.get("end_day")
        days = f"day {start}" + (f"–{end}" if end is not None else " on")
        who = action.get("learners") or action.get("people") or []
        details = {k: v for k, v in action.items()
                   if k not in ("kind", "start_day", "end_day", "learners", "people", "classes",
                                "note", "hero_hours", "learner_hours") and v not in (None, [], "")}
        rows.append([
            action.get("kind"), days, ", ".join(who), ", ".join(action.get("classes") or []),
            "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in details.items()),
            action.get("note") or "",
            _hours(action.get("hero_hours")), _hours(action.get("learner_hours")),
        ])
    return table(["action", "when", "who", "classes", "details", "note", "hero h",
                  "learner h"], rows, left=6,
                 caption="Hours: each action's stated cost (per occurrence where it repeats; "
                         "'default': the kind's default). Live practice is measured: see the "
                         "checkpoint table.")


def _hours(value) -> str:
    return "default" if value is None else num(value, 1)
