"""Figures every document shares: a mean with its interval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from sim.analysis.document import Document


@dataclass(frozen=True)
class Interval(Document):
    """A mean with its 95% interval (bootstrap or across replications): `{mean, low, high}`."""

    mean: float
    low: float
    high: float


class Estimate(TypedDict):
    """One summarised metric: the mean across replications, its 95% t-interval, and how many
    replications define it."""

    mean: float
    ci_low: float
    ci_high: float
    n: int
