"""The proposal's search: staged moves combined until the plan passes the scenario's own
independence criteria, within the hero's budget (`Search`).

Every plan the search weighs is read by the independence check itself (its replication,
pooling and verdict rules: `check_replication`, `CheckData`), at the plan's last week, with
common random numbers (the same replications, so the same incidents, absences and evaluation
window, for every plan). Two readings:

- **cheap**: `SEARCH_REPLICATIONS` replications, each window holding at least
  `SEARCH_MIN_INCIDENTS` incidents of every class (the check's probes, raised, so that a rare
  class is judged on about as many incidents as the check judges it on);
- **exact**: the check's own replications and probes: the same figures and verdicts as the last
  checkpoint of `herosim check --plan`.

How far a plan is from passing, its **shortfall**, adds up per class (and the releases) how far
each criterion is missed, as a share of its threshold, capped at `TERM_CAP`: the p90 ratio, the
added breaches, the effective responders, incidents nobody could work; plus `TERM_CAP` x the
share of replications where someone's weekly transfer budget bound (a plan over budget is not
the plan as written). A plan is **ok** when the check passes and no budget bound.

1. **Doing nothing** is read first (cheap): the classes it fails, and the releases, are the
   targets of the moves (sim/analysis/advise/moves.py).
2. **Seed**: each failing class's learners lead it with backup (and drill it every two weeks
   when it is rare: fewer than `DRILL_BELOW_PER_WEEK` a week), a runbook where nobody can
   learn it, and the gates removed.
3. **Add** (cheap, at most `ADD_ROUNDS` rounds): every family of the class that misses most is
   tried added at its first variant, or upgraded to its next (and, when none of those lowers
   the shortfall, every family of everything that fails); the ok plan, else the one with the
   least shortfall (then the fewest hero hours), goes on, until one is ok or nothing lowers the
   shortfall.
4. **Check**: the plan is checked as `herosim check --plan` checks it (`Search.check`: the
   check's replications, every checkpoint, the same seed; its last checkpoint is the exact
   reading). When it is not ok, a **repair** round reads exactly the plans that add to or
   upgrade the families of what failed (or, when a budget stopped part of it, that drop or
   downgrade a move), keeps the ok one with the fewest hero hours, else the one that clears
   what failed by most, and checks it (at most `REPAIRS` rounds).
5. **Prune** (at most `PRUNE_ROUNDS`): each move is tried dropped, or downgraded to the variant
   below, when that is planned to save at least `MIN_SAVING_HOURS` (stated costs and estimated
   backup time: `planned_hero_hours`), read cheaply; of those that read no further from
   passing than the plan itself, the cheapest are read exactly (at most `PRUNE_VERIFY`), and
   the first still ok replaces the plan, which is then checked again.

When no plan passes within the weeks, the moves are staged again over longer plans (1.5x and
2x the weeks) to say how many weeks would do (cheap).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from sim.analysis.advise.moves import Move, compose, families, planned_hero_hours
from sim.analysis.advise.reading import (
    RELEASES,
    TERM_CAP,
    CheckAt,
    Outcome,
    check_outcome,
    read_outcome,
)
from sim.analysis.independence import CheckData, CheckResult, check_replication, run_check
from sim.analysis.people import review_plan
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types.proposal import SearchStep
from sim.schema import Scenario

PLAN_NAME = "advised"
SEARCH_REPLICATIONS = 4
# The search's cheap reading holds at least this many incidents of every class per replication
# (the check's probes, raised): a rare class is judged on as many incidents in 4 replications
# as the check judges it on in 20.
SEARCH_MIN_INCIDENTS = 20
ADD_ROUNDS = 8
PRUNE_ROUNDS = 2
# Of the cheaper plans a prune round finds, at most this many are checked exactly.
PRUNE_VERIFY = 2
REPAIRS = 2
# A class with fewer incidents a week than this is drilled from the start (too rare to learn
# live within a plan).
DRILL_BELOW_PER_WEEK = 0.5
# A pruned plan must save at least this many hero hours (half a day) to replace the plan it
# came from.
MIN_SAVING_HOURS = 4.0

Phase = Callable[[int], Callable[[int], None] | None]


class Search:
    """One search: the team, its common random numbers, and every plan it evaluated."""

    def __init__(self, reps: Replications, weeks: int, check_reps: int, every: int,
                 phase: Phase):
        self.reps = reps
        self.every = every
        self.scenario: Scenario = reps.scenario
        criteria = self.scenario.independence
        self.cheap_scenario = self.scenario.model_copy(update={
            "independence": criteria.model_copy(update={"min_incidents_per_class": max(
                criteria.min_incidents_per_class, SEARCH_MIN_INCIDENTS)})})
        self.weeks = weeks
        self.check_reps = check_reps
        self.phase = phase
        self.steps: list[SearchStep] = []
        self.round = 0
        self.checks: dict[tuple[str, ...], tuple[Outcome, CheckResult]] = {}
        heroes = set(self.scenario.heroes)
        self.classes = [c.id for c in self.scenario.classes if not c.specialty]
        self.gated = [v.id for v in self.scenario.services
                      if v.changes is not None and set(v.changes.needs) & heroes]
        self.families = families(self.scenario, self.classes, self.gated, weeks)

    @property
    def replications(self) -> int:
        """Replications of each plan in the cheap reading."""
        return min(SEARCH_REPLICATIONS, self.check_reps)

    def evaluate(self, designs: list[tuple[Move, ...]], phase: str, changes: list[str],
                 exact: bool = False, weeks: int | None = None) -> list[Outcome]:
        """Read each design's plan at its last week, cheaply or exactly (one batch)."""
        weeks = weeks or self.weeks
        replications = self.check_reps if exact else self.replications
        scenario = self.scenario if exact else self.cheap_scenario
        plans = [compose(design, "advised", "") if design else None for design in designs]
        specs = [CheckAt(scenario, plan, weeks, weeks, self.reps.seed, at=(weeks,))
                 for plan in plans]
        results = run_tasks(check_replication, [(spec, r) for spec in specs
                                                for r in range(replications)],
                            self.reps.workers, self.phase(len(specs) * replications),
                            self.reps.executor)
        outcomes = []
        for k, (spec, design, plan) in enumerate(zip(specs, designs, plans)):
            mine = results[k * replications:(k + 1) * replications]
            outcome = self.fitted(read_outcome(CheckData(spec, mine), design, plan, weeks,
                                               [rep["over_budget"] for rep in mine]),
                                  weeks)
            outcomes.append(outcome)
            self.steps.append(SearchStep(
                phase=phase, round=self.round, change=changes[k],
                moves=[m.name for m in design], replications=replications, weeks=weeks,
                passed=outcome.passed, over_budget=outcome.over,
                shortfall=round(outcome.shortfall, 4), hero_hours=outcome.hero_hours,
                chosen=False))
        self.round += 1
        return outcomes

    def fitted(self, outcome: Outcome, weeks: int) -> Outcome:
        """`outcome` with its plan's schedule read against the weekly budgets (a schedule
        that does not fit adds `TERM_CAP` to the shortfall), and its row in the steps."""
        fits = outcome.plan is None or review_plan(outcome.plan, self.scenario,
                                                   weeks).budget.fits
        return replace(outcome, fits=fits, step=len(self.steps),
                       shortfall=outcome.shortfall + (0.0 if fits else TERM_CAP))

    def choose(self, outcome: Outcome) -> Outcome:
        """Mark `outcome` as the plan the search goes on with."""
        self.steps[outcome.step] = replace(self.steps[outcome.step], chosen=True)
        return outcome

    def exact(self, outcome: Outcome, why: str = "read exactly") -> Outcome:
        """`outcome`'s plan read exactly (the check's replications and probes)."""
        return self.choose(self.evaluate([outcome.design], "exact", [why], exact=True)[0])

    def check(self, outcome: Outcome) -> tuple[Outcome, CheckResult]:
        """`outcome`'s plan in the independence check as `herosim check --plan` runs it
        (the check's replications, every checkpoint, the same seed); its last checkpoint is
        the exact reading."""
        key = tuple(m.name for m in outcome.design)
        if key not in self.checks:
            bound: list[dict[str, list[int]]] = []
            plan = compose(outcome.design, PLAN_NAME, "Proposed by herosim advise: "
                           + ", ".join(key) + ".")
            result = run_check(replace(self.reps, replications=self.check_reps,
                                       progress=self.phase(self.check_reps)),
                               plan, weeks=self.weeks, every=self.every,
                               observe=lambda rep: bound.append(rep["over_budget"]))
            checked = self.fitted(check_outcome(result, outcome.design, bound), self.weeks)
            self.steps.append(SearchStep(
                phase="check", round=self.round, change="herosim check --plan", moves=list(key),
                replications=self.check_reps, weeks=self.weeks, passed=checked.passed,
                over_budget=checked.over, shortfall=round(checked.shortfall, 4),
                hero_hours=checked.hero_hours, chosen=True))
            self.round += 1
            self.checks[key] = (checked, result)
        return self.checks[key]

    # -- the phases ------------------------------------------------------------------------

    def start(self) -> Outcome:
        """Doing nothing, read cheaply."""
        return self.choose(self.evaluate([()], "baseline", ["doing nothing"])[0])

    def seed(self, base: Outcome) -> Outcome:
        """The obvious treatment of everything doing nothing fails (see the module doc)."""
        design: list[Move] = []
        for key in base.failing:
            if key == RELEASES:
                design += [self.families[f"gate:{s}"][0] for s in self.gated]
                continue
            live = self.families.get(f"live:{key}")
            if live:
                design.append(live[0])
                if self.scenario.incident_class(key).rate_per_week < DRILL_BELOW_PER_WEEK:
                    design.append(self.families[f"drill:{key}"][0])
            else:
                design.append(self.families[f"runbook:{key}"][0])
        if not design:
            return base
        (seeded,) = self.evaluate([tuple(design)], "seed",
                                  ["+ " + ", ".join(m.name for m in design)])
        return self.choose(seeded)

    def targets(self, failing: Sequence[str]) -> list[str]:
        """The families that act on what fails."""
        names = []
        for name in self.families:
            kind, target = name.split(":", 1)
            if (kind == "gate" and RELEASES in failing) or (kind == "fix" and failing) \
                    or target in failing:
                names.append(name)
        return names

    def additions(self, current: Outcome, failing: Sequence[str]
                  ) -> tuple[list[tuple[Move, ...]], list[str]]:
        """Each target family added at its first variant, or upgraded to its next."""
        chosen = {m.family: m for m in current.design}
        designs, changes = [], []
        for name in self.targets(failing):
            variants = self.families[name]
            have = chosen.get(name)
            if have is None:
                designs.append((*current.design, variants[0]))
                changes.append(f"+ {variants[0].name}")
            elif have.level + 1 < len(variants):
                new = variants[have.level + 1]
                designs.append(tuple(new if m is have else m for m in current.design))
                changes.append(f"{have.name} -> {new.name}")
        return designs, changes

    def add(self, current: Outcome) -> Outcome:
        """Add or upgrade moves until the plan is ok or nothing lowers the shortfall: the
        families of what misses most first, then of everything that fails."""
        for _ in range(ADD_ROUNDS):
            if current.ok:
                break
            if current.over:
                tries = [self.prunings(current)]
            else:
                worst = max(current.missed, key=current.missed.get) if current.missed else None
                tries = [self.additions(current, [worst] if worst else []),
                         self.additions(current, current.failing)]
            best = None
            tried: set[tuple[str, ...]] = set()
            for designs, changes in tries:
                fresh = [(d, c) for d, c in zip(designs, changes)
                         if tuple(m.name for m in d) not in tried]
                if not fresh:
                    continue
                tried.update(tuple(m.name for m in d) for d, _ in fresh)
                outcomes = self.evaluate([d for d, _ in fresh], "add", [c for _, c in fresh])
                best = min(outcomes, key=lambda o: (not o.ok, round(o.shortfall, 3),
                                                    o.hero_hours))
                if best.ok or best.shortfall < current.shortfall - 1e-9:
                    break
                best = None
            if best is None:
                break
            current = self.choose(best)
        return current

    def prunings(self, current: Outcome, saving: float = 0.0
                 ) -> tuple[list[tuple[Move, ...]], list[str]]:
        """Each move dropped, or downgraded to the variant below; with `saving`, only those
        planned to save at least that many hero hours (`planned_hero_hours`)."""
        designs, changes = [], []
        before = self.planned(current.design)
        for move in current.design:
            options = [(tuple(m for m in current.design if m is not move), f"- {move.name}")]
            if move.level > 0:
                lower = self.families[move.family][move.level - 1]
                options.append((tuple(lower if m is move else m for m in current.design),
                                f"{move.name} -> {lower.name}"))
            for design, change in options:
                if saving and before - self.planned(design) < saving:
                    continue
                designs.append(design)
                changes.append(change)
        return designs, changes

    def planned(self, design: tuple[Move, ...]) -> float:
        """The design's hero hours as planned (stated costs and estimated live practice)."""
        return planned_hero_hours(compose(design, PLAN_NAME, ""), self.scenario, self.weeks)

    def repair(self, current: Outcome) -> Outcome | None:
        """After an exact reading that is not ok: the plans that add to or upgrade the
        families of what failed (or, when a budget bound, drop or downgrade a move),
        read exactly; the ok one with the fewest hero hours, else the one that clears what
        failed by most; None when none does better than the plan as it is."""
        failing = current.failing
        if current.over:
            designs, changes = self.prunings(current)
        else:
            designs, changes = self.additions(current, failing)
        if not designs:
            return None
        outcomes = self.evaluate(designs, "repair", changes, exact=True)
        ok = [o for o in outcomes if o.ok]
        if ok:
            return self.choose(min(ok, key=lambda o: o.hero_hours))
        best = max(outcomes, key=lambda o: (o.slack(failing), -o.hero_hours))
        if best.slack(failing) <= current.slack(failing):
            return None
        return self.choose(best)

    def prune(self, current: Outcome) -> Outcome:
        """Drop what an ok plan (read exactly) does not need: cheaper plans found cheaply,
        kept only when still ok read exactly."""
        for _ in range(PRUNE_ROUNDS):
            if not current.ok or not current.design:
                break
            designs, changes = self.prunings(current, MIN_SAVING_HOURS)
            if not designs:
                break
            # The plan as it is, read cheaply too: the hours to beat, on the same reading.
            here, *outcomes = self.evaluate([current.design, *designs], "prune",
                                            ["as it is", *changes])
            # Read cheaply, a plan no further from passing than this one is worth reading
            # exactly (the cheap reading may miss by a hair where the exact one passes).
            cheaper = sorted((o for o in outcomes
                              if (o.ok or (not o.over
                                           and o.shortfall <= here.shortfall + 1e-9))
                              and o.hero_hours <= here.hero_hours - MIN_SAVING_HOURS),
                             key=lambda o: (o.hero_hours, o.shortfall))
            found = None
            for candidate in cheaper[:PRUNE_VERIFY]:
                exact = self.exact(candidate, self.steps[candidate.step].change)
                if exact.ok and exact.hero_hours <= current.hero_hours - MIN_SAVING_HOURS:
                    found = exact
                    break
            if found is None:
                break
            current = found
        return current

    def longer(self, current: Outcome) -> int | None:
        """The fewest weeks (1.5x, 2x the plan's) in which the same moves, staged on the
        longer plan, pass (cheap reading); None when neither does."""
        for factor in (1.5, 2.0):
            weeks = int(round(self.weeks * factor))
            staged = families(self.scenario, self.classes, self.gated, weeks)
            design = tuple(staged[m.family][m.level] for m in current.design
                           if m.family in staged)
            (outcome,) = self.evaluate([design], "weeks",
                                       [f"the same moves over {weeks} weeks"], weeks=weeks)
            if outcome.ok:
                self.choose(outcome)
                return weeks
        return None
