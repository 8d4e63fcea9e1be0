"""How a real export differs from a clean one, planned before and applied after simulating.

A renamed user (same user id, a new name from mid-period on), incidents nobody was assigned
(opened by hand or by an integration and taken by whoever saw them), alerts that resolved
themselves (auto-resolved, nobody acknowledging), and a dozen malformed rows: half so broken the
incident cannot be imported (no creation time, no service, a duplicate id, not a record at
all), half with one bad optional field (a negative time to acknowledge, a count written in
words, a resolution before the creation, a list that is not a list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from faker import Faker

from sim.inputs.generate.pagerduty import iso
from sim.inputs.history.people import readable_id
from sim.inputs.history.records import hour_class_at

UNASSIGNED_SHARE = 0.04
AUTO_RESOLVED_SHARE = 0.05
# (kind, field, whether the importer must skip the row (True) or drop the field (False))
MALFORMED = (
    ("unparsable created_at", "created_at", True),
    ("no service", "service_name", True),
    ("duplicate id", "id", True),
    ("not a record", "(record)", True),
    ("no created_at", "created_at", True),
    ("no id", "id", True),
    ("negative time to acknowledge", "seconds_to_first_ack", False),
    ("count in words", "escalation_count", False),
    ("resolved before created", "resolved_at", False),
    ("people not a list", "acknowledged_user_ids", False),
    ("negative interruptions", "sleep_hour_interruptions", False),
    ("time to resolve in words", "seconds_to_resolve", False),
)


@dataclass(frozen=True)
class Mess:
    """The damage planned for an export."""

    messy: bool
    renamed: dict | None = None  # {user_id, old, new, from_week}
    unassigned_share: float = 0.0
    auto_resolved_share: float = 0.0
    malformed: tuple = field(default_factory=tuple)

    def truth(self) -> dict:
        """The plan of the damage, for the truth file."""
        return {
            "renamed": self.renamed,
            "unassigned_share": self.unassigned_share,
            "auto_resolved_share": self.auto_resolved_share,
            "malformed": [{"kind": k, "field": f, "row_skipped": s} for k, f, s in self.malformed],
        }


def plan_mess(rng: np.random.Generator, roster: list[dict], heroes: int, weeks: int,
              messy: bool, used: set[str]) -> Mess:
    """Plan the damage: who is renamed (a non-hero of the first team; their readable id
    becomes that of their new name, as an import labels them) and the kinds of bad rows."""
    if not messy:
        return Mess(False)
    person = roster[len(roster) - 2 if len(roster) > heroes + 1 else -1]
    first, _, last = person["name"].partition(" ")
    fake = Faker("en_GB")
    fake.seed_instance(int(rng.integers(1_000_000)))
    new = f"{first} {fake.last_name()}-{last}" if last else f"{first} {fake.last_name()}"
    used.discard(person["id"])
    person["id"] = readable_id(new)
    person["current_name"] = new
    person["email"] = f"{person['id'].replace('-', '.')}@example.com"
    used.add(person["id"])
    renamed = {"user_id": person["user_id"], "person": person["id"], "old": person["name"],
               "new": new, "from_week": max(1, weeks // 2)}
    return Mess(True, renamed, UNASSIGNED_SHARE, AUTO_RESOLVED_SHARE, MALFORMED)


def damage(rows: list[dict], mess: Mess, teams: list, rng: np.random.Generator) -> list:
    """Apply the planned damage to the clean rows (sorted by creation)."""
    if not mess.messy:
        return rows
    out = [dict(r) for r in rows]
    _rename(out, mess.renamed)
    for r in out:
        if rng.random() < mess.unassigned_share and r["assigned_user_ids"]:
            r["assigned_user_ids"], r["assigned_user_names"] = [], []
    out += _auto_resolved(out, mess, teams, rng)
    out.sort(key=lambda r: r["created_at"])
    return _malformed(out, mess.malformed, rng)


def _rename(rows: list[dict], renamed: dict) -> None:
    start = min(r["created_at"] for r in rows)
    moment = dt.datetime.fromisoformat(start.replace("Z", "+00:00"))
    switch = iso(moment + dt.timedelta(weeks=renamed["from_week"]))
    for r in rows:
        if r["created_at"] < switch:
            continue
        for kind in ("acknowledged", "assigned", "joined"):
            r[f"{kind}_user_names"] = [
                renamed["new"] if u == renamed["user_id"] else n
                for u, n in zip(r[f"{kind}_user_ids"], r[f"{kind}_user_names"])]
        if r["resolved_by_user_id"] == renamed["user_id"]:
            r["resolved_by_user_name"] = renamed["new"]


def _auto_resolved(rows: list[dict], mess: Mess, teams: list,
                   rng: np.random.Generator) -> list[dict]:
    """Alerts that cleared by themselves: paged to whoever was first paged for a nearby real
    incident of the same service, nobody acknowledging, resolved after 3-20 minutes."""
    extra = []
    zones = {p["user_id"]: p["timezone"] for t in teams for p in t.members}
    template = [r for r in rows if r["assigned_user_ids"]]
    count = int(round(mess.auto_resolved_share * len(rows)))
    for k in range(count):
        base = template[int(rng.integers(len(template)))]
        created = dt.datetime.fromisoformat(base["created_at"].replace("Z", "+00:00"))
        created += dt.timedelta(minutes=float(rng.uniform(-90, 90)))
        minutes = float(rng.uniform(3, 20))
        user, name = base["assigned_user_ids"][0], base["assigned_user_names"][0]
        from zoneinfo import ZoneInfo
        hour = hour_class_at(created, ZoneInfo(zones.get(user, "UTC"))).value
        extra.append({
            **{key: base[key] for key in ("service_id", "service_name", "team_name",
                                          "escalation_policy_name", "urgency",
                                          "priority_name", "major")},
            "id": "QA" + "".join(rng.choice(list("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"), 12)),
            "incident_number": 900_000 + k,
            "description": base["description"].split("]")[0] + "] alert cleared by itself",
            "status": "resolved",
            "incident_type_name": base["incident_type_name"],
            "created_at": iso(created),
            "resolved_at": iso(created + dt.timedelta(minutes=minutes)),
            "resolved_by_user_id": None, "resolved_by_user_name": None,
            "auto_resolved": True,
            "seconds_to_first_ack": None, "seconds_to_resolve": round(minutes * 60),
            "engaged_user_count": 0,
            "acknowledged_user_ids": [], "acknowledged_user_names": [],
            "assigned_user_ids": [user], "assigned_user_names": [name],
            "joined_user_ids": [], "joined_user_names": [],
            "escalation_count": 0, "manual_escalation_count": 0,
            "timeout_escalation_count": 0, "reassignment_count": 0,
            "total_interruptions": 1,
            "business_hour_interruptions": int(hour == "business"),
            "off_hour_interruptions": int(hour == "off"),
            "sleep_hour_interruptions": int(hour == "sleep"),
        })
    return extra


def _malformed(rows: list[dict], kinds: tuple, rng: np.random.Generator) -> list:
    """Damage one real (not auto-resolved) row per kind, spread over the history."""
    candidates = [k for k, r in enumerate(rows) if not r["auto_resolved"] and k > 0]
    chosen = sorted(rng.choice(candidates, len(kinds), replace=False).tolist())
    out: list = list(rows)
    for index, (kind, _, _) in zip(chosen, kinds):
        r = dict(rows[index])
        if kind == "unparsable created_at":
            r["created_at"] = r["created_at"].replace("-01-", "-13-").replace("-02-", "-13-")
            if "-13-" not in r["created_at"]:
                r["created_at"] = "yesterday, around ten"
        elif kind == "no service":
            r["service_name"] = r["service_id"] = None
        elif kind == "duplicate id":
            r["id"] = rows[index - 1]["id"]
        elif kind == "not a record":
            out[index] = f"incident {r['incident_number']}: export truncated"
            continue
        elif kind == "no created_at":
            r["created_at"] = None
        elif kind == "no id":
            r["id"] = r["incident_number"] = None
        elif kind == "negative time to acknowledge":
            r["seconds_to_first_ack"] = -abs(r["seconds_to_first_ack"] or 120)
        elif kind == "count in words":
            r["escalation_count"] = "two"
        elif kind == "resolved before created":
            created = dt.datetime.fromisoformat(r["created_at"].replace("Z", "+00:00"))
            r["resolved_at"] = iso(created - dt.timedelta(hours=1))
            r["seconds_to_resolve"] = None
        elif kind == "people not a list":
            r["acknowledged_user_ids"] = 42
        elif kind == "negative interruptions":
            r["sleep_hour_interruptions"] = -1
        elif kind == "time to resolve in words":
            r["seconds_to_resolve"] = "n/a"
            r["resolved_at"] = None
        out[index] = r
    return out
