"""Each person's picture in a checkpoint's window: what one arm's replay asked of everyone, and
the figures the hero-load criteria and the concentration alert read.

`arm_people` reduces one arm's records (one replication) to compact arrays; `PeopleData` pools
them over replications per checkpoint and arm and gives the `PeopleArm` documents. Load figures
(pages, incidents led, escalations, pulls, consults, gates, interruptions, hours) are per week
and leave probes out: they are a game day's extra incidents, not load. Shares (of a critical
class's incidents led, of escalations received) count every incident of the window, probes
included, as the class verdicts do: they say who carries the work, not how much.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

import numpy as np

from sim.analysis.people.hours import KINDS, as_kinds, hours_table
from sim.analysis.stats import gini
from sim.analysis.types.people import PeopleArm, PersonFigures
from sim.model.records import InterruptionKind, RunRecords
from sim.schema import MINUTES_PER_DAY, HourClass, Scenario, Severity

COUNTS = ("pages", "incidents_led", "escalations_received", "pulls_received",
          "consults_received", "gates")
HOUR_CLASSES = tuple(h.value for h in HourClass)
FIELDS = (*COUNTS, *HOUR_CLASSES, *KINDS)
FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}
SERIOUS = (Severity.SEV1, Severity.SEV2)
INTERRUPTION_FIELD = {
    InterruptionKind.PAGE: "pages", InterruptionKind.NOISE: "pages",
    InterruptionKind.PULL: "pulls_received", InterruptionKind.CONSULT: "consults_received",
    InterruptionKind.GATE: "gates",
}


class ArmPeople(TypedDict):
    """One arm of one replication's window, compact: `load` (people x FIELDS, counts and
    hours over the window), `led` (people x critical classes), `class_n` (incidents per
    critical class), `escalations` (received per person), `escalation_total`, and the hero
    load: `serious`, `serious_hero` (sev1/sev2 incidents, and those a hero was involved in),
    `hero_consults`."""

    load: np.ndarray
    led: np.ndarray
    class_n: np.ndarray
    escalations: np.ndarray
    escalation_total: int
    serious: int
    serious_hero: int
    hero_consults: int


def critical_classes(scenario: Scenario) -> list[str]:
    """The non-specialty classes of critical services: where a new hero matters."""
    return [c.id for c in scenario.classes
            if scenario.service(c.service).critical and not c.specialty]


def arm_people(records: RunRecords, scenario: Scenario, days: int, probes: set[int]
               ) -> ArmPeople:
    """One arm's replay reduced to what the picture, the criteria and the alert need."""
    people = [p.id for p in scenario.people]
    index = {p: i for i, p in enumerate(people)}
    critical = critical_classes(scenario)
    class_index = {c: k for k, c in enumerate(critical)}
    # Python lists while counting (numpy's cost per scalar would dominate), arrays at the end.
    load = [[0.0] * len(FIELDS) for _ in people]
    led = [[0.0] * len(critical) for _ in people]
    class_n = [0.0] * len(critical)
    escalations = [0.0] * len(people)
    total = serious = serious_hero = 0
    for x in records.interruptions:
        i = index.get(x.person)
        if i is None or x.incident_id in probes:
            continue
        name = INTERRUPTION_FIELD.get(x.kind)
        if name is not None:
            load[i][FIELD_INDEX[name]] += 1
        load[i][FIELD_INDEX[x.hour_class.value]] += 1
    for incident in records.incidents:
        probe = incident.incident_id in probes
        k = class_index.get(incident.class_id)
        lead = index.get(incident.lead) if incident.lead is not None else None
        if k is not None:
            class_n[k] += 1
            if lead is not None:
                led[lead][k] += 1
        for e in incident.escalations:
            target = index.get(e.to_person) if e.to_person is not None else None
            if target is None:
                continue
            total += 1
            escalations[target] += 1
            if not probe:
                load[target][FIELD_INDEX["escalations_received"]] += 1
        if probe:
            continue
        if lead is not None:
            load[lead][FIELD_INDEX["incidents_led"]] += 1
        if incident.severity in SERIOUS:
            serious += 1
            serious_hero += incident.hero_involved
    hours = hours_table(records, people, [0.0, days * MINUTES_PER_DAY],
                        scenario.learning.pairing_overhead, leave_out=probes)
    for p, row in hours.items():
        kinds = as_kinds(row[0])
        for kind in KINDS:
            load[index[p]][FIELD_INDEX[kind]] = kinds[kind]
    hero_set = set(records.heroes)
    consults = sum(1 for x in records.interruptions if x.kind is InterruptionKind.CONSULT
                   and x.person in hero_set and x.incident_id not in probes)
    return {"load": np.array(load, dtype=np.float32).reshape(len(people), len(FIELDS)),
            "led": np.array(led, dtype=float).reshape(len(people), len(critical)),
            "class_n": np.array(class_n, dtype=float),
            "escalations": np.array(escalations, dtype=float), "escalation_total": total,
            "serious": serious, "serious_hero": serious_hero, "hero_consults": consults}


