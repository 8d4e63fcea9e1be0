"""Formatting for the terminal: one way to show a number with its interval, and one way to
build a table that fits the terminal it is printed on.

A table never crops a cell. At its natural width it is printed as is; on a narrower terminal
headers wrap between words, then names (the left columns) wrap, and a long name folds over
lines; a figure stays whole on its line. When even that is too wide, whole columns are left
out in the order the command states (`drop`), and a line under the table says which, and how
wide the terminal must be to show them. Only a table with nothing left to leave out breaks
its figures over lines (an estimate's `±half-width` under its mean), and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

from sim.analysis.types import Estimate, Interval
from sim.outputs.markdown import num as number  # noqa: F401  (re-exported: one way to write a number or "–")


def _bounds(leaf: dict) -> tuple[float | None, float | None]:
    if "ci_low" in leaf:
        return leaf["ci_low"], leaf["ci_high"]
    return leaf.get("low"), leaf.get("high")


def estimate(leaf: Estimate | Interval | float | None, digits: int = 1,
             scale: float = 1.0) -> str:
    """'mean ±half-width' of an estimate (an `Estimate` {mean, ci_low, ci_high} or an
    `Interval`), a plain number as is, '–' when undefined. `scale` multiplies (100 for
    percentages)."""
    if isinstance(leaf, int | float):
        return f"{leaf * scale:.{digits}f}"
    if isinstance(leaf, Interval):
        leaf = {"mean": leaf.mean, "low": leaf.low, "high": leaf.high}
    if not isinstance(leaf, dict) or leaf.get("mean") is None:
        return "–"
    mean = leaf["mean"] * scale
    low, high = _bounds(leaf)
    half = (high - low) * scale / 2 if low is not None and high is not None else 0.0
    if half < 0.5 * 10 ** -digits:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ±{half:.{digits}f}"


def mean_of(leaf: Estimate | None) -> float:
    """The mean of an estimate, 0 when undefined (for sorting)."""
    return leaf["mean"] if isinstance(leaf, dict) and leaf.get("mean") is not None else 0.0


def new_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1,
              caption: str | None = None, drop: Sequence[str] = ()) -> FittedTable:
    """A table that fits the terminal it is printed on (see the module docstring).

    Args:
        title: printed above the table (rich markup).
        columns: the headers; a header may wrap between its words.
        rows: cells as rich markup; a cell wraps only between words.
        left: the first `left` columns (names) are left-aligned, the others (numbers) right.
        caption: printed under the table, wrapped at the terminal's width.
        drop: headers of the columns that may be left out, first left out first, when the
            terminal is too narrow for every column. The others are always shown.
    """
    unknown = [c for c in drop if c not in columns]
    if unknown:
        raise ValueError(f"drop names no column: {unknown}")
    return FittedTable(title, list(columns), [list(r) for r in rows], left, caption,
                       list(drop))


# When no column is left to leave out, a name (a left-aligned column) folds over lines down to
# this width before a figure wraps.
NAME_FOLD = 8


def _words(markup: str) -> tuple[int, int]:
    """(whole width, widest word) of a cell or header given as rich markup."""
    text = Text.from_markup(markup).plain
    lines = text.split("\n")
    whole = max(Text(line).cell_len for line in lines)
    word = max((Text(w).cell_len for w in text.split()), default=0)
    return whole, word


class FittedTable:
    """A rich renderable: the table laid out for the width it is given (`new_table`)."""

    def __init__(self, title: str, columns: list[str], rows: list[list[str]], left: int,
                 caption: str | None, drop: list[str]):
        self.title = title
        self.columns = columns
        self.rows = rows
        self.left = left
        self.caption = caption
        self.drop = drop
        sizes = [[_words(c) for c in column] for column in zip(columns, *rows)]
        self.natural = [max(s[0] for s in column) for column in sizes]
        self.minimum = [max(max(s[1] for s in column), 1) for column in sizes]
        # Narrowest width at which no cell wraps (only the header does).
        self.cells = [max(max((s[0] for s in column[1:]), default=1), column[0][1])
                      for column in sizes]

    def _table(self, keep: Sequence[int], widths: Sequence[int], rows: bool = True):
        from rich import box
        from rich.table import Table

        table = Table(box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False,
                      show_edge=False)
        for position, i in enumerate(keep):
            table.add_column(self.columns[i], justify="left" if i < self.left else "right",
                             width=widths[position], overflow="fold")
        for row in self.rows if rows else ():
            table.add_row(*(row[i] for i in keep))
        return table

    def _overhead(self, console: Console, options: ConsoleOptions, keep: Sequence[int]) -> int:
        """Columns of the screen a table of these columns takes beyond its cells' widths."""
        probe = self._table(keep, [1] * len(keep), rows=False)
        measured = Measurement.get(console, options.update_width(10_000), probe)
        return measured.maximum - len(keep)

    def fit_floor(self, i: int) -> int:
        """The narrowest column `i` gets before columns are left out: a figure's widest cell
        (a number never wraps), a name's widest word (a name wraps between words)."""
        return self.cells[i] if i >= self.left else self.minimum[i]

    def layout(self, console: Console, options: ConsoleOptions
               ) -> tuple[list[int], list[int], list[str], int]:
        """(the columns kept, their widths, the headers left out, the width every column
        needs) for a terminal `options.max_width` wide."""
        available = options.max_width
        keep = list(range(len(self.columns)))
        overhead = self._overhead(console, options, keep)  # measured again as columns go
        everything = overhead + sum(self.fit_floor(i) for i in keep)
        dropped: list[str] = []
        order = iter(self.drop)
        while True:
            room = available - overhead
            if sum(self.fit_floor(i) for i in keep) <= room:
                break
            header = next(order, None)
            if header is None:
                break  # nothing more may go: figures wrap, then fold, rather than crop
            keep.remove(self.columns.index(header))
            dropped.append(header)
            overhead = self._overhead(console, options, keep)
        widths = [self.natural[i] for i in keep]
        figures = [i >= self.left for i in keep]
        names = [not f for f in figures]
        excess = sum(widths) - room
        # Headers wrap first (figures', then names'); then names wrap between words, then
        # fold; only then do figures' cells wrap (an estimate's ±half-width under its mean);
        # past every floor, anything.
        cells = [self.cells[i] for i in keep]
        excess = _shrink(widths, cells, excess, figures)
        excess = _shrink(widths, cells, excess, names)
        excess = _shrink(widths, [self.minimum[i] for i in keep], excess, names)
        excess = _shrink(widths, [min(self.minimum[i], NAME_FOLD) for i in keep], excess, names)
        excess = _shrink(widths, [self.minimum[i] for i in keep], excess, figures)
        _shrink(widths, [1] * len(keep), excess, [True] * len(keep))
        return keep, widths, dropped, everything

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        keep, widths, dropped, needed = self.layout(console, options)
        # A figure broken over lines is said; a long name folding is plain to see.
        folded = any(w < self.cells[i] for w, i in zip(widths, keep) if i >= self.left)
        if self.title:
            yield Text.from_markup(self.title, style="bold")
        yield self._table(keep, widths)
        if self.caption:
            yield Text.from_markup(self.caption, style="dim")
        if dropped:
            yield Text.from_markup(
                f"[yellow]Left out to fit {options.max_width} columns:[/yellow] "
                f"{', '.join(dropped)} (shown from {needed} columns; report.html and "
                "--format json have every figure).")
        if folded:
            yield Text.from_markup(
                f"[yellow]Some cells are broken over lines to fit {options.max_width} "
                f"columns[/yellow] (a terminal {needed} columns wide shows them whole).")
        yield Text("")

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(sum(self.minimum), options.max_width), options.max_width)


def _shrink(widths: list[int], floor: list[int], excess: int, may: list[bool]) -> int:
    """Narrow `widths` in place by up to `excess` columns of screen, only the columns `may`
    allows, the widest first, none below its `floor`. Returns what is left of `excess`."""
    while excess > 0:
        slack = [w - f if m else 0 for w, f, m in zip(widths, floor, may)]
        if not any(s > 0 for s in slack):
            return excess
        widest = max(range(len(widths)), key=lambda k: (slack[k] > 0, widths[k]))
        widths[widest] -= 1
        excess -= 1
    return excess


# A table of a large organisation shows its first rows and then one row for the others.
TOP_ROWS = 20


def top_rows(rows: Iterable[Sequence[str]], others: Sequence[str] | None,
             limit: int = TOP_ROWS) -> list[Sequence[str]]:
    """The first `limit` rows, then the summary row `others` of the rest when there are
    more (a table of a large organisation shows its top rows and "N others")."""
    rows = list(rows)
    if len(rows) <= limit or others is None:
        return rows
    return [*rows[:limit], others]
