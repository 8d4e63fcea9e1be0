"""A scenario fitted from incident history, and the check that it reproduces that history.

The method (docs/history.md, "Calibration", has the reasoning):

1. **Rates**: incidents per class over the observation window; a weekly profile (business /
   off / sleep hour levels) when a chi-square test says the hours differ (p < 0.01, n >= 30).
2. **People's speed**: a person's *work time* on an incident they resolved alone (time to
   resolve minus time to acknowledge) is the expert's time stretched by the engine's factor
   1 + slowdown x (1 - k). Relative to the fastest person with at least 3 solo resolutions,
   a person's median ratio r gives knowledge k = 1 - (r - 1) / slowdown.
3. **Work times**: every solo work time divided by its resolver's factor is an expert sample;
   their median and p90 give the class's lognormal.
4. **Solo share -> confidence**: among incidents a person was paged for first, the share they
   resolved alone, s, is P(can fix) x P(will lead) in the engine; with difficulty 0.5 (the
   scale's midpoint: difficulty and knowledge are not separately identifiable from history),
   confidence is set so P(will lead) = s / P(can fix). People who resolved escalated incidents
   but never alone get knowledge 0.9 (speed unobservable); people paged first who never
   resolved get 0.3.
5. **Rotation and policy**: the primary schedule (members, period, hand-off hour) that best
   predicts who was paged first; the person most escalated to as the secondary; the default
   policy. Ack medians per hour class; the informal-pull chance from hand-offs that went to a
   person outside the assignments (a responder request or a direct message).
6. **Correction by simulation**: the class work medians are rescaled (a few fixed-point steps)
   until the simulated median time to resolve per class matches history.

`self_consistency` runs the fitted scenario and compares: median time to resolve per class,
and the share of incidents touching the top person.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np

from sim.analysis.heromap import hero_map, touch_share
from sim.analysis.replicate import run_tasks
from sim.inputs.generate import pagerduty_history, slug
from sim.inputs.history import (
    History,
    HistoryIncident,
    history_from_records,
    hour_class,
)
from sim.model import Arrival, TeamModel
from sim.model.rng import Purpose, stream
from sim.schema import (
    HOURS_PER_WEEK,
    MINUTES_PER_DAY,
    Behaviour,
    HourClass,
    Scenario,
)

DIFFICULTY = 0.5
MIN_SOLO_FOR_FASTEST = 3
PROFILE_MIN_INCIDENTS = 30
PROFILE_P_VALUE = 0.01
CORRECTION_STEPS = 3
DEFAULT_TIMEOUT = 15.0  # minutes: the default policy's acknowledgement timeout
CORRECTION_REPLICATIONS = 8


@dataclass
class Calibration:
    """A fitted scenario, its commented YAML, and the evidence behind it."""

    scenario: Scenario
    yaml: str
    people: dict[str, str]  # history name -> scenario person id
    classes: dict[str, str]  # history class -> scenario class id
    heroes: list[str]
    evidence: dict = field(default_factory=dict)
    consistency: dict | None = None

    def to_json(self) -> dict:
        return {"scenario": self.scenario.name, "people": self.people, "classes": self.classes,
                "heroes": self.heroes, "evidence": self.evidence,
                "consistency": self.consistency}


def calibrate(
    history: History,
    name: str = "calibrated",
    timezone: str = "UTC",
    seed: int = 0,
    correct: bool = True,
    check: bool = True,
    workers: int = 1,
) -> Calibration:
    """Fit a scenario to `history` (see the module docstring for the method).

    Args:
        history: imported incidents.
        name: the scenario's name (an identifier).
        timezone: the team's zone (hour classes, schedule hand-offs).
        seed: seed of the correction and consistency simulations.
        correct: rescale work medians by simulation until class medians match.
        check: run the self-consistency check and keep its figures.
        workers: local processes for the simulations (results do not depend on it).
    """
    zone = ZoneInfo(timezone)
    fit = _Fit(history, zone)
    heromap = hero_map(history, by="class", timezone=timezone)
    heroes = [fit.person_id[h["person"]] for h in heromap["heroes"]]
    doc, notes = fit.scenario_document(name, timezone, heroes)
    scenario = Scenario.model_validate(doc)
    if correct:
        scenario, doc, notes = _correct(scenario, doc, notes, history, fit, seed, workers)
    consistency = self_consistency(scenario, history, fit.class_id, seed=seed,
                                   workers=workers) if check else None
    text = render_yaml(doc, notes, history, heromap)
    return Calibration(scenario, text, dict(fit.person_id), dict(fit.class_id), heroes,
                       fit.evidence, consistency)


class _Fit:
    """The statistics of a history that the scenario is built from."""

    def __init__(self, history: History, zone: ZoneInfo):
        self.history = history
        self.zone = zone
        self.person_id = _ids(history.people)
        self.class_id = _ids(history.classes)
        self.service_id = _ids(sorted({i.service for i in history.incidents}))
        self.by_class: dict[str, list[HistoryIncident]] = defaultdict(list)
        for i in history.incidents:
            self.by_class[i.class_id].append(i)
        self.first_responders = {i.first_responder for i in history.incidents
                                 if i.first_responder}
        self.evidence: dict = {}
        self.period = (f"{history.start.date().isoformat()} to "
                       f"{history.end.date().isoformat()}, {history.weeks:.1f} weeks")

    # -- the document -----------------------------------------------------------------------

    def scenario_document(self, name: str, timezone: str, heroes: list[str]):
        h = self.history
        notes: dict[tuple, str] = {}
        start = h.start.astimezone(self.zone).date()
        start -= dt.timedelta(days=start.weekday())
        classes, skills = [], defaultdict(dict)
        for raw in sorted(self.by_class):
            cls, class_notes, people = self._class(raw)
            index = len(classes)
            classes.append(cls)
            for key, note in class_notes.items():
                notes[("classes", index, *key)] = note
            for person, (skill, note) in people.items():
                skills[person][cls["id"]] = skill
                notes[("skill", person, cls["id"])] = note
        severity = {c["service"]: [] for c in classes}
        for c in classes:
            severity[c["service"]].append(c["severity"])
        services = [{"id": s, "critical": "sev1" in severity.get(s, [])}
                    for s in self.service_id.values()]
        people = []
        for raw, pid in self.person_id.items():
            person = {"id": pid, "name": raw[:200], "timezone": timezone}
            if skills[pid]:
                person["skills"] = skills[pid]
            people.append(person)
        rotation, rotation_notes = self._rotation(start, timezone)
        notes.update(rotation_notes)
        behaviour, behaviour_notes = self._behaviour()
        notes.update(behaviour_notes)
        pull, pull_note = self._informal_pull()
        notes[("informal_pull",)] = pull_note
        doc = {
            "name": name,
            "description": f"Fitted by herosim calibrate from {len(h.incidents)} incidents, "
                           f"{self.period}.",
            "timezone": timezone,
            "start_date": start.isoformat(),
            "services": services,
            "classes": classes,
            "people": people,
            "heroes": heroes,
            "rotation": rotation,
            "conditions": {"informal_pull": pull},
            "behaviour": behaviour,
        }
        return doc, notes

    def _class(self, raw: str):
        items = self.by_class[raw]
        n = len(items)
        weeks = self.history.weeks
        severity = Counter(i.severity for i in items).most_common(1)[0][0]
        service = Counter(i.service for i in items).most_common(1)[0][0]
        rate = n / weeks
        notes = {
            ("rate_per_week",): f"{n} incidents in {self.period}",
            ("severity",): f"most common of {n} (priority/urgency)",
        }
        cls = {"id": self.class_id[raw], "service": self.service_id[service],
               "severity": severity.value, "rate_per_week": _round(rate, 3),
               "difficulty": DIFFICULTY}
        profile, profile_note = self._profile(items)
        if profile is not None:
            cls["weekly_profile"] = profile
        notes[("weekly_profile",)] = profile_note
        speed = self._speeds(items)
        median, p90, expert_n = speed["median"], speed["p90"], speed["n"]
        cls["work_minutes"] = {"median": _round(median, 1), "p90": _round(max(p90, median), 1)}
        notes[("work_minutes",)] = (
            f"lognormal from {expert_n} solo resolutions, each divided by its resolver's "
            f"speed factor" if expert_n else
            "no solo resolution: from the median time to resolve")
        ttr = sorted(i.minutes_to_resolve for i in items if i.minutes_to_resolve is not None)
        p90_ttr = ttr[int(0.9 * (len(ttr) - 1))] if ttr else 60.0
        cls["slo_minutes"] = float(max(15, math.ceil(p90_ttr / 15) * 15))
        notes[("slo_minutes",)] = ("not in the history: the history's p90 time to resolve, "
                                   "rounded up; put your real SLO here")
        self.evidence[cls["id"]] = {"incidents": n, "solo_resolutions": expert_n,
                                    "fastest": speed["fastest"], "speed": speed["ratios"]}
        return cls, notes, self._skills(items, speed)

    def _profile(self, items: list[HistoryIncident]):
        counts = Counter(hour_class(i.created_at, self.zone) for i in items)
        hours = _hours_per_class()
        n = len(items)
        observed = [counts.get(h, 0) for h in HourClass]
        expected = [n * hours[h] / HOURS_PER_WEEK for h in HourClass]
        if n < PROFILE_MIN_INCIDENTS:
            return None, f"flat: {n} incidents are too few to fit a weekly profile (< 30)"
        from scipy import (
            stats,  # here: importing scipy costs most commands half a second
        )

        p = float(stats.chisquare(observed, expected).pvalue)
        if p >= PROFILE_P_VALUE:
            return None, (f"flat: arrivals by business/off/sleep hours ({observed[0]}/"
                          f"{observed[1]}/{observed[2]}) do not differ from even (p = {p:.2f})")
        level = {h: (counts.get(h, 0) + 0.5) / hours[h] for h in HourClass}
        total = sum(level.values())
        profile = [_round(level[_hour_class_of(hour)] / total * 3, 3)
                   for hour in range(HOURS_PER_WEEK)]
        return profile, (f"business/off/sleep hour levels from {observed[0]}/{observed[1]}/"
                         f"{observed[2]} incidents (chi-square p = {p:.1e}), scenario zone")

    def _speeds(self, items: list[HistoryIncident]) -> dict:
        slowdown = Behaviour().knowledge_slowdown
        work: dict[str, list[float]] = defaultdict(list)
        for i in items:
            minutes = _work_minutes(i)
            if i.solo and minutes is not None:
                work[i.handler].append(minutes)
        medians = {p: statistics.median(w) for p, w in work.items()}
        eligible = {p: m for p, m in medians.items() if len(work[p]) >= MIN_SOLO_FOR_FASTEST}
        pool = eligible or medians
        fastest = min(pool, key=lambda p: (pool[p], p)) if pool else None
        ratios, knowledge, samples = {}, {}, []
        for p, m in medians.items():
            r = max(1.0, m / pool[fastest]) if pool[fastest] > 0 else 1.0
            k = min(1.0, max(0.05, 1.0 - (r - 1.0) / slowdown))
            ratios[self.person_id[p]] = round(r, 3)
            knowledge[p] = k
            factor = 1.0 + slowdown * (1.0 - k)
            samples += [w / factor for w in work[p]]
        if samples:
            median = float(np.median(samples))
            p90 = float(np.quantile(samples, 0.9))
        else:
            ttr = [i.minutes_to_resolve for i in items if i.minutes_to_resolve is not None]
            median = float(np.median(ttr)) if ttr else 30.0
            p90 = 3 * median
        median = max(median, 0.5)
        return {"median": median, "p90": max(p90, median), "n": len(samples),
                "fastest": self.person_id.get(fastest) if fastest else None,
                "ratios": ratios, "knowledge": knowledge, "work": work}

    def _skills(self, items: list[HistoryIncident], speed: dict) -> dict:
        width = Behaviour().skill_sharpness
        # Paged first and acknowledged: a page that timed out says nothing about skill.
        first: Counter = Counter(i.first_responder for i in items
                                 if i.first_responder and i.first_responder in i.acknowledged)
        solo: Counter = Counter(i.handler for i in items if i.solo)
        rescued: Counter = Counter(i.handler for i in items
                                   if i.handler and not i.solo and i.handler != i.first_responder)
        out = {}
        # People who take pages (first responders in any class) but have no evidence in this
        # one get the class's pooled solo share: unseen is not the same as unable.
        pooled = sum(solo.values()) / sum(first.values()) if first else 0.0
        for raw in self.first_responders - set(first) - set(rescued) - set(speed["knowledge"]):
            if pooled > 0:
                k = DIFFICULTY + width * (math.sqrt(pooled) - 0.5)
                out[self.person_id[raw]] = (_round(k, 2), (
                    f"no evidence for this class: the class's pooled solo share "
                    f"{sum(solo.values())}/{sum(first.values())}"))
        for raw in set(first) | set(rescued) | set(speed["knowledge"]):
            pid = self.person_id[raw]
            n_first, n_solo = first.get(raw, 0), solo.get(raw, 0)
            s = n_solo / n_first if n_first else None
            if raw in speed["knowledge"]:
                k = speed["knowledge"][raw]
                how = (f"speed x{speed['ratios'][pid]:.2f} the fastest over "
                       f"{len(speed['work'][raw])} solo")
            elif rescued.get(raw):
                k = 0.9
                how = f"resolved {rescued[raw]} escalated, never alone: speed unobservable"
            else:
                k = 0.3
                how = "never resolved it"
            if s is None:
                out[pid] = (_round(k, 2), f"{how}; never paged first")
                continue
            can = _ramp(k - DIFFICULTY, width)
            if can < s:  # they solved more than their speed suggests they could
                k = DIFFICULTY + width * (math.sqrt(s) - 0.5)
                can = _ramp(k - DIFFICULTY, width)
            will = min(1.0, s / can) if can > 0 else 0.0
            c = DIFFICULTY + width * (will - 0.5) if will < 1.0 else max(k, DIFFICULTY + width)
            note = f"{how}; solo {n_solo}/{n_first} when paged first and acknowledging"
            out[pid] = ({"knowledge": _round(min(max(k, 0.0), 1.0), 2),
                         "confidence": _round(min(max(c, 0.0), 1.0), 2)}, note)
        return out

    def _rotation(self, start: dt.date, timezone: str):
        """The weekly (or daily, fortnightly) primary schedule that best explains who was
        paged first; the secondary likewise from who was paged next on escalated incidents."""
        origin = dt.datetime.combine(start, dt.time(), tzinfo=ZoneInfo(timezone))

        def minute(i: HistoryIncident) -> float:
            return (i.created_at - origin).total_seconds() / 60.0

        firsts = [(minute(i), i.first_responder) for i in self.history.incidents
                  if i.first_responder]
        primary, agree = _fit_schedule(firsts)
        if primary is None:
            members = [self.person_id[p] for p in self.history.people][:1]
            return {"primary": {"members": members}}, {
                ("rotation",): "nobody was ever assigned: a placeholder primary"}
        notes = {("rotation", "primary"): (
            f"the shift pattern that predicts the first person paged for {agree} of "
            f"{len(firsts)} incidents")}
        members = set(primary["members"])
        seconds = [(minute(i), i.assigned[1]) for i in self.history.incidents
                   if i.escalated and len(i.assigned) > 1 and i.assigned[1] not in members]
        escalated = sum(i.escalated for i in self.history.incidents)
        rotation = {"primary": _ids_in(primary, self.person_id)}
        secondary, agree2 = _fit_schedule(seconds)
        if secondary is not None and len(seconds) >= 0.5 * escalated:
            if len(secondary["members"]) == 1:
                secondary = {"members": secondary["members"]}
            rotation["secondary"] = _ids_in(secondary, self.person_id)
            notes[("rotation", "secondary")] = (
                f"predicts the second person paged for {agree2} of {len(seconds)} escalated "
                f"incidents paged beyond the primary ({escalated} escalated in all)")
        return rotation, notes

    def _behaviour(self):
        """Ack medians per hour class: an exponential fitted with right-censoring, since a
        page nobody acknowledged within the level's timeout is only known to take longer."""
        timeout = DEFAULT_TIMEOUT
        acked: dict[HourClass, list[float]] = defaultdict(list)
        censored: Counter = Counter()
        for i in self.history.incidents:
            klass = hour_class(i.created_at, self.zone)
            first = i.first_responder
            if first is None or i.minutes_to_ack is None:
                continue
            if first in i.acknowledged and i.minutes_to_ack < timeout:
                acked[klass].append(i.minutes_to_ack)
            elif i.timeout_escalation_count > 0 or i.minutes_to_ack >= timeout:
                censored[klass] += 1
        medians, notes = {}, {}
        defaults = Behaviour().ack_median_minutes
        parts = []
        for h in HourClass:
            n = len(acked[h])
            if n >= 5:
                exposure = sum(acked[h]) + censored[h] * timeout
                medians[h.value] = _round(min(math.log(2.0) * exposure / n, 240.0), 2)
                parts.append(f"{h.value} {n} acked + {censored[h]} timed out")
            else:
                medians[h.value] = defaults[h]
                parts.append(f"{h.value} default (n={n} < 5)")
        notes[("behaviour", "ack_median_minutes")] = (
            f"exponential fitted to the time to first ack, timeouts censored at "
            f"{timeout:g} min, by hour class: " + ", ".join(parts))
        return {"ack_median_minutes": medians}, notes

    def _informal_pull(self):
        handoffs = [i for i in self.history.incidents
                    if i.handler and i.first_responder and i.handler != i.first_responder]
        informal = [i for i in handoffs if i.handler not in i.assigned]
        if not handoffs:
            return 0.0, "no hand-offs in the history"
        share = len(informal) / len(handoffs)
        return _round(share, 3), (
            f"{len(informal)} of {len(handoffs)} hand-offs went to someone never assigned "
            "(a direct message or responder request)")


