"""The `herosim` typer app. Commands live in sibling modules; `COMMANDS` names each one's
module and function, imported only when that command runs (or when `--help` lists them all),
so that `herosim check` does not wait for the imports of `calibrate` or `generate`. A command
may also be added directly with `app.command` / `app.add_typer`. Shared helpers are in
`cli.common`; the console script is `cli.entry:main` (signals, exit codes)."""

from __future__ import annotations

import importlib
import inspect
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

# name -> (module, function), in the order `herosim --help` lists them.
COMMANDS = {
    "validate": ("cli.validate", "validate"),
    "schema": ("cli.validate", "schema"),
    "run": ("cli.run", "run"),
    "check": ("cli.check", "check"),
    "compare": ("cli.compare", "compare"),
    "advise": ("cli.advise", "advise"),
    "score": ("cli.score", "score"),
    "map": ("cli.history", "map_command"),
    "calibrate": ("cli.calibrate", "calibrate"),
    "generate": ("cli.generate", "generate"),
    "report": ("cli.report", "report"),
    "rotation": ("cli.rotation", "rotation"),
    "gameday": ("cli.gameday", "app"),  # a group of commands (a typer app)
}


class LazyCommands(TyperGroup):
    """A typer group that builds the commands of `COMMANDS` when they are asked for."""

    def list_commands(self, ctx: typer.Context) -> list[str]:
        """The commands added directly, then those of `COMMANDS`."""
        return [*super().list_commands(ctx), *(c for c in COMMANDS if c not in self.commands)]

    def get_command(self, ctx: typer.Context, cmd_name: str):
        """The command `cmd_name`, importing its module the first time."""
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, function = COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module), function)
            if isinstance(command, typer.Typer):  # a group: its own subcommands
                group = typer.main.get_group(command)
                group.name = cmd_name
                for sub in group.commands.values():
                    sub.help = _unwrapped(sub.help)
                self.commands[cmd_name] = group
            else:
                single = typer.Typer(add_completion=False, rich_markup_mode="rich",
                                     pretty_exceptions_enable=False)
                single.command(name=cmd_name, help=_unwrapped(command.__doc__))(command)
                self.commands[cmd_name] = typer.main.get_command(single)
        return super().get_command(ctx, cmd_name)


def _unwrapped(doc: str | None) -> str | None:
    """A docstring with each paragraph on one line: rich help keeps single line breaks, which
    would cut the command list's summaries mid-sentence."""
    if doc is None:
        return None
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split("\n")) for p in paragraphs)


app = typer.Typer(
    name="herosim",
    cls=LazyCommands,
    help="Game-day simulator for operations teams that lean on heroes.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        import sim
        from cli.common import console

        console.print(f"herosim {sim.__version__} (engine: {sim.engine_build()})")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", callback=_version, is_eager=True,
                     help="Show the version and exit."),
    ] = None,
) -> None:
    """Game-day simulator for operations teams that lean on heroes."""


def _flags_without_type() -> None:
    """typer prints a value type beside every option; for a flag, which takes no value, it
    prints `<bool>`: noise on every `--help` line (issue 19). Flags show no type."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None or getattr(shown, "quiet_flags", False):
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    display_type_rich.quiet_flags = True
    TyperOption.display_type_rich = display_type_rich


_flags_without_type()

__all__ = ["COMMANDS", "app"]
