"""Helpers every herosim command shares: consoles, error reporting, exit codes.

Exit codes: 0 success, 1 the simulated hypothesis failed (e.g. `check` not independent),
2 the input was unusable (bad file, bad option). Commands never show a traceback for bad input:
wrap their body in `handle_errors()`.
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sim.errors import HerosimError, InputError, Problem

if TYPE_CHECKING:
    from sim.outputs.headline import Headline
    from sim.schema import Plan, Scenario

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2

console = Console()
err_console = Console(stderr=True)



def print_problems(problems: list[Problem], warning: bool = False) -> None:
    """Print problems to stderr, one paragraph each: file, field path, message, value. With
    `warning`, they are what is valid but most likely not meant (a plan action that does
    nothing): marked as warnings, and the command goes on."""
    mark = "[yellow]![/yellow]" if warning else "[red]✗[/red]"
    for problem in problems:
        where = f"[bold]{escape(problem.file)}[/bold]"
        if problem.field_path:
            where += f": [cyan]{escape(problem.field_path)}[/cyan]"
        err_console.print(f"{mark} {where}", soft_wrap=True)
        err_console.print(f"    {'warning: ' if warning else ''}{escape(problem.message)}",
                          soft_wrap=True)
        if problem.value is not None:
            err_console.print(f"    got: [yellow]{escape(problem.value)}[/yellow]", soft_wrap=True)
        err_console.print()


def exit_with_problems(error: Exception) -> NoReturn:
    """Print an input error to stderr and exit with code 2."""
    if isinstance(error, InputError):
        print_problems(error.problems)
        count = len(error.problems)
        err_console.print(f"[red]{count} problem{'s' if count != 1 else ''}[/red] in "
                          f"{escape(', '.join(error.files))}")
    else:
        err_console.print(f"[red]error:[/red] {escape(str(error))}", soft_wrap=True)
    raise typer.Exit(EXIT_INVALID)


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn the errors sim/ expects (`sim.errors`: bad input, an unusable cluster) and the
    operating system's (a file that cannot be read or written) raised inside the block into a
    message and exit code 2; anything else is a bug and shows as one."""
    try:
        yield
    except HerosimError as error:  # bad input, or a cluster that cannot be used
        exit_with_problems(error)
    except OSError as error:  # a file that cannot be written (disk full, permissions, ...)
        where = f"{error.filename}: " if error.filename else ""
        exit_with_problems(HerosimError(f"{where}{error.strerror or error}"))


def load_plan_warning(ref: str, scenario: Scenario) -> Plan:
    """The plan `--plan REF` names (a file, or a plan kept in the scenario), checked against
    the scenario; what in it would do nothing is printed as warnings, and it runs all the
    same (`sim.inputs.scenario.plan_warnings`)."""
    from sim.inputs.scenario import load_plan, plan_warnings

    plan = load_plan(ref, scenario)
    source = ref if plan not in scenario.plans else ""
    print_problems(plan_warnings(plan, scenario, source), warning=True)
    return plan


def write_file(path: Path, text: str) -> None:
    """Write a file whole: through a hidden `.NAME.partial` beside it, renamed into place, and
    removed when the write fails (a reader never sees half a file; nothing is left behind)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8", newline="")  # the text as given (CSV: \r\n)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """`rows` under `header` as CSV text (for `write_file`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def print_headline(headline: Headline) -> None:
    """The sentence a command opens with, then the words its output uses, explained once."""
    from sim.outputs.headline import glossary

    console.print(f"[bold]{escape(headline.text)}[/bold]")
    terms = glossary(headline.terms)
    if terms:
        console.print(f"[dim]{escape('; '.join(terms))}.[/dim]")
    console.print()


def print_item(markup: str, indent: int = 2) -> None:
    """One item of a list (rich markup), wrapped between words at the terminal's width with
    its continuation lines indented like its first."""
    from rich.text import Text

    margin = Text(" " * indent)
    for line in Text.from_markup(markup).wrap(console, max(console.width - indent, 20)):
        line.rstrip()
        console.print(margin + line, soft_wrap=True)


def print_path(label: str, path: Path | str) -> None:
    """'label:' and then the path on a line of its own, never wrapped (so it can be copied
    whole, however narrow the terminal)."""
    console.print(f"\n{label}:")
    console.print(f"[bold]{escape(str(path))}[/bold]", soft_wrap=True, highlight=False)


def print_answer(as_json: bool, print_tables: Callable[[], None],
                 headline: Headline | None = None) -> None:
    """A command's answer, printed as soon as it is computed, before its results folder is
    written (drawing the report's charts takes a second or more): the headline and the
    tables. Nothing with `--format json`, whose document follows the folder."""
    if as_json:
        return
    if headline is not None:
        print_headline(headline)
    print_tables()


def show(document: dict, folder: Path, as_json: bool, print_tables: Callable[[], None],
         headline: Headline | None = None) -> None:
    """A command's answer and then its folder, for a command that writes its folder first
    (`print_answer`, then `print_written`)."""
    print_answer(as_json, print_tables, headline)
    print_written(document, folder, as_json)


def print_written(document: dict, folder: Path, as_json: bool) -> None:
    """After the folder is written: the JSON document on stdout with the folder on stderr
    (for scripts), or where the folder is."""
    from sim.outputs.journal import dump_json

    if as_json:
        sys.stdout.write(dump_json(document))
        err_console.print(f"results: {folder}", soft_wrap=True, highlight=False)
        return
    print_path("Results written to", folder)
