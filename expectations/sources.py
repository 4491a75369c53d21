"""Frames about the source loads themselves, built from ``raw.load_log``, for the ``sources.*`` suites.

dbt tests see one night's tables; they cannot say "the CRM account extract lost half its rows since
yesterday" or "the PSA has not delivered for three days". These frames put each extract next to the one
before it, and each source next to the others, so GX can judge them (``expectations.suites``).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from ingestion.contract import COMPLETION_MARKER, all_objects, chosen_systems

#: load_log statuses of a file whose rows were counted (an empty file counts, with 0 rows).
COUNTED_STATUSES = ("loaded", "loaded_with_rejects", "empty")
#: Extracts whose previous extract had fewer rows than this are not compared (a delta of 3 rows that
#: becomes 1 is noise, not a broken export).
VOLUME_MIN_ROWS = int(os.environ.get("THROUGHLINE_GX_VOLUME_MIN_ROWS", "50"))

VOLUME_COLUMNS = [
    "extract",
    "system",
    "object",
    "extract_date",
    "extract_type",
    "rows",
    "previous_extract_date",
    "previous_rows",
    "shrink_share",
]
#: Systems whose files arrive when someone has something to say, not every night (no freshness expectation):
#: the controller's decisions, the exchange rates a firm on Xero or QuickBooks supplies.
OPTIONAL_SYSTEMS = {"controller", "fx_rates"}
FRESHNESS_COLUMNS = ["system", "latest_extract_date", "newest_extract_date", "lag_days", "age_days"]


def _extracts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per object and extract date: its rows and the load that loaded it."""
    placeholders = ", ".join("?" for _ in COUNTED_STATUSES)
    return con.execute(
        f"""
        select system, object, extract_date, sum(rows_read) as rows,
               arg_max(load_id, finished_at) as load_id, max(finished_at) as finished_at
        from raw.load_log
        where object is not null and extract_date is not null and status in ({placeholders})
        group by system, object, extract_date
        order by system, object, extract_date
        """,
        list(COUNTED_STATUSES),
    ).df()


def extract_type(landing: Path | None, system: str, extract_date: date) -> str | None:
    """``full`` or ``delta`` from the extract folder's completion marker; None when it cannot be read."""
    if landing is None:
        return None
    try:
        marker = json.loads(
            (landing / system / extract_date.isoformat() / COMPLETION_MARKER).read_text("utf-8")
        )
    except (OSError, ValueError):
        return None
    return marker.get("extract_type") if isinstance(marker, dict) else None


def _previous(history: pd.DataFrame, row: pd.Series) -> pd.Series | None:
    """The latest earlier extract of the same object and extract type (unknown type matches any)."""
    earlier = history[(history["extract_date"] < row["extract_date"])]
    for _, before in earlier.iloc[::-1].iterrows():
        if pd.isna(row["extract_type"]) or pd.isna(before["extract_type"]):
            return before
        if before["extract_type"] == row["extract_type"]:
            return before
    return None


def volume_frame(
    con: duckdb.DuckDBPyConnection, landing: Path | None = None, min_rows: int = VOLUME_MIN_ROWS
) -> pd.DataFrame:
    """Each extract the latest load loaded, with the rows of the previous comparable extract.

    ``shrink_share`` = (previous rows - rows) / previous rows, null when there is no previous extract of the
    same type or it had fewer than ``min_rows`` rows. A delta extract is compared with the previous delta,
    never with the full extract before it (extract types come from the landing folder's markers).
    """
    ext = _extracts(con)
    if ext.empty:
        return pd.DataFrame(columns=VOLUME_COLUMNS)
    ext["extract_date"] = pd.to_datetime(ext["extract_date"]).dt.date
    ext["extract_type"] = [
        extract_type(landing, s, d) for s, d in zip(ext["system"], ext["extract_date"], strict=True)
    ]
    latest_load = ext.loc[ext["finished_at"].idxmax(), "load_id"]
    out = []
    for (_, _), history in ext.groupby(["system", "object"], sort=True):
        for _, row in history[history["load_id"] == latest_load].iterrows():
            before = _previous(history, row)
            prev_rows = None if before is None else int(before["rows"])
            share = (
                (prev_rows - int(row["rows"])) / prev_rows if prev_rows and prev_rows >= min_rows else None
            )
            out.append(
                {
                    "extract": f"{row['system']}.{row['object']}@{row['extract_date'].isoformat()}",
                    "system": row["system"],
                    "object": row["object"],
                    "extract_date": row["extract_date"],
                    "extract_type": row["extract_type"],
                    "rows": int(row["rows"]),
                    "previous_extract_date": None if before is None else before["extract_date"],
                    "previous_rows": prev_rows,
                    "shrink_share": share,
                }
            )
    return pd.DataFrame(out, columns=VOLUME_COLUMNS).astype({"shrink_share": "float64"})


def freshness_frame(con: duckdb.DuckDBPyConnection, run_date: date | None = None) -> pd.DataFrame:
    """One row per source system of the contracts: its latest counted extract, how far it trails the newest
    extract of any system (``lag_days``) and how old it is on ``run_date`` (``age_days``, default today)."""
    run_date = run_date or date.today()
    latest = dict(
        con.execute(
            f"select system, max(extract_date) from raw.load_log where object is not null "
            f"and status in ({', '.join('?' for _ in COUNTED_STATUSES)}) group by system",
            list(COUNTED_STATUSES),
        ).fetchall()
    )
    # the controllers' decisions file is a reviewed file, not a nightly extract: it may be absent for weeks
    # systems the firm does not run (another PSA than its own) are expected only once they deliver
    expected = {o.system for o in all_objects()} & chosen_systems()
    systems = sorted((expected | set(latest)) - OPTIONAL_SYSTEMS)
    newest = max(latest.values(), default=None)
    rows = []
    for system in systems:
        last = latest.get(system)
        rows.append(
            {
                "system": system,
                "latest_extract_date": last,
                "newest_extract_date": newest,
                "lag_days": None if last is None else (newest - last).days,
                "age_days": None if last is None else (run_date - last).days,
            }
        )
    return pd.DataFrame(rows, columns=FRESHNESS_COLUMNS).astype(
        {"lag_days": "float64", "age_days": "float64"}
    )
