"""Output that fits an 80-column terminal (issue 19): every command's tables show every column
header and key figure whole, or say which columns they left out; no line is cropped; the
results path is printed whole on a line of its own; a plain-language headline comes first.

Each command runs once, with few replications, on the bundled examples; its results folder
gives the figures the screen must show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from cli import common
from cli.format import new_table
from cli.main import app

ROOT = Path(__file__).resolve().parent.parent
PLATFORM = ROOT / "scenarios" / "platform-team.yaml"
GAMEDAY = ROOT / "scenarios" / "platform-team-gameday.yaml"
runner = CliRunner()
LEFT_OUT = "Left out to fit"


def narrow(args: list[str], width: int, monkeypatch) -> str:
    """The command's output on a terminal `width` columns wide (exit 0 or 1)."""
    monkeypatch.setattr(common.console, "width", width)
    monkeypatch.setattr(common.err_console, "width", width)
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def folder_of(root: Path) -> Path:
    """The one results folder under `root`."""
    (folder,) = [p for p in root.iterdir() if p.is_dir()]
    return folder


def assert_fits(text: str, width: int, paths: tuple[Path, ...] = ()) -> None:
    """No line wider than the terminal (but a path, printed whole on its own line), nothing
    cropped with an ellipsis, and each path whole on one line."""
    whole = {str(p) for p in paths}
    lines = text.splitlines()
    for line in lines:
        assert len(line) <= width or line.strip() in whole, f"wider than {width}: {line!r}"
    assert "…" not in text, "a cell or header was cropped"
    for path in whole:
        assert path in (line.strip() for line in lines), f"{path} not whole on a line"


def assert_headers(text: str, headers: list[str]) -> None:
    """Every header is on screen (its words: a header wraps between them), or is named in the
    line that says which columns were left out."""
    left_out = " ".join(flat(part) for part in text.split("\n\n") if LEFT_OUT in part)
    words = set(re.split(r"\s+", text))
    for header in headers:
        shown = all(word in words for word in header.split())
        assert shown or header in left_out, f"column {header!r} vanished"


def flat(text: str) -> str:
    """The text with every run of white space (a line break among them) as one space."""
    return " ".join(text.split())


def assert_shown(text: str, figures: list[str]) -> None:
    """Every figure appears whole (a sentence may wrap between its words)."""
    screen = flat(text)
    for figure in figures:
        assert flat(figure) in screen, f"{figure!r} not on screen"


def headline_first(text: str) -> str:
    """The first non-empty line: the headline."""
    return next(line for line in text.splitlines() if line.strip())


# -- the table itself -------------------------------------------------------------------------


def _render(table, width: int) -> str:
    console = Console(width=width, record=True, force_terminal=False)
    with console.capture() as capture:
        console.print(table)
    return capture.get()


def test_a_table_wider_than_the_terminal_drops_columns_in_order_and_says_so():
    """Columns go in the stated order until the rest fit; the note names them and the width
    that shows them; nothing is cropped and the kept columns keep every cell whole."""
    columns = ["name", "alpha value", "beta value", "gamma value", "delta value"]
    rows = [[f"row-number-{i}", *(f"{1000 * i + j:.1f}" for j in range(4))] for i in range(5)]
    table = new_table("T", columns, rows, drop=["gamma value", "beta value"])
    wide = _render(table, 200)
    assert LEFT_OUT not in wide and "gamma" in wide
    text = _render(table, 40)
    assert_fits(text, 40)
    assert "Left out to fit 40 columns: gamma value" in flat(text)
    assert "row-number-4" in text and "4003.0" in text and "4000.0" in text
    # A column not in `drop` is never left out: its cells fold instead of being cropped.
    tight = _render(new_table("T", columns, rows), 30)
    assert_fits(tight, 30)
    assert LEFT_OUT not in tight and "broken over lines" in flat(tight)


def test_a_table_that_fits_is_printed_as_is():
    """No note, no folding, when the terminal is wide enough."""
    text = _render(new_table("T", ["a", "b"], [["x", "1.0 ±0.1"]]), 80)
    assert "1.0 ±0.1" in text and LEFT_OUT not in text and "broken" not in text


def test_drop_names_only_columns_of_the_table():
    """A drop order naming no column is a programming error, said at once."""
    with pytest.raises(ValueError, match="drop names no column"):
        new_table("T", ["a"], [["x"]], drop=["b"])


