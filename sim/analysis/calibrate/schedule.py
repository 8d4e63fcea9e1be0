"""One rotation per team, chosen by how well it predicts who was paged (docs/history.md,
"Calibration", step 6).

The primary: each candidate schedule (a single layer handing off every 7, 14 or 1 days at
each hour of the team's day; or that plus a day layer held by one person) is fitted on three
quarters of the history and scored on the quarter it did not see (four folds of interleaved
two-week blocks): the share of held-out incidents whose first person paged it predicts. A
schedule is members taking turns in a fixed order, so a candidate that only memorised who was
on when predicts nothing it did not see. The best is kept; a simpler one (weekly before
fortnightly before daily, one layer before two) wins unless the more complex one predicts at
least `MORE_COMPLEX_GAIN` better: no layer the data does not support.

The secondary, likewise, from who was paged second on escalated incidents: none, one person
always, or a rotation; none when escalations mostly page the whole team at once, when there
are fewer than `MIN_SECOND_PAGES`, or when nothing predicts half of them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sim.analysis.calibrate.shared import TeamData
from sim.analysis.document import Document

PERIODS = (7, 14, 1)  # simplest first: weekly rotations are the most common
FOLDS = 4
BLOCK_DAYS = 14
SIMPLER_WITHIN = 0.02
MORE_COMPLEX_GAIN = 0.05
MIN_SECOND_PAGES = 10
MIN_SECOND_ACCURACY = 0.5
DAY_LAYER_MAX_HOURS = 16
HANDOFFS_SCORED = 3  # per period, the in-sample best hand-off hours scored on held-out data


@dataclass
class Layer(Document):
    """One fitted schedule layer (members in turn order; shifts counted from day 0)."""

    members: list[str]
    period_days: int = 7
    handoff_hour: int = 0
    hours: tuple[int, int] | None = None

    def on_call(self, hour: float) -> str | None:
        """Who this layer has on call `hour` hours after day 0 (None outside its hours)."""
        if self.hours is not None and not _covers(self.hours, int(hour) % 24):
            return None
        shift = int((hour - self.handoff_hour) // (self.period_days * 24))
        return self.members[shift % len(self.members)]

    def describe(self) -> str:
        """The layer in words."""
        kind = {7: "weekly", 14: "fortnightly", 1: "daily"}.get(self.period_days,
                                                                f"{self.period_days}-day")
        if self.hours is not None:
            return f"{self.members[0]} {self.hours[0]:02d}-{self.hours[1]:02d} every day"
        if len(self.members) == 1:
            return f"{self.members[0]} always"
        return f"{kind}, hand-off {self.handoff_hour:02d}:00, {len(self.members)} members"


@dataclass
class Candidate(Document):
    """A schedule and how well it predicts who was paged."""

    layers: list[Layer]
    accuracy: float  # on held-out incidents
    in_sample: float
    complexity: int

    def describe(self) -> str:
        """The schedule in words."""
        return " + ".join(layer.describe() for layer in self.layers) or "none"


@dataclass
class RotationFit(Document):
    """The fitted schedule of one position (primary or secondary) and the evidence."""

    position: str
    chosen: Candidate | None
    pages: int
    alternatives: list[Candidate] = field(default_factory=list)
    note: str = ""


def fit_primary(team: TeamData) -> RotationFit:
    """The primary schedule from the first person paged (assigned first) per incident."""
    pairs = [(team.minute(i.created_at) / 60.0, i.assigned[0])
             for i in team.incidents + team.auto_resolved if i.assigned]
    if not pairs:
        return RotationFit("primary", None, 0, note="nobody was ever assigned: no schedule")
    singles = _candidates(pairs, 1)
    single = _pick(singles)
    day = _day_layer_candidate(pairs)
    chosen, alternatives = single, [c for c in _per_period(singles) if c is not single]
    if day is not None:
        if day.accuracy >= single.accuracy + MORE_COMPLEX_GAIN:
            chosen, alternatives = day, [single, *alternatives]
        else:
            alternatives.append(day)
    return RotationFit("primary", chosen, len(pairs), alternatives,
                       _note(chosen, alternatives, len(pairs), "the first person paged"))


def fit_secondary(team: TeamData, primary: Candidate | None) -> RotationFit:
    """The secondary schedule from the second person paged on escalated incidents."""
    escalated = [i for i in team.incidents if i.escalation_count > 0 and len(i.assigned) >= 2]
    whole_team = sum(len(i.assigned) >= 3 and i.escalation_count == 1 for i in escalated)
    pairs = [(team.minute(i.created_at) / 60.0, i.assigned[1]) for i in escalated
             if not (len(i.assigned) >= 3 and i.escalation_count == 1)]
    if whole_team > len(pairs):
        return RotationFit("secondary", None, len(pairs), note=(
            f"none: {whole_team} of {len(escalated)} escalations paged the whole team at "
            "once (the policy's next level is the team)"))
    if len(pairs) < MIN_SECOND_PAGES:
        return RotationFit("secondary", None, len(pairs), note=(
            f"none: only {len(pairs)} escalations paged a second person "
            f"(fewer than {MIN_SECOND_PAGES})"))
    constant = _score(pairs, _fit_constant, 1)
    rotating = _pick(_candidates(pairs, 2))
    chosen = constant
    if rotating.accuracy >= constant.accuracy + MORE_COMPLEX_GAIN:
        chosen = rotating
    alternatives = [c for c in (constant, rotating) if c is not chosen]
    if chosen.accuracy < MIN_SECOND_ACCURACY:
        return RotationFit("secondary", None, len(pairs), [constant, rotating], (
            f"none: no schedule predicts the second person paged for half of the {len(pairs)} "
            f"escalations (best {chosen.describe()}: {chosen.accuracy:.0%})"))
    return RotationFit("secondary", chosen, len(pairs), alternatives,
                       _note(chosen, alternatives, len(pairs), "the second person paged"))


def _candidates(pairs, complexity: int) -> list[Candidate]:
    """The single-layer schedules worth scoring on held-out data: for each period, the hand-off
    hours whose schedule agrees best with all the pages (in sample) - held-out scoring of
    every hour of every period would cost five fits each for nothing."""
    out = []
    for period in PERIODS:
        ranked = sorted(range(24), key=lambda h: -_agreement(pairs, _fit_layer(pairs, period, h)))
        for h in ranked[:HANDOFFS_SCORED]:
            out.append(_score(pairs, lambda train, p=period, h=h: _fit_layer(train, p, h),
                              complexity + (period != 7)))
    return out


def _agreement(pairs, layers: list[Layer]) -> int:
    return sum(_predict(layers, h) == person for h, person in pairs)


def _note(chosen: Candidate, alternatives: list[Candidate], pages: int, what: str) -> str:
    others = "; ".join(f"{c.describe()} {c.accuracy:.0%}" for c in alternatives[:3])
    return (f"{chosen.describe()}: predicts {what} for {chosen.accuracy:.0%} of held-out "
            f"incidents ({FOLDS} folds of {BLOCK_DAYS}-day blocks, {pages} pages; in sample "
            f"{chosen.in_sample:.0%})" + (f"; next best: {others}" if others else ""))


def _per_period(candidates: list[Candidate]) -> list[Candidate]:
    """The best candidate of each period (for the note)."""
    best: dict[int, Candidate] = {}
    for c in candidates:
        period = c.layers[0].period_days if c.layers else 0
        if period not in best or c.accuracy > best[period].accuracy:
            best[period] = c
    return sorted(best.values(), key=lambda c: -c.accuracy)


def _pick(candidates: list[Candidate]) -> Candidate:
    """The most accurate, or a simpler one within `SIMPLER_WITHIN` of it."""
    top = max(c.accuracy for c in candidates)
    close = [c for c in candidates if c.accuracy >= top - SIMPLER_WITHIN]
    return min(close, key=lambda c: (c.complexity, -c.accuracy))


def _score(pairs, fit, complexity: int) -> Candidate:
    """Fit on all data, and the held-out accuracy over the folds."""
    right = total = 0
    for fold in range(FOLDS):
        train = [p for p in pairs if _fold(p[0]) != fold]
        test = [p for p in pairs if _fold(p[0]) == fold]
        if not train or not test:
            continue
        layers = fit(train)
        right += sum(_predict(layers, h) == person for h, person in test)
        total += len(test)
    layers = fit(pairs)
    in_sample = sum(_predict(layers, h) == person for h, person in pairs) / len(pairs)
    return Candidate(layers, right / total if total else in_sample, in_sample, complexity)


def _fold(hour: float) -> int:
    return int(hour // (BLOCK_DAYS * 24)) % FOLDS


def _predict(layers: list[Layer], hour: float) -> str | None:
    for layer in layers:
        person = layer.on_call(hour)
        if person is not None:
            return person
    return None


def _fit_constant(pairs) -> list[Layer]:
    person = Counter(p for _, p in pairs).most_common(1)[0][0]
    return [Layer([person])]


def _fit_layer(pairs, period: int, handoff: int, hours: tuple[int, int] | None = None
               ) -> list[Layer]:
    """Members in turn order: for each possible number of members, each holder of a shift
    majority placed at the position (shift number modulo the members) where they most often
    held it; the number that agrees with the most pages wins (the smaller when tied)."""
    shifts: dict[int, Counter] = defaultdict(Counter)
    for hour, person in pairs:
        shifts[int((hour - handoff) // (period * 24))][person] += 1
    holders = Counter(c.most_common(1)[0][0] for c in shifts.values())
    if not holders:
        return []
    regular = sum(n >= 2 for n in holders.values())
    best: tuple[int, list[str]] | None = None
    for n in range(max(1, regular), len(holders) + 1):
        members = _turns(shifts, holders, n)
        agree = sum(counts[members[s % n]] for s, counts in shifts.items())
        if best is None or agree > best[0]:
            best = (agree, members)
    return [Layer(best[1], period, handoff, hours)]


def _turns(shifts: dict[int, Counter], holders: Counter, n: int) -> list[str]:
    """`n` members placed by where (shift modulo n) they held shifts, busiest first."""
    positions: dict[str, Counter] = defaultdict(Counter)
    for shift, counts in shifts.items():
        holder = counts.most_common(1)[0][0]
        positions[holder][shift % n] += counts[holder]
    members: list[str | None] = [None] * n
    for person, _ in holders.most_common():
        for position, _ in positions[person].most_common():
            if members[position] is None:
                members[position] = person
                break
    left = [p for p, _ in holders.most_common() if p not in members]
    return [m if m is not None else (left.pop(0) if left else holders.most_common(1)[0][0])
            for m in members]


def _day_layer_candidate(pairs) -> Candidate | None:
    """A day layer held by one person, over the rest fitted as one layer, if anyone holds the
    day: the person first paged most in the middle of the day, their hours the window where
    they outnumber everyone else most."""
    by_hour: dict[int, Counter] = defaultdict(Counter)
    for hour, person in pairs:
        by_hour[int(hour) % 24][person] += 1
    midday = Counter()
    for h in range(11, 16):
        midday.update(by_hour[h])
    if not midday:
        return None
    holder, held = midday.most_common(1)[0]
    if held < 0.5 * sum(midday.values()):
        return None
    best, window = 0.0, None
    for start in range(24):
        for length in range(4, DAY_LAYER_MAX_HOURS + 1):
            hours = [(start + k) % 24 for k in range(length)]
            gain = sum(by_hour[h][holder] - (sum(by_hour[h].values()) - by_hour[h][holder])
                       for h in hours)
            if gain > best:
                best, window = gain, (start, (start + length) % 24 or 24)
    if window is None:
        return None
    outside = [(h, p) for h, p in pairs if not _covers(window, int(h) % 24)]
    rest = _best_layer(outside) if outside else []
    period, handoff = (rest[0].period_days, rest[0].handoff_hour) if rest else (7, 0)

    def fit(train, window=window):
        kept = [(h, p) for h, p in train if not _covers(window, int(h) % 24)]
        return [Layer([holder], 7, 0, window), *(_fit_layer(kept, period, handoff)
                                                 if kept else [])]

    return _score(pairs, fit, 3)


def _best_layer(pairs) -> list[Layer]:
    """The single layer (period, hand-off) that agrees with the most of `pairs`."""
    best, chosen = -1, []
    for period in PERIODS:
        for handoff in range(24):
            layers = _fit_layer(pairs, period, handoff)
            agree = _agreement(pairs, layers)
            if agree > best:
                best, chosen = agree, layers
    return chosen


def _covers(hours: tuple[int, int], hour: int) -> bool:
    start, end = hours
    if start < end:
        return start <= hour < end
    return hour >= start or hour < end
