"""One team's scenario, assembled from the fits: the document the YAML is written from, and the
note of every fitted number's evidence, by its path in the document."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.analysis.calibrate.behaviour import Learning, ack_medians, informal_pull, learning_trend
from sim.analysis.calibrate.rates import ClassFit, Trend, alert_noise, fit_classes, load_trend
from sim.analysis.calibrate.schedule import Candidate, RotationFit, fit_primary, fit_secondary
from sim.analysis.calibrate.shared import DIFFICULTY, TeamData, ids, rounded
from sim.analysis.calibrate.work import SkillFit, WorkFit, fit_work
from sim.inputs.history import readable_id
from sim.schema import Scenario

SLO_STEP = 15.0


@dataclass
class TeamFit:
    """Everything fitted for one team, and the scenario document built from it."""

    team: str
    zone: str
    document: dict
    notes: dict[tuple, str]
    classes: dict[str, list[str]]  # history class -> scenario class ids (per severity)
    class_fits: list[ClassFit]
    heroes: list[str]
    rotation: dict[str, RotationFit]
    work: dict[str, WorkFit]
    skills: dict[str, dict[str, SkillFit]]
    trend: Trend
    learning: Learning
    ack_counts: dict[str, int] = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        """The document as a validated scenario."""
        return Scenario.model_validate(self.document)


def fit_team(team: TeamData, name: str, heroes: list[str], seed: int = 0) -> TeamFit:
    """Fit one team and assemble its scenario document.

    Args:
        team: the team's incidents.
        name: the scenario's name.
        heroes: the people the hero map found the team depends on, the one most pulled in
            first (a hesitant responder messages the first hero among the most knowledgeable
            reachable).
        seed: seed of the work times' bootstrap intervals.
    """
    class_ids = ids(list(team.by_class))
    services = sorted({i.service for i in team.incidents})
    service_ids = ids(services)
    people = team.people
    origin = team.origin()
    trend = load_trend(team)
    fits = fit_classes(team, class_ids, service_ids, trend)
    ack, ack_counts, ack_note = ack_medians(team)
    mean_ack = {k: v / 0.6931 for k, v in ack.items()}
    work = fit_work(team, people, mean_ack, seed)
    notes: dict[tuple, str] = {}
    classes, mapping = [], {}
    for fit in fits:
        w = work.work[fit.history_class]
        mapping[fit.history_class] = [cid for cid, _, _ in fit.variants]
        for cid, severity, share in fit.variants:
            index = len(classes)
            cls = {"id": cid, "service": fit.service, "severity": severity.value,
                   "rate_per_week": rounded(fit.rate_per_week * share, 3),
                   "difficulty": DIFFICULTY,
                   "work_minutes": {"median": rounded(w.median, 1),
                                    "p90": rounded(max(w.p90, w.median), 1)},
                   "slo_minutes": _slo(team, fit.history_class)}
            if fit.profile is not None:
                cls["weekly_profile"] = fit.profile
            classes.append(cls)
            for key, note in fit.notes.items():
                notes[("classes", index, key)] = note
            if len(fit.variants) > 1:
                notes[("classes", index, "rate_per_week")] += (
                    f"; {share:.0%} of the class's incidents are {severity.value}")
            notes[("classes", index, "work_minutes")] = w.note
            notes[("classes", index, "slo_minutes")] = (
                "not in the history: the history's p90 time to resolve, rounded up; put your "
                "real SLO here")
    severities = {}
    for c in classes:
        severities.setdefault(c["service"], []).append(c["severity"])
    person_docs = []
    for person in people:
        record = team.history.directory.get(person)
        doc = {"id": person, "name": (record.name if record else person)[:200],
               "timezone": team.history.zone(person)}
        skills = {}
        for fit in fits:
            skill = work.skills.get(person, {}).get(fit.history_class)
            if skill is None:
                continue
            for cid in mapping[fit.history_class]:
                skills[cid] = {"knowledge": skill.knowledge, "confidence": skill.confidence}
                notes[("skill", person, cid)] = skill.note
        if skills:
            doc["skills"] = skills
        notes[("person", person)] = _zone_note(record)
        person_docs.append(doc)
    primary = fit_primary(team)
    secondary = fit_secondary(team, primary.chosen)
    rotation, rotation_notes = _rotation(primary, secondary, people)
    notes.update(rotation_notes)
    pull, pull_note = informal_pull(team)
    noise, noise_note = alert_noise(team)
    notes[("informal_pull",)] = pull_note
    notes[("alert_noise",)] = noise_note
    notes[("behaviour", "ack_median_minutes")] = ack_note
    learning = learning_trend(team, heroes)
    notes[("learning",)] = learning.note
    document = {
        "name": name,
        "description": f"Team {team.name}, fitted by herosim calibrate from "
                       f"{len(team.incidents)} incidents, {team.start.date()} to "
                       f"{team.end.date()} ({team.weeks:.1f} weeks).",
        "timezone": team.zone,
        "start_date": origin.date().isoformat(),
        "services": [{"id": service_ids[s],
                      "critical": "sev1" in severities.get(service_ids[s], [])}
                     for s in services],
        "classes": classes,
        "people": person_docs,
        "heroes": [h for h in heroes if h in people],
        "rotation": rotation,
        "conditions": {"informal_pull": pull, "alert_noise": noise},
        "behaviour": {"ack_median_minutes": ack},
    }
    if not learning.fell:
        document["learning"] = {"rates": {"lead": {"knowledge": 0.0, "confidence": 0.0}}}
    return TeamFit(team.name, team.zone, document, notes, mapping, fits,
                   document["heroes"], {"primary": primary, "secondary": secondary},
                   work.work, work.skills, trend, learning, ack_counts)


def scenario_name(base: str, team: str, teams: int) -> str:
    """The scenario name of a team: `base` alone for a one-team history."""
    if teams == 1:
        return base
    return f"{base}-{readable_id(team)}"[:64].strip("-")


def _slo(team: TeamData, history_class: str) -> float:
    from sim.analysis.stats import quantile

    ttr = [i.minutes_to_resolve for i in team.by_class[history_class]
           if i.minutes_to_resolve is not None]
    p90 = quantile(ttr, 0.9) or 60.0
    return float(max(SLO_STEP, -(-p90 // SLO_STEP) * SLO_STEP))


def _zone_note(record) -> str:
    if record is None:
        return "zone: default"
    if record.zone_source == "people file":
        return "zone from the people file"
    if record.zone_source == "inferred":
        return f"zone inferred: {record.zone_evidence}"
    return f"zone: the default ({record.zone_evidence})" if record.zone_evidence else \
        "zone: the default"


def _rotation(primary: RotationFit, secondary: RotationFit, people: list[str]):
    notes = {("rotation", "primary"): primary.note}
    if primary.chosen is None or not primary.chosen.layers:
        return {"primary": {"members": people[:1]}}, {
            ("rotation", "primary"): primary.note + "; a placeholder primary"}
    rotation = {"primary": _layers(primary.chosen)}
    if secondary.chosen is not None and secondary.chosen.layers:
        rotation["secondary"] = _layers(secondary.chosen)
    notes[("rotation", "secondary")] = secondary.note
    return rotation, notes


def _layers(candidate: Candidate):
    out = []
    for layer in candidate.layers:
        doc = {"members": list(layer.members), "period_days": layer.period_days,
               "handoff_hour": layer.handoff_hour, "offset": 0}
        if layer.hours is not None:
            doc["hours"] = {"start": layer.hours[0], "end": layer.hours[1]}
        out.append(doc)
    return out[0] if len(out) == 1 else out
