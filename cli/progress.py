"""A rich progress bar that appears only when the work takes over a second."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

SHOW_AFTER_SECONDS = 1.0


class DelayedProgress:
    """Context manager; call `update(done)` as work finishes. Quiet for short work."""

    def __init__(self, console: Console, label: str, total: int):
        self.console = console
        self.label = label
        self.total = total
        self.started = 0.0
        self.progress: Progress | None = None
        self.task = None

    def __enter__(self) -> DelayedProgress:
        self.started = time.monotonic()
        return self

    def update(self, done: int) -> None:
        """`done` replications have finished: show (or advance) the bar once it is worth it."""
        if self.progress is None:
            if time.monotonic() - self.started < SHOW_AFTER_SECONDS:
                return
            self.progress = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=self.console, transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self.label, total=self.total)
        self.progress.update(self.task, completed=done)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()
