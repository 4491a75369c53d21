"""Write the landing zone: a full extract on the first night, then nightly deltas, and the markers.

A record's *final* version (as stored) lands in the extract whose window holds its modified-at column;
a record created in an earlier window than its last change also lands there as its *initial* version
(:data:`INITIAL_VERSION` overrides), so deltas carry strictly newer modified-at values than before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path

from ingestion.contract import COMPLETION_MARKER, SourceObject, load_contract
from ingestion.parse import sql_str

from .context import GenContext
from .store import table_name

#: Column overrides that rebuild a record as it looked when created (before its later change).
INITIAL_VERSION: dict[str, dict[str, str]] = {
    "psa__time_entries": {
        "status": "CASE WHEN submitted_at <= _gen_created THEN 'submitted' ELSE 'draft' END",
        "submitted_at": "CASE WHEN submitted_at <= _gen_created THEN submitted_at END",
        "approved_at": "NULL",
        "approved_by_id": "NULL",
        "erp_invoice_id": "NULL",
    },
    "psa__expenses": {"status": "'submitted'", "approved_at": "NULL", "erp_invoice_id": "NULL"},
    "psa__milestones": {
        "status": "'planned'",
        "completed_date": "NULL",
        "accepted_date": "NULL",
        "erp_invoice_id": "NULL",
    },
    "psa__projects": {"status": "CASE WHEN status = 'closed' THEN 'active' ELSE status END"},
    "psa__change_orders": {"status": "'pending'", "approved_date": "NULL", "erp_sales_order_id": "NULL"},
    "psa__resources": {"is_active": "true"},
    "salesforce__opportunity": {
        "stage_name": "coalesce(_gen_prev_stage, stage_name)",
        "is_closed": "CASE WHEN _gen_prev_stage IS NULL THEN is_closed ELSE false END",
        "is_won": "CASE WHEN _gen_prev_stage IS NULL THEN is_won ELSE false END",
        "last_modified_date": "_gen_created",
    },
    "netsuite__transaction": {
        "status": "CASE WHEN type = 'CustInvc' THEN 'A' ELSE status END",
        "closedate": "NULL",
    },
    "netsuite__job": {"entitystatus": "'In Progress'", "enddate": "NULL", "isinactive": "false"},
    "netsuite__accountingperiod": {"closed": "false", "closedondate": "NULL"},
    "netsuite__employee": {"isinactive": "false"},
}


def cutoff(d: date) -> datetime:
    """Last instant covered by the extract of night ``d``."""
    return datetime.combine(d, time(23, 59, 59))


def marker_created_at(d: date) -> str:
    return (datetime.combine(d + timedelta(days=1), time(2, 0))).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_all(ctx: GenContext, landing: Path, log: Callable[[str], None]) -> dict[str, dict[str, int]]:
    """Write every object for every extract night; returns bytes per folder and file."""
    counts: dict[str, dict[str, int]] = {}
    for system in ("salesforce", "netsuite", "psa"):
        contract = load_contract(system)
        for i, d in enumerate(ctx.extract_dates):
            folder = landing / system / d.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            lo = cutoff(ctx.extract_dates[i - 1]) if i > 0 else None
            hi = cutoff(d)
            for obj in contract.objects:
                n = _write_object(ctx, obj, folder / obj.file, lo, hi, d)
                counts.setdefault(f"{system}/{d}", {})[obj.file] = n
            log(f"wrote {system}/{d}: {sum(counts[f'{system}/{d}'].values()) / 1e6:,.1f} MB")
    return counts


def _select_list(obj: SourceObject, overrides: dict[str, str], synced: str, created: str) -> str:
    cols = []
    for c in obj.columns:
        expr = f'"{c.name}"'
        if c.name in overrides:
            expr = overrides[c.name]
        elif c.name == "_fivetran_synced" and obj.modified_at != "_fivetran_synced":
            expr = f"TIMESTAMP '{synced}'"
        if c.type.upper() == "TIMESTAMP":
            expr = f"strftime(CAST({expr} AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"
        elif c.type.upper() == "BOOLEAN" and c.name == (
            obj.delete_marker.column if obj.delete_marker else None
        ):
            expr = f"coalesce({expr}, false)"
        cols.append(f'{expr} AS "{c.name}"')
    cols.append(f"{created} AS _gen_c")
    return ", ".join(cols)


def _write_object(
    ctx: GenContext, obj: SourceObject, path: Path, lo: datetime | None, hi: datetime, night: date
) -> int:
    """Write one object's file for one night; returns its size in bytes."""
    table = table_name(obj)
    mod = f'"{obj.modified_at}"'
    created = f"least(coalesce(_gen_created, {mod}), {mod})"
    synced = (datetime.combine(night + timedelta(days=1), time(2, 0))).strftime("%Y-%m-%d %H:%M:%S")
    initial = dict(INITIAL_VERSION.get(table, {}))
    initial[obj.modified_at] = created
    if obj.delete_marker is not None:
        initial[obj.delete_marker.column] = "false" if obj.delete_marker.when == "true" else "NULL"
    final_sel = _select_list(obj, {}, synced, created)
    init_sel = _select_list(obj, initial, synced, created)
    hi_s, lo_s = f"TIMESTAMP '{hi}'", f"TIMESTAMP '{lo}'" if lo else None
    deleted = obj.delete_marker.sql_predicate() if obj.delete_marker else "false"
    if lo is None:
        final_where = f"{mod} <= {hi_s} AND NOT ({deleted})"
        init_where = f"{created} <= {hi_s} AND {mod} > {hi_s}"
    else:
        final_where = f"{mod} > {lo_s} AND {mod} <= {hi_s}"
        init_where = f"{created} > {lo_s} AND {created} <= {hi_s} AND {mod} > {hi_s}"
    pk = ", ".join(f'"{k}"' for k in obj.primary_key)
    names = ", ".join(f'"{c.name}"' for c in obj.columns)
    query = f"""
        SELECT {names} FROM (
            SELECT {final_sel} FROM {table} WHERE {final_where}
            UNION ALL
            SELECT {init_sel} FROM {table} WHERE {init_where}
        ) ORDER BY {pk}
    """
    if obj.format == "jsonl":
        ctx.sql(f"COPY ({query}) TO {sql_str(str(path))} (FORMAT JSON)")  # COPY takes no parameter
    else:
        ctx.sql(
            f"COPY ({query}) TO {sql_str(str(path))} "
            "(FORMAT CSV, HEADER, DELIMITER ',', QUOTE '\"', NEW_LINE '\\n')"
        )
    return path.stat().st_size


