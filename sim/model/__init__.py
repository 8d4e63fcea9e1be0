"""The SimPy model of one team (sim/model/team.py): it imports only `sim.schema` and itself.

A wheel (`pip install .`) holds these modules compiled with mypyc (see setup.py); an editable
install and a source checkout run them as plain Python. Both give the same records.
`ENGINE_BUILD` says which this process runs, read from where the model was loaded from.
"""

from __future__ import annotations

from sim.model import team as _team
from sim.model.arrivals import DRAWS_PER_INCIDENT, Arrival, poisson_times, sample_arrivals
from sim.model.records import RunRecords
from sim.model.skills import SkillBook
from sim.model.state import TeamState
from sim.model.team import Snapshot, TeamModel, cyclic_gc_paused

ENGINE_BUILD = "python" if _team.__file__.endswith(".py") else "mypyc"

__all__ = [
    "DRAWS_PER_INCIDENT",
    "ENGINE_BUILD",
    "Arrival",
    "RunRecords",
    "SkillBook",
    "Snapshot",
    "TeamModel",
    "TeamState",
    "cyclic_gc_paused",
    "poisson_times",
    "sample_arrivals",
]
