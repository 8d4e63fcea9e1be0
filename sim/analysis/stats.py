"""Small statistics every analysis shares: linear-interpolated percentiles and the Gini
coefficient. One implementation each: the hero map, the charts and the metrics all use these."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np


def percentiles(values: Iterable[float], qs: Sequence[float]) -> list[float | None]:
    """Linear-interpolated percentiles of `values`, one per q in `qs` (0..100).

    Non-finite values are left out; with nothing left every percentile is None.
    """
    data = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    if data.size == 0:
        return [None for _ in qs]
    return [float(x) for x in np.percentile(data, list(qs), method="linear")]


def gini(values: Iterable[float]) -> float:
    """The Gini coefficient of non-negative `values`: 0 when all equal (or all zero), ->1 when
    one holds everything. Mean absolute difference over twice the mean."""
    data = np.asarray(list(values), dtype=float)
    if data.size == 0:
        return 0.0
    total = data.sum()
    if total <= 0:
        return 0.0
    data = np.sort(data)
    n = data.size
    # Sorted form of sum_i sum_j |x_i - x_j| / (2 n^2 mean).
    ranks = np.arange(1, n + 1)
    return float((2 * np.sum(ranks * data) - (n + 1) * total) / (n * total))


def quantile(values: Iterable[float], q: float) -> float | None:
    """The q-quantile (q in 0..1) of `values` by `percentiles`; None for no values."""
    return percentiles(values, (100.0 * q,))[0]