# -- correction and the consistency check -------------------------------------------------------


@dataclass(frozen=True)
class _SimSpec:
    scenario: Scenario
    days: int
    seed: int
    arrivals: tuple[Arrival, ...] | None = None
    without: tuple[str, ...] = ()


def simulate_history(spec: _SimSpec, replication: int) -> list[dict]:
    """One replication, written as PagerDuty rows (module level: it runs in workers)."""
    arrivals = list(spec.arrivals) if spec.arrivals is not None else None
    model = TeamModel(spec.scenario, spec.days, spec.seed, replication, spec.without,
                      arrivals=arrivals)
    records = model.run()
    team = [{"id": p.id, "user_id": p.id, "name": p.display_name} for p in spec.scenario.people]
    rng = stream(spec.seed, replication, Purpose.GENERATE)
    return pagerduty_history(spec.scenario, records, team, rng)["data"]


def simulated_histories(scenario: Scenario, days: int, replications: int, seed: int,
                        workers: int = 1, arrivals: Sequence[Arrival] | None = None,
                        without: Sequence[str] = (), progress=None) -> list[History]:
    """Simulate `replications` replications and import each as a History."""
    spec = _SimSpec(scenario, days, seed, tuple(arrivals) if arrivals is not None else None,
                    tuple(without))
    rows = run_tasks(simulate_history, [(spec, r) for r in range(replications)], workers,
                     progress)
    return [history_from_records(data, f"replication {r}") for r, data in enumerate(rows)]


