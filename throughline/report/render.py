"""Assemble the KPI report: query the published warehouse read-only, build the charts, fill the template.

The page is one self-contained HTML file: plotly.js is inlined once in the head and every chart is a div
with its data, so it opens from a mail attachment or a file share with no network. Each chart names the
table behind it and shows its SQL, so a number in the report can be traced to the warehouse.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import jinja2
import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from throughline.kpi_summary import LINES, Line
from throughline.report import charts, data
from throughline.report.formats import money

REPORT_NAME = "kpi-report.html"
METRICS_DOC = "docs/metrics.md"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}

# Whether a rise of the KPI is good news (green) or bad news (red); None: neither.
HIGHER_IS_BETTER: dict[str, bool | None] = {
    "billable_utilization": True,
    "productive_utilization": True,
    "revenue_reporting": True,
    "margin_reporting": True,
    "margin_pct": True,
    "billing_realization_12m": True,
    "backlog_reporting": True,
    "ar_reporting": None,
    "dso_simple_days": False,
    "dso_countback_days": False,
    "lockup_days": False,
    "leakage_pct_of_revenue": False,
    "unbilled_time_reporting": False,
}


@dataclass
class Chart:
    """One chart card: its figure, the table it reads, the SQL and a note on how to read it."""

    id: str
    title: str
    figure: go.Figure
    source: str
    sql: str
    note: str = ""
    html: str = ""


@dataclass
class Tile:
    """A headline number: value, change on the previous month, tone ('good'/'bad') and a sparkline."""

    label: str
    value: str
    change: str = ""
    tone: str = ""
    spark: str = ""


@dataclass
class Section:
    """A titled part of the page: tiles, charts, an optional table, or why it cannot be shown."""

    id: str
    title: str
    lede: str
    charts: list[Chart] = field(default_factory=list)
    tiles: list[Tile] = field(default_factory=list)
    unavailable: str | None = None
    message: str | None = None
    table: list[dict[str, object]] = field(default_factory=list)
    table_title: str = "Load warnings"
    table_source: str = "raw.load_log (status other than loaded)"
    doc: str = ""


def default_path(warehouse: Path, ctx: data.Context) -> Path:
    """`reports/<as-of date>/kpi-report.html` beside the warehouse: one report per data date, kept."""
    return warehouse.resolve().parent / "reports" / ctx.as_of_date.isoformat() / REPORT_NAME


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or a ReportError that says why the file cannot be read."""
    if not warehouse.is_file():
        raise data.ReportError(
            f"warehouse {warehouse} does not exist; give --warehouse or run `throughline run`"
        )
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.IOException as exc:
        holder = re.search(r"PID (\d+)", str(exc))
        who = f"process {holder.group(1)}" if holder else "another process"
        raise data.WarehouseBusy(
            f"cannot open {warehouse} read-only: {who} holds it for writing; retry when it finishes"
        ) from exc


