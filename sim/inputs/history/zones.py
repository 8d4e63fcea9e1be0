"""Each person's time zone, when no people file gives it: inferred from the history, and shown.

Two kinds of evidence, strongest first:

1. **PagerDuty's own hour classes.** The raw incidents count interruptions as business / off /
   sleep hours *in each user's own time zone* (AnalyticsRawIncident's
   `business_hour_interruptions` etc.). On an incident that paged one person only, that class
   is theirs: the zone whose hour class of the incident's creation time agrees with PagerDuty's
   on most such incidents is theirs (ties: the first candidate in `CANDIDATE_ZONES`).
2. **Acknowledgement times.** People answer slower when asleep. Among the incidents a person
   was paged for first and acknowledged, an exponential per local hour class is fitted for each
   candidate zone; the zone with the highest likelihood is taken when it beats UTC clearly.

Too little evidence of their own places a person in the zone of most of the placed people they
shared incidents with (zone source "colleagues"); only someone sharing incidents with nobody
placed is left in the default zone (`--timezone`, UTC unless given).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

from sim.inputs.history.records import HistoryIncident, PersonRecord, hour_class_at, team_of
from sim.schema import HourClass

# Zones people are placed in, one or two per offset band (DST rules differ, so a history that
# spans a change tells, say, Europe/London from UTC). Where several fit equally the first is
# taken: cities before UTC, which few people live by.
CANDIDATE_ZONES = (
    "Europe/London", "Europe/Berlin", "Europe/Helsinki", "Europe/Moscow", "Asia/Dubai",
    "Asia/Karachi", "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Singapore",
    "Asia/Tokyo", "Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland",
    "Pacific/Honolulu", "America/Anchorage", "America/Los_Angeles", "America/Phoenix",
    "America/Denver", "America/Chicago", "America/New_York", "America/Halifax",
    "America/Sao_Paulo", "Atlantic/Azores", "Africa/Lagos", "Africa/Johannesburg", "UTC",
)
MIN_LABELLED = 8  # single-person incidents with PagerDuty's hour class
MIN_ACKS = 20  # first-paged acknowledgements
MIN_GAIN = 3.0  # log-likelihood the best zone must gain over UTC


def assign_zones(directory: dict[str, PersonRecord], incidents: list[HistoryIncident],
                 default_zone: str = "UTC") -> dict[str, PersonRecord]:
    """The directory with a zone for everyone the people file did not place: inferred from
    the incidents where the evidence suffices, else `default_zone`."""
    labelled: dict[str, list[tuple[object, HourClass]]] = defaultdict(list)
    acks: dict[str, list[tuple[object, float]]] = defaultdict(list)
    for i in incidents:
        touched = i.touched
        if len(touched) == 1 and i.interruptions:
            classes = [h for h, n in i.interruptions.items() if n]
            if len(classes) == 1:
                labelled[touched[0]].append((i.created_at, classes[0]))
        first = i.first_responder
        if (first is not None and i.acknowledged and i.acknowledged[0] == first
                and i.minutes_to_ack is not None):
            acks[first].append((i.created_at, i.minutes_to_ack))
    found: dict[str, tuple[list[str], str]] = {}
    for ident, person in directory.items():
        if person.zone_source != "people file":
            zones, evidence = infer_zone(labelled.get(ident, []), acks.get(ident, []))
            if len(zones) > 1 and len(acks.get(ident, [])) >= MIN_ACKS:
                # Equal on PagerDuty's classes: acknowledgement times may still tell.
                likelihood = {z: _ack_likelihood(acks[ident], ZoneInfo(z)) for z in zones}
                top = max(likelihood.values())
                zones = [z for z in zones if likelihood[z] >= top - MIN_GAIN]
            found[ident] = (zones, evidence)
    # Several zones may fit one person equally (Asia/Karachi and Asia/Kolkata differ by half
    # an hour, which few incidents fall in): take the one the most others were placed in
    # without doubt, else the first.
    settled = Counter(zones[0] for zones, _ in found.values() if len(zones) == 1)
    settled.update(p.timezone for p in directory.values() if p.zone_source == "people file")
    out: dict[str, PersonRecord] = {}
    undecided = []
    for ident, person in directory.items():
        if ident not in found:
            out[ident] = person
            continue
        zones, evidence = found[ident]
        if not zones:
            undecided.append(ident)
            continue
        zone = max(zones, key=lambda z: (settled[z], -zones.index(z)))
        if len(zones) > 1:
            why = ("where most others are" if settled[zone] else
                   "the first of them (the history cannot tell them apart)")
            evidence += f"; {', '.join(zones)} fit equally well, {zone} is {why}"
        out[ident] = dataclasses.replace(person, timezone=zone, zone_source="inferred",
                                         zone_evidence=evidence)
    placed = {p: r.timezone for p, r in out.items()}
    for ident in undecided:
        person, evidence = directory[ident], found[ident][1]
        shared = _colleagues_zone(ident, incidents, placed)
        if shared is None:
            out[ident] = dataclasses.replace(person, timezone=default_zone,
                                             zone_source="default", zone_evidence=evidence)
            continue
        zone, n, total, how = shared
        out[ident] = dataclasses.replace(
            person, timezone=zone, zone_source="colleagues",
            zone_evidence=f"{evidence}: the zone of {n} of the {total} placed people {how}")
    return {ident: out[ident] for ident in directory}


def _colleagues_zone(person: str, incidents: list[HistoryIncident], placed: dict[str, str]
                     ) -> tuple[str, int, int, str] | None:
    """The zone most of the placed people `person` shared incidents with are in, weighted by
    the incidents shared; failing that, most of those on the same teams' incidents:
    (zone, people in it, placed people, how), or None."""
    weight: Counter = Counter()
    teams = {team_of(i) for i in incidents if person in i.touched}
    for i in incidents:
        if person in i.touched:
            weight.update(p for p in i.touched if p != person and p in placed)
    how = "they shared incidents with"
    if not weight:
        how = "on their team's incidents"
        for i in incidents:
            if team_of(i) in teams:
                weight.update(p for p in i.touched if p != person and p in placed)
    if not weight:
        return None
    zones: Counter = Counter()
    for p, w in weight.items():
        zones[placed[p]] += w
    zone = zones.most_common(1)[0][0]
    return zone, sum(placed[p] == zone for p in weight), len(weight), how


def infer_zone(labelled: list[tuple[object, HourClass]], acks: list[tuple[object, float]]
               ) -> tuple[list[str], str]:
    """(the zones that fit best, evidence in words) from PagerDuty's hour classes of
    single-person incidents, else from acknowledgement times; ([], why not) when neither
    suffices."""
    if len(labelled) >= MIN_LABELLED:
        agree = {z: sum(hour_class_at(at, ZoneInfo(z)) is h for at, h in labelled)
                 for z in CANDIDATE_ZONES}
        top = max(agree.values())
        best = [z for z in CANDIDATE_ZONES if agree[z] == top]
        return best, (f"PagerDuty's hour class of the {len(labelled)} incidents that paged "
                      f"only them agrees with {best[0]} for {top} (UTC: {agree['UTC']})")
    if len(acks) >= MIN_ACKS:
        likelihood = {z: _ack_likelihood(acks, ZoneInfo(z)) for z in CANDIDATE_ZONES}
        top = max(likelihood.values())
        best = [z for z in CANDIDATE_ZONES if likelihood[z] >= top - 1e-9]
        gain = top - likelihood["UTC"]
        if "UTC" in best or gain >= MIN_GAIN:
            return best, (f"acknowledgement times of {len(acks)} first pages, by local hour "
                          f"class, fit {best[0]} best (log-likelihood {gain:+.1f} over UTC)")
        return [], (f"acknowledgement times of {len(acks)} first pages do not tell a zone "
                    f"(best {best[0]}, only {gain:+.1f} over UTC)")
    return [], (f"too little evidence ({len(labelled)} single-person incidents with "
                f"PagerDuty's hour class, {len(acks)} first-page acknowledgements)")


def _ack_likelihood(acks: list[tuple[object, float]], zone: ZoneInfo) -> float:
    """Log-likelihood of exponential ack times with a mean per local hour class (each at its
    maximum-likelihood value, the class's mean)."""
    by_class: dict[HourClass, list[float]] = defaultdict(list)
    for at, minutes in acks:
        by_class[hour_class_at(at, zone)].append(max(minutes, 0.05))
    total = 0.0
    for values in by_class.values():
        mean = sum(values) / len(values)
        total += -len(values) * (math.log(mean) + 1.0)
    return total
