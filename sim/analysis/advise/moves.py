"""The building blocks of a proposed plan: staged moves, grouped in families, and how a set of
moves becomes one plan (`compose`).

A **move** is a few plan actions that only work together, each dated on the plan's weeks: a
class's practice together with the access it needs (`remove_requires` and pairing: pairing
alone cannot make anyone able to fix a class only the hero may touch, and the removal alone
leaves nobody who would), pairing first and leading with the hero as backup after. Backup ends
with the plan (its `end_day` is the first day after the plan's weeks: in force when the check
reads the team, ended after; a prune may end it earlier), so no hero stays a backup forever.
A **family** holds the
variants of one treatment of one target, cheapest first: a search adds a family at its first
variant, upgrades it to the next, or downgrades, shortens or drops it (sim/analysis/advise/
search.py). Families by target (see docs/advise.md, "The proposal"):

- `live:C`: the class's learners lead it with the hero as backup (`lead`), or pair with the
  hero for the first third and then lead with backup (`pair-then-lead`).
- `drill:C`: game-day drills of the class for its learners: every 14 days, weekly in the second
  half (`late`, less forgotten by the check), weekly throughout.
- `runbook:C`: a runbook (knowledge, and shorter work).
- `spare:C`: one more learner leads it with backup and drills it every two weeks (when two
  are not enough).
- `gate:S`: the service's changes stop waiting for a hero (`remove_needs`), at once, or after
  its leaders ran them with the hero as backup for the first third.
- `fix:observability`: diagnosis no slower than it need be (when the scenario says it is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sim.analysis.advise.candidates import CONDITION_TARGETS, closest_learners, readiness
from sim.analysis.metrics import effective_responders
from sim.model.plans import costs
from sim.model.skills import SkillBook
from sim.schema import Plan, Scenario

# The runbook a move writes.
RUNBOOK = {"coverage": 0.8, "quality": 0.9}


@dataclass(frozen=True)
class Move:
    """One variant of a family: plan actions that go together, dated on the plan's weeks."""

    family: str  # "live:pg-failover"
    variant: str  # "pair-then-lead"
    level: int  # its place in the family, cheapest first
    target: str  # the class or service it is for
    actions: tuple[dict, ...]
    description: str

    @property
    def name(self) -> str:
        """'pair-then-lead:pg-failover'."""
        return f"{self.variant}:{self.target}"


def needed_learners(scenario: Scenario, class_id: str) -> int:
    """How many more people must handle the class alone for the criteria (at least one)."""
    cls = scenario.incident_class(class_id)
    critical = scenario.service(cls.service).critical
    needed = scenario.independence.min_effective_responders if critical else 1
    others = [p for p in effective_responders(
        scenario, SkillBook.from_scenario(scenario), class_id) if p not in scenario.heroes]
    return max(1, needed - len(others))


