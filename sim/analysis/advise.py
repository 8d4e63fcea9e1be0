"""What to transfer first, and what keeps summoning the hero (`herosim advise`).

Three steps, each usable from Python:

1. **Attribution** (`attribute`): today's team, heroes present, no learning. Every hero
   interruption and every hero work hour is given exactly one cause, per class (plus the
   pseudo-classes `noise` and `changes`), so the shares of a class add up to 1. The rule, for
   a hero interruption at minute t of incident i:

   - `noise`: a false page (interruption kind `noise`; pseudo-class `noise`).
   - `routing`: the hero got the misrouted page of i (a `reroute` hand-off from the hero at or
     after t): the page was not theirs.
   - otherwise take the latest hand-off of i by a non-hero at or before t (an escalation of
     kind `manual` or `informal` whose `from_person` is not a hero):
     - `knowledge`: that person tried and got stuck (role `stuck` in `involved`): they could
       not fix it;
     - `requires`: they sized it up without trying and the class `requires` people they are
       not: the access was missing;
     - `confidence`: they sized it up, had the access and did not lead (role `acknowledged`):
       hesitation sent it on.
   - `rotation`: no non-hero handed it on first: the hero was paged as primary, secondary or a
     named level (including after a timeout) or acknowledged first.

   Hero hours of an incident (led, stuck and backup spans) take the cause of that hero's first
   interruption on it; triage of false pages is `noise`. The `changes` pseudo-class counts each
   release that needed a hero (`change_gate`: its `needs` gate names a hero) or that a hero led
   or backed without a gate (`change_lead`); hero change-backup spans count as its hours.
   Interruptions of incidents still open at the end of the run are left out.

2. **Candidates** (`candidates`): one-action plans (transfers, runbooks, rotation changes,
   condition fixes, `requires` and `needs` removals), each evaluated with common random numbers
   against doing nothing: **hero-absent risk** = SLO-breach minutes per week (time to mitigate
   past the SLO, summed) + `STRUGGLE_MINUTES` per struggled incident per week, measured by
   running the plan with learning for the weeks, freezing the team, and replaying the
   evaluation window (the independence check's incidents) with the heroes absent. The score is
   the risk reduction per hero hour (hours floored at `MIN_HERO_HOURS`); intervals come from a
   paired bootstrap over replications, as in sim/analysis/compare.py.

3. **Proposal** (`run_advise`): candidates with a positive reduction, best score first, are
   added one at a time while the estimated hero hours stay within the budget; each addition is
   re-evaluated as a combined plan and kept only when it lowers the risk further. The proposed
   plan is then checked (`sim.analysis.compare.run_compare`) against doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim import __version__
from sim.analysis.compare import run_compare
from sim.analysis.independence import plan_hours, resampling_weights
from sim.analysis.metrics import effective_responders
from sim.analysis.replicate import run_tasks
from sim.model import TeamModel, sample_arrivals
from sim.model.plans import DEFAULT_COSTS
from sim.model.records import InterruptionKind, RunRecords
from sim.model.rng import EVALUATION
from sim.model.skills import SkillBook
from sim.schema import (
    MINUTES_PER_DAY,
    EscalationKind,
    Plan,
    Role,
    Scenario,
    members_of,
)

CAUSES = ("knowledge", "confidence", "requires", "rotation", "routing", "noise",
          "change_gate", "change_lead")
NOISE = "noise"
CHANGES = "changes"
# A class is hero-dependent when a hero takes part in more than this share of its incidents.
HERO_CLASS_SHARE = 0.2
# Transfers go to the non-heroes closest to handling each class alone, this many per class.
LEARNERS_PER_CLASS = 2
# A struggled incident weighs as an hour of SLO breach in the risk.
STRUGGLE_MINUTES = 60.0
# Each hero interruption (heroes present) weighs this many minutes in the risk: the time to
# refocus after an interruption, and the dependency each one keeps alive.
INTERRUPTION_MINUTES = 20.0
# Scores divide by at least one hero hour: a nearly free action is not infinitely good.
MIN_HERO_HOURS = 1.0
# At most this many combined plans are evaluated while building the proposal.
GREEDY_STEPS = 6
# A class is a true specialty when it is rare (at most this many incidents a week) ...
RARE_PER_WEEK = 0.1
# ... low risk (at most this share of today's hero-absent risk) ...
LOW_RISK_SHARE = 0.1
# ... and costly to transfer (the closest non-hero lacks this much knowledge, or access).
COSTLY_GAP = 0.2
# Condition fixes: the value each condition is set to (documented in docs/advise.md).
CONDITION_TARGETS = {"alert_noise": 0.25, "routing_ambiguity": 0.0, "observability": 1.0,
                     "informal_pull": 0.0}
PLAN_NAME = "advised"


# -- attribution --------------------------------------------------------------------------------


def attribute(records: RunRecords, scenario: Scenario) -> dict:
    """Hero interruptions and hours by class and cause, from one run's records.

    Returns {class: {"incidents", "hero_incidents", "causes": {cause: [interruptions, hours]}}}
    with the pseudo-classes `noise` and `changes`; every hero interruption of a finished
    incident is counted under exactly one cause.
    """
    heroes = set(records.heroes)
    requires = {c.id: set(c.requires) for c in scenario.classes}
    out = {c.id: _empty_class() for c in scenario.classes}
    out[NOISE] = _empty_class()
    out[CHANGES] = _empty_class()
    incidents = {i.incident_id: i for i in records.incidents}
    for i in records.incidents:
        out[i.class_id]["incidents"] += 1
        out[i.class_id]["hero_incidents"] += i.hero_involved
    first_cause: dict[tuple[int, str], str] = {}
    for x in records.interruptions:
        if x.person not in heroes:
            continue
        if x.kind is InterruptionKind.NOISE:
            out[NOISE]["causes"]["noise"][0] += 1
            continue
        incident = incidents.get(x.incident_id)
        if incident is None:
            continue  # still open at the end of the run
        cause = interruption_cause(incident, x.person, x.at, heroes, requires[incident.class_id])
        out[incident.class_id]["causes"][cause][0] += 1
        first_cause.setdefault((incident.incident_id, x.person), cause)
    for span in records.work:
        if span.person not in heroes:
            continue
        hours = (span.end - span.start) / 60.0
        if span.incident_id is None:
            if span.role is Role.BACKUP:
                out[CHANGES]["causes"]["change_lead"][1] += hours
            else:
                out[NOISE]["causes"]["noise"][1] += hours
            continue
        incident = incidents.get(span.incident_id)
        if incident is None:
            continue
        cause = first_cause.get((span.incident_id, span.person))
        if cause is None:
            cause = interruption_cause(incident, span.person, span.start, heroes,
                                       requires[incident.class_id])
            out[incident.class_id]["causes"][cause][0] += 1
            first_cause[span.incident_id, span.person] = cause
        out[incident.class_id]["causes"][cause][1] += hours
    releases: dict[tuple[str, int], tuple[bool, bool]] = {}
    for c in records.changes:
        if c.release is None:
            continue
        led = c.leader in heroes or c.backed_by in heroes
        releases[c.service, c.release] = (c.needed_hero, led)
    for needed, led in releases.values():
        if needed:
            out[CHANGES]["causes"]["change_gate"][0] += 1
        elif led:
            out[CHANGES]["causes"]["change_lead"][0] += 1
    return out


def _empty_class() -> dict:
    return {"incidents": 0, "hero_incidents": 0, "causes": {c: [0, 0.0] for c in CAUSES}}


def interruption_cause(incident, hero: str, t: float, heroes: set[str],
                       requires: set[str]) -> str:
    """The one cause of `hero`'s interruption at minute `t` of `incident` (module docstring)."""
    handoff = None
    for e in incident.escalations:
        if e.kind is EscalationKind.REROUTE and e.from_person == hero and e.at >= t:
            return "routing"
        if (e.at <= t and e.kind in (EscalationKind.MANUAL, EscalationKind.INFORMAL)
                and e.from_person is not None and e.from_person not in heroes):
            handoff = e.from_person
    if handoff is None:
        return "rotation"
    roles = {role for person, role in incident.involved if person == handoff}
    if Role.STUCK in roles:
        return "knowledge"
    if requires and handoff not in requires:
        return "requires"
    return "confidence"


