"""The ``charts_drawn`` check of the ``reports/kpi_report`` asset, on hand-written report pages."""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from orchestration.assets.report import BREAK_CHARTS, NO_OPEN_BREAKS, REQUIRED_CHARTS, report_check


def _page(folder: Path, charts: dict[str, int], extra: str = "") -> Path:
    """A report page with one embedded figure per chart id, ``traces`` traces each (as render.py writes)."""
    body = "".join(
        f'<div id="{cid}" class="chart"></div>\n<script type="application/json" id="{cid}-figure">'
        + json.dumps({"data": [{"y": [1, 2]}] * n, "layout": {}}).replace("</", "<\\/")
        + "</script>\n"
        for cid, n in charts.items()
    )
    path = folder / "kpi-report.html"
    path.write_text(f"<html><body>{extra}{body}</body></html>", encoding="utf-8")
    return path


def test_every_chart_with_data_passes_and_counts_traces(tmp_path: Path) -> None:
    charts = {c: 2 for c in (*REQUIRED_CHARTS, *BREAK_CHARTS)}
    result = report_check(_page(tmp_path, charts))
    assert result.passed, result.description
    assert result.metadata["charts"].value == charts
    assert result.description.startswith(f"{len(charts)} charts, each with data")


def test_a_missing_or_empty_chart_is_a_warning_naming_it(tmp_path: Path) -> None:
    charts = {c: 1 for c in (*REQUIRED_CHARTS, *BREAK_CHARTS)}
    del charts["chart-backlog-waterfall"]
    charts["chart-dso"] = 0
    result = report_check(_page(tmp_path, charts))
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.metadata["missing"].value == ["chart-backlog-waterfall", "chart-dso"]


def test_breaks_charts_are_only_wanted_when_breaks_are_open(tmp_path: Path) -> None:
    charts = dict.fromkeys(REQUIRED_CHARTS, 1)
    quiet_night = f"<p>{NO_OPEN_BREAKS} in marts.recon_summary</p>"
    assert report_check(_page(tmp_path, charts, extra=quiet_night)).passed
    missing = report_check(_page(tmp_path, charts)).metadata["missing"].value
    assert missing == list(BREAK_CHARTS)


def test_no_report_is_a_warning_with_the_reason() -> None:
    result = report_check(None, "marts.kpi_firm_monthly is missing")
    assert not result.passed and result.severity == dg.AssetCheckSeverity.WARN
    assert result.description == "no KPI report written: marts.kpi_firm_monthly is missing"
