"""The break list a controller reads every morning: a one-screen summary and ``throughline breaks``.

Both read the published warehouse only (``marts.recon_breaks``, ``marts.recon_break_history``,
``marts.dim_client``), so what they print is what an analyst gets from SQL. The summary is printed after the
KPI summary by ``throughline demo`` and ``throughline run``; ``throughline breaks`` lists breaks with filters
and writes them to CSV (``--csv``) for the review, where the controller's decisions file starts from.
"""

from __future__ import annotations

import argparse
import csv
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from throughline.recon_docs import OWNERS

#: Every break ever found, tonight's facts (waiver, age) where it is still open. Filters are appended.
LIST_SQL = """
    select h.check_id, h.check_family, h.severity, h.owner, h.status,
           coalesce(b.is_waived, false) as is_waived, coalesce(b.is_acknowledged, false) as is_acknowledged,
           h.source_system, h.source_object, h.record_key, h.related_keys,
           h.client_key, c.client_name, h.project_key, h.legal_entity_key, h.currency_code,
           h.amount_at_risk, h.amount_at_risk_reporting, h.event_date,
           coalesce(b.age_days, h.age_days) as age_days, h.first_seen_on, h.last_seen_on, h.resolved_on,
           h.times_reopened, b.decision, b.waiver_reason, b.decided_by, b.waiver_expires_on, h.check_title,
           h.break_id
    from marts.recon_break_history h
    left join marts.recon_breaks b using (break_id)
    left join marts.dim_client c on c.client_key = h.client_key
"""

STATUSES = ("new", "open", "reopened", "resolved", "unresolved", "waived", "all")


class BreaksError(Exception):
    """The warehouse cannot answer (missing, busy, or built before the reconciliation marts)."""


@dataclass(frozen=True)
class Filters:
    check: str | None = None
    owner: str | None = None
    client: str | None = None
    min_age: int | None = None
    status: str = "unresolved"


def _where(f: Filters) -> tuple[str, list[object]]:
    """SQL predicate and parameters for the filters (check id or family; client key or name part)."""
    parts: list[str] = ["true"]
    params: list[object] = []
    if f.check:
        parts.append("(upper(h.check_id) = upper(?) or upper(h.check_family) = upper(?))")
        params += [f.check, f.check]
    if f.owner:
        parts.append("lower(h.owner) = lower(?)")
        params.append(f.owner)
    if f.client:
        parts.append("(h.client_key = ? or c.client_name ilike ?)")
        params += [f.client, f"%{f.client}%"]
    if f.min_age is not None:
        parts.append("coalesce(b.age_days, h.age_days) >= ?")
        params.append(f.min_age)
    status = {
        "unresolved": "h.status <> 'resolved'",
        "waived": "coalesce(b.is_waived, false)",
        "all": "true",
    }.get(f.status)
    if status is None:
        status, params = "h.status = ?", [*params, f.status]
    return " and ".join([*parts, status]), params


def _connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise BreaksError(f"no warehouse at {warehouse}; run `throughline run` or `throughline demo` first")
    try:
        return duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as exc:
        raise BreaksError(
            f"cannot open {warehouse} read-only ({exc}); is a run writing it? retry after"
        ) from exc


def list_breaks(warehouse: Path, filters: Filters) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of the breaks matching ``filters``, highest money at risk first."""
    where, params = _where(filters)
    order = "h.amount_at_risk_reporting desc nulls last, h.check_id, h.record_key"
    sql = f"{LIST_SQL} where {where} order by {order}"
    with _connect(warehouse) as con:
        try:
            cur = con.execute(sql, params)
        except duckdb.CatalogException as exc:
            raise BreaksError(
                f"{warehouse} has no reconciliation marts ({exc}); run the nightly on it"
            ) from exc
        return [d[0] for d in cur.description], cur.fetchall()


def write_csv(path: Path, columns: list[str], rows: list[tuple]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _money(v: float | None) -> str:
    return "" if v is None else f"{v:,.0f}"


def render_list(columns: list[str], rows: list[tuple], limit: int = 50) -> str:
    """A terminal table of the most important columns (the CSV export has them all)."""
    show = [
        "check_id",
        "severity",
        "owner",
        "status",
        "client_name",
        "record_key",
        "age_days",
        "amount_at_risk_reporting",
    ]
    idx = [columns.index(c) for c in show]
    waived = columns.index("is_waived")
    lines = [
        f"{'check':<28} {'sev':<5} {'owner':<20} {'status':<9} {'client':<24} {'record':<32} "
        f"{'age':>5} {'at risk':>12}"
    ]
    for r in rows[:limit]:
        check, sev, owner, status, client, key, age, risk = (r[i] for i in idx)
        status = f"{status}{'*' if r[waived] else ''}"
        lines.append(
            f"{check:<28} {sev:<5} {owner:<20} {status:<9} {(client or '')[:24]:<24} "
            f"{key[:32]:<32} {'' if age is None else age:>5} {_money(risk):>12}"
        )
    more = f"; showing {limit} (use --csv for all)" if len(rows) > limit else ""
    lines.append(f"{len(rows)} break(s){more}; * = waived")
    return "\n".join(lines)


def _over_threshold(families: list[tuple]) -> list[str]:
    """Families whose open, unwaived error-severity breaks exceed their threshold (dbt vars)."""
    from throughline.recon_docs import load_vars

    values = load_vars()
    default = int(values.get("recon_error_threshold_default") or 0)
    per_family = {str(k): int(v) for k, v in (values.get("recon_error_thresholds") or {}).items()}
    return [f for f, _, errors in families if errors > per_family.get(f, default)]


SUMMARY_SQL = """
    select owner, severity, sum(open_breaks), sum(waived_breaks), sum(amount_at_risk_reporting),
           max(detected_on)
    from marts.recon_summary group by owner, severity order by owner, severity
