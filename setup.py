"""Build hook: a wheel (`pip install .`) compiles the model core, `sim/model/`, with mypyc,
which makes a run about twice as fast with the same records. An editable install
(`pip install -e .`) never compiles: a working copy always runs the source it holds, so an edit
takes effect at once. When compiling is not possible (no C compiler, a type error,
HEROSIM_PURE set) the wheel holds plain Python, which runs the same code.

Nothing happens at import time: which engine runs is decided by how herosim was installed, and
`sim.model.ENGINE_BUILD` (shown by `herosim --version` and in every journal) says which.
"""

import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent
MODEL = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "sim" / "model").glob("*.py")
               if p.name != "__init__.py")
# Third-party packages are typed Any whatever the environment holds (at a first install they
# are not there yet), so every install compiles the same code; herosim's own imports are
# type-checked with their errors silenced, as only the compiled modules must be well typed.
MYPY_OPTIONS = ["--no-site-packages", "--ignore-missing-imports", "--follow-imports=silent"]


def plain_python(why: str) -> list:
    print(f"herosim: the engine stays plain Python: {why}", file=sys.stderr)
    return []


def building_a_wheel() -> bool:
    """Compile for a wheel only: not for an editable install, nor for metadata queries."""
    return "editable_wheel" not in sys.argv and any(
        command in sys.argv for command in ("bdist_wheel", "build_ext", "build", "install"))


def compiled_modules() -> list:
    if not building_a_wheel():
        return []
    if os.environ.get("HEROSIM_PURE"):
        return plain_python("HEROSIM_PURE is set")
    os.chdir(ROOT)  # mypyc names modules by their path from here
    try:
        from mypyc.build import mypycify

        # multi_file: one C file per module, which `parallel_compile` compiles side by side
        # (one file of 5.6 MB took a single core 80 s; the records are the same either way).
        return mypycify([*MYPY_OPTIONS, *MODEL], opt_level="3", group_name="herosim_native",
                        multi_file=True)
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error
        return plain_python(f"mypyc could not compile it ({exc!r})")


def parallel_compile(compiler, jobs: int) -> None:
    """Make `compiler.compile` compile an extension's sources `jobs` at a time: distutils
    compiles them one after another, and `build_ext --parallel` only runs whole extensions
    side by side (the engine is one). The usual recipe: distutils' own set-up, then its
    per-source `_compile` on a thread pool (each runs the C compiler as a subprocess)."""
    from concurrent.futures import ThreadPoolExecutor

    def compile(sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                extra_preargs=None, extra_postargs=None, depends=None):
        macros, objects, extra_postargs, pp_opts, build = compiler._setup_compile(
            output_dir, macros, include_dirs, sources, depends, extra_postargs)
        cc_args = compiler._get_cc_args(pp_opts, debug, extra_preargs)

        def one(obj):
            source, ext = build[obj]
            compiler._compile(obj, source, ext, cc_args, extra_postargs, pp_opts)

        with ThreadPoolExecutor(jobs) as pool:
            list(pool.map(one, objects))
        return objects

    compiler.compile = compile


class OptionalBuildExt(build_ext):
    """Compile the engine, or, when the C compiler fails, leave it as plain Python."""

    def build_extensions(self) -> None:
        jobs = self.parallel if isinstance(self.parallel, int) and self.parallel > 1 else (
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count() or 1)
        print(f"herosim: compiling the engine with mypyc, {jobs} at a time (about a minute on "
              "two cores; HEROSIM_PURE=1 skips it)", file=sys.stderr)
        parallel_compile(self.compiler, jobs)
        super().build_extensions()

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            for path in self.get_outputs():
                Path(path).unlink(missing_ok=True)
            plain_python(f"the C build failed ({exc!r})")


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": OptionalBuildExt})
