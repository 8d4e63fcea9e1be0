"""Findings: who a team depends on (heroes), and who merely carries load (busy).

A hero is someone the team *depends on*, shown by evidence of dependence measured per service
of their team (docs/history.md, "Findings"):

1. **escalations received**: their share of the service's handed-on incidents (escalated,
   reassigned, joined or resolved by someone other than the first person paged), against an
   even share and the median colleague's, and how many of those they resolved themselves;
2. **pulled in**: incidents they joined without the escalation policy assigning them (a
   responder request or a direct message), against all such pulls of the service;
3. **others without them**: how often colleagues hand on the incidents they were paged for
   and this person was not part of, against how often this person hands on their own (or, if
   never paged first, how often they keep what is handed to them), unless they take more
   than twice the colleagues' time to resolve (a fallback, not an expert);
4. **hard incidents**: their share of the service's high-urgency, top-priority incidents
   handled, against an even share among everyone who handles the service's incidents.

A person is a hero of a service when (1) or (2) holds (others turn to them) and at least two
of the four do, over the service's incidents or over one of its classes (a hard class can hide
among a service's frequent easy ones). Load without dependence is its own finding: **busy**
is someone handling at least `BUSY_SHARE` of their team's incidents and `BUSY_FACTOR` times an
even share who is a hero nowhere: a fairness and burnout problem, not a single point of
failure. Every finding lists all its evidence, passed or not, with the numbers.
"""

from __future__ import annotations

from collections import defaultdict

from sim.analysis.heromap.load import brought_in, handled_counts
from sim.analysis.heromap.types import Evidence, Finding, PersonLoad
from sim.analysis.stats import quantile
from sim.inputs.history import History, HistoryIncident, team_of

MIN_CLASS_INCIDENTS = 10  # a class of a service is looked at alone from this many incidents
MIN_RECEIVED = 5
RECEIVED_SHARE = 0.25
RECEIVED_FACTOR = 2.5
MEDIAN_FACTOR = 1.5
KEPT_SHARE = 0.7
MIN_PULLED = 5
PULLED_SHARE = 0.5
MIN_OTHERS = 10
MIN_OWN = 5
HANDOFF_GAP = 0.15
SLOWER_FACTOR = 2.0
MIN_HARD = 5
HARD_SHARE = 0.3
HARD_FACTOR = 2.0
BUSY_SHARE = 0.2
BUSY_FACTOR = 1.75


def findings(history: History, loads: dict[str, PersonLoad]) -> tuple[list[Finding],
                                                                      list[Finding]]:
    """(heroes, busy), strongest first."""
    by_service: dict[tuple[str, str], list[HistoryIncident]] = defaultdict(list)
    for i in history.incidents:
        if not i.auto_resolved:
            by_service[(team_of(i), i.service)].append(i)
    heroes: dict[tuple[str, str], Finding] = {}
    measured: dict[tuple[str, str], list[list[Evidence]]] = defaultdict(list)
    for (team, service), items in sorted(by_service.items()):
        people = sorted({p for i in items for p in i.touched})
        classes: dict[str, list[HistoryIncident]] = defaultdict(list)
        for i in items:
            classes[i.class_id].append(i)
        for person in people:
            evidence = service_evidence(person, service, items)
            measured[(team, person)].append(evidence)
            if not _dependent(evidence) and len(classes) > 1:
                # A hard class can hide among a service's easy ones: look at each class.
                for class_id, of_class in sorted(classes.items()):
                    if len(of_class) >= MIN_CLASS_INCIDENTS:
                        by_class = service_evidence(person, service, of_class, class_id)
                        if _dependent(by_class):
                            evidence = by_class
                            break
            passed = [e for e in evidence if e.passed]
            if _dependent(evidence):
                finding = heroes.setdefault((team, person), Finding(
                    person, "hero", loads[person].name if person in loads else person, team))
                finding.services.append(service)
                finding.groups += sorted({i.class_id for i in items if i.handler == person})
                finding.evidence += evidence
                finding.reasons += [e.text for e in passed]
                finding.score += len(passed) / 4 * len(items) / history.weeks
    hero_list = list(heroes.values())
    busy = _busy(history, loads, {p for _, p in heroes}, measured)
    for f in [*hero_list, *busy]:
        load = loads.get(f.person)
        if load is not None:
            f.touch_share = load.touch_share
            off, sleep = load.interruptions["off"], load.interruptions["sleep"]
            if off or sleep:
                f.reasons.append(f"{off} off-hour and {sleep} sleep-hour interruptions in "
                                 f"their own zone ({load.timezone}, {load.zone_source})")
    order = lambda f: (-f.score, f.person)  # noqa: E731
    return sorted(hero_list, key=order), sorted(busy, key=order)


