"""Seeding: one root seed a run, one child a replication, one stream a purpose.

No global random state anywhere. A stream is addressed by (root seed, replication, purpose), so
what a replication draws for its arrivals never depends on what it drew for decisions: a
hero-present and a hero-absent replay of one replication see the same incidents (common random
numbers), and the result of a replication never depends on which worker ran it.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Purpose(IntEnum):
    """What a stream is for; the value is part of the stream's address, so never renumber."""

    ARRIVALS = 0  # incident arrival times and classes
    WORK = 1  # expert work times
    DECISIONS = 2  # per-incident decision draws (routing, size-up, ack delays)
    ABSENCES = 3  # unplanned absences
    NOISE = 4  # false pages
    EXTRA = 5  # draws beyond an incident's pre-drawn row (rare)
    LEARNING = 6  # skill dynamics and plan actions
    BOOTSTRAP = 7  # resampling replications for intervals (replication index: ANALYSIS)
    PROBES = 8  # extra incidents of rare classes in evaluation windows
    GENERATE = 9  # `herosim generate`: the synthetic organisation's choices and incident ids
    GAMEDAY = 10  # expert work draws of a scored game day's injections (sim/analysis/gameday.py)
    CHANGES = 11  # deploys: intended times, leaders, failures, rollback incidents


# Replication index of streams that belong to the whole run, not to one replication.
ANALYSIS = 2**31 - 1
# Offset of the evaluation replays of the independence check: replication r of the check
# replays the incidents of replication EVALUATION + r at every checkpoint.
EVALUATION = 2**30
# Offset of the game-day replays of `herosim score`: replication r replays injection j (at
# most 1000 a game day) on the streams of replication GAMEDAY_REPLAYS + 1000 r + j.
GAMEDAY_REPLAYS = 2**29


def stream(seed: int, replication: int, purpose: Purpose) -> np.random.Generator:
    """The generator for one purpose of one replication of a run."""
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, int(purpose)))
    return np.random.default_rng(sequence)
