"""The live team state: everything a transfer plan can change while a replication runs.

Conditions, `requires`, the classes the hero no longer answers direct messages for, who pairs
and who leads with backup, the change gates, the runbooks and the rotation. The model reads it
at every decision; plan actions (sim/model/plans.py) change it on their dates.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from sim.model.skills import Runbooks
from sim.schema import Scenario, Schedule, members_of


@dataclass
class TeamState:
    """What a transfer plan can change, read by the engine at every decision."""

    alert_noise: float
    routing_ambiguity: float
    observability: float
    informal_pull: float
    consult: float
    requires: dict[str, tuple[str, ...]]
    runbooks: Runbooks
    no_pulls: set[str] = field(default_factory=set)  # classes the hero stops answering DMs for
    no_pulls_all: bool = False
    pairing: dict[str, list[str]] = field(default_factory=dict)  # class -> learners
    backup: dict[str, list[str]] = field(default_factory=dict)  # class -> learners
    schedules: dict[str, list[Schedule] | None] = field(default_factory=dict)
    needs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # service -> change gate
    # Plan actions in force that stack: stop-pull class lists ("*": all), and per condition
    # [value before any fix, (action index, value), ...].
    pull_stops: list[tuple[str, ...]] = field(default_factory=list)
    condition_fixes: dict[str, list] = field(default_factory=dict)
    change_backup: dict[str, list[str]] = field(default_factory=dict)  # service -> learners
    # fix_condition on named targets: service -> change-failure rate (release fragility),
    # class -> routing ambiguity of its pages (ownership; absent: the team-wide value).
    failure_rates: dict[str, float] = field(default_factory=dict)
    class_routing: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> TeamState:
        """The state a scenario starts with, before any plan acts."""
        c = scenario.conditions
        return cls(
            alert_noise=c.alert_noise,
            routing_ambiguity=c.routing_ambiguity,
            observability=c.observability,
            informal_pull=c.informal_pull,
            consult=c.consult,
            requires={k.id: tuple(k.requires) for k in scenario.classes},
            runbooks=Runbooks.from_scenario(scenario),
            needs={v.id: tuple(v.changes.needs) for v in scenario.services if v.changes},
            failure_rates={v.id: v.changes.failure_rate for v in scenario.services
                           if v.changes},
            schedules={
                "primary": scenario.rotation.primary,
                "secondary": scenario.rotation.secondary,
                "shadow": scenario.rotation.shadow,
            },
        )

    def routing_for(self, class_id: str) -> float:
        """The chance a page of `class_id` first lands on the wrong person."""
        return self.class_routing.get(class_id, self.routing_ambiguity)

    def pulls_allowed(self, class_id: str) -> bool:
        """Whether the hero still answers direct messages about `class_id`."""
        return not self.no_pulls_all and class_id not in self.no_pulls

    def frozen(self, t: float) -> TeamState:
        """A copy as the state is at `t`, with runbooks that no longer age.

        Pairing and lead-with-backup are left out: they are ways of practising, not the team's
        state, and a checkpoint replay with them would slow the hero-present arm (pairing
        overhead, learners leading) and so flatter the plan.
        """
        state = copy.copy(self)
        state.requires = dict(self.requires)
        state.no_pulls = set(self.no_pulls)
        state.pull_stops = list(self.pull_stops)
        state.condition_fixes = {k: list(v) for k, v in self.condition_fixes.items()}
        state.pairing = {}
        state.backup = {}
        state.change_backup = {}
        state.needs = dict(self.needs)
        state.failure_rates = dict(self.failure_rates)
        state.class_routing = dict(self.class_routing)
        state.schedules = dict(self.schedules)
        state.runbooks = self.runbooks.frozen(t)
        return state

    def summary(self, t: float) -> dict:
        """The state as plain data, for reports."""
        return {
            "conditions": {
                "alert_noise": self.alert_noise, "routing_ambiguity": self.routing_ambiguity,
                "observability": self.observability, "informal_pull": self.informal_pull,
                "consult": self.consult,
            },
            "ownership": dict(self.class_routing),
            "change_failure_rates": dict(self.failure_rates),
            "requires": {k: list(v) for k, v in self.requires.items() if v},
            "needs": {k: list(v) for k, v in self.needs.items() if v},
            "informal_pulls_stopped": sorted(self.no_pulls) if not self.no_pulls_all else "all",
            "runbooks": self.runbooks.as_dict(t),
            "rotation": {k: members_of(v) or None for k, v in self.schedules.items()},
        }

    def apply_pull_stops(self) -> None:
        """The classes the hero no longer answers direct messages for, from the stop-pull
        actions in force (they stack: one ending does not undo another)."""
        self.no_pulls_all = any(key == ("*",) for key in self.pull_stops)
        self.no_pulls = {c for key in self.pull_stops if key != ("*",) for c in key}
