"""The independence check: is the team getting independent of its heroes, and when?

For each replication, a transfer plan runs over the weeks with learning on (the team's skills
evolve with the incidents and practice it produces). At each checkpoint the skill state and the
plan's state (conditions, runbooks, rotation) are frozen and one evaluation window of incidents
is replayed twice, heroes present and heroes absent. The window is the same at every checkpoint
and in both arms (common random numbers), so differences come from the team, not from luck.

Per checkpoint and class, incidents are pooled across replications: the hero-absent /
hero-present ratio of p90 time to mitigate, the breaches the absence adds, escalations and
informal pulls, and the non-hero effective responders give a verdict. Intervals (time to
independence, curves) come from resampling replications (bootstrap), which keeps the paired
structure of each replication intact.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np

from sim import __version__
from sim.analysis.metrics import effective_responders
from sim.analysis.replicate import run_tasks
from sim.model import Arrival, TeamModel, sample_arrivals
from sim.model.records import RunRecords
from sim.model.rng import ANALYSIS, EVALUATION, Purpose, stream
from sim.model.skills import ramp
from sim.schema import (
    MINUTES_PER_DAY,
    EscalationKind,
    IndependenceCriteria,
    Plan,
    Role,
    Scenario,
    Verdict,
    members_of,
)

BOOTSTRAP_SAMPLES = 200
COUNT_KEYS = ("n", "breaches", "escalated", "escalations", "informal", "struggled",
              "unresolved", "hero")
ARMS = ("present", "absent")
# Resampled percentiles work on blocks of resamples x values of about this many cells.
_CELLS_AT_ONCE = 1 << 19


@dataclass(frozen=True)
class CheckSpec:
    """What to check: a scenario, an optional plan, the weeks and the checkpoint spacing."""

    scenario: Scenario
    plan: Plan | None
    weeks: int = 26
    every: int = 4
    seed: int = 0

    @property
    def checkpoints(self) -> list[int]:
        """Checkpoint weeks: 0, every N weeks, and the last week."""
        weeks = list(range(0, self.weeks + 1, self.every))
        if weeks[-1] != self.weeks:
            weeks.append(self.weeks)
        return weeks

    @property
    def criteria(self) -> IndependenceCriteria:
        return self.scenario.independence


# -- one replication --------------------------------------------------------------------------


def check_replication(spec: CheckSpec, replication: int) -> dict:
    """Run the plan once, replay the evaluation window at every checkpoint; compact numbers."""
    scenario = spec.scenario
    model = TeamModel(scenario, spec.weeks * 7, spec.seed, replication, plan=spec.plan,
                      learn=True)
    weeks = spec.checkpoints
    records = model.run(snapshot_at=[week * 7 * MINUTES_PER_DAY for week in weeks])
    snapshots = [(week, *snapshot) for week, snapshot in zip(weeks, model.snapshots)]
    days = spec.criteria.evaluation_days
    eval_replication = EVALUATION + replication
    ordinary = sample_arrivals(scenario, days, spec.seed, eval_replication)
    arrivals = with_probes(scenario, ordinary, days, spec.criteria.min_incidents_per_class,
                           spec.seed, eval_replication)
    # The team-wide curve reads the ordinary incidents of ordinary (non-specialty) classes.
    ordinary_at = {(a.at, a.class_index) for a in ordinary}
    probes = {a.incident_id for a in arrivals if (a.at, a.class_index) not in ordinary_at}
    typical = {a.incident_id for a in arrivals if a.incident_id not in probes
               and not scenario.classes[a.class_index].specialty}
    heroes = tuple(scenario.heroes)
    has_changes = any(v.changes is not None for v in scenario.services)
    checkpoints = []
    last = len(snapshots) - 1
    for index, (week, t, skills, state) in enumerate(snapshots):
        arms = {}
        overall = {}
        releases = {}
        hero_load = {}
        for arm, without in (("present", ()), ("absent", heroes)):
            replay = TeamModel(scenario, days, spec.seed, eval_replication, without=without,
                               skills=skills, arrivals=arrivals, state=state.frozen(t))
            replay_records = replay.run()
            arms[arm] = _arm_stats(replay_records, scenario)
            if has_changes:
                releases[arm] = _release_stats(replay_records, days)
            overall[arm] = _arm_stats(replay_records, scenario, only=typical, pooled=True)
            hero_load[arm] = _hero_interruptions(replay_records, heroes, days, probes)
        hero_hours, learner_hours = plan_hours(
            records, t, heroes, scenario.learning.pairing_overhead)
        checkpoints.append({
            "week": week,
            "arms": arms,
            "overall_arms": overall,
            "releases": releases or None,
            "hero_interruptions_per_week": hero_load["present"],
            "plan_hero_hours": hero_hours,
            "plan_learner_hours": learner_hours,
            "effective": {
                c.id: len(effective_responders(scenario, skills, c.id, heroes, state, t))
                for c in scenario.classes
            },
            # The start and the end are enough for the heatmap; keep replications small.
            "skills": (
                {p: {c: [v["knowledge"], v["confidence"]] for c, v in row.items()}
                 for p, row in skills.as_dict(t).items()}
                if index in (0, last) else None
            ),
        })
    return {"replication": replication, "checkpoints": checkpoints}


def with_probes(scenario: Scenario, arrivals: list[Arrival], days: int, minimum: int,
                seed: int, replication: int) -> list[Arrival]:
    """`arrivals` plus extra incidents of every class that has fewer than `minimum`.

    Probes are placed like the class's own arrivals (its weekly profile, or uniformly) and
    drawn from their own stream, so the ordinary incidents stay those of the replication.
    """
    counts = np.bincount([a.class_index for a in arrivals], minlength=len(scenario.classes))
    missing = [(k, minimum - int(counts[k])) for k in range(len(scenario.classes))
               if counts[k] < minimum]
    if not missing:
        return arrivals
    rng = stream(seed, replication, Purpose.PROBES)
    horizon = days * MINUTES_PER_DAY
    extra = []
    for index, count in missing:
        profile = scenario.classes[index].weekly_profile
        if profile is None:
            times = rng.uniform(0.0, horizon, count)
        else:
            weights = np.resize(np.asarray(profile, dtype=float), days * 24)
            hours = rng.choice(weights.size, size=count, p=weights / weights.sum())
            times = hours * 60.0 + rng.uniform(0.0, 60.0, count)
        extra += [(float(t), index, float(z))
                  for t, z in zip(times, rng.standard_normal(count))]
    merged = sorted([(a.at, a.class_index, a.work_z) for a in arrivals] + extra)
    return [Arrival(i, at, k, z) for i, (at, k, z) in enumerate(merged)]


class ArmRow:
    """One arm's figures for one class at one checkpoint of one replication, for pooling.

    Read like a dict (`row["n"]`); a slotted object because a check keeps thousands of them
    (replications x checkpoints x arms x classes), and a dict costs six times the memory.
    """

    __slots__ = ("ttm", *COUNT_KEYS)

    def __init__(self, ttm=None, **counts):
        self.ttm = ttm if ttm is not None else []
        for key in COUNT_KEYS:
            setattr(self, key, counts.get(key, 0))

    def __getitem__(self, key: str):
        return getattr(self, key)

    def __getstate__(self):
        return tuple(getattr(self, key) for key in self.__slots__)

    def __setstate__(self, state):
        for key, value in zip(self.__slots__, state):
            setattr(self, key, value)


def _arm_stats(records: RunRecords, scenario: Scenario, only: set[int] | None = None,
               pooled: bool = False):
    """Per class (or, `pooled`, all together): times to mitigate and counts of what went
    wrong, for pooling; `only` keeps those incident ids.

    An incident nobody could work before the window ended counts with its time so far (the
    window's end minus its arrival): a lower bound, so that a plan which gets such incidents
    worked, slowly, is not scored worse than one that leaves them undone.
    """
    keys = ["*"] if pooled else [c.id for c in scenario.classes]
    stats = {key: ArmRow() for key in keys}
    for i in records.incidents:
        if only is not None and i.incident_id not in only:
            continue
        row = stats["*" if pooled else i.class_id]
        row.n += 1
        row.unresolved += i.lead is None
        row.ttm.append(i.time_to_mitigate)
        row.breaches += i.slo_breached
        row.escalated += bool(i.escalations)
        row.escalations += len(i.escalations)
        row.informal += sum(e.kind is EscalationKind.INFORMAL for e in i.escalations)
        row.struggled += i.struggled
        row.hero += i.hero_involved
    for row in stats.values():
        # float32 arrays pickle compactly: a replication's result stays small.
        row.ttm = np.asarray(row.ttm, dtype=np.float32)
    return stats["*"] if pooled else stats


def _release_stats(records: RunRecords, days: int) -> ArmRow:
    """Release flow of one arm: change delays in hours (a change still waiting at the end of
    the window counts its wait so far), releases, and failed releases."""
    end = days * MINUTES_PER_DAY
    delays = [((c.shipped if c.shipped is not None else max(end, c.intended)) - c.intended)
              / 60.0 for c in records.changes]
    releases = {c.release: c.failed for c in records.changes if c.release is not None}
    return ArmRow(np.asarray(delays, dtype=np.float32), n=len(releases),
                  breaches=sum(releases.values()))


def release_verdict(present: dict, absent: dict, criteria: IndependenceCriteria
                    ) -> tuple[Verdict, list[str]]:
    """Releases are independent when the hero-absent release delay and failure rate stay
    within the criteria."""
    notes = []
    if present["ttm_p90"] is None or absent["ttm_p90"] is None:
        return Verdict.INDEPENDENT, ["no changes in the evaluation window"]
    delay = absent["ttm_p90"] - present["ttm_p90"]
    failures = (absent["breach_rate"] or 0.0) - (present["breach_rate"] or 0.0)
    delay_ok = delay <= criteria.max_added_release_delay_hours
    failures_ok = failures <= criteria.max_added_change_failure_rate
    if delay_ok and failures_ok:
        return Verdict.INDEPENDENT, notes
    if not delay_ok:
        notes.append(f"p90 release delay +{delay:.0f} h without the heroes (at most "
                     f"+{criteria.max_added_release_delay_hours:g} h)")
    if not failures_ok:
        notes.append(f"change-failure rate {failures:+.0%} without the heroes (at most "
                     f"{criteria.max_added_change_failure_rate:+.0%})")
    close = (delay <= criteria.max_added_release_delay_hours * criteria.partly_factor
             and failures <= criteria.max_added_change_failure_rate * criteria.partly_factor)
    return (Verdict.PARTLY if close else Verdict.DEPENDENT), notes


def _hero_interruptions(records: RunRecords, heroes: Sequence[str], days: int,
                        probes: set[int]) -> float:
    """Interruptions of the heroes per week, probes left out (they are not real load)."""
    hero_set = set(heroes)
    return sum(1 for x in records.interruptions
               if x.person in hero_set and x.incident_id not in probes) / (days / 7)


def plan_hours(
    records: RunRecords, until: float, heroes: Sequence[str], pairing_overhead: float
) -> tuple[float, float]:
    """Hero and learner hours a plan cost up to minute `until`.

    Explicit costs of actions (runbooks, drills, fixes) plus the live practice they caused:
    hero backup time, the pairing overhead on the hero's own work, and the learners' time
    pairing, shadowing and leading with backup.
    """
    hero_set = set(heroes)
    hero = sum(c.hero_hours for c in records.plan_costs if c.at <= until)
    learner = sum(c.learner_hours for c in records.plan_costs if c.at <= until)
    paired: set[int] = set()
    backed: set[int] = set()
    for span in records.work:
        if span.start > until:
            continue
        minutes = span.end - span.start
        if span.role is Role.BACKUP:
            hero += minutes / 60
            backed.add(span.incident_id)
        elif span.role in (Role.PAIRED, Role.SHADOW):
            learner += minutes / 60
            if span.role is Role.PAIRED:
                paired.add(span.incident_id)
    overhead = 0.0
    if paired or backed:
        for span in records.work:
            if span.start > until or span.role is not Role.LED:
                continue
            if span.incident_id in paired and span.person in hero_set:
                overhead += (span.end - span.start) / 60
            elif span.incident_id in backed and span.person not in hero_set:
                learner += (span.end - span.start) / 60
    # Pairing stretches the hero's work by (1 + o): the stretch is o / (1 + o) of the span.
    return hero + overhead * pairing_overhead / (1 + pairing_overhead), learner


# -- pooling and verdicts -----------------------------------------------------------------------


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
        step = max(1, _CELLS_AT_ONCE // n)  # resamples per block: bounded memory
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
                 for key in ("breaches", "escalated", "escalations", "informal", "hero")}
        p50s, p90s = quantiles.T.tolist()
        return [{
            "n": int(round(n)),
            "ttm_p50": p50s[s] if has else None,
            "ttm_p90": p90s[s] if has else None,
            "breach_rate": rates["breaches"][s],
            "escalation_rate": rates["escalated"][s],
            "escalations_per_incident": rates["escalations"][s],
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

    def __init__(self, spec: CheckSpec, reps: list[dict] | None = None,
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
        self._skills: dict[int, dict] = {}
        self.by_class: dict[tuple[int, str, str], Pooled] = {}
        self.overall: dict[tuple[int, str], Pooled] = {}
        self.effective: dict[tuple[int, str], np.ndarray] = {}
        self.releases: dict[tuple[int, str], Pooled] = {}
        self.resampled_firsts: np.ndarray | None = None  # set by the bootstrap
        if reps is not None:
            for r, rep in enumerate(reps):
                self.add(rep, r)
            self.finish()

    def _cell(self, key: tuple, r: int, row) -> None:
        cell = self._times.get(key)
        if cell is None:
            # Flat growing buffers: 8 bytes a time, no object per replication.
            cell = self._times[key] = (array("f"), array("i"))
            self._counts[key] = np.zeros((self.replications, len(COUNT_KEYS)), dtype=np.int32)
        times = np.asarray(row["ttm"], dtype=np.float32)
        cell[0].frombytes(times.tobytes())
        cell[1].extend([r] * times.size)
        self._counts[key][r] = [row[k] for k in COUNT_KEYS]

    def add(self, rep: dict, r: int | None = None) -> None:
        """Take in one replication (`r`: its position; default: its replication index)."""
        r = rep["replication"] if r is None else r
        for index, point in enumerate(rep["checkpoints"]):
            for arm in ARMS:
                for cid in self.classes:
                    self._cell((index, arm, cid), r, point["arms"][arm][cid])
                self._cell((index, arm, "*"), r, point["overall_arms"][arm])
                if point.get("releases"):
                    self._cell((index, arm, "releases"), r, point["releases"][arm])
            for key, table in self.scalars.items():
                table[index, r] = point[key]
            for k, cid in enumerate(self.classes):
                self._effective[index, k, r] = point["effective"][cid]
            if point.get("skills"):
                # Kept per replication and averaged at the end: a sum in arrival order would
                # make the figures depend on how many workers ran.
                table = self._skills.setdefault(index, {})
                for person, row in point["skills"].items():
                    for cid, (knowledge, confidence) in row.items():
                        cell = table.setdefault(person, {}).setdefault(
                            cid, np.zeros((2, self.replications)))
                        cell[:, r] = knowledge, confidence

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
        self._times, self._counts = {}, {}

    def mean_skills(self, index: int) -> dict:
        """Mean knowledge and confidence per person and class at a checkpoint (start or end)."""
        table = self._skills.get(index, {})
        return {p: {c: {"knowledge": float(kc[0].mean()), "confidence": float(kc[1].mean())}
                    for c, kc in row.items()} for p, row in table.items()}

    def class_row(self, index: int, cls, weights: np.ndarray | None = None) -> dict:
        """One class at one checkpoint: pooled arms, criteria and verdict."""
        scenario = self.spec.scenario
        w = self.ones if weights is None else weights
        present = self.by_class[index, "present", cls.id].stats(w)
        absent = self.by_class[index, "absent", cls.id].stats(w)
        effective = float(self.effective[index, cls.id] @ w / w.sum())
        critical = scenario.service(cls.service).critical
        verdict, ratio, added, notes = class_verdict(
            present, absent, effective, critical, scenario.independence)
        return {
            "verdict": verdict.value,
            "specialty": cls.specialty,
            "critical": critical,
            "present": present,
            "absent": absent,
            "p90_ratio": ratio,
            "added_breach_rate": added,
            "effective_responders": effective,
            "notes": notes,
        }

    def release_row(self, index: int, weights: np.ndarray | None = None) -> dict | None:
        """Release flow at one checkpoint, hero present vs absent, and its verdict."""
        if (index, "present") not in self.releases:
            return None
        w = self.ones if weights is None else weights
        present = self.releases[index, "present"].stats(w)
        absent = self.releases[index, "absent"].stats(w)
        verdict, notes = release_verdict(present, absent, self.spec.criteria)

        def flow(row: dict) -> dict:
            return {"releases": row["n"], "delay_p50_hours": row["ttm_p50"],
                    "delay_p90_hours": row["ttm_p90"], "failure_rate": row["breach_rate"]}

        return {"verdict": verdict.value, "present": flow(present), "absent": flow(absent),
                "notes": notes}

    def passes(self, index: int, weights: np.ndarray | None = None) -> bool:
        """Every non-specialty class, and the release flow, independent at this checkpoint."""
        if not all(
            self.class_row(index, c, weights)["verdict"] == Verdict.INDEPENDENT.value
            for c in self.spec.scenario.classes if not c.specialty
        ):
            return False
        releases = self.release_row(index, weights)
        return releases is None or releases["verdict"] == Verdict.INDEPENDENT.value

    def first_passing_week(self, weights: np.ndarray | None = None) -> int | None:
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
        passed = np.ones(weights.shape[0], dtype=bool)
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

    def overall_figures_many(self, index: int, arm: str, weights: np.ndarray) -> list[tuple]:
        """`overall_figures` for every row of `weights` (resamples x replications, whole
        numbers) at once."""
        pooled = self.overall[index, arm]
        quantiles, some = pooled.percentiles_many((90,), weights)
        totals = dict(zip(COUNT_KEYS, (pooled.matrix @ np.asarray(weights, dtype=float).T)
                          .tolist()))
        return [(p90 if has else None, escalated / n if n else None,
                 escalations / n if n else None)
                for p90, has, n, escalated, escalations in zip(
                    quantiles[:, 0].tolist(), some.tolist(), totals["n"], totals["escalated"],
                    totals["escalations"])]

    def overall_figures(self, index: int, arm: str, weights: np.ndarray | None = None):
        """p90 time to mitigate and escalation rate over all classes of one arm."""
        w = self.ones if weights is None else weights
        pooled = self.overall[index, arm]
        quantiles = pooled.percentiles((90,), w)
        n = pooled.total("n", w)
        return (quantiles[0] if quantiles else None,
                pooled.total("escalated", w) / n if n else None,
                pooled.total("escalations", w) / n if n else None)


def class_verdict(
    present: dict, absent: dict, effective: float, critical: bool,
    criteria: IndependenceCriteria,
) -> tuple[Verdict, float | None, float | None, list[str]]:
    """Verdict of one class at one checkpoint: (verdict, p90 ratio, added breaches, notes)."""
    notes = []
    needed = criteria.min_effective_responders if critical else 1
    enough = effective >= needed
    if not enough:
        notes.append(f"{effective:.1f} non-hero effective responders, {needed} needed")
    if not present["n"] or present["ttm_p90"] is None:
        notes.append("no incidents in the evaluation window: judged by effective responders")
        return (Verdict.INDEPENDENT if enough else Verdict.DEPENDENT), None, None, notes
    if absent["ttm_p90"] is None:
        notes.append("without the heroes nobody could work any of its incidents")
        return Verdict.DEPENDENT, None, absent["breach_rate"] - present["breach_rate"], notes
    ratio = absent["ttm_p90"] / present["ttm_p90"] if present["ttm_p90"] > 0 else None
    added = absent["breach_rate"] - present["breach_rate"]
    if absent["unresolved"]:
        notes.append(f"{absent['unresolved']} incidents nobody could work without the heroes")
    ratio_ok = ratio is not None and ratio <= criteria.max_p90_ratio and not absent["unresolved"]
    added_ok = added <= criteria.max_added_breach_rate
    if ratio_ok and added_ok and enough:
        return Verdict.INDEPENDENT, ratio, added, notes
    if ratio is not None and not ratio_ok:
        notes.append(f"p90 {ratio:.2f}x slower without the heroes "
                     f"(at most {criteria.max_p90_ratio:g}x)")
    if not added_ok:
        notes.append(f"{added:+.1%} SLO breaches without the heroes "
                     f"(at most {criteria.max_added_breach_rate:+.1%})")
    close = (
        ratio is not None and ratio <= criteria.max_p90_ratio * criteria.partly_factor
        and added <= criteria.max_added_breach_rate * criteria.partly_factor
        and not absent["unresolved"]
    )
    return (Verdict.PARTLY if close else Verdict.DEPENDENT), ratio, added, notes


def _interval(values: list[float]) -> dict:
    arr = np.asarray(values, dtype=float)
    return {"mean": float(arr.mean()), "low": float(np.percentile(arr, 2.5)),
            "high": float(np.percentile(arr, 97.5))}


# -- the whole check ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckResult:
    """The independence check, usable from Python; `to_json()` is independence.json."""

    spec: CheckSpec
    replications: int
    document: dict

    @property
    def passed(self) -> bool:
        return bool(self.document["final"]["passed"])

    def to_json(self) -> dict:
        return self.document


def run_check(
    scenario: Scenario,
    plan: Plan | None = None,
    weeks: int = 26,
    every: int = 4,
    replications: int = 20,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
    executor: Executor | None = None,
) -> CheckResult:
    """Run the independence check of `plan` (or of today's team, with no plan).

    Args:
        scenario: the team; its `independence` section holds the pass criteria.
        plan: the transfer plan, or None for today's team.
        weeks: weeks the plan runs; every: weeks between checkpoints.
        replications: independent replications; seed: the root seed.
        workers, progress, executor: as in `sim.analysis.replicate.run_tasks`.
    """
    spec = CheckSpec(scenario, plan, weeks, every, seed)
    data = CheckData(spec, replications=replications)
    run_tasks(check_replication, [(spec, r) for r in range(replications)],
              workers, progress, executor, consume=lambda i, rep: data.add(rep, i))
    data.finish()
    return CheckResult(spec, replications, summarize_check(spec, data=data))


def summarize_check(spec: CheckSpec, reps: list[dict] | None = None,
                    data: CheckData | None = None) -> dict:
    """The independence.json document from the per-replication results, or from their pooled
    form (`data`) when the caller built it."""
    scenario = spec.scenario
    weeks = spec.checkpoints
    data = data if data is not None else CheckData(spec, reps)
    checkpoints = []
    for index, week in enumerate(weeks):
        classes = {c.id: data.class_row(index, c) for c in scenario.classes}
        releases = data.release_row(index)
        passed = data.passes(index)
        present_p90, present_esc, present_hops = data.overall_figures(index, "present")
        absent_p90, absent_esc, absent_hops = data.overall_figures(index, "absent")
        checkpoints.append({
            "week": week,
            "passed": passed,
            "classes": classes,
            "releases": releases,
            "overall": {
                "present_p90": present_p90, "absent_p90": absent_p90,
                "p90_ratio": absent_p90 / present_p90 if absent_p90 and present_p90 else None,
                "present_escalation_rate": present_esc, "absent_escalation_rate": absent_esc,
                "present_escalations_per_incident": present_hops,
                "absent_escalations_per_incident": absent_hops,
            },
            "hero_interruptions_per_week": _interval(
                data.scalars["hero_interruptions_per_week"][index]),
            "plan_hero_hours": _interval(
                data.scalars["plan_hero_hours"][index]),
            "plan_learner_hours": _interval(
                data.scalars["plan_learner_hours"][index]),
        })
    first = next((c["week"] for c in checkpoints if c["passed"]), None)
    bands = _bootstrap(data)
    for checkpoint, band in zip(checkpoints, bands["curves"]):
        checkpoint["overall"]["bands"] = band
    final = checkpoints[-1]
    stuck = [(cid, row) for cid, row in final["classes"].items()
             if row["verdict"] != Verdict.INDEPENDENT.value and not row["specialty"]]
    releases_stuck = bool(final["releases"]) and (
        final["releases"]["verdict"] != Verdict.INDEPENDENT.value)
    # The plan's final state is simulated once for all the reasons, and only if needed.
    state = _final_state(spec) if stuck or releases_stuck else None
    holding_back = [
        {"class": cid, "verdict": row["verdict"],
         "reasons": diagnose(spec, data, cid, state) + row["notes"]}
        for cid, row in stuck
    ]
    if releases_stuck:
        holding_back.append({"class": "releases", "verdict": final["releases"]["verdict"],
                             "reasons": _release_reasons(spec, state)
                             + final["releases"]["notes"]})
    specialty = {cid: row["verdict"] for cid, row in final["classes"].items() if row["specialty"]}
    return {
        "herosim_version": __version__,
        "scenario": scenario.name,
        "plan": spec.plan.name if spec.plan else None,
        "weeks": spec.weeks,
        "every": spec.every,
        "replications": data.replications,
        "seed": spec.seed,
        "evaluation_days": spec.criteria.evaluation_days,
        "heroes": list(scenario.heroes),
        "criteria": spec.criteria.model_dump(mode="json"),
        "checkpoints": checkpoints,
        "time_to_independence": {
            "week": first,
            "low": bands["first_low"],
            "high": bands["first_high"],
            "reached_share": bands["reached_share"],
        },
        "final": {
            "week": final["week"],
            "passed": final["passed"],
            "verdict": "independent" if final["passed"] else "not independent",
            "holding_back": holding_back,
            "specialty": specialty,
        },
        "skills": {
            "start": data.mean_skills(0),
            "end": data.mean_skills(len(weeks) - 1),
        },
    }


def resampling_weights(seed: int, replications: int, samples: int = BOOTSTRAP_SAMPLES):
    """Bootstrap weight vectors over replications (how often each is drawn), seeded.

    Used jointly across plans in a comparison: the same vector for every plan keeps each
    replication's common random numbers paired.
    """
    rng = stream(seed, ANALYSIS, Purpose.BOOTSTRAP)
    if replications < 2:
        return [np.ones(replications)]
    return [np.bincount(rng.integers(0, replications, replications), minlength=replications)
            .astype(float) for _ in range(samples)]


def _bootstrap(data: CheckData) -> dict:
    """Resample replications: intervals of time to independence and of the curves.

    All resamples are evaluated together (one weight matrix), which gives the very figures of
    evaluating them one by one (`first_passing_week`, `overall_figures`), in far less time.
    """
    weeks = data.spec.checkpoints
    weights = np.array(resampling_weights(data.spec.seed, data.replications))
    arr = data.first_passing_weeks(weights)
    curves: list[list[tuple]] = []
    for index in range(len(weeks)):
        present = data.overall_figures_many(index, "present", weights)
        absent = data.overall_figures_many(index, "absent", weights)
        curves.append([(*p[:2], *a[:2]) for p, a in zip(present, absent)])
    # Kept for a comparison, which resamples with the very same weights.
    data.resampled_firsts = arr
    # "Not reached" sorts after every week; an interval end there means "not reached".
    never = weeks[-1] + 1
    low, high = np.percentile(np.where(np.isfinite(arr), arr, never), [2.5, 97.5],
                              method="inverted_cdf")
    return {
        "first_low": None if low >= never else float(low),
        "first_high": None if high >= never else float(high),
        "reached_share": float(np.mean(np.isfinite(arr))),
        "curves": [_bands(c) for c in curves],
    }


def _bands(samples: list[tuple]) -> dict:
    names = ("present_p90", "present_escalation_rate", "absent_p90", "absent_escalation_rate")
    out = {}
    for i, name in enumerate(names):
        values = [s[i] for s in samples if s[i] is not None]
        out[name] = (
            [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]
            if values else None
        )
    return out


def diagnose(spec: CheckSpec, data: CheckData, class_id: str, state=None) -> list[str]:
    """Why a class still holds the team back at the end: access, knowledge, confidence,
    rotation, conditions. `state`: the plan's final state, if already simulated."""
    scenario = spec.scenario
    cls = scenario.incident_class(class_id)
    heroes = set(scenario.heroes)
    width = scenario.behaviour.skill_sharpness
    skills = data.mean_skills(len(spec.checkpoints) - 1)
    state = state if state is not None else _final_state(spec)
    reasons = []
    requires = state.requires[class_id]
    if requires and set(requires) <= heroes:
        reasons.append(f"requires: only {', '.join(requires)} has the access the fix needs")
    others = [p.id for p in scenario.people if p.id not in heroes]
    t = spec.weeks * 7 * MINUTES_PER_DAY
    can_fix = {
        p: ramp(state.runbooks.knowledge(skills[p][class_id]["knowledge"], class_id, t)
                - cls.difficulty, width) >= 0.5
        for p in others
    }
    will_lead = {p: ramp(skills[p][class_id]["confidence"] - cls.difficulty, width) >= 0.5
                 for p in others}
    if not any(can_fix.values()):
        best = max(others, key=lambda p: skills[p][class_id]["knowledge"], default=None)
        if best is not None:
            reasons.append(
                f"knowledge: nobody but the heroes can fix it (best: {best}, knowledge "
                f"{skills[best][class_id]['knowledge']:.2f} vs difficulty {cls.difficulty:.2f})")
    hesitant = [p for p in others if can_fix[p] and not will_lead[p]]
    if hesitant:
        reasons.append(
            "confidence: " + ", ".join(
                f"{p} (confidence {skills[p][class_id]['confidence']:.2f})" for p in hesitant)
            + f" could fix it but would not lead it (difficulty {cls.difficulty:.2f}): "
            "hesitation sends it to the heroes")
    capable = {p for p in others if can_fix[p] and will_lead[p]}
    on_path = _escalation_path(scenario, state)
    if capable and not capable & on_path:
        reasons.append(f"rotation: the people who could handle it ({', '.join(sorted(capable))})"
                       " are not on the rotation or the escalation path")
    rota = {m for layer in ("primary", "secondary")
            for m in members_of(state.schedules.get(layer))}
    if rota and rota <= heroes:
        reasons.append("rotation: only heroes are on call")
    elif _backstop_is_heroes(scenario, state, heroes):
        reasons.append("escalation: after the primary the policy pages only heroes; without "
                       "them a page that the primary cannot handle waits out the timeouts")
    if state.observability >= 1.5:
        reasons.append(f"condition: observability x{state.observability:g} slows diagnosis")
    if state.routing_ambiguity >= 0.2:
        reasons.append(f"condition: {state.routing_ambiguity:.0%} of pages land on the wrong "
                       "person first")
    return reasons


def _release_reasons(spec: CheckSpec, state=None) -> list[str]:
    """Why release flow still depends on the heroes: a `needs` gate naming them."""
    state = state if state is not None else _final_state(spec)
    heroes = set(spec.scenario.heroes)
    reasons = []
    for service in spec.scenario.services:
        if service.changes is None:
            continue
        needs = state.needs.get(service.id, ())
        if needs and set(needs) <= heroes:
            policy = service.changes.when_needed_absent.value
            reasons.append(f"needs gate: {service.id} changes only feel safe with "
                           f"{', '.join(needs)} present (policy: {policy})")
    return reasons


def _final_state(spec: CheckSpec):
    """The plan's state at its end (deterministic: plans act on dates, not on chance)."""
    model = TeamModel(spec.scenario, spec.weeks * 7, spec.seed, ANALYSIS, plan=spec.plan,
                      arrivals=[])
    model.run()
    return model.state


def _escalation_path(scenario: Scenario, state) -> set[str]:
    path: set[str] = set()
    for level in scenario.policy.levels:
        if level.target.value == "team":
            return {p.id for p in scenario.people}
        if level.target.value == "people":
            path.update(level.people)
    for layer in ("primary", "secondary", "shadow"):
        path.update(members_of(state.schedules.get(layer)))
    return path


def _backstop_is_heroes(scenario: Scenario, state, heroes: set[str]) -> bool:
    """Whether every level after the first pages heroes only (no team level)."""
    backstop: set[str] = set()
    for level in scenario.policy.levels[1:]:
        target = level.target.value
        if target == "team":
            return False
        if target == "people":
            backstop.update(level.people)
        elif target == "secondary":
            backstop.update(members_of(state.schedules.get("secondary")))
        elif target == "primary":
            backstop.update(members_of(state.schedules.get("primary")))
    return bool(backstop) and backstop <= heroes