@dataclass(frozen=True)
class AttributionSpec:
    scenario: Scenario
    days: int
    seed: int


def attribution_replication(spec: AttributionSpec, replication: int) -> dict:
    """Today's team (heroes present, no plan, no learning) once; its attribution."""
    records = TeamModel(spec.scenario, spec.days, spec.seed, replication).run()
    return attribute(records, spec.scenario)


def summarize_attribution(per_rep: list[dict], weeks: float) -> dict:
    """Pool replications: per class, interruptions and hours per week by cause, and shares."""
    out = {}
    for key in per_rep[0]:
        incidents = sum(r[key]["incidents"] for r in per_rep)
        hero_incidents = sum(r[key]["hero_incidents"] for r in per_rep)
        counts = {c: sum(r[key]["causes"][c][0] for r in per_rep) for c in CAUSES}
        hours = {c: sum(r[key]["causes"][c][1] for r in per_rep) for c in CAUSES}
        total_n, total_h = sum(counts.values()), sum(hours.values())
        scale = 1.0 / (weeks * len(per_rep))
        out[key] = {
            "incidents_per_week": incidents * scale,
            "hero_share": hero_incidents / incidents if incidents else None,
            "hero_interruptions_per_week": total_n * scale,
            "hero_hours_per_week": total_h * scale,
            "causes": {
                c: {"interruptions_per_week": counts[c] * scale,
                    "hours_per_week": hours[c] * scale,
                    "share": counts[c] / total_n if total_n else 0.0,
                    "hours_share": hours[c] / total_h if total_h else 0.0}
                for c in CAUSES if counts[c] or hours[c]
            },
        }
    return out


