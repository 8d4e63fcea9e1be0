"""The report of a `herosim score` folder: each game-day injection against its predicted
distribution, the flagged hesitation points and surprises, the score with its definition, and
the per-class, per-person and skill-estimate tables (gameday.json; docs/gameday.md)."""

from __future__ import annotations

from sim.outputs import charts
from sim.outputs.html import (
    Raw,
    ReportBody,
    Section,
    esc,
    figure,
    join,
    note,
    para,
    table,
    tag,
)
from sim.outputs.markdown import num

VERDICT_TONE = {"as predicted": "good", "hesitation": "bad", "surprise": "warn"}


def _verdict_tag(verdict: str) -> Raw:
    return tag("span", verdict, class_=f"tag {VERDICT_TONE.get(verdict, '')}".strip())


def _chance(observed: bool, chance: float | None) -> str:
    """'yes (92%)': what happened, then the model's predicted chance of it."""
    return f"{'yes' if observed else 'no'} ({num(chance, 0, 100, '%')})"


def _predicted(q: dict | None) -> str:
    """'11–24–64': p10–p50–p90 minutes; 'never' where those replays were never mitigated."""
    q = q or {}
    return "–".join("never" if q.get(k) is None else num(q[k], 0) for k in ("p10", "p50", "p90"))


