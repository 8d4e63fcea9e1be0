"""advise.md, report.html of an advise folder, and the knowledge pack (`--write-pack`), from
advise.json.

User strings (ids, names, descriptions) go through `sim.outputs.markdown.cell` (markdown) and
`sim.outputs.html` (escaped).
"""

from __future__ import annotations

from sim.analysis.advise import CAUSES, CHECK_EVERY, CHECK_REPLICATIONS, CHECK_WEEKS
from sim.analysis.advise.pack import knowledge_pack
from sim.analysis.types import AdviseDocument, Interval
from sim.inputs.history import History
from sim.outputs import html
from sim.outputs.artifacts_md import pack_pages as render_pack
from sim.outputs.html import Raw, ReportBody, Section, join, note, para
from sim.outputs.markdown import cell, findings_markdown, num, table
from sim.outputs.report_check import curve_section, plan_section, verdict_section
from sim.outputs.report_people import findings_section, hero_time_section
from sim.schema import Scenario

CAUSE_LABEL = {
    "knowledge": "knowledge gap", "confidence": "confidence gap", "requires": "access",
    "rotation": "rotation", "routing": "routing", "noise": "alert noise",
    "change_gate": "change gate", "change_lead": "change lead",
}


def _interval(leaf: Interval, digits: int = 1) -> str:
    return f"{leaf.mean:.{digits}f} [{leaf.low:.{digits}f}, {leaf.high:.{digits}f}]"


def attribution_rows(doc: AdviseDocument) -> list[list[str]]:
    """Per class that summons a hero: key, hero share, interruptions and hours a week, causes."""
    rows = []
    for key, row in doc.attribution.items():
        if not row.hero_interruptions_per_week and not row.hero_hours_per_week:
            continue
        shares = ", ".join(f"{CAUSE_LABEL[c]} {row.causes[c].share:.0%}"
                           for c in CAUSES if c in row.causes and row.causes[c].share)
        rows.append([key, num(row.hero_share, 0, 100, "%"),
                     num(row.hero_interruptions_per_week, 2),
                     num(row.hero_hours_per_week, 2), shares])
    return rows


def advise_markdown(doc: AdviseDocument) -> str:
    """advise.md: attribution, ranked candidates, the proposal and the class verdicts."""
    lines = [f"# What to transfer first: {cell(doc.scenario)}", "",
             f"Heroes: {cell(', '.join(doc.heroes) or 'none')}; {doc.weeks} weeks, "
             f"{doc.replications} replications, seed {doc.seed}, budget "
             f"{doc.budget_hero_hours:g} hero hours.", "",
             "## Why the hero is pulled (today, heroes present)", "",
             table(["class", "hero in", "hero int./wk", "hero h/wk", "causes (share of "
                    "interruptions)"], attribution_rows(doc)), "",
             "## Candidates, ranked by risk reduction per hero hour", "",
             cell(doc.risk_definition) + f". Doing nothing: {doc.baseline_risk.mean:.1f}."
             " Intervals: 95% paired bootstrap over replications.", ""]
    lines.append(table(
        ["#", "candidate", "kind", "risk reduction", "per hero hour", "hero h", "learner h"],
        [[r.rank, r.name, r.kind, _interval(r.figures.reduction),
          _interval(r.figures.per_hero_hour, 2), num(r.figures.hero_hours),
          num(r.figures.learner_hours)]
         for r in doc.candidates]))
    lines += ["", "## The proposal", "", *proposal_markdown(doc)]
    lines += ["", "## True specialty or default rescue", "",
              "Rule: a hero-dependent class is a true specialty when it is rare, low risk and "
              "costly to transfer (all three); otherwise the hero is its default rescue.", "",
              table(["class", "verdict", "hero in", "per week", "risk share", "knowledge gap",
                     "access only heroes"],
                    [[cid, r.verdict, num(r.hero_share, 0, 100, "%"),
                      num(r.rate_per_week, 2), num(r.risk_share, 0, 100, "%"),
                      num(r.knowledge_gap, 2), "yes" if r.access_only_heroes else "no"]
                     for cid, r in doc.classes.items()]), ""]
    if doc.findings:
        lines += ["## The proposal against people's time and the playbook", "",
                  *findings_markdown(doc.findings)]
    return "\n".join(lines)


