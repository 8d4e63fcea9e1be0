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

The package by role: `replay` (one replication), `pooling` (replications pooled, figures of
any resample), `verdicts` (the rules), `resampling` (the bootstrap), `diagnosis` (what holds a
class back), `summary` (the whole check and its document, `sim.analysis.types.CheckDocument`).
"""

from sim.analysis.independence.diagnosis import diagnose, final_state, release_reasons
from sim.analysis.independence.pooling import CheckData, Pooled
from sim.analysis.independence.replay import (
    ARMS,
    COUNT_KEYS,
    ArmRow,
    CheckReplication,
    CheckSpec,
    arm_stats,
    check_replication,
    plan_hours,
    release_stats,
    with_probes,
)
from sim.analysis.independence.resampling import (
    BOOTSTRAP_SAMPLES,
    bootstrap,
    interval,
    resampling_weights,
)
from sim.analysis.independence.summary import CheckResult, run_check, summarize_check
from sim.analysis.independence.verdicts import class_verdict, release_verdict

__all__ = [
    "ARMS", "BOOTSTRAP_SAMPLES", "COUNT_KEYS", "ArmRow", "CheckData", "CheckReplication",
    "CheckResult", "CheckSpec", "Pooled", "arm_stats", "bootstrap", "check_replication",
    "class_verdict", "diagnose", "final_state", "interval", "plan_hours", "release_reasons",
    "release_stats", "release_verdict", "resampling_weights", "run_check", "summarize_check",
    "with_probes",
]
