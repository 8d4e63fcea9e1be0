"""Work times and skills from who resolved what, how fast (docs/history.md, "Calibration",
steps 3-5).

- **Speed**: a *solo* incident (resolved by the first person paged, nobody else involved) has
  work time = time to resolve - time to acknowledge. The engine stretches an expert's time by
  1 + slowdown x (1 - k). In logs, each solo time is the class's expert median plus the
  person's slowness for the class plus noise. A person's slowness is their mean log ratio to
  the class median, shrunk toward their slowness over all classes, which is shrunk toward the
  class median (`SHRINK` pseudo-incidents each): one or two incidents say little.
- **Experts**: the people with `MIN_EXPERT_SOLOS` solo incidents whose overall slowness is
  within 10% of the fastest; their (weighted) slowness on each class is its reference, k = 1.
  A team nobody in which works a class at an expert's speed cannot show an expert's time:
  the fitted time is then the fastest people's, and their knowledge is fitted as 1.
- **Work time**: every solo time divided by its resolver's factor relative to the experts is
  an expert sample; their median and p90 give the class's lognormal, with a bootstrap 90%
  interval of the median. Nothing is rescaled afterwards: misfit is reported by the
  self-consistency check, not absorbed here.
- **Will they lead**: among incidents a person was paged for first and answered in time (no
  timeout, no reroute), the share resolved alone is P(can fix) x P(will lead), shrunk toward
  what a logistic model with a class effect and a person effect predicts for them.
- **Experts seen only through escalations** (never paged first for the class): their share of
  the hand-offs they received that they resolved, and their speed on those (time to resolve
  minus the first acknowledgement, the expected hand-off delays and their acknowledgement).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from sim.analysis.calibrate.shared import (
    DIFFICULTY,
    TeamData,
    answered,
    handed_on,
    ramp,
    rounded,
    work_minutes,
)
from sim.analysis.document import Document
from sim.analysis.stats import percentiles, quantile
from sim.inputs.history import HistoryIncident
from sim.schema import Behaviour

SHRINK = 3.0  # pseudo-incidents pulling a person's slowness toward what is known beyond them
SHARE_SHRINK = 4.0  # pseudo-incidents pulling a solo share toward its prediction
PERSON_RIDGE = 0.25  # ridge on the person effects of the solo-share model (logit scale)
MIN_EXPERT_SOLOS = 10
EXPERT_BAND = math.log(1.10)
MIN_RESCUES_FOR_SPEED = 3
BOOTSTRAP = 100
# Expected minutes a hand-off costs before the next person acknowledges: a manual escalation
# (hesitation 5 or stuck 20 minutes, Behaviour's defaults), a timed-out level (15 minutes).
MANUAL_DELAY = (Behaviour().hesitation_minutes + Behaviour().stuck_minutes) / 2.0
TIMEOUT_DELAY = 15.0
FIT_ROUNDS = 20
BOOTSTRAP_ROUNDS = 5


@dataclass
class WorkFit(Document):
    """A class's expert work time and what it rests on."""

    median: float
    p90: float
    samples: int
    low: float | None  # bootstrap 90% interval of the median
    high: float | None
    note: str


@dataclass
class SkillFit(Document):
    """One person's fitted skill for one class, with its sample counts and note."""

    knowledge: float
    confidence: float
    solo: int  # solo resolutions behind the speed
    paged_first: int
    rescued: int
    note: str


@dataclass
class TeamWork:
    """The team's work times and skills."""

    work: dict[str, WorkFit] = field(default_factory=dict)  # history class -> fit
    skills: dict[str, dict[str, SkillFit]] = field(default_factory=dict)  # person -> class
    experts: list[str] = field(default_factory=list)
    slowness: dict[str, float] = field(default_factory=dict)  # person -> factor vs experts


def fit_work(team: TeamData, people: list[str], ack_mean: dict[str, float],
             seed: int = 0) -> TeamWork:
    """Work times and skills of every class of the team.

    Args:
        team: the team's incidents.
        people: the team's people (the scenario's).
        ack_mean: mean minutes to acknowledge by hour class (business/off/sleep).
        seed: seed of the bootstrap intervals.
    """
    behaviour = Behaviour()
    slowdown, width = behaviour.knowledge_slowdown, behaviour.skill_sharpness
    solo = _solo_samples(team)
    out = TeamWork()
    out.experts = _experts(solo)
    table = _Samples(solo, out.experts)
    mu, phi = table.fit()
    boot = table.bootstrap(np.random.default_rng(seed), (mu, phi)) if table.size else None
    for c, items in team.by_class.items():
        out.work[c] = _work(items, table, c, mu, phi, boot)
    slowness = _slowness(solo, {c: mu[table.classes.index(c)] for c in table.classes},
                         {p: phi[table.people.index(p)] for p in table.people}, out.experts)
    busy = busy_first_pages(team.incidents)
    priors = _share_priors(team, busy)
    for c, items in team.by_class.items():
        pooled = _pooled_share(items, busy)
        for person in people:
            prior = priors.get((person, c), pooled)
            fit = _skill(person, c, items, busy, slowness.get(c, {}), solo.get(c, {}), prior,
                         out.work[c], ack_mean, slowdown, width)
            if fit is not None:
                out.skills.setdefault(person, {})[c] = fit
    out.slowness = {p: rounded(math.exp(max(float(phi[k]), 0.0)), 3)
                    for k, p in enumerate(table.people)}
    return out


