"""herosim: a game-day simulator for operations teams that lean on heroes.

The library has four layers by role (docs/architecture.md): `sim.schema` (the input models),
`sim.model` (the SimPy model of one team), `sim.inputs` (files in), `sim.analysis` (what the
commands compute) and `sim.outputs` (files out). It knows no terminal: the CLI is in `cli/`.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("herosim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

__all__ = ["__version__"]
