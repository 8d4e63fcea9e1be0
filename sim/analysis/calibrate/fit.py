"""The statistics of a history that a calibrated scenario is built from (docs/history.md,
"Calibration", steps 1-6): rates, weekly profiles, speeds and work times, skills, the
rotation, acknowledgement times and informal pulls, each with a note of its evidence."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from sim.analysis.calibrate.schedule import fit_schedule, ids_in
from sim.analysis.calibrate.shared import (
    DIFFICULTY,
    hours_per_class,
    ids,
    ramp,
    rounded,
    week_hour_class,
    work_minutes,
)
from sim.analysis.stats import quantile
from sim.inputs.history import History, HistoryIncident, hour_class_at
from sim.schema import HOURS_PER_WEEK, Behaviour, HourClass

MIN_SOLO_FOR_FASTEST = 3
PROFILE_MIN_INCIDENTS = 30
PROFILE_P_VALUE = 0.01
DEFAULT_TIMEOUT = 15.0  # minutes: the default policy's acknowledgement timeout


class HistoryFit:
    """The statistics of a history that the scenario is built from."""

    def __init__(self, history: History, zone: ZoneInfo):
        self.history = history
        self.zone = zone
        self.person_id = ids(history.people)
        self.class_id = ids(history.classes)
        self.service_id = ids(sorted({i.service for i in history.incidents}))
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
        """The fitted scenario as a dict, and the notes of its evidence by path."""
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
               "severity": severity.value, "rate_per_week": rounded(rate, 3),
               "difficulty": DIFFICULTY}
        profile, profile_note = self._profile(items)
        if profile is not None:
            cls["weekly_profile"] = profile
        notes[("weekly_profile",)] = profile_note
        speed = self._speeds(items)
        median, p90, expert_n = speed["median"], speed["p90"], speed["n"]
        cls["work_minutes"] = {"median": rounded(median, 1), "p90": rounded(max(p90, median), 1)}
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
        counts = Counter(hour_class_at(i.created_at, self.zone) for i in items)
        hours = hours_per_class()
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
        profile = [rounded(level[week_hour_class(hour)] / total * 3, 3)
                   for hour in range(HOURS_PER_WEEK)]
        return profile, (f"business/off/sleep hour levels from {observed[0]}/{observed[1]}/"
                         f"{observed[2]} incidents (chi-square p = {p:.1e}), scenario zone")

    def _speeds(self, items: list[HistoryIncident]) -> dict:
        slowdown = Behaviour().knowledge_slowdown
        work: dict[str, list[float]] = defaultdict(list)
        for i in items:
            minutes = work_minutes(i)
            if i.solo and minutes is not None:
                work[i.handler].append(minutes)
        medians = {p: quantile(w, 0.5) for p, w in work.items()}
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
            median = quantile(samples, 0.5)
            p90 = quantile(samples, 0.9)
        else:
            ttr = [i.minutes_to_resolve for i in items if i.minutes_to_resolve is not None]
            median = quantile(ttr, 0.5) if ttr else 30.0
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
                out[self.person_id[raw]] = (rounded(k, 2), (
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
                out[pid] = (rounded(k, 2), f"{how}; never paged first")
                continue
            can = ramp(k - DIFFICULTY, width)
            if can < s:  # they solved more than their speed suggests they could
                k = DIFFICULTY + width * (math.sqrt(s) - 0.5)
                can = ramp(k - DIFFICULTY, width)
            will = min(1.0, s / can) if can > 0 else 0.0
            c = DIFFICULTY + width * (will - 0.5) if will < 1.0 else max(k, DIFFICULTY + width)
            note = f"{how}; solo {n_solo}/{n_first} when paged first and acknowledging"
            out[pid] = ({"knowledge": rounded(min(max(k, 0.0), 1.0), 2),
                         "confidence": rounded(min(max(c, 0.0), 1.0), 2)}, note)
        return out

    def _rotation(self, start: dt.date, timezone: str):
        """The weekly (or daily, fortnightly) primary schedule that best explains who was
        paged first; the secondary likewise from who was paged next on escalated incidents."""
        origin = dt.datetime.combine(start, dt.time(), tzinfo=ZoneInfo(timezone))

        def minute(i: HistoryIncident) -> float:
            return (i.created_at - origin).total_seconds() / 60.0

        firsts = [(minute(i), i.first_responder) for i in self.history.incidents
                  if i.first_responder]
        primary, agree = fit_schedule(firsts)
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
        rotation = {"primary": ids_in(primary, self.person_id)}
        secondary, agree2 = fit_schedule(seconds)
        if secondary is not None and len(seconds) >= 0.5 * escalated:
            if len(secondary["members"]) == 1:
                secondary = {"members": secondary["members"]}
            rotation["secondary"] = ids_in(secondary, self.person_id)
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
            klass = hour_class_at(i.created_at, self.zone)
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
                medians[h.value] = rounded(min(math.log(2.0) * exposure / n, 240.0), 2)
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
        return rounded(share, 3), (
            f"{len(informal)} of {len(handoffs)} hand-offs went to someone never assigned "
            "(a direct message or responder request)")

