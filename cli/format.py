"""Formatting of estimates for rich tables: one way to show a number with its interval."""

from __future__ import annotations

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


def new_table(title: str, columns: list[str], rows: list[list[str]], left: int = 1,
              caption: str | None = None):
    """A rich table: the first `left` columns (names) left-aligned, the others (numbers)
    right-aligned. Cells never wrap or truncate; headers wrap between words instead, only as
    far as the terminal's width needs, so a table stays readable on an 80-column terminal."""
    from rich import box
    from rich.text import Text

    table = FitTable(title=title, title_justify="left", caption=caption,
                     caption_justify="left", box=box.SIMPLE_HEAD, collapse_padding=True,
                     pad_edge=False)
    for i, column in enumerate(columns):
        width = max((Text.from_markup(row[i]).cell_len for row in rows), default=1)
        table.add_column(column, justify="left" if i < left else "right", min_width=width)
    for row in rows:
        table.add_row(*row)
    table.cell_widths = [c.min_width for c in table.columns]
    return table


def _table_class():
    from rich.measure import Measurement
    from rich.table import Table

    class FitTable(Table):
        """A table that wraps its headers only as far as the width it is given needs.

        rich shrinks the widest wrappable column first, even one whose cells cannot shrink,
        and then crops the table; this narrows headers that can wrap, those that save most
        first, down to their widest word (or their cells), until the table fits. When even
        that is too wide, the first column (names) folds: a long name breaks over lines, and
        no number is lost.
        """

        def __rich_console__(self, console, options):
            widths = getattr(self, "cell_widths", [c.min_width for c in self.columns])
            for column, width in zip(self.columns, widths):
                column.max_width, column.min_width, column.overflow = None, width, "ellipsis"

            def natural() -> int:
                return Measurement.get(console, options.update_width(10_000), self).maximum

            width = natural()
            for saving, column in sorted(
                    ((_header_width(c) - _floor(c), c) for c in self.columns),
                    key=lambda pair: -pair[0]):
                if width <= options.max_width or saving <= 0:
                    break
                column.max_width = _floor(column)
                width = natural()
            first = self.columns[0] if self.columns else None
            if first is not None and width > options.max_width:
                narrow = max(8, _floor(first) - (width - options.max_width))
                if narrow < _floor(first):
                    first.min_width = first.max_width = narrow
                    first.overflow = "fold"
            yield from super().__rich_console__(console, options)

    return FitTable


def _header_width(column) -> int:
    return len(str(column.header))


def _floor(column) -> int:
    """The narrowest a column gets: its widest cell, or its header's longest word."""
    words = str(column.header).split()
    return max(column.min_width or 1, *(len(w) for w in words)) if words else (
        column.min_width or 1)


FitTable = _table_class()
