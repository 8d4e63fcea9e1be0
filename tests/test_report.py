"""report.html: the builder's sections per kind, escaping, self-containment, `herosim report`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli.main import app
from sim import charts
from sim.report import KINDS, REPORT_FILE, build_report, load_results
from sim.loader import ScenarioError

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "scenarios" / "tiny.yaml"
HOSTILE = "<script>alert(1)</script>"
HOSTILE_ID = '"><img src=x onerror=alert(2)>'

runner = CliRunner()

RUN_SECTIONS = ("summary", "time-to-mitigate", "escalations", "hero-interruptions", "load",
                "classes")
CHECK_SECTIONS = ("verdict", "independence-curve", "skills", "plan")


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
    """A run --without, a plain run and a check of a scenario with hostile strings."""
    tmp = tmp_path_factory.mktemp("report")
    scenario = _hostile_scenario(tmp)
    out = {}
    for key, args in (
        ("what-if", ["run", str(scenario), "--days", "21", "--reps", "2", "--without", "sam"]),
        ("run", ["run", str(scenario), "--days", "14", "--reps", "2"]),
        ("check", ["check", str(scenario), "--plan", "write-it-down", "--weeks", "4", "--reps", "2"]),
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
    """run and check folders each hold report.html next to their other files."""
    for folder in folders.values():
        assert (folder / REPORT_FILE).is_file()
        assert not list(folder.glob(".*partial"))


def test_run_report_has_every_section(folders):
    """A what-if run report holds all run sections, both arms and its charts."""
    html = _html(folders["what-if"])
    assert _section_ids(html) == list(RUN_SECTIONS)
    assert "everyone present" in html and "without sam" in html
    assert html.count("<svg") == 4  # time to mitigate, escalations, interruptions, load
    assert 'data-kind="run"' in html


def test_plain_run_report_has_one_arm(folders):
    """A run without --without has no everyone-present arm."""
    html = _html(folders["run"])
    assert _section_ids(html) == list(RUN_SECTIONS)
    assert "everyone present" not in html


def test_check_report_has_every_section(folders):
    """A check report holds the verdict, the independence curve, skills and the plan."""
    html = _html(folders["check"])
    assert _section_ids(html) == list(CHECK_SECTIONS)
    assert html.count("<svg") == 2  # the curve, the heatmaps
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


@pytest.mark.parametrize("key", ["what-if", "check"])
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


@pytest.mark.parametrize("key", ["what-if", "check"])
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
    with pytest.raises(ScenarioError, match="metrics.json"):
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
    """A compare folder's report ranks the plans and draws their curves."""
    scenario = ROOT / "scenarios" / "platform-team.yaml"
    result = runner.invoke(app, ["compare", str(scenario), "--plan", "docs-only", "--weeks", "4",
                                 "--reps", "2", "--workers", "1", "--out", str(tmp_path)])
    assert result.exit_code in (0, 1), result.output
    html = build_report(load_results(_only_folder(tmp_path)))
    assert _section_ids(html) == ["ranking", "curves"]
    assert html.count("<svg") == 1 and "docs-only" in html
