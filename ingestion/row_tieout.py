"""Row tie-out of a load: is every landed row accounted for? Re-counted in the warehouse, not taken from the
loader's own counters (a loader bug that miscounts would otherwise vouch for itself).

For each file of a load: rows_read = rows_loaded + rows_rejected (load log), rows_loaded = rows really in
``<object>__history`` for that load and file, rows_rejected = distinct rejected lines in ``raw.rejects``;
and no file of the object was rejected whole, refused or missing.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from ingestion.contract import SourceObject
from ingestion.status import FAILED_STATUSES, LOADED_STATUSES
from ingestion.warehouse import history_table


@dataclass(frozen=True)
class RowTieOut:
    """The outcome for one object's latest load: passed, which load, how many files, what does not tie."""

    passed: bool
    load_id: str | None
    files_checked: int
    problems: list[str]

    @property
    def description(self) -> str:
        if self.load_id is None:
            return "no file of this object has been loaded yet"
        if self.passed:
            return f"{self.files_checked} file(s) of load {self.load_id}: every row loaded or rejected"
        return "; ".join(self.problems)


def latest_load_id(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> str | None:
    row = con.execute(
        "select load_id from raw.load_log where system = ? and object = ? order by finished_at desc limit 1",
        [obj.system, obj.name],
    ).fetchone()
    return row[0] if row else None


def tie_out_rows(con: duckdb.DuckDBPyConnection, obj: SourceObject, load_id: str | None = None) -> RowTieOut:
    """Check the files of ``obj`` in ``load_id`` (default: its latest load)."""
    load_id = load_id or latest_load_id(con, obj)
    if load_id is None:
        return RowTieOut(True, None, 0, [])
    rows = con.execute(
        f"""
        with log as (
            select file, status, rows_read, rows_loaded, rows_rejected, message from raw.load_log
            where load_id = $load_id and system = $system and object = $object
        ),
        h as (select _source_file as file, count(*) as n from {history_table(obj)}
              where _load_id = $load_id group by 1),
        r as (select file, count(distinct "row") as n from raw.rejects
              where load_id = $load_id and system = $system and object = $object group by 1)
        select log.file, log.status, log.rows_read, log.rows_loaded, log.rows_rejected, log.message,
               coalesce(h.n, 0), coalesce(r.n, 0)
        from log left join h using (file) left join r using (file) order by log.file
        """,
        {"load_id": load_id, "system": obj.system, "object": obj.name},
    ).fetchall()
    problems = []
    for file, status, read, loaded, rejected, message, in_history, in_rejects in rows:
        if status in FAILED_STATUSES:
            problems.append(f"{file}: {status.upper()}: {message}")
            continue
        if read != loaded + rejected:
            problems.append(f"{file}: rows read {read} != loaded {loaded} + rejected {rejected}")
        if status in LOADED_STATUSES:
            if in_history != loaded:
                problems.append(f"{file}: load log says {loaded} rows loaded, history holds {in_history}")
            if in_rejects != rejected:
                problems.append(
                    f"{file}: load log says {rejected} rows rejected, raw.rejects holds {in_rejects}"
                )
    return RowTieOut(not problems, load_id, len(rows), problems)
