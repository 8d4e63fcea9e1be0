"""A synthetic organisation: teams in their own time zones, planned (the truth) before they are
simulated (the history).

`plan_org` draws everything the truth says: teams, zones, people (names from seeded Faker
instances, some with letters beyond ASCII), services, classes, skills, rotations, who is a hero
and who is merely busy, who will be renamed, how the export will be damaged. `simulate_org` then
runs each team through the engine and writes the history a PagerDuty export of that organisation
would hold, damaged as planned. The truth document never reads the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import numpy as np
from faker import Faker

from sim.inputs.generate.mess import Mess, damage, plan_mess
from sim.inputs.generate.pagerduty import Naming, iso, pagerduty_rows
from sim.inputs.generate.team import TEMPLATE, TeamPlan, plan_team
from sim.inputs.history.people import readable_id
from sim.model import Arrival, TeamModel, sample_arrivals
from sim.model.rng import Purpose, stream

SERVICES = ("checkout", "payments", "search", "identity", "catalog", "notifications",
            "billing", "inventory", "ledger", "shipping", "reviews", "accounts")
TEAM_NAMES = ("Payments Platform", "Storefront", "Core Services", "Data Platform",
              "Identity", "Mobile")
# Team zone, and the zone of the one member who lives elsewhere.
ZONES = (("Europe/London", "Europe/Berlin"), ("America/New_York", "America/Chicago"),
         ("Asia/Kolkata", "Asia/Dubai"), ("Australia/Sydney", "Asia/Tokyo"),
         ("America/Los_Angeles", "America/Denver"), ("Europe/Berlin", "Europe/Helsinki"))
# Faker locales per team: English names and names with letters beyond ASCII.
LOCALES = (("en_GB", "pl_PL"), ("en_US", "es_ES"), ("en_IN", "is_IS"), ("en_AU", "de_DE"),
           ("en_US", "fr_FR"), ("de_DE", "da_DK"))
MAX_PEOPLE = 40
MAX_WEEKS = 260
MAX_TEAMS = len(TEAM_NAMES)
START = dt.date(2026, 1, 5)  # a Monday: every team's scenario starts on it, in its own zone


@dataclass(frozen=True)
class OrgPlan:
    """Everything the truth says, drawn before the simulation."""

    seed: int
    weeks: int
    teams: list[TeamPlan]
    people: list[dict]  # everyone: {id, user_id, name, email, timezone, team, hero, busy}
    mess: Mess
    truth: dict


@dataclass(frozen=True)
class Org:
    """A generated organisation: the plan (truth) and the history it produced."""

    plan: OrgPlan
    history: dict  # PagerDuty raw incidents response: {"data": [...], "filters": ...}
    users: list[dict] = field(default_factory=list)  # the people file: PagerDuty's users

    @property
    def scenario(self):
        """The first team's truth scenario (the only one of a one-team organisation)."""
        return self.plan.teams[0].scenario

    @property
    def scenarios(self):
        """Every team's truth scenario."""
        return [t.scenario for t in self.plan.teams]

    @property
    def people(self) -> list[dict]:
        """Everyone, with their truth (hero, busy, team, zone)."""
        return self.plan.people

    @property
    def seed(self) -> int:
        """The root seed."""
        return self.plan.seed

    @property
    def weeks(self) -> int:
        """Weeks of history."""
        return self.plan.weeks


def plan_org(teams: int = 1, people: int = 8, weeks: int = 12, heroes: int | None = None,
             seed: int = 0, messy: bool = False) -> OrgPlan:
    """Draw an organisation: its teams, people and truth.

    Args:
        teams: how many teams (1..6), each in its own time zone.
        people: people per team (2..40).
        weeks: weeks of history (1..260).
        heroes: heroes of the first team (default 1 for one team, 2 for several); the second
            team has one fewer, the third none (and a busy non-hero instead), and so on.
        seed: the root seed of names, choices and the simulation.
        messy: damage the export as real ones are: a renamed user, incidents without an
            assignee, auto-resolved incidents, a dozen malformed rows.
    """
    if not 1 <= teams <= MAX_TEAMS:
        raise ValueError(f"teams must be within 1..{MAX_TEAMS}, not {teams}")
    if not 2 <= people <= MAX_PEOPLE:
        raise ValueError(f"people must be within 2..{MAX_PEOPLE}, not {people}")
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be within 1..{MAX_WEEKS}, not {weeks}")
    first = (1 if teams == 1 else 2) if heroes is None else heroes
    if not 0 <= first < people:
        raise ValueError(f"heroes must be within 0..{people - 1} (someone must be on the "
                         f"rotation without being a hero), not {first}")
    rng = stream(seed, 0, Purpose.GENERATE)
    services = [SERVICES[k] for k in rng.permutation(len(SERVICES))]
    used: set[str] = set()
    rosters = [_members(seed, t, stream(seed, 50 + t, Purpose.GENERATE), people, ZONES[t][0],
                        ZONES[t][1], used) for t in range(teams)]
    mess = plan_mess(stream(seed, 100, Purpose.GENERATE), rosters[0], first, weeks, messy, used)
    plans, everyone = [], []
    for t in range(teams):
        team_rng = stream(seed, 1 + t, Purpose.GENERATE)
        zone = ZONES[t][0]
        name = TEAM_NAMES[t] if teams > 1 else "Operations"
        members = rosters[t]
        n_services = 3 if max(first - t, 0) else 2
        plan = plan_team(team_rng, t, name, zone, members, services[:n_services],
                         max(first - t, 0), growth=0.5 if t == 0 and teams > 1 else 0.0)
        services = services[n_services:] or [SERVICES[k] for k in rng.permutation(len(SERVICES))]
        plans.append(plan)
        everyone += [dict(m, team=name) for m in plan.members]
    truth = {
        "generator": "herosim generate",
        "seed": seed, "weeks": weeks, "messy": messy,
        "written": "before the history: every figure here is drawn, none measured",
        "teams": [p.truth for p in plans],
        "people": [{"id": p["id"], "user_id": p["user_id"],
                    "name": p.get("current_name", p["name"]),
                    "names": list(dict.fromkeys([p["name"], p.get("current_name", p["name"])])),
                    "timezone": p["timezone"],
                    "team": p["team"], "hero": p["hero"], "busy": p["busy"]}
                   for p in everyone],
        "mess": mess.truth(),
    }
    return OrgPlan(seed, weeks, plans, everyone, mess, truth)