def pack_pages(doc: AdviseDocument, scenario: Scenario, history: History | None = None
               ) -> dict[str, str]:
    """One draft page per hero-dependent class: {file name: markdown}
    (`sim.analysis.advise.pack.knowledge_pack`, rendered by `sim.outputs.artifacts_md`)."""
    return render_pack(knowledge_pack(doc, scenario, history))


def check_command(doc: AdviseDocument, scenario: str, plan: str) -> str:
    """The `herosim check` command that checks the proposal as advise did."""
    check = doc.check
    weeks, every, reps = ((check.weeks, check.every, check.replications) if check else
                          (doc.check_weeks, CHECK_EVERY, CHECK_REPLICATIONS))
    options = [f"--weeks {weeks}" if weeks != CHECK_WEEKS else "",
               f"--every {every}" if every != CHECK_EVERY else "",
               f"--reps {reps}" if reps != CHECK_REPLICATIONS else "",
               f"--seed {doc.seed}" if doc.seed else ""]
    return " ".join(["herosim check", scenario, "--plan", plan, *(o for o in options if o)])


def proposal_rows(doc: AdviseDocument) -> list[list]:
    """Per class of the proposal's check: class (* specialty), today's verdict, the
    proposal's, the p90 ratio today→plan, added breaches, effective responders, worse."""
    if doc.check is None:
        return []
    rows = []
    for cid, row in doc.check.classes.items():
        rows.append([cid + (" *" if row.specialty else ""), row.today, row.verdict,
                     f"{num(row.today_p90_ratio, 2)}→{num(row.p90_ratio, 2)}",
                     num(row.added_breach_rate, 0, 100, "%"),
                     num(row.effective_responders, 1), row.degraded])
    return rows


def proposal_markdown(doc: AdviseDocument) -> list[str]:
    """advise.md's proposal: what it comes to, its moves, its check, and the search."""
    proposal = doc.proposal
    if proposal is None:
        return ["No proposal was searched for."]
    lines = [cell(proposal.line), ""]
    if proposal.moves:
        lines += [table(["move", "what"], [[m.name, m.description] for m in proposal.moves]),
                  ""]
    if doc.check is not None:
        check = doc.check
        lines += [f"Its check: `{check_command(doc, 'SCENARIO', 'PLAN')}` ({check.weeks} "
                  f"weeks, {check.replications} replications, seed {check.seed}), beside "
                  "today's team (week 0, no plan). *: specialty, reported apart.", "",
                  table(["class", "today", "with the plan", "p90 ratio today→plan",
                         "breach +", "responders", "worse"],
                        [[*r[:6], "**worse**" if r[6] else ""] for r in proposal_rows(doc)]),
                  ""]
        if check.over_budget:
            lines += ["Weeks a weekly transfer budget bound: " + "; ".join(
                f"{p}: {', '.join(str(w + 1) for w in weeks)}"
                for p, weeks in check.over_budget.items()) + ".", ""]
    lines += [f"Search: {proposal.evaluations} plans read ({proposal.search_replications} "
              f"replications each, or {doc.check.replications if doc.check else '-'} when "
              "read exactly), common random numbers; steps below (* chosen).", "",
              table(["phase", "round", "change", "passes", "over budget", "shortfall",
                     "hero h"],
                    [[s.phase, s.round, ("* " if s.chosen else "") + s.change,
                      "yes" if s.passed else "no", "yes" if s.over_budget else "",
                      num(s.shortfall, 3), num(s.hero_hours)] for s in proposal.steps])]
    return lines


