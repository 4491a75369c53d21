"""The KPI report in a real browser: Debian's headless Chromium, driven by Playwright.

The page must load from a file with no network, log no console error, and draw every chart (each chart div
becomes a plotly plot with an SVG and at least one drawn trace). A full-page screenshot is kept in
tests/_output/report/ (git-ignored) for a person to look at. When chromium is missing the test installs
it first (``.ci/install-chromium``: apt-get as root or with passwordless sudo;
``THROUGHLINE_INSTALL_CHROMIUM=0`` turns that off); if it still cannot, it skips and says how to install it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock

from throughline.report import write_report

OUTPUT = Path(__file__).resolve().parents[1] / "_output" / "report"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# For every chart div: is it a plotly plot; its traces, data points, SVGs and drawn trace groups.
CHART_STATE = """() => [...document.querySelectorAll("div.chart")].map(d => ({
    id: d.id,
    plotted: d.classList.contains("js-plotly-plot"),
    traces: (d.data || []).length,
    points: (d.data || []).reduce((n, t) => n + (t.y || t.x || []).length, 0),
    svgs: d.querySelectorAll("svg.main-svg").length,
    drawn: d.querySelectorAll("g.trace, g.barlayer path, g.scatterlayer path").length,
}))"""


INSTALL = Path(__file__).resolve().parents[2] / ".ci" / "install-chromium"


def _which() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium() -> str:
    """Debian's chromium, installed first when missing (one installer at a time across xdist workers)."""
    path = _which()
    if not path and os.environ.get("THROUGHLINE_INSTALL_CHROMIUM", "1") != "0":
        with FileLock(str(Path(tempfile.gettempdir()) / "throughline-install-chromium.lock")):
            if not _which():
                subprocess.run([str(INSTALL)], capture_output=True, timeout=900, check=False)
        path = _which()
    if not path:
        pytest.skip(
            "chromium is not installed and could not be installed here: `sudo apt-get install -y chromium` "
            "(Debian's package; .ci/install-chromium does it)"
        )
    return path


def test_the_installer_is_a_no_op_when_chromium_is_there() -> None:
    """The set-up step the browser test and .ci/run share: nothing to do, exit 0, no apt-get."""
    if not _which():
        pytest.skip("chromium is missing: the browser test installs it")
    done = subprocess.run([str(INSTALL)], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def _with_breaks(xs_warehouse: Path, folder: Path) -> Path:
    """A copy of the xs warehouse: it has the reconciliation marts, so the breaks charts render too."""
    copy = folder / "warehouse.duckdb"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(xs_warehouse, copy)
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute("select sum(open_breaks) from marts.recon_summary").fetchone()[0] > 0
    return copy


def _open(sync_api, browser, report: Path, shot: Path) -> tuple[list[str], list[str], list[dict]]:
    """Load the report; return console errors, requests that left the file, and the state of each chart."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file:", "data:", "blob:"))
            else (requests.append(route.request.url), route.abort())
        ),
    )
    page.goto(report.as_uri(), wait_until="load")
    with contextlib.suppress(
        sync_api.TimeoutError
    ):  # plotly marks each div it drew; the asserts name the rest
        page.wait_for_function("!document.querySelector('div.chart:not(.js-plotly-plot)')", timeout=10_000)
    state = page.evaluate(CHART_STATE)
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return errors, requests, state


def test_report_renders_in_headless_chromium(xs_warehouse: Path, tmp_path: Path) -> None:
    """One page load (Chromium parses 5 MB of plotly.js: seconds on a busy machine) of the full report."""
    chromium = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (a dev dependency) is missing")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    report = write_report(_with_breaks(xs_warehouse, tmp_path / "night"), tmp_path / "out")
    expected = re.findall(r'<div id="(chart-[a-z-]+)" class="chart"', report.read_text(encoding="utf-8"))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            errors, requests, state = _open(sync_api, browser, report, OUTPUT / "kpi-report.png")
        finally:
            browser.close()
    print(f"screenshot: {OUTPUT / 'kpi-report.png'}")
    assert errors == [], f"console errors: {errors}"
    assert requests == [], f"the page asked the network for {requests}"
    assert [c["id"] for c in state] == expected
    drawn = {"plotted", "traces", "points", "svgs", "drawn"}
    undrawn = [c["id"] for c in state if not all(c[k] for k in drawn)]
    assert undrawn == [], f"charts not drawn: {undrawn} ({state})"
    sections = ("headline", "utilization", "backlog-waterfall", "margin-best", "dso", "aging", "breaks-owner")
    assert {f"chart-{s}" for s in sections + ("breaks-check", "breaks-age", "loads")} <= set(expected)
    assert (OUTPUT / "kpi-report.png").stat().st_size > 50_000


def test_without_recon_marts_the_breaks_section_says_so(xs_warehouse: Path, tmp_path: Path) -> None:
    copy = tmp_path / "older.duckdb"  # a warehouse built before the reconciliation marts existed
    shutil.copy(xs_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("drop table marts.recon_summary")
    html = write_report(copy, tmp_path / "out").read_text(encoding="utf-8")
    assert 'data-unavailable="breaks"' in html and "marts.recon_summary is not in this warehouse" in html
    assert 'id="chart-breaks' not in html
