"""The work: the lead works the incident to mitigation, and what it is recorded as.

Work time is the expert time (the incident's own draw) stretched by the lead's knowledge gap
and the observability factor, shortened by runbook coverage, and stretched again when they
struggle. A hero backing a learner up spends part of it; a learner pairing with the hero spends
all of it beside them. Practice moves skills when the run learns.
"""

from __future__ import annotations

import math

from sim.model.arrivals import LN2, SQRT2
from sim.model.context import TeamContext
from sim.model.incident import Incident
from sim.model.records import IncidentRecord, InterruptionKind, WorkSpan
from sim.schema import PracticeKind, Role, WorkDistribution

_new = tuple.__new__  # see sim/model/incident.py


class WorkPlan:
    """How a lead will work one incident, decided when they start."""

    __slots__ = ("start", "minutes", "practice", "backup", "learner", "struggled")

    def __init__(self, start: float, minutes: float, practice: PracticeKind,
                 backup: str | None, learner: str | None, struggled: bool):
        self.start = start
        self.minutes = minutes
        self.practice = practice  # what leading it teaches the lead
        self.backup = backup  # the hero backing a learner up, if a plan says so
        self.learner = learner  # a learner pairing with the hero, if a plan says so
        self.struggled = struggled


class Work:
    """Leading an incident to mitigation, and recording it."""

    def __init__(self, ctx: TeamContext):
        self.ctx = ctx
        classes = ctx.scenario.classes
        self._medians = [c.work_minutes.median for c in classes]
        self._sigma = [c.work_minutes.sigma for c in classes]
        self._exponential = [
            c.work_minutes.distribution is WorkDistribution.EXPONENTIAL for c in classes
        ]

    def lead(self, inc: Incident, person: str, level: int = 0, struggled: bool = False) -> None:
        """`person` holds a slot and works the incident to mitigation (`level`: where it
        stands on the policy, which no longer matters once someone leads; `struggled`: they
        are not capable, and slow)."""
        plan = self.begin(inc, person, struggled)
        self.ctx.after(plan.minutes, self._mitigated, (inc, person, plan))

    def _mitigated(self, event) -> None:
        self.end(*event.value)

    def begin(self, inc: Incident, lead: str, struggled: bool) -> WorkPlan:
        """How long `lead` will take, and who joins them."""
        ctx = self.ctx
        start = ctx.env.now
        cls = inc.cls
        state = ctx.state
        knowledge = ctx.skills.get(lead, cls.id, start)[0]
        duration = self.expert_minutes(inc.arrival.class_index, inc.arrival.work_z)
        if state.runbooks.any:
            knowledge = state.runbooks.knowledge(knowledge, cls.id, start)
            duration *= state.runbooks.work_factor(cls.id, start)
        duration *= (1.0 + ctx.behaviour.knowledge_slowdown * (1.0 - knowledge)) \
            * state.observability
        if struggled:
            duration *= ctx.behaviour.struggle_factor
        practice = PracticeKind.CONSULTED if inc.consulted else PracticeKind.LEAD
        learner = None
        backup = inc.backup if inc.backup not in (None, lead) else None
        if backup is not None:
            practice = PracticeKind.LEAD_WITH_BACKUP
        elif (state.pairing and lead in ctx.hero_set and state.pairing.get(cls.id)
              and ctx.budget_left(lead, start) > 0):
            learner = self._pair_learner(inc, lead, start)
            if learner is not None:
                duration *= 1.0 + ctx.scenario.learning.pairing_overhead
        return WorkPlan(start, duration, practice, backup, learner, struggled)

    def end(self, inc: Incident, lead: str, plan: WorkPlan) -> None:
        """The incident is mitigated: free the slot, record the work and the practice."""
        ctx = self.ctx
        start = plan.start
        incident_id = inc.arrival.incident_id
        end = ctx.env.now
        class_id = inc.cls.id
        work = ctx.records.work
        work.append(_new(WorkSpan, (lead, start, end, incident_id, Role.LED)))
        inc.involved.append((lead, Role.LED))
        if ctx.learn:
            ctx.practise(lead, class_id, plan.practice, end)
        backup = plan.backup
        if backup is not None:
            share = ctx.scenario.learning.backup_share
            work.append(
                WorkSpan(backup, start, start + share * plan.minutes, incident_id, Role.BACKUP))
            inc.involved.append((backup, Role.BACKUP))
            ctx.spend(backup, start, share * plan.minutes / 60.0)
        learner = plan.learner
        if learner is not None:
            work.append(WorkSpan(learner, start, end, incident_id, Role.PAIRED))
            inc.involved.append((learner, Role.PAIRED))
            ctx.practise(learner, class_id, PracticeKind.PAIR, end)
            # Pairing spends transfer time: the learner's whole time, the hero's overhead.
            overhead = ctx.scenario.learning.pairing_overhead
            ctx.spend(learner, start, plan.minutes / 60.0)
            ctx.spend(lead, start, plan.minutes / 60.0 * overhead / (1.0 + overhead))
        self.record(inc, lead, start, plan.struggled)
        # Last: whoever waited for this slot starts now, seeing this incident's practice.
        ctx.slots.release(lead)

    def _pair_learner(self, inc: Incident, hero: str, now: float) -> str | None:
        """The first learner of the pairing plan who is reachable joins the hero."""
        ctx = self.ctx
        for learner in ctx.state.pairing[inc.cls.id]:
            if (learner != hero and ctx.calendar.reachable(learner, now)
                    and ctx.budget_left(learner, now) > 0):
                ctx.interrupt(learner, InterruptionKind.PAGE, inc, now)
                return learner
        return None

    def record(self, inc: Incident, lead: str | None, started: float, struggled: bool) -> None:
        """The incident's record, at its end now (mitigated by `lead`)."""
        self._record(inc, lead, started, struggled, self.ctx.env.now)

    def record_unresolved(self, inc: Incident) -> None:
        """Nobody could take the incident before the calendar ran out: it is recorded as never
        mitigated (lead None, struggled), its time counted to the horizon."""
        end = max(self.ctx.env.now, float(self.ctx.horizon))
        self._record(inc, None, end, True, end)

    def _record(self, inc: Incident, lead: str | None, started: float, struggled: bool,
                now: float) -> None:
        ctx = self.ctx
        arrival = inc.arrival
        cls = inc.cls
        if inc.acknowledged is None:
            inc.acknowledged = started if lead is not None else now
            inc.acknowledged_by = lead
        hero_involved = not ctx.hero_set.isdisjoint(inc.touched)
        for person, role in inc.involved if inc.shadowed else ():
            if role is Role.SHADOW:
                ctx.records.work.append(
                    WorkSpan(person, started, now, arrival.incident_id, Role.SHADOW)
                )
                ctx.practise(person, cls.id, PracticeKind.SHADOW, now)
        ctx.records.incidents.append(_new(IncidentRecord, (
            arrival.incident_id, cls.id, cls.service, cls.severity, arrival.at,
            inc.acknowledged, started, now, inc.acknowledged_by, lead, tuple(inc.involved),
            tuple(inc.escalations), hero_involved, inc.hero_hour_class, cls.slo_minutes,
            struggled,
        )))

    def expert_minutes(self, class_index: int, z: float) -> float:
        """An expert's work time for the class, from the incident's standard normal draw."""
        median = self._medians[class_index]
        if self._exponential[class_index]:
            # The same draw mapped through its normal tail probability: still one stream.
            tail = 0.5 * math.erfc(z / SQRT2)
            return -median / LN2 * math.log(tail) if tail > 0 else 0.0
        return median * math.exp(self._sigma[class_index] * z)
