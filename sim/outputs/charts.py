"""Charts for the HTML report, drawn with matplotlib and returned as inline SVG strings.

Every function takes plain numbers and labels and returns one `<svg>` element, ready to be
placed inside an HTML page. Nothing here touches the terminal or pyplot's global figure state:
figures are `matplotlib.figure.Figure` objects rendered by matplotlib's own SVG backend, so the
module is safe to call from worker processes and tests.

Choices that keep the report self-contained and printable:
- `svg.fonttype = "path"`: text is drawn as glyph outlines, so a chart looks the same on every
  machine and on paper and never asks the browser for a font.
- The Okabe-Ito palette (distinguishable with the common colour-vision deficiencies) and the
  cividis colour map for heatmaps.
- `scope_ids` prefixes element ids, so several SVGs in one page never share an id.
- Labels are passed to matplotlib as plain text; its SVG writer escapes `<`, `>` and `&` in
  the comments it leaves beside each glyph run, and the glyphs themselves are paths.
"""

from __future__ import annotations

import functools
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING

from sim.analysis.stats import quantile

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
PRESENT = OKABE_ITO["blue"]
ABSENT = OKABE_ITO["vermillion"]
THRESHOLD = OKABE_ITO["black"]
HOUR_CLASS_COLOURS = {
    "business": OKABE_ITO["bluish_green"],
    "off": OKABE_ITO["orange"],
    "sleep": OKABE_ITO["reddish_purple"],
}
ESCALATION_COLOURS = {
    "timeout": OKABE_ITO["orange"],
    "manual": OKABE_ITO["blue"],
    "informal": OKABE_ITO["vermillion"],
    "reroute": OKABE_ITO["sky_blue"],
}
CYCLE = [OKABE_ITO[k] for k in ("blue", "vermillion", "bluish_green", "orange",
                                "reddish_purple", "sky_blue", "black", "yellow")]
HEATMAP = "cividis"
# Hours by kind (the hero's time), stacked in this order.
HOUR_KIND_COLOURS = {
    "rescue": OKABE_ITO["vermillion"],
    "backup": OKABE_ITO["orange"],
    "consult": OKABE_ITO["reddish_purple"],
    "review": OKABE_ITO["sky_blue"],
    "transfer": OKABE_ITO["bluish_green"],
    "triage": OKABE_ITO["yellow"],
}

_STYLE = {
    "svg.fonttype": "path",
    "svg.hashsalt": "herosim",  # stable clip-path ids: same data, same SVG
    "font.family": "DejaVu Sans",  # ships with matplotlib; drawn as paths
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    "legend.frameon": False,
    "legend.fontsize": 8.5,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
}
WIDTH = 7.2  # inches: fits the report column and an A4 page


@functools.cache
def _matplotlib():
    """matplotlib, imported when the first chart is drawn: importing it takes about a second
    and tens of megabytes, which commands that draw nothing (and every worker process) skip."""
    import matplotlib

    return matplotlib


def _style() -> dict:
    """The report's rcParams."""
    return {**_STYLE, "axes.prop_cycle": _matplotlib().cycler(color=CYCLE)}


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A figure `height` inches high (the report column wide), laid out by matplotlib."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def to_svg(fig: Figure, title: str) -> str:
    """Render `fig` as an inline `<svg>` element (no XML prolog, ids made unique)."""
    buffer = io.StringIO()
    with _matplotlib().rc_context(_style()):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None,
                                                    "Title": title})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    # Let CSS size the chart to the column while keeping its aspect ratio (viewBox stays).
    text = re.sub(r'(<svg[^>]*?)\s+width="[^"]*"\s+height="[^"]*"', r"\1", text, count=1)
    return text.replace("<svg", '<svg role="img" class="chart"', 1)


