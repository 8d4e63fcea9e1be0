"""report.html: one self-contained page per results folder, with charts inline.

    >>> from sim.outputs.report import load_results, build_report
    >>> folder = load_results("results/platform-team-20260105T090000Z")  # doctest: +SKIP
    >>> html = build_report(folder)  # doctest: +SKIP

`load_results` reads a results folder into a plain dict (the only I/O here, besides
`write_report`); `build_report` turns that dict into an HTML string. What a report holds
depends on the journal's `kind` (the command that wrote the folder): `KINDS` maps each kind to
one function `folder dict -> ReportBody` and the files it needs. A new command adds its report
by writing that function (see sim/outputs/report_run.py) and one line in `KINDS`.

The page is self-contained: styles inline, charts inline SVG (sim/outputs/charts.py) with their text
drawn as paths, no script, no font, no image or link to fetch. A Content-Security-Policy meta
tag forbids the browser to run or fetch anything even if something slipped in.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sim.errors import InputError, Problem
from sim.outputs.chart_pool import drawn_together
from sim.outputs.charts import scope_ids
from sim.outputs.html import Raw, ReportBody, esc, note, tag

REPORT_FILE = "report.html"


@dataclass(frozen=True)
class ReportKind:
    """How to report a kind of results folder: its builder ("module:function", imported when
    a report of that kind is built, so that a command imports only its own report and its
    dependencies) and the files it reads."""

    builder: str
    needs: tuple[str, ...]

    @property
    def build(self) -> Callable[[dict], ReportBody]:
        """The builder function: results-folder dict -> ReportBody."""
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(module), function)


# journal.json "kind" -> its report, one line each. A kind without one gets a page that says
# so (add a `<kind>_report` function in sim/outputs/report_<kind>.py and a line).
KINDS: dict[str, ReportKind] = {
    "run": ReportKind("sim.outputs.report_run:run_report", ("metrics.json", "incidents.csv")),
    "check": ReportKind("sim.outputs.report_check:check_report", ("independence.json",)),
    "compare": ReportKind("sim.outputs.report_compare:compare_report", ("compare.json",)),
    "score": ReportKind("sim.outputs.report_score:score_report", ("gameday.json",)),
    "map": ReportKind("sim.outputs.report_map:map_report", ("heromap.json",)),
    "rotation": ReportKind("sim.outputs.report_rotation:rotation_report", ("rotation.json",)),
    "design": ReportKind("sim.outputs.gameday_design:design_report", ("design.json",)),
    "advise": ReportKind("sim.outputs.report_advise:advise_report", ("advise.json",)),
}

# Folders written before the journal had a `kind`: told apart by their main file.
_KIND_BY_FILE = {"metrics.json": "run", "independence.json": "check", "compare.json": "compare",
                 "gameday.json": "score", "heromap.json": "map"}


def load_results(path: str | os.PathLike, journal: dict | None = None) -> dict:
    """Read a results folder into the dict `build_report` takes.

    Args:
        path: the results folder.
        journal: the journal to use instead of the folder's journal.json (a command writing
            its folder has not written the journal yet).

    Returns:
        `{"path", "kind", "journal", "json": {file: document}, "csv": {file: {column:
        [values]}}}` with every JSON and CSV file of the folder.

    Raises:
        InputError: the path is not a readable herosim results folder.
    """
    folder = Path(path)
    where = str(path)

    def fail(message: str, file: str | None = None, value: str | None = None):
        raise InputError([Problem(file or where, "", value, message)])

    if not folder.is_dir():
        fail("not a herosim results folder: no such directory" if not folder.exists()
             else "not a herosim results folder: this is a file; give the folder that holds "
             "journal.json")
    if journal is None:
        journal_file = folder / "journal.json"
        if not journal_file.is_file():
            fail("not a herosim results folder: it has no journal.json (every folder written "
                 "by herosim run, check, ... has one; a folder ending in .partial is an "
                 "unfinished run)")
        journal = _read_json(journal_file)
        if not isinstance(journal, dict) or "herosim_version" not in journal:
            fail("not a herosim journal: expected a JSON object with herosim_version, kind, "
                 "command, seed", str(journal_file))
    documents = {p.name: _read_json(p) for p in sorted(folder.glob("*.json"))
                 if p.name != "journal.json"}
    tables = {p.name: _read_csv(p) for p in sorted(folder.glob("*.csv"))}
    kind = journal.get("kind") or next(
        (k for file, k in _KIND_BY_FILE.items() if file in documents), None)
    if kind in KINDS:
        missing = [f for f in KINDS[kind].needs if f not in documents and f not in tables]
        if missing:
            fail(f"incomplete herosim {kind} folder: {', '.join(missing)} missing (a {kind} "
                 f"folder holds {', '.join(KINDS[kind].needs)} and journal.json)")
    return {"path": where, "kind": kind, "journal": journal, "json": documents, "csv": tables}


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError([Problem(str(path), "", None,
                                     f"unreadable JSON in a results folder: {error}")]) from None


def _read_csv(path: Path) -> dict[str, list[str]]:
    """A CSV file as columns of strings."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            columns: dict[str, list[str]] = {name: [] for name in header}
            for row in reader:
                for name, value in zip(header, row):
                    columns[name].append(value)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise InputError([Problem(str(path), "", None,
                                     f"unreadable CSV in a results folder: {error}")]) from None
    return columns