def advise_report(folder: dict) -> ReportBody:
    """The report body of an advise folder (journal, advise.json): the proposal and its check
    beside today's team, the search, why the hero is pulled, the ranked candidates."""
    doc = AdviseDocument.from_json(folder["json"]["advise.json"])
    proposal, check = doc.proposal, doc.check
    journal = folder["journal"]
    if proposal is None:
        verdict, tone = "No proposal searched for", None
    elif proposal.passes and proposal.within_budget:
        verdict, tone = ("The proposal passes its check within the budget" if proposal.plan
                         else "Today's team already passes its check"), "good"
    elif proposal.passes:
        verdict, tone = (f"The proposal passes its check but needs "
                         f"{proposal.needed_budget_hero_hours:g} hero hours"), "warn"
    else:
        verdict, tone = "No plan found passes its check", "bad"
    facts = [("heroes", ", ".join(doc.heroes) or "none named"),
             ("budget", f"{doc.budget_hero_hours:g} hero hours ({doc.budget_source})")]
    if proposal is not None and proposal.hero_hours is not None:
        facts.append(("the proposal", f"{proposal.hero_hours:.0f} hero hours, "
                                      f"{num(proposal.learner_hours, 0)} learner hours"))
    if check is not None:
        facts.append(("its check", check_command(doc, journal.get("scenario_file") or
                                                 "SCENARIO", "PLAN")))
    if proposal is not None:
        facts.append(("search", f"{proposal.evaluations} plans read, "
                                f"{proposal.search_replications} replications each"))
    body = ReportBody(title=f"Advice: {doc.scenario}", verdict=verdict, tone=tone,
                      facts=facts, intro=para(proposal.line) if proposal else None)
    sections = []
    if proposal is not None and proposal.moves:
        sections.append(Section("proposal", "The proposal", join([
            html.table(["move", "what"], [[m.name, m.description] for m in proposal.moves],
                       left=2),
            plan_section(proposal.plan or {})])))
    if check is not None:
        sections += [
            Section("check", "Its check, beside today's team", _check_body(doc)),
            Section("check-classes", f"The check's classes at week {check.weeks}",
                    verdict_section(check.independence)),
            Section("check-curve", "Independence over the plan",
                    curve_section(check.independence)),
            Section("hero-time", "The hero's time under the plan",
                    hero_time_section(check.independence))]
    if doc.findings:
        sections.append(Section("findings", "The proposal against people's time and the "
                                "playbook", findings_section(doc.findings)))
    if proposal is not None and proposal.steps:
        sections.append(Section("search", "How the search went", _search_body(doc)))
    sections += [
        Section("attribution", "Why the hero is pulled today", html.table(
            ["class", "hero in", "hero int./wk", "hero h/wk", "causes"],
            attribution_rows(doc), left=1)),
        Section("candidates", "Candidates, ranked by risk reduction per hero hour", join([
            para(doc.risk_definition + f". Doing nothing: {doc.baseline_risk.mean:.1f}."),
            html.table(["#", "candidate", "kind", "risk reduction", "per hero hour",
                        "hero h", "learner h"],
                       [[str(r.rank), r.name, r.kind, _interval(r.figures.reduction),
                         _interval(r.figures.per_hero_hour, 2), num(r.figures.hero_hours),
                         num(r.figures.learner_hours)] for r in doc.candidates], left=3)])),
    ]
    body.sections = sections
    return body


def _check_body(doc: AdviseDocument) -> Raw:
    check = doc.check
    assert check is not None
    rows = [[r[0], r[1], r[2], r[3], r[4], r[5],
             html.tag("strong", "worse than today") if r[6] else ""]
            for r in proposal_rows(doc)]
    bound = ("; ".join(f"{p}: weeks {', '.join(str(w + 1) for w in weeks)}"
                       for p, weeks in check.over_budget.items()))
    return join([
        html.table(["class", "today", "with the plan", "p90 ratio today→plan", "breach +",
                    "responders", ""], rows, left=3,
                   caption="today: week 0 with no plan, on the same replications; *: "
                           "specialty, reported apart."),
        note(f"A weekly transfer budget bound in {check.over_budget_replications} of "
             f"{check.replications} replications ({bound}): the plan asks more of someone's "
             "week than they have for transfer.") if check.over_budget else
        note("Nobody's weekly transfer budget bound in any replication."),
        para(check.line)])


def _search_body(doc: AdviseDocument) -> Raw:
    proposal = doc.proposal
    assert proposal is not None
    rows = [[s.phase, str(s.round), ("✔ " if s.chosen else "") + s.change,
             str(s.replications), "yes" if s.passed else "no",
             "yes" if s.over_budget else "", num(s.shortfall, 3), num(s.hero_hours)]
            for s in proposal.steps]
    return join([
        note("Each plan read by the independence check at its last week, all on the same "
             "replications (common random numbers); shortfall: how far from the criteria "
             "(0 passes). ✔: the plan the search went on with. docs/advise.md says how."),
        html.table(["phase", "round", "change", "reps", "passes", "over budget", "shortfall",
                    "hero h"], rows, left=3)])