def simulate_org(plan: OrgPlan) -> Org:
    """Run every team of `plan` through the engine and write the organisation's history."""
    rows: list[dict] = []
    base = 1000
    for t, team in enumerate(plan.teams):
        scenario = team.scenario
        days = plan.weeks * 7
        arrivals = _arrivals(scenario, days, plan.seed, t, team.growth)
        records = TeamModel(scenario, days, plan.seed, t, arrivals=arrivals).run()
        naming = Naming(team.name, team.policy,
                        {p["id"]: {"user_id": p["user_id"], "name": p["name"]}
                         for p in team.members},
                        team.incident_types,
                        {tid: TEMPLATE[tid.split("-", 1)[1]][1]
                         for tid in set(team.incident_types.values())},
                        number_base=base)
        rows += pagerduty_rows(scenario, records, naming,
                               stream(plan.seed, 200 + t, Purpose.GENERATE))
        base += 100_000
    rows.sort(key=lambda r: (r["created_at"], r["incident_number"]))
    rows = damage(rows, plan.mess, plan.teams, stream(plan.seed, 101, Purpose.GENERATE))
    start = dt.datetime.combine(START, dt.time(), tzinfo=ZoneInfo("UTC")) - dt.timedelta(days=1)
    end = start + dt.timedelta(days=plan.weeks * 7 + 2)
    history = {
        "data": rows,
        "filters": {"created_at_start": iso(start), "created_at_end": iso(end)},
        "limit": len(rows), "more": False, "order": "asc", "order_by": "created_at",
    }
    users = [{"id": p["user_id"], "type": "user", "name": p.get("current_name", p["name"]),
              "email": p["email"], "time_zone": p["timezone"], "role": "user",
              "job_title": "Site Reliability Engineer", "teams": [p["team"]]}
             for p in plan.people]
    return Org(plan, history, users)


def generate_org(people: int = 8, weeks: int = 12, heroes: int | None = None, seed: int = 0,
                 teams: int = 1, messy: bool = False) -> Org:
    """Plan an organisation and simulate it (see `plan_org` for the arguments)."""
    return simulate_org(plan_org(teams, people, weeks, heroes, seed, messy))


def _members(seed: int, team: int, rng: np.random.Generator, n: int, zone: str, remote: str,
             used: set[str]) -> list[dict]:
    """People of one team: English names and, for one in three, names beyond ASCII; one of
    them lives in `remote`."""
    english, other = (Faker(loc) for loc in LOCALES[team])
    english.seed_instance(seed * 100 + team)
    other.seed_instance(seed * 100 + team + 50)
    members = []
    while len(members) < n:
        fake = other if len(members) % 3 == 2 else english
        name = f"{fake.first_name()} {fake.last_name()}"
        ident = readable_id(name)
        if ident in used:
            continue
        used.add(ident)
        user = "P" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), 6))
        members.append({"id": ident, "user_id": user, "name": name,
                        "email": f"{ident.replace('-', '.')}@example.com",
                        "timezone": remote if len(members) == n - 1 and n > 2 else zone})
    return members


def _arrivals(scenario, days: int, seed: int, team: int, growth: float) -> list[Arrival]:
    """The team's incidents: the scenario's Poisson arrivals at the peak rate, thinned so that
    the rate rises linearly by `growth` over the span with the scenario's rates as its mean
    (no thinning when `growth` is 0)."""
    if growth <= 0:
        return sample_arrivals(scenario, days, seed, team)
    peak = (1.0 + growth) / (1.0 + growth / 2.0)
    boosted = scenario.model_copy(update={"classes": [
        c.model_copy(update={"rate_per_week": c.rate_per_week * peak})
        for c in scenario.classes]})
    sampled = sample_arrivals(boosted, days, seed, team)
    rng = stream(seed, 300 + team, Purpose.GENERATE)
    horizon = days * 1440.0
    keep = [a for a in sampled
            if rng.random() < (1.0 + growth * a.at / horizon) / (1.0 + growth)]
    return [a._replace(incident_id=n) for n, a in enumerate(keep)]
