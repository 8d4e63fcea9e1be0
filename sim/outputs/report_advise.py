"""advise.md and the knowledge pack outline (`--write-pack`): markdown from advise.json.

User strings (ids, names, descriptions) go through `sim.outputs.markdown.cell`.
"""

from __future__ import annotations

from sim.analysis.advise import CAUSES, NOISE, readiness
from sim.analysis.metrics import effective_responders
from sim.analysis.types import AdviseDocument, Interval
from sim.model.skills import SkillBook
from sim.outputs.markdown import cell, findings_markdown, num, table
from sim.schema import Scenario

CAUSE_LABEL = {
    "knowledge": "knowledge gap", "confidence": "confidence gap", "requires": "access",
    "rotation": "rotation", "routing": "routing", "noise": "alert noise",
    "change_gate": "change gate", "change_lead": "change lead",
}


def _interval(leaf: Interval, digits: int = 1) -> str:
    return f"{leaf.mean:.{digits}f} [{leaf.low:.{digits}f}, {leaf.high:.{digits}f}]"


def attribution_rows(doc: AdviseDocument) -> list[list[str]]:
    """Per class that summons a hero: key, hero share, interruptions and hours a week, causes."""
    rows = []
    for key, row in doc.attribution.items():
        if not row.hero_interruptions_per_week and not row.hero_hours_per_week:
            continue
        shares = ", ".join(f"{CAUSE_LABEL[c]} {row.causes[c].share:.0%}"
                           for c in CAUSES if c in row.causes and row.causes[c].share)
        rows.append([key, num(row.hero_share, 0, 100, "%"),
                     num(row.hero_interruptions_per_week, 2),
                     num(row.hero_hours_per_week, 2), shares])
    return rows


def advise_markdown(doc: AdviseDocument) -> str:
    """advise.md: attribution, ranked candidates, the proposal and the class verdicts."""
    lines = [f"# What to transfer first: {cell(doc.scenario)}", "",
             f"Heroes: {cell(', '.join(doc.heroes) or 'none')}; {doc.weeks} weeks, "
             f"{doc.replications} replications, seed {doc.seed}, budget "
             f"{doc.budget_hero_hours:g} hero hours.", "",
             "## Why the hero is pulled (today, heroes present)", "",
             table(["class", "hero in", "hero int./wk", "hero h/wk", "causes (share of "
                    "interruptions)"], attribution_rows(doc)), "",
             "## Candidates, ranked by risk reduction per hero hour", "",
             cell(doc.risk_definition) + f". Doing nothing: {doc.baseline_risk.mean:.1f}."
             " Intervals: 95% paired bootstrap over replications.", ""]
    lines.append(table(
        ["#", "candidate", "kind", "risk reduction", "per hero hour", "hero h", "learner h"],
        [[r.rank, r.name, r.kind, _interval(r.figures.reduction),
          _interval(r.figures.per_hero_hour, 2), num(r.figures.hero_hours),
          num(r.figures.learner_hours)]
         for r in doc.candidates]))
    lines += ["", "## Proposed plan", ""]
    plan = doc.proposal.plan
    if plan is None:
        lines.append("No candidate lowered the risk within the budget: nothing proposed.")
    else:
        lines.append(cell(plan["description"]))
        lines += ["", table(["step", "candidate", "kept", "risk after", "hero h"],
                            [[i + 1, s.candidate, "yes" if s.kept else "no",
                              num(s.risk), num(s.hero_hours)]
                             for i, s in enumerate(doc.proposal.steps)])]
    if doc.check:
        lines += ["", cell(doc.check.line)]
    lines += ["", "## True specialty or default rescue", "",
              "Rule: a hero-dependent class is a true specialty when it is rare, low risk and "
              "costly to transfer (all three); otherwise the hero is its default rescue.", "",
              table(["class", "verdict", "hero in", "per week", "risk share", "knowledge gap",
                     "access only heroes"],
                    [[cid, r.verdict, num(r.hero_share, 0, 100, "%"),
                      num(r.rate_per_week, 2), num(r.risk_share, 0, 100, "%"),
                      num(r.knowledge_gap, 2), "yes" if r.access_only_heroes else "no"]
                     for cid, r in doc.classes.items()]), ""]
    if doc.findings:
        lines += ["## The proposal against people's time and the playbook", "",
                  *findings_markdown(doc.findings)]
    return "\n".join(lines)


def pack_pages(doc: AdviseDocument, scenario: Scenario) -> dict[str, str]:
    """One outline page per hero-dependent class: {file name: markdown}."""
    pages = {}
    for cid in doc.hero_classes:
        pages[f"{cid}.md"] = _pack_page(doc, scenario, cid)
    return pages


