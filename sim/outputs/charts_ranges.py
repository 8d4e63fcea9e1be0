"""Charts that set each item against its range: a game day's injections against their predicted
times (score), each plan's cost against its outcome (compare). Drawn like every chart of the
report (sim/outputs/charts.py: style, palette, SVG)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sim.outputs.charts import CYCLE, OKABE_ITO, chart, new_figure

VERDICT_STYLES = {  # colour and marker: told apart by shape as well as by colour
    "as predicted": (OKABE_ITO["bluish_green"], "o"),
    "hesitation": (OKABE_ITO["vermillion"], "X"),
    "surprise": (OKABE_ITO["blue"], "D"),
}


@chart
def injection_strips(rows: Sequence[Mapping]):
    """Each injection's predicted time to mitigate (p10-p90 strip, p50 tick) and the observed
    time on it, marked by verdict; log minutes, with a "not mitigated" zone on the right.

    Args:
        rows: per injection, top to bottom: `label`, `p10`, `p50`, `p90` (minutes; None where
            that share of the replays was never mitigated), `observed` (minutes; None when the
            team gave up) and `verdict` ("as predicted", "hesitation" or "surprise").
    """
    finite = [v for r in rows for v in (r.get("p10"), r.get("p50"), r.get("p90"),
                                        r.get("observed")) if v is not None and v > 0]
    low = min(finite, default=1.0) / 1.6
    high = max(finite, default=10.0) * 1.6
    never = high * 1.8  # where "never mitigated" / "gave up" is drawn
    fig = new_figure(1.3 + 0.42 * max(len(rows), 2))
    ax = fig.add_subplot()
    ax.axvspan(high, never * 1.5, color="#eeeeee", linewidth=0, zorder=0)
    ax.annotate("not\nmitigated", xy=(math.sqrt(high * never * 1.5), 0.0),
                xycoords=("data", "axes fraction"), xytext=(0, 3), textcoords="offset points",
                ha="center", va="bottom", fontsize=7.5, color="#595959")
    strip = OKABE_ITO["sky_blue"]
    for y, r in enumerate(rows):
        p10, p50, p90 = (None if r.get(k) is None else max(r[k], low) for k in
                         ("p10", "p50", "p90"))
        # A share of replays never mitigated reaches into the "not mitigated" zone.
        start = p10 if p10 is not None else high * 1.15
        end = p90 if p90 is not None else never * 1.4
        ax.plot([start, end], [y, y], color=strip, linewidth=9, solid_capstyle="butt",
                alpha=0.75, zorder=2)
        if p50 is not None:
            ax.plot([p50, p50], [y - 0.3, y + 0.3], color=OKABE_ITO["black"], linewidth=1.6,
                    zorder=3)
        colour, marker = VERDICT_STYLES.get(r.get("verdict"), ("#595959", "o"))
        observed = r.get("observed")
        x = never if observed is None else max(observed, low)
        ax.plot([x], [y], marker=marker, markersize=9, color=colour, markeredgecolor="white",
                markeredgewidth=0.8, linestyle="none", zorder=4)
        if observed is None:
            ax.annotate("gave up", xy=(x, y), xytext=(0, -11), textcoords="offset points",
                        ha="center", fontsize=7, color=colour)
    ax.set_xscale("log")
    ax.set_xlim(low, never * 1.5)
    ax.set_ylim(len(rows) - 0.5, -0.6)  # the first injection on top
    ax.set_yticks(range(len(rows)), [r["label"] for r in rows])
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("time to mitigate (minutes, log scale)")
    ax.set_title("Each injection against its predicted time to mitigate")
    handles = [
        ax.plot([], [], color=strip, linewidth=7, alpha=0.75)[0],
        ax.plot([], [], color=OKABE_ITO["black"], linewidth=1.6, marker="|",
                linestyle="none", markersize=9)[0],
        *(ax.plot([], [], marker=m, color=c, linestyle="none", markersize=8)[0]
          for c, m in VERDICT_STYLES.values()),
    ]
    labels = ["predicted p10–p90", "predicted p50",
              *(f"observed: {v}" for v in VERDICT_STYLES)]
    fig.legend(handles, labels, loc="outside lower center", ncols=3)
    return fig, "Injections against their predictions"


@chart
def cost_outcome(points: Sequence[Mapping], weeks: int):
    """Each plan's cost (hero hours) against its outcome (time to independence), with 95%
    intervals both ways; plans that do not reach independence stand in a "not reached" zone
    on the right, with the share of resamples that do.

    Args:
        points: per plan: `label`, `hours`, `hours_low`, `hours_high`, `week` (None: not
            reached), `week_low`, `week_high` (None: not reached in some resamples),
            `reached` (share of resamples reaching it).
        weeks: how long the plans ran (the axis ends there; "not reached" lies beyond).
    """
    never = weeks * 1.18  # where "not reached" is drawn
    fig = new_figure(3.6)
    ax = fig.add_subplot()
    ax.axvspan(weeks * 1.06, weeks * 1.3, color="#eeeeee", linewidth=0, zorder=0)
    ax.annotate("not reached", xy=(never, 1.0), xycoords=("data", "axes fraction"),
                xytext=(0, -12), textcoords="offset points", ha="center", fontsize=8,
                color="#595959")
    top = max((p.get("hours_high") or p.get("hours") or 0.0 for p in points), default=1.0)
    placed: list[tuple[float, float]] = []  # labels drawn so far (x, y in data units)
    for i, p in enumerate(points):
        colour = CYCLE[i % len(CYCLE)]
        x = never if p.get("week") is None else p["week"]
        low = x if p.get("week_low") is None else p["week_low"]
        high = never if p.get("week_high") is None and p.get("week") is not None else (
            p.get("week_high") if p.get("week_high") is not None else x)
        hours = p.get("hours") or 0.0
        h_low = p.get("hours_low") if p.get("hours_low") is not None else hours
        h_high = p.get("hours_high") if p.get("hours_high") is not None else hours
        ax.errorbar([x], [hours], xerr=[[max(x - low, 0.0)], [max(high - x, 0.0)]],
                    yerr=[[max(hours - h_low, 0.0)], [max(h_high - hours, 0.0)]],
                    fmt="o", color=colour, markersize=7, capsize=3, elinewidth=1.2,
                    label=p["label"], zorder=3)
        share = p.get("reached")
        note = p["label"] if share is None or share >= 0.995 else (
            f"{p['label']} ({share:.0%} reach it)")
        # Plans at the same place (several not reached, at similar cost) stack their labels.
        stacked = sum(1 for px, py in placed
                      if abs(px - x) < weeks * 0.1 and abs(py - hours) < top * 0.08)
        placed.append((x, hours))
        ax.annotate(note, xy=(x, hours), xytext=(6, 6 + 11 * stacked),
                    textcoords="offset points", fontsize=8, color=colour)
    ax.set_xlim(0, weeks * 1.3)
    ax.set_ylim(bottom=0)
    ticks = [w for w in range(0, weeks + 1, max(weeks // 6, 1))]
    ax.set_xticks(ticks)
    ax.set_xlabel("time to independence (week of the plan; bars: 95% interval)")
    ax.set_ylabel("hero hours spent (bars: 95% interval)")
    ax.set_title("What each plan costs against when it gets the team independent")
    return fig, "Cost against outcome"
