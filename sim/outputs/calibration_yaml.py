"""A calibrated scenario as YAML, every fitted number followed by a comment with its evidence
(`herosim calibrate -o FILE`)."""

from __future__ import annotations

import json

from sim.analysis.calibrate import Calibration


def calibration_yaml(calibration: Calibration) -> str:
    """The scenario as YAML, every fitted number followed by a comment with its evidence."""
    doc, notes, source = calibration.document, calibration.notes, calibration.source
    out = [
        f"# Calibrated by herosim from {source.file} ({source.format}):",
        f"# {source.imported} incidents imported of {source.rows} rows "
        f"({source.skipped} skipped), {source.start} to "
        f"{source.end} ({source.weeks:.1f} weeks).",
        "# A skeleton: check the rotation, the SLOs and the people's skills against what you",
        "# know, then `herosim validate` and `herosim run`. Method: docs/history.md.",
        "",
        f"name: {_s(doc['name'])}",
        f"description: {_s(doc['description'])}",
        f"timezone: {_s(doc['timezone'])}",
        f"start_date: {doc['start_date']}  # the Monday on or before the first incident",
        "",
        "services:",
    ]
    for s in doc["services"]:
        out.append(f"  - id: {_s(s['id'])}")
        out.append(f"    critical: {str(s['critical']).lower()}  # a sev1 class runs on it")
    out += ["", "classes:"]
    for k, c in enumerate(doc["classes"]):
        n = notes.get

        def note(*key, k=k):
            text = notes.get(("classes", k, *key))
            return f"  # {text}" if text else ""

        out.append(f"  - id: {_s(c['id'])}")
        out.append(f"    service: {_s(c['service'])}")
        out.append(f"    severity: {c['severity']}{note('severity')}")
        out.append(f"    rate_per_week: {c['rate_per_week']}{note('rate_per_week')}")
        if "weekly_profile" in c:
            out.append(f"    # weekly profile: {n(('classes', k, 'weekly_profile'))}")
            out.append(f"    weekly_profile: {json.dumps(c['weekly_profile'])}")
        else:
            out.append(f"    # weekly profile {n(('classes', k, 'weekly_profile'))}")
        out.append(f"    difficulty: {c['difficulty']}  # not identifiable from history: the "
                   "midpoint; skills are fitted relative to it")
        w = c["work_minutes"]
        out.append(f"    # expert work time: {n(('classes', k, 'work_minutes'))}")
        out.append(f"    work_minutes: {{median: {w['median']}, p90: {w['p90']}}}")
        out.append(f"    slo_minutes: {c['slo_minutes']}{note('slo_minutes')}")
    out += ["", "people:"]
    for p in doc["people"]:
        out.append(f"  - id: {_s(p['id'])}")
        out.append(f"    name: {_s(p['name'])}")
        out.append(f"    timezone: {_s(p['timezone'])}")
        if p.get("skills"):
            out.append("    skills:")
            for cid, skill in p["skills"].items():
                text = notes.get(("skill", p["id"], cid), "")
                value = (f"{{knowledge: {skill['knowledge']}, confidence: "
                         f"{skill['confidence']}}}" if isinstance(skill, dict) else skill)
                out.append(f"      {_s(cid)}: {value}  # {text}")
    out += ["", "# Suggested by the hero map (herosim map): the people whose absence to test."]
    if doc["heroes"]:
        out.append("heroes:")
        for h in doc["heroes"]:
            out.append(f"  - {_s(h)}  # {calibration.hero_notes.get(h, '')}")
    else:
        out.append("heroes: []  # nobody dominates a class")
    rot = doc["rotation"]
    out += ["", "rotation:"]
    primary = rot["primary"]
    out.append(f"  # primary: {notes.get(('rotation', 'primary'), '')}")
    out.append("  primary:")
    out.append(f"    members: {json.dumps(primary['members'])}")
    for key in ("period_days", "handoff_hour", "offset"):
        if key in primary:
            out.append(f"    {key}: {primary[key]}")
    if "secondary" in rot:
        out.append(f"  # secondary: {notes.get(('rotation', 'secondary'), '')}")
        out.append("  secondary:")
        out.append(f"    members: {json.dumps(rot['secondary']['members'])}")
        for key in ("period_days", "handoff_hour", "offset"):
            if key in rot["secondary"]:
                out.append(f"    {key}: {rot['secondary'][key]}")
    out += ["", "conditions:",
            f"  informal_pull: {doc['conditions']['informal_pull']}  # "
            f"{notes.get(('informal_pull',), '')}",
            "  # alert_noise, routing_ambiguity, observability: not measurable from resolved "
            "incidents; defaults",
            "", "behaviour:",
            f"  # {notes.get(('behaviour', 'ack_median_minutes'), '')}",
            "  ack_median_minutes: "
            + json.dumps(doc["behaviour"]["ack_median_minutes"]).replace('"', ""), ""]
    return "\n".join(out)




def _s(text: str) -> str:
    """A YAML-safe scalar (JSON strings are YAML)."""
    return json.dumps(str(text), ensure_ascii=False)
