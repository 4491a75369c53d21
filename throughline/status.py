"""``throughline status``: what an engineer on call checks first, on one screen.

- the last runs of the nightly job from the persistent Dagster instance (``DAGSTER_HOME``, the one
  ``throughline run`` and ``throughline ui`` share): status, start, duration, what started it, and the
  checks that failed (ERROR) or warned (WARN) in them;
- the last failure summary (``<warehouse>.last_failure.txt``) when the latest run failed;
- the freshness of each source system, measured as the source freshness checks measure it
  (``orchestration.freshness``): last extract date, when its last file arrived, age, state;
- the latest frozen forecast snapshot, when the warehouse has ``marts.kpi_forecast_snapshots``;
- open reconciliation breaks by severity, when the warehouse has ``marts.recon_breaks``.

The warehouse is opened read-only, so ``status`` never blocks a run or an analyst.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.freshness import by_system, evaluate, has_table, load_thresholds
from orchestration.sensors import failure_file

#: Break statuses that are not open (lifecycle of issue 8; waived breaks stop counting), if the mart has one.
CLOSED_BREAK_STATUSES = ("resolved", "closed", "waived")
SEVERITY_ORDER = ("critical", "error", "high", "medium", "warn", "warning", "low", "info")
MAX_CHECK_LINES = 8


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _trigger(tags: dict[str, str]) -> str:
    if "dagster/schedule_name" in tags:
        return "schedule"
    if "dagster/sensor_name" in tags:
        return "sensor"
    return tags.get("throughline/trigger", "manual")


def _stamp(ts: float | datetime | None) -> str:
    if ts is None:
        return "-"
    when = ts if isinstance(ts, datetime) else datetime.fromtimestamp(ts, UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def run_checks(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str, str]]:
    """(``FAILED`` | ``WARN``, ``asset:check``, first line of its description) of every check not passed."""
    out = []
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        ev = record.dagster_event.event_specific_data  # type: ignore[union-attr]
        if ev.passed:
            continue
        level = "FAILED" if ev.severity == dg.AssetCheckSeverity.ERROR else "WARN"
        desc = (ev.description or "").strip().splitlines()
        out.append((level, f"{'.'.join(ev.asset_key.path)}:{ev.check_name}", desc[0] if desc else ""))
    return sorted(out)


def runs_section(instance: dg.DagsterInstance, limit: int) -> list[str]:
    """The last ``limit`` runs of the nightly job, newest first; the checks of the newest in detail."""
    records = instance.get_run_records(dg.RunsFilter(job_name="nightly"), limit=limit)
    if not records:
        return ["  no nightly run recorded yet (run `throughline run` or start one from `throughline ui`)"]
    lines = [f"  {'run':<8}  {'status':<9} {'started (UTC)':<16}  {'duration':>8}  {'trigger':<8}  checks"]
    for i, rec in enumerate(records):
        run = rec.dagster_run
        checks = run_checks(instance, run.run_id)
        counts = Counter(level for level, _, _ in checks)
        took = rec.end_time - rec.start_time if rec.start_time and rec.end_time else None
        lines.append(
            f"  {run.run_id[:8]}  {run.status.value:<9} {_stamp(rec.start_time):<16}  {_duration(took):>8}  "
            f"{_trigger(dict(run.tags)):<8}  {counts['FAILED']} failed, {counts['WARN']} warned"
        )
        if i == 0:
            for level, name, desc in checks[:MAX_CHECK_LINES]:
                lines.append(f"      {level:<6} {name}: {desc[:100]}")
            if len(checks) > MAX_CHECK_LINES:
                lines.append(f"      ... and {len(checks) - MAX_CHECK_LINES} more in `throughline ui`")
    return lines


def _stale_detail(stale: list[tuple[str, str]], shown: int = 3) -> str:
    """``warn: a, b; never: c, d, e +4``: the tables not fresh, grouped by state."""
    parts = []
    for state in ("warn", "error", "never"):
        tables = [t for t, st in stale if st == state]
        if tables:
            more = f" +{len(tables) - shown}" if len(tables) > shown else ""
            parts.append(f"{state}: {', '.join(tables[:shown])}{more}")
    return "; ".join(parts)


def freshness_section(con: duckdb.DuckDBPyConnection, now: datetime | None = None) -> list[str]:
    """One line per source system: newest extract date, when its last file arrived, age, worst state."""
    systems = by_system(evaluate(con, load_thresholds(), now=now))
    lines = [f"  {'system':<11} {'last extract':<12}  {'last file arrived':<16}  {'age':>8}  state"]
    for s in systems:
        age = "-" if s.age is None else f"{s.age.total_seconds() / 3600:.1f} h"
        state = s.state + (f" ({_stale_detail(s.stale_tables)})" if s.stale_tables else "")
        lines.append(
            f"  {s.system:<11} {str(s.last_extract_date or '-'):<12}  {_stamp(s.last_arrived_at):<16}  "
            f"{age:>8}  {state}"
        )
    return lines


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'marts' "
        "and table_name = ? and column_name = ?",
        [table, column],
    ).fetchone()
    return bool(row and row[0])


def breaks_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Open breaks by severity with the money at risk, or a note when the warehouse has no break mart."""
    if not has_table(con, "marts", "recon_breaks"):
        return ["  skipped: this warehouse has no marts.recon_breaks (reconciliation checks not built)"]
    # recon_breaks holds the breaks found tonight (all open); a status column, when the mart has one,
    # leaves out the resolved, closed and waived ones
    has_status = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'recon_breaks' and column_name = 'status'"
    ).fetchone()
    closed = ", ".join(f"'{s}'" for s in CLOSED_BREAK_STATUSES)
    where = f"where coalesce(lower(status), 'open') not in ({closed})" if has_status and has_status[0] else ""
    if _has_column(con, "recon_breaks", "is_waived"):  # waived breaks stop counting until they expire
        where = (where + " and" if where else "where") + " not coalesce(is_waived, false)"
    rows = con.execute(
        f"""
        select coalesce(severity, '(none)'), count(*), coalesce(sum(amount_at_risk_reporting), 0)
        from marts.recon_breaks {where}
        group by 1
        """
    ).fetchall()
    if not rows:
        return ["  no open break"]
    rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    rows.sort(key=lambda r: (rank.get(str(r[0]).lower(), len(rank)), str(r[0])))
    lines = [f"  {'severity':<10} {'open':>7}  {'at risk (reporting ccy)':>24}"]
    lines += [f"  {sev:<10} {n:>7,}  {float(amount):>24,.2f}" for sev, n, amount in rows]
    total_n, total_amount = sum(r[1] for r in rows), sum(float(r[2]) for r in rows)
    lines.append(f"  {'total':<10} {total_n:>7,}  {total_amount:>24,.2f}")
    return lines


