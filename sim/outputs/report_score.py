"""The report of a `herosim score` folder: each game-day injection against its predicted
distribution, the flagged hesitation points and surprises, the score with its definition, and
the per-class, per-person and skill-estimate tables (gameday.json; docs/gameday.md).

The folder's gameday.json is read back as its typed document (`ScoreResult.from_json`); a key
that a folder written by an older version lacks reads as None and shows as '–'."""

from __future__ import annotations

from sim.analysis.gameday.types import ScoreResult
from sim.outputs import charts_ranges
from sim.outputs.headline import score_headline
from sim.outputs.html import Raw, ReportBody, Section, esc, figure, join, note, para, table, tag
from sim.outputs.markdown import num, quantile_range

VERDICT_TONE = {"as predicted": "good", "hesitation": "bad", "surprise": "warn"}


def _verdict_tag(verdict: str) -> Raw:
    return tag("span", verdict, class_=f"tag {VERDICT_TONE.get(verdict, '')}".strip())


def _chance(observed: bool, chance: float | None) -> str:
    """'yes (92%)': what happened, then the model's predicted chance of it."""
    return f"{'yes' if observed else 'no'} ({num(chance, 0, 100, '%')})"


def score_report(folder: dict) -> ReportBody:
    """The report body of a score folder (journal, gameday.json)."""
    doc = ScoreResult.from_json(folder["json"]["gameday.json"])
    scenario = folder["journal"].get("scenario") or {}
    score = doc.score
    value, expected = score.value, score.expected
    hesitations = sum(bool(r.hesitations) for r in doc.injections or [])
    reachable = "reachable" if doc.prediction_arm == "present" else "away"
    return ReportBody(
        title=f"Game day {doc.date}: {doc.scenario}",
        verdict=(f"Game-day score {num(value, 0, 100, '%')} (the model expected "
                 f"{num(expected, 0, 100, '%')})"),
        tone=("good" if value is not None and expected is not None and value >= expected
              and not hesitations else "warn"),
        facts=[
            ("scenario", f"{doc.scenario}, day {doc.scenario_day} of its calendar"),
            ("plan", doc.plan or "none (the scenario's team, practising live)"),
            ("heroes", f"{', '.join(doc.heroes or []) or 'none named'} ({doc.hero_role})"),
            ("absent", ", ".join(doc.absent or []) or "nobody"),
            ("primary", doc.primary or "the rotation"),
            ("predicted", f"{doc.replications} replications per injection, seed "
                          f"{doc.seed}, heroes {reachable} in the prediction"),
            ("observations", doc.observations or "–"),
        ],
        intro=join([
            para(tag("strong", score_headline(doc).text)),
            para(scenario.get("description") or ""),
            para(f"Dependence: {(doc.dependence.text if doc.dependence else None) or '–'}."),
        ]),
        sections=[
            Section("score", "Score", score_section(doc)),
            Section("injections", "Injections against their predictions",
                    injections_section(doc)),
            Section("flags", "Hesitation points and surprises", flags_section(doc)),
            Section("classes", "Per class", class_section(doc)),
            Section("people", "Per person", people_section(doc)),
            Section("skills", "Skill estimates", skills_section(doc)),
        ],
    )


def score_section(doc: ScoreResult) -> Raw:
    """The score, its definition, what the model expected, and what the flags mean."""
    score = doc.score
    thresholds = doc.thresholds
    expected_below = thresholds.expected_below if thresholds else None
    surprise_above = thresholds.surprise_above if thresholds else None
    return join([
        para(Raw(f"<strong>{esc(num(score.value, 0, 100, '%'))}</strong>"),
             f": {score.handled} of {score.injections} injections handled "
             f"independently. The model expected {num(score.expected, 0, 100, '%')} "
             "(the mean over injections of its predicted chance of that same event)."),
        para(Raw(f"<strong>Definition:</strong> {esc(score.definition or '–')}.")),
        note(f"A hesitation point: mitigated slower than the predicted p90 (or abandoned), "
             f"acknowledged slower than the predicted p90, or an escalation or a hero pulled "
             f"where the predicted chance was below "
             f"{num(expected_below, 0, 100, '%')}. A surprise, the other "
             f"way: faster than the predicted p10, or no escalation or no hero where the "
             f"chance was above {num(surprise_above, 0, 100, '%')}."),
    ])


