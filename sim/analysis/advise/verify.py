"""The proposal, found and checked: the search (sim/analysis/advise/search.py), then the plan in
the independence check exactly as `herosim check --plan` runs it, beside today's team
(`find_proposal`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.analysis.advise.reading import RELEASES, CheckAt, Outcome
from sim.analysis.advise.search import REPAIRS, Phase, Search
from sim.analysis.independence import CheckData, CheckResult, check_replication
from sim.analysis.replicate import Replications, run_tasks
from sim.analysis.types import ClassRow, ReleaseRow
from sim.analysis.types.proposal import ClassCheck, Proposal, ProposalCheck, ProposalMove
from sim.schema import Plan, Verdict

# Worse is higher: a verdict above today's is a class the proposal makes worse.
VERDICT_ORDER = {Verdict.INDEPENDENT.value: 0, Verdict.PARTLY.value: 1,
                 Verdict.DEPENDENT.value: 2}


@dataclass(frozen=True)
class Budget:
    """The hero hours a proposal may cost over its weeks, and where the figure comes from."""

    hours: float
    source: str


@dataclass(frozen=True)
class Found:
    """The proposal and its check."""

    proposal: Proposal
    check: ProposalCheck | None
    plan: Plan | None


def find_proposal(reps: Replications, weeks: int, every: int, check_reps: int, budget: Budget,
                  phase: Phase) -> Found:
    """Search for a plan that passes the scenario's criteria, check it as `herosim check`
    does (`check_reps` replications, checkpoints every `every` weeks, the same seed), and say
    what it would take when it does not pass within the budget."""
    search = Search(reps, weeks, check_reps, every, phase)
    base = search.start()
    if base.ok:
        base, result = search.check(base)
        if base.ok:
            return Found(_proposal(search, None, None, budget, weeks, True, None, None,
                                   "Today's team already passes its check over "
                                   f"{weeks} weeks: no plan is needed."), None, None)
        current = base
    else:
        current = search.add(search.seed(base))
    if not current.design:
        return Found(_proposal(search, None, None, budget, weeks, False, None, None,
                               "No move applies to what fails (no heroes named, or nobody "
                               "to learn): nothing proposed."), None, None)
    current, result = search.check(current)
    for _ in range(REPAIRS):
        if current.ok:
            break
        repaired = search.repair(current)
        if repaired is None:
            break
        current, result = search.check(repaired)
    pruned = search.prune(current)
    if pruned is not current:
        current, result = search.check(pruned)
    passes = current.ok
    weeks_needed = None if passes else search.longer(current)
    bound = (current.over_budget, round(current.over_budget_share * current.replications))
    check = proposal_check(result, bound, today_rows(reps, check_reps, phase))
    hours = check.plan_hero_hours.mean
    within = hours <= budget.hours + 1e-9
    needed = None if within or not passes else float(math.ceil(hours))
    line = _line(check, passes, within, hours, budget, needed, weeks_needed, current.fits)
    plan = result.spec.plan
    assert plan is not None
    plan = plan.model_copy(update={"description": f"{plan.description} {line}"})
    proposal = _proposal(search, current, plan, budget, weeks, passes, needed, weeks_needed,
                         line, hours, check.plan_learner_hours)
    return Found(proposal, check, plan)


def today_rows(reps: Replications, check_reps: int, phase: Phase = lambda n: None
               ) -> tuple[dict[str, ClassRow], ReleaseRow | None]:
    """Today's team (week 0, no plan) on the check's replications: per class and releases."""
    spec = CheckAt(reps.scenario, None, 0, 1, reps.seed, at=(0,))
    data = CheckData(spec, run_tasks(check_replication,
                                     [(spec, r) for r in range(check_reps)],
                                     reps.workers, phase(check_reps), reps.executor))
    return {c.id: data.class_row(0, c) for c in reps.scenario.classes}, data.release_row(0)


# Who a weekly transfer budget stopped, and when (person -> weeks), and in how many
# replications.
Bound = tuple[dict[str, list[int]], int]


def proposal_check(result: CheckResult, bound: Bound,
                   today: tuple[dict[str, ClassRow], ReleaseRow | None]) -> ProposalCheck:
    """The check of the proposal beside today's team: verdicts, ratios, what got worse."""
    doc = result.document
    final = doc.checkpoints[-1]
    rows, releases_today = today
    classes = {}
    for cid, row in final.classes.items():
        before = rows[cid]
        classes[cid] = ClassCheck(
            today=before.verdict, verdict=row.verdict, specialty=row.specialty,
            today_p90_ratio=before.p90_ratio, p90_ratio=row.p90_ratio,
            added_breach_rate=row.added_breach_rate,
            effective_responders=row.effective_responders,
            degraded=VERDICT_ORDER[row.verdict] > VERDICT_ORDER[before.verdict])
    releases = final.releases.verdict if final.releases is not None else None
    before_releases = releases_today.verdict if releases_today is not None else None
    degraded = [cid for cid, row in classes.items() if row.degraded]
    if releases and before_releases and VERDICT_ORDER[releases] > VERDICT_ORDER[
            before_releases]:
        degraded.append(RELEASES)
    passed = doc.final.passed
    return ProposalCheck(
        weeks=doc.weeks, every=doc.every, replications=doc.replications, seed=doc.seed,
        passed=passed, verdict=doc.final.verdict,
        time_to_independence=doc.time_to_independence.week, classes=classes,
        releases_today=before_releases, releases=releases, degraded=degraded,
        over_budget=bound[0], over_budget_replications=bound[1],
        plan_hero_hours=final.plan_hero_hours, plan_learner_hours=final.plan_learner_hours,
        holding_back=doc.final.holding_back, line=_check_line(doc.weeks, doc.replications,
                                                              doc.seed, classes, passed),
        independence=doc)


