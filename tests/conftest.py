"""Shared builders of scenarios for tests.

The builders are fixtures that return functions (pytest's factory-as-fixture pattern), so a test
asks for `make_scenario` and calls it with what it wants to differ from a small, valid team.
They are session-scoped because they hold no state, which also lets hypothesis tests use them.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from sim.schema import MINUTES_PER_WEEK, Scenario

# Behaviour that acknowledges every page at once, whatever the hour.
INSTANT_ACKS = {"ack_median_minutes": {"business": 0, "off": 0, "sleep": 0}}


def _base_scenario() -> dict[str, Any]:
    """A one-service, one-class team of two, a weekly primary rotation, default policy."""
    return {
        "name": "test",
        "services": [{"id": "svc"}],
        "classes": [{
            "id": "k",
            "service": "svc",
            "rate_per_week": 2.0,
            "difficulty": 0.5,
            "work_minutes": {"median": 30, "p90": 90},
        }],
        "people": [
            {"id": "hero", "skills": {"k": 1.0}},
            {"id": "ann", "skills": {"k": 0.5}},
        ],
        "heroes": ["hero"],
        "rotation": {"primary": {"members": ["ann", "hero"]}},
    }


def build_scenario(**overrides: Any) -> Scenario:
    """The base scenario with top-level keys replaced by `overrides`, validated."""
    return Scenario.model_validate({**_base_scenario(), **overrides})


def build_mmc_scenario(c: int, rho: float, mean_service: float = 10.0) -> Scenario:
    """A team that is an M/M/c queue at load `rho`.

    `c` identical people, fully skilled (knowledge 1, difficulty 0: they always can and will
    lead), one pool rotation (the first free member takes the oldest waiting incident), one
    primary level and no loops, instant acknowledgements, no noise, misrouting or informal
    pulls, and exponential work with mean `mean_service` minutes. Arrivals are Poisson at
    lambda = rho * c / mean_service per minute.
    """
    members = [f"p{i}" for i in range(c)]
    return build_scenario(
        name=f"mm{c}",
        classes=[{
            "id": "k",
            "service": "svc",
            "rate_per_week": rho * c / mean_service * MINUTES_PER_WEEK,
            "difficulty": 0.0,
            # An exponential with mean m has median m ln 2.
            "work_minutes": {"median": mean_service * math.log(2.0),
                             "distribution": "exponential"},
        }],
        people=[{"id": p, "skills": {"k": 1.0}} for p in members],
        heroes=[],
        rotation={"primary": {"members": members}, "pool": True},
        escalation={"levels": [{"target": "primary"}], "loops": 0},
        behaviour=INSTANT_ACKS,
    )


@pytest.fixture(scope="session")
def make_scenario():
    """`make_scenario(**overrides)`: a small valid team, top-level keys replaced."""
    return build_scenario


@pytest.fixture(scope="session")
def mmc_scenario():
    """`mmc_scenario(c, rho, mean_service=10)`: a team that is an M/M/c queue."""
    return build_mmc_scenario


@pytest.fixture(scope="session")
def organisation():
    """A function: seed -> (org, history) of a generated messy three-team organisation (26
    weeks, ~1,200 incidents; 2, 1 and 0 heroes, a busy non-hero), each seed built once per
    session and shared by the hero map and calibration tests."""
    from sim.inputs.generate import generate_org
    from sim.inputs.history import history_from_records

    cache: dict[int, tuple] = {}

    def build(seed: int):
        if seed not in cache:
            org = generate_org(teams=3, people=7, weeks=26, seed=seed, messy=True)
            cache[seed] = (org, history_from_records(org.history["data"],
                                                     envelope=org.history))
        return cache[seed]

    return build
