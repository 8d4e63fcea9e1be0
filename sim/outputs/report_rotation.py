"""The report of a `herosim rotation` folder: the flags, the weekly table of who holds which
layer, and each person's share of the rotation with what it is expected to cost them
(rotation.json; docs/outputs.md)."""

from __future__ import annotations

from sim.analysis.types.rotation import Holder, RotationDocument
from sim.outputs.html import Raw, ReportBody, Section, join, note, para, table, tag
from sim.outputs.markdown import num


def holders(row: list[Holder], week_hours: float = 168.0) -> str:
    """'priya' for a whole week, 'lena 158h, jonas 10h' when the layer changes hands."""
    if not row:
        return "–"
    if len(row) == 1 and row[0].hours >= week_hours:
        return row[0].person
    return ", ".join(f"{h.person} {h.hours:g}h" for h in row)


def person_rows(doc: RotationDocument) -> list[list[str]]:
    """Per person: weeks primary/secondary/shadow, nights, pages, sleep pages, hero."""
    rows = []
    for p in doc.people:
        role = "hero" if p.hero else ("learner" if p.learner else "")
        rows.append([p.person, role, str(p.primary_weeks), str(p.secondary_weeks),
                     str(p.shadow_weeks), str(p.nights), num(p.pages["mean"], 1),
                     num(p.sleep_pages["mean"], 1),
                     num((p.hero_interruptions if p.hero else p.hero_involved)["mean"], 1)])
    return rows


PERSON_COLUMNS = ["person", "role", "wk prim", "wk sec", "wk shadow", "nights", "pages",
                  "sleep pages", "hero"]


def rotation_report(folder: dict) -> ReportBody:
    """The report body of a rotation folder (journal, rotation.json)."""
    doc = RotationDocument.from_json(folder["json"]["rotation.json"])
    flagged = bool(doc.flags)
    return ReportBody(
        title=f"On-call rotation: {doc.scenario}",
        verdict=(f"{len(doc.flags)} warning{'s' if len(doc.flags) != 1 else ''} about the "
                 "rotation" if flagged else "No warnings about the rotation"),
        tone="warn" if flagged else "good",
        facts=[("scenario", doc.scenario), ("plan", doc.plan or "none: the rotation as it is"),
               ("weeks", f"{doc.weeks} from {doc.start_date} ({doc.timezone})"),
               ("expected figures", f"{doc.replications} replications, seed {doc.seed}"),
               ("files", "rotation.csv (one row per shift), rotation.ics (the same shifts "
                         "as calendar events)")],
        sections=[
            Section("flags", "Warnings", _flags(doc)),
            Section("weeks", "Week by week", _weeks(doc)),
            Section("people", "Per person", _people(doc)),
        ],
    )


def _flags(doc: RotationDocument) -> Raw:
    if not doc.flags:
        return para("No layer leans on one person, nobody holds two layers at once and "
                     "primary is always held.")
    items = "".join(tag("li", f.message) for f in doc.flags)
    return Raw(f'<ul class="reasons">{items}</ul>')


def _weeks(doc: RotationDocument) -> Raw:
    rows = [[str(w.week), w.start, holders(w.primary), holders(w.secondary),
             holders(w.shadow), "; ".join(w.changes) or ""] for w in doc.week_rows]
    return join([
        table(["week", "from", "primary", "secondary", "shadow", "plan changes"], rows,
              left=6),
        note("Who holds each layer each hour, as the engine's calendar answers it: a planned "
             "absence hands the shift to the next member; several names share the week."),
    ])


def _people(doc: RotationDocument) -> Raw:
    return join([
        table(PERSON_COLUMNS, person_rows(doc), left=2),
        note("Weeks count the weeks in which a person holds the layer at least one hour; "
             "nights, the nights (their own 22-08) with primary or secondary hours. Pages (real "
             "and false) and sleep pages are expected over the weeks, means over the "
             "replications with the plan's learning; 'hero' is, for a hero, the times they "
             "were paged or pulled, and for anyone else the incidents they acknowledged that "
             "a hero still took part in."),
    ])