def headline(history: History, class_id=lambda c: c, person=None) -> dict:
    """Per-class median time to resolve and the top person's share of incidents touched."""
    by: dict[str, list[float]] = defaultdict(list)
    for i in history.incidents:
        if i.minutes_to_resolve is not None:
            by[class_id(i.class_id)].append(i.minutes_to_resolve)
    touched = Counter(p for i in history.incidents for p in i.touched)
    top = person or (min(touched, key=lambda p: (-touched[p], p)) if touched else None)
    return {"ttr_p50": {c: statistics.median(v) for c, v in by.items()},
            "top_person": top, "top_touch_share": touch_share(history.incidents, top)}


def self_consistency(scenario: Scenario, history: History, class_ids: dict[str, str],
                     replications: int = 20, seed: int = 0, workers: int = 1) -> dict:
    """Run the scenario over the history's span and compare its headline figures.

    Returns per class the history's and the simulation's median time to resolve (pooled over
    replications) and their ratio, and the share of incidents touching the history's top
    person in both; `passed` applies the 15% / 5-point criteria.
    """
    real = headline(history, lambda c: class_ids.get(c, c))
    days = max(1, math.ceil(history.days))
    sims = simulated_histories(scenario, days, replications, seed, workers)
    pooled: dict[str, list[float]] = defaultdict(list)
    for sim in sims:
        for i in sim.incidents:
            if i.minutes_to_resolve is not None:
                pooled[i.class_id].append(i.minutes_to_resolve)
    incidents = [i for sim in sims for i in sim.incidents]
    top = real["top_person"]
    simulated_share = touch_share(incidents, top)
    classes = {}
    for c, value in real["ttr_p50"].items():
        sim_value = statistics.median(pooled[c]) if pooled.get(c) else None
        ratio = sim_value / value if sim_value is not None and value > 0 else None
        classes[c] = {"history_ttr_p50": value, "simulated_ttr_p50": sim_value,
                      "ratio": ratio, "within_15pct": ratio is not None
                      and abs(ratio - 1) <= 0.15}
    share_gap = (None if simulated_share is None or real["top_touch_share"] is None
                 else simulated_share - real["top_touch_share"])
    return {
        "replications": replications, "seed": seed, "days": days,
        "classes": classes,
        "top_person": top,
        "history_top_touch_share": real["top_touch_share"],
        "simulated_top_touch_share": simulated_share,
        "touch_share_gap": share_gap,
        "passed": all(c["within_15pct"] for c in classes.values())
        and share_gap is not None and abs(share_gap) <= 0.05,
    }


