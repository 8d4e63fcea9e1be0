"""The compiled engine (setup.py, mypyc) and the plain-Python one give the same results.

Both run in subprocesses of this test: one as installed, one with HEROSIM_PURE set, which makes
`sim` import the engine's modules from their source. Each prints a digest of the full records
of several example runs (plans, learning, changes, a hero absent) and of a small check.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

DIGEST = textwrap.dedent("""
    import hashlib, json
    import sim
    from sim.engine import TeamModel
    from sim.independence import run_check
    from sim.loader import load_plan, load_scenario

    digests = {"build": sim.ENGINE_BUILD}
    platform = load_scenario("scenarios/platform-team.yaml")
    plan = load_plan("pair-and-lead", platform)
    runs = {
        "platform": (platform, {}),
        "platform-plan": (platform, {"plan": plan, "learn": True}),
        "platform-without-hero": (platform, {"without": tuple(platform.heroes)}),
        "follow-the-sun": (load_scenario("scenarios/follow-the-sun.yaml"), {}),
        "tiny": (load_scenario("scenarios/tiny.yaml"), {}),
    }
    for name, (scenario, options) in runs.items():
        for replication in range(2):
            records = TeamModel(scenario, 60, seed=11, replication=replication,
                                **options).run()
            text = repr((records.incidents, records.work, records.interruptions,
                         records.practice, records.changes, records.plan_costs))
            digests[f"{name}/{replication}"] = hashlib.sha256(text.encode()).hexdigest()
    check = run_check(platform, plan, weeks=8, every=4, replications=2, seed=5)
    digests["check"] = hashlib.sha256(
        json.dumps(check.to_json(), sort_keys=True).encode()).hexdigest()
    print(json.dumps(digests))
""")


def _digests(**env: str) -> dict:
    environment = {k: v for k, v in os.environ.items() if k != "HEROSIM_PURE"} | env
    done = subprocess.run([sys.executable, "-c", DIGEST], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_compiled_and_plain_engines_give_identical_records():
    compiled = _digests()
    if compiled["build"] != "mypyc":
        pytest.skip("this install runs the engine as plain Python: nothing to compare")
    plain = _digests(HEROSIM_PURE="1")
    assert plain.pop("build") == "python"
    compiled.pop("build")
    assert compiled == plain


def test_a_changed_source_runs_as_plain_python(tmp_path):
    """An engine module edited after it was compiled is imported from its source, with a
    warning, so an edit is never silently ignored."""
    sim = tmp_path / "sim"
    sim.mkdir()
    (sim / "__init__.py").write_text((ROOT / "sim" / "__init__.py").read_text())
    for name in ("engine", "calendar", "changes", "skills", "records"):
        (sim / f"{name}.py").write_text("SOURCE = True\n")
        (sim / f"{name}.so").write_text("")  # a compiled module that would fail to load
    # The build record of an older engine.py.
    (sim / "_compiled.json").write_text(json.dumps({"sources": {"engine": "0" * 64}}))
    done = subprocess.run(
        [sys.executable, "-c",
         "import sim, sim.engine; print(sim.ENGINE_BUILD, sim.engine.SOURCE)"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "HEROSIM_PURE"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["python", "True"]
    assert "sim/engine.py changed since herosim was compiled" in done.stderr