class Stages:
    """The days of a plan of `weeks` weeks that moves are staged on."""

    def __init__(self, weeks: int):
        self.weeks = weeks
        self.last = weeks * 7 - 1  # the last day of the plan
        self.backup_end = weeks * 7  # the first day after it: backup ends with the plan
        # Runbooks are written in the second week: the first has the first drills and the
        # first backed-up incidents, and a day of writing on top may not fit the hero's week.
        self.runbook_day = 7 if weeks >= 4 else 0
        self.pair_end = max(1, weeks // 3) * 7 - 1
        self.half = (weeks // 2) * 7


def families(scenario: Scenario, classes: Sequence[str], services: Sequence[str],
             weeks: int) -> dict[str, list[Move]]:
    """Every family of moves for the failing `classes` and the `services` whose releases wait
    for a hero, each a list of variants, cheapest first."""
    out: dict[str, list[Move]] = {}
    stages = Stages(weeks)
    heroes = set(scenario.heroes)
    if not heroes:
        return out
    for class_id in classes:
        cls = scenario.incident_class(class_id)
        learners = closest_learners(scenario, class_id, needed_learners(scenario, class_id),
                                    known_only=False)
        access = ([{"kind": "remove_requires", "classes": [class_id]}]
                  if set(cls.requires) & heroes else [])
        if learners:
            out[f"live:{class_id}"] = _live(class_id, learners, access, stages)
            out[f"drill:{class_id}"] = _drills(class_id, learners, access, stages)
            spare = closest_learners(scenario, class_id, 1, skip=learners, known_only=False)
            if spare:
                drill = {"kind": "drill", "learners": spare, "classes": [class_id],
                         "every_days": 14, "start_day": 0, "end_day": stages.last}
                out[f"spare:{class_id}"] = [Move(
                    f"spare:{class_id}", "spare", 0, class_id,
                    (*access, _lead(spare, class_id, 0, stages.backup_end), drill),
                    f"{spare[0]} also leads {class_id} with the hero as backup, and drills "
                    "it every two weeks.")]
        out[f"runbook:{class_id}"] = [Move(
            f"runbook:{class_id}", "runbook", 0, class_id,
            ({"kind": "runbook", "classes": [class_id], **RUNBOOK,
              "start_day": stages.runbook_day},),
            f"The hero writes a runbook for {class_id} in week {stages.runbook_day // 7 + 1}.")]
    target = CONDITION_TARGETS["observability"]
    if classes and scenario.conditions.observability > target:
        out["fix:observability"] = [Move(
            "fix:observability", "fix", 0, "observability",
            ({"kind": "fix_condition", "condition": "observability", "value": target,
              "start_day": 0},),
            f"Better observability: diagnosis x{scenario.conditions.observability:g} -> "
            f"x{target:g}.")]
    for service_id in services:
        out[f"gate:{service_id}"] = _gate(scenario, service_id, stages)
    return out


def _lead(learners: list[str], class_id: str, start: int, end: int) -> dict:
    return {"kind": "lead_with_backup", "learners": list(learners), "classes": [class_id],
            "start_day": start, "end_day": end}


def _live(class_id: str, learners: list[str], access: list[dict], stages: Stages
          ) -> list[Move]:
    names = " and ".join(learners)
    family = f"live:{class_id}"
    weeks_backed = stages.weeks
    lead = Move(family, "lead", 0, class_id,
                (*access, _lead(learners, class_id, 0, stages.backup_end)),
                f"{names} lead {class_id} with the hero as backup for weeks 1-{weeks_backed}, "
                "then alone.")
    pair = {"kind": "pair", "learners": list(learners), "classes": [class_id],
            "start_day": 0, "end_day": stages.pair_end}
    paired = (stages.pair_end + 1) // 7
    staged = Move(family, "pair-then-lead", 1, class_id,
                  (*access, pair, _lead(learners, class_id, stages.pair_end + 1,
                                        stages.backup_end)),
                  f"{names} pair with the hero on {class_id} for weeks 1-{paired}, lead it "
                  f"with the hero as backup to week {weeks_backed}, then alone.")
    return [lead, staged]


def _drills(class_id: str, learners: list[str], access: list[dict], stages: Stages
            ) -> list[Move]:
    family = f"drill:{class_id}"
    names = " and ".join(learners)

    def drill(level: int, variant: str, every: int, start: int, words: str) -> Move:
        action = {"kind": "drill", "learners": list(learners), "classes": [class_id],
                  "every_days": every, "start_day": start, "end_day": stages.last}
        return Move(family, variant, level, class_id, (*access, action),
                    f"{names} drill {class_id} {words}.")

    return [drill(0, "drill-14d", 14, 0, "every two weeks"),
            drill(1, "drill-7d-late", 7, stages.half,
                  f"weekly from week {stages.half // 7 + 1}"),
            drill(2, "drill-7d", 7, 0, "weekly")]


def _gate(scenario: Scenario, service_id: str, stages: Stages) -> list[Move]:
    service = scenario.service(service_id)
    family = f"gate:{service_id}"
    remove = {"kind": "remove_needs", "services": [service_id], "start_day": 0}
    now = Move(family, "gate", 0, service_id, (remove,),
               f"{service_id} changes stop waiting for {', '.join(service.changes.needs)}.")
    rollback = service.changes.rollback_class
    heroes = set(scenario.heroes)
    leaders = [p for p in (service.changes.leaders or [p.id for p in scenario.people])
               if p not in heroes]
    leaders.sort(key=lambda p: -readiness(scenario, p, rollback))
    if not leaders:
        return [now]
    backed = {"kind": "lead_changes_with_backup", "learners": leaders[:2],
              "services": [service_id], "start_day": 0, "end_day": stages.pair_end}
    later = dict(remove, start_day=stages.pair_end + 1)
    staged = Move(family, "gate-after-backup", 1, service_id, (backed, later),
                  f"{' and '.join(leaders[:2])} run {service_id} changes with the hero as "
                  f"backup for weeks 1-{(stages.pair_end + 1) // 7}; then the changes stop "
                  "waiting for the hero.")
    return [now, staged]


def compose(moves: Sequence[Move], name: str, description: str) -> Plan:
    """One plan of the moves' actions, in order of their first day: identical actions once,
    and drills held on days another drill already holds join that session (its learners and
    classes together: one game day, one cost; `fold_drills`)."""
    actions: list[dict] = []
    for move in moves:
        for action in move.actions:
            if action not in actions:
                actions.append(action)
    others = [a for a in actions if a["kind"] != "drill"]
    merged = others + fold_drills([a for a in actions if a["kind"] == "drill"])
    merged.sort(key=lambda a: a.get("start_day", 0))
    return Plan.model_validate({"name": name, "description": description, "actions": merged})


def fold_drills(drills: list[dict]) -> list[dict]:
    """Drills as sessions: a drill whose days are all days of another (its period a multiple,
    its first day one of the other's, its last day no later) joins the other's session, the
    densest and longest first; what is left stays a session of its own."""
    order = sorted(drills, key=lambda a: (a["every_days"], a["start_day"],
                                          -_last_day(a)))
    sessions: list[dict] = []
    for drill in order:
        host = next((s for s in sessions if _within(drill, s)), None)
        if host is None:
            sessions.append(dict(drill, learners=list(drill["learners"]),
                                 classes=list(drill["classes"])))
            continue
        host["learners"] = list(dict.fromkeys(host["learners"] + drill["learners"]))
        host["classes"] = list(dict.fromkeys(host["classes"] + drill["classes"]))
    return sessions


def _last_day(drill: dict) -> float:
    end = drill.get("end_day")
    return float("inf") if end is None else float(end)


def _within(drill: dict, host: dict) -> bool:
    """Every day `drill` is held is a day `host` is held."""
    offset = drill["start_day"] - host["start_day"]
    return (drill["every_days"] % host["every_days"] == 0 and offset >= 0
            and offset % host["every_days"] == 0 and _last_day(drill) <= _last_day(host))


def planned_hero_hours(plan: Plan, scenario: Scenario, weeks: int) -> float:
    """What `plan` will cost the heroes over `weeks`, before it runs: each action's stated
    hours per occurrence (drills on each of their days), and an estimate of live backup and
    pairing time (the class's rate x the days in force x the backup share, or the pairing
    overhead's share, of its median work time). The search uses it to skip prunings that
    cannot save much; the check measures the real figure."""
    learning = scenario.learning
    days = weeks * 7
    total = 0.0
    for action in plan.actions:
        start = action.start_day
        end = min(days, action.end_day + 1 if action.end_day is not None else days)
        if start >= end:
            continue
        hero, _ = costs(action)
        if action.kind == "drill":
            total += hero * len(range(start, end, action.every_days))
            continue
        total += hero
        share = {"lead_with_backup": learning.backup_share,
                 "pair": learning.pairing_overhead / (1 + learning.pairing_overhead)
                 }.get(action.kind)
        if share is not None:
            for class_id in action.classes:
                cls = scenario.incident_class(class_id)
                total += cls.rate_per_week * (end - start) / 7 * share \
                    * cls.work_minutes.median / 60
    return total
