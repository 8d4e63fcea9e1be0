"""Typed documents: each analysis's document reads back from its own JSON (same keys, same order,
same values); the one replay of the hero-present and hero-absent arms that the check and the
advisor share; and the size and import rules of the analyses' modules."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import sim.analysis.advise.risk as risk_module
import sim.analysis.independence.replay as replay_module
from sim.analysis.advise import RiskSpec, risk_replication, run_advise
from sim.analysis.compare import run_compare
from sim.analysis.evaluation import evaluation_replication, replay_arms
from sim.analysis.independence import CheckSpec, check_replication, run_check
from sim.analysis.replicate import Replications
from sim.analysis.types import (
    AdviseDocument,
    CheckDocument,
    CompareDocument,
    HoldingBack,
    Overall,
    RunDocument,
    TimeToIndependence,
)
from sim.analysis.whatif import run_scenario
from sim.inputs.scenario import load_scenario
from sim.model import TeamModel, sample_arrivals
from sim.schema import MINUTES_PER_DAY, Plan

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny.yaml"


@pytest.fixture(scope="module")
def tiny():
    return load_scenario(TINY)


def reads_back(document_type, data: dict) -> None:
    """The typed document read from `data` writes `data` again, key order included."""
    again = document_type.from_json(json.loads(json.dumps(data))).to_json()
    assert json.dumps(again) == json.dumps(data)


def test_check_document_reads_back_from_its_json(tiny):
    """independence.json is the CheckDocument's JSON, and reads back to the same document."""
    result = run_check(Replications(tiny, 2, seed=1), None, weeks=4, every=2)
    assert isinstance(result.document, CheckDocument)
    assert result.passed is result.document.final.passed
    reads_back(CheckDocument, result.to_json())


def test_compare_document_reads_back_and_leaves_the_last_difference_out(tiny):
    """compare.json reads back; only the last ranking entry lacks `next` and `difference`."""
    plan = Plan.model_validate({"name": "pairing", "actions": [
        {"kind": "pair", "learners": ["lee"], "classes": ["db-slow-queries"]}]})
    result = run_compare(Replications(tiny, 2, seed=1), [plan], weeks=4, every=4)
    doc = result.to_json()
    reads_back(CompareDocument, doc)
    assert "next" not in doc["ranking"][-1] and "difference" not in doc["ranking"][-1]
    assert all("next" in entry and "difference" in entry for entry in doc["ranking"][:-1])
    assert result.ranking == [entry.plan for entry in result.document.ranking]


def test_advise_document_reads_back_with_each_candidates_figures_inline(tiny):
    """advise.json reads back; a candidate's Reduction is written among the row's own keys."""
    result = run_advise(Replications(tiny, 2, seed=0), weeks=2, propose=False)
    doc = result.to_json()
    reads_back(AdviseDocument, doc)
    row = doc["candidates"][0]
    assert list(row)[:5] == ["name", "kind", "target", "description", "default_costs"]
    assert list(row)[-1] == "rank" and "figures" not in row
    figures = result.document.candidates[0].figures
    assert figures.reduction.mean == row["reduction"]["mean"]
    assert figures.hero_hours == row["hero_hours"]


def test_run_document_reads_back_from_its_json(tiny):
    """metrics.json reads back; the fit check is a typed FitCheck."""
    result = run_scenario(Replications(tiny, 2, seed=0), days=14, without=["sam"])
    reads_back(RunDocument, result.to_json())
    assert result.document.fit_check == result.fit
    assert result.document.baseline is result.baseline is not None


def test_holding_back_is_written_under_the_class_key():
    """A field whose key is not a Python name (`class`) is written under that key."""
    item = HoldingBack(class_id="db", verdict="partly", reasons=["access"])
    assert item.to_json() == {"class": "db", "verdict": "partly", "reasons": ["access"]}
    assert HoldingBack.from_json(item.to_json()) == item


def test_a_file_without_newer_keys_reads_them_as_null():
    """Files written before a key existed still read: the missing key is its default."""
    assert TimeToIndependence.from_json({"week": 8}) == TimeToIndependence(week=8)
    overall = Overall.from_json({"present_p90": 10.0, "absent_p90": 20.0})
    assert overall.bands is None and overall.p90_ratio is None


def test_replay_arms_see_the_same_incidents_without_the_heroes(tiny):
    """Both arms replay the window's incidents; no hero is interrupted in the absent arm."""
    model = TeamModel(tiny, 14, 0, 0, learn=True)
    model.run()
    t = 14 * MINUTES_PER_DAY
    window = evaluation_replication(0)
    arrivals = sample_arrivals(tiny, 14, 0, window)
    arms = replay_arms(tiny, 14, 0, window, model.skills.frozen(t), model.state, t, arrivals)

    def seen(records):
        return sorted((i.incident_id, i.class_id, i.arrived) for i in records.incidents)

    assert seen(arms.present) == seen(arms.absent)
    assert len(seen(arms.present)) == len(arrivals) > 0
    assert not any(x.person in tiny.heroes for x in arms.absent.interruptions)


def test_check_and_advise_replay_through_the_one_function(tiny, monkeypatch):
    """The check (each checkpoint) and the advisor (the plan's end) call `replay_arms`."""
    calls = []

    def spy(*args, **kwargs):
        calls.append(args[3])
        return replay_arms(*args, **kwargs)

    monkeypatch.setattr(replay_module, "replay_arms", spy)
    monkeypatch.setattr(risk_module, "replay_arms", spy)
    check_replication(CheckSpec(tiny, None, weeks=2, every=2, seed=0), 0)
    risk_replication(RiskSpec(tiny, None, weeks=2, seed=0), 0)
    assert calls == [evaluation_replication(0)] * 3  # checkpoints 0 and 2, then the risk


# The analyses, their renderers and their commands that this layout rule covers.
SPLIT = [
    *sorted((ROOT / "sim" / "analysis").glob("*/*.py")),
    *(ROOT / "sim" / "analysis" / name for name in (
        "compare.py", "whatif.py", "evaluation.py", "document.py", "replicate.py")),
    *sorted((ROOT / "sim" / "outputs").glob("*.py")),
    *(ROOT / "cli" / name for name in (
        "run.py", "check.py", "compare.py", "advise.py", "common.py", "format.py")),
]


@pytest.mark.parametrize("path", SPLIT, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_is_small_and_imports_no_private_names(path):
    """At most ~500 lines a module and ~300 a class; no `_name` imported from another module."""
    source = path.read_text()
    assert source.count("\n") <= 500, path
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            assert node.end_lineno - node.lineno < 300, node.name
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("sim", "cli")):
            private = [a.name for a in node.names
                       if a.name.startswith("_") and not a.name.startswith("__")]
            assert not private, (node.module, private)
