"""The errors herosim expects, each its own type, so that callers tell them apart.

- `InputError`: an input file or option is unusable; it lists every `Problem` found, each
  naming the file (or "command line"), the field path, the value and what would be valid.
- `ClusterError`: the Dask cluster asked for cannot be used (not installed, unreachable).

Anything else raised from `sim` is an internal error: a bug to report, not a message to the
user. The CLI shows the first two as messages with exit code 2 and never hides the third.
"""

from __future__ import annotations

from dataclasses import dataclass


class HerosimError(Exception):
    """Base of the errors herosim reports as messages rather than tracebacks."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file.

    Attributes:
        file: The file as the user named it.
        field_path: Dotted path to the field, e.g. `rotation.primary.members[2]`; empty for a
            problem with the file as a whole.
        value: `repr` of the offending value, truncated; None when there is no single value.
        message: What is wrong and what would be allowed.
    """

    file: str
    field_path: str
    value: str | None
    message: str

    def render(self) -> str:
        """One paragraph: where, then what, then the value found."""
        where = f"{self.file}: {self.field_path}" if self.field_path else self.file
        lines = [where, f"    {self.message}"]
        if self.value is not None:
            lines.append(f"    got: {self.value}")
        return "\n".join(lines)


class InputError(HerosimError):
    """An input file is unusable; `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    @property
    def files(self) -> list[str]:
        """The files with problems, in order of first appearance."""
        return list(dict.fromkeys(p.file for p in self.problems))

    def render(self) -> str:
        """Every problem, one paragraph each, separated by blank lines."""
        return "\n\n".join(p.render() for p in self.problems)


class ClusterError(HerosimError):
    """The Dask cluster named by `--dask` (or $HEROSIM_DASK) cannot be used; the message says
    why and what to give instead."""


__all__ = ["ClusterError", "HerosimError", "InputError", "Problem"]
