"""report.html: the builder's sections per kind, escaping, self-containment, `herosim report`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from sim.errors import InputError
from sim.outputs import charts, charts_ranges
from sim.outputs.report import KINDS, REPORT_FILE, build_report, load_results

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny.yaml"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_ID = '"><img src=x onerror=alert(2)>'

runner = CliRunner()

RUN_SECTIONS = ("summary", "time-to-mitigate", "escalations", "hero-interruptions", "hero-time",
                "load", "classes")
CHECK_SECTIONS = ("verdict", "findings", "independence-curve", "hero-time", "people", "budget",
                  "sustainment", "skills", "plan")


def _hostile_scenario(tmp_path: Path) -> Path:
    """tiny.yaml with a person, a description and a plan note that are HTML."""
    doc = yaml.safe_load(TINY.read_text())
    doc["description"] = f"Team {HOSTILE} & friends"
    doc["people"][0]["name"] = HOSTILE
    doc["plans"] = [{
        "name": "write-it-down",
        "description": f"write it down {HOSTILE}",
        "actions": [{"kind": "runbook", "classes": ["db-restore"], "note": HOSTILE}],
    }]
    path = tmp_path / "hostile.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def _only_folder(root: Path) -> Path:
    (folder,) = [p for p in root.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """A run --without, a plain run, a check and an advise of a scenario with hostile
    strings."""
    tmp = tmp_path_factory.mktemp("report")
    scenario = _hostile_scenario(tmp)
    out = {}
    for key, args in (
        ("what-if", ["run", str(scenario), "--days", "21", "--reps", "2", "--without", "sam"]),
        ("run", ["run", str(scenario), "--days", "14", "--reps", "2"]),
        ("check", ["check", str(scenario), "--plan", "write-it-down", "--weeks", "4",
                   "--reps", "2"]),
        ("advise", ["advise", str(scenario), "--weeks", "2", "--reps", "2",
                    "--check-weeks", "4", "--check-reps", "2"]),
    ):
        root = tmp / key
        result = runner.invoke(app, [*args, "--workers", "1", "--out", str(root)])
        assert result.exit_code in (0, 1), result.output
        out[key] = _only_folder(root)
    return out


def _html(folder: Path) -> str:
    return (folder / REPORT_FILE).read_text(encoding="utf-8")


def _section_ids(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html)


def test_every_command_writes_a_report(folders):
    """run, check and advise folders each hold report.html next to their other files."""
    for folder in folders.values():
        assert (folder / REPORT_FILE).is_file()
        assert not list(folder.glob(".*partial"))


def test_run_report_has_every_section(folders):
    """A what-if run report holds all run sections, both arms and its charts."""
    html = _html(folders["what-if"])
    assert _section_ids(html) == list(RUN_SECTIONS)
    assert "everyone present" in html and "without sam" in html
    # time to mitigate, escalations, interruptions, hero time, load
    assert html.count("<svg") == 5
    assert 'data-kind="run"' in html


def test_plain_run_report_has_one_arm(folders):
    """A run without --without has no everyone-present arm."""
    html = _html(folders["run"])
    assert _section_ids(html) == list(RUN_SECTIONS)
    assert "everyone present" not in html


def test_check_report_has_every_section(folders):
    """A check report holds the verdict, the findings, the independence curve, the hero's time,
    each person, the budget, the sustainment view, skills and the plan."""
    html = _html(folders["check"])
    assert _section_ids(html) == list(CHECK_SECTIONS)
    assert html.count("<svg") == 3  # the curve, the hero's time week by week, the heatmaps
    assert "pass threshold" in html and "knowledge, start" in html


@pytest.mark.parametrize("key", ["what-if", "run", "check"])
def test_user_strings_are_escaped(folders, key):
    """A person called <script>alert(1)</script> is shown as text and nothing runs."""
    html = _html(folders[key])
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_hostile_ids_are_escaped_everywhere(folders):
    """Ids turned into markup (in every JSON and CSV value) never become elements."""
    for key, folder in folders.items():
        data = load_results(folder)
        text = json.dumps(data).replace('"sam', json.dumps(HOSTILE_ID)[:-1])
        html = build_report(json.loads(text))
        assert "<img" not in html and "<script" not in html.lower(), key
        assert "onerror=alert(2)" in html  # shown, as text


@pytest.mark.parametrize("key", ["what-if", "check", "advise"])
def test_report_is_self_contained(folders, key):
    """No script, no external link, image, font or stylesheet; a CSP forbids fetching."""
    html = _html(folders[key])
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:|//)", html, re.I)
    assert not re.search(r"<(script|link|iframe|object|embed|img)\b", html, re.I)
    assert "@import" not in html and "url(http" not in html
    # Links stay inside the page; the only other references are inline data.
    assert all(ref.startswith(("#", "data:image/png;base64,"))
               for ref in re.findall(r'href="([^"]*)"', html))
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<text" not in html  # chart text is drawn as paths: no font needed


@pytest.mark.parametrize("key", ["what-if", "check", "advise"])
def test_element_ids_are_unique(folders, key):
    """Charts' ids are scoped, so no two elements of the page share an id."""
    ids = re.findall(r'\bid="([^"]+)"', _html(folders[key]))
    assert len(ids) == len(set(ids))