def service_evidence(person: str, service: str, items: list[HistoryIncident],
                     class_id: str = "") -> list[Evidence]:
    """The four measures of dependence of `person` on one service's incidents (or on one
    class of the service's, `class_id`)."""
    where = f"{service} ({class_id})" if class_id else service
    evidence = [_received(person, where, items), _pulled(person, where, items),
                _others_without(person, where, items), _hard(person, where, items)]
    for e in evidence:
        e.service, e.group = service, class_id
    return evidence


def _dependent(evidence: list[Evidence]) -> bool:
    """Others turn to them (escalations received or pulled in) and two measures hold."""
    return any(e.passed for e in evidence[:2]) and sum(e.passed for e in evidence) >= 2


def _received(person: str, service: str, items: list[HistoryIncident]) -> Evidence:
    handed = [i for i in items if brought_in(i)]
    counts: dict[str, int] = defaultdict(int)
    for i in handed:
        for p in brought_in(i):
            counts[p] += 1
    mine = counts.get(person, 0)
    share = mine / len(handed) if handed else 0.0
    others = [n / len(handed) for p, n in counts.items() if p != person] if handed else []
    median = quantile(others, 0.5) if others else 0.0
    handlers = handled_counts(items)
    fair = 1.0 / len(handlers) if handlers else 0.0
    kept = sum(i.handler == person for i in handed if person in brought_in(i))
    concentrated = share >= RECEIVED_FACTOR * fair and share >= MEDIAN_FACTOR * median
    passed = (mine >= MIN_RECEIVED and share >= RECEIVED_SHARE
              and (concentrated or kept >= KEPT_SHARE * mine))
    text = (f"brought into {mine} of the {len(handed)} {service} incidents handed on by the "
            f"first person paged ({share:.0%}; an even share {fair:.0%}, the median colleague "
            f"{median:.0%}), and resolved {kept} of them")
    return Evidence("escalations_received", service, share, fair, mine, len(handed),
                    f"at least {MIN_RECEIVED} and {RECEIVED_SHARE:.0%} of hand-offs, and "
                    f"{RECEIVED_FACTOR:g}x an even share and {MEDIAN_FACTOR:g}x the median "
                    f"colleague, or resolving {KEPT_SHARE:.0%} of them", passed, text)


def _pulled(person: str, service: str, items: list[HistoryIncident]) -> Evidence:
    pulls: dict[str, int] = defaultdict(int)
    for i in items:
        for p in brought_in(i):
            if p not in i.assigned:
                pulls[p] += 1
    mine, total = pulls.get(person, 0), sum(pulls.values())
    share = mine / total if total else 0.0
    passed = mine >= MIN_PULLED and share >= PULLED_SHARE
    text = (f"pulled into {mine} {service} incidents without the escalation policy assigning "
            f"them ({share:.0%} of {total} such pulls)")
    return Evidence("pulled_in", service, share, None, mine, total,
                    f"at least {MIN_PULLED} and {PULLED_SHARE:.0%} of the service's pulls",
                    passed, text)