def build_report(folder: dict) -> str:
    """The HTML page of a results folder read by `load_results`."""
    kind = folder.get("kind")
    with drawn_together() as pending:
        page = _page(_body(kind, folder), folder)
    return _scope_chart_ids(pending.fill(page))


def _body(kind: str | None, folder: dict) -> ReportBody:
    if kind in KINDS:
        body = KINDS[kind].build(folder)
    else:
        body = ReportBody(
            title=f"herosim {kind or 'results'}",
            intro=note(f"This herosim version has no report section for results of kind "
                       f"'{kind}' yet: the folder's files ({', '.join(_files(folder))}) hold "
                       "the results."),
        )
    return body


def write_report(path: str | os.PathLike, journal: dict | None = None) -> Path:
    """Build the report of the results folder at `path` and write it there as report.html.

    Raises:
        InputError: the folder is not a herosim results folder, or (a folder already written,
            `journal` None) its files do not hold what herosim writes there.
    """
    folder = load_results(path, journal)
    try:
        html = build_report(folder)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as error:
        if journal is not None:
            raise  # the folder being written by this very process: a bug, not bad input
        kind = folder.get("kind")
        files = ", ".join(KINDS[kind].needs) if kind in KINDS else "its files"
        raise InputError([Problem(str(path), "", None, (
            f"{files} in this folder do not hold what herosim {kind or ''} writes "
            f"({type(error).__name__}: {error}); was a file edited or cut short? Run the "
            "command again to write a new folder"))]) from None
    target = Path(path) / REPORT_FILE
    partial = target.with_name(f".{REPORT_FILE}.partial")
    partial.write_text(html, encoding="utf-8")
    os.replace(partial, target)  # a regenerated report replaces the old one at once
    return target


def _files(folder: dict) -> list[str]:
    return sorted([*folder.get("json", {}), *folder.get("csv", {}), "journal.json"])