# -- candidates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A one-action plan the advisor weighs."""

    name: str
    kind: str
    target: str  # the class, service, condition or rotation layer it acts on
    plan: Plan


def hero_classes(scenario: Scenario, attribution: dict) -> list[str]:
    """Classes (not specialties) where a hero takes part in more than HERO_CLASS_SHARE."""
    return [c.id for c in scenario.classes
            if not c.specialty and (attribution[c.id]["hero_share"] or 0.0) > HERO_CLASS_SHARE]


def readiness(scenario: Scenario, person: str, class_id: str) -> float:
    """How close `person` is to handling `class_id` alone: the worse of knowledge and
    confidence, minus the difficulty (>= 0.1 is certain, see behaviour.skill_sharpness)."""
    cls = scenario.incident_class(class_id)
    k, c = scenario.person(person).skill(class_id)
    return min(k, c) - cls.difficulty


def closest_learners(scenario: Scenario, class_id: str, count: int = LEARNERS_PER_CLASS
                     ) -> list[str]:
    """Non-heroes with some knowledge of the class who are not yet effective, closest first."""
    heroes = set(scenario.heroes)
    skills = SkillBook.from_scenario(scenario)
    effective = set(effective_responders(scenario, skills, class_id))
    people = [p.id for p in scenario.people if p.id not in heroes and p.id not in effective
              and p.skill(class_id)[0] > 0]
    people.sort(key=lambda p: -readiness(scenario, p, class_id))
    return people[:count]


def candidates(scenario: Scenario, attribution: dict, weeks: int) -> list[Candidate]:
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
    out += _rotation_candidates(scenario, classes)
    conditions = scenario.conditions
    for name, target in CONDITION_TARGETS.items():
        value = getattr(conditions, name)
        if value > target:
            add(f"fix-{name.replace('_', '-')}", "fix_condition", name,
                {"condition": name, "value": target},
                f"Fix {name}: {value:g} -> {target:g}.")
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


def _rotation_candidates(scenario: Scenario, classes: list[str]) -> list[Candidate]:
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


# -- risk ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskSpec:
    """A plan run with learning for `weeks`, then the evaluation window without the heroes."""

    scenario: Scenario
    plan: Plan | None
    weeks: int
    seed: int


