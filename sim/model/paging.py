"""Paging and acknowledgement: the escalation policy walks its levels until someone answers.

A new incident pages the primary (with routing ambiguity, a wrong person first, who bounces
it); nobody answering within a level's timeout is a timeout escalation to the next level. With a
pool rotation the first free member takes the oldest waiting incident. Whoever answers hands the
incident to the response stage (`stages.Responding`); when the policy is exhausted, so does the
fallback.
"""

from __future__ import annotations

import math
from functools import partial

from sim.model.context import TeamContext
from sim.model.incident import Incident
from sim.model.records import InterruptionKind
from sim.model.slots import Waiting
from sim.model.stages import Responding
from sim.schema import EscalationKind, LevelTarget, Role


class Paging:
    """Pages the escalation policy's positions (its levels, repeated for each loop)."""

    def __init__(self, ctx: TeamContext, response: Responding):
        self.ctx = ctx
        self.response = response
        scenario = ctx.scenario
        self.policy = scenario.policy
        # The policy as (target, people paged when it names them or the whole team).
        self.levels = [
            (level.target, level.people if level.target is LevelTarget.PEOPLE else ctx.people)
            for level in self.policy.levels
        ]
        self.level_count = len(self.levels)
        # Policy positions: the levels, repeated for each loop.
        self.positions = self.level_count * (self.policy.loops + 1)
        self.pooled = scenario.rotation.pool
        self._pool_key: tuple[int, object] = (-1, None)
        self._pool_reachable: tuple[str, ...] = ()

    # -- a new incident ---------------------------------------------------------------------

    def route(self, inc: Incident) -> None:
        """A new incident is paged; with routing ambiguity, the page may land wrong first."""
        if inc.draw() < self.ctx.state.routing_for(inc.cls.id):
            self._misroute(inc)
        elif self.pooled:
            self._page_pool(inc)
        else:
            self.find(inc, 0)

    def find(self, inc: Incident, level: int, targets: list[str] | None = None) -> None:
        """Page policy position `level` (the pool at position 0 of a pool rotation); `targets`
        are whom it pages now, when already known."""
        if level == 0 and self.pooled:
            self._page_pool(inc)
            return
        if level >= self.positions:
            self.response.fall_back(inc)
            return
        targets, best, delay = self._page_level(inc, level, targets)
        timeout = self.timeout(level)
        if best is not None and delay <= timeout:
            if delay > 0:
                self.ctx.after(delay, self._answered, (inc, best, level))
            else:
                inc.acknowledge(best, self.ctx.env.now)
                self.response.size_up(inc, best, level, False)
        elif targets:
            self.ctx.after(timeout, self._timed_out, (inc, level, targets[0]))
        else:
            self._move_on(inc, level, None)

    def _answered(self, event) -> None:
        inc, person, level = event.value
        inc.acknowledge(person, self.ctx.env.now)
        self.response.size_up(inc, person, level, False)

    def _timed_out(self, event) -> None:
        self._move_on(*event.value)

    def _move_on(self, inc: Incident, level: int, paged: str | None) -> None:
        """Nobody answered position `level` (whose first target was `paged`, if anybody):
        the policy moves on to the next position that pages somebody not yet tried."""
        level, targets = self.next_level(inc, level + 1)
        if paged is not None and targets:
            inc.escalate(EscalationKind.TIMEOUT, paged, targets, self.ctx.env.now)
        self.find(inc, level, targets)

    def hand_on(self, inc: Incident, level: int,
                kind: EscalationKind = EscalationKind.MANUAL) -> None:
        """The last person involved hands the incident to the next policy position, which is
        paged (MANUAL: they asked for help; BUSY: they were busy with other incidents)."""
        level, targets = self.next_level(inc, level + 1)
        if targets:
            inc.escalate(kind, inc.involved[-1][0], targets, self.ctx.env.now)
        self.find(inc, level, targets)

    # -- the pool ---------------------------------------------------------------------------

    def _page_pool(self, inc: Incident) -> None:
        """The pool: a free member takes the incident at once; else it waits, in its place in
        the queue, for the first member able to take it (`sim.model.slots`). With nobody in the
        pool reachable, the policy moves on."""
        ctx = self.ctx
        members = self._pool_candidates(inc)
        if not members:
            self.find(inc, 1)
            return
        person = ctx.slots.take_any(members)
        if person is not None:
            self._page_member(inc, person)
            return
        if inc.queue_seq == 0:
            inc.queue_seq = ctx.slots.next_seq()
        ctx.slots.wait(Waiting(inc.queue_seq, partial(self._pool_eligible, inc),
                               partial(self._page_member, inc), inc))

    def _pool_eligible(self, inc: Incident, person: str) -> bool:
        """Whether `person`, free now, may take `inc` from the pool's queue."""
        calendar = self.ctx.calendar
        now = self.ctx.env.now
        return (person not in inc.tried and person in calendar.pool_members(now)
                and calendar.reachable(person, now))

    def _page_member(self, inc: Incident, person: str) -> None:
        """Page the pool member who holds a slot for the incident."""
        now = self.ctx.env.now
        delay = self.page(inc, person, now)
        if delay > 0:
            self.ctx.after(delay, self._member_answered, (inc, person))
        else:
            inc.acknowledge(person, now)
            self.response.size_up(inc, person, 0, True)

    def _member_answered(self, event) -> None:
        inc, person = event.value
        ctx = self.ctx
        if not ctx.calendar.available(person, ctx.env.now):
            # They went away or off duty before they answered: no answer. The incident goes
            # back to its place in the queue.
            inc.tried.add(person)
            ctx.slots.release(person)
            self._page_pool(inc)
        else:
            inc.acknowledge(person, ctx.env.now)
            self.response.size_up(inc, person, 0, True)

    def _pool_candidates(self, inc: Incident) -> tuple[str, ...]:
        """Pool rotation: the members in force who are reachable and have not tried yet."""
        now = self.ctx.env.now
        calendar = self.ctx.calendar
        # Reachability changes per quarter hour at most: reuse it within one.
        b = calendar.bin(now)
        layers = calendar.schedules["primary"]
        key = self._pool_key
        if key[0] != b or key[1] is not layers:
            reachable = calendar.reachable
            self._pool_key = (b, layers)
            self._pool_reachable = tuple(p for p in calendar.pool_members(now)
                                         if reachable(p, now))
        members = self._pool_reachable
        tried = inc.tried
        return tuple(p for p in members if p not in tried) if tried else members

    # -- a policy level ---------------------------------------------------------------------

    def targets(self, level: int, t: float, exclude) -> list[str]:
        """Who policy position `level` pages at `t`, leaving out `exclude`."""
        target, named = self.levels[level % self.level_count]
        cal = self.ctx.calendar
        if target is LevelTarget.SECONDARY or target is LevelTarget.PRIMARY and not self.pooled:
            person = cal.on_call(target.value, t)
            return [] if person is None or person in exclude else [person]
        if target is LevelTarget.PRIMARY:
            people = list(cal.pool_members(t))
        else:
            # Named people and the whole team: a planned absence takes the person off the
            # policy (as an override does on a rotation); a sick day does not.
            day = cal.day(t)
            planned = cal.planned
            people = [p for p in named if not planned[p][day]]
        if not exclude:
            return [p for p in people if p is not None]
        return [p for p in people if p is not None and p not in exclude]

    def timeout(self, level: int) -> float:
        """The acknowledgement timeout of policy position `level`, in minutes."""
        return self.policy.levels[level % self.level_count].timeout_minutes

    def _page_level(self, inc: Incident, level: int, targets: list[str] | None = None
                    ) -> tuple[list[str], str | None, float]:
        """Page policy position `level` now: (its targets, who answers first, after how long)."""
        now = self.ctx.env.now
        if targets is None:
            targets = self.targets(level, now, exclude=inc.tried)
        best, delay = None, math.inf
        calendar = self.ctx.calendar
        for person in targets:
            if not calendar.reachable(person, now):
                continue
            d = self.page(inc, person, now)
            # Somebody who goes away or off duty before they would answer does not answer.
            if d < delay and calendar.available(person, now + d):
                best, delay = person, d
        if level == 0 and best is not None:
            self._page_shadow(inc, now)
        return targets, best, delay

    def next_level(self, inc: Incident, level: int) -> tuple[int, list[str]]:
        """The first policy position from `level` on that pages somebody not yet tried, and
        whom it pages (nobody when the policy is exhausted)."""
        now = self.ctx.env.now
        while level < self.positions:
            targets = self.targets(level, now, inc.tried)
            if targets:
                return level, targets
            level += 1
        return level, []

    def page(self, inc: Incident, person: str, now: float) -> float:
        """Page `person` at `now` (an interruption); return how long they take to acknowledge."""
        self.ctx.interrupt(person, InterruptionKind.PAGE, inc, now)
        return self.ctx.ack_delay(person, now, inc.draw())

    def _page_shadow(self, inc: Incident, now: float) -> None:
        calendar = self.ctx.calendar
        shadow = calendar.on_call("shadow", now)
        if shadow is not None and shadow not in inc.tried and calendar.reachable(shadow, now):
            self.ctx.interrupt(shadow, InterruptionKind.PAGE, inc, now)
            inc.involved.append((shadow, Role.SHADOW))
            inc.shadowed = True

    # -- routing ambiguity ------------------------------------------------------------------

    def _misroute(self, inc: Incident) -> None:
        """Routing ambiguity: the page lands on a wrong person, who bounces it."""
        ctx = self.ctx
        now = ctx.env.now
        right = self.targets(0, now, exclude=())
        wrong = [p for p in ctx.people if p not in right]
        if not wrong:
            self.find(inc, 0)
            return
        person = wrong[int(inc.draw() * len(wrong)) % len(wrong)]
        timeout = self.timeout(0)
        answered, wait = None, timeout
        if ctx.calendar.reachable(person, now):
            ctx.interrupt(person, InterruptionKind.PAGE, inc, now)
            delay = min(timeout, ctx.ack_delay(person, now, inc.draw()))
            if delay < timeout:
                # They answer, see it is not theirs, and bounce it.
                answered, wait = now + delay, delay + ctx.behaviour.reroute_minutes
        ctx.after(wait, self._rerouted, (inc, person, answered, right[0] if right else None))

    def _rerouted(self, event) -> None:
        inc, person, answered, right = event.value
        if answered is not None:
            if inc.acknowledged is None:
                inc.acknowledged, inc.acknowledged_by = answered, person
            inc.involved.append((person, Role.MISROUTED))
        inc.hand_to(EscalationKind.REROUTE, person, right, self.ctx.env.now)
        self.find(inc, 0)
