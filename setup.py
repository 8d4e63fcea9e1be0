"""Build hook: the engine's hot modules (sim.COMPILED) are compiled with mypyc, which makes
a run about twice as fast with the same results. When that is not possible (no C compiler, a
type error, HEROSIM_PURE set) herosim installs as plain Python, which runs the same code.

The digest of each compiled source goes to sim/_compiled.json; at import, sim/__init__.py
runs any module whose source has changed since from the source instead.
"""

import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, str(Path(__file__).resolve().parent))
from sim import BUILD_RECORD, COMPILED, source_digest  # noqa: E402

SIM = Path(__file__).resolve().parent / "sim"
RECORD = SIM / BUILD_RECORD
# Third-party packages are typed Any whatever the environment holds (at a first install they
# are not there yet), so every install compiles the same code; herosim's own imports are
# type-checked with their errors silenced, as only the compiled modules must be well typed.
MYPY_OPTIONS = ["--no-site-packages", "--ignore-missing-imports", "--follow-imports=silent"]


def plain_python(why: str) -> None:
    RECORD.unlink(missing_ok=True)
    print(f"herosim: installing the engine as plain Python: {why}", file=sys.stderr)


def compiled_modules() -> list:
    RECORD.unlink(missing_ok=True)
    if os.environ.get("HEROSIM_PURE"):
        plain_python("HEROSIM_PURE is set")
        return []
    try:
        from mypyc.build import mypycify

        modules = mypycify([*MYPY_OPTIONS, *(f"sim/{m}.py" for m in COMPILED)],
                           opt_level="3", group_name="herosim_native")
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error
        plain_python(f"mypyc could not compile it ({exc!r})")
        return []
    digests = {m: source_digest(SIM / f"{m}.py") for m in COMPILED}
    RECORD.write_text(json.dumps({"sources": digests}, indent=1) + "\n")
    return modules


class OptionalBuildExt(build_ext):
    """Compile the engine, or, when the C compiler fails, leave it as plain Python."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            for path in self.get_outputs():
                Path(path).unlink(missing_ok=True)
            plain_python(f"the C build failed ({exc!r})")


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": OptionalBuildExt})
