"""The ``reports/kpi_report`` asset: the night's self-contained HTML KPI report, from the published warehouse.

It sits after ``warehouse/published`` (it reads what analysts read, never the run's build) and lists the KPI
and break marts it draws on as dependencies, so the lineage in the UI ends extract files → raw → staging →
intermediate → marts → KPI and break marts → published warehouse → report. A report that cannot be written
fails only this step: the published data stands.

Its ``charts_drawn`` check reads the file back: every chart the issue asks for (headline KPIs, utilization by
practice, backlog waterfall, margin, DSO, aging, data quality, and the breaks charts whenever breaks are
open) is in the page with at least one trace of data. WARN: a report with a missing chart is news for the
engineer on call, not a reason to hold back the warehouse (it is already published).
"""

import json
import re
from collections.abc import Iterable
from pathlib import Path

import dagster as dg

from orchestration.assets.publish import PUBLISH_KEY
from orchestration.resources import WarehouseResource

REPORT_KEY = dg.AssetKey(["reports", "kpi_report"])
#: Schemas of the marts the report charts: the KPI marts and the break marts (both in schema marts).
_REPORTED_PREFIXES = ("kpi_", "recon_summary", "recon_breaks")


CHECK_NAME = "charts_drawn"
#: The charts every report has (issue 9, "The KPI report"); the breaks charts when any break is open.
REQUIRED_CHARTS = (
    "chart-headline",
    "chart-utilization",
    "chart-backlog-waterfall",
    "chart-margin-best",
    "chart-dso",
    "chart-aging",
    "chart-loads",
)
BREAK_CHARTS = ("chart-breaks-owner", "chart-breaks-check", "chart-breaks-age")
#: What the breaks section says instead of charts on a night without open breaks (throughline/report).
NO_OPEN_BREAKS = "No open breaks"
_FIGURE = re.compile(r'<script type="application/json" id="(chart-[a-z-]+)-figure">(.*?)</script>', re.S)


def drawn_charts(html: str) -> dict[str, int]:
    """Chart id -> number of traces of its embedded figure, for every chart of a report page."""
    return {cid: len(json.loads(body).get("data") or []) for cid, body in _FIGURE.findall(html)}


def report_check(path: Path | None, error: str | None = None) -> dg.AssetCheckResult:
    """``charts_drawn``: the written report has every required chart, each with data (WARN when not)."""
    if path is None:
        return dg.AssetCheckResult(
            check_name=CHECK_NAME,
            passed=False,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"no KPI report written: {error}",
        )
    html = path.read_text(encoding="utf-8")
    traces = drawn_charts(html)
    wanted = list(REQUIRED_CHARTS) + ([] if NO_OPEN_BREAKS in html else list(BREAK_CHARTS))
    missing = [c for c in wanted if not traces.get(c)]
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=not missing,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"charts missing or empty in {path}: {', '.join(missing)}"
        if missing
        else f"{len(traces)} charts, each with data, in {path}",
        metadata={"charts": dg.MetadataValue.json(traces), "missing": dg.MetadataValue.json(missing)},
    )


def reported_marts(keys: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """The KPI and break marts among ``keys`` (``marts/kpi_*``, ``marts/recon_summary``, ``recon_breaks``)."""
    return sorted(
        (
            k
            for k in keys
            if len(k.path) == 2 and k.path[0] == "marts" and k.path[1].startswith(_REPORTED_PREFIXES)
        ),
        key=lambda k: k.to_user_string(),
    )


def build_report_asset(upstream: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    """``reports/kpi_report``, after the publish step and downstream of the marts it charts."""

    @dg.asset(
        key=REPORT_KEY,
        deps=[PUBLISH_KEY, *reported_marts(upstream)],
        group_name="publish",
        kinds={"html"},
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=REPORT_KEY,
                description="every chart of the report (headline, utilization, backlog waterfall, margin, "
                "DSO, aging, data quality; breaks when open) is in the page with data",
            )
        ],
        description="The KPI report (throughline/report): headline KPIs, utilization, backlog waterfall, "
        "margin, DSO and aging, open breaks, data quality; one self-contained HTML file per data date in "
        "<warehouse folder>/reports/<as-of date>/.",
    )
    def kpi_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        from throughline.report import ReportError, write_report

        try:
            path = write_report(warehouse.published)
        except ReportError as exc:  # e.g. a warehouse with no KPI month yet: the published data stands
            context.log.warning(f"KPI report not written: {exc}")
            return dg.MaterializeResult(
                metadata={"not written": str(exc)}, check_results=[report_check(None, str(exc))]
            )
        context.log.info(f"KPI report: {path}")
        return dg.MaterializeResult(
            metadata={"path": dg.MetadataValue.path(str(path))}, check_results=[report_check(path)]
        )

    return kpi_report
