"""What to transfer first, and what keeps summoning the hero (`herosim advise`).

Three steps, each usable from Python:

1. **Attribution** (`attribute`): today's team, heroes present, no learning. Every hero
   interruption and every hero work hour is given exactly one cause, per class (plus the
   pseudo-classes `noise` and `changes`), so the shares of a class add up to 1. The rule, for
   a hero interruption at minute t of incident i:

   - `noise`: a false page (interruption kind `noise`; pseudo-class `noise`).
   - `routing`: the hero got the misrouted page of i (a `reroute` hand-off from the hero at or
     after t): the page was not theirs.
   - otherwise take the latest hand-off of i by a non-hero at or before t (an escalation of
     kind `manual` or `informal` whose `from_person` is not a hero):
     - `knowledge`: that person tried and got stuck (role `stuck` in `involved`): they could
       not fix it;
     - `requires`: they sized it up without trying and the class `requires` people they are
       not: the access was missing;
     - `confidence`: they sized it up, had the access and did not lead (role `acknowledged`):
       hesitation sent it on.
   - `rotation`: no non-hero handed it on first: the hero was paged as primary, secondary or a
     named level (including after a timeout) or acknowledged first.

   Hero hours of an incident (led, stuck and backup spans) take the cause of that hero's first
   interruption on it; triage of false pages is `noise`. The `changes` pseudo-class counts each
   release that needed a hero (`change_gate`: its `needs` gate names a hero) or that a hero led
   or backed without a gate (`change_lead`); hero change-backup spans count as its hours.
   Interruptions of incidents still open at the end of the run are left out.

2. **Candidates** (`candidates`): one-action plans (transfers, runbooks, rotation changes,
   condition fixes, `requires` and `needs` removals), each evaluated with common random numbers
   against doing nothing: **hero-absent risk** = SLO-breach minutes per week (time to mitigate
   past the SLO, summed) + `STRUGGLE_MINUTES` per struggled incident per week, measured by
   running the plan with learning for the weeks, freezing the team, and replaying the
   evaluation window (the independence check's incidents) with the heroes absent. The score is
   the risk reduction per hero hour (hours floored at `MIN_HERO_HOURS`); intervals come from a
   paired bootstrap over replications, as in sim/analysis/compare.py.

3. **Proposal** (`run_advise`, `verify.find_proposal`): a search over staged moves (what
   starts when, what ends when, actions that only work together such as a `requires`
   removal with the practice it makes possible: `moves`), each plan read by the independence
   check itself on a few replications with common random numbers, until one passes the
   scenario's own criteria with nobody's weekly transfer budget bound (`search`); the winner
   is checked as `herosim check --plan` checks it (its replications), beside today's team, and
   when it does not pass within the hero-hour budget the advice says what budget, or how many
   weeks, would.

The package by role: `attribution`, `candidates` (and the specialty rule), `risk`, `moves`,
`reading`, `search`, `verify`, `proposal` (the whole advice and its document,
`sim.analysis.types.AdviseDocument`).
"""

from sim.analysis.advise.attribution import (
    CAUSES,
    CHANGES,
    NOISE,
    AttributionSpec,
    attribute,
    attribution_replication,
    interruption_cause,
    summarize_attribution,
)
from sim.analysis.advise.candidates import (
    CONDITION_TARGETS,
    COSTLY_GAP,
    HERO_CLASS_SHARE,
    LEARNERS_PER_CLASS,
    LOW_RISK_SHARE,
    RARE_PER_WEEK,
    Candidate,
    candidates,
    classify,
    closest_learners,
    hero_classes,
    readiness,
    rotation_candidates,
)
from sim.analysis.advise.proposal import (
    CHECK_EVERY,
    CHECK_REPLICATIONS,
    CHECK_WEEKS,
    AdviseResult,
    hero_budget,
    run_advise,
)
from sim.analysis.advise.risk import (
    INTERRUPTION_MINUTES,
    MIN_HERO_HOURS,
    STRUGGLE_MINUTES,
    Risk,
    RiskSpec,
    evaluate,
    mean_by_class,
    paired_reduction,
    risk_replication,
)
from sim.analysis.advise.search import PLAN_NAME, SEARCH_REPLICATIONS

__all__ = [
    "CAUSES", "CHANGES", "CHECK_EVERY", "CHECK_REPLICATIONS", "CHECK_WEEKS", "CONDITION_TARGETS",
    "COSTLY_GAP", "HERO_CLASS_SHARE", "SEARCH_REPLICATIONS", "hero_budget",
    "INTERRUPTION_MINUTES", "LEARNERS_PER_CLASS", "LOW_RISK_SHARE", "MIN_HERO_HOURS", "NOISE",
    "PLAN_NAME", "RARE_PER_WEEK", "STRUGGLE_MINUTES", "AdviseResult", "AttributionSpec",
    "Candidate", "Risk", "RiskSpec", "attribute", "attribution_replication", "candidates",
    "classify", "closest_learners", "evaluate", "hero_classes", "interruption_cause",
    "mean_by_class", "paired_reduction", "readiness", "risk_replication",
    "rotation_candidates", "run_advise", "summarize_attribution",
]
