"""The one sentence a command opens with, and the words it uses, explained once.

Each function takes a result document and returns a `Headline`: a plain-language sentence an
engineering manager can repeat ("Without priya, about 10 more SLO breaches a quarter; 39
changes wait; changes wait up to 56 days"), computed from the document's figures only, and the
terms the command's output uses, which `glossary` explains. The CLI prints both before its
tables; report.html opens with the sentence.

    >>> from sim.outputs.headline import run_headline, glossary  # doctest: +SKIP
    >>> line = run_headline(result.document)  # doctest: +SKIP
    >>> line.text, glossary(line.terms)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sim.analysis.compare import NO_PLAN
from sim.analysis.types import (
    AdviseDocument,
    CheckDocument,
    CompareDocument,
    Estimate,
    MetricsSummary,
    RunDocument,
)
from sim.outputs.markdown import week_span

if TYPE_CHECKING:  # only named in annotations: importing them would slow every command
    from sim.analysis.calibrate import Calibration
    from sim.analysis.gameday import ScoreResult
    from sim.analysis.heromap import HeroMap

DAYS_PER_QUARTER = 91

# Every term a headline or a table uses, in the words of someone who lives in PagerDuty.
GLOSSARY = {
    "±": "±: half-width of the 95% interval across replications (runs of the same period "
         "with different random incidents)",
    "minutes": "times in minutes unless marked h (hours)",
    "p90": "p90: nine in ten incidents are mitigated within it",
    "SLO breach": "SLO breach: mitigated later than the class's SLO",
    "struggled": "struggled: worked slowly by someone who could not fix it alone",
    "hand-offs": "hand-offs: escalations to someone else",
    "interruptions": "hero interruptions: the hero paged or pulled in (business 08-18 "
                     "weekdays, off, sleep 22-08, hero's local time)",
    "effective responders": "effective responders: non-heroes who would handle a class alone",
    "independent": "independent: with the heroes absent, every class meets the scenario's "
                   "pass criteria",
    "resamples": "resamples: the replications redrawn with replacement (bootstrap)",
    "hero hours": "hero hours: the heroes' time a plan spends on transfer",
    "percentile": "pct: where the observed time falls among the model's predictions "
                  "(50 = as predicted)",
    "TTR": "TTR: time to resolve, minutes",
    "HHI": "HHI: how concentrated a class is on people (1 = one person does all)",
}


@dataclass(frozen=True)
class Headline:
    """The opening sentence of a command's output and the terms its output uses."""

    text: str
    terms: tuple[str, ...] = ()


def glossary(terms: Sequence[str]) -> list[str]:
    """The explanations of `terms`, in order, each once (unknown terms are skipped)."""
    return [GLOSSARY[t] for t in dict.fromkeys(terms) if t in GLOSSARY]


def _mean(leaf: Estimate | float | None) -> float | None:
    if isinstance(leaf, dict):
        return leaf.get("mean")
    return leaf


def _count(value: float) -> str:
    """A count as a person says it: 'about 10', '3', 'under 1'."""
    if value < 0.5:
        return "under 1"
    if value < 10:
        return f"{value:.0f}"
    return f"about {value:.0f}"


def _names(items: Sequence[str], limit: int = 3) -> str:
    """'a, b and c', or 'a, b, c and 4 others'."""
    items = list(items)
    if len(items) > limit:
        return f"{', '.join(items[:limit])} and {len(items) - limit} others"
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _breaches(m: MetricsSummary) -> float:
    """SLO breaches per replication."""
    return (_mean(m["slo_breach_rate"]) or 0.0) * (_mean(m["incidents"]) or 0.0)


