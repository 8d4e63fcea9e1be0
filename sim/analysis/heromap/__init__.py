"""The operational hero map: who the teams' incidents really depend on, from history.

Per team, and per incident class (or per service): how many incidents, who acknowledged, who
resolved, who was joined or escalated to, the share handled by the top person, concentration
(HHI), effective responders (the operational truck factor, with recency weighting),
interruptions by hour class, and a ranking by risk x recurrence. People are users (one per
PagerDuty user id, whatever names they carried), each in their own time zone. Then the
findings: heroes, by evidence of dependence, and busy people, by load without it
(sim/analysis/heromap/findings.py), each with its evidence.

Definitions (docs/history.md has the reasoning):

- **handler** of an incident: its resolver, else its last acknowledger; an auto-resolved
  incident has none (it is counted as auto-resolved). Shares are over the incidents with a
  handler and sum to 1.
- **HHI**: the sum of squared handling shares (1 = one person handles everything).
- **recency weight** of an incident: 0.5 ** (age / half-life), age measured back from the end
  of the history. A person's weight for a class is the sum over incidents they handled.
- **effective responders** (operational truck factor): the number of people whose recency
  weight reaches `recent_weight` (default 0.5: one incident handled one half-life ago, or a
  couple handled longer ago). 0 means nobody has handled it recently.
- **risk x recurrence score**: severity weight (sev1 4 .. sev4 1, the class mean) x incidents
  per week x HHI x (1 + [truck factor <= 1]). Higher is riskier.

The package: `types` (the document), `load` (groups, people, teams), `findings`.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from sim import __version__
from sim.analysis.heromap.findings import findings
from sim.analysis.heromap.load import (
    group_row,
    handled_counts,
    overall_row,
    person_loads,
    shares,
    team_rows,
    touch_share,
)
from sim.analysis.heromap.types import (
    Evidence,
    Finding,
    Group,
    HeroMap,
    Overall,
    Period,
    PersonLoad,
    Row,
    Source,
    Team,
)
from sim.inputs.history import History, HistoryIncident, team_of

DEFAULT_HALF_LIFE_DAYS = 90.0
DEFAULT_RECENT_WEIGHT = 0.5


def hero_map(
    history: History,
    by: str = "class",
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS,
    recent_weight: float = DEFAULT_RECENT_WEIGHT,
) -> HeroMap:
    """The hero map of a history (heromap.json).

    People's zones are the history's (`History.directory`: the people file's, else inferred,
    else the import's default zone).

    Args:
        history: imported incidents.
        by: "class" or "service": how incidents are grouped (within each team).
        half_life_days: recency half-life of the truck factor's weights.
        recent_weight: the weight a person needs to count as having handled a class recently.
    """
    if by not in ("class", "service"):
        raise ValueError(f"by must be 'class' or 'service', not {by!r}")
    groups: dict[tuple[str, str], list[HistoryIncident]] = defaultdict(list)
    for incident in history.incidents:
        key = incident.class_id if by == "class" else incident.service
        groups[(team_of(incident), key)].append(incident)
    clash = Counter(key for _, key in groups)
    rows = [group_row(key if clash[key] == 1 else f"{team}/{key}", team, items, history,
                      half_life_days, recent_weight)
            for (team, key), items in groups.items()]
    rows.sort(key=lambda g: (-g.score, g.id))
    for rank, row in enumerate(rows, 1):
        row.rank = rank
    people = person_loads(history)
    heroes, busy = findings(history, people)
    report = history.report
    period = history.period_json()
    zones = Counter(r.zone_source for p, r in history.directory.items() if p in people)
    return HeroMap(
        herosim_version=__version__,
        source=Source(report.file, report.format, report.rows, report.imported,
                      report.skipped_count, report.reasons(),
                      [Row.of(s) for s in report.skipped], list(report.ignored_fields),
                      len(report.dropped), report.dropped_reasons(),
                      [Row.of(s) for s in report.dropped], report.auto_resolved,
                      report.people_file, [Row.of(s) for s in report.people_skipped]),
        period=Period(period["start"], period["end"], period["days"], period["weeks"]),
        by=by,
        timezone=history.default_zone,
        half_life_days=half_life_days,
        recent_weight=recent_weight,
        overall=overall_row(history),
        groups=rows,
        people=people,
        heroes=heroes,
        busy=busy,
        teams=team_rows(history),
        zones=dict(zones),
    )


__all__ = ["Evidence", "Finding", "Group", "HeroMap", "Overall", "Period", "PersonLoad", "Row",
           "Source", "Team", "handled_counts", "hero_map", "shares", "touch_share"]
