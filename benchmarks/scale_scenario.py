"""A scenario of an organisation of N people, for the scale benchmark (bench_scale.py).

    python benchmarks/scale_scenario.py 1000 > /tmp/org-1000.yaml

The organisation is N/10 teams of ten, one service each with two incident classes (a routine
one everybody on the team handles, a hard one that leans on the team's hero), one shared
primary rotation of everyone with weekly hand-offs and the heroes as secondary, an escalation
policy of primary then secondary; each person has skills only in their own team's classes.
It is built to be large, not realistic: what the benchmark measures is how the tool copes
with many people, services and classes.
"""

from __future__ import annotations

import sys

import yaml

TEAM = 10
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "America/Los_Angeles")


def scale_scenario(people: int, rate_per_team: float = 1.0) -> dict:
    """The scenario document (a dict, as its YAML holds) of an organisation of `people`."""
    teams = max(people // TEAM, 1)
    services, classes, members, heroes = [], [], [], []
    for t in range(teams):
        service = f"svc-{t:04d}"
        services.append({"id": service, "critical": t % 10 == 0})
        routine, hard = f"{service}-errors", f"{service}-data"
        classes += [
            {"id": routine, "service": service, "rate_per_week": rate_per_team * 0.8,
             "difficulty": 0.4, "work_minutes": {"median": 20, "p90": 60},
             "slo_minutes": 60},
            {"id": hard, "service": service, "rate_per_week": rate_per_team * 0.2,
             "difficulty": 0.75, "work_minutes": {"median": 45, "p90": 120},
             "slo_minutes": 120},
        ]
        for i in range(TEAM if t < teams - 1 else people - TEAM * (teams - 1)):
            pid = f"p{t:04d}-{i}"
            hero = i == 0
            members.append({"id": pid, "timezone": ZONES[t % len(ZONES)], "skills": {
                routine: 0.9 if hero else 0.7, hard: 0.95 if hero else 0.5}})
            if hero:
                heroes.append(pid)
    return {
        "name": f"org-{people}",
        "description": f"A synthetic organisation of {people} people in {teams} teams.",
        "timezone": "UTC",
        "services": services,
        "classes": classes,
        "people": members,
        "heroes": heroes,
        "rotation": {"primary": {"members": [p["id"] for p in members]},
                     "secondary": {"members": heroes}},
        # Not the default's last level, the whole team: paging 1,000 people at once is not
        # what an organisation of this size does.
        "escalation": {"levels": [{"target": "primary"}, {"target": "secondary"}]},
    }


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    yaml.safe_dump(scale_scenario(size), sys.stdout, sort_keys=False)
