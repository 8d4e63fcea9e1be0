"""What a user waits for at the command line (issue 19, part 4): start-up, the default
`herosim check`, a 1,000-person organisation's week, a 10,000-person scenario.

    python benchmarks/bench_cli.py                          # the herosim beside this Python
    python benchmarks/bench_cli.py --herosim /tmp/old/bin/herosim --herosim .venv/bin/herosim
    python benchmarks/bench_cli.py --skip scale --repeat 5  # start-up and check only

Every case runs the command as a user does (a subprocess, default workers, the results
folder written to a temporary directory), `--repeat` times, alternating between the
installations given, and keeps every time (best and median shown). The baseline of the
ratios is measured in the same run: `python -c pass` of the same installation (the price of
starting any Python program). For `check`, the time until its answer is on screen (the first
line of its output) is taken too, and, inside one process, how long the simulation, the
report's charts (one by one, and drawn side by side) and the imports take.

The machine's load moves every figure (this one is shared); compare figures of one run only.
The last line is one JSON object per installation, for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM = ROOT / "scenarios" / "platform-team.yaml"
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_scenario import scale_scenario  # noqa: E402

PHASES = r"""
import json, sys, time, tempfile
from pathlib import Path
t0 = time.perf_counter()
import cli.check as check
from cli.main import app
t1 = time.perf_counter()
from sim.analysis.independence import run_check
from sim.analysis.replicate import Replications, default_workers
from sim.inputs.scenario import load_scenario
model = load_scenario(sys.argv[1])
t2 = time.perf_counter()
result = run_check(Replications(model, 20, 0, min(default_workers(), 20)), None, weeks=26, every=4)
t3 = time.perf_counter()
from sim.outputs import charts, report
folder = check.write_check(result, Path(sys.argv[1]), None, Path(tempfile.mkdtemp()))
t4 = time.perf_counter()
loaded = report.load_results(folder)
t5 = time.perf_counter()
report.build_report(loaded)
t6 = time.perf_counter()
try:
    from sim.outputs.chart_pool import drawn_together  # noqa: F401
    inline = report._scope_chart_ids(report._page(report._body("check", loaded), loaded))
except ImportError:  # an installation from before the charts were drawn side by side
    inline = None
t7 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "run_check_s": t3 - t2,
                  "write_folder_s": t4 - t3, "report_s": t6 - t5,
                  "report_one_by_one_s": (t7 - t6) if inline is not None else None}))
"""


def timed(command: list[str], cwd: Path, timeout: float | None = None
          ) -> tuple[float, float | None, int | None]:
    """(wall seconds, seconds until the first line of stdout, exit code); past `timeout`
    the command is stopped (its process group) and the exit code is None."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    first: list[float] = []

    def read() -> None:
        for line in process.stdout:
            if not first and line.strip():
                first.append(time.perf_counter() - start)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        code: int | None = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        code = None
    reader.join(5)
    return time.perf_counter() - start, (first[0] if first else None), code


def summary(values: list[float]) -> str:
    return f"best {min(values):6.2f} s  median {statistics.median(values):6.2f} s  " + (
        "(" + ", ".join(f"{v:.2f}" for v in values) + ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--herosim", action="append", help="herosim executable (repeat)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180.0,
                        help="Seconds after which a scale case is stopped (and says so).")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["startup", "check", "phases", "scale"])
    args = parser.parse_args()
    installs = [Path(h) for h in (args.herosim or [str(Path(sys.executable).parent /
                                                      "herosim")])]
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    import yaml

    org = {}
    for size in (1000, 10000):
        org[size] = work / f"org-{size}.yaml"
        org[size].write_text(yaml.safe_dump(scale_scenario(size), sort_keys=False))
    results: dict[str, dict] = {str(h): {} for h in installs}

    def record(install: Path, key: str, value: float | None) -> None:
        if value is not None:
            results[str(install)].setdefault(key, []).append(value)

    for round_ in range(args.repeat):
        for install in installs:
            python = str(install.parent / "python")
            out = work / f"out-{round_}"
            if "startup" not in args.skip:
                record(install, "python_pass_s", timed([python, "-c", "pass"], work)[0])
                record(install, "version_s", timed([str(install), "--version"], work)[0])
            if "check" not in args.skip:
                wall, first, code = timed([str(install), "check", str(PLATFORM), "--out",
                                           str(out)], work)
                assert code in (0, 1), code
                record(install, "check_s", wall)
                record(install, "check_answer_s", first)
            if "phases" not in args.skip:
                done = subprocess.run([python, "-c", PHASES, str(PLATFORM)], cwd=work,
                                      capture_output=True, text=True, check=True)
                for key, value in json.loads(done.stdout.strip().splitlines()[-1]).items():
                    record(install, key, value)
            if "scale" not in args.skip and round_ == 0:
                for size, key in ((1000, "org_1000_week"), (10000, "org_10000")):
                    wall, _, code = timed([str(install), "run", str(org[size]), "--days", "7",
                                           "--out", str(out)], work, args.timeout)
                    record(install, f"{key}_s", wall)
                    # exit code: 0 ran, 2 refused, -1 stopped at --timeout
                    record(install, f"{key}_exit", -1 if code is None else code)

    for install, figures in results.items():
        print(f"\n{install}")
        base = min(figures.get("python_pass_s", [float("nan")]))
        for key, values in figures.items():
            ratio = (f"  {min(values) / base:6.1f}x python -c pass"
                     if key.endswith("_s") and base == base and key != "python_pass_s" else "")
            print(f"  {key:22s} {summary(values)}{ratio}")
    if len(installs) > 1:
        first, last = (results[str(h)] for h in (installs[0], installs[-1]))
        print("\nlast over first installation (best of each):")
        for key in first:
            if key in last and key.endswith("_s") and min(first[key]) > 0:
                print(f"  {key:22s} {min(last[key]) / min(first[key]):.2f}")
    print(json.dumps({k: {key: min(v) for key, v in f.items()} for k, f in results.items()}))


if __name__ == "__main__":
    main()
