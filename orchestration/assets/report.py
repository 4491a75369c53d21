"""The ``reports/kpi_report`` asset: the night's self-contained HTML KPI report, from the published warehouse.

It sits after ``warehouse/published`` (it reads what analysts read, never the run's build) and lists the KPI
and break marts it draws on as dependencies, so the lineage in the UI ends extract files → raw → staging →
intermediate → marts → KPI and break marts → published warehouse → report. A report that cannot be written
fails only this step: the published data stands.
"""

from collections.abc import Iterable

import dagster as dg

from orchestration.assets.publish import PUBLISH_KEY
from orchestration.resources import WarehouseResource

REPORT_KEY = dg.AssetKey(["reports", "kpi_report"])
#: Schemas of the marts the report charts: the KPI marts and the break marts (both in schema marts).
_REPORTED_PREFIXES = ("kpi_", "recon_summary", "recon_breaks")


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
            return dg.MaterializeResult(metadata={"not written": str(exc)})
        context.log.info(f"KPI report: {path}")
        return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path))})

    return kpi_report