def _correct(scenario: Scenario, doc: dict, notes: dict, history: History, fit: _Fit,
             seed: int, workers: int):
    """Rescale class work medians until simulated median TTR per class matches history."""
    real = headline(history, lambda c: fit.class_id.get(c, c))["ttr_p50"]
    solo_real = {fit.class_id[c]: v for c, v in _solo_shares(history.incidents).items()}
    days = max(1, math.ceil(history.days))
    steps: dict[str, list[float]] = defaultdict(list)
    for step in range(CORRECTION_STEPS):
        sims = simulated_histories(scenario, days, CORRECTION_REPLICATIONS, seed + 1 + step,
                                   workers)
        pooled: dict[str, list[float]] = defaultdict(list)
        for sim in sims:
            for i in sim.incidents:
                if i.minutes_to_resolve is not None:
                    pooled[i.class_id].append(i.minutes_to_resolve)
        solo_sim = _solo_shares(i for sim in sims for i in sim.incidents)
        for cid, target in solo_real.items():
            if solo_sim.get(cid):
                _scale_solo(doc, cid, min(2.0, max(0.5, target / solo_sim[cid])))
        for index, cls in enumerate(doc["classes"]):
            target, got = real.get(cls["id"]), pooled.get(cls["id"])
            if not target or not got:
                continue
            factor = min(4.0, max(0.25, target / statistics.median(got)))
            work = cls["work_minutes"]
            median = min(max(work["median"] * factor, 0.5), 10_000.0)
            spread = work["p90"] / work["median"]
            cls["work_minutes"] = {"median": _round(median, 1),
                                   "p90": _round(median * spread, 1)}
            steps[cls["id"]].append(factor)
        scenario = Scenario.model_validate(doc)
    for index, cls in enumerate(doc["classes"]):
        if steps.get(cls["id"]):
            total = math.prod(steps[cls["id"]])
            key = ("classes", index, "work_minutes")
            notes[key] = (notes.get(key, "") + f"; then x{total:.2f} so that the simulated "
                          f"median time to resolve matches history ({CORRECTION_STEPS} steps "
                          f"x {CORRECTION_REPLICATIONS} replications)")
    return scenario, doc, notes


