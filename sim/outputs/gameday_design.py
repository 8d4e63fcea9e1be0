"""A designed game day as the facilitator uses it: the run sheet (runsheet.md, and report.html
through `design_report`) and the pre-filled observation file (observations.yaml) that the
facilitator completes during the day and `herosim score` reads back."""

from __future__ import annotations

import yaml

from sim.analysis.gameday.design_types import DesignedInjection, GameDayDesign
from sim.outputs.html import Raw, ReportBody, Section, join, note, para, table, tag
from sim.outputs.markdown import cell, num, quantile_range
from sim.outputs.markdown import table as md_table


def _shares(shares: dict[str, float], limit: int = 3) -> str:
    return ", ".join(f"{p} {s:.0%}" for p, s in list(shares.items())[:limit]) or "–"


def _setup(doc: GameDayDesign) -> list[tuple[str, str]]:
    heroes = ", ".join(doc.heroes) or "none named"
    return [("date", f"{doc.date} (day {doc.scenario_day} of {doc.scenario}'s calendar), "
                     f"first injection {doc.start}"),
            ("plan", doc.plan or "none (the scenario's team, practising live)"),
            ("heroes", f"{heroes}: {doc.hero_role}"),
            ("steps out", ", ".join(doc.absent) or "nobody else"),
            ("primary pager", (doc.primary or "the rotation as scheduled") + " (the design "
             "learns most this way: " + ", ".join(f"{p.person or 'the rotation'} "
                                                  f"{p.score:.2f}" for p in doc.primaries[:3])
             + ")"),
            ("predictions", f"{doc.replications} replications, seed {doc.seed}")]


def injection_rows(doc: GameDayDesign) -> list[list[str]]:
    """Time, id, class, who will likely hold it, predicted TTA and TTM (p10–p50–p90),
    chances of escalating and of reaching for a hero."""
    return [[i.at, i.id, i.class_id, _shares(i.predicted.acknowledged_by_shares, 2),
             quantile_range(i.predicted.tta), quantile_range(i.predicted.ttm),
             num(i.predicted.escalation_chance, 0, 100, "%"),
             num(i.predicted.hero_chance, 0, 100, "%")] for i in doc.injections]


INJECTION_COLUMNS = ["at", "id", "class", "likely first", "TTA min", "TTM min", "escalates",
                     "hero"]


def runsheet_markdown(doc: GameDayDesign) -> str:
    """The facilitator's run sheet: set-up, timeline, each injection with why and what to
    watch for, the hesitation signs, and how to score the day."""
    lines = [f"# Game-day run sheet: {cell(doc.scenario)}, {doc.date}", ""]
    lines += [f"- **{k}**: {cell(v)}" for k, v in _setup(doc)]
    lines += ["", "## Timeline", "", md_table(INJECTION_COLUMNS, injection_rows(doc)), "",
              "Times are minutes from injection, p10–p50–p90 of the model's prediction; "
              "'hero' is how often the team would reach for a hero if one were reachable.",
              ""]
    for inj in doc.injections:
        lines += _injection_md(inj)
    lines += ["## Hesitation signs to note", ""]
    lines += [f"- {cell(s)}" for s in doc.hesitation_signs]
    lines += ["", "## During and after", "",
              "Fill in observations.yaml (beside this sheet) as each injection runs: who "
              "acknowledged, when, who led, every escalation, whether a hero was involved or "
              "consulted, hints given. Then: `herosim score SCENARIO observations.yaml"
              + (f" --plan {doc.plan}" if doc.plan else "") + "`.", "",
              "## Why these injections", "",
              md_table(["class", "bits", "risk", "score"],
                       [[c.class_id, num(c.information_bits, 2), num(c.risk, 2),
                         num(c.score, 2)] for c in doc.candidates]), "",
              f"Score = expected bits learned about the skills of whoever holds it + "
              f"{doc.risk_weight:g} x risk (hero chance x SLO-breach chance). Primary pager "
              "options: " + ", ".join(f"{p.person or 'the rotation'} {p.score:.2f}"
                                      for p in doc.primaries) + ".", ""]
    return "\n".join(lines)


