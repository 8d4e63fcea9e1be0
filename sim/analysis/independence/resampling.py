"""Resampling a check's replications (the bootstrap): intervals of time to independence and
bands of the pooled curves. Resampling keeps each replication whole, so the paired structure
of its hero-present and hero-absent arms (common random numbers) stays intact."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.independence.pooling import CheckData
from sim.analysis.types import Bands, Interval
from sim.model.rng import ANALYSIS, Purpose, stream

BOOTSTRAP_SAMPLES = 200


def interval(values: list[float] | np.ndarray) -> Interval:
    """Mean and 2.5-97.5 percentile range of per-replication values."""
    arr = np.asarray(values, dtype=float)
    return Interval(mean=float(arr.mean()), low=float(np.percentile(arr, 2.5)),
                    high=float(np.percentile(arr, 97.5)))


def resampling_weights(seed: int, replications: int, samples: int = BOOTSTRAP_SAMPLES
                       ) -> list[np.ndarray]:
    """Bootstrap weight vectors over replications (how often each is drawn), seeded.

    Used jointly across plans in a comparison: the same vector for every plan keeps each
    replication's common random numbers paired.
    """
    rng = stream(seed, ANALYSIS, Purpose.BOOTSTRAP)
    if replications < 2:
        return [np.ones(replications)]
    return [np.bincount(rng.integers(0, replications, replications), minlength=replications)
            .astype(float) for _ in range(samples)]


@dataclass(frozen=True)
class Bootstrap:
    """What the resamples say: the interval of the first passing week (None at an end: not
    reached), the share of resamples that reach it, and each checkpoint's bands."""

    first_low: float | None
    first_high: float | None
    reached_share: float
    curves: list[Bands]


def bootstrap(data: CheckData) -> Bootstrap:
    """Resample replications: intervals of time to independence and of the curves.

    All resamples are evaluated together (one weight matrix), which gives the very figures of
    evaluating them one by one (`first_passing_week`, `overall_figures`), in far less time.
    The first passing week of each resample is kept in `data.resampled_firsts` for a
    comparison, which resamples with the very same weights.
    """
    weeks = data.spec.checkpoints
    weights = np.array(resampling_weights(data.spec.seed, data.replications))
    arr = data.first_passing_weeks(weights)
    curves: list[list[tuple]] = []
    for index in range(len(weeks)):
        present = data.overall_figures_many(index, "present", weights)
        absent = data.overall_figures_many(index, "absent", weights)
        curves.append([(*p[:2], *a[:2]) for p, a in zip(present, absent)])  # p90, hops
    data.resampled_firsts = arr
    # "Not reached" sorts after every week; an interval end there means "not reached".
    never = weeks[-1] + 1
    low, high = np.percentile(np.where(np.isfinite(arr), arr, never), [2.5, 97.5],
                              method="inverted_cdf")
    return Bootstrap(
        first_low=None if low >= never else float(low),
        first_high=None if high >= never else float(high),
        reached_share=float(np.mean(np.isfinite(arr))),
        curves=[_bands(c) for c in curves],
    )


def _bands(samples: list[tuple]) -> Bands:
    names = ("present_p90", "present_escalations_per_incident", "absent_p90",
             "absent_escalations_per_incident")
    out = {}
    for i, name in enumerate(names):
        values = [s[i] for s in samples if s[i] is not None]
        out[name] = (
            [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]
            if values else None
        )
    return Bands(**out)
