"""herosim: a game-day simulator for operations teams that lean on heroes.

The engine's hot modules (`COMPILED`) are compiled with mypyc when herosim is installed (see
setup.py), which makes a run about twice as fast and gives the same results. They run from
their Python source instead when `HEROSIM_PURE` is set, when the install did not compile them,
or when a source file has changed since it was compiled (an editable install after an edit;
installing again compiles it again). `ENGINE_BUILD` says which.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from importlib.machinery import EXTENSION_SUFFIXES
from importlib.metadata import PackageNotFoundError, version
from importlib.util import spec_from_file_location
from pathlib import Path

try:
    __version__ = version("herosim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

COMPILED = ("engine", "calendar", "changes", "skills", "records")
BUILD_RECORD = "_compiled.json"  # written by setup.py: the digest of each compiled source
_HERE = Path(__file__).resolve().parent


def source_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _compiled_build() -> tuple[bool, str | None]:
    """(use the compiled modules, why not when there are some but they are not used)."""
    if not any((_HERE / f"{name}{suffix}").exists()
               for name in COMPILED for suffix in EXTENSION_SUFFIXES):
        return False, None
    if os.environ.get("HEROSIM_PURE"):
        return False, None
    try:
        digests = json.loads((_HERE / BUILD_RECORD).read_text())["sources"]
    except (OSError, ValueError, KeyError):
        return False, None  # leftovers of an earlier build: not ours to trust
    changed = [name for name in COMPILED
               if digests.get(name) != source_digest(_HERE / f"{name}.py")]
    if changed:
        return False, (f"sim/{changed[0]}.py changed since herosim was compiled; the engine "
                       "runs as plain Python (slower, same results) until herosim is installed "
                       "again")
    return True, None


class _FromSource:
    """Import finder that loads the compiled modules from their .py files."""

    @staticmethod
    def find_spec(fullname, path=None, target=None):
        package, _, name = fullname.partition(".")
        if package == __name__ and name in COMPILED:
            return spec_from_file_location(fullname, _HERE / f"{name}.py")
        return None


_use_compiled, _why_not = _compiled_build()
if not _use_compiled:
    sys.meta_path.insert(0, _FromSource)
if _why_not:
    warnings.warn(_why_not, RuntimeWarning, stacklevel=2)
ENGINE_BUILD = "mypyc" if _use_compiled else "python"

__all__ = ["COMPILED", "ENGINE_BUILD", "__version__"]