def busy_first_pages(incidents: list[HistoryIncident]) -> set[str]:
    """Ids of incidents whose first responder was still handling another one when paged.

    A busy responder hands a new incident on whatever their skill (the model's rule, and what
    people do), so those first pages say nothing of whether they would have led it: the skill
    fits leave them out.
    """
    spans: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for i in incidents:
        if i.handler is not None and i.resolved_at is not None:
            spans[i.handler].append((i.created_at.timestamp(), i.resolved_at.timestamp(), i.id))
    busy = set()
    for i in incidents:
        at = i.created_at.timestamp()
        if any(start <= at < end and other != i.id
               for start, end, other in spans.get(i.first_responder or "", ())):
            busy.add(i.id)
    return busy


def _solo_samples(team: TeamData) -> dict[str, dict[str, list[float]]]:
    solo: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for c, items in team.by_class.items():
        for i in items:
            minutes = work_minutes(i)
            if i.solo and minutes is not None:
                solo[c][i.handler].append(minutes)
    return solo


def _experts(solo: dict[str, dict[str, list[float]]]) -> list[str]:
    """The fastest people: among those with `MIN_EXPERT_SOLOS` solo incidents, those whose
    log ratio to each class's median, averaged over their incidents, is within `EXPERT_BAND`
    of the fastest's."""
    centre = {c: quantile(np.log([w for ws in by.values() for w in ws]), 0.5)
              for c, by in solo.items()}
    total: dict[str, float] = defaultdict(float)
    n: dict[str, int] = defaultdict(int)
    for c, by in solo.items():
        for p, ws in by.items():
            total[p] += sum(math.log(w) - centre[c] for w in ws)
            n[p] += len(ws)
    eligible = [p for p in total if n[p] >= MIN_EXPERT_SOLOS] or list(total)
    if not eligible:
        return []
    mean = {p: total[p] / n[p] for p in eligible}
    fastest = min(mean.values())
    return sorted(p for p in eligible if mean[p] <= fastest + EXPERT_BAND)


class _Samples:
    """Every solo time of the team as (log minutes, class, person), for the two-way fit
    log time = class's expert time + person's slowness (0 for the experts)."""

    def __init__(self, solo: dict[str, dict[str, list[float]]], experts: list[str]):
        self.classes = sorted(solo)
        self.people = sorted({p for by in solo.values() for p in by})
        rows = [(math.log(w), self.classes.index(c), self.people.index(p))
                for c, by in solo.items() for p, ws in by.items() for w in ws]
        data = np.asarray(rows, dtype=float).reshape(-1, 3)
        self.logs, self.cls, self.who = data[:, 0], data[:, 1].astype(int), data[:, 2].astype(int)
        self.expert = np.array([p in experts for p in self.people], dtype=bool)
        self.size = len(rows)

    def fit(self, index: np.ndarray | None = None, start: tuple | None = None,
            rounds: int = FIT_ROUNDS) -> tuple[np.ndarray, np.ndarray]:
        """(class log expert time, person log slowness) by alternating medians; a person's
        slowness is shrunk toward the non-experts' average, the experts' is 0."""
        logs, cls, who = (self.logs, self.cls, self.who) if index is None else (
            self.logs[index], self.cls[index], self.who[index])
        people = len(self.people)
        others = ~self.expert[who]
        counts = np.bincount(who, minlength=people)
        if start is not None:
            mu = start[0].copy()
        else:
            mu = np.array([quantile(logs[cls == k], 0.5) if (cls == k).any() else 0.0
                           for k in range(len(self.classes))])
        phi = np.zeros(people)
        for _ in range(rounds):
            residual = logs - mu[cls]
            team = float(residual[others].mean()) if others.any() else 0.0
            phi = (np.bincount(who, residual, minlength=people) + SHRINK * team) \
                / (counts + SHRINK)
            phi[self.expert] = 0.0
            adjusted = logs - phi[who]
            for k in range(len(self.classes)):
                mask = cls == k
                if mask.any():
                    mu[k] = quantile(adjusted[mask], 0.5)
        return mu, phi

    def bootstrap(self, rng: np.random.Generator, start: tuple) -> np.ndarray:
        """Class log expert times refitted on resampled solo times (rows: resamples), each
        fit started from the full data's."""
        return np.array([self.fit(rng.integers(0, self.size, self.size), start,
                                  BOOTSTRAP_ROUNDS)[0] for _ in range(BOOTSTRAP)])


