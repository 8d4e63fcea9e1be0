"""herosim: a game-day simulator for operations teams that lean on heroes.

The library has four layers by role (docs/architecture.md): `sim.schema` (the input models),
`sim.model` (the SimPy model of one team), `sim.inputs` (files in), `sim.analysis` (what the
commands compute) and `sim.outputs` (files out). It knows no terminal: the CLI is in `cli/`.
"""

from __future__ import annotations

# The one place the version is written: pyproject.toml reads it from here (setuptools'
# `attr:`), so a source tree and an install agree, and no command pays for looking it up in
# the installed distributions' metadata (importlib.metadata: 70 ms of every start-up).
__version__ = "0.1.0"


def engine_build() -> str:
    """Which engine an import of `sim.model` runs: "mypyc" (compiled, a wheel) or "python"
    (an editable install, a checkout), found as the import system finds the model's core
    module (an extension module before a source file) without importing it, so that `herosim
    --version` does not pay for the model's imports."""
    from importlib.machinery import PathFinder
    from pathlib import Path

    spec = PathFinder.find_spec("team", [str(Path(__file__).parent / "model")])
    origin = spec.origin if spec is not None else None
    return "python" if origin is None or origin.endswith(".py") else "mypyc"


__all__ = ["__version__", "engine_build"]