def _injection_md(inj: DesignedInjection) -> list[str]:
    p = inj.predicted
    lines = [f"## {inj.at} — {cell(inj.id)}", "", "Why:", ""]
    lines += [f"- {cell(w)}" for w in inj.why]
    lines += ["", f"The model predicts: acknowledged by {cell(_shares(p.acknowledged_by_shares))}"
              f"; led by {cell(_shares(p.lead_shares))}; time to mitigate "
              f"{quantile_range(p.ttm)} min"
              + (f", never mitigated in {p.unresolved_share:.0%} of replays"
                 if p.unresolved_share else "") + ".", "", "Watch for:", ""]
    lines += [f"- {cell(w)}" for w in inj.watch_for]
    return lines + [""]


def observations_yaml(doc: GameDayDesign) -> str:
    """The pre-filled observation file: the day's set-up and each injection's class and time,
    with the fields the facilitator fills in left empty (`herosim score` says which are
    still missing)."""
    gameday = {"date": doc.date, "scenario_day": doc.scenario_day, "start": doc.start,
               "hero_role": doc.hero_role, "absent": list(doc.absent)}
    if doc.primary:
        gameday["primary"] = doc.primary
    gameday["notes"] = f"Designed by herosim gameday design ({doc.scenario})."
    injections = []
    for inj in doc.injections:
        injections.append({
            "id": inj.id, "class": inj.class_id,
            "injected_at": inj.at, "acknowledged_at": None, "acknowledged_by": None,
            "mitigated_at": None, "led_by": None, "participants": [], "escalations": [],
            "hero_involved": False, "hero_consulted": False, "hints": 0, "notes": ""})
    header = (f"# Game-day observations for {doc.scenario}, {doc.date}: pre-filled by "
              "`herosim gameday design`.\n"
              "# Fill in acknowledged_at, mitigated_at (HH:MM) and led_by for every injection "
              "(or set abandoned: true),\n# each escalation as {to: PERSON, at: HH:MM, kind: "
              "manual|timeout|informal, from: PERSON},\n# then run `herosim score` on this "
              "file. The format: docs/gameday.md.\n")
    return header + yaml.safe_dump({"gameday": gameday, "injections": injections},
                                   sort_keys=False, allow_unicode=True)


def design_report(folder: dict) -> ReportBody:
    """The run sheet as report.html (design.json)."""
    doc = GameDayDesign.from_json(folder["json"]["design.json"])
    return ReportBody(
        title=f"Game-day run sheet: {doc.scenario}, {doc.date}",
        verdict=f"{len(doc.injections)} injections from {doc.start}", tone=None,
        facts=_setup(doc),
        intro=para("Fill in observations.yaml from this folder during the day, then run "
                   "herosim score on it."),
        sections=[
            Section("timeline", "Timeline", join([
                table(INJECTION_COLUMNS, injection_rows(doc), left=4),
                note("Minutes from injection, p10–p50–p90 of the prediction; 'hero' is how "
                     "often the team would reach for a hero if one were reachable.")])),
            Section("injections", "Each injection: why, and what to watch for",
                    join([_injection_html(i) for i in doc.injections])),
            Section("signs", "Hesitation signs to note",
                    Raw('<ul class="reasons">' + "".join(tag("li", s)
                                                         for s in doc.hesitation_signs)
                        + "</ul>")),
            Section("choice", "Why these injections", join([
                table(["class", "bits", "risk", "score"],
                      [[c.class_id, num(c.information_bits, 2), num(c.risk, 2),
                        num(c.score, 2)] for c in doc.candidates]),
                note(f"Score = expected bits learned about the skills of whoever holds it + "
                     f"{doc.risk_weight:g} x risk (hero chance x SLO-breach chance).")])),
        ])


def _injection_html(inj: DesignedInjection) -> Raw:
    why = "".join(tag("li", w) for w in inj.why)
    watch = "".join(tag("li", w) for w in inj.watch_for)
    return join([tag("h3", f"{inj.at} — {inj.id}"), para("Why:"),
                 Raw(f'<ul class="reasons">{why}</ul>'), para("Watch for:"),
                 Raw(f'<ul class="reasons">{watch}</ul>')])
