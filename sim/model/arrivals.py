"""Real incidents as sampled before a run: when they arrive, their class, how hard their work is.

Arrival times and expert work times are drawn up front from their own streams (sim/model/rng.py)
and never depend on who is present, so a hero-present and a hero-absent replay of a replication
see the same incidents (common random numbers). Each incident also gets a row of decision draws
(`DRAWS_PER_INCIDENT`) that it consumes in order as it is worked.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from sim.model.events import class_start
from sim.model.rng import Purpose, stream
from sim.schema import MINUTES_PER_DAY, MINUTES_PER_WEEK, Scenario

# Decision draws kept per incident: the common paths use fewer; rare long escalation chains
# continue on a shared stream (EXTRA).
DRAWS_PER_INCIDENT = 8
LN2 = math.log(2.0)
SQRT2 = math.sqrt(2.0)


class Arrival(NamedTuple):
    """A real incident as sampled before the run: when, which class, how hard its work is."""

    incident_id: int
    at: float
    class_index: int
    work_z: float  # standard normal draw for the expert work time


def sample_arrivals(scenario: Scenario, days: int, seed: int, replication: int) -> list[Arrival]:
    """Every real incident of a replication, in arrival order (non-homogeneous Poisson)."""
    rng = stream(seed, replication, Purpose.ARRIVALS)
    times, classes = poisson_times(
        rng, [(c.rate_per_week, c.weekly_profile) for c in scenario.classes], days
    )
    work_z = stream(seed, replication, Purpose.WORK).standard_normal(len(times))
    if scenario.events:
        # A class that appears later has no incidents before it does; the draws stay those of
        # the replication (common random numbers), only filtered.
        starts = np.array([class_start(scenario, c.id) for c in scenario.classes])
        keep = times >= starts[classes] if classes.size else np.ones(0, dtype=bool)
        times, classes, work_z = times[keep], classes[keep], work_z[keep]
    return list(map(Arrival._make, zip(range(len(times)), times.tolist(), classes.tolist(),
                                       work_z.tolist())))


def poisson_times(rng: np.random.Generator, rates, days: int):
    """Arrival times and source index of independent Poisson processes, merged and sorted.

    `rates` holds (events per week, optional 168 hourly weights) per source. A weekly profile
    makes the process piecewise constant per hour with the same weekly mean.
    """
    horizon = days * MINUTES_PER_DAY
    hours = days * 24
    all_times, all_sources = [], []
    for index, (per_week, profile) in enumerate(rates):
        if per_week <= 0:
            continue
        if profile is None:
            n = rng.poisson(per_week * horizon / MINUTES_PER_WEEK)
            times = rng.uniform(0.0, horizon, n)
        else:
            weights = np.asarray(profile, dtype=float)
            hourly = per_week * weights / weights.sum()
            counts = rng.poisson(np.resize(hourly, hours))
            start = np.repeat(np.arange(hours) * 60.0, counts)
            times = start + rng.uniform(0.0, 60.0, start.size)
        all_times.append(times)
        all_sources.append(np.full(times.size, index))
    if not all_times:
        return np.empty(0), np.empty(0, dtype=int)
    times = np.concatenate(all_times)
    sources = np.concatenate(all_sources)
    order = np.argsort(times, kind="stable")
    return times[order], sources[order]
