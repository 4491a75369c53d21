"""The KPI report: one self-contained HTML page of charts from the published warehouse.

`write_report(warehouse)` is what the nightly run and `throughline report` call. It opens the warehouse
read-only (analysts and the next run are never blocked), and writes `reports/<as-of date>/kpi-report.html`
beside it, or `kpi-report.html` in the folder given.
"""

from __future__ import annotations

from pathlib import Path

from throughline.report.data import ReportError, WarehouseBusy, load_context
from throughline.report.render import REPORT_NAME, connect, default_path, render_html, write_atomically

__all__ = ["ReportError", "WarehouseBusy", "write_report"]


def write_report(warehouse: Path, out_dir: Path | None = None) -> Path:
    """Write the KPI report of `warehouse` and return its path.

    `out_dir` None: `<warehouse folder>/reports/<as-of date>/kpi-report.html` (one per data date, so the
    reports of earlier nights stay). Raises ReportError when the warehouse is missing, locked by a writer,
    or has no complete KPI month.
    """
    warehouse = Path(warehouse)
    with connect(warehouse) as con:
        ctx = load_context(con)
        html = render_html(warehouse, con, ctx)
    path = default_path(warehouse, ctx) if out_dir is None else Path(out_dir) / REPORT_NAME
    write_atomically(path, html)
    return path
