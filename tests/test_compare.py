"""`herosim compare`: the same figures whatever runs the replications (1 or 2 local processes,
a Dask cluster), the ranking and its noise verdicts, and the CLI's outputs and error paths."""

from __future__ import annotations

import builtins
import json
import os
import socket
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import sim.analysis.cluster
from cli.main import app
from sim.analysis.cluster import dask_executor
from sim.analysis.compare import run_compare
from sim.analysis.replicate import Replications
from sim.errors import ClusterError
from sim.inputs.scenario import load_plan, load_scenario
from sim.outputs.journal import dump_json

HERE = Path(__file__).parent
TINY = HERE / "data" / "tiny.yaml"
PAIRING = HERE / "data" / "plans" / "pairing.yaml"
PLATFORM = HERE.parent / "scenarios" / "platform-team.yaml"
BAD_PLAN = HERE / "invalid_plans" / "unknown_class.yaml"
WEEKS, EVERY, REPS, SEED = 8, 4, 8, 3
# The compare every determinism test runs: the pairing plan as baseline, its twin, and the same
# plan with more practice (chen pairs on two classes; both learners drill weekly).
FIGURES = ["--baseline", "pairing", "--weeks", str(WEEKS), "--every", str(EVERY),
           "--reps", str(REPS), "--seed", str(SEED)]
QUICK = ["--weeks", "4", "--every", "4", "--reps", "2", "--workers", "1"]

runner = CliRunner()


@pytest.fixture(autouse=True)
def no_cluster_from_the_environment(monkeypatch):
    """A developer's HEROSIM_DASK must not send the local tests to a cluster."""
    monkeypatch.delenv(sim.analysis.cluster.ENVIRONMENT_VARIABLE, raising=False)


@pytest.fixture(scope="module")
def plan_files(tmp_path_factory) -> dict[str, Path]:
    """Plan files against tests/data/tiny.yaml: pairing, its twin (another name, the same
    actions) and pairing-plus (the same actions and more practice)."""
    folder = tmp_path_factory.mktemp("plans")
    base = yaml.safe_load(PAIRING.read_text())
    twin = {**base, "name": "pairing-twin"}
    plus = {**base, "name": "pairing-plus", "actions": base["actions"] + [
        {"kind": "pair", "learners": ["chen"], "classes": ["api-5xx", "db-slow"]},
        {"kind": "drill", "learners": ["ben", "chen"],
         "classes": ["db-slow", "db-failover", "api-5xx"], "every_days": 7},
    ]}
    files = {"pairing": PAIRING}
    for plan in (twin, plus):
        files[plan["name"]] = folder / f"{plan['name']}.yaml"
        files[plan["name"]].write_text(yaml.safe_dump(plan))
    return files


@pytest.fixture(scope="module")
def plan_args(plan_files) -> list[str]:
    return [arg for path in plan_files.values() for arg in ("--plan", str(path))]


def compare_tiny(plan_files, workers: int = 1, executor=None):
    scenario = load_scenario(TINY)
    plans = [load_plan(path, scenario) for path in plan_files.values()]
    return run_compare(Replications(scenario, REPS, SEED, workers, executor), plans,
                       baseline="pairing", weeks=WEEKS, every=EVERY)


@pytest.fixture(scope="module")
def reference(plan_files) -> dict:
    """compare.json of the standard compare, on this process."""
    return compare_tiny(plan_files, workers=1).to_json()


@pytest.fixture(scope="module")
def dask_cluster():
    """A Dask LocalCluster of two worker processes on loopback, for the module."""
    try:
        from distributed import LocalCluster
    except ImportError:
        if os.environ.get("CI") == "true":
            raise  # CI installs the test extra, which brings distributed: it must run there
        pytest.skip("distributed is not installed (pip install 'herosim[dask]' or '.[test]')")
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None)
    yield cluster
    cluster.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rows(doc: dict) -> dict[str, dict]:
    return {row["plan"]: row for row in doc["plans"]}