def scope_ids(svg: str, prefix: str) -> str:
    """Prefix every id in `svg` (and every reference to one) so that SVGs share a page."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r'(xlink:href|href)="#([^"]+)"',
                 lambda m: f'{m.group(1)}="#{prefix}{m.group(2)}"', svg)
    return re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)


# Every chart's drawing function by name, so that another process can draw it
# (sim/outputs/chart_pool.py); and, while a report is being built, the charts asked for, to
# be drawn side by side afterwards (None: draw each at once).
DRAWINGS: dict[str, Callable] = {}
PENDING: ContextVar[list | None] = ContextVar("herosim_pending_charts", default=None)
PLACEHOLDER = "<!--herosim-chart-{}-->"


def render(name: str, args: tuple, kwargs: dict) -> str:
    """Draw the chart `name` (a function of this module) now and return its SVG."""
    with _matplotlib().rc_context(_style()):
        fig, title = DRAWINGS[name](*args, **kwargs)
    return to_svg(fig, title)


def load_matplotlib() -> None:
    """Make matplotlib ready now: imported, its font list read and the report's font loaded,
    by drawing a tiny chart (what the first chart drawn would otherwise pay for; done once
    before forking, every child starts ready)."""
    with _matplotlib().rc_context(_style()):
        fig = new_figure(1.0, 1.0)
        fig.add_subplot().set_title("herosim 0123456789")
    to_svg(fig, "warm-up")


def chart(draw):
    """Decorator: run `draw` under the report style and return its figure as SVG; while
    `PENDING` holds a list, note the chart there and return its placeholder instead."""
    DRAWINGS[draw.__name__] = draw

    def wrapper(*args, **kwargs) -> str:
        pending = PENDING.get()
        if pending is None:
            return render(draw.__name__, args, kwargs)
        pending.append((draw.__name__, args, kwargs))
        return PLACEHOLDER.format(len(pending) - 1)
    wrapper.__name__ = draw.__name__
    wrapper.__doc__ = draw.__doc__
    return wrapper


def _ecdf(values: Sequence[float]) -> tuple[list[float], list[float]]:
    xs = sorted(values)
    n = len(xs)
    return xs, [100.0 * (i + 1) / n for i in range(n)]


@chart
def ttm_distribution(arms: Mapping[str, Sequence[float]], colours: Mapping[str, str]):
    """Cumulative distribution of time to mitigate (log minutes), one line per arm.

    Args:
        arms: label -> times to mitigate in minutes (resolved incidents).
        colours: label -> colour.
    """
    fig = new_figure(3.4)
    ax = fig.add_subplot()
    for label, values in arms.items():
        values = [v for v in values if v > 0]
        if not values:
            continue
        xs, ys = _ecdf(values)
        p90 = quantile(values, 0.9)
        ax.step(xs, ys, where="post", color=colours.get(label), linewidth=1.8,
                label=f"{label} (n={len(values)}, p90 {p90:.0f} min)")
        ax.plot([p90], [90], marker="o", color=colours.get(label), markersize=4)
    ax.axhline(90, color="#7f7f7f", linewidth=0.8, linestyle=":")
    ax.annotate("p90", xy=(0, 90), xycoords=("axes fraction", "data"), xytext=(3, 3),
                textcoords="offset points", fontsize=8, color="#595959")
    ax.set_xscale("log")
    ax.set_ylim(0, 101)
    ax.set_xlabel("time to mitigate (minutes, log scale)")
    ax.set_ylabel("incidents mitigated within (%)")
    ax.set_title("Time to mitigate: share of incidents mitigated within x minutes")
    ax.legend(loc="lower right")
    return fig, "Time to mitigate"


@chart
def stacked_bars(panels: Mapping[str, Mapping[str, Mapping[str, float]]],
                 colours: Mapping[str, str], xlabel: str, title: str):
    """Horizontal stacked bars, one panel per arm.

    Args:
        panels: panel title -> category (a bar) -> stack label -> value.
        colours: stack label -> colour (also fixes the stacking order).
        xlabel: the x-axis label, with its unit.
        title: the chart's title.
    """
    categories = list(dict.fromkeys(c for bars in panels.values() for c in bars))
    height = 1.3 + 0.28 * max(len(categories), 2)
    fig = new_figure(height)
    axes = fig.subplots(1, len(panels), sharex=True, sharey=True, squeeze=False)[0]
    for ax, (panel, bars) in zip(axes, panels.items()):
        left = [0.0] * len(categories)
        for stack, colour in colours.items():
            widths = [bars.get(c, {}).get(stack, 0.0) or 0.0 for c in categories]
            ax.barh(range(len(categories)), widths, left=left, color=colour, label=stack,
                    height=0.7)
            left = [a + b for a, b in zip(left, widths)]
        ax.set_yticks(range(len(categories)), categories)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        if len(panels) > 1:
            ax.set_title(panel, fontweight="normal", fontsize=9)
    widest = max((sum(v or 0.0 for v in stack.values())
                  for bars in panels.values() for stack in bars.values()), default=0.0)
    axes[0].set_xlim(0, max(widest, 1e-9) * 1.05)  # shared: every panel on one scale
    axes[0].invert_yaxis()  # the first category on top (the axes share y: invert once)
    fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(colours))
    return fig, title


@chart
def interval_bars(panels: Mapping[str, Mapping[str, Mapping[str, tuple]]],
                  colours: Mapping[str, str], title: str):
    """Grouped horizontal bars with 95% interval whiskers, one panel per measure.

    Args:
        panels: x-axis label (with unit) -> series label -> category -> (mean, low, high).
        colours: series label -> colour.
        title: the chart's title.
    """
    categories = list(dict.fromkeys(
        c for series in panels.values() for bars in series.values() for c in bars))
    n_series = max(len(s) for s in panels.values())
    height = 1.3 + 0.22 * max(len(categories), 2) * max(n_series, 1.5)
    fig = new_figure(height)
    axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
    band = 0.8 / n_series
    for ax, (xlabel, series) in zip(axes, panels.items()):
        for s, (label, bars) in enumerate(series.items()):
            ys = [i - 0.4 + band * (s + 0.5) for i in range(len(categories))]
            values = [bars.get(c, (None, None, None)) for c in categories]
            means = [v[0] or 0.0 for v in values]
            lows = [max(0.0, m - (v[1] if v[1] is not None else m)) for m, v in zip(means, values)]
            highs = [max(0.0, (v[2] if v[2] is not None else m) - m)
                     for m, v in zip(means, values)]
            ax.barh(ys, means, height=band * 0.9, color=colours.get(label), label=label,
                    xerr=[lows, highs], error_kw={"elinewidth": 0.8, "capsize": 2,
                                                  "ecolor": "#333333"})
        ax.set_yticks(range(len(categories)), categories)
        ax.set_xlabel(xlabel)
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
    axes[0].invert_yaxis()  # the first category on top (the axes share y: invert once)
    fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    handles, labels = axes[0].get_legend_handles_labels()
    if len(labels) > 1:
        fig.legend(handles, labels, loc="outside lower center", ncols=len(labels))
    return fig, title


@chart
def independence_curve(weeks: Sequence[int], panels: Sequence[dict], passed: Sequence[bool],
                       independent_week: int | None):
    """Hero-present vs hero-absent measures over the plan's weeks, with bands.

    Args:
        weeks: checkpoint weeks.
        panels: one dict per panel: `ylabel`, `title`, `lines` (a list of dicts with `label`,
            `colour`, `values`, optional `low`/`high` band, `passed` and `dashed`), optional
            `percent`.
            Lines with the same label share one legend entry.
        passed: whether each checkpoint passed (passing ones get a filled marker).
        independent_week: the time to independence, drawn as a vertical line; None if not
            reached.
    """
    fig = new_figure(2.0 * len(panels) + 0.9)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    legend: dict[str, object] = {}
    for ax, panel in zip(axes, panels):
        scale = 100.0 if panel.get("percent") else 1.0
        # Later lines are drawn thinner and on top, so equal curves both stay visible.
        solid = len([line for line in panel["lines"] if not line.get("dashed")])
        for order, line in enumerate(panel["lines"]):
            values = [None if v is None else v * scale for v in line["values"]]
            xs = [w for w, v in zip(weeks, values) if v is not None]
            ys = [v for v in values if v is not None]
            colour = line["colour"]
            if line.get("dashed"):
                handle, = ax.plot(xs, ys, color=colour, linestyle="--", linewidth=1.3,
                                  zorder=5)
                legend.setdefault(line["label"], handle)
                continue
            thicker = max(solid - 1 - order, 0)
            handle, = ax.plot(xs, ys, color=colour, linewidth=1.6 + 1.4 * thicker,
                              zorder=3 + 0.1 * order, solid_capstyle="round")
            marks = line.get("passed") or passed  # a line may carry its own verdicts
            for x, y, ok in zip(xs, ys, [p for p, v in zip(marks, values) if v is not None]):
                ax.plot([x], [y], marker="o", markersize=4 + 2 * thicker, color=colour,
                        zorder=4 + 0.1 * order,
                        markerfacecolor=colour if ok else "white", markeredgewidth=1.2)
            band = [(w, lo * scale, hi * scale)
                    for w, lo, hi in zip(weeks, line.get("low") or [], line.get("high") or [])
                    if lo is not None and hi is not None]
            if band:
                patch = ax.fill_between([b[0] for b in band], [b[1] for b in band],
                                        [b[2] for b in band], color=colour, alpha=0.16,
                                        linewidth=0)
                legend.setdefault(line["label"] + " (95% band)", (patch, handle))
            else:
                legend.setdefault(line["label"], handle)
        if independent_week is not None:
            ax.axvline(independent_week, color=OKABE_ITO["bluish_green"], linewidth=1.2)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(panel["ylabel"])
        ax.set_title(panel["title"], fontweight="normal", fontsize=9)
    axes[-1].set_xlabel("week of the plan (checkpoints; filled marker = the checkpoint passes)")
    axes[-1].set_xticks(list(weeks))
    if independent_week is not None:
        axes[0].annotate(f"independent from week {independent_week}",
                         xy=(independent_week, 1.0), xycoords=("data", "axes fraction"),
                         xytext=(4, -10), textcoords="offset points", fontsize=8,
                         color=OKABE_ITO["bluish_green"])
    labels = sorted(legend, key=lambda k: 2 if "threshold" in k else "absent" in k)
    fig.legend([legend[k] for k in labels], labels, loc="outside upper center",
               ncols=min(len(labels), 3))
    return fig, "Independence over the plan's weeks"


@chart
def weekly_stacks(panels: Mapping[str, Mapping[str, Sequence[float]]],
                  lines: Mapping[str, Mapping[str, float]], colours: Mapping[str, str],
                  ylabel: str, title: str):
    """Vertical stacked bars week by week, one panel per person, with horizontal limits.

    Args:
        panels: panel title -> stack label -> one value per week (week 0 first).
        lines: panel title -> limit label -> value (drawn dashed across the panel).
        colours: stack label -> colour (also fixes the stacking order).
        ylabel: the y-axis label, with its unit.
        title: the chart's title.
    """
    fig = new_figure(1.0 + 2.0 * max(len(panels), 1))
    axes = fig.subplots(max(len(panels), 1), 1, sharex=True, squeeze=False)[:, 0]
    styles = ("--", ":", "-.")
    for ax, (panel, stacks) in zip(axes, panels.items()):
        weeks = max((len(v) for v in stacks.values()), default=0)
        bottom = [0.0] * weeks
        for stack, colour in colours.items():
            values = [v or 0.0 for v in stacks.get(stack, [0.0] * weeks)]
            ax.bar(range(weeks), values, bottom=bottom, color=colour, label=stack, width=0.8)
            bottom = [a + b for a, b in zip(bottom, values)]
        for style, (label, value) in zip(styles, lines.get(panel, {}).items()):
            ax.axhline(value, color=THRESHOLD, linestyle=style, linewidth=1.0,
                       label=f"{label} ({value:g} h)")
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        ax.set_title(panel, fontweight="normal", fontsize=9)
        ax.grid(axis="x", visible=False)
    axes[-1].set_xlabel("week of the plan")
    fig.suptitle(title, x=0.01, ha="left", fontsize=10, fontweight="bold")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(labels), 4))
    return fig, title


@chart
def skill_heatmaps(people: Sequence[str], classes: Sequence[str],
                   grids: Mapping[str, Sequence[Sequence[float | None]]],
                   scale_label: str = "skill (0 = none, 1 = expert)",
                   title: str = "Skills, people x classes"):
    """Heatmaps of people x classes, one per grid, all on the 0..1 scale.

    Args:
        people: row labels.
        classes: column labels.
        grids: panel title -> rows (per person) of values (per class) in 0..1.
        scale_label: the colour bar's label (what 0..1 means).
        title: the chart's title (its SVG title).
    """
    columns = 2 if len(grids) > 1 else 1
    rows = math.ceil(len(grids) / columns)
    cell = 0.3
    panel_height = 1.4 + cell * len(people)
    width = min(WIDTH, 1.6 + columns * (1.3 + cell * len(classes)))
    width = max(width, 4.5)
    fig = new_figure(panel_height * rows + 0.3, width)
    axes = fig.subplots(rows, columns, squeeze=False, sharey=True)
    annotate = len(people) * len(classes) <= 160
    image = None
    for ax, (title, grid) in zip(axes.flat, grids.items()):
        values = [[math.nan if v is None else v for v in row] for row in grid]
        # Vector cells (not an embedded bitmap): crisp on screen and on paper.
        image = ax.pcolormesh(values, cmap=HEATMAP, vmin=0.0, vmax=1.0, edgecolors="white",
                              linewidth=0.6)
        ax.set_xticks([c + 0.5 for c in range(len(classes))], classes, rotation=40,
                      ha="right", rotation_mode="anchor")
        ax.set_yticks([r + 0.5 for r in range(len(people))], people)
        ax.tick_params(length=0)
        ax.grid(False)
        ax.set_title(title, fontweight="normal", fontsize=9)
        for spine in ax.spines.values():
            spine.set_visible(False)
        if annotate:
            for r, row in enumerate(values):
                for c, value in enumerate(row):
                    if not math.isnan(value):
                        ax.text(c + 0.5, r + 0.5, f"{value:.2f}", ha="center", va="center",
                                fontsize=7,
                                color="black" if value > 0.6 else "white")
    axes.flat[0].invert_yaxis()  # first person on top (the axes share y: invert once)
    for ax in list(axes.flat)[len(grids):]:
        ax.set_visible(False)
    if image is not None:
        bar = fig.colorbar(image, ax=axes, shrink=0.8, pad=0.02)
        bar.set_label(scale_label)
    return fig, title