def build_sections(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> list[Section]:
    """Every section of the report, in reading order."""
    return [
        _headline(con, ctx),
        _utilization(con, ctx),
        _backlog(con, ctx),
        _forecasts(con, ctx),
        _margin(con, ctx),
        _receivables(con, ctx),
        _breaks(con, ctx),
        _signals(con),
        _quality(con),
    ]


def _headline(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    rows = data.headline(con, ctx)
    now = rows[-1]
    before = rows[-2] if len(rows) > 1 and rows[-2]["month_start_date"] == ctx.previous else None
    tiles = [_tile(line, now, before, rows) for line in LINES]
    trend = Chart(
        "chart-headline",
        "Revenue and gross margin by month",
        charts.headline_trend(rows, ctx.currency),
        "marts.kpi_firm_monthly (GROUP rows)",
        data.HEADLINE_SQL,
        "Recognized revenue and gross margin in reporting currency; the line is margin % (right axis).",
    )
    change = f"vs {ctx.previous:%B %Y}" if ctx.previous else "no earlier month to compare"
    return Section(
        "headline",
        f"Headline KPIs, {ctx.month:%B %Y}",
        f"The consolidated group (intercompany eliminated), {change}. Sparklines: last {len(rows)} months.",
        charts=[trend],
        tiles=tiles,
        doc="#firm-monthly-headline",
    )


def _tile(line: Line, now: data.Row, before: data.Row | None, rows: list[data.Row]) -> Tile:
    """A KPI tile formatted as the terminal summary; the change is green or red by what a rise means."""
    value = now.get(line.column)
    change, tone = "", ""
    if value is not None and before is not None and before.get(line.column) is not None:
        change = line.change(float(value), float(before[line.column]))
        rise = float(value) - float(before[line.column])
        better = HIGHER_IS_BETTER.get(line.column)
        if better is not None and rise:
            tone = "good" if (rise > 0) == better else "bad"
    return Tile(
        label=line.label,
        value="-" if value is None else line.fmt(float(value)),
        change=change,
        tone=tone,
        spark=sparkline([r.get(line.column) for r in rows]),
    )


def sparkline(values: list[object], width: int = 120, height: int = 28) -> str:
    """An inline SVG polyline of the values (None skipped); empty when fewer than two points."""
    points = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    low, high = min(v for _, v in points), max(v for _, v in points)
    span, last = (high - low) or 1.0, max(len(values) - 1, 1)
    xy = [(2 + i * (width - 4) / last, height - 3 - (v - low) * (height - 6) / span) for i, v in points]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    cx, cy = xy[-1]
    return (
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'aria-hidden="true">'
        f'<polyline points="{path}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="2.2" fill="currentColor"/></svg>'
    )


def _utilization(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    chart = Chart(
        "chart-utilization",
        "Billable utilization by practice",
        charts.utilization(data.utilization_by_practice(con, ctx), data.utilization_firm(con, ctx)),
        "marts.kpi_utilization_monthly; firm line: marts.kpi_utilization_entity_monthly (GROUP)",
        data.UTILIZATION_SQL,
        "Σ billable hours ÷ Σ net capacity per practice (resources in firm totals); the dotted line is the "
        "capacity-weighted firm target.",
    )
    return Section(
        "utilization",
        "Utilization by practice",
        "Are the practices selling the time they have? Net capacity excludes holidays and approved time off.",
        charts=[chart],
        doc="#utilization",
    )


def _backlog(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    wf = data.backlog_waterfall(con, ctx)
    section = Section(
        "backlog",
        "Backlog roll-forward",
        "Contracted revenue not yet recognized: what came in, what was delivered, what was released.",
        doc="#backlog-roll-forward",
    )
    if wf is None:
        section.unavailable = "marts.kpi_backlog_rollforward has no month up to the as-of month yet."
        return section
    note = "Opening + movements = closing (revenue basis, reporting currency at the month-end rate)."
    if wf.fx_missing_rows:
        note += f" {wf.fx_missing_rows} contract row(s) without an FX rate are left out."
    section.charts = [
        Chart(
            "chart-backlog-waterfall",
            f"Backlog roll-forward, {wf.month:%B %Y}",
            charts.backlog_waterfall(wf, ctx.currency),
            "marts.kpi_backlog_rollforward",
            data.BACKLOG_SQL,
            note,
        ),
        Chart(
            "chart-backlog-trend",
            "Backlog at month end",
            charts.backlog_trend(data.backlog_trend(con, ctx), ctx.currency),
            "marts.kpi_backlog_rollforward",
            data.BACKLOG_TREND_SQL,
            "Σ closing backlog over contracts.",
        ),
    ]
    return section


def _forecasts(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    section = Section(
        "forecasts",
        "Forecasts and their accuracy",
        "Revenue as forecast at each month start (frozen, never rewritten) against what was recognized.",
        doc="#forecasts-and-their-accuracy",
    )
    fc = data.forecasts(con, ctx)
    if fc is None or not fc.past:
        section.unavailable = "marts.kpi_forecast_accuracy_monthly has no scored month in the window yet."
        return section
    section.charts = [
        Chart(
            "chart-forecast-vs-actual",
            "Revenue: forecast vs actual",
            charts.forecast_vs_actual(fc, ctx.currency),
            "marts.kpi_forecast_accuracy_monthly; ahead: marts.kpi_forecast_snapshots, "
            "marts.forecast_statistical_monthly",
            "\n\n".join([data.FORECAST_SQL, data.FORECAST_AHEAD_SQL, data.STATISTICAL_AHEAD_SQL]),
            "Schedule-based forecast (backlog schedules, staffed T&M, retainers, weighted pipeline) frozen "
            "1 and 3 months before each month; dotted: the latest snapshot and the statistical forecast "
            "ahead.",
        ),
        Chart(
            "chart-forecast-accuracy",
            "Forecast accuracy trend",
            charts.forecast_accuracy(fc.accuracy),
            "marts.kpi_forecast_accuracy_monthly",
            data.ACCURACY_SQL,
            "WAPE = Σ|actual − forecast| ÷ Σ actual over practices / resources (lower is better); dotted: "
            "revenue from the opening backlog ÷ its scheduled conversion (100 % = on plan).",
        ),
    ]
    return section


def _margin(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    best, worst = data.margin_by_engagement(con, ctx)
    window = f"{ctx.first_trend_month:%b %Y} – {ctx.month:%b %Y}"
    note = (
        f"Gross margin (revenue − labour, contractor and expense cost), {window}; label: margin and margin %."
    )
    section = Section(
        "margin",
        "Margin by engagement",
        f"The ten engagements that made the most and the ten that made the least over the last twelve months "
        f"({window}).",
        doc="#project-gross-margin-period-and-inception-to-date",
    )
    if not best:
        section.unavailable = "marts.kpi_project_margin_monthly has no engagement with revenue or cost yet."
        return section
    section.charts.append(
        Chart(
            "chart-margin-best",
            "Best ten",
            charts.margin_bars(best, ctx.currency, charts.GOOD),
            "marts.kpi_project_margin_monthly",
            data.MARGIN_SQL,
            note,
        )
    )
    if worst:
        section.charts.append(
            Chart(
                "chart-margin-worst",
                "Worst ten",
                charts.margin_bars(worst, ctx.currency, charts.BAD),
                "marts.kpi_project_margin_monthly",
                data.MARGIN_SQL,
                note,
            )
        )
    return section


def _receivables(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    return Section(
        "receivables",
        "Cash: DSO and AR aging",
        "How long clients take to pay, and how old what they owe is.",
        charts=[
            Chart(
                "chart-dso",
                "DSO trend",
                charts.dso(data.dso_trend(con, ctx)),
                "marts.kpi_dso_monthly (GROUP)",
                data.DSO_SQL,
                "Simple DSO = AR ÷ credit sales of the last 90 days × 90; count-back exhausts "
                "monthly sales from the latest backwards.",
            ),
            Chart(
                "chart-aging",
                f"AR aging, {ctx.month:%B %Y} month end",
                charts.aging(data.aging_profile(con, ctx), ctx.currency),
                "marts.kpi_ar_aging_monthly",
                data.AGING_SQL,
                "Open invoices (incl. tax, net of unapplied credits) by days past due, "
                "stacked by legal entity; intercompany excluded. Negative: credits not yet applied.",
            ),
        ],
        doc="#dso-aging-wip-and-lock-up",
    )


def _breaks(con: duckdb.DuckDBPyConnection, ctx: data.Context) -> Section:
    found = data.open_breaks(con)
    section = Section(
        "breaks",
        "Open reconciliation breaks",
        "Where the systems disagree: who owns each break, which check raised it, how old it is, and the "
        "money at risk.",
    )
    if found.missing:
        section.unavailable = f"Not available in this warehouse: {found.missing}."
        return section
    total = sum(int(r["open_breaks"]) for r in found.by_owner)
    if not total:
        section.tiles = [Tile("Open breaks", "0", tone="good")]
        section.message = "No open breaks in marts.recon_summary: every reconciliation check agrees tonight."
        return section
    at_risk = sum(float(r["amount_at_risk_reporting"] or 0) for r in found.by_owner)
    section.tiles = [
        Tile("Open breaks", f"{total:,}"),
        Tile("Money at risk", money(at_risk)),
        Tile("Owners with breaks", f"{len({r['owner'] for r in found.by_owner})}"),
        Tile("Checks with breaks", f"{len(found.by_check)}"),
    ]
    src = "marts.recon_summary"
    section.charts = [
        Chart(
            "chart-breaks-owner",
            "Money at risk by owner",
            charts.breaks_by_owner(found.by_owner, ctx.currency),
            src,
            found.sql,
            "Stacked by severity; hover for the number of breaks.",
        ),
        Chart(
            "chart-breaks-check",
            "Checks with the most money at risk",
            charts.breaks_by_check(found.by_check, ctx.currency),
            src,
            found.sql,
            "Top 15 checks.",
        ),
        Chart(
            "chart-breaks-age",
            "Open breaks by age",
            charts.breaks_by_age(found.by_age),
            src,
            found.sql,
            "Stacked by severity.",
        ),
    ]
    return section


SIGNALS_SQL = """select source_id as detector, owner, record_key as record, round(score, 2) as score,
    round(amount_at_risk, 0) as at_risk, currency_code as currency, reason
from marts.exceptions where source_kind = 'detector' and not is_waived
qualify row_number() over (partition by source_id order by score desc, record_key) <= 5
order by source_id, score desc"""


def _signals(con: duckdb.DuckDBPyConnection) -> Section:
    """Anomaly signals from the exception queue: the top five per detector, with their reasons."""
    section = Section(
        "signals",
        "Anomaly signals",
        "What no rule names: unusual claims, padded or off-day time, projects burning ahead of plan, clients "
        "paying later, invoices likely to be paid late (docs/anomalies.md).",
    )
    if "source_kind" not in data.columns(con, "marts", "exceptions"):
        section.unavailable = "Not available in this warehouse: marts.exceptions is missing."
        return section
    rows = data.fetch(con, SIGNALS_SQL)
    detectors = {r["detector"] for r in rows}
    section.tiles = [Tile("Detectors with signals", f"{len(detectors)}")]
    if not rows:
        section.message = "No open anomaly signals tonight."
        return section
    section.table = [dict(r) for r in rows]
    section.table_title = "Top signals per detector (not waived)"
    section.table_source = "marts.exceptions (source_kind = 'detector')"
    return section


def _quality(con: duckdb.DuckDBPyConnection) -> Section:
    q = data.data_quality(con)
    section = Section(
        "quality",
        "Data quality of the loads",
        "What the nightly loads took in from each source system, and what they set aside.",
    )
    if q is None:
        section.unavailable = "Not available in this warehouse: raw.load_log is missing."
        return section
    files = sum(int(r["files"]) for r in q.loads)
    quarantined = sum(int(r["rows_quarantined"]) for r in q.rejects)
    latest = f"{q.latest_extract:%d %b %Y}" if q.latest_extract else "-"
    section.tiles = [
        Tile("Extract files loaded", f"{files:,}"),
        Tile("Rows loaded", money(float(sum(int(r["rows_loaded"] or 0) for r in q.loads)))),
        Tile("Rows quarantined", f"{quarantined:,}", tone="bad" if quarantined else "good"),
        Tile("Load warnings", f"{len(q.warnings):,}", tone="bad" if q.warnings else "good"),
        Tile("Latest extract", latest),
    ]
    section.charts.append(
        Chart(
            "chart-loads",
            "Extract files by system and status",
            charts.loads(q.loads),
            "raw.load_log",
            data.LOADS_SQL.format(current="superseded_by is null"),
            "One file per object and extract date.",
        )
    )
    if q.rejects:
        section.charts.append(
            Chart(
                "chart-rejects",
                "Rows quarantined by rule",
                charts.rejects(q.rejects),
                "raw.rejects",
                data.REJECTS_SQL,
                "Rows that broke a source contract; the rest of the file was loaded.",
            )
        )
    section.table = [
        {k: r[k] for k in ("extract_date", "system", "object", "status", "message")} for r in q.warnings
    ]
    return section


def chart_html(chart: Chart) -> str:
    """The chart's div and its figure as JSON; the page draws every chart once the layout is final.

    Drawing from one script at the end of the page (not plotly's inline script per div) matters: an inline
    script runs before the next card of the grid exists and sizes its chart to the whole row.
    """
    figure = pio.to_json(chart.figure, validate=False).replace("</", "<\\/")
    height = chart.figure.layout.height or 340
    return (
        f'<div id="{chart.id}" class="chart" data-figure="{chart.id}-figure" '
        f'style="height:{height}px"></div>\n'
        f'<script type="application/json" id="{chart.id}-figure">{figure}</script>'
    )


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("throughline.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    return env


def render_html(warehouse: Path, con: duckdb.DuckDBPyConnection, ctx: data.Context) -> str:
    """The whole page as a string."""
    sections = build_sections(con, ctx)
    for section in sections:
        for chart in section.charts:
            chart.html = chart_html(chart)
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            ctx=ctx,
            sections=sections,
            plotly_js=get_plotlyjs(),
            plotly_config=json.dumps(PLOTLY_CONFIG),
            warehouse=warehouse.resolve(),
            generated=datetime.now().astimezone().strftime("%d %b %Y %H:%M %Z"),
            metrics_doc=METRICS_DOC,
        )
    )


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target and rename, so a reader never opens a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a report is for the team
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