# -- each command at 80 columns (check and compare at 100 as well) ----------------------------


@pytest.mark.parametrize("width", [80, 100])
def test_check_fits(width, tmp_path, monkeypatch):
    """check: the checkpoint and class tables keep every column or say which went; each
    class's ratio, added breaches and responders are on screen; the plan reads right."""
    text = narrow(["check", str(PLATFORM), "--reps", "3", "--weeks", "8", "--workers", "1",
                   "--out", str(tmp_path)], width, monkeypatch)
    folder = folder_of(tmp_path)
    doc = json.loads((folder / "independence.json").read_text())
    assert_fits(text, width, (folder,))
    assert headline_first(text).startswith("Not independent of priya after 8 weeks")
    assert "plan no plan" not in text and "no plan (today's team)" in text
    assert "hand- offs" not in text and "(-" not in text
    assert_headers(text, ["week", "passes", "TTM p90 min", "ratio", "hand-offs /incident",
                          "hero int. /week", "plan hero hours", "classes indep.", "class",
                          "verdict", "breach +", "hand-offs", "pulls /inc", "resp."])
    last = doc["checkpoints"][-1]["classes"]
    figures = []
    for cid, row in last.items():
        figures += [cid, f"{row['p90_ratio']:.2f}", f"{row['added_breach_rate'] * 100:.0f}%",
                    f"{row['effective_responders']:.1f}"]
    assert_shown(text, figures)
    assert_shown(text, ["resp.: non-hero effective responders", "hand-offs: escalations", "p90:"])


@pytest.mark.parametrize("width", [80, 100])
def test_compare_fits(width, tmp_path, monkeypatch):
    """compare: the columns that decided the ranking (breach rate, critical responders) stay
    on screen at 80 columns, whole; a headline names the winner."""
    text = narrow(["compare", str(PLATFORM), "--plan", "pair-and-lead", "--plan", "docs-only",
                   "--reps", "3", "--weeks", "8", "--workers", "1", "--out", str(tmp_path)],
                  width, monkeypatch)
    folder = folder_of(tmp_path)
    doc = json.loads((folder / "compare.json").read_text())
    assert_fits(text, width, (folder,))
    assert "reaches independence" in headline_first(text) or "No plan" in headline_first(text)
    assert_headers(text, ["plan", "independent", "hours hero/ learner",
                          "hero int./ week (vs base)", "p90 w/o hero", "breach absent (+)",
                          "resp. crit."])
    assert LEFT_OUT not in text or "breach absent" not in text.split(LEFT_OUT)[1]
    figures = []
    for row in doc["plans"]:
        figures += [row["plan"], f"{row['absent_breach_rate_end'] * 100:.0f}%",
                    " ".join(f"{v:.1f}" for v in row["effective_responders_critical_end"]
                             .values())]
    assert_shown(text, figures)


def test_run_fits(tmp_path, monkeypatch):
    """run (a what-if): every table whole or its dropped columns named; per class the
    breach rate and per person the pages on screen; the headline says what the absence
    costs."""
    text = narrow(["run", str(PLATFORM), "--without", "priya", "--reps", "3", "--days", "28",
                   "--workers", "1", "--out", str(tmp_path)], 80, monkeypatch)
    folder = folder_of(tmp_path)
    doc = json.loads((folder / "metrics.json").read_text())
    assert_fits(text, 80, (folder,))
    assert headline_first(text).startswith("Without priya")
    assert_headers(text, ["per replication", "everyone present", "without", "minutes", "p50",
                          "p90", "p99", "mean", "to", "timeout", "manual", "hero", "business",
                          "off", "sleep", "total", "of which pulls", "hours /run", "person",
                          "pages", "pulls", "hours worked", "incidents led", "utilisation %",
                          "class", "service", "n", "TTM p90", "unres.", "breach %",
                          "hero involved %"])
    metrics = doc["metrics"]
    figures = [f"{row['breach_rate']['mean'] * 100:.1f}" for row in metrics["by_class"].values()
               if (row.get("breach_rate") or {}).get("mean") is not None]
    figures += [f"{row['pages']['mean']:.1f}" for row in metrics["load"].values()]
    assert_shown(text, figures + ["struggled: worked slowly"])


