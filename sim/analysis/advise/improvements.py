"""The anti-heroics improvement plan (`advise --write-improvements`): the structural fixes on
their own, each with the evidence that it summons the hero, its expected effect with an
interval, its hours, and an owner blank.

A structural fix is a candidate of a kind that changes how the team works rather than who
knows what (`STRUCTURAL_KINDS`). Its evidence is what the attribution gives the causes it acts
on (`evidence_rows`), and, with a history, the real incidents that show the same thing
(`history_test`): a hero reached by a reassignment (ownership, routing), an auto-resolved page
that reached a hero (alert noise), a hero who joined without being paged or escalated to (an
informal pull), a hero resolving a class that `requires` them, a rollback a hero worked
(release fragility), a long incident a hero worked (observability).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.analysis.advise.attribution import CHANGES, NOISE
from sim.analysis.advise.candidates import misrouted_classes
from sim.analysis.advise.history import CITED, informal_pull, matching, reference, summoned_hero
from sim.analysis.types import AdviseDocument, CandidateRow
from sim.analysis.types.artifacts import EvidenceRow, Improvement, ImprovementPlan
from sim.inputs.history import History, HistoryIncident
from sim.schema import Scenario

STRUCTURAL_KINDS = ("fix_condition", "remove_requires", "remove_needs", "stop_informal_pulls")
# An incident a hero worked counts as slow diagnosis evidence past this multiple of its SLO.
SLOW_SLO_MULTIPLE = 1.0


def _classes(scenario: Scenario) -> list[str]:
    return [c.id for c in scenario.classes]


def _action(row: CandidateRow, doc: AdviseDocument) -> tuple[str, list[str], list[str]]:
    """The condition a fix acts on, and the classes and services it names."""
    condition = row.target
    classes: list[str] = []
    services: list[str] = []
    if row.kind == "fix_condition" and row.name.startswith("fix-release-fragility-"):
        condition, services = "release_fragility", [row.target]
    elif row.kind == "fix_condition" and row.target == "ownership":
        # The classes `targeted_fixes` named: hero classes the hero reaches by a misroute.
        classes = misrouted_classes(doc.hero_classes, doc.attribution)
    elif row.kind == "remove_requires":
        classes = [row.target]
    elif row.kind == "remove_needs":
        services = [row.target]
    return condition, classes, services


def evidence_rows(row: CandidateRow, doc: AdviseDocument, scenario: Scenario
                  ) -> list[EvidenceRow]:
    """The attribution's (class, cause) cells a fix acts on, with hero interruptions and
    hours a week; cells with none are left out."""
    condition, classes, services = _action(row, doc)
    every = _classes(scenario)
    cells: list[tuple[str, str]]
    if row.kind == "fix_condition" and condition == "alert_noise":
        cells = [(NOISE, "noise")]
    elif row.kind == "fix_condition" and condition == "routing_ambiguity":
        cells = [(c, "routing") for c in every]
    elif row.kind == "fix_condition" and condition == "ownership":
        cells = [(c, "routing") for c in classes]
    elif row.kind == "fix_condition" and condition == "observability":
        cells = [(c, "knowledge") for c in every]
    elif condition == "informal_pull" or row.kind == "stop_informal_pulls":
        cells = [(c, cause) for c in every for cause in ("confidence", "knowledge")]
    elif row.kind == "remove_requires":
        cells = [(c, "requires") for c in classes]
    elif row.kind == "remove_needs":
        cells = [(CHANGES, "change_gate")]
    elif condition == "release_fragility":
        rollback = [v.changes.rollback_class for v in scenario.services
                    if v.id in services and v.changes]
        cells = [(c, "*") for c in rollback] + [(CHANGES, "change_lead")]
    else:
        cells = []
    out = []
    for source, cause in cells:
        row_of = doc.attribution.get(source)
        if row_of is None:
            continue
        if cause == "*":
            per_week, hours = row_of.hero_interruptions_per_week, row_of.hero_hours_per_week
        elif cause in row_of.causes:
            per_week = row_of.causes[cause].interruptions_per_week
            hours = row_of.causes[cause].hours_per_week
        else:
            continue
        if per_week or hours:
            out.append(EvidenceRow(source, "all causes" if cause == "*" else cause,
                                   per_week, hours))
    return out


def history_test(row: CandidateRow, doc: AdviseDocument, scenario: Scenario
                 ) -> tuple[list[str], Callable[[HistoryIncident], bool]]:
    """The classes whose real incidents can show a fix is needed, and the test they pass."""
    heroes = set(scenario.heroes)
    condition, classes, services = _action(row, doc)
    every = _classes(scenario)

    def hero(i: HistoryIncident) -> bool:
        return summoned_hero(i, heroes)

    if condition == "alert_noise":
        return every, lambda i: i.auto_resolved and hero(i)
    if condition in ("routing_ambiguity", "ownership"):
        return (classes or every), lambda i: i.reassignment_count > 0 and hero(i)
    if condition == "observability":
        slo = {c.id: c.slo_minutes for c in scenario.classes}
        return every, lambda i: hero(i) and (i.minutes_to_resolve or 0.0) > \
            SLOW_SLO_MULTIPLE * slo.get(i.class_id, float("inf"))
    if condition == "informal_pull" or row.kind == "stop_informal_pulls":
        return every, lambda i: informal_pull(i, heroes)
    if row.kind == "remove_requires":
        return classes, lambda i: i.resolved_by in heroes
    if condition == "release_fragility":
        rollback = [v.changes.rollback_class for v in scenario.services
                    if v.id in services and v.changes]
        return rollback, hero
    return [], lambda i: False


def improvement_plan(doc: AdviseDocument, scenario: Scenario, history: History | None = None
                     ) -> ImprovementPlan:
    """The structural candidates of the advice, best risk reduction per hero hour first (the
    advice's ranking), with their evidence; real incidents cited when `history` is given."""
    rows = [r for r in doc.candidates if r.kind in STRUCTURAL_KINDS]
    baseline = doc.baseline_risk.hero_interruptions_per_week
    out = []
    for rank, row in enumerate(rows, 1):
        evidence = evidence_rows(row, doc, scenario)
        incidents, matched = [], 0
        if history is not None:
            classes, test = history_test(row, doc, scenario)
            found = matching(history, scenario, classes, test)
            matched = len(found)
            incidents = [reference(i, c) for c, i in found[:CITED]]
        out.append(Improvement(
            rank=rank, name=row.name, kind=row.kind, target=row.target,
            description=row.description, evidence=evidence,
            evidence_interruptions_per_week=sum(e.interruptions_per_week for e in evidence),
            evidence_hours_per_week=sum(e.hours_per_week for e in evidence),
            incidents=incidents, incidents_matched=matched,
            risk_reduction=row.figures.reduction,
            hero_interruptions_per_week_before=baseline,
            hero_interruptions_per_week_after=row.figures.hero_interruptions_per_week,
            hero_hours=row.figures.hero_hours, learner_hours=row.figures.learner_hours,
            owner=""))
    return ImprovementPlan(
        scenario=doc.scenario, weeks=doc.weeks, replications=doc.replications, seed=doc.seed,
        history=history.report.file if history is not None else None,
        risk_definition=doc.risk_definition, kinds=list(STRUCTURAL_KINDS), improvements=out)