def run_headline(doc: RunDocument, replay: bool = False) -> Headline:
    """`herosim run`: what the absence costs (a what-if), or how the team copes."""
    m, base = doc.metrics, doc.baseline
    scale = DAYS_PER_QUARTER / doc.days
    period = f"over the history's {doc.days} days" if replay else "a quarter"
    if not replay and abs(doc.days - DAYS_PER_QUARTER) > 7:
        scale, period = 1.0, f"in {doc.days} days"
    terms = ("±", "minutes", "p90", "SLO breach", "struggled", "hand-offs", "interruptions",
             "effective responders")
    if base is not None and doc.without:
        who = _names(doc.without)
        added = (_breaches(m) - _breaches(base)) * scale
        parts = [f"Without {who}, {_count(max(added, 0.0))} more SLO breaches {period}"
                 if added >= 0.5 else f"Without {who}, no more SLO breaches {period}"]
        waiting = (_mean(m["changes"]["unshipped"]) or 0.0) - (
            _mean(base["changes"]["unshipped"]) or 0.0)
        if waiting >= 0.5:
            parts.append(f"{_count(waiting)} changes wait to ship")
            delay = _mean(m["changes"]["release_delay_hours"]["p90"])
            if delay is not None and delay >= 48:
                parts.append(f"the slowest changes wait {delay / 24:.0f} days (p90)")
        struggled = (_mean(m["struggled"]["count"]) or 0.0) * scale
        if struggled >= 0.5:
            parts.append(f"{_count(struggled)} incidents struggled (nobody capable reachable)")
        p90, p90_base = _mean(m["mttm"]["p90"]), _mean(base["mttm"]["p90"])
        if p90 and p90_base and p90 > 1.2 * p90_base:
            parts.append(f"the slowest tenth take {p90 / p90_base:.1f}x as long to mitigate")
        return Headline("; ".join(parts) + ".", terms)
    parts = [f"{doc.scenario}: {_count(_breaches(m) * scale)} SLO breaches {period}"]
    by_hero = m["hero_interruptions_per_week"]["by_hero"]
    busiest = sorted(doc.heroes, key=lambda h: -(_mean((by_hero.get(h) or {}).get("total"))
                                                 or 0.0))
    for hero in busiest[:2]:
        row = by_hero.get(hero) or {}
        total, sleep = _mean(row.get("total")), _mean(row.get("sleep"))
        if total:
            parts.append(f"{hero} is interrupted {total:.1f} times a week"
                         + (f", {sleep:.1f} of them asleep" if sleep and sleep >= 0.05 else ""))
    if len(doc.heroes) > 2:
        parts.append(f"{len(doc.heroes)} heroes in all")
    if doc.fit_check.overloaded:
        parts.append("the team is overloaded: the problem is staffing, not heroes")
    return Headline("; ".join(parts) + ".", terms)


def check_headline(doc: CheckDocument) -> Headline:
    """`herosim check`: independent or not, from when, and what holds it back."""
    heroes = _names(doc.heroes) or "the heroes"
    plan = f"plan {doc.plan}" if doc.plan else "no plan (today's team)"
    terms = ("minutes", "p90", "SLO breach", "hand-offs", "interruptions",
             "effective responders", "independent", "resamples")
    ttl = doc.time_to_independence
    if doc.final.passed and ttl.week is not None:
        hours = next((cp.plan_hero_hours.mean for cp in doc.checkpoints
                      if cp.week == ttl.week), None)
        cost = f", after {hours:.0f} hero hours" if hours else ""
        return Headline(f"Independent of {heroes} from week {ttl.week} of {plan}{cost}; "
                        f"time to independence: {week_span(ttl, weeks=doc.weeks)}.", terms)
    last = doc.checkpoints[-1]
    classes = [c for c in last.classes.values() if not c.specialty]
    independent = sum(c.verdict == "independent" for c in classes)
    held = [h.class_id for h in doc.final.holding_back]
    text = (f"Not independent of {heroes} after {doc.weeks} weeks of {plan}: "
            f"{independent} of {len(classes)} classes cope without them")
    if held:
        text += f"; {_names(held)} still need them"
    added = [c.added_breach_rate for c in classes if c.added_breach_rate is not None]
    if added and max(added) >= 0.005:
        text += f" (up to {max(added):.0%} more SLO breaches per class)"
    return Headline(text + ".", terms)


def compare_headline(doc: CompareDocument) -> Headline:
    """`herosim compare`: which plan wins, when it gets there and what it costs."""
    terms = ("minutes", "p90", "SLO breach", "interruptions", "effective responders",
             "independent", "resamples", "hero hours")
    ranked = [replace(r, plan=_plan_name(r.plan)) for r in doc.ranked_plans]
    if not ranked:
        return Headline("No plans compared.", terms)
    best, rest = ranked[0], ranked[1:]
    week = best.time_to_independence.week
    if week is not None:
        text = (f"{best.plan} reaches independence first, at week {week}, for "
                f"{best.hero_hours.mean:.0f} hero hours")
        never = [r.plan for r in rest if r.time_to_independence.week is None]
        if never:
            text += f"; {_names(never)} do not reach it in {doc.weeks} weeks"
    else:
        breach = best.absent_breach_rate_end
        text = (f"No plan reaches independence in {doc.weeks} weeks; {best.plan} leaves the "
                "fewest SLO breaches with the heroes absent"
                + (f" ({breach:.0%} of incidents)" if breach is not None else "")
                + f", for {best.hero_hours.mean:.0f} hero hours")
    difference = doc.ranking[0].difference
    if difference is not None and not difference.beyond_noise:
        text += f" (ahead of {_plan_name(doc.ranking[0].next)} only within noise)"
    return Headline(text + ".", terms)