def _file_stats(path: Path, has_header: bool) -> dict[str, object]:
    h = hashlib.sha256()
    lines = 0
    size = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
            lines += chunk.count(b"\n")
            size += len(chunk)
            last = chunk[-1:]
    if size and last != b"\n":
        lines += 1
    rows = max(0, lines - (1 if has_header else 0))
    return {"rows": rows, "bytes": size, "sha256": h.hexdigest()}


def write_markers(
    ctx: GenContext,
    landing: Path,
    systems: tuple[str, ...] = ("salesforce", "netsuite", "psa"),
    *,
    present_only: bool = False,
) -> int:
    """Write ``_SUCCESS.json`` last in every extract folder of ``systems`` (``landing/<system>/<date>``),
    describing the files as they are on disk. The other shapes (HubSpot, Harvest) call it for their own
    folder after rewriting a system, so every shape's markers are written one way. ``present_only``: list only
    the contract's files that are there (a system whose objects are alternatives, as fx_rates' two files).

    Returns the number of data rows over all files.
    """
    total = 0
    for system in systems:
        contract = load_contract(system)
        for i, d in enumerate(ctx.extract_dates):
            folder = landing / system / d.isoformat()
            objects = [o for o in contract.objects if not present_only or (folder / o.file).exists()]
            files = {o.file: _file_stats(folder / o.file, contract.format == "csv") for o in objects}
            total += sum(int(f["rows"]) for f in files.values())
            marker = {
                "system": system,
                "extract_date": d.isoformat(),
                "extract_type": "full" if i == 0 else "delta",
                "created_at": marker_created_at(d),
                "files": files,
            }
            (folder / COMPLETION_MARKER).write_text(
                json.dumps(marker, indent=2, sort_keys=False) + "\n", encoding="utf-8"
            )
    return total


def has_defect_log(ctx: GenContext) -> bool:
    """Whether the generator keeps a defect log (``_gen_defects``; absent under ``--clean``)."""
    q = "select count(*) from information_schema.tables where table_name = '_gen_defects'"
    return bool(ctx.con.execute(q).fetchone()[0])


def malformed_lines(ctx: GenContext, system: str) -> dict[str, set[int]]:
    """Line numbers of the malformed lines the defects appended to ``system``'s files, per file
    (``<system>/<night>/<file>``): a shape that rewrites those files cannot carry them."""
    out: dict[str, set[int]] = {}
    if not has_defect_log(ctx):
        return out
    rows = ctx.con.execute(
        "select file, line from _gen_defects where system = ? and file is not null and line is not null",
        [system],
    ).fetchall()
    for file, line in rows:
        out.setdefault(file, set()).add(int(line))
    return out
