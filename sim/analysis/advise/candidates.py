"""Candidates: the one-action plans the advisor weighs, and the rule that tells a true specialty
from a class where the hero is the default rescue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.analysis.metrics import effective_responders
from sim.analysis.types import ClassAttribution, ClassVerdict
from sim.model.skills import SkillBook
from sim.schema import Plan, Scenario, members_of

# A class is hero-dependent when a hero takes part in more than this share of its incidents.
HERO_CLASS_SHARE = 0.2
# Transfers go to the non-heroes closest to handling each class alone, this many per class.
LEARNERS_PER_CLASS = 2
# A struggled incident weighs as an hour of SLO breach in the risk.
# A class is a true specialty when it is rare (at most this many incidents a week) ...
RARE_PER_WEEK = 0.1
# ... low risk (at most this share of today's hero-absent risk) ...
LOW_RISK_SHARE = 0.1
# ... and costly to transfer (the closest non-hero lacks this much knowledge, or access).
COSTLY_GAP = 0.2
# Condition fixes: the value each condition is set to (documented in docs/advise.md).
CONDITION_TARGETS = {"alert_noise": 0.25, "routing_ambiguity": 0.0, "observability": 1.0,
                     "informal_pull": 0.0}
# Release fragility: a service's change-failure rate is brought to this (DORA's elite band)
# when it is above and the hero is pulled for its rollbacks or releases.
RELEASE_FRAGILITY_TARGET = 0.05


@dataclass(frozen=True)
class Candidate:
    """A one-action plan the advisor weighs."""

    name: str
    kind: str
    target: str  # the class, service, condition or rotation layer it acts on
    plan: Plan


def hero_classes(scenario: Scenario, attribution: dict[str, ClassAttribution]) -> list[str]:
    """Classes (not specialties) where a hero takes part in more than HERO_CLASS_SHARE."""
    return [c.id for c in scenario.classes
            if not c.specialty and (attribution[c.id].hero_share or 0.0) > HERO_CLASS_SHARE]


def readiness(scenario: Scenario, person: str, class_id: str) -> float:
    """How close `person` is to handling `class_id` alone: the worse of knowledge and
    confidence, minus the difficulty (>= 0.1 is certain, see behaviour.skill_sharpness)."""
    cls = scenario.incident_class(class_id)
    k, c = scenario.person(person).skill(class_id)
    return min(k, c) - cls.difficulty


def closest_learners(scenario: Scenario, class_id: str, count: int = LEARNERS_PER_CLASS,
                     skip: Sequence[str] = (), known_only: bool = True) -> list[str]:
    """The `count` non-heroes closest to handling the class alone who do not yet (by
    readiness: the worse of knowledge and confidence, minus the difficulty), leaving out
    `skip`, and, with `known_only`, those who know nothing of the class."""
    heroes = set(scenario.heroes) | set(skip)
    skills = SkillBook.from_scenario(scenario)
    effective = set(effective_responders(scenario, skills, class_id))
    people = [p.id for p in scenario.people if p.id not in heroes and p.id not in effective
              and (not known_only or p.skill(class_id)[0] > 0)]
    people.sort(key=lambda p: -readiness(scenario, p, class_id))
    return people[:count]


def candidates(scenario: Scenario, attribution: dict[str, ClassAttribution], weeks: int
               ) -> list[Candidate]:
    """Every one-action plan that applies (see docs/advise.md for what 'applies' means)."""
    out: list[Candidate] = []
    classes = hero_classes(scenario, attribution)

    def add(name: str, kind: str, target: str, action: dict, description: str) -> None:
        plan = Plan.model_validate({"name": name, "description": description,
                                    "actions": [{"kind": kind, **action}]})
        out.append(Candidate(name, kind, target, plan))

    if scenario.heroes:
        for cid in classes:
            for person in closest_learners(scenario, cid):
                add(f"pair-{person}-{cid}", "pair", cid,
                    {"learners": [person], "classes": [cid]},
                    f"{person} pairs with the hero on live {cid} incidents.")
                add(f"lead-{person}-{cid}", "lead_with_backup", cid,
                    {"learners": [person], "classes": [cid]},
                    f"{person} leads {cid} incidents with the hero as backup.")
                add(f"drill-{person}-{cid}", "drill", cid,
                    {"learners": [person], "classes": [cid], "every_days": 7},
                    f"{person} drills {cid} weekly in a game day the hero runs.")
    for cid in classes:
        add(f"runbook-{cid}", "runbook", cid, {"classes": [cid], "coverage": 0.8, "quality": 0.9},
            f"The hero writes a runbook for {cid}.")
    out += rotation_candidates(scenario, classes)
    conditions = scenario.conditions
    for name, target in CONDITION_TARGETS.items():
        value = getattr(conditions, name)
        if value > target:
            add(f"fix-{name.replace('_', '-')}", "fix_condition", name,
                {"condition": name, "value": target},
                f"Fix {name}: {value:g} -> {target:g}.")
    out += targeted_fixes(scenario, attribution, classes)
    if conditions.informal_pull > 0 and scenario.heroes:
        add("stop-informal-pulls", "stop_informal_pulls", "informal_pull", {},
            "The heroes stop answering direct messages; the policy is followed.")
    heroes = set(scenario.heroes)
    for c in scenario.classes:
        if set(c.requires) & heroes:
            add(f"remove-requires-{c.id}", "remove_requires", c.id, {"classes": [c.id]},
                f"{c.id} no longer needs {', '.join(c.requires)}'s access.")
    for v in scenario.services:
        if v.changes is not None and set(v.changes.needs) & heroes:
            add(f"remove-needs-{v.id}", "remove_needs", v.id, {"services": [v.id]},
                f"{v.id} changes no longer wait for {', '.join(v.changes.needs)}.")
    return out


def misrouted_classes(classes: list[str], attribution: dict[str, ClassAttribution]
                      ) -> list[str]:
    """The `classes` whose pages reach the hero by a misroute today (what `fix-ownership`
    gives a clear owner)."""
    return [c for c in classes if c in attribution and "routing" in attribution[c].causes
            and attribution[c].causes["routing"].interruptions_per_week > 0]


def targeted_fixes(scenario: Scenario, attribution: dict[str, ClassAttribution],
                   classes: list[str]) -> list[Candidate]:
    """Condition fixes on named targets, where the hero is pulled for them today:
    `fix-ownership` (the hero classes whose pages reach the hero by a misroute get a clear
    owner: their misrouting chance goes to 0) and `fix-release-fragility-S` (a service whose
    change-failure rate is above RELEASE_FRAGILITY_TARGET and whose rollbacks summon a hero)."""
    out = []
    misrouted = misrouted_classes(classes, attribution)
    if misrouted and scenario.conditions.routing_ambiguity > 0:
        plan = Plan.model_validate({
            "name": "fix-ownership",
            "description": f"Clear ownership of {', '.join(misrouted)}: their pages go "
                           "straight to the rotation that owns them.",
            "actions": [{"kind": "fix_condition", "condition": "ownership", "value": 0.0,
                         "classes": misrouted}]})
        out.append(Candidate(plan.name, "fix_condition", "ownership", plan))
    for service in scenario.services:
        changes = service.changes
        if changes is None or changes.failure_rate <= RELEASE_FRAGILITY_TARGET:
            continue
        rollback = attribution.get(changes.rollback_class)
        if rollback is None or not rollback.hero_interruptions_per_week:
            continue
        plan = Plan.model_validate({
            "name": f"fix-release-fragility-{service.id}",
            "description": f"Make {service.id}'s releases safer (checks, canaries, smaller "
                           f"changes): change-failure rate {changes.failure_rate:g} -> "
                           f"{RELEASE_FRAGILITY_TARGET:g}.",
            "actions": [{"kind": "fix_condition", "condition": "release_fragility",
                         "value": RELEASE_FRAGILITY_TARGET, "services": [service.id]}]})
        out.append(Candidate(plan.name, "fix_condition", service.id, plan))
    return out


def rotation_candidates(scenario: Scenario, classes: list[str]) -> list[Candidate]:
    """Heroes off primary / secondary (the best non-hero taking their turns), a learner as
    secondary when there is none, and a learner as shadow when there is no shadow layer."""
    heroes = set(scenario.heroes)
    if not heroes:
        return []
    rotation = scenario.rotation
    # The non-hero closest to the hero classes, summed: who takes the hero's turns.
    others = [p.id for p in scenario.people if p.id not in heroes]
    if not others:
        return []
    best = max(others, key=lambda p: sum(readiness(scenario, p, c) for c in classes))
    out = []
    for layer in ("primary", "secondary"):
        schedules = getattr(rotation, layer)
        if not schedules or not heroes & set(members_of(schedules)):
            continue
        replaced = []
        for s in schedules:
            members = [m for m in s.members if m not in heroes]
            if best not in members:
                members.append(best)
            replaced.append(s.model_dump(mode="json", exclude_none=True) | {"members": members})
        plan = Plan.model_validate({
            "name": f"hero-off-{layer}",
            "description": f"The heroes leave the {layer} rotation; {best} takes their turns.",
            "actions": [{"kind": "change_rotation", layer: replaced}],
        })
        out.append(Candidate(plan.name, "change_rotation", layer, plan))
    if rotation.secondary is None:
        plan = Plan.model_validate({
            "name": f"secondary-{best}", "description": f"{best} becomes the secondary.",
            "actions": [{"kind": "change_rotation", "secondary": {"members": [best]}}],
        })
        out.append(Candidate(plan.name, "change_rotation", "secondary", plan))
    if rotation.shadow is None and classes:
        learner = next(iter(closest_learners(scenario, classes[0], 1)), None)
        if learner is not None:
            plan = Plan.model_validate({
                "name": f"shadow-{learner}",
                "description": f"{learner} shadows the primary on every page.",
                "actions": [{"kind": "add_shadow", "schedule": {"members": [learner]}}],
            })
            # Shadowing transfers by practice: its target is the class the learner was
            # picked for (the first hero class), though every class they see is practised.
            out.append(Candidate(plan.name, "add_shadow", classes[0], plan))
    return out



def classify(scenario: Scenario, attribution: dict[str, ClassAttribution],
             risk_by_class: dict[str, float]) -> dict[str, ClassVerdict]:
    """Per class: 'true specialty' or 'default rescue' (or 'covered'), with the reasons.

    Rule: a hero-dependent class is a true specialty when it is rare (at most RARE_PER_WEEK
    incidents a week), low risk (at most LOW_RISK_SHARE of today's hero-absent risk) and costly
    to transfer (the closest non-hero lacks COSTLY_GAP of knowledge, or only heroes have the
    access); otherwise the hero is the default rescue. A class where the hero takes part in at
    most HERO_CLASS_SHARE of incidents is covered.
    """
    heroes = set(scenario.heroes)
    total = sum(risk_by_class.values()) or 0.0
    out = {}
    for c in scenario.classes:
        share = attribution[c.id].hero_share or 0.0
        others = [p for p in scenario.people if p.id not in heroes]
        best_k = max((p.skill(c.id)[0] for p in others), default=0.0)
        gap = c.difficulty - best_k
        access_only_heroes = bool(c.requires) and set(c.requires) <= heroes
        rare = c.rate_per_week <= RARE_PER_WEEK
        risk_share = risk_by_class[c.id] / total if total else 0.0
        low_risk = risk_share <= LOW_RISK_SHARE
        costly = gap >= COSTLY_GAP or access_only_heroes
        if share <= HERO_CLASS_SHARE:
            verdict = "covered"
        elif rare and low_risk and costly:
            verdict = "true specialty"
        else:
            verdict = "default rescue"
        out[c.id] = ClassVerdict(
            verdict=verdict, declared_specialty=c.specialty, hero_share=share,
            rate_per_week=c.rate_per_week, risk_share=risk_share,
            knowledge_gap=gap, access_only_heroes=access_only_heroes,
            rare=rare, low_risk=low_risk, costly=costly,
        )
    return out