def score_report(folder: dict) -> ReportBody:
    """The report body of a score folder (journal, gameday.json)."""
    doc = folder["json"]["gameday.json"]
    scenario = folder["journal"].get("scenario") or {}
    score = doc["score"]
    value, expected = score.get("value"), score.get("expected")
    hesitations = sum(bool(r.get("hesitations")) for r in doc.get("injections") or [])
    reachable = "reachable" if doc.get("prediction_arm") == "present" else "away"
    return ReportBody(
        title=f"Game day {doc['date']}: {doc['scenario']}",
        verdict=(f"Game-day score {num(value, 0, 100, '%')} (the model expected "
                 f"{num(expected, 0, 100, '%')})"),
        tone=("good" if value is not None and expected is not None and value >= expected
              and not hesitations else "warn"),
        facts=[
            ("scenario", f"{doc['scenario']}, day {doc['scenario_day']} of its calendar"),
            ("plan", doc.get("plan") or "none (the scenario's team, practising live)"),
            ("heroes", f"{', '.join(doc.get('heroes') or []) or 'none named'} "
                       f"({doc['hero_role']})"),
            ("absent", ", ".join(doc.get("absent") or []) or "nobody"),
            ("primary", doc.get("primary") or "the rotation"),
            ("predicted", f"{doc['replications']} replications per injection, seed "
                          f"{doc['seed']}, heroes {reachable} in the prediction"),
            ("observations", doc.get("observations") or "–"),
        ],
        intro=join([
            para(scenario.get("description") or ""),
            para(f"Dependence: {(doc.get('dependence') or {}).get('text') or '–'}."),
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


def score_section(doc: dict) -> Raw:
    score = doc["score"]
    thresholds = doc.get("thresholds") or {}
    return join([
        para(Raw(f"<strong>{esc(num(score.get('value'), 0, 100, '%'))}</strong>"),
             f": {score['handled']} of {score['injections']} injections handled "
             f"independently. The model expected {num(score.get('expected'), 0, 100, '%')} "
             "(the mean over injections of its predicted chance of that same event)."),
        para(Raw(f"<strong>Definition:</strong> {esc(score.get('definition') or '–')}.")),
        note(f"A hesitation point: mitigated slower than the predicted p90 (or abandoned), "
             f"acknowledged slower than the predicted p90, or an escalation or a hero pulled "
             f"where the predicted chance was below "
             f"{num(thresholds.get('expected_below'), 0, 100, '%')}. A surprise, the other "
             f"way: faster than the predicted p10, or no escalation or no hero where the "
             f"chance was above {num(thresholds.get('surprise_above'), 0, 100, '%')}."),
    ])


def injections_section(doc: dict) -> Raw:
    rows = doc.get("injections") or []
    if not rows:
        return note("The game day has no injections.")
    strips = [{"label": f"{r['id']} · {r['class']}",
               "p10": r["predicted"]["ttm"].get("p10"), "p50": r["predicted"]["ttm"].get("p50"),
               "p90": r["predicted"]["ttm"].get("p90"),
               "observed": None if r["observed"].get("abandoned") else r["observed"].get("ttm"),
               "verdict": r["verdict"]} for r in rows]
    chart = charts.injection_strips(strips)
    table_rows = []
    for r in rows:
        obs, pred = r["observed"], r["predicted"]
        hero = obs.get("hero_involved") or obs.get("hero_consulted")
        table_rows.append([
            Raw(f'{esc(r["id"])}<span class="ci">{esc(r["class"])}'
                f'{" (specialty)" if r.get("specialty") else ""} · injected '
                f'{esc(obs.get("injected"))}</span>'),
            "gave up" if obs.get("abandoned") else num(obs.get("ttm"), 0),
            _predicted(pred.get("ttm")), num(r.get("ttm_percentile"), 0),
            f"{num(obs.get('tta'), 0)} (p90 {num((pred.get('tta') or {}).get('p90'), 0)})",
            _chance(obs.get("escalated"), pred.get("escalation_chance")),
            _chance(hero, pred.get("hero_chance")),
            _verdict_tag(r["verdict"]),
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


def flags_section(doc: dict) -> Raw:
    items = []
    for r in doc.get("injections") or []:
        reasons = ([Raw(f"{_verdict_tag('hesitation')} {esc(t)}") for t in r.get("hesitations")
                    or []]
                   + [Raw(f"{_verdict_tag('surprise')} {esc(t)}") for t in r.get("surprises")
                      or []])
        notes = (r.get("observed") or {}).get("notes")
        if notes:
            reasons.append(Raw(f"<em>Notes:</em> {esc(notes)}"))
        if not reasons:
            continue
        sub = tag("ul", join(tag("li", reason) for reason in reasons))
        items.append(tag("li", Raw(f"<strong>{esc(r['id'])}</strong> ({esc(r['class'])}, "
                                   f"led by {esc(r['observed'].get('lead') or 'nobody')}) "
                                   f"{_verdict_tag(r['verdict'])}{sub}")))
    if not items:
        return note("Every injection went as predicted, and none has notes.")
    return tag("ul", join(items), class_="reasons")


def class_section(doc: dict) -> Raw:
    rows = [[cid + (" (specialty)" if c.get("specialty") else ""), c.get("dependence"),
             c.get("injections"), c.get("hero_pulled"),
             num(c.get("predicted_hero_chance"), 0, 100, "%"),
             num(c.get("ttm_percentile_mean"), 0), c.get("hesitations"), c.get("surprises")]
            for cid, c in (doc.get("classes") or {}).items()]
    if not rows:
        return note("No classes.")
    return table(["class", "dependence", "injections", "hero pulled", "predicted hero chance",
                  "mean TTM percentile", "hesitation points", "surprises"],
                 rows, left=2, caption="Specialty: a class the team agreed a hero keeps "
                               "(`specialty: true`); a hero pulled elsewhere is default "
                               "rescue.")


def people_section(doc: dict) -> Raw:
    rows = [[person + (" (hero)" if p.get("hero") else ""), p.get("acknowledged"),
             p.get("led"), p.get("handed_on"), p.get("took_part"), p.get("hesitations"),
             p.get("surprises"), num(p.get("led_ttm_percentile_mean"), 0)]
            for person, p in (doc.get("people") or {}).items()]
    if not rows:
        return note("Nobody is named in the observations.")
    return table(["person", "acknowledged", "led", "handed on", "took part",
                  "hesitation points", "surprises", "mean TTM percentile when leading"], rows,
                 caption="Hesitation points and surprises are counted on the injections a "
                         "person acknowledged, led or handed on.")


def skills_section(doc: dict) -> Raw:
    updates = doc.get("skill_updates") or []
    if not updates:
        return note("No skill evidence: nobody acknowledged or led an injection.")
    rows = []
    for u in updates:
        before, after = u.get("scenario_before") or {}, u.get("scenario_after") or {}
        led = sum(bool(e.get("led")) for e in u.get("evidence") or [])
        rows.append([
            u["person"], u["class"],
            ", ".join(e.get("injection") or "" for e in u.get("evidence") or []),
            f"{led}/{len(u.get('evidence') or []) - led}",
            f"{num(before.get('knowledge'), 2)} → {num(after.get('knowledge'), 2)}",
            f"{num(before.get('confidence'), 2)} → {num(after.get('confidence'), 2)}",
            "yes" if u.get("changed") else "no",
        ])
    return table(["person", "class", "evidence", "led / handed on", "knowledge",
                  "confidence", "changed"], rows, left=3,
                 caption="Scenario (day-0) values before and after the update; "
                         "`herosim score --update OUT.yaml` writes them.")