def test_advise_fits(tmp_path, monkeypatch):
    """advise: the candidates and the risk definition are whole at 80 columns."""
    text = narrow(["advise", str(PLATFORM), "--reps", "2", "--weeks", "4", "--workers", "1",
                   "--out", str(tmp_path)], 80, monkeypatch)
    folder = folder_of(tmp_path)
    doc = json.loads((folder / "advise.json").read_text())
    assert_fits(text, 80, (folder,))
    assert "priya is pulled in" in headline_first(text)
    assert_headers(text, ["class", "hero in", "int./wk", "h/wk", "causes", "#", "candidate",
                          "risk cut [95%]", "per hero h", "hero h", "lrn h"])
    assert_shown(text, [doc["risk_definition"], *(c["name"] for c in doc["candidates"][:15])])


def test_score_fits(tmp_path, monkeypatch):
    """score: every injection's figures and verdict on screen at 80 columns."""
    text = narrow(["score", str(PLATFORM), str(GAMEDAY), "--plan", "pair-and-lead", "--reps",
                   "20", "--workers", "1", "--out", str(tmp_path)], 80, monkeypatch)
    folder = folder_of(tmp_path)
    doc = json.loads((folder / "gameday.json").read_text())
    assert_fits(text, 80, (folder,))
    assert headline_first(text).startswith("Game day")
    assert_headers(text, ["injection", "TTM", "predicted", "pct", "escalated", "hero",
                          "verdict", "class", "inj.", "hero pulled", "mean pct", "dependence",
                          "person", "led/handed on", "knowledge", "confidence"])
    assert_shown(text, [r["id"] for r in doc["injections"]])


@pytest.fixture(scope="module")
def org(tmp_path_factory) -> Path:
    """A generated organisation (its history and scenario)."""
    out = tmp_path_factory.mktemp("org")
    result = runner.invoke(app, ["generate", "-o", str(out / "gen"), "--weeks", "8"])
    assert result.exit_code == 0, result.output
    return out / "gen"


def test_map_fits(org, tmp_path, monkeypatch):
    """map: the class and people tables keep their key figures at 80 columns."""
    text = narrow(["map", str(org / "history.json"), "--out", str(tmp_path)], 80, monkeypatch)
    folder = folder_of(tmp_path)
    doc = json.loads((folder / "heromap.json").read_text())
    assert_fits(text, 80, (folder,))
    assert "likely hero" in headline_first(text) or "No likely hero" in headline_first(text)
    assert_headers(text, ["#", "class", "n", "TTR p50", "top person", "share", "HHI",
                          "responders", "id", "name", "zone", "touched", "resolved",
                          "escalated to", "off", "sleep"])
    figures = [g["id"] for g in doc["groups"]] + list(doc["people"])
    figures += [f"{g['top_share'] * 100:.0f}%" for g in doc["groups"]]
    assert_shown(text, figures)


def test_calibrate_fits(org, tmp_path, monkeypatch):
    """calibrate: the backtest table and the misfit lines whole at 80 columns; the written
    scenario's path whole on its own line."""
    out = tmp_path / "cal.yaml"
    text = narrow(["calibrate", str(org / "history.json"), "-o", str(out), "--holdout", "2w",
                   "--reps", "3", "--workers", "1"], 80, monkeypatch)
    assert_fits(text, 80, (out,))
    assert headline_first(text).startswith("Fitted")
    assert_headers(text, ["figure", "subject", "real"])
    backtest = text.split("Backtest")[-1]
    assert " to " in backtest and not re.search(r"\s[\d.]+-[\d.]+\s", backtest)


def test_replay_fits(org, tmp_path, monkeypatch):
    """run --replay: the replay tables whole at 80 columns."""
    scenario = org / "scenario.yaml"
    text = narrow(["run", str(scenario), "--replay", str(org / "history.json"), "--reps", "2",
                   "--workers", "1", "--out", str(tmp_path)], 80, monkeypatch)
    folder = folder_of(tmp_path)
    assert_fits(text, 80, (folder,))
    assert_headers(text, ["class", "n", "TTR real", "TTR model", "share real", "share model"])
    doc = json.loads((folder / "replay.json").read_text())
    assert_shown(text, [cid for cid in doc["classes"]])
