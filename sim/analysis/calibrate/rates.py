"""How often each class happens, how severe, when in the week, and whether the load is
changing (docs/history.md, "Calibration", steps 1-2).

- **Rate**: the class's incidents over the window; when the team's weekly counts show a trend
  (log-linear Poisson regression, |z| >= 1.96), the rate the trend reaches at the window's end,
  so that a projection starts from today's load rather than the window's average.
- **Severity as a mix**: a class whose incidents are of several severities (a database
  failover that is P1 a third of the time) becomes one scenario class per severity holding at
  least 10% and 5 incidents, the rate split by the shares; the rest folds into the largest.
- **Weekly profile**: business / off / sleep hour levels in the team's zone when a chi-square
  test says the hours differ (p < 0.01, 30+ incidents).
- **Alert noise**: auto-resolved incidents (alerts that cleared by themselves) per real one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from sim.analysis.calibrate.shared import (
    TeamData,
    hours_per_class,
    local_class,
    rounded,
    week_hour_class,
)
from sim.analysis.document import Document
from sim.inputs.history import HistoryIncident
from sim.schema import HOURS_PER_WEEK, HourClass, Severity

PROFILE_MIN_INCIDENTS = 30
PROFILE_P_VALUE = 0.01
TREND_Z = 1.96
MIX_MIN_SHARE = 0.1
MIX_MIN_INCIDENTS = 5
SEVERITY_ORDER = (Severity.SEV1, Severity.SEV2, Severity.SEV3, Severity.SEV4)


@dataclass
class Trend(Document):
    """The team's load over the window: weekly counts' log-linear slope."""

    per_week: float  # relative change per week (0.01 = +1% a week)
    z: float
    weeks: int
    end_factor: float  # rate at the window's end / the window's average rate
    significant: bool
    first_third: int  # incidents in the first and the last third of the window
    last_third: int


@dataclass
class ClassFit:
    """One class of the history: its rate, severities, weekly profile and notes."""

    history_class: str
    service: str
    incidents: int
    rate_per_week: float
    variants: list[tuple[str, Severity, float]]  # (scenario class id, severity, share)
    mix: dict[str, float]
    profile: list[float] | None
    notes: dict[str, str] = field(default_factory=dict)


def load_trend(team: TeamData) -> Trend:
    """The team's weekly incident counts fitted log-linearly (Poisson, by IRLS)."""
    weeks = max(1, int(team.weeks))
    counts = np.zeros(weeks)
    for i in team.incidents:
        w = int((i.created_at - team.start).total_seconds() // (7 * 86400))
        if 0 <= w < weeks:
            counts[w] += 1
    t = np.arange(weeks) - (weeks - 1) / 2.0
    thirds = max(1, weeks // 3)
    first, last = int(counts[:thirds].sum()), int(counts[-thirds:].sum())
    if weeks < 6 or counts.sum() < 30:
        return Trend(0.0, 0.0, weeks, 1.0, False, first, last)
    beta = np.array([math.log(max(counts.mean(), 1e-9)), 0.0])
    x = np.column_stack([np.ones(weeks), t])
    for _ in range(25):
        mu = np.exp(x @ beta)
        info = x.T @ (x * mu[:, None])
        step = np.linalg.solve(info, x.T @ (counts - mu))
        beta = beta + step
        if np.abs(step).max() < 1e-9:
            break
    mu = np.exp(x @ beta)
    info = x.T @ (x * mu[:, None])
    se = math.sqrt(np.linalg.inv(info)[1, 1])
    slope = float(beta[1])
    z = slope / se if se > 0 else 0.0
    end = math.exp(slope * t[-1]) / float(np.mean(np.exp(slope * t)))
    significant = abs(z) >= TREND_Z
    return Trend(math.expm1(slope), z, weeks, end if significant else 1.0, significant,
                 first, last)


def fit_classes(team: TeamData, class_ids: dict[str, str], service_ids: dict[str, str],
                trend: Trend) -> list[ClassFit]:
    """Every class of the team, its rate at the window's end, severities and profile."""
    period = (f"{team.start.date().isoformat()} to {team.end.date().isoformat()}, "
              f"{team.weeks:.1f} weeks")
    out = []
    for raw, items in team.by_class.items():
        n = len(items)
        rate = n / team.weeks * trend.end_factor
        note = f"{n} incidents in {period}"
        if trend.significant:
            note += (f"; x{trend.end_factor:.2f}: the team's load changes {trend.per_week:+.1%} "
                     f"a week (z = {trend.z:.1f}), this is the rate at the window's end")
        variants, mix, mix_note = _severities(class_ids[raw], items)
        profile, profile_note = fit_profile(items, ZoneInfo(team.zone), team.zone)
        service = Counter(i.service for i in items).most_common(1)[0][0]
        out.append(ClassFit(raw, service_ids[service], n, rate, variants, mix, profile,
                            {"rate_per_week": note, "severity": mix_note,
                             "weekly_profile": profile_note}))
    return out


def _severities(class_id: str, items: list[HistoryIncident]):
    """The class's severities kept as variants (share, incidents) and the note."""
    counts = Counter(i.severity for i in items)
    n = len(items)
    mix = {s.value: counts[s] / n for s in SEVERITY_ORDER if counts[s]}
    kept = [s for s in SEVERITY_ORDER
            if counts[s] >= MIX_MIN_INCIDENTS and counts[s] / n >= MIX_MIN_SHARE]
    if not kept:
        kept = [counts.most_common(1)[0][0]]
    largest = max(kept, key=lambda s: (counts[s], -SEVERITY_ORDER.index(s)))
    shares = {s: counts[s] / n for s in kept}
    shares[largest] += sum(counts[s] for s in counts if s not in kept) / n
    variants = [(class_id if s is largest else f"{class_id}--{s.value}", s, shares[s])
                for s in sorted(kept, key=lambda s: s is not largest)]
    described = ", ".join(f"{s} {share:.0%}" for s, share in mix.items())
    if len(variants) == 1:
        note = f"{described} of {n} (priority, urgency)"
    else:
        note = (f"a mix: {described} of {n} incidents; one class per severity with at least "
                f"{MIX_MIN_SHARE:.0%} and {MIX_MIN_INCIDENTS} incidents, the rate split")
    return variants, mix, note


def fit_profile(items: list[HistoryIncident], zone: ZoneInfo, zone_name: str):
    """Business/off/sleep hour levels in the team's zone, or None when arrivals are flat."""
    counts = Counter(local_class(i, zone) for i in items)
    hours = hours_per_class()
    n = len(items)
    observed = [counts.get(h, 0) for h in HourClass]
    expected = [n * hours[h] / HOURS_PER_WEEK for h in HourClass]
    if n < PROFILE_MIN_INCIDENTS:
        return None, (f"flat: {n} incidents are too few to fit a weekly profile "
                      f"(< {PROFILE_MIN_INCIDENTS})")
    from scipy import stats  # here: importing scipy costs most commands half a second

    p = float(stats.chisquare(observed, expected).pvalue)
    if p >= PROFILE_P_VALUE:
        return None, (f"flat: arrivals by business/off/sleep hours ({observed[0]}/"
                      f"{observed[1]}/{observed[2]}) do not differ from even (p = {p:.2f})")
    level = {h: (counts.get(h, 0) + 0.5) / hours[h] for h in HourClass}
    total = sum(level.values())
    profile = [rounded(level[week_hour_class(hour)] / total * 3, 3)
               for hour in range(HOURS_PER_WEEK)]
    return profile, (f"business/off/sleep hour levels from {observed[0]}/{observed[1]}/"
                     f"{observed[2]} incidents (chi-square p = {p:.1e}), in the team's zone "
                     f"({zone_name})")


def alert_noise(team: TeamData) -> tuple[float, str]:
    """Auto-resolved incidents per real one, and the note."""
    real, auto = len(team.incidents), len(team.auto_resolved)
    if not auto:
        return 0.0, "no incident resolved by itself"
    return rounded(auto / max(real, 1), 3), (
        f"{auto} incidents resolved by themselves (auto-resolved, nobody credited) against "
        f"{real} handled: false pages per real incident")