def injections_section(doc: ScoreResult) -> Raw:
    """Each injection's observed time to mitigate on its predicted strip, and a table."""
    rows = doc.injections or []
    if not rows:
        return note("The game day has no injections.")
    strips = [{"label": f"{r.id} · {r.class_id}",
               "p10": r.predicted.ttm.p10, "p50": r.predicted.ttm.p50,
               "p90": r.predicted.ttm.p90,
               "observed": None if r.observed.abandoned else r.observed.ttm,
               "verdict": r.verdict} for r in rows]
    chart = charts_ranges.injection_strips(strips)
    table_rows = []
    for r in rows:
        obs, pred = r.observed, r.predicted
        hero = obs.hero_involved or obs.hero_consulted
        table_rows.append([
            Raw(f'{esc(r.id)}<span class="ci">{esc(r.class_id)}'
                f'{" (specialty)" if r.specialty else ""} · injected '
                f'{esc(obs.injected)}</span>'),
            "gave up" if obs.abandoned else num(obs.ttm, 0),
            quantile_range(pred.ttm), num(r.ttm_percentile, 0),
            f"{num(obs.tta, 0)} (p90 {num(pred.tta.p90 if pred.tta else None, 0)})",
            _chance(obs.escalated, pred.escalation_chance),
            _chance(hero, pred.hero_chance),
            _verdict_tag(r.verdict),
        ])
    return join([
        figure(chart, "Blue strip: the predicted time to mitigate from p10 to p90 over the "
                      "replications, black tick its p50; the marker is the observed time "
                      "(green circle as predicted, vermillion cross a hesitation point, blue "
                      "diamond a surprise). Replays never mitigated are drawn in the grey "
                      "'not mitigated' zone, as is an injection the team gave up on."),
        table(["injection", "TTM min", "predicted p10–p50–p90",
               "percentile", "TTA min (predicted p90)", "escalated (model)",
               "hero pulled (model)", "verdict"], table_rows, left=1,
              caption="TTM, TTA: observed minutes to mitigate and to acknowledge; percentile: "
                      "where the observed TTM falls among the predictions (ties count half). "
                      "Escalated, hero pulled: observed, then the model's chance (of reaching "
                      "for a hero: when one is reachable)."),
    ])


def flags_section(doc: ScoreResult) -> Raw:
    """The hesitation points and surprises of each injection, with its notes."""
    items = []
    for r in doc.injections or []:
        reasons = ([Raw(f"{_verdict_tag('hesitation')} {esc(t)}") for t in r.hesitations
                    or []]
                   + [Raw(f"{_verdict_tag('surprise')} {esc(t)}") for t in r.surprises
                      or []])
        notes = r.observed.notes if r.observed else None
        if notes:
            reasons.append(Raw(f"<em>Notes:</em> {esc(notes)}"))
        if not reasons:
            continue
        sub = tag("ul", join(tag("li", reason) for reason in reasons))
        items.append(tag("li", Raw(f"<strong>{esc(r.id)}</strong> ({esc(r.class_id)}, "
                                   f"led by {esc(r.observed.lead or 'nobody')}) "
                                   f"{_verdict_tag(r.verdict)}{sub}")))
    if not items:
        return note("Every injection went as predicted, and none has notes.")
    return tag("ul", join(items), class_="reasons")


def class_section(doc: ScoreResult) -> Raw:
    """Per class: dependence (no hero, specialty, default rescue), chances, flags."""
    rows = [[cid + (" (specialty)" if c.specialty else ""), c.dependence,
             c.injections, c.hero_pulled,
             num(c.predicted_hero_chance, 0, 100, "%"),
             num(c.ttm_percentile_mean, 0), c.hesitations, c.surprises]
            for cid, c in (doc.classes or {}).items()]
    if not rows:
        return note("No classes.")
    return table(["class", "dependence", "injections", "hero pulled", "predicted hero chance",
                  "mean TTM percentile", "hesitation points", "surprises"],
                 rows, left=2, caption="Specialty: a class the team agreed a hero keeps "
                               "(`specialty: true`); a hero pulled elsewhere is default "
                               "rescue.")


def people_section(doc: ScoreResult) -> Raw:
    """Per person: what they acknowledged, led, handed on, and the flags on those."""
    rows = [[person + (" (hero)" if p.hero else ""), p.acknowledged,
             p.led, p.handed_on, p.took_part, p.hesitations,
             p.surprises, num(p.led_ttm_percentile_mean, 0)]
            for person, p in (doc.people or {}).items()]
    if not rows:
        return note("Nobody is named in the observations.")
    return table(["person", "acknowledged", "led", "handed on", "took part",
                  "hesitation points", "surprises", "mean TTM percentile when leading"], rows,
                 caption="Hesitation points and surprises are counted on the injections a "
                         "person acknowledged, led or handed on.")


def skills_section(doc: ScoreResult) -> Raw:
    """The skill estimates: scenario values before and after, with their evidence."""
    updates = doc.skill_updates or []
    if not updates:
        return note("No skill evidence: nobody acknowledged or led an injection.")
    rows = []
    for u in updates:
        before, after = u.scenario_before, u.scenario_after
        evidence = u.evidence or []
        led = sum(bool(e.led) for e in evidence)
        rows.append([
            u.person, u.class_id,
            ", ".join(e.injection or "" for e in evidence),
            f"{led}/{len(evidence) - led}",
            f"{num(before.knowledge if before else None, 2)} → "
            f"{num(after.knowledge if after else None, 2)}",
            f"{num(before.confidence if before else None, 2)} → "
            f"{num(after.confidence if after else None, 2)}",
            "yes" if u.changed else "no",
        ])
    return table(["person", "class", "evidence", "led / handed on", "knowledge",
                  "confidence", "changed"], rows, left=3,
                 caption="Scenario (day-0) values before and after the update; "
                         "`herosim score --update OUT.yaml` writes them.")
