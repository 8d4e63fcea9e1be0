"""The `herosim` console script: the typer app, with interruptions that end in one line.

Ctrl-C (SIGINT) exits 130 and SIGTERM exits 143, each with one line on stderr and no
traceback, whenever they come: while the command is still importing, simulating or writing.
Both unwind the stack normally, so a results folder being written removes its `.partial`
folder (docs/outputs.md). The app is imported inside `main`, so that an interruption during
the imports is caught as well; this module imports nothing heavy itself.
"""

from __future__ import annotations

import signal
import sys

EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as shells report Ctrl-C
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143
_LINES = {EXIT_INTERRUPTED: "herosim: interrupted", EXIT_TERMINATED: "herosim: terminated"}


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(EXIT_TERMINATED)


def main() -> None:
    """Run the herosim command line (the `herosim` console script)."""
    signal.signal(signal.SIGTERM, _terminate)
    try:
        from cli.main import app

        app()
    except KeyboardInterrupt:  # before typer runs (importing) or after it returns
        _exit(EXIT_INTERRUPTED)
    except SystemExit as exit_:  # typer turns a Ctrl-C during a command into exit code 130
        if exit_.code in _LINES:
            _exit(int(exit_.code))
        raise


def _exit(code: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C does not undo the message
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.stderr.write(_LINES[code] + "\n")
    sys.exit(code)
