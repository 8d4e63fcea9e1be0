"""advise.md, and the knowledge pack (`--write-pack`): markdown from advise.json.

User strings (ids, names, descriptions) go through `sim.outputs.markdown.cell`.
"""

from __future__ import annotations

from sim.analysis.advise import CAUSES
from sim.analysis.advise.pack import knowledge_pack
from sim.analysis.types import AdviseDocument, Interval
from sim.inputs.history import History
from sim.outputs.artifacts_md import pack_pages as render_pack
from sim.outputs.markdown import cell, num, table
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
    return "\n".join(lines)


def pack_pages(doc: AdviseDocument, scenario: Scenario, history: History | None = None
               ) -> dict[str, str]:
    """One draft page per hero-dependent class: {file name: markdown}
    (`sim.analysis.advise.pack.knowledge_pack`, rendered by `sim.outputs.artifacts_md`)."""
    return render_pack(knowledge_pack(doc, scenario, history))
