"""The charts of one report, drawn side by side.

A report asks for its charts one after another while its sections are built; drawing them
takes most of the time a command spends after simulating (a second or two with two charts,
matplotlib being single-threaded). Inside `drawn_together()` each chart is noted and a
placeholder put in its place; `fill` then draws them all, on as many processes as there are
charts and usable cores (forked after matplotlib is imported, so each child starts drawing at
once), and puts each SVG in its place. The page is the same byte for byte as when the charts
are drawn one by one.

    >>> with drawn_together() as charts_:  # doctest: +SKIP
    ...     html = build_the_page()  # calls sim.outputs.charts functions
    >>> html = charts_.fill(html)  # doctest: +SKIP
"""

from __future__ import annotations

import multiprocessing
import re
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from sim.analysis.workers import leave_signals_to_parent, usable_cores
from sim.outputs import charts


class PendingCharts:
    """The charts noted while `drawn_together` was open: (function name, args, kwargs)."""

    def __init__(self) -> None:
        self.items: list[tuple[str, tuple, dict]] = []

    def draw(self) -> list[str]:
        """Every chart's SVG, in the order they were asked for."""
        jobs = min(len(self.items), usable_cores())
        if jobs <= 1 or not _can_fork():
            return [charts.render(*item) for item in self.items]
        charts.load_matplotlib()  # once, before the fork: every child has it
        # Longest first: the heatmaps and many-panel charts set the wall time.
        order = sorted(range(len(self.items)), key=lambda i: -_weight(self.items[i]))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(jobs, mp_context=context,
                                 initializer=leave_signals_to_parent) as pool:
            drawn = dict(zip(order, pool.map(_render, [self.items[i] for i in order])))
        return [drawn[i] for i in range(len(self.items))]

    def fill(self, html: str) -> str:
        """`html` with every placeholder replaced by its chart."""
        if not self.items:
            return html
        svgs = self.draw()
        return re.sub(r"<!--herosim-chart-(\d+)-->", lambda m: svgs[int(m.group(1))], html)


@contextmanager
def drawn_together() -> Iterator[PendingCharts]:
    """Within the block, charts are noted, not drawn; `fill` draws them together."""
    pending = PendingCharts()
    token = charts.PENDING.set(pending.items)
    try:
        yield pending
    finally:
        charts.PENDING.reset(token)


def _render(item: tuple[str, tuple, dict]) -> str:
    return charts.render(*item)


def _weight(item: tuple[str, tuple, dict]) -> int:
    """A rough size of a chart's input, to draw the largest first."""
    return len(repr(item[1])) + len(repr(item[2]))


def _can_fork() -> bool:
    """Forking is cheap on Linux, and safe while this process runs one thread (a Dask client's
    threads, say, may hold a lock a child would wait on for ever); otherwise the charts are
    drawn in turn."""
    return (sys.platform.startswith("linux") and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())
