"""The report's charts: plotly figures built from the rows of throughline/report/data.py.

One look for all of them (white background, the report's palette, money axes scaled to k/m with the same
suffixes as the tiles, hover labels with the full formatted value), so a reader compares charts without
re-reading axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from throughline.report import data
from throughline.report.formats import money, money_scale, pct

PALETTE = ["#2f5d8a", "#e07a2f", "#3a9d7a", "#c44e52", "#8172b2", "#937860", "#da8bc3", "#8c8c8c", "#ccb974"]
GOOD, BAD, TOTAL, INK, MUTED = "#3a9d7a", "#c44e52", "#2f5d8a", "#1f2933", "#7b8794"
SEVERITY_COLOURS = {"critical": "#8b1e2d", "high": "#c44e52", "medium": "#e07a2f", "low": "#ccb974"}


def _layout(fig: go.Figure, height: int = 340, **extra: object) -> go.Figure:
    settings: dict[str, object] = {
        "template": "plotly_white",
        "colorway": PALETTE,
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 40},
        "font": {
            "family": "Inter, 'Segoe UI', system-ui, -apple-system, sans-serif",
            "size": 12,
            "color": INK,
        },
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 11}},
        "hoverlabel": {"font": {"size": 12}},
        "hovermode": "x unified",
    }
    fig.update_layout(**(settings | extra))
    fig.update_xaxes(showgrid=False, linecolor="#d9dee4")
    fig.update_yaxes(gridcolor="#eef1f4", zerolinecolor="#c9d0d8")
    return fig


def _money_axis(fig: go.Figure, values: Sequence[float | None], currency: str, **axis: object) -> float:
    """Scale a money axis to k/m (ticks '2.5m'); returns the divisor the traces must use."""
    size, suffix = money_scale(values)
    fig.update_yaxes(ticksuffix=suffix, tickformat=",.1f" if size > 1 else ",.0f", title=currency, **axis)
    return size


def _scaled(values: Sequence[float | None], size: float) -> list[float | None]:
    return [None if v is None else v / size for v in values]


def headline_trend(rows: list[data.Row], currency: str) -> go.Figure:
    """Revenue and gross margin bars per month with the margin % line on a second axis."""
    months = [r["month_start_date"] for r in rows]
    revenue = [_float(r["revenue_reporting"]) for r in rows]
    margin = [_float(r["margin_reporting"]) for r in rows]
    fig = go.Figure()
    size = _money_axis(fig, revenue + margin, currency)
    for name, values, colour in (("Revenue", revenue, TOTAL), ("Gross margin", margin, GOOD)):
        fig.add_bar(
            x=months,
            y=_scaled(values, size),
            name=name,
            marker_color=colour,
            customdata=[money(v) for v in values],
            hovertemplate="%{customdata}",
        )
    fig.add_scatter(
        x=months,
        y=[r["margin_pct"] for r in rows],
        name="Margin %",
        yaxis="y2",
        mode="lines+markers",
        line={"color": PALETTE[1], "width": 2},
        hovertemplate="%{y:.1%}",
    )
    _layout(fig, yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "showgrid": False})
    fig.update_xaxes(tickformat="%b %y", dtick="M1")
    return fig


def utilization(practices: list[data.Row], firm: list[data.Row]) -> go.Figure:
    """Billable utilization per practice over time, the firm (GROUP) line and its target on top."""
    fig = go.Figure()
    names = sorted({str(r["practice_name"]) for r in practices})
    for name in names:
        rows = [r for r in practices if r["practice_name"] == name]
        fig.add_scatter(
            x=[r["month_start_date"] for r in rows],
            y=[r["billable_utilization"] for r in rows],
            name=name,
            mode="lines",
            line={"width": 1.6},
            hovertemplate="%{y:.1%}",
        )
    months = [r["month_start_date"] for r in firm]
    fig.add_scatter(
        x=months,
        y=[r["billable_utilization"] for r in firm],
        name="Firm",
        mode="lines+markers",
        line={"color": INK, "width": 3},
        hovertemplate="%{y:.1%}",
    )
    fig.add_scatter(
        x=months,
        y=[r["target_utilization"] for r in firm],
        name="Firm target",
        mode="lines",
        line={"color": MUTED, "width": 2, "dash": "dot"},
        hovertemplate="%{y:.1%}",
    )
    _layout(fig, height=380)
    fig.update_yaxes(tickformat=".0%", title="billable hours ÷ capacity")
    fig.update_xaxes(tickformat="%b %y", dtick="M1")
    return fig


def backlog_waterfall(wf: data.Waterfall, currency: str) -> go.Figure:
    """Opening backlog, each movement of the roll-forward, closing backlog: a horizontal plotly Waterfall,
    read top to bottom like the roll-forward table in a board pack."""
    labels = ["Opening"] + [label for label, _ in wf.steps] + ["Closing"]
    values = [wf.opening] + [v for _, v in wf.steps] + [wf.closing]
    size, suffix = money_scale([wf.opening, wf.closing])
    fig = go.Figure()
    fig.add_trace(
        go.Waterfall(
            y=labels,
            x=_scaled(values, size),
            orientation="h",
            measure=["absolute"] + ["relative"] * len(wf.steps) + ["total"],
            text=[money(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
            increasing={"marker": {"color": GOOD}},
            decreasing={"marker": {"color": BAD}},
            totals={"marker": {"color": TOTAL}},
            connector={"line": {"color": "#c9d0d8", "width": 1}},
            showlegend=False,
        )
    )
    _layout(fig, height=420, hovermode="closest")
    fig.update_layout(margin={"l": 170, "r": 56, "t": 8, "b": 40})
    fig.update_yaxes(autorange="reversed", gridcolor="rgba(0,0,0,0)")
    fig.update_xaxes(
        ticksuffix=suffix, tickformat=",.1f" if size > 1 else ",.0f", title=currency, showgrid=True
    )
    return fig


def backlog_trend(rows: list[data.Row], currency: str) -> go.Figure:
    """Closing backlog at each month end."""
    values = [_float(r["closing_reporting"]) for r in rows]
    fig = go.Figure()
    size = _money_axis(fig, values, currency)
    fig.add_scatter(
        x=[r["month_start_date"] for r in rows],
        y=_scaled(values, size),
        name="Backlog",
        mode="lines+markers",
        fill="tozeroy",
        line={"color": TOTAL, "width": 2},
        fillcolor="rgba(47,93,138,0.12)",
        customdata=[money(v) for v in values],
        hovertemplate="%{customdata}",
    )
    _layout(fig, height=380, showlegend=False)
    fig.update_xaxes(tickformat="%b %y", dtick="M2")
    return fig


def margin_bars(rows: list[data.Row], currency: str, colour: str) -> go.Figure:
    """Horizontal bars of gross margin per engagement, largest on top; hover: revenue and margin %.

    In the worst list a loss is red and a small positive margin a pale red: "worst" is not always a loss.
    """
    rows = list(reversed(rows))  # plotly draws the first bar at the bottom
    values = [_float(r["margin_reporting"]) for r in rows]
    size, suffix = money_scale(values)
    fig = go.Figure()
    fig.add_bar(
        y=[f"{r['project_code']} · {_short(str(r['client_name']), 22)}" for r in rows],
        x=_scaled(values, size),
        orientation="h",
        marker_color=[colour if colour == GOOD or (v or 0) < 0 else "#e3a0a3" for v in values],
        text=[f"{money(v)}  ({_margin_pct(r['margin_pct'])})" for v, r in zip(values, rows, strict=True)],
        textposition="auto",
        cliponaxis=False,
        customdata=[[str(r["project_name"]), money(_float(r["revenue_reporting"]))] for r in rows],
        hovertemplate="%{customdata[0]}<br>margin %{text}<br>revenue %{customdata[1]}<extra></extra>",
    )
    _layout(fig, height=max(220, 34 * len(rows) + 60), hovermode="closest", showlegend=False)
    fig.update_layout(margin={"l": 190, "r": 48, "t": 8, "b": 36})
    fig.update_xaxes(
        ticksuffix=suffix, tickformat=",.1f" if size > 1 else ",.0f", title=currency, showgrid=True
    )
    fig.update_yaxes(gridcolor="rgba(0,0,0,0)")
    return fig


def dso(rows: list[data.Row]) -> go.Figure:
    """Group DSO per month: simple (90-day), count-back and best possible."""
    fig = go.Figure()
    months = [r["month_start_date"] for r in rows]
    for name, col, style in (
        ("DSO (90-day simple)", "dso_simple_days", {"color": TOTAL, "width": 3}),
        ("DSO (count-back)", "dso_countback_days", {"color": PALETTE[1], "width": 2}),
        ("Best possible DSO", "bpdso_days", {"color": MUTED, "width": 2, "dash": "dot"}),
    ):
        fig.add_scatter(
            x=months,
            y=[r[col] for r in rows],
            name=name,
            mode="lines+markers",
            line=style,
            hovertemplate="%{y:.1f} d",
        )
    _layout(fig)
    fig.update_yaxes(ticksuffix=" d", title="days", rangemode="tozero")
    fig.update_xaxes(tickformat="%b %y", dtick="M2")
    return fig


def aging(rows: list[data.Row], currency: str) -> go.Figure:
    """Open AR by aging bucket, stacked by legal entity (intercompany excluded, as in the GROUP row)."""
    buckets = [b for _, b in sorted({(r["aging_bucket_order"], r["aging_bucket"]) for r in rows})]
    entities = sorted({str(r["entity"]) for r in rows if r["entity"] != "GROUP"})
    fig = go.Figure()
    size = _money_axis(
        fig, [_float(r["open_amount_reporting"]) for r in rows if r["entity"] == "GROUP"], currency
    )
    for entity in entities:
        amounts = {
            r["aging_bucket"]: _float(r["open_amount_reporting"]) for r in rows if r["entity"] == entity
        }
        values = [amounts.get(b, 0.0) for b in buckets]
        fig.add_bar(
            x=buckets,
            y=_scaled(values, size),
            name=entity,
            customdata=[money(v) for v in values],
            hovertemplate="%{customdata}",
        )
    _layout(fig, barmode="relative")
    return fig


def breaks_by_owner(rows: list[data.Row], currency: str) -> go.Figure:
    """Money at risk per owner, stacked by severity; the hover adds the number of open breaks."""
    owners = sorted(
        {str(r["owner"]) for r in rows}, key=lambda o: -sum(_at_risk(r) for r in rows if r["owner"] == o)
    )
    breaks = {o: sum(int(r["open_breaks"]) for r in rows if r["owner"] == o) for o in owners}
    labels = [f"{o} ({breaks[o]})" for o in owners][::-1]  # the count shows even with nothing at risk
    fig = go.Figure()
    size, suffix = money_scale([sum(_at_risk(r) for r in rows if r["owner"] == o) for o in owners])
    for severity in _severities(rows):
        cells = {r["owner"]: r for r in rows if r["severity"] == severity}
        amounts = [_at_risk(cells[o]) if o in cells else 0.0 for o in owners]
        counts = [int(cells[o]["open_breaks"]) if o in cells else 0 for o in owners]
        fig.add_bar(
            y=labels,
            x=_scaled(amounts[::-1], size),
            name=severity,
            orientation="h",
            marker_color=SEVERITY_COLOURS.get(severity.lower()),
            customdata=[[money(a), c] for a, c in zip(amounts[::-1], counts[::-1], strict=True)],
            hovertemplate=f"{severity}: %{{customdata[0]}} at risk, %{{customdata[1]}} breaks<extra></extra>",
        )
    _layout(fig, height=max(240, 30 * len(owners) + 90), barmode="stack", hovermode="closest")
    fig.update_layout(margin={"l": 140, "r": 16, "t": 16, "b": 40})
    fig.update_xaxes(ticksuffix=suffix, title=f"amount at risk, {currency}", showgrid=True)
    return fig


def breaks_by_check(rows: list[data.Row], currency: str, limit: int = 15) -> go.Figure:
    """The checks with the most money at risk (bars), labelled with their number of open breaks."""
    rows = sorted(rows, key=lambda r: (-_at_risk(r), -int(r["open_breaks"])))[:limit][::-1]
    values = [_at_risk(r) for r in rows]
    size, suffix = money_scale(values)
    fig = go.Figure()
    fig.add_bar(
        y=[f"{r['check_id']}" + (f" · {r['check_family']}" if r["check_family"] else "") for r in rows],
        x=_scaled(values, size),
        orientation="h",
        marker_color=BAD,
        text=[f"{int(r['open_breaks'])} open · {money(v)}" for r, v in zip(rows, values, strict=True)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}: %{text}<extra></extra>",
    )
    _layout(fig, height=max(240, 30 * len(rows) + 70), hovermode="closest", showlegend=False)
    fig.update_layout(margin={"l": 200, "r": 110, "t": 8, "b": 40})
    fig.update_xaxes(ticksuffix=suffix, title=f"amount at risk, {currency}", showgrid=True)
    return fig


def breaks_by_age(rows: list[data.Row]) -> go.Figure:
    """Open breaks per age band, stacked by severity: are breaks being worked or piling up?"""
    bands = list(dict.fromkeys(str(r["age_band"]) for r in rows))
    fig = go.Figure()
    for severity in _severities(rows):
        cells = {r["age_band"]: r for r in rows if r["severity"] == severity}
        counts = [int(cells[b]["open_breaks"]) if b in cells else 0 for b in bands]
        amounts = [money(_at_risk(cells[b])) if b in cells else "0" for b in bands]
        fig.add_bar(
            x=bands,
            y=counts,
            name=severity,
            marker_color=SEVERITY_COLOURS.get(severity.lower()),
            customdata=amounts,
            hovertemplate=f"{severity}: %{{y}} breaks, %{{customdata}} at risk",
        )
    _layout(fig, barmode="stack")
    fig.update_yaxes(title="open breaks")
    return fig


def loads(rows: list[data.Row]) -> go.Figure:
    """Extract files per source system, stacked by load status (loaded, with rejects, empty, ...)."""
    systems = sorted({str(r["system"]) for r in rows})
    colours = {"loaded": GOOD, "loaded_with_rejects": PALETTE[1], "empty": "#ccb974"}
    fig = go.Figure()
    for status in sorted({str(r["status"]) for r in rows}):
        cells = {r["system"]: r for r in rows if r["status"] == status}
        fig.add_bar(
            x=systems,
            y=[int(cells[s]["files"]) if s in cells else 0 for s in systems],
            name=status,
            marker_color=colours.get(status, BAD),
            hovertemplate=f"{status}: %{{y}} files",
        )
    _layout(fig, height=300, barmode="stack")
    fig.update_yaxes(title="files")
    return fig


def rejects(rows: list[data.Row]) -> go.Figure:
    """Quarantined rows (raw.rejects) by rule, stacked by source system."""
    rules = sorted({str(r["rule"]) for r in rows})
    fig = go.Figure()
    for system in sorted({str(r["system"]) for r in rows}):
        cells = {r["rule"]: r for r in rows if r["system"] == system}
        fig.add_bar(
            x=rules,
            y=[int(cells[u]["rows_quarantined"]) if u in cells else 0 for u in rules],
            name=system,
            hovertemplate=f"{system}: %{{y}} rows",
        )
    _layout(fig, height=300, barmode="stack")
    fig.update_yaxes(title="rows quarantined", rangemode="tozero", dtick=1 if len(rows) < 10 else None)
    return fig


def _margin_pct(value: object) -> str:
    return "no revenue" if value is None else pct(float(value), 0)


def _float(value: object) -> float | None:
    return None if value is None else float(value)


def _at_risk(row: data.Row) -> float:
    return float(row["amount_at_risk_reporting"] or 0.0)


def _severities(rows: list[data.Row]) -> list[str]:
    order = list(SEVERITY_COLOURS)
    found = {str(r["severity"]) for r in rows}
    return sorted(found, key=lambda s: (order.index(s.lower()) if s.lower() in order else len(order), s))


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def forecast_vs_actual(fc: data.Forecasts, currency: str) -> go.Figure:
    """Actual firm revenue against the schedule forecast frozen 1 and 3 months before, then the latest
    snapshot's forecast (and the statistical one) for the months ahead."""
    actual = {r["month_start_date"]: _float(r["actual_reporting"]) for r in fc.past}
    series = [("Actual", sorted(actual), list(actual[m] for m in sorted(actual)), TOTAL, "solid")]
    for h, colour in ((1, PALETTE[1]), (3, PALETTE[4])):
        rows = [r for r in fc.past if r["horizon_months"] == h]
        series.append(
            (
                f"Forecast {h} month(s) ahead",
                [r["month_start_date"] for r in rows],
                [_float(r["forecast_reporting"]) for r in rows],
                colour,
                "dash",
            )
        )
    ahead = (
        "Latest snapshot",
        [r["month_start_date"] for r in fc.ahead],
        [_float(r["forecast_reporting"]) for r in fc.ahead],
        PALETTE[2],
        "dot",
    )
    stat = (
        "Statistical (Holt-Winters)",
        [r["month_start_date"] for r in fc.statistical],
        [_float(r["forecast_reporting"]) for r in fc.statistical],
        MUTED,
        "dot",
    )
    series += [s for s in (ahead, stat) if s[1]]
    fig = go.Figure()
    size = _money_axis(fig, [v for s in series for v in s[2]], currency)
    for name, months, values, colour, dash in series:
        fig.add_scatter(
            x=months,
            y=_scaled(values, size),
            name=name,
            mode="lines+markers",
            line={"color": colour, "width": 2, "dash": dash},
            customdata=[money(v) for v in values],
            hovertemplate="%{customdata}",
        )
    _layout(fig, height=380)
    fig.update_xaxes(tickformat="%b %y", dtick="M2")
    return fig


def forecast_accuracy(rows: list[data.Row]) -> go.Figure:
    """WAPE per month (Σ|A - F| ÷ Σ A, lower is better) of revenue by practice and utilization by resource."""
    labels = {
        ("revenue", 1): "Revenue by practice, 1 month ahead",
        ("revenue", 3): "Revenue by practice, 3 months ahead",
        ("utilization", 1): "Utilization by resource, 1 month ahead",
        ("backlog_conversion", 1): "Backlog conversion (actual ÷ scheduled)",
    }
    fig = go.Figure()
    for i, ((kind, h), label) in enumerate(labels.items()):
        picked = [r for r in rows if r["kind"] == kind and r["horizon_months"] == h]
        field = "conversion_ratio" if kind == "backlog_conversion" else "wape"
        fig.add_scatter(
            x=[r["month_start_date"] for r in picked],
            y=[_float(r[field]) for r in picked],
            name=label,
            mode="lines+markers",
            line={"color": PALETTE[i], "width": 2, "dash": "dot" if field == "conversion_ratio" else "solid"},
            hovertemplate="%{y:.1%}",
        )
    _layout(fig, height=340)
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig.update_xaxes(tickformat="%b %y", dtick="M2")
    return fig
