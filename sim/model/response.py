"""The response: whoever acknowledged sizes the incident up, and leads it or hands it on.

Whether they *can* fix it alone depends on knowledge against difficulty; whether they *will*
lead on confidence. A capable but unconfident responder, or one without the access the fix
`requires`, hesitates a few minutes and hands on; one who cannot fix it tries, holding a slot,
until stuck. Handing on goes to a hero backing a learner up (a transfer plan), a hero pulled in
informally, someone with the access, or the next policy level (paging). When the policy is
exhausted the best person present works it, slowly if even they are not capable (struggled).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from functools import partial
from typing import TypeVar

from sim.model.context import TeamContext
from sim.model.incident import Incident
from sim.model.paging import Paging
from sim.model.records import InterruptionKind, WorkSpan
from sim.model.skills import ramp
from sim.model.work import Work
from sim.schema import MINUTES_PER_DAY, EscalationKind, Role

_T = TypeVar("_T")
# A SimPy process body: it yields events and returns a value (None for most).
Process = Generator[object, object, _T]


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
        """`person` acknowledged at position `level`: they lead, or they hand on."""
        access, can_fix, will_lead = self._decide(inc, person)
        if not (can_fix and will_lead):
            self._hand_off(inc, person, level, holding, access, can_fix)
        else:
            self._with_slot(inc, person, level, holding, self.work.lead, self._queued_away)

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

    def _with_slot(self, inc: Incident, person: str, level: int, holding: bool,
                   work: Callable, away: Callable) -> None:
        """`work(inc, person, level)` once `person` holds one of their slots: at once when
        already `holding` one or one is free, else when one frees. When their absence began
        while the incident queued behind their other work, the slot goes back and
        `away(inc, person, level)` instead: nobody works while away."""
        if holding or self.ctx.slots.take((person,)) is not None:
            work(inc, person, level)
        else:
            self.ctx.slots.on_free((person,), partial(self._slot_freed, inc, level, work, away))

    def _slot_freed(self, inc: Incident, level: int, work: Callable, away: Callable,
                    person: str) -> None:
        if self.ctx.calendar.absent(person, self.ctx.env.now):
            self.ctx.slots.release(person)
            away(inc, person, level)
        else:
            work(inc, person, level)

    def _queued_away(self, inc: Incident, person: str, level: int) -> None:
        """Gone away before they could lead it: they hand it on along the policy."""
        inc.involved.append((person, Role.ACKNOWLEDGED))
        self._pager().escalate_manually(inc, level)

    # -- handing on -------------------------------------------------------------------------

    def _hand_off(self, inc: Incident, person: str, level: int, holding: bool, access: bool,
                  can_fix: bool) -> None:
        """`person` will not lead: they doubt, or try until stuck, then hand on."""
        if can_fix or not access:
            # Capable but unconfident, or the fix needs someone else's access: a few minutes
            # of doubt or of checking, then ask for help.
            self.ctx.after(inc.exponential(self.ctx.behaviour.hesitation_minutes),
                           self._doubted, (inc, person, level, holding))
        else:
            self._with_slot(inc, person, level, holding, self._try, self._tried_away)

    def _doubted(self, event) -> None:
        inc, person, level, holding = event.value
        if holding:
            self.ctx.slots.release(person)
        self._handed_on(inc, person, level, Role.ACKNOWLEDGED)

    def _tried_away(self, inc: Incident, person: str, level: int) -> None:
        """Gone away before they could try: they pass it on."""
        self._handed_on(inc, person, level, Role.ACKNOWLEDGED)

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
            inc.hand_to(EscalationKind.MANUAL, person, hero, ctx.env.now)
            inc.tried.add(hero)
            self.size_up(inc, hero, level, False)
        elif wants_hero and self._pull_hero(inc, person, level):
            return
        else:
            requires = state.requires[inc.cls.id]
            if requires and person not in requires:
                ctx.env.process(self._required(inc, person, level))
            else:
                self._pager().escalate_manually(inc, level)

    def _backup_hero(self, inc: Incident, learner: str, now: float) -> str | None:
        """The hero who backs `learner` up, interrupted for it; None when none is reachable."""
        ctx = self.ctx
        heroes = [h for h in ctx.heroes if h != learner and ctx.calendar.reachable(h, now)]
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

    # -- access, and the fallback (processes: they wait over an absence calendar) ------------

    def _required(self, inc: Incident, handed_by: str, level: int) -> Process[None]:
        """Someone with the access is paged directly (or, failing that, the policy moves on)."""
        person = yield from self._page_required(inc, handed_by)
        if person is None:
            self._pager().escalate_manually(inc, level)
        else:
            yield from self._work(inc, person, False, struggled=self._struggles(inc, person))

    def _page_required(self, inc: Incident, lead_from: str) -> Process[str | None]:
        """The fix needs someone's access: page one of them directly.

        Waits while nobody with the access is present; when the only ones present have
        already tried, returns None and the policy moves on (to the fallback).
        """
        ctx = self.ctx
        env = ctx.env
        calendar = ctx.calendar
        required = ctx.state.requires[inc.cls.id]
        untried = [p for p in required if p not in inc.tried]
        if not untried:
            return None
        while True:
            now = env.now
            present = [p for p in untried if not calendar.absent(p, now)]
            if present:
                break
            if any(not calendar.absent(p, now) for p in required):
                return None
            back = [b for b in (calendar.present_ever_after(p, now) for p in required)
                    if b is not None]
            if not back or min(back) >= calendar.span * MINUTES_PER_DAY:
                return None
            yield env.timeout(min(back) - now)
        person = ctx.most_knowledgeable(present, inc.cls, env.now)
        inc.hand_to(EscalationKind.MANUAL, lead_from, person, env.now)
        ctx.interrupt(person, InterruptionKind.PAGE, inc, env.now)
        answer = env.now + ctx.ack_delay(person, env.now, inc.draw())
        if calendar.absent(person, answer):
            # Their absence begins before they answer: they take it up when they are back.
            back_at = calendar.present_ever_after(person, answer)
            answer = back_at if back_at is not None else max(answer, ctx.horizon)
        if answer > env.now:
            yield env.timeout(answer - env.now)
        inc.acknowledge(person, env.now)
        inc.tried.add(person)
        return person

    def fall_back(self, inc: Incident) -> Process[None]:
        """The policy is exhausted: the most knowledgeable person present works it.

        Slowly and marked struggled when even they are not capable; when nobody is present for
        the rest of the calendar it stays unresolved until the horizon (lead None).
        """
        ctx = self.ctx
        env = ctx.env
        calendar = ctx.calendar
        # A fix that needs someone's access waits for one of them; anything else takes anyone.
        candidates = list(ctx.state.requires[inc.cls.id]) or ctx.people
        while True:
            present = [p for p in candidates if not calendar.absent(p, env.now)]
            if present:
                best = ctx.most_knowledgeable(present, inc.cls, env.now)
                ctx.interrupt(best, InterruptionKind.PAGE, inc, env.now)
                inc.acknowledge(best, env.now)
                yield from self._work(inc, best, False, struggled=self._struggles(inc, best))
                return
            wake = [w for w in (calendar.present_ever_after(p, env.now) for p in candidates)
                    if w is not None]
            if not wake or min(wake) >= calendar.span * MINUTES_PER_DAY:
                break
            yield env.timeout(min(wake) - env.now)
        end = max(env.now, ctx.horizon)
        if end > env.now:
            yield env.timeout(end - env.now)
        self.work.record(inc, None, env.now, struggled=True)

    def _work(self, inc: Incident, lead: str, holding: bool, struggled: bool) -> Process[None]:
        """`lead` takes a slot (waiting while busy) and works the incident to mitigation.

        When their absence began while they waited, the slot goes back and the fallback takes
        the incident (nobody works while away).
        """
        ctx = self.ctx
        if not holding and ctx.slots.take((lead,)) is None:
            yield ctx.slots.wait((lead,))
            if ctx.calendar.absent(lead, ctx.env.now):
                ctx.slots.release(lead)
                inc.involved.append((lead, Role.ACKNOWLEDGED))
                yield from self.fall_back(inc)
                return
        plan = self.work.begin(inc, lead, struggled)
        yield ctx.env.timeout(plan.minutes)
        self.work.end(inc, lead, plan)

    def _struggles(self, inc: Incident, person: str) -> bool:
        knowledge = self.ctx.effective_knowledge(person, inc.cls, self.ctx.env.now)
        return ramp(knowledge - inc.cls.difficulty, self.ctx.behaviour.skill_sharpness) < 0.5
