"""The KPI report in a real browser: Debian's headless Chromium, driven by Playwright.

The page must load from a file with no network, log no console error, and draw every chart (each chart div
becomes a plotly plot with an SVG and at least one drawn trace). A full-page screenshot is kept in
tests/_output/report/ (git-ignored) for a person to look at. Chromium is installed by .ci/run; without it
the test skips and says how to install it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

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

# For every chart div: is it a plotly plot, how many traces, SVGs and drawn trace groups does it hold.
CHART_STATE = """() => [...document.querySelectorAll("div.chart")].map(d => ({
    id: d.id,
    plotted: d.classList.contains("js-plotly-plot"),
    traces: (d.data || []).length,
    svgs: d.querySelectorAll("svg.main-svg").length,
    drawn: d.querySelectorAll("g.trace, g.barlayer path, g.scatterlayer path").length,
}))"""


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.skip(
            "chromium is not installed: `apt-get install -y chromium` (Debian's package; .ci/run does it)"
        )
    return path


def _with_breaks(xs_warehouse: Path, folder: Path) -> Path:
    """A copy of the xs warehouse with a small marts.recon_summary, so the breaks charts render too."""
    copy = folder / "warehouse.duckdb"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(xs_warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "create table marts.recon_summary as select * from (values "
            "('AR01', 'ar', 'Finance Ops', 'high', '0-7d', 4, 12500.0), "
            "('REV02', 'revenue', 'Controllers', 'critical', '31-90d', 1, 80000.0), "
            "('TIME03', 'time', NULL, 'low', '90d+', 7, 0.0)) "
            "t(check_id, check_family, owner, severity, age_band, open_breaks, amount_at_risk_reporting)"
        )
    return copy


def _open(browser, report: Path, shot: Path) -> tuple[list[str], list[str], list[dict]]:
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
    page.wait_for_function("document.querySelectorAll('div.chart:not(.js-plotly-plot)').length === 0")
    state = page.evaluate(CHART_STATE)
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return errors, requests, state


def test_report_renders_in_headless_chromium(xs_warehouse: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright (a dev dependency) is not installed"
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    plain = write_report(xs_warehouse, tmp_path / "plain")
    with_breaks = write_report(_with_breaks(xs_warehouse, tmp_path / "breaks"), tmp_path / "breaks" / "out")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            results = {
                "plain": _open(browser, plain, OUTPUT / "kpi-report.png"),
                "breaks": _open(browser, with_breaks, OUTPUT / "kpi-report-with-breaks.png"),
            }
        finally:
            browser.close()
    print(f"screenshots: {OUTPUT}")
    for name, (errors, requests, state) in results.items():
        assert errors == [], f"{name}: console errors {errors}"
        assert requests == [], f"{name}: the page asked the network for {requests}"
        undrawn = [c["id"] for c in state if not (c["plotted"] and c["traces"] and c["svgs"] and c["drawn"])]
        assert undrawn == [], f"{name}: charts not drawn: {undrawn} ({state})"
    ids = {name: {c["id"] for c in state} for name, (_, _, state) in results.items()}
    core = {
        "chart-headline",
        "chart-utilization",
        "chart-backlog-waterfall",
        "chart-margin-best",
        "chart-dso",
    }
    assert core | {"chart-aging", "chart-loads"} <= ids["plain"]
    assert not any(i.startswith("chart-breaks") for i in ids["plain"])  # no recon marts: a panel instead
    assert "not available in this warehouse" in plain.read_text().lower()
    assert {"chart-breaks-owner", "chart-breaks-check", "chart-breaks-age"} <= ids["breaks"]
    assert (OUTPUT / "kpi-report.png").stat().st_size > 50_000