def _work(items: list[HistoryIncident], table: _Samples, c: str, mu: np.ndarray,
          phi: np.ndarray, boot: np.ndarray | None) -> WorkFit:
    """The class's expert work time: the two-way fit's class effect; p90 from the spread of
    the solo times with each person's slowness taken out."""
    if c not in table.classes:
        ttr = [i.minutes_to_resolve for i in items if i.minutes_to_resolve is not None]
        median = quantile(ttr, 0.5) or 30.0
        return WorkFit(max(median, 0.5), max(3 * median, 0.5), 0, None, None,
                       "no solo resolution: the median time to resolve, p90 three times it")
    k = table.classes.index(c)
    mask = table.cls == k
    adjusted = table.logs[mask] - phi[table.who[mask]]
    median = math.exp(mu[k])
    spread = max((quantile(adjusted, 0.9) or mu[k]) - mu[k], math.log(1.2))
    experts = int(table.expert[table.who[mask]].sum())
    low, high = (math.exp(v) for v in percentiles(boot[:, k], (5.0, 95.0)))
    note = (f"lognormal from {int(mask.sum())} solo resolutions ({experts} by the team's "
            "fastest people), each less its resolver's slowness relative to them; the "
            f"median's 90% interval {low:.1f} to {high:.1f} min"
            + ("" if experts else "; none of the fastest people worked it alone, so an "
               "expert may well be faster"))
    return WorkFit(max(median, 0.5), max(median * math.exp(spread), median, 0.5),
                   int(mask.sum()), low, high, note)


def _slowness(solo: dict[str, dict[str, list[float]]], logs: dict[str, float],
              overall: dict[str, float], experts: list[str]) -> dict[str, dict[str, float]]:
    """Each person's log slowness against each class's expert time, shrunk toward their
    slowness over all classes; the experts are the reference (0) in every class."""
    out: dict[str, dict[str, float]] = {}
    for c, by in solo.items():
        out[c] = {p: 0.0 if p in experts else
                  (sum(math.log(w) - logs[c] for w in ws) + SHRINK * overall[p])
                  / (len(ws) + SHRINK) for p, ws in by.items()}
    return out


def _share_priors(team: TeamData, busy: set[str]) -> dict[tuple[str, str], float]:
    """What each person's share of first pages kept alone on each class would be from
    everything else: a logistic model with a class effect and a person effect (the person
    effect shrunk toward 0, a ridge of `PERSON_RIDGE`), fitted to the incidents answered in
    time and not `busy`. Easy classes are kept more by everyone; some people keep more of
    everything."""
    cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for i in team.incidents:
        if answered(i) and i.id not in busy:
            cell = cells[(i.first_responder, i.class_id)]
            cell[0] += i.solo
            cell[1] += 1
    if not cells:
        return {}
    people = sorted({p for p, _ in cells})
    classes = sorted({c for _, c in cells})
    keys = list(cells)
    x = np.zeros((len(keys), len(classes) + len(people)))
    for row, (p, c) in enumerate(keys):
        x[row, classes.index(c)] = 1.0
        x[row, len(classes) + people.index(p)] = 1.0
    kept = np.array([cells[k][0] for k in keys], dtype=float)
    n = np.array([cells[k][1] for k in keys], dtype=float)
    ridge = np.concatenate([np.full(len(classes), 1e-3), np.full(len(people), PERSON_RIDGE)])
    beta = np.zeros(x.shape[1])
    for _ in range(50):
        p_hat = 1.0 / (1.0 + np.exp(-(x @ beta)))
        weight = n * p_hat * (1.0 - p_hat) + 1e-9
        gradient = x.T @ (kept - n * p_hat) - ridge * beta
        hessian = x.T @ (x * weight[:, None]) + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.abs(step).max() < 1e-8:
            break
    out = {}
    for p in people:
        for c in classes:
            z = beta[classes.index(c)] + beta[len(classes) + people.index(p)]
            out[(p, c)] = float(1.0 / (1.0 + math.exp(-z)))
    return out