def risk_replication(spec: RiskSpec, replication: int) -> dict:
    """One replication: the plan's hero hours and the hero-absent risk at its end."""
    scenario = spec.scenario
    model = TeamModel(scenario, spec.weeks * 7, spec.seed, replication, plan=spec.plan,
                      learn=True)
    records = model.run()
    t = spec.weeks * 7 * MINUTES_PER_DAY
    heroes = tuple(scenario.heroes)
    hero_hours, learner_hours = plan_hours(records, t, heroes,
                                           scenario.learning.pairing_overhead)
    days = scenario.independence.evaluation_days
    eval_replication = EVALUATION + replication
    arrivals = sample_arrivals(scenario, days, spec.seed, eval_replication)
    skills, state = model.skills.frozen(t), model.state.frozen(t)
    absent = TeamModel(scenario, days, spec.seed, eval_replication, without=heroes,
                       skills=skills, arrivals=arrivals, state=state.frozen(t)).run()
    present = TeamModel(scenario, days, spec.seed, eval_replication, skills=skills,
                        arrivals=arrivals, state=state.frozen(t)).run()
    by_class = {c.id: 0.0 for c in scenario.classes}
    for i in absent.incidents:
        by_class[i.class_id] += (max(0.0, i.time_to_mitigate - i.slo_minutes)
                                 + STRUGGLE_MINUTES * i.struggled)
    hero_set = set(heroes)
    weeks = days / 7.0
    interruptions = sum(1 for x in present.interruptions if x.person in hero_set) / weeks
    absent_risk = sum(by_class.values()) / weeks
    return {
        "risk": absent_risk + INTERRUPTION_MINUTES * interruptions,
        "absent_risk": absent_risk,
        "by_class": {k: v / weeks for k, v in by_class.items()},
        "hero_hours": hero_hours,
        "learner_hours": learner_hours,
        "hero_interruptions_per_week": interruptions,
    }


def evaluate(scenario: Scenario, plans: list[Plan | None], weeks: int, replications: int,
             seed: int, workers: int = 1, progress: Callable[[int], None] | None = None
             ) -> list[list[dict]]:
    """Per plan, its risk replications (the same replications for every plan: CRN)."""
    tasks = [(RiskSpec(scenario, plan, weeks, seed), r) for plan in plans
             for r in range(replications)]
    results = run_tasks(risk_replication, tasks, workers, progress)
    return [results[i * replications:(i + 1) * replications] for i in range(len(plans))]


def paired_reduction(baseline: list[dict], reps: list[dict], weights: list[np.ndarray]) -> dict:
    """Risk reduction against the baseline and per hero hour, with paired bootstrap intervals."""
    diff = np.array([b["risk"] - r["risk"] for b, r in zip(baseline, reps)])
    hours = np.array([r["hero_hours"] for r in reps])
    means = np.array([diff @ w / w.sum() for w in weights])
    per_hour = np.array([(diff @ w / w.sum()) / max(MIN_HERO_HOURS, hours @ w / w.sum())
                         for w in weights])
    score = float(diff.mean() / max(MIN_HERO_HOURS, hours.mean()))
    return {
        "reduction": {"mean": float(diff.mean()), "low": float(np.percentile(means, 2.5)),
                      "high": float(np.percentile(means, 97.5))},
        "per_hero_hour": {"mean": score, "low": float(np.percentile(per_hour, 2.5)),
                          "high": float(np.percentile(per_hour, 97.5))},
        "share_better": float(np.mean(means > 0)),
        "hero_hours": float(hours.mean()),
        "learner_hours": float(np.mean([r["learner_hours"] for r in reps])),
        "risk": float(np.mean([r["risk"] for r in reps])),
        "absent_risk": float(np.mean([r["absent_risk"] for r in reps])),
        "hero_interruptions_per_week": float(np.mean([r["hero_interruptions_per_week"]
                                                      for r in reps])),
    }


def _mean_by_class(reps: list[dict]) -> dict:
    return {k: float(np.mean([r["by_class"][k] for r in reps])) for k in reps[0]["by_class"]}


