"""The response: whoever acknowledged sizes the incident up, and leads it or hands it on.

Whether they *can* fix it alone depends on knowledge against difficulty; whether they *will*
lead on confidence. A capable but unconfident responder, or one without the access the fix
`requires`, hesitates a few minutes and hands on; one who cannot fix it tries, holding a slot,
until stuck. Handing on goes to a hero backing a learner up (a transfer plan), a hero pulled in
informally, someone with the access, or the next policy level (paging). When the policy is
exhausted the best person present works it, slowly if even they are not capable (struggled).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from sim.model.context import TeamContext
from sim.model.incident import Incident
from sim.model.paging import Paging
from sim.model.records import InterruptionKind, WorkSpan
from sim.model.skills import ramp
from sim.model.slots import Waiting
from sim.model.work import Work
from sim.schema import EscalationKind, Role


class Response:
    """Sizing up and handing on; the stage between an acknowledgement and the work."""

    def __init__(self, ctx: TeamContext, work: Work):
        self.ctx = ctx
        self.work = work
        self.paging: Paging | None = None  # set by the model once paging is built

    def _pager(self) -> Paging:
        paging = self.paging
        assert paging is not None, "the model wires paging before the run"
        return paging

    # -- sizing up --------------------------------------------------------------------------

    def size_up(self, inc: Incident, person: str, level: int, holding: bool) -> None:
        """`person` acknowledged at position `level`: they lead, or they hand on.

        Sizing up takes one of their slots (a pool member already `holding` one has it). When
        all are taken by other incidents they hand it on along the policy at once (a BUSY
        hand-off) rather than queue it behind their own work.
        """
        if not holding and not self.ctx.slots.take(person):
            inc.involved.append((person, Role.ACKNOWLEDGED))
            self._pager().hand_on(inc, level, EscalationKind.BUSY)
            return
        access, can_fix, will_lead = self._decide(inc, person)
        if can_fix and will_lead:
            self.work.lead(inc, person, level)
        else:
            self._hand_off(inc, person, level, access, can_fix)

    def _decide(self, inc: Incident, person: str) -> tuple[bool, bool, bool]:
        """Size the incident up: (has the access, can fix it, will lead it).

        Knowledge against difficulty decides whether they can; confidence whether they will. A
        learner covered by a lead-with-backup plan leads with a hero backing them up, which
        stands in for the confidence they lack.
        """
        ctx = self.ctx
        cls = inc.cls
        now = ctx.env.now
        inc.tried.add(person)
        knowledge, confidence = ctx.skills.get(person, cls.id, now)
        state = ctx.state
        if state.runbooks.any:
            knowledge = state.runbooks.knowledge(knowledge, cls.id, now)
        width = ctx.behaviour.skill_sharpness
        requires = state.requires[cls.id]
        access = not requires or person in requires
        can_draw, lead_draw = inc.draw(), inc.draw()
        # u < ramp(margin, width) for a uniform u in [0, 1) is u < 0.5 + margin / width: the
        # clamps of the ramp change nothing.
        capable = can_draw < 0.5 + (knowledge - cls.difficulty) / width
        will_lead = lead_draw < 0.5 + (confidence - cls.difficulty) / width
        if state.backup and inc.backup is None and person in state.backup.get(cls.id, ()):
            hero = self._backup_hero(inc, person, now)
            if hero is not None:
                inc.backup = hero
                will_lead = True
        return access, access and capable, will_lead

    # -- handing on -------------------------------------------------------------------------

    def _hand_off(self, inc: Incident, person: str, level: int, access: bool,
                  can_fix: bool) -> None:
        """`person` will not lead: they doubt, or try until stuck, then hand on."""
        if can_fix or not access:
            # Capable but unconfident, or the fix needs someone else's access: a few minutes
            # of doubt or of checking, then ask for help.
            self.ctx.after(inc.exponential(self.ctx.behaviour.hesitation_minutes),
                           self._doubted, (inc, person, level, can_fix))
        else:
            self._try(inc, person, level)

    def _doubted(self, event) -> None:
        inc, person, level, can_fix = event.value
        if can_fix and self._consult(inc, person, level):
            return
        self.ctx.slots.release(person)
        self._handed_on(inc, person, level, Role.ACKNOWLEDGED)

    def _consult(self, inc: Incident, person: str, level: int) -> bool:
        """A capable but hesitant responder may ask a hero for advice and keep the lead (a
        consult): the hero is interrupted and spends a few minutes; the responder leads once
        answered. False when they do not ask (or no hero will answer)."""
        ctx = self.ctx
        state = ctx.state
        if (state.consult <= 0 or person in ctx.hero_set
                or not state.pulls_allowed(inc.cls.id) or inc.draw() >= state.consult):
            return False
        now = ctx.env.now
        heroes = [h for h in ctx.heroes if h != person and ctx.calendar.reachable(h, now)]
        if not heroes:
            return False
        hero = ctx.most_knowledgeable(heroes, inc.cls, now)
        ctx.interrupt(hero, InterruptionKind.CONSULT, inc, now)
        answer = ctx.ack_delay(hero, now, inc.draw())
        if not ctx.calendar.available(hero, now + answer):
            return False  # they go away before they would read it
        minutes = ctx.behaviour.consult_minutes
        ctx.after(answer + minutes, self._consulted, (inc, person, level, hero, now + answer))
        return True

    def _consulted(self, event) -> None:
        inc, person, level, hero, answered = event.value
        ctx = self.ctx
        ctx.records.work.append(WorkSpan(hero, answered, answered + ctx.behaviour.consult_minutes,
                                         inc.arrival.incident_id, Role.CONSULT))
        inc.involved.append((hero, Role.CONSULT))
        inc.consulted = True
        self.work.lead(inc, person, level)  # they still hold the slot they sized it up in

    def _try(self, inc: Incident, person: str, level: int) -> None:
        """Not capable: `person` tries, holding a slot, until stuck."""
        ctx = self.ctx
        ctx.after(inc.exponential(ctx.behaviour.stuck_minutes) * ctx.state.observability,
                  self._stuck, (inc, person, level, ctx.env.now))

    def _stuck(self, event) -> None:
        inc, person, level, start = event.value
        self.ctx.records.work.append(
            WorkSpan(person, start, self.ctx.env.now, inc.arrival.incident_id, Role.STUCK))
        self.ctx.slots.release(person)
        self._handed_on(inc, person, level, Role.STUCK)

    def _handed_on(self, inc: Incident, person: str, level: int, role: Role) -> None:
        """`person` hands on: to a hero backing them up, a hero pulled in informally, someone
        with the access, or the next policy level."""
        ctx = self.ctx
        state = ctx.state
        inc.involved.append((person, role))
        wants_hero = (
            ctx.heroes
            and person not in ctx.heroes
            and inc.draw() < state.informal_pull
            and state.pulls_allowed(inc.cls.id)
        )
        if inc.backup is not None and inc.backup not in inc.tried:
            # The hero backing the learner up takes over: already engaged, no paging.
            hero = inc.backup
            inc.hand_to(EscalationKind.DIRECT, person, hero, ctx.env.now)
            inc.tried.add(hero)
            self.size_up(inc, hero, level, False)
        elif wants_hero and self._pull_hero(inc, person, level):
            return
        else:
            requires = state.requires[inc.cls.id]
            if requires and person not in requires:
                self._required(inc, person, level)
            else:
                self._pager().hand_on(inc, level)

    def _backup_hero(self, inc: Incident, learner: str, now: float) -> str | None:
        """The hero who backs `learner` up, interrupted for it; None when none is reachable."""
        ctx = self.ctx
        heroes = [h for h in ctx.heroes if h != learner and ctx.calendar.reachable(h, now)
                  and ctx.budget_left(h, now) > 0]
        if not heroes:
            return None
        hero = ctx.most_knowledgeable(heroes, inc.cls, now)
        ctx.interrupt(hero, InterruptionKind.BACKUP, inc, now)
        return hero

    def _pull_hero(self, inc: Incident, lead_from: str, level: int) -> bool:
        """A hesitant responder messages a hero directly; False when no hero will answer."""
        ctx = self.ctx
        now = ctx.env.now
        reachable = [
            h for h in ctx.heroes
            if h not in inc.tried and ctx.calendar.reachable(h, now)
        ]
        if not reachable:
            return False
        hero = ctx.most_knowledgeable(reachable, inc.cls, now)
        ctx.interrupt(hero, InterruptionKind.PULL, inc, now)
        delay = ctx.ack_delay(hero, now, inc.draw())
        if ctx.calendar.absent(hero, now + delay):
            return False  # their absence begins before they would read the message
        inc.hand_to(EscalationKind.INFORMAL, lead_from, hero, now)
        if delay > 0:
            ctx.after(delay, self._pull_answered, (inc, hero, level))
        else:
            inc.acknowledge(hero, now)
            self.size_up(inc, hero, level, False)
        return True

    def _pull_answered(self, event) -> None:
        inc, hero, level = event.value
        inc.acknowledge(hero, self.ctx.env.now)
        self.size_up(inc, hero, level, False)

    # -- access, and the fallback: waiting for the first able person ------------------------

    def _required(self, inc: Incident, handed_by: str, level: int) -> None:
        """The fix needs someone's access: one of those who have it and have not tried is paged
        directly, the first able to take it (waiting while all are busy or away); when only
        people who already tried are there, or none will be, the policy moves on."""
        ctx = self.ctx
        now = ctx.env.now
        calendar = ctx.calendar
        required = ctx.state.requires[inc.cls.id]
        untried = [p for p in required if p not in inc.tried]
        here = [p for p in untried if calendar.available(p, now)]
        if not here and (any(calendar.available(p, now) for p in required)
                         or not any(calendar.available_again(p, now) for p in untried)):
            self._pager().hand_on(inc, level)
            return
        give = partial(self._page_required, inc, handed_by, level)
        free = [p for p in here if ctx.slots.free[p] > 0]
        if free:
            person = ctx.most_knowledgeable(free, inc.cls, now)
            ctx.slots.take(person)
            give(person)
            return
        self._queue(inc, partial(self._may_take_required, inc, tuple(untried)), give)

    def _may_take_required(self, inc: Incident, untried: tuple[str, ...], person: str) -> bool:
        return person in untried and self.ctx.calendar.available(person, self.ctx.env.now)

    def _page_required(self, inc: Incident, handed_by: str, level: int, person: str) -> None:
        """`person` (holding a slot) has the access: they are paged directly."""
        ctx = self.ctx
        now = ctx.env.now
        inc.hand_to(EscalationKind.DIRECT, handed_by, person, now)
        ctx.interrupt(person, InterruptionKind.PAGE, inc, now)
        ctx.after(ctx.ack_delay(person, now, inc.draw()), self._required_answered,
                  (inc, handed_by, level, person))

    def _required_answered(self, event) -> None:
        inc, handed_by, level, person = event.value
        ctx = self.ctx
        if not ctx.calendar.available(person, ctx.env.now):
            # Gone away or off duty before they answered: the slot goes back, and the
            # incident to its place in the queue.
            ctx.slots.release(person)
            untried = tuple(p for p in ctx.state.requires[inc.cls.id] if p not in inc.tried)
            self._queue(inc, partial(self._may_take_required, inc, untried),
                        partial(self._page_required, inc, handed_by, level))
            return
        inc.acknowledge(person, ctx.env.now)
        inc.tried.add(person)
        self.work.lead(inc, person, level, self._struggles(inc, person))

    def fall_back(self, inc: Incident) -> None:
        """The policy is exhausted: the first able person who can work it takes it.

        Able means available and with a free slot. Someone who can fix it is preferred: while
        one is available (busy), the incident waits for them rather than go to someone who
        would struggle. When none is, the most knowledgeable able person works it, slowly
        (struggled). A fix that needs someone's access waits for one of them. When nobody can
        take it before the calendar ends, it stays unresolved (recorded at the horizon).
        """
        ctx = self.ctx
        candidates = tuple(ctx.state.requires[inc.cls.id]) or tuple(ctx.people)
        now = ctx.env.now
        # As `_may_fall_back_to` decides for each free person, with "could anyone available
        # fix it" asked once, not once per person (a 1,000-person team asked it 10^6 times).
        available = [p for p in candidates if ctx.calendar.available(p, now)]
        fixers = any(not self._struggles(inc, p) for p in available)
        free = [p for p in available if ctx.slots.free[p] > 0
                and (not fixers or not self._struggles(inc, p))]
        if free:
            # Only fixers when anyone available can fix it; else everyone free struggles.
            person = ctx.most_knowledgeable(free, inc.cls, now)
            ctx.slots.take(person)
            self._fell_back(inc, person)
            return
        self._queue(inc, partial(self._may_fall_back_to, inc, frozenset(candidates)),
                    partial(self._fell_back, inc))

    def _may_fall_back_to(self, inc: Incident, candidates: frozenset[str], person: str) -> bool:
        """Whether `person`, free now, may take `inc` once the policy is exhausted."""
        ctx = self.ctx
        now = ctx.env.now
        if person not in candidates or not ctx.calendar.available(person, now):
            return False
        if not self._struggles(inc, person):
            return True
        # They would struggle: only when nobody available could fix it.
        return not any(ctx.calendar.available(p, now) and not self._struggles(inc, p)
                       for p in candidates)

    def _fell_back(self, inc: Incident, person: str) -> None:
        ctx = self.ctx
        now = ctx.env.now
        ctx.interrupt(person, InterruptionKind.PAGE, inc, now)
        inc.acknowledge(person, now)
        self.work.lead(inc, person, 0, self._struggles(inc, person))

    def _queue(self, inc: Incident, eligible: Callable[[str], bool],
               give: Callable[[str], None]) -> None:
        """`inc` waits, in its place in the queue, for the first able, eligible person."""
        slots = self.ctx.slots
        if inc.queue_seq == 0:
            inc.queue_seq = slots.next_seq()
        slots.wait(Waiting(inc.queue_seq, eligible, give, inc))

    def _struggles(self, inc: Incident, person: str) -> bool:
        knowledge = self.ctx.effective_knowledge(person, inc.cls, self.ctx.env.now)
        return ramp(knowledge - inc.cls.difficulty, self.ctx.behaviour.skill_sharpness) < 0.5