def _others_without(person: str, service: str, items: list[HistoryIncident]) -> Evidence:
    others = [i for i in items
              if i.first_responder and i.first_responder != person and person not in i.touched]
    own = [i for i in items if i.first_responder == person]
    rescued = [i for i in items if person in brought_in(i)]
    others_rate = sum(bool(brought_in(i)) for i in others) / len(others) if others else None
    if len(own) >= MIN_OWN:
        own_rate = sum(bool(brought_in(i)) for i in own) / len(own)
        basis = f"{own_rate:.0%} of the {len(own)} they were paged for first"
    elif rescued:
        own_rate = sum(i.handler not in (person, None) for i in rescued) / len(rescued)
        basis = f"{own_rate:.0%} of the {len(rescued)} handed to them (never paged first)"
    else:
        own_rate = None
        basis = "none of their own"
    gap = (others_rate - own_rate if others_rate is not None and own_rate is not None
           else None)
    ttr_others = quantile([i.minutes_to_resolve for i in others], 0.5)
    ttr_own = quantile([i.minutes_to_resolve for i in items if i.handler == person], 0.5)
    times = ""
    slow = False
    if ttr_others is not None and ttr_own is not None:
        times = (f"; median time to resolve {ttr_others:.0f} min without them, "
                 f"{ttr_own:.0f} min when they handle it")
        # Someone who keeps what is handed over but takes far longer is the fallback, not
        # the expert the team depends on.
        slow = ttr_own > SLOWER_FACTOR * ttr_others
    passed = (gap is not None and len(others) >= MIN_OTHERS and gap >= HANDOFF_GAP
              and not slow)
    text = (f"without them, colleagues handed on {_pct(others_rate)} of the {len(others)} "
            f"{service} incidents they were paged for; they hand on {basis}{times}")
    return Evidence("others_without_them", service, gap, others_rate, len(others),
                    len(items), f"colleagues hand on at least {HANDOFF_GAP:.0%} more often "
                    f"(at least {MIN_OTHERS} of their incidents), and they resolve within "
                    f"{SLOWER_FACTOR:g}x the colleagues' time", passed, text)


def _hard(person: str, service: str, items: list[HistoryIncident]) -> Evidence:
    hard = handled_counts(i for i in items if i.hard)
    total = sum(hard.values())
    mine = hard.get(person, 0)
    share = mine / total if total else 0.0
    handlers = handled_counts(items)
    fair = 1.0 / len(handlers) if handlers else 0.0
    passed = mine >= MIN_HARD and share >= HARD_SHARE and share >= HARD_FACTOR * fair
    text = (f"handled {mine} of the {total} high-urgency or top-priority {service} incidents "
            f"({share:.0%}; an even share {fair:.0%})")
    return Evidence("hard_incidents", service, share, fair, mine, total,
                    f"at least {MIN_HARD}, {HARD_SHARE:.0%} and {HARD_FACTOR:g}x an even "
                    "share", passed, text)


def _busy(history: History, loads: dict[str, PersonLoad], heroes: set[str],
          measured: dict[tuple[str, str], list[list[Evidence]]]) -> list[Finding]:
    by_team: dict[str, list[HistoryIncident]] = defaultdict(list)
    for i in history.incidents:
        if not i.auto_resolved:
            by_team[team_of(i)].append(i)
    out = []
    for team, items in by_team.items():
        handled = handled_counts(items)
        total = sum(handled.values())
        if not total:
            continue
        fair = 1.0 / len(handled)
        for person, n in handled.items():
            share = n / total
            if person in heroes or share < BUSY_SHARE or share < BUSY_FACTOR * fair:
                continue
            load = loads.get(person)
            mine = [i for i in items if i.handler == person]
            weeks = history.weeks
            text = (f"handled {n} of the team's {total} incidents ({share:.0%}; an even share "
                    f"{fair:.0%}), {n / weeks:.1f} a week, {sum(i.hard for i in mine)} of "
                    "them high-urgency or top-priority")
            evidence = [Evidence("load", "", share, fair, n, total,
                                 f"at least {BUSY_SHARE:.0%} and {BUSY_FACTOR:g}x an even share",
                                 True, text)]
            for per_service in measured.get((team, person), []):
                evidence += per_service
            services = sorted({i.service for i in mine})
            reasons = [text, "nobody depends on them: no service shows two measures of "
                       "dependence (escalations received, pulled in, others without them, "
                       "hard incidents); see the evidence"]
            out.append(Finding(person, "busy", load.name if load else person, team,
                               share, services, sorted({i.class_id for i in mine}), reasons,
                               evidence))
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"
