"""Digests of what the example scenarios simulate, for `tests/test_golden.py`.

The digests in `tests/data/golden/digests.json` pin the records of the three example scenarios
(several runs each: alone, with a hero absent, with a plan and learning) and the JSON of the
default check, so a change that should change no result (a refactor, the compiled build) is
shown to change none. A change that alters results on purpose rewrites them:

    python tests/golden.py --write

and says so in its commit (docs/model.md says what changed and why).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from sim.analysis.independence import run_check
from sim.analysis.replicate import Replications
from sim.inputs.scenario import load_plan, load_scenario
from sim.model import TeamModel

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "data" / "golden" / "digests.json"
DAYS = 60
REPLICATIONS = 2


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def record_digests() -> dict[str, str]:
    """Digest of the full records (incidents, work, interruptions, practice, changes, plan
    costs) of each example run, per replication."""
    scenarios = {name: load_scenario(ROOT / "scenarios" / f"{name}.yaml")
                 for name in ("tiny", "platform-team", "follow-the-sun")}
    platform = scenarios["platform-team"]
    runs: dict[str, tuple] = {}
    for name, scenario in scenarios.items():
        runs[name] = (scenario, {})
        runs[f"{name}/without-heroes"] = (scenario, {"without": tuple(scenario.heroes)})
    for plan in ("pair-and-lead", "docs-only", "rotation-and-drills"):
        runs[f"platform-team/{plan}"] = (platform, {"plan": load_plan(plan, platform),
                                                    "learn": True})
    digests = {}
    for name, (scenario, options) in runs.items():
        for replication in range(REPLICATIONS):
            records = TeamModel(scenario, DAYS, seed=11, replication=replication,
                                **options).run()
            digests[f"{name}/{replication}"] = _digest(repr((
                records.incidents, records.work, records.interruptions, records.practice,
                records.changes, records.plan_costs)))
    return digests


def check_digest() -> str:
    """Digest of the default `herosim check scenarios/platform-team.yaml` JSON."""
    platform = load_scenario(ROOT / "scenarios" / "platform-team.yaml")
    result = run_check(Replications(platform, replications=20, seed=0), None, weeks=26, every=4)
    return _digest(json.dumps(result.to_json(), sort_keys=True))


def all_digests() -> dict[str, str]:
    return {**record_digests(), "check/default": check_digest()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the digests file")
    args = parser.parse_args()
    digests = all_digests()
    if args.write:
        DIGESTS.write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")
    print(json.dumps(digests, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