class PeopleData:
    """Arm pictures pooled over replications, per checkpoint and arm (sums; means at the
    end), and the hero-load figures per replication (for the bootstrap)."""

    def __init__(self, scenario: Scenario, points: int, arms: Sequence[str],
                 replications: int, days: int):
        self.people = [p.id for p in scenario.people]
        self.critical = critical_classes(scenario)
        self.replications = replications
        self.weeks = days / 7.0
        shape = (len(self.people),)
        self.sums = {(i, arm): {
            "load": np.zeros((*shape, len(FIELDS))), "led": np.zeros((*shape, len(self.critical))),
            "class_n": np.zeros(len(self.critical)), "escalations": np.zeros(shape),
            "escalation_total": 0.0} for i in range(points) for arm in arms}
        # Per checkpoint and replication, hero present: sev1/sev2 incidents, those with a
        # hero, hero consults.
        self.hero_load = np.zeros((points, 3, replications))

    def add(self, index: int, arm: str, r: int, figures: ArmPeople) -> None:
        """Take in one replication's arm at one checkpoint."""
        cell = self.sums[index, arm]
        for key in ("load", "led", "class_n", "escalations"):
            cell[key] += figures[key]
        cell["escalation_total"] += figures["escalation_total"]
        if arm == "present":
            self.hero_load[index, :, r] = (figures["serious"], figures["serious_hero"],
                                           figures["hero_consults"])

    def hero_serious_share(self, index: int, weights: np.ndarray) -> float | None:
        """The heroes' share of sev1/sev2 incidents (hero present), for these weights."""
        n = float(self.hero_load[index, 0] @ weights)
        return float(self.hero_load[index, 1] @ weights) / n if n else None

    def hero_consults_per_week(self, index: int, weights: np.ndarray) -> float:
        """Consults of the heroes per week (hero present), for these weights."""
        return float(self.hero_load[index, 2] @ weights) / (weights.sum() * self.weeks)

    def arm(self, index: int, arm: str, without: Sequence[str]) -> PeopleArm:
        """The `PeopleArm` of one checkpoint's arm: per-week means; the Gini over the people
        present in the arm."""
        cell = self.sums[index, arm]
        per_week = cell["load"] / (self.replications * self.weeks)
        total_escalations = cell["escalation_total"]
        people = {}
        for i, person in enumerate(self.people):
            row = per_week[i]
            value = {name: float(row[FIELD_INDEX[name]]) for name in FIELDS}
            hours = {kind: value[kind] for kind in KINDS}
            hours["total"] = float(sum(hours.values()))
            people[person] = PersonFigures(
                **{name: value[name] for name in COUNTS},
                interruptions={h: value[h] for h in HOUR_CLASSES},  # type: ignore[arg-type]
                hours=hours,  # type: ignore[arg-type]
                escalation_share=(float(cell["escalations"][i] / total_escalations)
                                  if total_escalations else None),
                critical_shares={c: (float(cell["led"][i, k] / cell["class_n"][k])
                                     if cell["class_n"][k] else None)
                                 for k, c in enumerate(self.critical)},
            )
        present = [p for p in self.people if p not in set(without)]
        return PeopleArm(
            gini_pages=gini(people[p].pages for p in present),
            gini_hours=gini(people[p].hours["total"] for p in present),
            people=people,
        )

    def pooled_counts(self, index: int, arm: str) -> dict:
        """The pooled sums of one checkpoint's arm (the concentration alert's evidence)."""
        return self.sums[index, arm]
