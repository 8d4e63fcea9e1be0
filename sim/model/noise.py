"""Alert noise: false pages that walk the policy until acknowledged and cost triage minutes."""

from __future__ import annotations

import math
from collections.abc import Generator, Iterator

import numpy as np

from sim.model.arrivals import DRAWS_PER_INCIDENT, poisson_times
from sim.model.context import TeamContext
from sim.model.events import class_start
from sim.model.paging import Paging
from sim.model.records import InterruptionKind, WorkSpan
from sim.schema import Role


class Noise:
    """False pages, sampled at the run's noisiest level and thinned to the level in force."""

    def __init__(self, ctx: TeamContext, paging: Paging, rng: np.random.Generator):
        self.ctx = ctx
        self.paging = paging
        self.rng = rng

    def false_alarms(self) -> Generator:
        """The run's false pages, each triaged by whoever acknowledges it (a SimPy process)."""
        ctx = self.ctx
        env = ctx.env
        # Sampled at the noisiest level the run may see (the starting one; plans only lower
        # it) and thinned to the level in force, so a fix removes pages without moving others.
        ceiling = ctx.state.alert_noise
        if ceiling <= 0:
            return
        times, classes = poisson_times(
            self.rng,
            [(c.rate_per_week * ceiling, c.weekly_profile) for c in ctx.scenario.classes],
            ctx.days,
        )
        uniforms = self.rng.random((len(times), DRAWS_PER_INCIDENT)).tolist()
        starts = [class_start(ctx.scenario, c.id) for c in ctx.scenario.classes]
        for t, k, draws in zip(times.tolist(), classes.tolist(), uniforms):
            if t < starts[k]:
                continue  # the class has not appeared yet: neither have its false alarms
            if t > env.now:
                yield env.timeout(t - env.now)
            if draws[-1] * ceiling < ctx.state.alert_noise:
                self.triage(t, iter(draws))

    def triage(self, at: float, draws: Iterator[float], position: int = 0) -> None:
        """A false page walks the policy from `position` until acknowledged, then costs triage
        minutes. `draws` is an iterator over the page's uniforms."""
        ctx = self.ctx
        paging = self.paging
        now = ctx.env.now
        while position < paging.positions:
            targets = paging.targets(position, at, exclude=())
            timeout = paging.timeout(position)
            best, delay = None, math.inf
            for person in targets:
                if not ctx.calendar.reachable(person, now):
                    continue
                ctx.interrupt(person, InterruptionKind.NOISE, None, now)
                d = ctx.ack_delay(person, now, next(draws, 0.5))
                if d < delay:
                    best, delay = person, d
            if best is not None and delay <= timeout:
                ctx.after(delay, self._triaged, best)
                return
            if targets:
                ctx.after(timeout, self._triage_next, (at, draws, position + 1))
                return
            position += 1

    def _triage_next(self, event) -> None:
        self.triage(*event.value)

    def _triaged(self, event) -> None:
        start = self.ctx.env.now
        self.ctx.records.work.append(
            WorkSpan(event.value, start, start + self.ctx.behaviour.triage_minutes, None,
                     Role.ACKNOWLEDGED))
