"""The example scenarios simulate exactly what they did when the digests were written.

Whichever engine runs (the compiled one of a normal install, or the plain-Python source of an
editable install) must give these records; CI runs this file with both (see .ci/run). A change
that alters results on purpose rewrites the digests (`python tests/golden.py --write`).
"""

from __future__ import annotations

import json

import golden
import pytest


@pytest.fixture(scope="module")
def pinned() -> dict[str, str]:
    return json.loads(golden.DIGESTS.read_text())


def test_example_records_are_unchanged(pinned):
    """Every example run's records digest to the pinned value."""
    got = golden.record_digests()
    changed = sorted(name for name in pinned if name != "check/default"
                     and got.get(name) != pinned[name])
    assert not changed, f"records changed: {changed} (python tests/golden.py --write if meant)"
    assert set(got) == set(pinned) - {"check/default"}


def test_default_check_json_is_unchanged(pinned):
    """The default check of the platform team gives the pinned JSON."""
    assert golden.check_digest() == pinned["check/default"]
