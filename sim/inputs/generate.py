"""A synthetic organisation: people, services, classes, a ground-truth scenario, and the
PagerDuty-format history that scenario produces when simulated.

For trying herosim without data, and for testing the importer, the hero map and calibration
against a truth that is known. Everything derives from one seed: names come from a seeded
`Faker` instance, choices from a numpy stream, and the history from the engine's own streams.

    >>> from sim.inputs.generate import generate_org
    >>> org = generate_org(people=6, weeks=8, heroes=1, seed=3)
    >>> org.scenario.heroes, len(org.history["data"])  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from faker import Faker

from sim.model import TeamModel
from sim.model.records import InterruptionKind, RunRecords
from sim.model.rng import Purpose, stream
from sim.schema import EscalationKind, Role, Scenario, Severity

# (suffix, title, severity, difficulty, expert median minutes, p90/median, SLO minutes)
CLASS_TEMPLATES = (
    ("5xx", "error rate above threshold", "sev2", 0.4, 20, 3.0, 60),
    ("latency", "p99 latency above SLO", "sev3", 0.5, 35, 2.5, 120),
    ("db-failover", "primary database failover", "sev1", 0.8, 60, 2.5, 120),
    ("queue-backlog", "consumer lag growing", "sev3", 0.55, 40, 2.5, 180),
    ("cert-expiry", "certificate about to expire", "sev2", 0.7, 45, 2.0, 240),
    ("disk-full", "disk usage above 90%", "sev3", 0.35, 15, 2.0, 120),
)
SERVICES = ("checkout", "payments", "search", "identity", "catalog", "notifications",
            "billing", "inventory")
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago")
PRIORITY = {Severity.SEV1: "P1", Severity.SEV2: "P2", Severity.SEV3: "P3", Severity.SEV4: "P4"}
URGENCY = {Severity.SEV1: "high", Severity.SEV2: "high", Severity.SEV3: "low",
           Severity.SEV4: "low"}
MAX_PEOPLE = 40
MAX_WEEKS = 260


@dataclass(frozen=True)
class Org:
    """A generated organisation."""

    scenario: Scenario  # the ground truth
    people: list[dict]  # {id, user_id, name, email, timezone, hero}
    history: dict  # PagerDuty raw incidents response: {"data": [...], "filters": ...}
    seed: int
    weeks: int


def slug(text: str) -> str:
    """An identifier from a display name: 'Dr. Priya Shah' -> 'priya-shah'."""
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return words[:64].strip("-") or "x"


def generate_org(people: int = 8, weeks: int = 12, heroes: int = 1, seed: int = 0) -> Org:
    """Build a team, simulate it for `weeks`, and write its history in PagerDuty's shape.

    Args:
        people: team size (heroes included), 2..40.
        weeks: weeks of history, 1..260.
        heroes: how many of the people are heroes: very skilled in most classes, on the
            secondary rotation, and pulled in informally by the others.
        seed: the root seed of names, choices and the simulation.
    """
    if not 2 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be within 2..{MAX_PEOPLE}, not {people}")
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be within 1..{MAX_WEEKS}, not {weeks}")
    if not 0 <= heroes < people:
        raise ValueError(f"heroes must be within 0..{people - 1} (someone must be on the "
                         f"primary rotation), not {heroes}")
    rng = stream(seed, 0, Purpose.GENERATE)
    fake = Faker()
    fake.seed_instance(seed)
    zone = ZONES[int(rng.integers(len(ZONES)))]
    team = _people(fake, rng, people, heroes, zone)
    scenario = _scenario(rng, team, zone, seed)
    records = TeamModel(scenario, weeks * 7, seed, 0).run()
    history = pagerduty_history(scenario, records, team, rng)
    return Org(scenario, team, history, seed, weeks)


def _people(fake: Faker, rng: np.random.Generator, n: int, heroes: int, zone: str) -> list[dict]:
    team, seen = [], set()
    while len(team) < n:
        name = f"{fake.first_name()} {fake.last_name()}"
        ident = slug(name)
        if ident in seen:
            continue
        seen.add(ident)
        team.append({
            "id": ident, "user_id": "P" + fake.bothify("??#?##?", letters="ABCDEFGHJKLMNPQRSTUVWXYZ"),
            "name": name, "email": f"{ident.replace('-', '.')}@example.com",
            "timezone": zone, "hero": len(team) < heroes,
        })
    return team


def _scenario(rng: np.random.Generator, team: list[dict], zone: str, seed: int) -> Scenario:
    n_services = int(rng.integers(2, 4))
    services = [SERVICES[i] for i in sorted(rng.choice(len(SERVICES), n_services, replace=False))]
    classes = []
    for service in services:
        picks = sorted(rng.choice(len(CLASS_TEMPLATES), int(rng.integers(1, 3)), replace=False))
        for index in picks:
            suffix, _, severity, difficulty, median, spread, slo = CLASS_TEMPLATES[index]
            classes.append({
                "id": f"{service}-{suffix}", "service": service, "severity": severity,
                "rate_per_week": round(float(rng.uniform(0.8, 3.0)), 2),
                "difficulty": difficulty,
                "work_minutes": {"median": median, "p90": round(median * spread)},
                "slo_minutes": slo,
            })
    people = []
    for person in team:
        skills = {}
        for c in classes:
            if person["hero"]:
                k = float(rng.uniform(0.9, 0.98))
                skills[c["id"]] = round(k, 2)
            else:
                k = float(np.clip(c["difficulty"] + rng.normal(0.0, 0.2), 0.1, 0.95))
                confidence = float(np.clip(k - abs(rng.normal(0.05, 0.1)), 0.05, 0.95))
                skills[c["id"]] = {"knowledge": round(k, 2), "confidence": round(confidence, 2)}
        people.append({"id": person["id"], "name": person["name"], "timezone": zone,
                       "skills": skills})
    heroes = [p["id"] for p in team if p["hero"]]
    primary = [p["id"] for p in team if not p["hero"]]
    rotation = {"primary": {"members": primary}}
    if heroes:
        rotation["secondary"] = {"members": heroes}
    return Scenario.model_validate({
        "name": f"generated-{seed}",
        "description": "A synthetic team made by `herosim generate`: the ground truth of "
                       "history.json.",
        "timezone": zone,
        "start_date": "2026-01-05",
        "services": [{"id": s, "critical": any(c["service"] == s and c["severity"] == "sev1"
                                              for c in classes)} for s in services],
        "classes": classes,
        "people": people,
        "heroes": heroes,
        "rotation": rotation,
        "conditions": {"informal_pull": 0.4 if heroes else 0.0},
    })


def pagerduty_history(scenario: Scenario, records: RunRecords, team: list[dict],
                      rng: np.random.Generator) -> dict:
    """Engine records -> PagerDuty's Analytics raw incidents response.

    Pages become assignments; acknowledgements and leads become acknowledgements; informal
    pulls, pairing and backup become joined responders (a responder request), not assignments;
    the lead resolves. Escalation counts come from the record's escalations by kind.
    """
    start = dt.datetime.combine(scenario.start_date, dt.time(), tzinfo=ZoneInfo(scenario.timezone))
    by_id = {p["id"]: p for p in team}
    pages: dict[int, list] = {}
    hours: dict[int, dict] = {}
    for it in records.interruptions:
        if it.incident_id is None:
            continue
        if it.kind is InterruptionKind.PAGE:
            pages.setdefault(it.incident_id, []).append(it.person)
        counts = hours.setdefault(it.incident_id, {"business": 0, "off": 0, "sleep": 0})
        counts[it.hour_class.value] += 1
    services = {s.id: "P" + f"{i + 1:06d}" for i, s in enumerate(scenario.services)}
    classes = {c.id: c for c in scenario.classes}
    templates = {t[0]: t[1] for t in CLASS_TEMPLATES}
    data = []
    for r in records.incidents:
        acked = [p for p, role in r.involved
                 if role in (Role.ACKNOWLEDGED, Role.STUCK, Role.LED, Role.MISROUTED)]
        if r.acknowledged_by:
            acked.insert(0, r.acknowledged_by)
        acked = list(dict.fromkeys(acked))
        pulled = [e.to_person for e in r.escalations
                  if e.kind is EscalationKind.INFORMAL and e.to_person]
        assigned = [p for p in dict.fromkeys(pages.get(r.incident_id, [])) if p not in pulled]
        acked = [p for p in acked if p not in pulled or p in assigned]
        helpers = [p for p, role in r.involved if role in (Role.PAIRED, Role.BACKUP)]
        joined = list(dict.fromkeys(acked + pulled + helpers))
        kinds = [e.kind for e in r.escalations]
        created = start + dt.timedelta(minutes=r.arrived)
        resolved = start + dt.timedelta(minutes=r.mitigated) if r.lead else None
        suffix = r.class_id[len(classes[r.class_id].service) + 1:]
        row = {
            "id": "Q" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), 13)),
            "incident_number": 1000 + r.incident_id,
            "description": f"[{r.service}] {templates.get(suffix, r.class_id)}",
            "status": "resolved" if r.lead else "acknowledged" if acked else "triggered",
            "urgency": URGENCY[r.severity],
            "priority_name": PRIORITY[r.severity],
            "major": r.severity is Severity.SEV1,
            "service_id": services[r.service],
            "service_name": r.service,
            "team_name": scenario.name,
            "escalation_policy_name": f"{r.service} escalation policy",
            "incident_type_name": r.class_id,
            "created_at": _iso(created),
            "resolved_at": _iso(resolved) if resolved else None,
            "resolved_by_user_id": by_id[r.lead]["user_id"] if r.lead else None,
            "resolved_by_user_name": by_id[r.lead]["name"] if r.lead else None,
            "auto_resolved": False,
            "seconds_to_first_ack": round((r.acknowledged - r.arrived) * 60) if acked else None,
            "seconds_to_resolve": round((r.mitigated - r.arrived) * 60) if r.lead else None,
            "engaged_user_count": len(joined),
            "acknowledged_user_ids": [by_id[p]["user_id"] for p in acked],
            "acknowledged_user_names": [by_id[p]["name"] for p in acked],
            "assigned_user_ids": [by_id[p]["user_id"] for p in assigned],
            "assigned_user_names": [by_id[p]["name"] for p in assigned],
            "joined_user_ids": [by_id[p]["user_id"] for p in joined],
            "joined_user_names": [by_id[p]["name"] for p in joined],
            "escalation_count": sum(k in (EscalationKind.MANUAL, EscalationKind.TIMEOUT)
                                    for k in kinds),
            "manual_escalation_count": kinds.count(EscalationKind.MANUAL),
            "timeout_escalation_count": kinds.count(EscalationKind.TIMEOUT),
            "reassignment_count": kinds.count(EscalationKind.REROUTE),
        }
        counts = hours.get(r.incident_id, {"business": 0, "off": 0, "sleep": 0})
        row.update({
            "total_interruptions": sum(counts.values()),
            "business_hour_interruptions": counts["business"],
            "off_hour_interruptions": counts["off"],
            "sleep_hour_interruptions": counts["sleep"],
        })
        data.append(row)
    end = start + dt.timedelta(days=records.days)
    return {
        "data": data,
        "filters": {"created_at_start": _iso(start), "created_at_end": _iso(end)},
        "time_zone": scenario.timezone,
        "limit": len(data), "more": False, "order": "asc", "order_by": "created_at",
    }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


CSV_COLUMNS = (
    "id", "incident_number", "description", "status", "urgency", "priority_name", "major",
    "service_id", "service_name", "team_name", "escalation_policy_name", "incident_type_name",
    "created_at", "resolved_at", "resolved_by_user_id", "resolved_by_user_name", "auto_resolved",
    "seconds_to_first_ack", "seconds_to_resolve", "engaged_user_count", "acknowledged_user_ids",
    "acknowledged_user_names", "assigned_user_ids", "assigned_user_names", "joined_user_ids",
    "joined_user_names", "escalation_count", "manual_escalation_count",
    "timeout_escalation_count", "reassignment_count", "total_interruptions",
    "business_hour_interruptions", "off_hour_interruptions", "sleep_hour_interruptions",
)


def csv_rows(history: dict):
    """The history as CSV rows with PagerDuty's column names; lists comma-separated."""
    for row in history["data"]:
        yield [
            ",".join(v) if isinstance(v, list) else ("" if v is None else
                                                       str(v).lower() if isinstance(v, bool)
                                                       else v)
            for v in (row.get(c) for c in CSV_COLUMNS)
        ]
