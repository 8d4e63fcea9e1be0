"""The results folder of a run: written aside, journalled, then moved into place at once.

A command writes `results/<name>-<UTC stamp>/` with `journal.json` (provenance: tool version,
command line, seed, a copy of the scenario, start, end, status; Chaos Toolkit's journal is the
model) beside whatever the command produces. Everything is first written to a hidden
`.<name>-<stamp>.partial` folder; only a finished run is renamed to its final name, so an
interrupted or failed run never leaves a folder that looks complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import platform
import shutil
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim import __version__
from sim.errors import InputError, Problem
from sim.model import ENGINE_BUILD


class Status:
    """How a run ended, as the journal records it."""

    COMPLETED = "completed"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


def utc_now() -> dt.datetime:
    """Now, in UTC (journal times)."""
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def to_jsonable(value: Any) -> Any:
    """Plain JSON types for enums, tuples, paths, dates and numpy scalars."""
    if isinstance(value, dict):
        return {str(to_jsonable(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def dump_json(value: Any) -> str:
    """`value` as indented JSON text: enums as their values, NaN refused."""
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


class ResultsFolder:
    """A results folder under construction; use as a context manager.

    Example:
        with ResultsFolder("results", "platform-team", command, seed, scenario_dict,
                           kind="run") as out:
            out.write_json("metrics.json", metrics)
            out.complete(verdict=None)
        print(out.path)
    """

    def __init__(
        self,
        root: str | os.PathLike,
        name: str,
        command: Sequence[str],
        seed: int | None,
        scenario: dict | None,
        extra: dict | None = None,
        kind: str = "run",
    ):
        self.root = Path(root)
        self.started = utc_now()
        base = f"{name}-{_stamp(self.started)}"
        final = self.root / base
        suffix = 1
        while final.exists():
            suffix += 1
            final = self.root / f"{base}-{suffix}"
        self.path = final
        self.partial = self.root / f".{final.name}.partial"
        self.journal: dict[str, Any] = {
            "kind": kind,  # which command wrote the folder: run, check, compare, ...
            "herosim_version": __version__,
            "python": platform.python_version(),
            "engine": ENGINE_BUILD,  # mypyc or python: the same results, recorded all the same
            "command": list(command),
            "seed": seed,
            "scenario": scenario,
            "start": self.started.isoformat(),
            "end": None,
            "status": None,
            "verdict": None,
            **(extra or {}),
        }
        self._done = False

    def __enter__(self) -> ResultsFolder:
        try:
            self.partial.mkdir(parents=True, exist_ok=False)
        except OSError as error:
            raise InputError([Problem(
                str(self.root), "", None, f"cannot create a results folder here "
                f"({error.strerror or error}); choose a folder you can write")]) from None
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if not self._done:
            # Failed or interrupted: nothing that looks like a result survives.
            shutil.rmtree(self.partial, ignore_errors=True)
        return False

    def file(self, name: str) -> Path:
        """Path of a file inside the folder being written."""
        return self.partial / name

    def write_text(self, name: str, text: str) -> Path:
        """Write `name` in the folder (UTF-8); return its path."""
        target = self.file(name)
        target.write_text(text, encoding="utf-8")
        return target

    def write_json(self, name: str, value: Any) -> Path:
        """Write `value` as `name` in the folder, as JSON (`dump_json`)."""
        return self.write_text(name, dump_json(value))

    def write_csv(self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
        """Write `rows` under `header` as the CSV file `name` in the folder."""
        target = self.file(name)
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return target

    def complete(self, verdict: Any = None, status: str = Status.COMPLETED) -> Path:
        """Write the journal and move the folder to its final name."""
        self.journal["end"] = utc_now().isoformat()
        self.journal["status"] = status
        self.journal["verdict"] = verdict
        self.write_json("journal.json", self.journal)
        os.replace(self.partial, self.path)
        self._done = True
        return self.path


def command_line() -> list[str]:
    """The command line as the user typed it (program name shortened)."""
    argv = list(sys.argv)
    if argv:
        argv[0] = Path(argv[0]).name
    return argv
