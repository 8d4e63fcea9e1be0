"""Small HTML building blocks shared by the report sections.

Everything that reaches the page goes through `esc` unless it is a `Raw` fragment built here
from escaped parts: a user's string (a person's name, a class id, a note) can never become
markup.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sim.outputs.markdown import num


class Raw(str):
    """An HTML fragment that is already safe (built from escaped parts)."""


def esc(value) -> Raw:
    """`value` as HTML text: escaped, with None shown as a dash."""
    if isinstance(value, Raw):
        return value
    return Raw(html.escape("–" if value is None else str(value), quote=True))


def join(parts: Iterable[str], separator: str = "") -> Raw:
    """The parts, escaped, joined by `separator`: markup to embed as is."""
    return Raw(esc(separator).join(esc(p) for p in parts))


def tag(name: str, content, **attributes) -> Raw:
    """`<name attr="...">content</name>`; attribute values and non-Raw content escaped."""
    attrs = "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"'
                    for k, v in attributes.items() if v is not None)
    return Raw(f"<{name}{attrs}>{esc(content)}</{name}>")


def para(*parts, class_: str | None = None) -> Raw:
    """A paragraph of the escaped parts."""
    return tag("p", join(parts), class_=class_)


def table(header: Sequence[str], rows: Iterable[Sequence], caption: str | None = None,
          left: int = 1) -> Raw:
    """A table; the first `left` columns are text, the others numbers (right-aligned)."""
    head = "".join(tag("th", h, class_=None if i < left else "num") for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(tag("td", cell, class_=None if i < left else "num")
                         for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    cap = tag("caption", caption) if caption else ""
    return Raw(f'<div class="table"><table>{cap}<thead><tr>{head}</tr></thead>'
               f"<tbody>{body}</tbody></table></div>")


def figure(svg: str, caption) -> Raw:
    """A chart (an SVG string from sim.outputs.charts, trusted) with its caption."""
    return Raw(f'<figure>{svg}{tag("figcaption", caption)}</figure>')


def note(*parts) -> Raw:
    """A paragraph styled as a note (smaller, grey)."""
    return para(*parts, class_="note")


def estimate(summary: dict | None, digits: int = 1, scale: float = 1.0) -> str:
    """'12.3 (8.1–16.5)': a mean across replications and its 95% interval."""
    if not summary or summary.get("mean") is None:
        return "–"
    mean = num(summary["mean"], digits, scale)
    low, high = summary.get("ci_low"), summary.get("ci_high")
    if low is None or high is None or summary.get("n", 0) < 2 or low == high:
        return mean
    # Every figure in the report is a count, a time or a share: an interval never goes below 0.
    return f"{mean} ({num(max(low, 0.0), digits, scale)}–{num(high, digits, scale)})"


def estimate_cell(summary: dict | None, digits: int = 1, scale: float = 1.0) -> Raw:
    """An estimate for a table cell: the mean, its interval on a second, smaller line."""
    text = estimate(summary, digits, scale)
    mean, _, rest = text.partition(" (")
    if not rest:
        return esc(mean)
    return Raw(f'{esc(mean)}<span class="ci">{esc(rest.rstrip(")"))}</span>')


def mean_of(summary: dict | None) -> float:
    """The mean of a summary ({mean, ...}), 0 when it has none."""
    return 0.0 if not summary or summary.get("mean") is None else float(summary["mean"])


def interval(summary: dict | None) -> tuple[float, float, float]:
    """(mean, low, high) of a summarised figure, the interval clipped at zero."""
    if not summary or summary.get("mean") is None:
        return (0.0, 0.0, 0.0)
    mean = float(summary["mean"])
    low = summary.get("ci_low")
    high = summary.get("ci_high")
    return (mean, max(0.0, float(low if low is not None else mean)),
            float(high if high is not None else mean))


@dataclass
class Section:
    """One part of the report: a heading (and table-of-contents entry) and its HTML."""

    id: str
    heading: str
    body: Raw


@dataclass
class ReportBody:
    """What a section builder returns for one kind of results folder."""

    title: str
    verdict: str | None = None
    tone: str | None = None  # "good", "bad", "warn" or None
    facts: list[tuple[str, str]] = field(default_factory=list)
    intro: str | None = None
    sections: list[Section] = field(default_factory=list)


# A large organisation's report draws its first CHART_ROWS people (or classes) and lists its
# first TABLE_ROWS in tables, then one row for the others: a chart with one label per person
# of 10,000 is unreadable and takes minutes to draw. Every figure stays in the JSON files.
CHART_ROWS = 25
TABLE_ROWS = 100


def busiest(weights: dict[str, float], limit: int) -> tuple[list[str], list[str]]:
    """The keys of `weights`, heaviest first (ties in their given order), split into the
    first `limit` and the rest."""
    ranked = sorted(weights, key=lambda k: -weights[k])
    return ranked[:limit], ranked[limit:]


def others_note(rest: Sequence[str], what: str, where: str) -> str:
    """' The 980 other people are in metrics.json.' (or '' when there are none)."""
    if not rest:
        return ""
    return f" The {len(rest)} other {what} are in {where}."