def cli_json(args: list[str]) -> dict:
    result = runner.invoke(app, ["compare", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def as_written(doc: dict) -> dict:
    """A document as the CLI writes it (NaN as null, tuples as lists)."""
    return json.loads(dump_json(doc))


# -- the same figures whoever runs the replications -----------------------------------------


def test_two_local_processes_give_the_same_figures(plan_files, reference):
    """workers=2 gives exactly the compare.json of workers=1."""
    assert compare_tiny(plan_files, workers=2).to_json() == reference


def test_a_dask_cluster_gives_the_same_figures(plan_files, reference, dask_cluster):
    """Running the replications on a Dask LocalCluster gives exactly the local compare.json."""
    with dask_executor(dask_cluster.scheduler_address) as (executor, slots):
        assert slots == 2
        doc = compare_tiny(plan_files, workers=slots, executor=executor).to_json()
    assert doc == reference


def test_cli_dask_option_gives_the_same_figures(plan_args, reference, dask_cluster, tmp_path):
    """`--dask tcp://...` prints the local figures."""
    doc = cli_json([str(TINY), *plan_args, *FIGURES, "--dask", dask_cluster.scheduler_address,
                    "--out", str(tmp_path)])
    assert dask_cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert doc == as_written(reference)


def test_cli_dask_from_the_environment_gives_the_same_figures(plan_args, reference, dask_cluster,
                                                               tmp_path, monkeypatch):
    """HEROSIM_DASK alone sends the work to the cluster, with the same figures."""
    monkeypatch.setenv("HEROSIM_DASK", dask_cluster.scheduler_address)
    doc = cli_json([str(TINY), *plan_args, *FIGURES, "--out", str(tmp_path)])
    assert doc == as_written(reference)


def test_cli_local_workers_give_the_same_figures(plan_args, reference, tmp_path):
    """`--workers 2` on the command line prints the figures of the one-process library run."""
    doc = cli_json([str(TINY), *plan_args, *FIGURES, "--workers", "2", "--out", str(tmp_path)])
    assert doc == as_written(reference)


# -- ranking and noise ------------------------------------------------------------------------


def test_a_plan_with_more_practice_ranks_first_beyond_noise(reference):
    """The same plan plus pairing and drills ranks first, ahead of the baseline beyond noise."""
    assert reference["ranking"][0]["plan"] == "pairing-plus"
    versus = rows(reference)["pairing-plus"]["vs_baseline"]
    assert versus["baseline"] == "pairing"
    assert versus["beyond_noise"] and versus["share_ahead"] >= 0.95
    assert versus["verdict"].startswith("beyond noise")
    first = reference["ranking"][0]
    assert first["difference"]["beyond_noise"]


def test_identical_plans_have_identical_figures_within_noise(reference):
    """Two plans with the same actions have the same figures under CRN and are within noise."""
    table = rows(reference)
    same = {k: v for k, v in table["pairing"].items() if k not in ("plan", "vs_baseline")}
    twin = {k: v for k, v in table["pairing-twin"].items() if k not in ("plan", "vs_baseline")}
    assert same == twin
    versus = table["pairing-twin"]["vs_baseline"]
    assert not versus["beyond_noise"]
    assert versus["share_ahead"] == versus["share_behind"] == 0.0
    assert versus["verdict"].startswith("within noise")
    neighbours = [e for e in reference["ranking"] if {e["plan"], e.get("next")}
                  == {"pairing", "pairing-twin"}]
    assert len(neighbours) == 1
    assert not neighbours[0]["difference"]["beyond_noise"]
    assert "within noise" in neighbours[0]["difference"]["verdict"]


def test_baseline_none_adds_doing_nothing(plan_files):
    """With the default baseline, doing nothing joins the candidates and is the reference."""
    scenario = load_scenario(TINY)
    plan = load_plan(PAIRING, scenario)
    doc = run_compare(Replications(scenario, 2, SEED), [plan], weeks=4, every=4).to_json()
    assert [row["plan"] for row in doc["plans"]] == ["none", "pairing"]
    assert rows(doc)["none"]["vs_baseline"] is None
    assert rows(doc)["pairing"]["vs_baseline"]["baseline"] == "none"


# -- the command line -------------------------------------------------------------------------


def test_cli_table_shows_plans_and_ranking(plan_args, tmp_path):
    """The table names every plan, states the rule and ranks them with noise verdicts."""
    result = runner.invoke(app, ["compare", str(TINY), *plan_args, *FIGURES, "--workers", "1",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = result.stdout.replace("\n", " ")
    for plan in ("pairing-plus", "pairing-twin", "pairing"):
        assert plan in text
    assert "Ranking" in text and "1. pairing-plus" in text
    assert "within noise" in text and "beyond noise" in text
    assert "Results written to" in text


def test_cli_json_is_the_compare_document(plan_args, tmp_path):
    """`--format json` prints valid JSON with plans, ranking and rule, and nothing else."""
    doc = cli_json([str(TINY), *plan_args, *QUICK, "--out", str(tmp_path)])
    assert {"plans", "ranking", "rule"} <= doc.keys()
    assert {row["plan"] for row in doc["plans"]} == {"none", "pairing", "pairing-twin",
                                                     "pairing-plus"}
    assert [entry["rank"] for entry in doc["ranking"]] == [1, 2, 3, 4]


def test_cli_writes_a_compare_results_folder(plan_args, tmp_path):
    """The results folder holds journal.json (kind compare), compare.json and compare.md."""
    result = runner.invoke(app, ["compare", str(TINY), *plan_args, *QUICK, "--format", "json",
                                 "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    (folder,) = tmp_path.iterdir()
    assert {p.name for p in folder.iterdir()} >= {"journal.json", "compare.json", "compare.md"}
    journal = json.loads((folder / "journal.json").read_text())
    assert journal["kind"] == "compare"
    assert json.loads((folder / "compare.json").read_text()) == json.loads(result.stdout)
    assert "pairing-plus" in (folder / "compare.md").read_text()


def test_cli_compares_plans_kept_in_the_scenario(tmp_path):
    """Plan names from the scenario's own `plans` work as --plan."""
    doc = cli_json([str(PLATFORM), "--plan", "pair-and-lead", "--plan", "docs-only", *QUICK,
                    "--out", str(tmp_path)])
    assert {row["plan"] for row in doc["plans"]} == {"none", "pair-and-lead", "docs-only"}


def invoke_error(args: list[str], tmp_path: Path) -> str:
    """Run a compare that must fail on its input: exit 2, no traceback, no results folder."""
    out = tmp_path / "results"
    result = runner.invoke(app, ["compare", *args, *QUICK, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    return result.output.replace("\n", " ")


def test_cli_unknown_plan_lists_the_scenarios_plans(tmp_path):
    """An unknown plan name exits 2 and lists the plans the scenario has."""
    text = invoke_error([str(PLATFORM), "--plan", "pair-and-leed"], tmp_path)
    assert "pair-and-leed" in text
    assert ("pair-and-lead, pair-then-stop, game-day-every-day, docs-only, "
            "rotation-and-drills") in text


def test_cli_invalid_plan_file_is_named(tmp_path):
    """A plan file that fails validation exits 2 with the file, the field and the value."""
    text = invoke_error([str(TINY), "--plan", str(PAIRING), "--plan", str(BAD_PLAN)], tmp_path)
    assert str(BAD_PLAN) in text
    assert "actions[0].classes[0]" in text and "db-falover" in text


def test_cli_two_plans_with_one_name(plan_files, tmp_path):
    """Two candidate plans with the same name exit 2, naming both."""
    copy = tmp_path / "copy.yaml"
    copy.write_text(PAIRING.read_text())
    text = invoke_error([str(TINY), "--plan", str(PAIRING), "--plan", str(copy)], tmp_path)
    assert "two candidate plans are called 'pairing'" in text
    assert str(copy) in text


def test_cli_plan_called_none_is_refused(tmp_path):
    """A plan named 'none' would clash with doing nothing: exit 2."""
    plan = {**yaml.safe_load(PAIRING.read_text()), "name": "none"}
    path = tmp_path / "none.yaml"
    path.write_text(yaml.safe_dump(plan))
    text = invoke_error([str(TINY), "--plan", str(path)], tmp_path)
    assert "reserved for doing nothing" in text


def test_cli_baseline_must_be_a_compared_plan(tmp_path):
    """A --baseline that is not among the plans exits 2 and lists them."""
    text = invoke_error([str(PLATFORM), "--plan", "docs-only", "--baseline", "pair-and-lead"],
                        tmp_path)
    assert "--baseline" in text and "'pair-and-lead'" in text
    assert "one of the compared plans: docs-only" in text


def test_cli_unreachable_scheduler(plan_args, tmp_path, monkeypatch):
    """--dask to an address where nothing listens exits 2 with a clear message."""
    pytest.importorskip("distributed", reason="the unreachable-scheduler message needs Dask")
    monkeypatch.setattr(sim.analysis.cluster, "CONNECT_TIMEOUT_SECONDS", 1)
    address = f"tcp://127.0.0.1:{free_port()}"
    text = invoke_error([str(TINY), *plan_args, "--dask", address], tmp_path)
    assert "could not reach a Dask scheduler there within 1 s" in text
    assert address in text and "HEROSIM_DASK" in text


def test_cli_malformed_scheduler_address(plan_args, tmp_path, monkeypatch):
    """A HEROSIM_DASK that is no address exits 2 at once, naming the variable."""
    pytest.importorskip("distributed", reason="addresses are parsed by Dask")
    monkeypatch.setenv("HEROSIM_DASK", "scheduler-without-port")
    text = invoke_error([str(TINY), *plan_args], tmp_path)
    assert "not a Dask scheduler address" in text and "scheduler-without-port" in text


def refuse_distributed(monkeypatch) -> None:
    """Make `import distributed` fail in herosim's modules, as when the dask extra is not
    installed. Other importers (a running test cluster's threads) are left alone."""
    real_import = builtins.__import__

    def fake_import(name, globals=None, *args, **kwargs):
        importer = (globals or {}).get("__name__", "")
        if (name == "distributed" or name.startswith("distributed.")) and \
                importer.split(".")[0] in ("sim", "cli"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, globals, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)


def test_cli_dask_missing_says_how_to_install(plan_args, tmp_path, monkeypatch):
    """--dask without Dask installed exits 2 and names the extra to install."""
    refuse_distributed(monkeypatch)
    text = invoke_error([str(TINY), *plan_args, "--dask", "tcp://127.0.0.1:8786"], tmp_path)
    assert "pip install 'herosim[dask]'" in text and "--dask" in text


def test_local_compare_does_not_need_dask(plan_args, tmp_path, monkeypatch):
    """Without --dask nothing imports Dask: a compare runs even when it is missing."""
    refuse_distributed(monkeypatch)
    doc = cli_json([str(TINY), *plan_args, *QUICK, "--out", str(tmp_path)])
    assert doc["ranking"]


def test_dask_executor_without_dask_raises_a_scenario_error(monkeypatch):
    """The library raises the same input error (no CLI needed)."""
    refuse_distributed(monkeypatch)
    with pytest.raises(ClusterError, match="herosim\\[dask\\]"):
        with dask_executor("tcp://127.0.0.1:8786"):
            pass
