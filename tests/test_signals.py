"""Ctrl-C and SIGTERM end `herosim` with one line and an exit code, and a results folder being
written is removed (issue 19, part 3; docs/outputs.md): real processes, real signals."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HEROSIM = shutil.which("herosim", path=str(Path(sys.executable).parent)) or "herosim"
TINY = Path("scenarios/tiny.yaml").resolve()
PLATFORM = Path("scenarios/platform-team.yaml").resolve()

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


def start(*args: str, cwd: Path) -> subprocess.Popen:
    """herosim in a process group of its own, as a shell runs a command (Ctrl-C reaches the
    whole group: the command and its worker processes)."""
    return subprocess.Popen([HEROSIM, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def workers(process: subprocess.Popen, timeout: float = 60.0) -> bool:
    """Wait until the process has started worker processes (it is simulating), or ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == process.pid:
                    return True
            except (OSError, ValueError, IndexError):
                continue
        time.sleep(0.05)
    return False


def loaded(process: subprocess.Popen, library: str, timeout: float = 60.0) -> bool:
    """Wait until the process has mapped `library` (it is importing), or has ended."""
    deadline = time.monotonic() + timeout
    maps = Path(f"/proc/{process.pid}/maps")
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if library in maps.read_text():
                return True
        except OSError:
            pass
        time.sleep(0.002)
    return False


def finish(process: subprocess.Popen) -> tuple[int, str]:
    _, err = process.communicate(timeout=120)
    return process.returncode, err


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_ctrl_c_while_still_importing(tmp_path):
    """Ctrl-C while the command is still importing: exit 130, one line, no traceback."""
    process = start("run", str(PLATFORM), "--reps", "50", "--out", str(tmp_path), cwd=tmp_path)
    assert loaded(process, "_pydantic_core"), "the command ended before it was interrupted"
    os.killpg(process.pid, signal.SIGINT)
    code, err = finish(process)
    assert code == 130, err
    assert err.strip().splitlines() == ["herosim: interrupted"], err


def test_ctrl_c_while_simulating(tmp_path):
    """Ctrl-C during the replications (workers included): exit 130, one line, no folder."""
    process = start("run", str(PLATFORM), "--reps", "400", "--workers", "2", "--out",
                    str(tmp_path / "out"), cwd=tmp_path)
    assert workers(process), "the command ended before it was interrupted"
    time.sleep(0.5)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the command and its workers
    code, err = finish(process)
    assert code == 130, err
    assert err.strip().splitlines() == ["herosim: interrupted"], err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_sigterm_while_writing_removes_the_partial_folder(tmp_path):
    """SIGTERM while the results folder is being written: exit 143, one line, and the hidden
    `.partial` folder is removed, as docs/outputs.md promises."""
    out = tmp_path / "out"
    for _ in range(5):  # the writing takes a moment; catch it in the act
        process = start("run", str(TINY), "--reps", "2", "--days", "28", "--workers", "1",
                        "--out", str(out), cwd=tmp_path)
        while process.poll() is None and not list(out.glob(".*.partial")):
            time.sleep(0.001)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            code, err = finish(process)
            if code == 0:  # finished between the look and the signal
                continue
            assert code == 143, err
            assert err.strip().splitlines() == ["herosim: terminated"], err
            assert list(out.iterdir()) == []  # neither the partial folder nor a result
            return
        finish(process)
    pytest.fail("the run never stayed long enough in its results folder to be signalled")


def test_sigterm_while_importing(tmp_path):
    """SIGTERM before the command has started: exit 143, one line."""
    process = start("check", str(TINY), "--out", str(tmp_path), cwd=tmp_path)
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    code, err = finish(process)
    assert code == 143, err
    assert err.strip().splitlines() == ["herosim: terminated"], err