def _solo_shares(incidents) -> dict[str, float]:
    """Per class, the share of incidents resolved alone by the first person paged."""
    solo, total = Counter(), Counter()
    for i in incidents:
        total[i.class_id] += 1
        solo[i.class_id] += i.solo
    return {c: solo[c] / n for c, n in total.items()}


def _scale_solo(doc: dict, class_id: str, factor: float) -> None:
    """Scale everyone's chance to lead `class_id` alone by `factor` (through confidence, or
    knowledge when confidence is no longer the limit)."""
    width = Behaviour().skill_sharpness
    for person in doc["people"]:
        skill = person.get("skills", {}).get(class_id)
        if skill is None:
            continue
        if not isinstance(skill, dict):
            skill = {"knowledge": skill, "confidence": skill}
        can = _ramp(skill["knowledge"] - DIFFICULTY, width)
        will = _ramp(skill["confidence"] - DIFFICULTY, width)
        if can * will <= 0:
            continue
        target = min(1.0, can * will * factor)
        will = min(1.0, target / can)
        can = max(can, target / will) if will > 0 else can
        skill = {"knowledge": _round(min(1.0, max(skill["knowledge"],
                                                   DIFFICULTY + width * (can - 0.5))), 3),
                 "confidence": _round(min(1.0, DIFFICULTY + width * (will - 0.5))
                                      if will < 1.0 else max(skill["confidence"],
                                                             DIFFICULTY + width / 2), 3)}
        person["skills"][class_id] = skill


