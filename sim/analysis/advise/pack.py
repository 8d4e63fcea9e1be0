"""The knowledge pack (`advise --write-pack`): one page per hero-dependent class, starting from
what happened when a history is given (the real incidents that summoned the hero, the false
positives, when and to whom the team escalated), then the gaps the model sees (knowledge,
confidence, access of the people closest to handling it alone), and the blanks only people
can fill. It is a draft: `to_complete` lists what a person must still write."""

from __future__ import annotations

from sim.analysis.advise.candidates import readiness
from sim.analysis.advise.history import (
    cite,
    escalations,
    false_positives,
    incidents_of,
    summoned_hero,
)
from sim.analysis.metrics import effective_responders
from sim.analysis.types import AdviseDocument
from sim.analysis.types.artifacts import ClassPack, Gap, KnowledgePack
from sim.inputs.history import History
from sim.model.skills import SkillBook
from sim.schema import Scenario

# The people closest to handling a class alone that a page lists.
CLOSEST = 3
# A skill this far above the difficulty is certain (behaviour.skill_sharpness / 2 by default).
MARGIN = 0.1

TO_COMPLETE = {
    "diagnosis": "Diagnosis steps the hero takes first (what they look at, in order).",
    "fix": "The fix, step by step, and how to check it worked.",
    "false_positives": "Which pages of this class are known false positives, and how to tell "
                       "them apart quickly.",
    "escalation": "The team's own rule for when to escalate, and to whom.",
    "traps": "Traps only the team knows (misleading dashboards, steps that look safe and "
             "are not).",
}


def knowledge_pack(doc: AdviseDocument, scenario: Scenario, history: History | None = None
                   ) -> KnowledgePack:
    """One page per hero-dependent class of the advice; real incidents from `history`."""
    return KnowledgePack(
        scenario=doc.scenario,
        history=history.report.file if history is not None else None,
        period=history.period_json() if history is not None else None,
        heroes=list(scenario.heroes),
        pages=[class_pack(doc, scenario, cid, history) for cid in doc.hero_classes])


def _gaps(scenario: Scenario, cid: str, candidates: list[str]) -> list[Gap]:
    cls = scenario.incident_class(cid)
    out = []
    for person in candidates:
        k, c = scenario.person(person).skill(cid)
        short = []
        if k < cls.difficulty + MARGIN:
            short.append("knowledge")
        if c < cls.difficulty + MARGIN:
            short.append("confidence")
        if cls.requires and person not in cls.requires:
            short.append("access")
        out.append(Gap(person, k, c, short))
    return out


def class_pack(doc: AdviseDocument, scenario: Scenario, cid: str,
               history: History | None = None) -> ClassPack:
    """The page of one class."""
    cls = scenario.incident_class(cid)
    heroes = set(scenario.heroes)
    skills = SkillBook.from_scenario(scenario)
    alone = [p for p in effective_responders(scenario, skills, cid) if p not in heroes]
    others = [p.id for p in scenario.people if p.id not in heroes and p.id not in alone]
    close = sorted(others, key=lambda p: (-readiness(scenario, p, cid), p))[:CLOSEST]
    attribution = doc.attribution[cid]
    runbook = next((r for r in scenario.runbooks if r.class_id == cid), None)
    best = next((r.name for r in doc.candidates if r.target == cid), None)
    hero_refs, hero_total, escalated, fps = [], 0, None, None
    to_complete = list(TO_COMPLETE)
    if history is not None:
        incidents = incidents_of(history, scenario, cid)
        summoned = [i for i in incidents if summoned_hero(i, heroes)]
        hero_total = len(summoned)
        hero_refs = cite(summoned, cid)
        escalated = escalations(incidents)
        fps = false_positives(incidents, cid)
    return ClassPack(
        class_id=cid, service=cls.service, severity=cls.severity.value,
        rate_per_week=cls.rate_per_week, slo_minutes=cls.slo_minutes,
        difficulty=cls.difficulty, hero_share=attribution.hero_share,
        verdict=doc.classes[cid].verdict, alone_today=alone, gaps=_gaps(scenario, cid, close),
        stuck_minutes=scenario.behaviour.stuck_minutes * scenario.conditions.observability,
        escalate_to=alone or sorted(heroes), requires=list(cls.requires),
        causes={c: v.share for c, v in attribution.causes.items() if v.share},
        runbook_coverage=runbook.coverage if runbook else None, best_candidate=best,
        hero_incidents=hero_refs, hero_incidents_total=hero_total, escalations=escalated,
        false_positives=fps, to_complete=to_complete)
