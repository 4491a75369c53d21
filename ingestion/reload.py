"""Re-reading files that a load refused or quarantined, once the operator fixed them or their marker.

A whole-file refusal is remembered (its content hash in ``raw.loaded_files``, its refusal in
``raw.load_log``), so re-running a night never re-reads it, and correcting only its completion marker
changed nothing. ``throughline reload`` asks for it explicitly, in two steps that both run inside the run's
building copy of the warehouse (so a crashed reload changes nothing):

1. ``find_reloadable`` picks the files whose latest attempt is in a reloadable status and
   ``request_reloads`` writes one ``raw.reload_requests`` row for each;
2. the loader (``load_object``) meets the request when it reaches the file: ``take_reload_request``
   supersedes the earlier attempt (its quarantined rows, its loaded rows if some were loaded, its content
   hash; its load-log row is kept and names the reload in ``superseded_by``), and the file is then read like
   a new one, through the same contracts, with ``reload_of`` on its new load-log row. Nothing is counted
   twice, and a file that is still wrong is refused again with its reason.

A file refused whole that a plain night reads again because it changed (re-delivered at the same path, or
now on disk and listed) replaces its refusal the same way (``supersede_refused``), without being asked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from ingestion.contract import SourceObject
from ingestion.status import REFUSED_STATUSES, RELOADABLE_STATUSES, LoadStatus
from ingestion.typed import refresh_current
from ingestion.warehouse import history_table, q


@dataclass(frozen=True)
class ReloadFilter:
    """Which files to re-read: every given field must match; ``all_refused`` alone takes every refused file.

    With a field given, files with quarantined rows (``loaded_with_rejects``) match too, unless
    ``all_refused`` narrows the match to whole-file refusals."""

    system: str | None = None
    object: str | None = None
    extract_date: date | None = None
    file: str | None = None
    all_refused: bool = False

    @property
    def narrowed(self) -> bool:
        return any(v is not None for v in (self.system, self.object, self.extract_date, self.file))

    def statuses(self) -> list[str]:
        return sorted(REFUSED_STATUSES if self.all_refused else RELOADABLE_STATUSES)

    def describe(self) -> str:
        parts = [
            f"{name} {value}"
            for name, value in (
                ("--system", self.system),
                ("--object", self.object),
                ("--extract-date", self.extract_date),
                ("--file", self.file),
            )
            if value is not None
        ]
        return " ".join(parts + (["--all-refused"] if self.all_refused else []))


@dataclass(frozen=True)
class Attempt:
    """The latest, not superseded, load-log row of one file."""

    file: str
    system: str
    object: str
    extract_date: date | None
    load_id: str
    status: str
    message: str


def _has_reload_columns(con: duckdb.DuckDBPyConnection) -> bool:
    """Warehouses from before ``reload`` lack ``superseded_by`` (added when the loader next runs)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.columns "
            "where table_schema = 'raw' and table_name = 'load_log' and column_name = 'superseded_by'"
        ).fetchone()[0]
    )


def find_reloadable(con: duckdb.DuckDBPyConnection, flt: ReloadFilter) -> list[Attempt]:
    """Files matching ``flt`` whose latest attempt left them (or some of their rows) out of the warehouse."""
    live = "superseded_by is null" if _has_reload_columns(con) else "true"
    rows = con.execute(
        f"""
        select file, system, object, extract_date, load_id, status, message from (
            select *, row_number() over (partition by file order by finished_at desc, started_at desc) as rn
            from raw.load_log
            where object is not null and {live}
              and ($system is null or system = $system) and ($object is null or object = $object)
              and ($extract_date is null or extract_date = $extract_date) and ($file is null or file = $file)
        )
        where rn = 1 and status in (select unnest($statuses))
        order by system, object, extract_date, file
        """,
        {
            "system": flt.system,
            "object": flt.object,
            "extract_date": flt.extract_date,
            "file": flt.file,
            "statuses": flt.statuses(),
        },
    ).fetchall()
    return [Attempt(*row) for row in rows]


def request_reloads(con: duckdb.DuckDBPyConnection, attempts: Iterable[Attempt]) -> int:
    """Ask the next load to re-read these files (one pending request per file)."""
    n = 0
    for a in attempts:
        con.execute("delete from raw.reload_requests where file = ? and load_id is null", [a.file])
        con.execute(
            "insert into raw.reload_requests values (?, ?, now()::timestamp, null)", [a.file, a.load_id]
        )
        n += 1
    return n


def take_reload_request(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, file: str, load_id: str
) -> str | None:
    """Supersede the earlier attempt of ``file`` if a reload was requested for it; return that attempt's
    load id (None when no reload was requested). One transaction: the file is then loaded as a new one."""
    row = con.execute(
        "select replaces_load_id from raw.reload_requests where file = ? and load_id is null", [file]
    ).fetchone()
    if row is None:
        return None
    replaced = row[0]
    con.execute("begin transaction")
    try:
        _supersede(con, obj, file, replaced, load_id)
        con.execute(
            "update raw.reload_requests set load_id = ? where file = ? and load_id is null", [load_id, file]
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return replaced


def supersede_refused(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, file: str, load_id: str
) -> str | None:
    """A file refused whole before (rejected, refused, missing, unlisted) is now being read with new content
    (re-delivered, or now on disk and listed): its earlier refusals stop counting, as after a reload. Returns
    the load id of the latest one, None when there was none. Call inside the load's transaction."""
    earlier = con.execute(
        "select load_id from raw.load_log where file = ? and load_id <> ? and superseded_by is null "
        "and status in (select unnest(?)) order by finished_at",
        [file, load_id, sorted(REFUSED_STATUSES)],
    ).fetchall()
    for (old,) in earlier:
        _supersede(con, obj, file, old, load_id)
    return earlier[-1][0] if earlier else None


def _supersede(con: duckdb.DuckDBPyConnection, obj: SourceObject, file: str, old: str, new: str) -> None:
    """Take the ``old`` attempt of ``file`` out of the counts: its rows in history (the current state of
    their keys is rebuilt from what remains), its quarantined rows, its content hash; mark its log row."""
    status = con.execute(
        "select status from raw.load_log where file = ? and load_id = ? and superseded_by is null",
        [file, old],
    ).fetchone()
    if status is not None and status[0] == LoadStatus.LOADED_WITH_REJECTS:
        pk = ", ".join(q(k) for k in obj.primary_key)
        con.execute(
            f"create or replace temp table _gone as select distinct {pk} from {history_table(obj)} "
            "where _source_file = ? and _load_id = ?",
            [file, old],
        )
        con.execute(f"delete from {history_table(obj)} where _source_file = ? and _load_id = ?", [file, old])
        refresh_current(con, obj, "_gone", fresh=False)
        con.execute("drop table if exists _gone")
    con.execute("delete from raw.rejects where file = ? and load_id = ?", [file, old])
    con.execute("delete from raw.loaded_files where file = ? and load_id = ?", [file, old])
    con.execute(
        "update raw.load_log set superseded_by = ? where file = ? and load_id = ? and superseded_by is null",
        [new, file, old],
    )
