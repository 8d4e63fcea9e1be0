"""The SimPy model of one team: it imports only `sim.schema` and itself.

A normal install (`pip install .`) compiles these modules with mypyc (see setup.py); an
editable install and a source checkout run them as plain Python. Both give the same records.
`ENGINE_BUILD` says which one this process runs, read from where the engine was loaded from.
"""

from __future__ import annotations

from sim.model import engine as _engine

ENGINE_BUILD = "python" if _engine.__file__.endswith(".py") else "mypyc"

__all__ = ["ENGINE_BUILD"]
