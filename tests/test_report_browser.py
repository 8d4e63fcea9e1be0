"""The bundled check's report.html in a real browser: headless Chromium (Debian's `chromium`).

Chromium is driven through its command line only (no extra Python package):
- `--dump-dom` with `--enable-logging=stderr --v=0`: Chromium writes every console message of
  the page (console calls, uncaught errors, Content-Security-Policy violations such as a
  blocked fetch) to stderr as `...:CONSOLE...` lines. The report has no script, so a clean
  load prints none.
- A probe: a copy of the report with one inline script added (allowed by its hash in the CSP,
  which otherwise stays as written) that measures every chart as laid out and records any
  error or CSP violation; its findings come back in the dumped DOM.
- `--screenshot`: the page as a PNG, checked for content and for the charts' colours.

Skipped only when Chromium is absent outside CI; with CI=true a missing Chromium fails.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.outputs.report import REPORT_FILE

ROOT = Path(__file__).resolve().parent.parent
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def _browser() -> str:
    for name in BROWSERS:
        if path := shutil.which(name):
            return path
    if os.environ.get("CI") == "true":
        pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium package)")
    pytest.skip("Chromium is not installed (apt-get install chromium); it runs in CI")


@pytest.fixture(scope="module")
def browser() -> str:
    return _browser()


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """report.html of the bundled check, as the README runs it."""
    out = tmp_path_factory.mktemp("browser")
    result = CliRunner().invoke(app, [
        "check", str(ROOT / "scenarios" / "platform-team.yaml"), "--plan", "pair-and-lead",
        "--reps", "4", "--weeks", "8", "--out", str(out),
    ])
    assert result.exit_code in (0, 1), result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder / REPORT_FILE


def _chromium(browser: str, tmp: Path, page: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args,
         page.as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )


def _console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if re.search(r":CONSOLE\b|CONSOLE\(", line)]


PROBE = """
(function () {
  var problems = [];
  window.addEventListener('error', function (e) {
    problems.push('error: ' + (e.message || (e.target && e.target.outerHTML) || e.type));
  }, true);
  document.addEventListener('securitypolicyviolation', function (e) {
    problems.push('csp: ' + e.violatedDirective + ' ' + e.blockedURI);
  });
  window.addEventListener('load', function () {
    var charts = Array.prototype.map.call(document.querySelectorAll('svg'), function (svg) {
      var box = svg.getBoundingClientRect();
      var inner = svg.getBBox();
      return {width: box.width, height: box.height, drawnWidth: inner.width,
              drawnHeight: inner.height,
              marks: svg.querySelectorAll('path, use, rect, polygon, polyline').length,
              inFigure: !!svg.closest('figure')};
    });
    var out = document.createElement('pre');
    out.id = 'probe-result';
    out.textContent = JSON.stringify({charts: charts, problems: problems,
      figures: document.querySelectorAll('figure').length,
      sections: Array.prototype.map.call(document.querySelectorAll('section'),
                                         function (s) { return s.id; })});
    document.body.appendChild(out);
  });
})();
"""


def _probe_page(report: Path, tmp: Path) -> Path:
    """The report with the probe script added, allowed by its hash and by nothing else."""
    html = report.read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy, "the report has a Content-Security-Policy"
    html = html.replace(policy.group(1), f"{policy.group(1)}; script-src 'sha256-{digest}'")
    html = html.replace("<head>", f"<head><script>{PROBE}</script>", 1)
    page = tmp / "probe.html"
    page.write_text(html, encoding="utf-8")
    return page


def test_report_loads_without_console_errors(browser, report, tmp_path):
    """The page loads as a whole, and the browser logs nothing: no error, no blocked fetch."""
    result = _chromium(browser, tmp_path, report, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'data-kind="check"' in result.stdout and "</html>" in result.stdout
    assert _console_lines(result.stderr) == []


def test_every_chart_renders(browser, report, tmp_path):
    """Each chart lays out as a non-empty SVG of plausible size, with nothing blocked."""
    result = _chromium(browser, tmp_path, _probe_page(report, tmp_path), "--dump-dom",
                       "--window-size=1280,1000")
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r'<pre id="probe-result">(.*?)</pre>', result.stdout, re.S)
    assert found, "the probe ran: " + "\n".join(_console_lines(result.stderr))
    probe = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                       .replace("&lt;", "<").replace("&gt;", ">"))
    assert probe["problems"] == []
    assert probe["sections"] == ["verdict", "findings", "independence-curve", "hero-time",
                                 "people", "budget", "sustainment", "skills", "plan"]
    assert len(probe["charts"]) == probe["figures"] == 3  # the curve, hero time, skills
    for chart in probe["charts"]:
        assert chart["inFigure"]
        assert 400 <= chart["width"] <= 1280 and 250 <= chart["height"] <= 2000, chart
        assert chart["drawnWidth"] > 100 and chart["drawnHeight"] > 100, chart
        assert chart["marks"] > 100, chart


def test_screenshot_is_not_blank(browser, report, tmp_path):
    """A screenshot has text, rules and the charts' Okabe-Ito blue and vermillion."""
    from PIL import Image

    shot = tmp_path / "report.png"
    result = _chromium(browser, tmp_path, report, f"--screenshot={shot}",
                       "--window-size=1280,2400")
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    image = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    assert image.shape == (2400, 1280, 3)
    assert (image.min(axis=2) < 235).mean() > 0.03  # text, rules and charts, not a white page
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 200

    def near(colour: tuple[int, int, int]) -> int:
        return int((np.abs(image - np.array(colour)).max(axis=2) <= 12).sum())

    assert near((0x00, 0x72, 0xB2)) > 200  # hero present
    assert near((0xD5, 0x5E, 0x00)) > 200  # hero absent
