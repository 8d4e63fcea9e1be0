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
    right-aligned. Cells never wrap or truncate; headers wrap between words instead, so a table
    stays readable on an 80-column terminal."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", caption=caption, caption_justify="left",
                  box=box.SIMPLE_HEAD, collapse_padding=True, pad_edge=False)
    for i, column in enumerate(columns):
        width = max((Text.from_markup(row[i]).cell_len for row in rows), default=1)
        table.add_column(column, justify="left" if i < left else "right", min_width=width)
    for row in rows:
        table.add_row(*row)
    return table