"""


def render(warehouse: Path) -> str:
    """The morning summary: open (not waived) breaks by owner and severity, money at risk, where to look."""
    try:
        with _connect(warehouse) as con:
            rows = con.execute(SUMMARY_SQL).fetchall()
            families = con.execute(
                "select check_family, count(*), count(*) filter (where severity = 'error') "
                "from marts.recon_breaks where not is_waived group by 1 order by 2 desc, 1"
            ).fetchall()
    except (BreaksError, duckdb.Error) as exc:
        return f"Reconciliation breaks: not available ({exc})"
    if not rows:
        return "Reconciliation breaks: none open tonight."
    lines = [
        f"Reconciliation breaks (night of {max(r[5] for r in rows)}): open = not waived; "
        "money at risk in the reporting currency",
        f"  {'owner':<22} {'severity':<8} {'open':>6} {'waived':>7} {'at risk':>14}",
    ]
    for owner, severity, open_n, waived_n, risk, _ in rows:
        lines.append(
            f"  {OWNERS.get(owner, owner):<22} {severity:<8} {open_n:>6} {waived_n:>7} {_money(risk):>14}"
        )
    total_open = sum(r[2] for r in rows)
    total_risk = sum(float(r[4] or 0) for r in rows)
    lines.append(
        f"  {'total':<22} {'':<8} {total_open:>6} {sum(r[3] for r in rows):>7} {_money(total_risk):>14}"
    )
    lines.append("  by family: " + ", ".join(f"{f} {n}" for f, n, _ in families))
    over = _over_threshold(families)
    if over:
        lines.append(
            f"  over their error threshold (failed Dagster check, not blocking): {', '.join(over)}; "
            "waive accepted breaks with `throughline decisions`"
        )
    lines.append(
        "  list them : throughline breaks --warehouse "
        + shlex.quote(str(warehouse))  # a command to copy: quoted for the shell
        + " [--owner billing] [--csv FILE]"
    )
    lines.append(
        "  query them: marts.recon_breaks (tonight), marts.recon_break_history (lifecycle), "
        "marts.recon_summary; docs/reconciliation.md"
    )
    signals = render_signals(warehouse)
    return "\n".join([*lines, signals] if signals else lines)


SIGNALS_SQL = """
    select source_id, count(*) filter (where not is_waived), count(*) filter (where is_waived),
           coalesce(sum(amount_at_risk_reporting) filter (where not is_waived), 0)
    from marts.exceptions where source_kind = 'detector' group by 1 order by 2 desc, 1
"""

SIGNALS_LIST_SQL = """
    select source_id as detector_id, owner, status, is_waived, record_key, client_key, project_key,
           resource_key, round(score, 3) as score, amount_at_risk, currency_code, event_date, reason
    from marts.exceptions where source_kind = 'detector' and (? or not is_waived)
    order by source_id, score desc, record_key
