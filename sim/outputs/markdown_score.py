"""gameday.md: the readable report of a scored game day, beside gameday.json.

Sections: the context, the score with its definition and the model's expectation, each
injection against its prediction, the hesitation points and surprises, per class, per person,
and the skill estimates. User-supplied strings go through `markdown.cell`.
"""

from __future__ import annotations

from sim.analysis.gameday.types import InjectionScore, ScoreResult, SkillUpdate
from sim.outputs.markdown import cell, num, table


def score_markdown(result: ScoreResult) -> str:
    """The readable game-day report (gameday.md) of a scored game day."""
    score = result.score
    plan = result.plan or "no plan"
    reach = ("heroes reachable" if result.prediction_arm == "present"
             else "heroes out of reach")
    out = [
        f"# Game day {result.date}: {cell(result.scenario)}",
        "",
        f"- Scenario day {result.scenario_day}, plan **{cell(plan)}**; heroes "
        f"({cell(', '.join(result.heroes) or 'none named')}) **{result.hero_role}**; absent: "
        f"{cell(', '.join(result.absent) or 'nobody')}; primary: "
        f"{cell(result.primary or 'as the rotation says')}.",
        f"- Observations: {cell(result.observations)}. Predictions: {result.replications} "
        f"replications, seed {result.seed}, each injection replayed alone on the team as it "
        f"was that day ({reach}).",
        "",
        f"## Score: {score.value:.0%} ({score.handled} of {score.injections})",
        "",
        f"The {score.definition}. The model expected {score.expected:.0%}.",
        "",
        f"Dependence: {cell(result.dependence.text)}.",
        "",
        "## Injections",
        "",
        table(
            ["injection", "class", "TTA min", "TTA pct", "TTM min", "TTM p10–p50–p90",
             "TTM pct", "escalated (chance)", "hero (chance)", "verdict"],
            [_injection_row(r) for r in result.injections],
        ),
        "",
        "TTA/TTM: time to acknowledge / mitigate; pct: the observation's percentile in the "
        "predicted distribution; a TTM p90 of '–' means more than 10% of replays were never "
        "mitigated. Hero chance: how often the model's team reaches a hero when one is "
        "reachable.",
        "",
    ]
    flagged = [r for r in result.injections if r.hesitations or r.surprises]
    if flagged:
        out += ["## Hesitation points and surprises", ""]
        for r in flagged:
            for text in r.hesitations:
                out.append(f"- **{cell(r.id)}** ({cell(r.class_id)}), hesitation: {cell(text)}")
            for text in r.surprises:
                out.append(f"- **{cell(r.id)}** ({cell(r.class_id)}), surprise: {cell(text)}")
        out.append("")
    out += [
        "## Classes", "",
        table(["class", "injections", "hero pulled", "hero chance", "mean TTM pct",
               "hesitations", "dependence"],
              [[cid + (" (specialty)" if c.specialty else ""), c.injections,
                c.hero_pulled, f"{c.predicted_hero_chance:.0%}",
                num(c.ttm_percentile_mean, 0), c.hesitations, c.dependence]
               for cid, c in result.classes.items()]),
        "", "## People", "",
        table(["person", "acknowledged", "led", "handed on", "took part", "hesitations",
               "surprises", "mean TTM pct when leading"],
              [[pid + (" (hero)" if p.hero else ""), p.acknowledged, p.led,
                p.handed_on, p.took_part, p.hesitations, p.surprises,
                num(p.led_ttm_percentile_mean, 0)] for pid, p in result.people.items()]),
        "", "## Skill estimates", "",
        "Knowledge and confidence of each observed person for each class they acknowledged or "
        "led (method: docs/gameday.md). `herosim score --update OUT.yaml` writes them into a "
        "copy of the scenario.", "",
        table(["person", "class", "evidence", "game day: prior → posterior (k / c)",
               "scenario: before → after (k / c)"],
              [_skill_row(u) for u in result.skill_updates]),
        "",
    ]
    return "\n".join(out)


def _injection_row(r: InjectionScore) -> list:
    observed, predicted = r.observed, r.predicted
    ttm = predicted.ttm
    return [
        r.id, r.class_id, num(observed.tta, 0), num(r.tta_percentile, 0),
        "abandoned" if observed.abandoned else num(observed.ttm, 0),
        "–".join(num(q, 0) for q in (ttm.p10, ttm.p50, ttm.p90)),
        num(r.ttm_percentile, 0),
        f"{_yes(observed.escalated)} ({predicted.escalation_chance:.0%})",
        f"{_yes(observed.hero_involved or observed.hero_consulted)} "
        f"({predicted.hero_chance:.0%})",
        r.verdict,
    ]


def _skill_row(u: SkillUpdate) -> list:
    led = sum(e.led for e in u.evidence)
    prior, posterior = u.game_day_prior, u.game_day_posterior
    before, after = u.scenario_before, u.scenario_after
    return [
        u.person, u.class_id,
        f"led {led}, handed on {sum(not e.led for e in u.evidence)}",
        f"{prior.knowledge:.2f} / {prior.confidence:.2f} → {posterior.knowledge:.2f} / "
        f"{posterior.confidence:.2f}",
        f"{before.knowledge:.2f} / {before.confidence:.2f} → {after.knowledge:.2f} / "
        f"{after.confidence:.2f}",
    ]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
