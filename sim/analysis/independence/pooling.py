"""Pooling a check's replications: per checkpoint, arm and class, every time to mitigate and
count, and the figures of any resample of replications (weights) computed from them.

`Pooled` is one cell (a checkpoint's arm of one class, or all classes); `CheckData` holds every
cell of a check, fed one replication at a time, and gives the rows of independence.json and
the verdicts, for the replications as run (unit weights) or for many resamples at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from sim.analysis.independence.replay import COUNT_KEYS, NEXT_OUT, CheckReplication, CheckSpec
from sim.analysis.independence.verdicts import class_verdict, hero_load_verdict, release_verdict
from sim.analysis.people import HeroTimeData, PeopleData
from sim.analysis.types import ArmFigures, ClassRow, NextOut, ReleaseFlow, ReleaseRow, SkillTable
from sim.schema import IncidentClass, Verdict

# Resampled percentiles work on blocks of resamples x values of about this many cells.
CELLS_AT_ONCE = 1 << 19


class Pooled:
    """One checkpoint's arm (of one class or all), pooled across replications.

    Resampling replications (the bootstrap) is a vector of weights, how many times each
    replication is drawn; pooled figures are computed with those weights, without copying data.
    With unit weights they are the plain pooled figures (numpy's linear percentiles).
    """

    def __init__(self, values: np.ndarray, owner: np.ndarray, counts: np.ndarray):
        """`values`: every time (minutes, float32) and `owner`: its replication (int32), in any
        order; `counts[r]`: replication r's COUNT_KEYS."""
        order = np.lexsort((owner, values))  # by value, ties by replication: order-free
        self.values = values[order]
        self.owner = owner[order]
        self.matrix = counts.astype(float).T  # COUNT_KEYS x replications
        self.counts = {key: self.matrix[k] for k, key in enumerate(COUNT_KEYS)}

    def percentiles(self, qs: Sequence[float], weights: np.ndarray) -> list[float] | None:
        """Linear-interpolation percentiles of the values, each replication counted
        `weights[r]` times; None when there are none."""
        found, some = self.percentiles_many(qs, np.asarray(weights)[np.newaxis])
        return found[0].tolist() if some[0] else None

    def percentiles_many(self, qs: Sequence[float], weights: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
        """`percentiles` for every row of `weights` (resamples x replications) at once:
        (resamples x len(qs) array, which rows have values); rows without values hold NaN."""
        weights = np.asarray(weights, dtype=float)
        rows, k, n = weights.shape[0], len(qs), self.values.size
        found = np.full((rows, k), np.nan)
        some = np.zeros(rows, dtype=bool)
        if n == 0:
            return found, some
        # Resampling weights are counts of draws: running totals in integers are exact (and
        # an int32 running sum is several times faster than a float one).
        whole = bool(np.all(weights >= 0) and np.array_equal(weights, np.floor(weights)))
        fractions = np.asarray(qs, dtype=float) / 100.0
        step = max(1, CELLS_AT_ONCE // n)  # resamples per block: bounded memory
        for start in range(0, rows, step):
            w = weights[start:start + step]
            m = w.shape[0]
            if whole:
                # Shifted below (row i by i * (largest total + 1)): the bound covers that too.
                small = m * (w.max(initial=0) * n + 1) < 2**31
                dtype = np.int32 if small else np.int64
                cumulative = np.cumsum(w.astype(dtype)[:, self.owner], axis=1, dtype=dtype)
            else:
                cumulative = np.cumsum(w[:, self.owner], axis=1)
            total = cumulative[:, -1].astype(float)
            # Positions in the expanded (repeated) sample, found without expanding it.
            positions = fractions * (total[:, np.newaxis] - 1)
            lows = np.floor(positions)
            highs = np.minimum(lows + 1, total[:, np.newaxis] - 1)
            targets = np.concatenate([lows, highs], axis=1)
            if whole:
                # One search for all rows: shifted, the rows (each non-decreasing) form one
                # non-decreasing sequence of integers.
                shift = (np.arange(m, dtype=cumulative.dtype) * (cumulative[:, -1].max() + 1)
                         )[:, np.newaxis]
                cumulative += shift
                where = np.searchsorted(cumulative.ravel(), targets.astype(cumulative.dtype)
                                        + shift, side="right")
                where -= (np.arange(m) * n)[:, np.newaxis]
            else:
                where = np.array([np.searchsorted(c, t, side="right")
                                  for c, t in zip(cumulative, targets)]).reshape(m, 2 * k)
            values = self.values[np.clip(where, 0, n - 1)].astype(float)
            block = values[:, :k] + (values[:, k:] - values[:, :k]) * (positions - lows)
            has = total > 0
            found[start:start + m][has] = block[has]
            some[start:start + m] = has
        return found, some

    def total(self, key: str, weights: np.ndarray) -> float:
        """The weighted total of one of COUNT_KEYS."""
        return float(self.counts[key] @ weights)

    def stats(self, weights: np.ndarray) -> dict:
        """Pooled figures of the arm: the `present`/`absent` rows of independence.json."""
        return self.stats_many(np.asarray(weights)[np.newaxis])[0]

    def stats_many(self, weights: np.ndarray) -> list[dict]:
        """`stats` for every row of `weights` (resamples x replications of whole numbers)."""
        totals = self.matrix @ np.asarray(weights, dtype=float).T  # COUNT_KEYS x resamples
        quantiles, some = self.percentiles_many((50, 90), weights)
        columns = dict(zip(COUNT_KEYS, totals.tolist()))
        ns = columns["n"]
        rates = {key: [t / n if n else None for t, n in zip(columns[key], ns)]
                 for key in ("breaches", "beyond_first", "escalations", "informal", "to_person",
                             "hero")}
        p50s, p90s = quantiles.T.tolist()
        return [{
            "n": int(round(n)),
            "ttm_p50": p50s[s] if has else None,
            "ttm_p90": p90s[s] if has else None,
            "breach_rate": rates["breaches"][s],
            "escalations_per_incident": rates["escalations"][s],
            "beyond_first_share": rates["beyond_first"][s],
            "to_person_per_incident": rates["to_person"][s],
            "to_policy_per_incident": (None if rates["escalations"][s] is None else
                                       rates["escalations"][s] - rates["to_person"][s]),
            "informal_per_incident": rates["informal"][s],
            "hero_share": rates["hero"][s],
            "struggled": int(round(columns["struggled"][s])),
            "unresolved": int(round(columns["unresolved"][s])),
        } for s, (n, has) in enumerate(zip(ns, some.tolist()))]


class CheckData:
    """Every replication of a check, pooled per checkpoint, arm and class.

    Built from a list of replications, or fed one replication at a time (`add`, in any order,
    then `finish`) so that a large run keeps only compact buffers, not each replication's
    result: per cell, times as a flat float32 buffer with their replications beside them, and
    counts as an int32 matrix.
    """

    def __init__(self, spec: CheckSpec, reps: list[CheckReplication] | None = None,
                 replications: int | None = None):
        self.spec = spec
        self.replications = len(reps) if reps is not None else int(replications)
        self.ones = np.ones(self.replications)
        self.classes = [c.id for c in spec.scenario.classes]
        points, count = len(spec.checkpoints), self.replications
        self._times: dict[tuple, tuple[array, array]] = {}
        self._counts: dict[tuple, np.ndarray] = {}
        self.scalars = {key: np.zeros((points, count)) for key in (
            "hero_interruptions_per_week", "plan_hero_hours", "plan_learner_hours")}
        self._effective = np.zeros((points, len(self.classes), count))
        self._effective_next = np.zeros((points, len(self.classes), count))
        self._skills: dict[int, dict] = {}
        self.arms = spec.arms
        self.people = PeopleData(spec.scenario, points, self.arms, count,
                                 spec.criteria.evaluation_days)
        self.hero_time = HeroTimeData(spec.scenario, spec.tracked, spec.weeks)
        self.skipped: dict[tuple[str, str], float] = {}  # (reason, kind) -> total
        self.by_class: dict[tuple[int, str, str], Pooled] = {}
        self.overall: dict[tuple[int, str], Pooled] = {}
        self.effective: dict[tuple[int, str], np.ndarray] = {}
        self.effective_next: dict[tuple[int, str], np.ndarray] = {}
        self.releases: dict[tuple[int, str], Pooled] = {}
        self.resampled_firsts: np.ndarray | None = None  # set by the bootstrap
        if reps is not None:
            for r, rep in enumerate(reps):
                self.add(rep, r)
            self.finish()

    def _cell(self, key: tuple, r: int, row) -> None:  # row: an ArmRow
        cell = self._times.get(key)
        if cell is None:
            # Flat growing buffers: 8 bytes a time, no object per replication.
            cell = self._times[key] = (array("f"), array("i"))
            self._counts[key] = np.zeros((self.replications, len(COUNT_KEYS)), dtype=np.int32)
        times = np.asarray(row["ttm"], dtype=np.float32)
        cell[0].frombytes(times.tobytes())
        cell[1].extend([r] * times.size)
        self._counts[key][r] = [row[k] for k in COUNT_KEYS]

    def add(self, rep: CheckReplication, r: int | None = None) -> None:
        """Take in one replication (`r`: its position; default: its replication index)."""
        r = rep["replication"] if r is None else r
        for index, point in enumerate(rep["checkpoints"]):
            for arm in self.arms:
                for cid in self.classes:
                    self._cell((index, arm, cid), r, point["arms"][arm][cid])
                self._cell((index, arm, "*"), r, point["overall_arms"][arm])
                if point.get("releases") and arm in point["releases"]:
                    self._cell((index, arm, "releases"), r, point["releases"][arm])
                self.people.add(index, arm, r, point["people"][arm])
            for key, table in self.scalars.items():
                table[index, r] = point[key]
            for k, cid in enumerate(self.classes):
                self._effective[index, k, r] = point["effective"][cid]
                if point.get("effective_next_out"):
                    self._effective_next[index, k, r] = point["effective_next_out"][cid]
            if point.get("skills"):
                # Kept per replication and averaged at the end: a sum in arrival order would
                # make the figures depend on how many workers ran.
                table = self._skills.setdefault(index, {})
                for person, row in point["skills"].items():
                    for cid, (knowledge, confidence) in row.items():
                        cell = table.setdefault(person, {}).setdefault(
                            cid, np.zeros((2, self.replications)))
                        cell[:, r] = knowledge, confidence
        self.hero_time.add(rep["hero_weeks"])
        for key, count in rep["skipped"].items():
            self.skipped[key] = self.skipped.get(key, 0.0) + count

    def finish(self) -> None:
        """Pool what was added; the per-cell lists are released."""
        for (index, arm, key) in list(self._times):
            values, owner = self._times.pop((index, arm, key))
            pooled = Pooled(np.frombuffer(values, dtype=np.float32).copy(),
                            np.frombuffer(owner, dtype=np.int32).copy(),
                            self._counts.pop((index, arm, key)))
            if key == "*":
                self.overall[index, arm] = pooled
            elif key == "releases":
                self.releases[index, arm] = pooled
            else:
                self.by_class[index, arm, key] = pooled
        for index in range(len(self.spec.checkpoints)):
            for k, cid in enumerate(self.classes):
                self.effective[index, cid] = self._effective[index, k]
                self.effective_next[index, cid] = self._effective_next[index, k]
        self._times, self._counts = {}, {}

    def mean_skills(self, index: int) -> SkillTable:
        """Mean knowledge and confidence per person and class at a checkpoint (start or end)."""
        table = self._skills.get(index, {})
        return {p: {c: {"knowledge": float(kc[0].mean()), "confidence": float(kc[1].mean())}
                    for c, kc in row.items()} for p, row in table.items()}

    def class_row(self, index: int, cls: IncidentClass, weights: np.ndarray | None = None,
                  arm: str = "absent") -> ClassRow:
        """One class at one checkpoint: pooled arms, criteria and verdict (`arm`: the arm
        judged against hero-present, absent or the next person out)."""
        scenario = self.spec.scenario
        w = self.ones if weights is None else weights
        present = self.by_class[index, "present", cls.id].stats(w)
        absent = self.by_class[index, arm, cls.id].stats(w)
        absent["hero_share"] = None  # no hero in that arm: nothing to compare
        effective_table = self.effective_next if arm == NEXT_OUT else self.effective
        effective = float(effective_table[index, cls.id] @ w / w.sum())
        critical = scenario.service(cls.service).critical
        verdict, ratio, added, notes = class_verdict(
            present, absent, effective, critical, scenario.independence)
        return ClassRow(
            verdict=verdict.value,
            specialty=cls.specialty,
            critical=critical,
            present=ArmFigures(**present),
            absent=ArmFigures(**absent),
            p90_ratio=ratio,
            added_breach_rate=added,
            effective_responders=effective,
            notes=notes,
        )

    def release_row(self, index: int, weights: np.ndarray | None = None) -> ReleaseRow | None:
        """Release flow at one checkpoint, hero present vs absent, and its verdict."""
        if (index, "present") not in self.releases:
            return None
        w = self.ones if weights is None else weights
        present = self.releases[index, "present"].stats(w)
        absent = self.releases[index, "absent"].stats(w)
        verdict, notes = release_verdict(present, absent, self.spec.criteria)

        def flow(row: dict) -> ReleaseFlow:
            return ReleaseFlow(releases=row["n"], delay_p50_hours=row["ttm_p50"],
                               delay_p90_hours=row["ttm_p90"], failure_rate=row["breach_rate"])

        return ReleaseRow(verdict=verdict.value, present=flow(present), absent=flow(absent),
                          notes=notes)

    def next_out(self, index: int) -> NextOut | None:
        """The third arm at one checkpoint: every class judged without the heroes and the next
        person out (None when the check has no such arm)."""
        if NEXT_OUT not in self.arms:
            return None
        classes = {c.id: self.class_row(index, c, arm=NEXT_OUT)
                   for c in self.spec.scenario.classes}
        passed = all(row.verdict == Verdict.INDEPENDENT.value
                     for cid, row in classes.items() if not row.specialty)
        return NextOut(passed=passed, classes=classes)

    def hero_load(self, index: int, weights: np.ndarray | None = None
                  ) -> tuple[bool, list[str]]:
        """The hero-load criteria at a checkpoint (heroes' share of serious incidents, their
        consults per week; hero present): whether they hold, and what fails."""
        w = self.ones if weights is None else weights
        return hero_load_verdict(self.people.hero_serious_share(index, w),
                                 self.people.hero_consults_per_week(index, w),
                                 self.spec.criteria)

    def passes(self, index: int, weights: np.ndarray | None = None) -> bool:
        """Every non-specialty class, the release flow, and the hero-load criteria when set,
        pass at this checkpoint."""
        if not self.hero_load(index, weights)[0]:
            return False
        if not all(
            self.class_row(index, c, weights).verdict == Verdict.INDEPENDENT.value
            for c in self.spec.scenario.classes if not c.specialty
        ):
            return False
        releases = self.release_row(index, weights)
        return releases is None or releases.verdict == Verdict.INDEPENDENT.value

    def first_passing_week(self, weights: np.ndarray | None = None) -> int | None:
        """The first checkpoint week that passes (for these weights), or None."""
        for index, week in enumerate(self.spec.checkpoints):
            if self.passes(index, weights):
                return week
        return None

    def first_passing_weeks(self, weights: np.ndarray) -> np.ndarray:
        """`first_passing_week` for every row of `weights` (resamples x replications, whole
        numbers) at once; inf where no checkpoint passes."""
        weights = np.asarray(weights, dtype=float)
        firsts = np.full(weights.shape[0], np.inf)
        pending = np.arange(weights.shape[0])
        for index, week in enumerate(self.spec.checkpoints):
            if not pending.size:
                break
            passed = self.passes_many(index, weights[pending])
            firsts[pending[passed]] = week
            pending = pending[~passed]
        return firsts

    def passes_many(self, index: int, weights: np.ndarray) -> np.ndarray:
        """`passes` for every row of `weights` at once: the pooled figures are computed for
        all resamples together, the verdicts by the same rules, resample by resample."""
        scenario = self.spec.scenario
        passed = np.array([self.hero_load(index, w)[0] for w in weights], dtype=bool)
        for cls in scenario.classes:
            rows = np.flatnonzero(passed)  # a resample that failed a class is done
            if cls.specialty or not rows.size:
                continue
            w = weights[rows]
            present = self.by_class[index, "present", cls.id].stats_many(w)
            absent = self.by_class[index, "absent", cls.id].stats_many(w)
            effective = (self.effective[index, cls.id] @ w.T / w.sum(axis=1)).tolist()
            critical = scenario.service(cls.service).critical
            for k, s in enumerate(rows.tolist()):
                verdict = class_verdict(present[k], absent[k], effective[k], critical,
                                        scenario.independence)[0]
                passed[s] = verdict is Verdict.INDEPENDENT
        rows = np.flatnonzero(passed)
        if (index, "present") in self.releases and rows.size:
            present = self.releases[index, "present"].stats_many(weights[rows])
            absent = self.releases[index, "absent"].stats_many(weights[rows])
            for k, s in enumerate(rows.tolist()):
                verdict = release_verdict(present[k], absent[k], self.spec.criteria)[0]
                passed[s] = verdict is Verdict.INDEPENDENT
        return passed

    def overall_figures_many(self, index: int, arm: str, weights: np.ndarray
                             ) -> list[OverallFigures]:
        """`overall_figures` for every row of `weights` (resamples x replications, whole
        numbers) at once."""
        pooled = self.overall[index, arm]
        quantiles, some = pooled.percentiles_many((90,), weights)
        totals = dict(zip(COUNT_KEYS, (pooled.matrix @ np.asarray(weights, dtype=float).T)
                          .tolist()))
        return [OverallFigures(
            p90 if has else None, *(totals[key][s] / n if n else None for key in (
                "escalations", "hero", "beyond_first", "to_person")))
            for s, (p90, has, n) in enumerate(zip(quantiles[:, 0].tolist(), some.tolist(),
                                                  totals["n"]))]

    def overall_figures(self, index: int, arm: str, weights: np.ndarray | None = None
                        ) -> OverallFigures:
        """The pooled figures of all ordinary classes of one arm (computed on their own, for
        one weight vector: tests hold `overall_figures_many` to them)."""
        w = self.ones if weights is None else weights
        pooled = self.overall[index, arm]
        quantiles = pooled.percentiles((90,), w)
        n = pooled.total("n", w)
        return OverallFigures(quantiles[0] if quantiles else None, *(
            pooled.total(key, w) / n if n else None
            for key in ("escalations", "hero", "beyond_first", "to_person")))


class OverallFigures(NamedTuple):
    """One arm's figures over all ordinary classes, pooled: p90 time to mitigate, hand-offs per
    incident, and the shares that needed a hero, or anyone beyond the first responder, and the
    hand-offs per incident to a named person."""

    p90: float | None
    escalations_per_incident: float | None
    hero_share: float | None
    beyond_first_share: float | None
    to_person_per_incident: float | None
