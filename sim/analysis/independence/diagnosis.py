"""Why a class (or the release flow) still holds the team back at the end of a plan: access,
knowledge, confidence, rotation and escalation path, conditions, a `needs` gate."""

from __future__ import annotations

from sim.analysis.independence.pooling import CheckData
from sim.analysis.independence.replay import CheckSpec
from sim.model import TeamModel, TeamState
from sim.model.rng import ANALYSIS
from sim.model.skills import ramp
from sim.schema import MINUTES_PER_DAY, Scenario, members_of


def diagnose(spec: CheckSpec, data: CheckData, class_id: str,
             state: TeamState | None = None) -> list[str]:
    """Why a class still holds the team back at the end: access, knowledge, confidence,
    rotation, conditions. `state`: the plan's final state, if already simulated."""
    scenario = spec.scenario
    cls = scenario.incident_class(class_id)
    heroes = set(scenario.heroes)
    width = scenario.behaviour.skill_sharpness
    skills = data.mean_skills(len(spec.checkpoints) - 1)
    state = state if state is not None else final_state(spec)
    reasons = []
    requires = state.requires[class_id]
    if requires and set(requires) <= heroes:
        reasons.append(f"requires: only {', '.join(requires)} has the access the fix needs")
    others = [p.id for p in scenario.people if p.id not in heroes]
    t = spec.weeks * 7 * MINUTES_PER_DAY
    can_fix = {
        p: ramp(state.runbooks.knowledge(skills[p][class_id]["knowledge"], class_id, t)
                - cls.difficulty, width) >= 0.5
        for p in others
    }
    will_lead = {p: ramp(skills[p][class_id]["confidence"] - cls.difficulty, width) >= 0.5
                 for p in others}
    if not any(can_fix.values()):
        best = max(others, key=lambda p: skills[p][class_id]["knowledge"], default=None)
        if best is not None:
            reasons.append(
                f"knowledge: nobody but the heroes can fix it (best: {best}, knowledge "
                f"{skills[best][class_id]['knowledge']:.2f} vs difficulty {cls.difficulty:.2f})")
    hesitant = [p for p in others if can_fix[p] and not will_lead[p]]
    if hesitant:
        reasons.append(
            "confidence: " + ", ".join(
                f"{p} (confidence {skills[p][class_id]['confidence']:.2f})" for p in hesitant)
            + f" could fix it but would not lead it (difficulty {cls.difficulty:.2f}): "
            "hesitation sends it to the heroes")
    capable = {p for p in others if can_fix[p] and will_lead[p]}
    on_path = _escalation_path(scenario, state)
    if capable and not capable & on_path:
        reasons.append(f"rotation: the people who could handle it ({', '.join(sorted(capable))})"
                       " are not on the rotation or the escalation path")
    rota = {m for layer in ("primary", "secondary")
            for m in members_of(state.schedules.get(layer))}
    if rota and rota <= heroes:
        reasons.append("rotation: only heroes are on call")
    elif _backstop_is_heroes(scenario, state, heroes):
        reasons.append("escalation: after the primary the policy pages only heroes; without "
                       "them a page that the primary cannot handle waits out the timeouts")
    if state.observability >= 1.5:
        reasons.append(f"condition: observability x{state.observability:g} slows diagnosis")
    if state.routing_ambiguity >= 0.2:
        reasons.append(f"condition: {state.routing_ambiguity:.0%} of pages land on the wrong "
                       "person first")
    return reasons


def release_reasons(spec: CheckSpec, state: TeamState | None = None) -> list[str]:
    """Why release flow still depends on the heroes: a `needs` gate naming them."""
    state = state if state is not None else final_state(spec)
    heroes = set(spec.scenario.heroes)
    reasons = []
    for service in spec.scenario.services:
        if service.changes is None:
            continue
        needs = state.needs.get(service.id, ())
        if needs and set(needs) <= heroes:
            policy = service.changes.when_needed_absent.value
            reasons.append(f"needs gate: {service.id} changes only feel safe with "
                           f"{', '.join(needs)} present (policy: {policy})")
    return reasons


def final_state(spec: CheckSpec) -> TeamState:
    """The plan's state at its end (deterministic: plans act on dates, not on chance)."""
    model = TeamModel(spec.scenario, spec.weeks * 7, spec.seed, ANALYSIS, plan=spec.plan,
                      arrivals=[])
    model.run()
    return model.state


def _escalation_path(scenario: Scenario, state: TeamState) -> set[str]:
    path: set[str] = set()
    for level in scenario.policy.levels:
        if level.target.value == "team":
            return {p.id for p in scenario.people}
        if level.target.value == "people":
            path.update(level.people)
    for layer in ("primary", "secondary", "shadow"):
        path.update(members_of(state.schedules.get(layer)))
    return path


def _backstop_is_heroes(scenario: Scenario, state: TeamState, heroes: set[str]) -> bool:
    """Whether every level after the first pages heroes only (no team level)."""
    backstop: set[str] = set()
    for level in scenario.policy.levels[1:]:
        target = level.target.value
        if target == "team":
            return False
        if target == "people":
            backstop.update(level.people)
        elif target == "secondary":
            backstop.update(members_of(state.schedules.get("secondary")))
        elif target == "primary":
            backstop.update(members_of(state.schedules.get("primary")))
    return bool(backstop) and backstop <= heroes
