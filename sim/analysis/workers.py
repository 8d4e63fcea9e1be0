"""Worker processes, shared by the replications (`replicate`) and the report's charts
(`sim.outputs.chart_pool`): how many cores this process may use, and what a worker does with
the signals a terminal sends. Imports nothing heavy: the chart pool loads it at drawing time."""

from __future__ import annotations

import os
import signal


def usable_cores() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def leave_signals_to_parent() -> None:
    """In a worker process: leave Ctrl-C and SIGTERM to the parent, which cancels what is left
    and ends the workers (a terminal sends Ctrl-C to every process of the command; each worker
    would otherwise print a traceback of its own)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