# -- the page ---------------------------------------------------------------------------------

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
:root { --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d8d8d8; --band: #f4f6f8;
  --good: #009E73; --bad: #D55E00; --warn: #E69F00; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif; }
.page { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
header { border-bottom: 2px solid var(--ink); padding-bottom: 0.8rem; margin-bottom: 1rem; }
.kicker { font-size: 0.8rem; letter-spacing: 0.06em; text-transform: uppercase;
  color: var(--muted); margin: 0; }
h1 { font-size: 1.6rem; margin: 0.2rem 0 0.5rem; line-height: 1.2; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.6rem; padding-bottom: 0.2rem;
  border-bottom: 1px solid var(--rule); }
.verdict { display: inline-block; font-weight: 700; padding: 0.25rem 0.7rem;
  border-radius: 0.3rem; border: 2px solid currentColor; margin: 0.2rem 0 0.6rem; }
.verdict.good { color: #006e50; } .verdict.bad { color: #a8410a; }
.verdict.warn { color: #8a5d00; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem;
  margin: 0.4rem 0 0; font-size: 0.9rem; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; overflow-wrap: anywhere; }
nav { font-size: 0.9rem; margin: 0.8rem 0; }
nav ol { margin: 0; padding-left: 1.2rem; columns: 2; }
nav a { color: #0a5a8a; }
.intro { max-width: 48rem; }
figure { margin: 1rem 0 1.4rem; break-inside: avoid; page-break-inside: avoid; }
svg.chart { display: block; width: 100%; height: auto; max-width: 100%; }
figcaption { font-size: 0.85rem; color: var(--muted); margin-top: 0.3rem; max-width: 48rem; }
.table { overflow-x: auto; margin: 0.8rem 0 1.2rem; }
table { border-collapse: collapse; font-size: 0.86rem; min-width: 50%; }
caption { text-align: left; color: var(--muted); font-size: 0.82rem; caption-side: bottom;
  padding-top: 0.3rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid var(--rule); text-align: left;
  vertical-align: top; }
th { font-weight: 600; border-bottom: 1.5px solid var(--ink); vertical-align: bottom; }
td:first-child { white-space: nowrap; }
h3 { font-size: 1rem; margin: 1.2rem 0 0.4rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
.ci { display: block; font-size: 0.76rem; color: var(--muted); }
tbody tr:nth-child(even) { background: var(--band); }
.note { color: var(--muted); font-size: 0.9rem; }
.tag { display: inline-block; font-size: 0.78rem; font-weight: 600; padding: 0 0.35rem;
  border-radius: 0.2rem; border: 1px solid currentColor; white-space: nowrap; }
.tag.good { color: #006e50; } .tag.bad { color: #a8410a; } .tag.warn { color: #8a5d00; }
ul.reasons { margin: 0.2rem 0 1rem; padding-left: 1.2rem; font-size: 0.92rem; }
ul.reasons ul { margin: 0.1rem 0 0.4rem; padding-left: 1.1rem; color: var(--muted); }
footer { margin-top: 2.5rem; padding-top: 0.6rem; border-top: 1px solid var(--rule);
  font-size: 0.8rem; color: var(--muted); }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-size: 0.85em; overflow-wrap: anywhere; }
@media (max-width: 40rem) { nav ol { columns: 1; } .page { padding: 1rem; } }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { font-size: 11pt; }
  .page { max-width: none; padding: 0; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .table { overflow: visible; }
  tr, figure { break-inside: avoid; page-break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
"""


def _page(body: ReportBody, folder: dict) -> str:
    journal = folder.get("journal") or {}
    kind = folder.get("kind") or "results"
    verdict = ""
    if body.verdict:
        verdict = tag("div", body.verdict, class_=f"verdict {body.tone or ''}".strip())
    facts = "".join(tag("dt", k) + tag("dd", v) for k, v in body.facts)
    toc = "".join(f'<li><a href="#{esc(s.id)}">{esc(s.heading)}</a></li>'
                  for s in body.sections)
    sections = "".join(
        f'<section id="{esc(s.id)}">{tag("h2", s.heading)}{s.body}</section>'
        for s in body.sections
    )
    command = " ".join(str(part) for part in journal.get("command") or [])
    footer = Raw(
        f"Written by herosim {esc(journal.get('herosim_version'))} (Python "
        f"{esc(journal.get('python'))}) · seed {esc(journal.get('seed'))} · started "
        f"{esc(journal.get('start'))}<br>Command: <code>{esc(command)}</code><br>"
        f"The results folder's files ({esc(', '.join(_files(folder)))}) hold every number "
        "shown here. Regenerate this page with <code>herosim report FOLDER</code>."
    )
    html = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="herosim">'
        f"<title>{esc(body.title)} · herosim</title><style>{STYLE}</style></head>\n"
        f'<body><div class="page" data-kind="{esc(kind)}"><header>'
        f'<p class="kicker">herosim {esc(kind)} report</p>{tag("h1", body.title)}'
        f'{verdict}<dl class="facts">{facts}</dl></header>'
        f'{tag("div", body.intro, class_="intro") if body.intro else ""}'
        f'{tag("nav", Raw(f"<ol>{toc}</ol>"), aria_label="Contents") if body.sections else ""}'
        f"<main>{sections}</main><footer>{footer}</footer></div></body></html>\n"
    )
    return html


def _scope_chart_ids(html: str) -> str:
    """Give each inline SVG its own id prefix (c1-, c2-, ...) in page order."""
    counter = iter(range(1, 1_000_000))
    return re.sub(r"<svg\b.*?</svg>", lambda m: scope_ids(m.group(0), f"c{next(counter)}-"),
                  html, flags=re.S)