# -- replay ------------------------------------------------------------------------------------


def replay_arrivals(scenario: Scenario, history: History, seed: int = 0,
                    class_ids: dict[str, str] | None = None) -> tuple[list[Arrival], int, dict]:
    """The history's incidents as engine arrivals: (arrivals, days, skipped counts).

    Times are minutes from the scenario's start (its start_date at 00:00 in its zone); classes
    are matched by id, or through `class_ids` (history class -> scenario class, default: the
    calibration's slugs). Work draws come from the replay's own seeded stream. Incidents before
    the start or of classes the scenario lacks are counted in `skipped`, not silently dropped.
    """
    origin = dt.datetime.combine(scenario.start_date, dt.time(),
                                 tzinfo=ZoneInfo(scenario.timezone))
    index = {c.id: k for k, c in enumerate(scenario.classes)}
    mapping = class_ids or _ids(history.classes)
    chosen, skipped = [], Counter()
    for i in history.incidents:
        at = (i.created_at - origin).total_seconds() / 60.0
        cls = i.class_id if i.class_id in index else mapping.get(i.class_id)
        if cls not in index:
            skipped[f"class {i.class_id!r} not in the scenario"] += 1
        elif at < 0:
            skipped["created before the scenario's start_date"] += 1
        else:
            chosen.append((at, index[cls]))
    z = stream(seed, 0, Purpose.WORK).standard_normal(len(chosen)).tolist()
    arrivals = [Arrival(n, at, k, z[n]) for n, (at, k) in enumerate(chosen)]
    last = max((a.at for a in arrivals), default=0.0)
    days = max(1, math.ceil(last / MINUTES_PER_DAY) + 1)
    return arrivals, days, dict(skipped)