# -- the whole advice ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AdviseResult:
    """The advice, usable from Python; `to_json()` is advise.json, `plan` the proposal."""

    document: dict
    plan: Plan | None

    def to_json(self) -> dict:
        return self.document

    @property
    def ranking(self) -> list[str]:
        return [row["name"] for row in self.document["candidates"]]


def run_advise(
    scenario: Scenario,
    budget_hero_hours: float = 40.0,
    weeks: int = 12,
    replications: int = 12,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    verify: bool = True,
) -> AdviseResult:
    """Attribute, rank candidates, build and check a plan within the hero-hour budget.

    Args:
        scenario: today's team.
        budget_hero_hours: the hero hours the proposed plan may cost over `weeks`.
        weeks: how long each candidate runs (with learning) before the hero-absent replay.
        replications, seed: common random numbers shared by every plan.
        workers, progress: as in `sim.analysis.replicate.run_tasks` (progress counts replications).
        verify: also run the independence check of the proposal against doing nothing.
    """
    days = weeks * 7
    progress = _Cumulative(progress)
    per_rep = run_tasks(attribution_replication,
                        [(AttributionSpec(scenario, days, seed), r) for r in range(replications)],
                        workers, progress.phase(replications))
    attribution = summarize_attribution(per_rep, weeks)
    found = candidates(scenario, attribution, weeks)
    plans: list[Plan | None] = [None] + [c.plan for c in found]
    results = evaluate(scenario, plans, weeks, replications, seed, workers,
                       progress.phase(len(plans) * replications))
    baseline = results[0]
    weights = resampling_weights(seed, replications)
    rows = []
    for candidate, reps in zip(found, results[1:]):
        rows.append({"name": candidate.name, "kind": candidate.kind, "target": candidate.target,
                     "description": candidate.plan.description,
                     "default_costs": dict(zip(("hero", "learner"),
                                               DEFAULT_COSTS[candidate.kind])),
                     **paired_reduction(baseline, reps, weights)})
    rows.sort(key=lambda r: (-r["per_hero_hour"]["mean"], -r["reduction"]["mean"], r["name"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    by_name = {c.name: c for c in found}
    plan, steps = _greedy(scenario, rows, by_name, baseline, budget_hero_hours, weeks,
                          replications, seed, workers, weights, progress)
    baseline_by_class = _mean_by_class(baseline)
    document = {
        "herosim_version": __version__,
        "scenario": scenario.name,
        "heroes": list(scenario.heroes),
        "weeks": weeks,
        "replications": replications,
        "seed": seed,
        "budget_hero_hours": budget_hero_hours,
        "risk_definition": (
            f"risk: SLO-breach minutes per week + {STRUGGLE_MINUTES:g} per struggled incident "
            f"per week, in the {scenario.independence.evaluation_days}-day evaluation window "
            f"replayed without {', '.join(scenario.heroes) or 'anyone'} after {weeks} weeks "
            f"of the plan (learning on), + {INTERRUPTION_MINUTES:g} per hero interruption per "
            "week in the same window with the heroes present"),
        "baseline_risk": {"mean": float(np.mean([r["risk"] for r in baseline])),
                          "absent_risk": float(np.mean([r["absent_risk"] for r in baseline])),
                          "hero_interruptions_per_week": float(np.mean(
                              [r["hero_interruptions_per_week"] for r in baseline])),
                          "by_class": baseline_by_class},
        "attribution": attribution,
        "hero_classes": hero_classes(scenario, attribution),
        "candidate_rules": {
            "hero_class_share": HERO_CLASS_SHARE, "learners_per_class": LEARNERS_PER_CLASS,
            "min_hero_hours": MIN_HERO_HOURS, "condition_targets": CONDITION_TARGETS,
        },
        "candidates": rows,
        "proposal": {"steps": steps,
                     "plan": plan.model_dump(mode="json", exclude_none=True) if plan else None},
        "classes": classify(scenario, attribution, baseline_by_class),
        "check": None,
    }
    if verify and plan is not None:
        document["check"] = _verify(scenario, plan, weeks, replications, seed, workers,
                                    progress.phase(2 * replications))
    return AdviseResult(document, plan)


def _greedy(scenario, rows, by_name, baseline, budget, weeks, replications, seed, workers,
            weights, progress) -> tuple[Plan | None, list[dict]]:
    """Add the best-scoring candidates while within budget, keeping only real improvements."""
    actions: list = []
    chosen: list[str] = []
    current_risk = float(np.mean([r["risk"] for r in baseline]))
    current_hours = 0.0
    steps = []
    tried = 0
    for row in rows:
        if tried >= GREEDY_STEPS:
            break
        if row["reduction"]["mean"] <= 0 or current_hours + row["hero_hours"] > budget:
            continue
        tried += 1
        trial = Plan(name=PLAN_NAME, description="", actions=actions
                     + list(by_name[row["name"]].plan.actions))
        reps = evaluate(scenario, [trial], weeks, replications, seed, workers,
                        progress.phase(replications))[0]
        summary = paired_reduction(baseline, reps, weights)
        kept = summary["risk"] < current_risk and summary["hero_hours"] <= budget
        steps.append({"candidate": row["name"], "kept": kept, "risk": summary["risk"],
                      "hero_hours": summary["hero_hours"],
                      "reduction": summary["reduction"]})
        if kept:
            actions = list(trial.actions)
            chosen.append(row["name"])
            current_risk, current_hours = summary["risk"], summary["hero_hours"]
    if not actions:
        return None, steps
    description = ("Proposed by herosim advise within a budget of "
                   f"{budget:g} hero hours: " + ", ".join(chosen) + ".")
    return Plan(name=PLAN_NAME, description=description, actions=actions), steps


class _Cumulative:
    """One progress count across the phases (attribution, candidates, greedy steps)."""

    def __init__(self, callback: Callable[[int], None] | None):
        self.callback = callback
        self.done = 0

    def phase(self, size: int) -> Callable[[int], None] | None:
        if self.callback is None:
            return None
        start = self.done
        self.done += size
        return lambda n: self.callback(start + n)


def _verify(scenario: Scenario, plan: Plan, weeks: int, replications: int, seed: int,
            workers: int, progress: Callable[[int], None] | None = None) -> dict:
    """The proposal in the independence check against doing nothing (same seeds)."""
    doc = run_compare(scenario, [plan], weeks=weeks, every=weeks, replications=replications,
                      seed=seed, workers=workers, progress=progress).to_json()
    rows = {row["plan"]: row for row in doc["plans"]}
    mine, none = rows[PLAN_NAME], rows["none"]

    def brief(row: dict) -> dict:
        return {"final_verdict": row["final_verdict"],
                "time_to_independence": row["time_to_independence"]["week"],
                "absent_p90_end": row["absent_p90_end"],
                "added_breach_rate_end": row["added_breach_rate_end"],
                "hero_interruptions_per_week_end":
                    row["hero_interruptions_per_week_end"]["mean"]}

    versus = mine["vs_baseline"]
    line = (f"In `check` over {weeks} weeks ({replications} replications, seed {seed}): "
            f"the proposal ends {mine['final_verdict']} (doing nothing: {none['final_verdict']});"
            f" hero-absent p90 time to mitigate {_fmt(mine['absent_p90_end'])} min vs "
            f"{_fmt(none['absent_p90_end'])} min; {versus['verdict']}.")
    return {"plan": brief(mine), "none": brief(none), "versus": versus, "line": line}


def _fmt(x) -> str:
    return "–" if x is None else f"{x:.0f}"


def classify(scenario: Scenario, attribution: dict, risk_by_class: dict) -> dict:
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
        share = attribution[c.id]["hero_share"] or 0.0
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
        out[c.id] = {
            "verdict": verdict, "declared_specialty": c.specialty, "hero_share": share,
            "rate_per_week": c.rate_per_week, "risk_share": risk_share,
            "knowledge_gap": gap, "access_only_heroes": access_only_heroes,
            "rare": rare, "low_risk": low_risk, "costly": costly,
        }
    return out