def _plan_name(plan: str | None) -> str:
    """A plan's name, and 'doing nothing' for the no-plan candidate."""
    return "doing nothing" if plan == NO_PLAN else plan or ""


def advise_headline(doc: AdviseDocument) -> Headline:
    """`herosim advise`: what summons the hero most, and the first thing to transfer."""
    terms = ("interruptions", "hero hours", "resamples")  # risk: the table's caption
    heroes = _names(doc.heroes) or "the heroes"
    per_week = doc.baseline_risk.hero_interruptions_per_week
    busiest = sorted(doc.attribution.items(), key=lambda kv: -kv[1].hero_interruptions_per_week)
    parts = [f"{heroes} is pulled in {per_week:.1f} times a week"]
    if busiest and busiest[0][1].hero_interruptions_per_week > 0:
        cid, row = busiest[0]
        parts[0] += f", most for {cid} ({row.hero_interruptions_per_week:.1f} a week)"
    if doc.candidates:
        parts.append(f"the best first step per hero hour: {doc.candidates[0].name}")
    proposal = doc.proposal
    if proposal is not None and proposal.passes and proposal.within_budget:
        hours = f", {proposal.hero_hours:.0f} hero hours" if proposal.hero_hours else ""
        parts.append(f"the proposed plan ({len(proposal.moves)} moves{hours}) passes its "
                     f"check in {proposal.weeks} weeks")
    elif proposal is not None:
        needed = ("" if proposal.needed_budget_hero_hours is None else
                  f"; one needs about {proposal.needed_budget_hero_hours:.0f} hero hours")
        if proposal.weeks_needed is not None:
            needed += f"; one passes in {proposal.weeks_needed} weeks"
        parts.append(f"no plan within {proposal.budget_hero_hours:g} hero hours passes its "
                     f"check in {proposal.weeks} weeks{needed}")
    return Headline("; ".join(parts) + ".", terms)


def score_headline(result: ScoreResult) -> Headline:
    """`herosim score`: how the game day went against the model, and what it says."""
    s = result.score
    text = (f"Game day {result.date}: {s.handled} of {s.injections} injections handled "
            f"without a hero within the predicted time (the model expected "
            f"{s.expected:.0%})")
    hesitations = [r.id for r in result.injections if r.verdict == "hesitation"]
    if hesitations:
        text += f"; hesitation on {_names(hesitations)}"
    if result.dependence is not None and result.dependence.text:  # older folders lack it
        text += f"; {result.dependence.text}"
    return Headline(text + ".", ("percentile", "minutes"))


def map_headline(doc: HeroMap) -> Headline:
    """`herosim map`: who the incidents depend on, and what it costs them."""
    weeks = f"{doc.period.weeks:.0f} weeks"
    terms = ("TTR", "HHI")  # effective responders: the table's caption (recent handlers)
    if not doc.heroes:
        top = doc.overall.top_person
        share = doc.overall.top_touch_share
        busiest = (f"; the busiest person, {top}, touched {share:.0%} of them"
                   if top and share is not None else "")
        return Headline(f"No likely hero in {doc.overall.incidents} incidents over "
                        f"{weeks}{busiest}.", terms)
    parts = []
    for finding in doc.heroes[:2]:
        load = doc.people.get(finding.person)
        night = (load.interruptions.get("off", 0) + load.interruptions.get("sleep", 0)
                 if load else 0)
        part = f"{finding.person} is the likely hero of {_names(finding.services)}"
        if night:
            part += f" ({night} off-hour or sleep-hour interruptions in {weeks})"
        parts.append(part)
    if len(doc.heroes) > 2:
        parts.append(f"{len(doc.heroes) - 2} more likely heroes below")
    return Headline("; ".join(parts) + ".", terms)


def calibrate_headline(result: Calibration) -> Headline:
    """`herosim calibrate`: what was fitted, and how well it reproduces the history."""
    parts = []
    for team in result.teams[:3]:
        s = team.scenario
        part = (f"{team.team}: {len(s.classes)} classes, {len(s.people)} people, heroes "
                f"{_names(list(s.heroes)) or 'none'}")
        if team.consistency is not None:
            c = team.consistency
            inside = sum(x.inside for x in c.checks)
            part += f"; {inside} of {len(c.checks)} figures inside the model's band"
        if team.backtest is not None:
            b = team.backtest
            part += f"; {b.covered} of {b.figures} held-out figures predicted"
        parts.append(part)
    if len(result.teams) > 3:
        parts.append(f"and {len(result.teams) - 3} more teams")
    return Headline("Fitted " + " | ".join(parts) + ".", ("TTR",))