def test_report_command_regenerates_the_same_page(folders):
    """`herosim report DIR` rewrites report.html from the folder, identical to the first."""
    folder = folders["check"]
    first = _html(folder)
    (folder / REPORT_FILE).unlink()
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert _html(folder) == first


def test_report_command_rejects_a_folder_that_is_not_results(tmp_path):
    """A folder without journal.json: exit 2, a message naming the folder, no traceback."""
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a herosim results folder" in result.output
    assert "journal.json" in result.output and "Traceback" not in result.output


def test_report_command_rejects_a_missing_folder(tmp_path):
    """A path that does not exist: exit 2 with a clear message."""
    result = runner.invoke(app, ["report", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "no such directory" in result.output


def test_incomplete_folder_names_the_missing_file(folders, tmp_path):
    """A run folder without metrics.json is refused, naming the file."""
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "journal.json").write_text((folders["run"] / "journal.json").read_text())
    with pytest.raises(InputError, match="metrics.json"):
        load_results(folder)


def test_unknown_kind_gets_a_plain_report(folders):
    """A kind with no section builder still gets a page that says so."""
    data = load_results(folders["run"])
    data["kind"] = "future-command"
    html = build_report(data)
    assert "no report section for results of kind" in html
    assert "future-command" not in KINDS


def test_every_registered_kind_builds_from_its_files():
    """Each registered kind names the files its builder needs."""
    for kind, entry in KINDS.items():
        assert entry.needs and callable(entry.build), kind


def test_charts_use_the_okabe_ito_palette():
    """The present/absent colours are Okabe-Ito blue and vermillion."""
    svg = charts.ttm_distribution({"a": [1.0, 5.0, 10.0], "b": [2.0, 8.0, 30.0]},
                                  {"a": charts.PRESENT, "b": charts.ABSENT})
    assert svg.startswith("<svg") and "#0072b2" in svg.lower() and "#d55e00" in svg.lower()


def test_compare_report_has_its_sections(tmp_path):
    """A compare folder's report ranks the plans (with the columns that decided the ranking),
    charts cost against outcome, and draws their curves."""
    scenario = ROOT / "scenarios" / "platform-team.yaml"
    result = runner.invoke(app, ["compare", str(scenario), "--plan", "docs-only", "--weeks", "4",
                                 "--reps", "2", "--workers", "1", "--out", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    html = build_report(load_results(_only_folder(tmp_path)))
    assert _section_ids(html) == ["ranking", "cost", "curves", "people"]
    assert html.count("<svg") == 2 and "docs-only" in html
    assert "SLO breach rate with the heroes absent at the end" in html
    assert "hero hours spent" in html  # the cost-against-outcome chart's axis


# -- score and map ----------------------------------------------------------------------------

SCORE_SECTIONS = ("score", "injections", "flags", "classes", "people", "skills")
MAP_SECTIONS = ("heroes", "busy", "hero-map", "ranking", "people")
PLATFORM = ROOT / "scenarios" / "platform-team.yaml"
GAMEDAY = ROOT / "scenarios" / "platform-team-gameday.yaml"


def _hostile_gameday(tmp: Path) -> tuple[Path, Path]:
    """platform-team with sofia called <script>..., and a game day whose notes are HTML."""
    scenario = yaml.safe_load(PLATFORM.read_text())
    for person in scenario["people"]:
        if person["id"] == "sofia":
            person["name"] = HOSTILE
    gameday = yaml.safe_load(GAMEDAY.read_text())
    gameday["injections"][0]["notes"] = f"reverted {HOSTILE} & moved on"
    paths = tmp / "team.yaml", tmp / "gameday.yaml"
    paths[0].write_text(yaml.safe_dump(scenario))
    paths[1].write_text(yaml.safe_dump(gameday))
    return paths


@pytest.fixture(scope="module")
def history_folders(tmp_path_factory) -> dict[str, Path]:
    """A score of the bundled game day (and of a hostile copy) and a map of generated history."""
    tmp = tmp_path_factory.mktemp("report-history")
    out = {}
    hostile = _hostile_gameday(tmp)
    for key, args in (
        ("score", ["score", str(PLATFORM), str(GAMEDAY), "--reps", "50"]),
        ("hostile-score", ["score", *map(str, hostile), "--reps", "20"]),
    ):
        result = runner.invoke(app, [*args, "--workers", "1", "--out", str(tmp / key)])
        assert result.exit_code == 0, result.output
        out[key] = _only_folder(tmp / key)
    result = runner.invoke(app, ["generate", "-o", str(tmp / "org")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["map", str(tmp / "org" / "history.json"),
                                 "--out", str(tmp / "map")])
    assert result.exit_code == 0, result.output
    out["map"] = _only_folder(tmp / "map")
    return out


def test_score_report_has_every_section(history_folders):
    """A score report holds the score, each injection against its prediction, the flags and
    the per-class, per-person and skill tables."""
    folder = history_folders["score"]
    html = _html(folder)
    doc = json.loads((folder / "gameday.json").read_text())
    assert 'data-kind="score"' in html
    assert _section_ids(html) == list(SCORE_SECTIONS)
    assert html.count("<svg") == 1  # the injection strips
    assert doc["score"]["definition"] in html.replace("&#x27;", "'")
    for row in doc["injections"]:
        assert row["id"] in html and row["class"] in html
        for text in row["hesitations"] + row["surprises"]:
            assert text in html
    for person in doc["people"]:
        assert person in html
    assert "hesitation" in html and "surprise" in html
    for row in doc["injections"]:  # a prediction never mitigated is said so, not hidden
        if row["predicted"]["ttm"]["p90"] is None:
            assert f"{row['id']}<span" in html and "never" in html
        else:
            assert f"–{row['predicted']['ttm']['p90']:.0f}</td>" in html


def test_map_report_has_every_section(history_folders):
    """A map report holds the likely heroes with their reasons, the heatmap and the ranking."""
    folder = history_folders["map"]
    html = _html(folder)
    doc = json.loads((folder / "heromap.json").read_text())
    assert 'data-kind="map"' in html
    assert _section_ids(html) == list(MAP_SECTIONS)
    assert html.count("<svg") == 1  # the heatmaps (share handled, pulled in)
    assert doc["heroes"], "the generated organisation has a hero"
    for hero in doc["heroes"]:
        assert f"<strong>{hero['person']}</strong>" in html
        for reason in hero["reasons"]:
            assert reason in html
    ranks = [html.index(f"<td>{g['id']}</td>") for g in doc["groups"]]
    assert ranks == sorted(ranks)  # riskiest first, as ranked
    for person in doc["people"]:
        assert person in html


def test_score_report_escapes_names_and_notes(history_folders):
    """A person called <script>... and an HTML observation note are shown as text."""
    html = _html(history_folders["hostile-score"])
    assert "<script" not in html.lower()
    assert "reverted &lt;script&gt;alert(1)&lt;/script&gt; &amp; moved on" in html


@pytest.mark.parametrize("key", ["score", "map"])
def test_history_reports_escape_hostile_ids(history_folders, key):
    """Every person, class and note turned into markup stays text in score and map reports."""
    data = load_results(history_folders[key])
    text = json.dumps(data)
    mapped = data["json"].get("heromap.json", {"people": {}, "groups": []})
    names = ("sofia", "marco", "pg-degraded", "Found the bad route",
             *list(mapped["people"])[:2], *[g["id"] for g in mapped["groups"][:2]])
    for name in names:
        text = text.replace(f'"{name}', json.dumps(HOSTILE_ID)[:-1] + name)
    html = build_report(json.loads(text))
    assert "<img" not in html and "<script" not in html.lower()
    assert "onerror=alert(2)" in html


@pytest.mark.parametrize("key", ["score", "map"])
def test_history_reports_are_self_contained(history_folders, key):
    """Score and map pages fetch nothing and draw chart text as paths; ids are unique."""
    html = _html(history_folders[key])
    assert not re.search(r"<(script|link|iframe|object|embed|img)\b", html, re.I)
    assert "<text" not in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("key", ["score", "map"])
def test_report_command_regenerates_score_and_map(history_folders, key):
    """`herosim report DIR` rewrites a score or map folder's report.html, identical."""
    folder = history_folders[key]
    first = _html(folder)
    (folder / REPORT_FILE).unlink()
    result = runner.invoke(app, ["report", str(folder)])
    assert result.exit_code == 0, result.output
    assert _html(folder) == first


def test_injection_strips_handle_never_and_gave_up():
    """A prediction never mitigated and an abandoned injection still draw, with no error."""
    svg = charts_ranges.injection_strips([
        {"label": "a", "p10": 5.0, "p50": 10.0, "p90": 40.0, "observed": 12.0,
         "verdict": "as predicted"},
        {"label": "b", "p10": None, "p50": None, "p90": None, "observed": 30.0,
         "verdict": "surprise"},
        {"label": "c", "p10": 8.0, "p50": 20.0, "p90": None, "observed": None,
         "verdict": "hesitation"},
    ])
    assert svg.startswith("<svg") and "#d55e00" in svg.lower() and "#0072b2" in svg.lower()


def test_advise_report_shows_the_proposal_and_its_check(folders):
    """advise's page: what the proposal comes to, its check beside today's team, the search,
    why the hero is pulled and the ranked candidates."""
    html = _html(folders["advise"])
    ids = _section_ids(html)
    assert {"check", "check-classes", "search", "attribution", "candidates"} <= set(ids)
    assert "beside today" in html and "today: week 0 with no plan" in html


def test_charts_drawn_together_are_the_charts_drawn_one_by_one():
    """The report's charts drawn side by side (chart_pool) are byte for byte the SVGs drawn in
    turn, in the order they were asked for; placeholders stand in for them meanwhile."""
    from sim.outputs.chart_pool import drawn_together

    arms = {"a": [1.0, 5.0, 10.0], "b": [2.0, 8.0, 30.0]}
    colours = {"a": charts.PRESENT, "b": charts.ABSENT}
    one_by_one = [charts.ttm_distribution(arms, colours),
                  charts.stacked_bars({"x": {"p": {"off": 1.0}}}, charts.HOUR_CLASS_COLOURS,
                                      "per week", "T")]
    with drawn_together() as pending:
        page = (charts.ttm_distribution(arms, colours) + "|"
                + charts.stacked_bars({"x": {"p": {"off": 1.0}}}, charts.HOUR_CLASS_COLOURS,
                                      "per week", "T"))
    assert "<svg" not in page and page.count("herosim-chart") == 2
    assert pending.fill(page) == "|".join(one_by_one)