def forecast_section(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The latest frozen forecast snapshot (marts.kpi_forecast_snapshots): its date, type and row count."""
    if not has_table(con, "marts", "kpi_forecast_snapshots"):
        return ["  skipped: this warehouse has no marts.kpi_forecast_snapshots (forecasts not built)"]
    row = con.execute(
        """
        select snapshot_date, any_value(snapshot_type), count(*),
            (select count(distinct snapshot_date) from marts.kpi_forecast_snapshots)
        from marts.kpi_forecast_snapshots
        where snapshot_date = (select max(snapshot_date) from marts.kpi_forecast_snapshots)
        group by snapshot_date
        """
    ).fetchone()
    if not row:
        return ["  no forecast snapshot yet"]
    date, kind, rows, snapshots = row
    return [f"  latest snapshot {date} ({kind}, {rows:,} rows); {snapshots:,} snapshots frozen"]


def _last_failure(warehouse: Path, instance: dg.DagsterInstance) -> list[str]:
    """The failure summary's first lines when the newest nightly run failed and left one."""
    path = failure_file(warehouse)
    latest = instance.get_runs(dg.RunsFilter(job_name="nightly"), limit=1)
    if not path.exists() or not latest or latest[0].status != dg.DagsterRunStatus.FAILURE:
        return []
    text = path.read_text(encoding="utf-8").splitlines()
    return ["", f"Last failure ({path}):", *(f"  {line}" for line in text[:6])]


def render(warehouse: Path, instance: dg.DagsterInstance, limit: int = 5, now: datetime | None = None) -> str:
    """The whole status screen for ``warehouse`` and the runs in ``instance``."""
    stat = warehouse.stat()
    lines = [
        f"Throughline status: {warehouse} (published {_stamp(stat.st_mtime)} UTC, "
        f"{stat.st_size / 1e6:.1f} MB)",
        "",
        "Last nightly runs:",
        *runs_section(instance, limit),
        *_last_failure(warehouse, instance),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        lines += ["", "Source freshness (dbt source thresholds):", *freshness_section(con, now)]
        lines += ["", "Forecasts (marts.kpi_forecast_snapshots):", *forecast_section(con)]
        lines += ["", "Open breaks by severity (marts.recon_breaks):", *breaks_section(con)]
    return "\n".join(lines)
