"""One generated team: its people, services, classes, skills and rotation, as a ground-truth
scenario and the truth document that describes it (written before anything is simulated).

Kinds of people:

- **heroes**: expert in every class (knowledge 0.93-0.99), on the primary rotation like
  everyone, on the secondary rotation, and pulled in informally by the others;
- a **busy non-hero** (teams without heroes): holds a day layer of the primary rotation
  (08-20 team time), so takes most pages; good at the easy, frequent classes and not at the
  others, which they escalate; nobody is escalated to *them*;
- everyone else: around each class's difficulty (below it for the hard classes).

Incident types may mix severities (a database failover is P1 a third of the time): the engine
runs one class per severity, and the history names them all by the incident type.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.schema import Scenario

# suffix, title, severity mix, difficulty, expert median minutes, p90/median, SLO, rate range
# per week, kind (toil: easy and frequent; medium; hard: needs an expert)
CLASS_TEMPLATES = (
    ("disk-full", "disk usage above 90%", {"sev4": 1.0}, 0.3, 15, 2.0, 120, (4.0, 6.5), "toil"),
    ("latency", "p99 latency above SLO", {"sev3": 1.0}, 0.4, 35, 2.5, 120, (3.0, 4.5), "toil"),
    ("5xx", "error rate above threshold", {"sev2": 1.0}, 0.5, 20, 3.0, 60, (2.0, 4.0),
     "medium"),
    ("queue-backlog", "consumer lag growing", {"sev3": 1.0}, 0.55, 40, 2.5, 180, (2.0, 3.5),
     "medium"),
    ("db-failover", "primary database failover", {"sev1": 1 / 3, "sev2": 2 / 3}, 0.8, 60, 2.5,
     120, (1.3, 2.2), "hard"),
    ("cert-expiry", "certificate about to expire", {"sev2": 1.0}, 0.7, 45, 2.0, 240,
     (1.0, 1.8), "hard"),
)
TEMPLATE = {t[0]: t for t in CLASS_TEMPLATES}
# Classes per service of a team with heroes and of one without (suffixes).
HERO_TEAM_SERVICES = (("db-failover", "5xx"), ("cert-expiry", "disk-full"), ("latency",))
PLAIN_TEAM_SERVICES = (("disk-full", "latency"), ("queue-backlog", "5xx"))
BUSINESS_WEIGHT, OFF_WEIGHT, SLEEP_WEIGHT = 2.0, 1.0, 0.6  # weekly profile of some classes
DAY_LAYER = (8, 20)  # the busy person's day layer, team time
CAPABLE_MARGIN = 0.05  # knowledge this far above difficulty: can fix it 3 times in 4


@dataclass(frozen=True)
class TeamPlan:
    """A team before it is simulated: the truth scenario and how its history is written."""

    name: str  # team_name in the history
    policy: str  # escalation_policy_name in the history
    scenario: Scenario
    zone: str
    members: list[dict]  # {id, user_id, name, email, timezone, hero, busy}
    incident_types: dict[str, str]  # engine class id -> incident type (the history's class)
    growth: float  # arrival rates rise by this share from the first day to the last
    truth: dict


def plan_team(rng: np.random.Generator, index: int, name: str, zone: str, members: list[dict],
              services: list[str], heroes: int, growth: float) -> TeamPlan:
    """Draw one team's classes, skills and rotation.

    Args:
        rng: the team's own stream.
        index: the team's position (hand-off hours and offsets vary with it).
        name: the team's name (team_name).
        zone: the team's zone (schedule hand-offs, weekly profiles).
        members: the people, heroes first; each {id, user_id, name, email, timezone}.
        services: service names to use, one per service the team gets.
        heroes: how many of the members are heroes (0: the first member is the busy one).
        growth: arrival rates rise by this share over the history.
    """
    people = [dict(m, hero=k < heroes, busy=heroes == 0 and k == 0)
              for k, m in enumerate(members)]
    layout = HERO_TEAM_SERVICES if heroes else PLAIN_TEAM_SERVICES
    classes, incident_types, truth_classes = [], {}, []
    for service, suffixes in zip(services, layout):
        for suffix in suffixes:
            _, title, mix, difficulty, median, spread, slo, rates, kind = TEMPLATE[suffix]
            rate = round(float(rng.uniform(*rates)), 2)
            type_id = f"{service}-{suffix}"
            profiled = suffix in ("5xx", "latency")
            truth_classes.append({
                "id": type_id, "service": service, "title": title, "kind": kind,
                "rate_per_week": rate, "severity_mix": dict(mix), "difficulty": difficulty,
                "work_minutes": {"median": median, "p90": round(median * spread)},
                "slo_minutes": slo, "weekly_profile": "business-heavy" if profiled else "flat",
            })
            for k, (severity, share) in enumerate(sorted(mix.items(), key=lambda m: -m[1])):
                class_id = type_id if k == 0 else f"{type_id}--{severity}"
                incident_types[class_id] = type_id
                cls = {"id": class_id, "service": service, "severity": severity,
                       "rate_per_week": round(rate * share, 3), "difficulty": difficulty,
                       "work_minutes": {"median": median, "p90": round(median * spread)},
                       "slo_minutes": slo}
                if profiled:
                    cls["weekly_profile"] = _profile()
                classes.append(cls)
    skills = {p["id"]: _skills(rng, p, classes, hero_team=heroes > 0) for p in people}
    rotation, truth_rotation = _rotation(rng, index, people)
    hero_ids = [p["id"] for p in people if p["hero"]]
    scenario = Scenario.model_validate({
        "name": name_id(name),
        "description": f"Team {name} of a synthetic organisation made by `herosim generate`: "
                       "the ground truth of its part of history.json.",
        "timezone": zone,
        "start_date": "2026-01-05",
        "services": [{"id": s, "critical": any(c["service"] == s and c["severity"] == "sev1"
                                              for c in classes)} for s in services[:len(layout)]],
        "classes": classes,
        "people": [{"id": p["id"], "name": p["name"], "timezone": p["timezone"],
                    "skills": skills[p["id"]], "absences": _absences(rng),
                    "sick_days_per_year": 3.0} for p in people],
        "heroes": hero_ids,
        "rotation": rotation,
        "conditions": {"informal_pull": 0.4 if hero_ids else 0.0},
    })
    truth = {
        "name": name, "scenario": scenario.name, "zone": zone,
        "escalation_policy": f"{name} escalation policy",
        "services": list(services[:len(layout)]), "classes": truth_classes,
        "people": [p["id"] for p in people], "rotation": truth_rotation,
        "heroes": [{"id": h, "needed_for": _needed_for(h, people, skills, classes)}
                   for h in hero_ids],
        "busy_non_heroes": [p["id"] for p in people if p["busy"]],
        "arrival_growth": growth,
    }
    return TeamPlan(name, truth["escalation_policy"], scenario, zone, people, incident_types,
                    growth, truth)


def name_id(name: str) -> str:
    """A scenario name from a team name: 'Payments Platform' -> 'payments-platform'."""
    return "-".join(name.lower().split())


def _profile() -> list[float]:
    """Business hours twice as busy as evenings, nights quieter (team time)."""
    weights = []
    for hour in range(168):
        day, h = divmod(hour, 24)
        if h >= 22 or h < 8:
            weights.append(SLEEP_WEIGHT)
        elif day < 5 and 8 <= h < 18:
            weights.append(BUSINESS_WEIGHT)
        else:
            weights.append(OFF_WEIGHT)
    return weights


def _skills(rng: np.random.Generator, person: dict, classes: list[dict],
            hero_team: bool) -> dict:
    """Skills per class. Everyone handles the easy classes alone; in a team with heroes the
    others are around a medium class's difficulty and below a hard one's (none can fix it
    reliably); in a team without, everyone but the busy person is able for the medium
    classes (nobody stands out)."""
    out = {}
    for c in classes:
        d = c["difficulty"]
        suffix = c["id"].split("--")[0]
        kind = next(t[8] for t in CLASS_TEMPLATES if suffix.endswith(t[0]))
        if person["hero"]:
            k = float(rng.uniform(0.93, 0.99))
            out[c["id"]] = round(k, 2)
            continue
        if person["busy"]:
            k = d + 0.3 if kind == "toil" else d - 0.05
            c_ = k
        else:
            if kind == "toil":
                k = d + float(rng.uniform(0.15, 0.35))
                c_ = k - float(rng.uniform(0.0, 0.05))
            elif kind == "medium" and not hero_team:
                k = d + float(rng.uniform(0.08, 0.25))
                c_ = k - float(rng.uniform(0.0, 0.05))
            elif kind == "medium":
                k = d + float(rng.normal(0.05, 0.12))
                c_ = k - abs(float(rng.normal(0.03, 0.06)))
            else:  # nobody but a hero can fix it reliably
                k = min(d + float(rng.normal(-0.15, 0.08)), d - 0.02)
                c_ = k - abs(float(rng.normal(0.03, 0.06)))
        k, c_ = float(np.clip(k, 0.1, 0.95)), float(np.clip(c_, 0.05, 0.95))
        out[c["id"]] = {"knowledge": round(k, 2), "confidence": round(min(c_, k), 2)}
    # Severity variants of one incident type share the person's skill.
    for c in classes:
        base = c["id"].split("--")[0]
        if base != c["id"]:
            out[c["id"]] = out[base]
    return out


def _rotation(rng: np.random.Generator, index: int, people: list[dict]) -> tuple[dict, dict]:
    handoff = (9, 10, 12, 8)[index % 4]
    heroes = [p["id"] for p in people if p["hero"]]
    busy = [p["id"] for p in people if p["busy"]]
    others = [p["id"] for p in people if not p["busy"]]
    order = [others[k] for k in rng.permutation(len(others))]
    weekly = {"members": order, "period_days": 7, "handoff_hour": handoff, "offset": 0}
    truth: dict = {"primary": [dict(weekly)]}
    if busy:
        day = {"members": busy, "period_days": 7, "handoff_hour": handoff, "offset": 0,
               "hours": {"start": DAY_LAYER[0], "end": DAY_LAYER[1]}}
        truth["primary"] = [dict(day), dict(weekly)]
        return {"primary": [day, weekly]}, truth
    rotation = {"primary": weekly}
    if heroes:
        rotation["secondary"] = {"members": heroes, "period_days": 7, "handoff_hour": handoff,
                                 "offset": 0}
        truth["secondary"] = [dict(rotation["secondary"])]
    return rotation, truth


def _absences(rng: np.random.Generator) -> list[dict]:
    """One or two planned weeks off, the rotation covering them (an override)."""
    weeks = sorted(rng.choice(np.arange(2, 24), int(rng.integers(1, 3)), replace=False))
    return [{"start_day": int(w) * 7, "end_day": int(w) * 7 + 6, "reason": "leave"}
            for w in weeks]


def _needed_for(hero: str, people: list[dict], skills: dict, classes: list[dict]) -> dict:
    """The services and incident types whose incidents need a hero: at most one non-hero
    can fix them (knowledge at least the difficulty plus a margin)."""
    types, services = [], []
    for c in classes:
        if "--" in c["id"]:
            continue
        capable = 0
        for p in people:
            if p["hero"]:
                continue
            skill = skills[p["id"]][c["id"]]
            k = skill["knowledge"] if isinstance(skill, dict) else skill
            capable += k >= c["difficulty"] + CAPABLE_MARGIN
        if capable <= 1:
            types.append(c["id"])
            services.append(c["service"])
    return {"services": list(dict.fromkeys(services)), "incident_types": types}
