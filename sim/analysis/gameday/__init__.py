"""Scoring a real game day against the model, and learning the team's skills from it.

    >>> from sim.analysis.gameday import score_gameday
    >>> from sim.analysis.replicate import Replications
    >>> result = score_gameday(Replications(team, replications=200), observations)  # doctest: +SKIP
    >>> result.score.value, [u.scenario_after for u in result.changed_updates]  # doctest: +SKIP

By role (definitions and method: docs/gameday.md):

- `replay`: one replication: the team frozen at the start of the game day (after the plan,
  if any), each injection replayed alone on it, with the heroes reachable and away;
- `score`: the observations placed in the pooled predictions (percentiles, hesitation points,
  surprises), the score, the per-class and per-person summaries: `score_gameday`;
- `skills`: the grid posterior of each observed person's knowledge and confidence;
- `types`: the typed documents; `ScoreResult` is gameday.json.

Rendering lives in sim/outputs/ (`markdown_score`: gameday.md; `report_score`: report.html;
`scenario_update`: the scenario file with the updated skills).
"""

from sim.analysis.gameday.replay import ScoreSpec, game_day_scenario
from sim.analysis.gameday.score import percentile_rank, score_gameday
from sim.analysis.gameday.skills import estimate_skills
from sim.analysis.gameday.types import ScoreResult, SkillUpdate

__all__ = [
    "ScoreResult",
    "ScoreSpec",
    "SkillUpdate",
    "estimate_skills",
    "game_day_scenario",
    "percentile_rank",
    "score_gameday",
]
