"""Which engine runs is decided by how herosim was installed, never by files left in a tree.

A wheel (`pip install .`) holds the model core compiled with mypyc; an editable install and a
source checkout run the source. Nothing at import time chooses between them, so these tests
check what can go wrong instead: that the reported build is the one loaded, and that a source
tree never holds a compiled module that would shadow (and silently ignore) an edit.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import os
import pkgutil
from pathlib import Path

import pytest

import sim
import sim.model

ROOT = Path(__file__).resolve().parent.parent
MODEL_MODULES = sorted(m.name for m in pkgutil.iter_modules(sim.model.__path__))


def _loaded_compiled(name: str) -> bool:
    module = importlib.import_module(f"sim.model.{name}")
    return not module.__file__.endswith(".py")


def test_engine_build_says_where_the_engine_was_loaded_from():
    """ENGINE_BUILD is 'mypyc' exactly when the model core was loaded from compiled modules,
    and the core is compiled all together or not at all."""
    compiled = {name: _loaded_compiled(name) for name in MODEL_MODULES}
    assert len(set(compiled.values())) == 1, compiled
    assert sim.model.ENGINE_BUILD == ("mypyc" if all(compiled.values()) else "python")
    # `herosim --version` finds it without importing the model: the same answer.
    assert sim.engine_build() == sim.model.ENGINE_BUILD


def test_a_source_tree_runs_its_source():
    """When sim is imported from this checkout, every model module is its .py file and no
    compiled module lies beside it (one would take precedence over an edited source)."""
    package = Path(sim.__file__).resolve().parent
    if package != ROOT / "sim":
        pytest.skip("sim is an installed wheel: its sources are not edited in place")
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    stray = sorted(str(p.relative_to(ROOT)) for p in package.rglob("*")
                   if p.name.endswith(suffixes))
    assert not stray, f"compiled modules in the source tree would shadow their sources: {stray}"
    assert sim.model.ENGINE_BUILD == "python"


def test_the_expected_engine_runs():
    """CI names the engine each of its runs must use (HEROSIM_EXPECT_ENGINE), so a wheel that
    fell back to plain Python fails there instead of passing slowly."""
    expected = os.environ.get("HEROSIM_EXPECT_ENGINE")
    if not expected:
        pytest.skip("HEROSIM_EXPECT_ENGINE is not set (CI sets it)")
    assert sim.model.ENGINE_BUILD == expected
