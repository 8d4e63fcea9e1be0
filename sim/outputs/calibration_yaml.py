"""A team's calibrated scenario as YAML, every fitted number followed by a comment with its
evidence (`herosim calibrate -o FILE`, one file per team)."""

from __future__ import annotations

import json

from sim.analysis.calibrate import Calibration, TeamCalibration


def calibration_yaml(calibration: Calibration, team: TeamCalibration | None = None) -> str:
    """One team's scenario as YAML (the first team's when `team` is not given)."""
    team = team or calibration.teams[0]
    doc, notes, source = team.fit.document, team.fit.notes, calibration.source
    out = [
        f"# Calibrated by herosim from {source.file} ({source.format}): team {team.team}.",
        f"# {source.imported} incidents imported of {source.rows} rows ({source.skipped} "
        f"skipped, {source.dropped} fields dropped, {source.auto_resolved} auto-resolved), "
        f"{source.start} to {source.end} ({source.weeks:.1f} weeks).",
        f"# The history's {len(calibration.teams)} team(s) give {calibration.layout}; "
        "docs/history.md says why.",
        "# A skeleton: check the rotation, the SLOs and the people's skills against what you",
        "# know, then `herosim validate` and `herosim run`. Method: docs/history.md.",
    ]
    out += _misfit(team)
    out += [
        "",
        f"name: {_s(doc['name'])}",
        f"description: {_s(doc['description'])}",
        f"timezone: {_s(doc['timezone'])}  # the zone most of the team's first pages went to",
        f"start_date: {doc['start_date']}  # the Monday on or before the first incident",
        "",
        "services:",
    ]
    for s in doc["services"]:
        out.append(f"  - id: {_s(s['id'])}")
        out.append(f"    critical: {str(s['critical']).lower()}  # a sev1 class runs on it")
    out += ["", "classes:"]
    for k, c in enumerate(doc["classes"]):
        def note(*key, k=k):
            text = notes.get(("classes", k, *key))
            return f"  # {text}" if text else ""

        out.append(f"  - id: {_s(c['id'])}")
        out.append(f"    service: {_s(c['service'])}")
        out.append(f"    severity: {c['severity']}{note('severity')}")
        out.append(f"    rate_per_week: {c['rate_per_week']}{note('rate_per_week')}")
        profile = notes.get(("classes", k, "weekly_profile"), "")
        if "weekly_profile" in c:
            out.append(f"    # weekly profile: {profile}")
            out.append(f"    weekly_profile: {json.dumps(c['weekly_profile'])}")
        else:
            out.append(f"    # weekly profile {profile}")
        out.append(f"    difficulty: {c['difficulty']}  # not identifiable from history: the "
                   "midpoint; skills are fitted relative to it")
        w = c["work_minutes"]
        out.append(f"    # expert work time: {notes.get(('classes', k, 'work_minutes'), '')}")
        out.append(f"    work_minutes: {{median: {w['median']}, p90: {w['p90']}}}")
        out.append(f"    slo_minutes: {c['slo_minutes']}{note('slo_minutes')}")
    out += ["", "people:"]
    for p in doc["people"]:
        out.append(f"  - id: {_s(p['id'])}")
        out.append(f"    name: {_s(p['name'])}")
        out.append(f"    timezone: {_s(p['timezone'])}  # {notes.get(('person', p['id']), '')}")
        if p.get("skills"):
            out.append("    skills:")
            for cid, skill in p["skills"].items():
                text = notes.get(("skill", p["id"], cid), "")
                out.append(f"      {_s(cid)}: {{knowledge: {skill['knowledge']}, confidence: "
                           f"{skill['confidence']}}}  # {text}")
    out += ["", "# The hero map's heroes of this team (herosim map): the people whose absence "
            "to test."]
    if doc["heroes"]:
        out.append("heroes:")
        for h in doc["heroes"]:
            out.append(f"  - {_s(h)}  # {team.hero_notes.get(h, '')}")
    else:
        out.append("heroes: []  # nobody the team depends on (see herosim map's findings)")
    out += ["", "rotation:"]
    for position in ("primary", "secondary"):
        note = notes.get(("rotation", position))
        if note:
            out.append(f"  # {position}: {note}")
        schedule = doc["rotation"].get(position)
        if schedule is None:
            continue
        out.append(f"  {position}:")
        for layer in schedule if isinstance(schedule, list) else [schedule]:
            prefix = "    - " if isinstance(schedule, list) else "    "
            out.append(f"{prefix}members: {json.dumps(layer['members'])}")
            indent = "      " if isinstance(schedule, list) else "    "
            for key in ("period_days", "handoff_hour", "offset"):
                if key in layer:
                    out.append(f"{indent}{key}: {layer[key]}")
            if "hours" in layer:
                out.append(f"{indent}hours: {{start: {layer['hours']['start']}, end: "
                           f"{layer['hours']['end']}}}")
    conditions = doc["conditions"]
    out += ["", "conditions:",
            f"  informal_pull: {conditions['informal_pull']}  # "
            f"{notes.get(('informal_pull',), '')}",
            f"  alert_noise: {conditions['alert_noise']}  # {notes.get(('alert_noise',), '')}",
            "  # routing_ambiguity, observability: not measurable from incident history; "
            "defaults",
            "", "behaviour:",
            f"  # {notes.get(('behaviour', 'ack_median_minutes'), '')}",
            "  ack_median_minutes: "
            + json.dumps(doc["behaviour"]["ack_median_minutes"]).replace('"', "")]
    if "learning" in doc:
        out += ["", f"# {notes.get(('learning',), '')}", "learning:", "  rates:",
                "    lead: {knowledge: 0.0, confidence: 0.0}  # no learning from leading alone"]
    else:
        out += ["", f"# learning: {notes.get(('learning',), '')}"]
    out.append("")
    return "\n".join(out)


def _misfit(team: TeamCalibration) -> list[str]:
    """The self-consistency check's verdict and misfit, as header comments."""
    c = team.consistency
    if c is None:
        return ["# Self-consistency: not run (--no-check)."]
    lines = [f"# Self-consistency ({c.replications} replications over the history's "
             f"{c.days} days): {sum(x.inside for x in c.checks)} of {len(c.checks)} figures "
             "inside the model's 90% band."]
    if c.misfit:
        lines.append("# Misfit (reported, not absorbed into the numbers below):")
        lines += [f"#   - {m}" for m in c.misfit]
    return lines


def _s(text: str) -> str:
    """A YAML-safe scalar (JSON strings are YAML)."""
    return json.dumps(str(text), ensure_ascii=False)