def _pooled_share(items: list[HistoryIncident], busy: set[str]) -> float | None:
    first = [i for i in items if answered(i) and i.id not in busy]
    return sum(i.solo for i in first) / len(first) if first else None


def _skill(person: str, c: str, items: list[HistoryIncident], busy: set[str],
           slow: dict[str, float], by_person: dict[str, list[float]], pooled: float | None,
           work: WorkFit, ack_mean: dict[str, float], slowdown: float, width: float
           ) -> SkillFit | None:
    # First pages that found them busy say nothing of whether they would lead (see
    # `busy_first_pages`); the hand-offs they received count whatever the first responder did.
    first = [i for i in items if i.first_responder == person and answered(i)
             and i.id not in busy]
    solo = sum(i.solo for i in first)
    rescued = [i for i in items if person in (set(i.touched) - {i.first_responder})
               and handed_on(i)]
    kept = [i for i in rescued if i.handler == person]
    n_solo = len(by_person.get(person, []))
    parts = []
    if person in slow:
        factor = math.exp(max(slow[person], 0.0))
        k = 1.0 - (factor - 1.0) / slowdown
        parts.append(f"speed x{factor:.2f} the experts' over {n_solo} solo")
    elif len(kept) >= MIN_RESCUES_FOR_SPEED:
        factor = _rescue_factor(kept, work.median, ack_mean)
        k = 1.0 - (factor - 1.0) / slowdown
        parts.append(f"never paged first: speed x{factor:.2f} the experts' from the {len(kept)} "
                     "hand-offs they resolved (time to resolve less the first acknowledgement, "
                     "the expected hand-off delays and theirs)")
    elif rescued:
        share = (len(kept) + SHARE_SHRINK * 0.5) / (len(rescued) + SHARE_SHRINK)
        k = DIFFICULTY + width * (share - 0.5)
        parts.append(f"never paged first: resolved {len(kept)} of {len(rescued)} hand-offs "
                     f"(shrunk to {share:.0%}); speed unobservable")
    elif not first:
        if pooled is None or pooled <= 0:
            return None
        k = DIFFICULTY + width * (math.sqrt(pooled) - 0.5)
        return SkillFit(rounded(k, 2), rounded(k, 2), 0, 0, 0,
                        f"no evidence for this class: the class's pooled solo share "
                        f"{pooled:.0%}")
    else:
        k = DIFFICULTY - width / 4
        parts.append("never resolved it alone")
    k = min(1.0, max(0.05, k))
    if not first:
        note = "; ".join(parts)
        confidence = k if not kept else max(k, DIFFICULTY + width / 2)
        return SkillFit(rounded(k, 2), rounded(min(confidence, 1.0), 2), n_solo, 0,
                        len(rescued), note)
    prior = pooled if pooled is not None else 0.5
    share = (solo + SHARE_SHRINK * prior) / (len(first) + SHARE_SHRINK)
    can = ramp(k - DIFFICULTY, width)
    if can < share:  # they solved more than their speed suggests they could
        k = DIFFICULTY + width * (math.sqrt(share) - 0.5)
        can = ramp(k - DIFFICULTY, width)
    will = min(1.0, share / can) if can > 0 else 0.0
    c = DIFFICULTY + width * (will - 0.5) if will < 1.0 else max(k, DIFFICULTY + width)
    parts.append(f"solo {solo}/{len(first)} when paged first and answering (shrunk toward "
                 f"{prior:.0%}, what the class and their other classes suggest, with weight "
                 f"{SHARE_SHRINK:g}: {share:.0%})")
    return SkillFit(rounded(min(max(k, 0.0), 1.0), 2), rounded(min(max(c, 0.0), 1.0), 2),
                    n_solo, len(first), len(rescued), "; ".join(parts))


def _rescue_factor(kept: list[HistoryIncident], expert_median: float,
                   ack_mean: dict[str, float]) -> float:
    """How much slower than the experts someone works, from the hand-offs they resolved."""
    mean_ack = sum(ack_mean.values()) / max(len(ack_mean), 1)
    times = []
    for i in kept:
        ttr = i.minutes_to_resolve
        if ttr is None:
            continue
        delay = (i.manual_escalation_count or (0 if i.timeout_escalation_count else 1)) \
            * MANUAL_DELAY + i.timeout_escalation_count * TIMEOUT_DELAY
        times.append(max(ttr - (i.minutes_to_ack or 0.0) - delay - mean_ack, 0.5))
    if not times:
        return 1.0
    return max(1.0, (quantile(times, 0.5) or expert_median) / max(expert_median, 0.5))