def replay_comparison(history: History, result, class_ids: dict[str, str] | None = None) -> dict:
    """What really happened beside the replay (a `sim.analysis.whatif.RunResult` run with the history's
    arrivals): per class, incidents, median time to resolve and the top handler's share.

    History people are matched to scenario people by id, by the calibration's slug of their
    name, or by display name. Replay figures pool every replication of an arm; arms are
    "all" (no one absent) or "baseline" (everyone present) and "without".
    """
    scenario = result.scenario
    mapping = class_ids or _ids(history.classes)
    by_name = {p.display_name: p.id for p in scenario.people}
    ids = {p.id for p in scenario.people}
    slugs = _ids(history.people)

    def person(name: str | None) -> str | None:
        if name is None:
            return None
        if name in ids:
            return name
        return by_name.get(name) or (slugs.get(name) if slugs.get(name) in ids else name)

    real: dict[str, list] = defaultdict(list)
    for i in history.incidents:
        real[i.class_id if i.class_id in {c.id for c in scenario.classes}
             else mapping.get(i.class_id, i.class_id)].append(i)
    arms: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for arm, _, record in result.incidents:
        arms["present" if arm in ("all", "baseline") else "without"][record.class_id].append(
            record)
    classes = {}
    for c in scenario.classes:
        items = real.get(c.id, [])
        handled = Counter(person(i.handler) for i in items if i.handler)
        top = handled.most_common(1)[0][0] if handled else None
        row = {"history": {
            "incidents": len(items),
            "ttr_p50": _median([i.minutes_to_resolve for i in items]),
            "top_handler": top,
            "top_handler_share": handled[top] / sum(handled.values()) if top else None,
        }}
        for arm, records in arms.items():
            recs = records.get(c.id, [])
            leads = Counter(r.lead for r in recs if r.lead)
            row[arm] = {
                "incidents_per_replication": len(recs) / max(result.replications, 1),
                "ttr_p50": _median([r.time_to_mitigate for r in recs if r.lead]),
                "top_handler_share": leads.get(top, 0) / sum(leads.values())
                if leads and top else None,
                "unresolved": sum(r.lead is None for r in recs) / max(result.replications, 1),
            }
        classes[c.id] = row
    all_ttr = [i.minutes_to_resolve for i in history.incidents]
    overall = {"history": {"incidents": len(history.incidents), "ttr_p50": _median(all_ttr)}}
    for arm, records in arms.items():
        recs = [r for rs in records.values() for r in rs]
        overall[arm] = {"ttr_p50": _median([r.time_to_mitigate for r in recs if r.lead])}
    return {"history_file": history.report.file, "without": list(result.without),
            "classes": classes, "overall": overall}


def _median(values) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# -- YAML with comments ------------------------------------------------------------------------


def render_yaml(doc: dict, notes: dict, history: History, heromap: dict) -> str:
    """The scenario as YAML, every fitted number followed by a comment with its evidence."""
    out = [
        f"# Calibrated by herosim from {history.report.file} ({history.report.format}):",
        f"# {len(history.incidents)} incidents imported of {history.report.rows} rows "
        f"({history.report.skipped_count} skipped), {history.start.date()} to "
        f"{history.end.date()} ({history.weeks:.1f} weeks).",
        "# A skeleton: check the rotation, the SLOs and the people's skills against what you",
        "# know, then `herosim validate` and `herosim run`. Method: docs/history.md.",
        "",
        f"name: {_s(doc['name'])}",
        f"description: {_s(doc['description'])}",
        f"timezone: {_s(doc['timezone'])}",
        f"start_date: {doc['start_date']}  # the Monday on or before the first incident",
        "",
        "services:",
    ]
    for s in doc["services"]:
        out.append(f"  - id: {_s(s['id'])}")
        out.append(f"    critical: {str(s['critical']).lower()}  # a sev1 class runs on it")
    out += ["", "classes:"]
    for k, c in enumerate(doc["classes"]):
        n = notes.get

        def note(*key):
            text = n(("classes", k, *key))
            return f"  # {text}" if text else ""

        out.append(f"  - id: {_s(c['id'])}")
        out.append(f"    service: {_s(c['service'])}")
        out.append(f"    severity: {c['severity']}{note('severity')}")
        out.append(f"    rate_per_week: {c['rate_per_week']}{note('rate_per_week')}")
        if "weekly_profile" in c:
            out.append(f"    # weekly profile: {n(('classes', k, 'weekly_profile'))}")
            out.append(f"    weekly_profile: {json.dumps(c['weekly_profile'])}")
        else:
            out.append(f"    # weekly profile {n(('classes', k, 'weekly_profile'))}")
        out.append(f"    difficulty: {c['difficulty']}  # not identifiable from history: the "
                   "midpoint; skills are fitted relative to it")
        w = c["work_minutes"]
        out.append(f"    # expert work time: {n(('classes', k, 'work_minutes'))}")
        out.append(f"    work_minutes: {{median: {w['median']}, p90: {w['p90']}}}")
        out.append(f"    slo_minutes: {c['slo_minutes']}{note('slo_minutes')}")
    out += ["", "people:"]
    for p in doc["people"]:
        out.append(f"  - id: {_s(p['id'])}")
        out.append(f"    name: {_s(p['name'])}")
        out.append(f"    timezone: {_s(p['timezone'])}")
        if p.get("skills"):
            out.append("    skills:")
            for cid, skill in p["skills"].items():
                text = notes.get(("skill", p["id"], cid), "")
                value = (f"{{knowledge: {skill['knowledge']}, confidence: "
                         f"{skill['confidence']}}}" if isinstance(skill, dict) else skill)
                out.append(f"      {_s(cid)}: {value}  # {text}")
    hero_notes = {h["person"]: h["reasons"][0] for h in heromap["heroes"]}
    out += ["", "# Suggested by the hero map (herosim map): the people whose absence to test."]
    names = {p["id"]: p["name"] for p in doc["people"]}
    if doc["heroes"]:
        out.append("heroes:")
        for h in doc["heroes"]:
            out.append(f"  - {_s(h)}  # {hero_notes.get(names.get(h), '')}")
    else:
        out.append("heroes: []  # nobody dominates a class")
    rot = doc["rotation"]
    out += ["", "rotation:"]
    primary = rot["primary"]
    out.append(f"  # primary: {notes.get(('rotation', 'primary'), '')}")
    out.append("  primary:")
    out.append(f"    members: {json.dumps(primary['members'])}")
    for key in ("period_days", "handoff_hour", "offset"):
        if key in primary:
            out.append(f"    {key}: {primary[key]}")
    if "secondary" in rot:
        out.append(f"  # secondary: {notes.get(('rotation', 'secondary'), '')}")
        out.append("  secondary:")
        out.append(f"    members: {json.dumps(rot['secondary']['members'])}")
        for key in ("period_days", "handoff_hour", "offset"):
            if key in rot["secondary"]:
                out.append(f"    {key}: {rot['secondary'][key]}")
    out += ["", "conditions:",
            f"  informal_pull: {doc['conditions']['informal_pull']}  # "
            f"{notes.get(('informal_pull',), '')}",
            "  # alert_noise, routing_ambiguity, observability: not measurable from resolved "
            "incidents; defaults",
            "", "behaviour:",
            f"  # {notes.get(('behaviour', 'ack_median_minutes'), '')}",
            "  ack_median_minutes: "
            + json.dumps(doc["behaviour"]["ack_median_minutes"]).replace('"', ""), ""]
    return "\n".join(out)


