"""Replaying a history through a scenario: its incidents as the engine's arrivals, and what
really happened beside the replay (`herosim run --replay`, replay.json)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sim.analysis.calibrate.shared import ids
from sim.analysis.document import OPTIONAL, Document
from sim.analysis.stats import quantile
from sim.inputs.history import History
from sim.model import Arrival
from sim.model.rng import Purpose, stream
from sim.schema import MINUTES_PER_DAY, Scenario


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
    mapping = class_ids or ids(history.classes)
    chosen: list[tuple[float, int]] = []
    skipped: Counter = Counter()
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


@dataclass
class RealClass(Document):
    """What really happened to a class."""

    incidents: int
    ttr_p50: float | None
    top_handler: str | None
    top_handler_share: float | None


@dataclass
class ReplayArm(Document):
    """The replay of a class in one arm, replications pooled."""

    incidents_per_replication: float
    ttr_p50: float | None
    top_handler_share: float | None
    unresolved: float


@dataclass
class ReplayClass(Document):
    """One class: the history, the replay with everyone present, and without."""

    history: RealClass
    present: ReplayArm | None = field(default=None, metadata=OPTIONAL)
    without: ReplayArm | None = field(default=None, metadata=OPTIONAL)


@dataclass
class RealOverall(Document):
    """The whole history."""

    incidents: int
    ttr_p50: float | None


@dataclass
class ArmOverall(Document):
    """A whole arm of the replay."""

    ttr_p50: float | None


@dataclass
class ReplayOverall(Document):
    """All classes together."""

    history: RealOverall
    present: ArmOverall | None = field(default=None, metadata=OPTIONAL)
    without: ArmOverall | None = field(default=None, metadata=OPTIONAL)


@dataclass
class ReplayComparison(Document):
    """replay.json: what really happened beside the replay (docs/outputs.md)."""

    history_file: str
    without: list[str]
    classes: dict[str, ReplayClass]
    overall: ReplayOverall
    skipped: dict[str, int] = field(default_factory=dict)


def replay_comparison(history: History, result, class_ids: dict[str, str] | None = None,
                      skipped: dict[str, int] | None = None) -> ReplayComparison:
    """What really happened beside the replay (a `sim.analysis.whatif.RunResult` run with the
    history's arrivals): per class, incidents, median time to resolve and the top handler's
    share.

    History people are matched to scenario people by id, by the calibration's slug of their
    name, or by display name. Replay figures pool every replication of an arm; arms are
    "all" (no one absent) or "baseline" (everyone present) and "without". `skipped`: the
    incidents `replay_arrivals` could not replay, by reason.
    """
    scenario = result.scenario
    mapping = class_ids or ids(history.classes)
    by_name = {p.display_name: p.id for p in scenario.people}
    people = {p.id for p in scenario.people}
    slugs = ids(history.people)

    def person(name: str | None) -> str | None:
        if name is None:
            return None
        if name in people:
            return name
        return by_name.get(name) or (slugs.get(name) if slugs.get(name) in people else name)

    real: dict[str, list] = defaultdict(list)
    for i in history.incidents:
        real[i.class_id if i.class_id in {c.id for c in scenario.classes}
             else mapping.get(i.class_id, i.class_id)].append(i)
    arms: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for arm, _, record in result.incidents:
        arms["present" if arm in ("all", "baseline") else "without"][record.class_id].append(
            record)
    runs = max(result.replications, 1)
    classes = {}
    for c in scenario.classes:
        items = real.get(c.id, [])
        handled = Counter(person(i.handler) for i in items if i.handler)
        top = handled.most_common(1)[0][0] if handled else None
        row = ReplayClass(RealClass(
            incidents=len(items),
            ttr_p50=quantile([i.minutes_to_resolve for i in items], 0.5),
            top_handler=top,
            top_handler_share=handled[top] / sum(handled.values()) if top else None,
        ))
        for arm, records in arms.items():
            recs = records.get(c.id, [])
            leads = Counter(r.lead for r in recs if r.lead)
            setattr(row, arm, ReplayArm(
                incidents_per_replication=len(recs) / runs,
                ttr_p50=quantile([r.time_to_mitigate for r in recs], 0.5),
                top_handler_share=leads.get(top, 0) / sum(leads.values())
                if leads and top else None,
                unresolved=sum(r.lead is None for r in recs) / runs,
            ))
        classes[c.id] = row
    all_ttr = [i.minutes_to_resolve for i in history.incidents]
    overall = ReplayOverall(RealOverall(len(history.incidents), quantile(all_ttr, 0.5)))
    for arm, records in arms.items():
        recs = [r for rs in records.values() for r in rs]
        # Incidents nobody mitigated count with their time so far, as everywhere.
        setattr(overall, arm, ArmOverall(quantile([r.time_to_mitigate for r in recs], 0.5)))
    return ReplayComparison(history.report.file, list(result.without), classes, overall,
                            dict(skipped or {}))