def _check_line(weeks: int, replications: int, seed: int, classes: dict[str, ClassCheck],
                passed: bool) -> str:
    parts = []
    for cid, row in classes.items():
        ratio = "–" if row.p90_ratio is None else f"{row.p90_ratio:.2f}"
        mark = " (worse than today's " + row.today + ")" if row.degraded else ""
        parts.append(f"{cid} {row.verdict}{' (specialty)' if row.specialty else ''} "
                     f"p90 x{ratio}{mark}")
    head = "passes" if passed else "does not pass"
    return (f"In herosim check over {weeks} weeks ({replications} replications, seed {seed}) "
            f"the proposal {head}: " + "; ".join(parts) + ".")


def _line(check: ProposalCheck, passes: bool, within: bool, hours: float, budget: Budget,
          needed: float | None, weeks_needed: int | None, fits: bool = True) -> str:
    """What the proposal comes to, in one paragraph."""
    cost = f"{hours:.1f} hero hours over {check.weeks} weeks (budget {budget.hours:g}: " \
           f"{budget.source})"
    bound = "; ".join(f"{p} in week{'s' if len(w) > 1 else ''} "
                      + ", ".join(str(x + 1) for x in w[:6]) + (" ..." if len(w) > 6 else "")
                      for p, w in check.over_budget.items())
    worse = (" It makes " + ", ".join(check.degraded) + " worse than today."
             if check.degraded else "")
    if passes and within:
        return (f"The proposal passes its check at week {check.weeks} with {cost}; nobody's "
                f"weekly transfer budget binds.{worse}")
    if passes:
        return (f"Nothing found passes within the budget: the proposal passes its check at "
                f"week {check.weeks} but needs {cost}. A budget of {needed:g} hero hours "
                f"would do (--budget-hero-hours {needed:g}).{worse}")
    why = []
    if not check.passed:
        why.append("held back by " + ", ".join(h.class_id for h in check.holding_back))
    if bound:
        why.append(f"it asks more than the weekly transfer budget ({bound})")
    if not fits:
        why.append("its schedule asks more of someone's week than their transfer budget "
                   "(see the findings)")
    longer = (f" The same moves staged over {weeks_needed} weeks pass on the search's "
              f"replications (--check-weeks {weeks_needed})." if weeks_needed else
              " Nor do they over twice the weeks: the team needs more than this advice "
              "weighs (see what holds each class back).")
    return ("No plan found passes its check within the weeks: " + "; ".join(why) + "."
            + longer + worse)


def _proposal(search: Search, current: Outcome | None, plan: Plan | None, budget: Budget,
              weeks: int, passes: bool, needed: float | None, weeks_needed: int | None,
              line: str, hours: float | None = None, learner=None) -> Proposal:
    design = current.design if current is not None else ()
    return Proposal(
        plan=plan.model_dump(mode="json", exclude_none=True) if plan is not None else None,
        moves=[ProposalMove(name=m.name, family=m.family, description=m.description)
               for m in design],
        passes=passes, within_budget=hours is None or hours <= budget.hours + 1e-9,
        hero_hours=hours, learner_hours=learner.mean if learner is not None else None,
        budget_hero_hours=budget.hours, budget_source=budget.source,
        needed_budget_hero_hours=needed, weeks=weeks, weeks_needed=weeks_needed,
        search_replications=search.replications, evaluations=len(search.steps),
        steps=search.steps, line=line)