BLANK = "> **TO COMPLETE (team):** ______________________________"


def _pack_page(doc: AdviseDocument, scenario: Scenario, cid: str) -> str:
    cls = scenario.incident_class(cid)
    heroes = set(scenario.heroes)
    skills = SkillBook.from_scenario(scenario)
    effective = [p for p in effective_responders(scenario, skills, cid) if p not in heroes]
    others = [p for p in scenario.people if p.id not in heroes and p.id not in effective]
    close = sorted(others, key=lambda p: -readiness(scenario, p.id, cid))[:3]
    attribution = doc.attribution[cid]
    causes = attribution.causes
    verdict = doc.classes[cid]
    behaviour = scenario.behaviour
    stuck = behaviour.stuck_minutes * scenario.conditions.observability
    noise = doc.attribution[NOISE]
    routing = causes["routing"].share if "routing" in causes else 0.0
    best = next((r for r in doc.candidates if r.target == cid), None)
    knowledge_gap = causes["knowledge"].share if "knowledge" in causes else 0.0
    runbook = next((r for r in scenario.runbooks if r.class_id == cid), None)
    lines = [
        f"# Knowledge pack: {cell(cid)} (outline)", "",
        "> This is an **outline generated from the model**, to be completed and corrected by "
        "the people who handle this class. Numbers are simulated; blanks marked TO COMPLETE "
        "hold what only the team knows.", "",
        f"Service {cell(cls.service)}, {cls.severity.value}, about {cls.rate_per_week:g} a "
        f"week, SLO {cls.slo_minutes:g} min, difficulty {cls.difficulty:g}. Hero takes part "
        f"in {num(attribution.hero_share, 0, 100, '%')} of incidents today; model verdict: "
        f"{cell(verdict.verdict)}.", "",
        "## Who can handle it today, and who is close", "",
        "Alone today (knowledge and confidence clear the difficulty): "
        + (cell(", ".join(effective)) if effective else "nobody but the heroes") + ".", "",
    ]
    rows = []
    for p in close:
        k, c = p.skill(cid)
        missing = []
        if k < cls.difficulty + 0.1:
            missing.append(f"knowledge {k:.2f}")
        if c < cls.difficulty + 0.1:
            missing.append(f"confidence {c:.2f}")
        if cls.requires and p.id not in cls.requires:
            missing.append("access")
        rows.append([p.id, f"{k:.2f}", f"{c:.2f}", ", ".join(missing) or "–"])
    if rows:
        lines += [table(["person", "knowledge", "confidence", "short of"], rows), ""]
    lines += [
        "## When to escalate, and to whom", "",
        f"The model's responders who cannot fix it try for about {stuck:.0f} minutes "
        f"(stuck time x observability) before handing on; past that point escalating pays, "
        f"as the SLO is {cls.slo_minutes:g} min. Escalate to: "
        + cell(", ".join(effective or sorted(heroes)) or "the team")
        + (f"; the fix needs access held by {cell(', '.join(cls.requires))}"
           if cls.requires else "") + ".", "", BLANK, "",
        "## What misleads responders", "",
        f"- Alert noise: {scenario.conditions.alert_noise:g} false pages per real incident; "
        f"{num(noise.hero_interruptions_per_week, 2)} false pages a week reach a hero.",
        f"- Routing: {scenario.conditions.routing_ambiguity:.0%} of pages first land on the "
        f"wrong person; {routing:.0%} of the hero's interruptions for this class are such "
        "bounces.",
        "- Known false positives and misleading dashboards:", "", BLANK, "",
        "## What a runbook must cover", "",
        f"{knowledge_gap:.0%} of the hero's interruptions for this class follow a responder "
        f"who tried and got stuck (the knowledge gap); the closest non-hero lacks "
        f"{max(0.0, verdict.knowledge_gap):.2f} of knowledge against the difficulty. "
        + (f"An existing runbook covers {runbook.coverage:.0%}." if runbook
           else "There is no runbook today."), "",
        "- Diagnosis steps the hero takes first:", "", BLANK, "",
        "- The fix, step by step (and how to check it worked):", "", BLANK, "",
        "## Rotation and practice that keep it alive", "",
        (f"Best single candidate for this class in the model: {cell(best.name)} "
         f"({cell(best.description)})" if best else "No candidate targets this class.")
        + (" It is rare: drill it on a schedule, live practice alone will not keep it."
           if cls.rate_per_week <= 0.5 else ""), "",
        "## Traps only the team knows", "", BLANK, "", BLANK, "",
    ]
    return "\n".join(lines)