"""


def render_signals(warehouse: Path) -> str:
    """Anomaly signals in the exception queue (marts.exceptions) by detector: the rules nobody wrote."""
    try:
        with _connect(warehouse) as con:
            rows = con.execute(SIGNALS_SQL).fetchall()
    except (BreaksError, duckdb.Error):
        return ""  # a warehouse built before the anomaly detectors: nothing to add
    if not rows:
        return "Anomaly signals: none tonight."
    parts = ", ".join(f"{d} {n}" + (f" ({w} waived)" if w else "") for d, n, w, _ in rows)
    risk = _money(sum(float(r[3]) for r in rows))
    return (
        f"Anomaly signals (open {sum(r[1] for r in rows)}, at risk {risk} reporting currency): "
        f"{parts}\n  list them : throughline breaks --signals; query marts.exceptions; docs/anomalies.md"
    )


def list_signals(warehouse: Path, include_waived: bool) -> tuple[list[str], list[tuple]]:
    """Tonight's anomaly signals from marts.exceptions, best score first within each detector."""
    try:
        with _connect(warehouse) as con:
            cur = con.execute(SIGNALS_LIST_SQL, [include_waived])
            return [d[0] for d in cur.description], cur.fetchall()
    except duckdb.Error as exc:
        raise BreaksError(f"{warehouse} has no marts.exceptions (run the nightly): {exc}") from exc


def render_signal_list(columns: list[str], rows: list[tuple], limit: int = 50) -> str:
    """A terminal table of anomaly signals: detector, owner, status, record, score and the reason."""
    lines = [f"{'detector':<20} {'owner':<20} {'status':<9} {'record':<28} {'score':>8}  reason"]
    at = {c: i for i, c in enumerate(columns)}
    for r in rows[:limit]:
        status = f"{r[at['status']] or ''}{'*' if r[at['is_waived']] else ''}"
        lines.append(
            f"{r[at['detector_id']]:<20} {r[at['owner']]:<20} {status:<9} {r[at['record_key']][:28]:<28} "
            f"{r[at['score']] if r[at['score']] is not None else '':>8}  {r[at['reason']]}"
        )
    more = f"; showing {limit} (use --csv for all)" if len(rows) > limit else ""
    lines.append(f"{len(rows)} signal(s){more}; * = waived")
    return "\n".join(lines)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``throughline breaks``: list reconciliation breaks with filters, optionally to CSV."""
    b = sub.add_parser(
        "breaks",
        help="list reconciliation breaks (marts.recon_breaks + lifecycle) with filters; --csv to export",
        epilog="exit codes: 0 listed (or written), 2 the warehouse cannot answer (missing, busy, no "
        "reconciliation marts) or the CSV file cannot be written",
    )
    b.add_argument(
        "--warehouse",
        default=os.environ.get("THROUGHLINE_WAREHOUSE", "demo/warehouse.duckdb"),
        help="DuckDB warehouse, read-only (default: $THROUGHLINE_WAREHOUSE, else demo/warehouse.duckdb)",
    )
    b.add_argument("--check", help="check id or family, e.g. E2_EXCEEDS_INVOICE or B1")
    b.add_argument("--owner", help="owning team: " + ", ".join(OWNERS))
    b.add_argument("--client", help="client key, or part of the client's name")
    b.add_argument("--min-age", type=int, help="only breaks at least this many days old")
    b.add_argument(
        "--status",
        choices=STATUSES,
        default="unresolved",
        help="lifecycle status; unresolved (default): new, open or reopened; waived: waiver in force",
    )
    b.add_argument("--csv", metavar="FILE", help="write every matching break, all columns, to FILE")
    b.add_argument(
        "--signals",
        action="store_true",
        help="list tonight's anomaly signals (marts.exceptions, docs/anomalies.md) instead of breaks",
    )
    return b


def main(args: argparse.Namespace) -> int:
    """Exit 0 with the list printed (or written), 2 when the warehouse cannot answer or --csv cannot be
    written."""
    filters = Filters(args.check, args.owner, args.client, args.min_age, args.status)
    try:
        if getattr(args, "signals", False):
            columns, rows = list_signals(Path(args.warehouse), args.status in ("waived", "all"))
        else:
            columns, rows = list_breaks(Path(args.warehouse), filters)
    except BreaksError as exc:
        print(f"throughline breaks: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    if args.csv:
        try:  # a folder that is not there yet is made, as `report --out` does; an unwritable one is one line
            Path(args.csv).parent.mkdir(parents=True, exist_ok=True)
            write_csv(Path(args.csv), columns, rows)
        except OSError as exc:
            print(
                f"throughline breaks: cannot write --csv {args.csv} ({exc.strerror or exc}); "
                "give a writable file path",
                file=sys.stderr,
            )
            return 2
        print(f"{len(rows)} break(s) written to {args.csv}")
    elif getattr(args, "signals", False):
        print(render_signal_list(columns, rows))
    else:
        print(render_list(columns, rows))
    return 0