def _fit_schedule(pairs: list[tuple[float, str]]) -> tuple[dict | None, int]:
    """The schedule (period 7, 14 or 1 days, hand-off hour, member order, offset) whose
    shifts best predict who was paged at each minute; (None, 0) without data."""
    best = None
    for period in (7, 14, 1):
        for hour in range(24):
            shifts: dict[int, Counter] = defaultdict(Counter)
            for at, person in pairs:
                shifts[int((at - hour * 60) // (period * MINUTES_PER_DAY))][person] += 1
            agree = sum(c.most_common(1)[0][1] for c in shifts.values())
            if best is None or agree > best[0]:
                best = (agree, period, hour, shifts)
    if best is None:
        return None, 0
    agree, period, hour, shifts = best
    order = [shifts[s].most_common(1)[0][0] for s in sorted(shifts)]
    members = list(dict.fromkeys(order))
    offset = (members.index(order[0]) - min(shifts)) % len(members)
    return {"members": members, "period_days": period, "handoff_hour": hour,
            "offset": offset}, agree


def _ids_in(schedule: dict, ids: dict[str, str]) -> dict:
    return {**schedule, "members": [ids[m] for m in schedule["members"]]}


# -- helpers -----------------------------------------------------------------------------------


def _ids(names: Sequence[str]) -> dict[str, str]:
    """Display names -> unique identifiers ('Priya Shah' -> 'priya-shah', then -2, -3)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = slug(name)
        ident, k = base, 1
        while ident in used:
            k += 1
            ident = f"{base[:60]}-{k}"
        used.add(ident)
        out[name] = ident
    return out


def _work_minutes(i: HistoryIncident) -> float | None:
    ttr = i.minutes_to_resolve
    if ttr is None:
        return None
    ack = i.minutes_to_ack or 0.0
    return max(ttr - ack, 0.1)


def _ramp(x: float, width: float) -> float:
    return min(1.0, max(0.0, 0.5 + x / width))


def _round(value: float, digits: int) -> float:
    return float(round(value, digits))


def _s(text: str) -> str:
    """A YAML-safe scalar (JSON strings are YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _hours_per_class() -> dict[HourClass, int]:
    counts = Counter(_hour_class_of(h) for h in range(HOURS_PER_WEEK))
    return {h: counts[h] for h in HourClass}


def _hour_class_of(hour_of_week: int) -> HourClass:
    day, hour = divmod(hour_of_week, 24)
    if hour >= 22 or hour < 8:
        return HourClass.SLEEP
    if day < 5 and 8 <= hour < 18:
        return HourClass.BUSINESS
    return HourClass.OFF


__all__ = ["Calibration", "calibrate", "self_consistency", "replay_arrivals", "replay_comparison",
           "simulated_histories", "headline", "render_yaml"]
