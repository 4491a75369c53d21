"""Load landed extract files into the raw layer, losing nothing.

Per file: hash it (a content already loaded is a no-op), read its lines in DuckDB, map the header to the
contract, type every value with TRY_CAST, and split rows into loaded (appended to ``<object>__history``) and
rejected (``raw.rejects``, one row per broken rule with the raw line). The current-state table is then
rebuilt for the touched keys only. Every file gets one ``raw.load_log`` row with
rows_read = rows_loaded + rows_rejected. Pure Python + DuckDB: no Dagster here.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from ingestion import fast_json, parse
from ingestion.contract import COMPLETION_MARKER, SYSTEMS, SourceObject
from ingestion.landing import ExtractFolder, LandedFile, folder_files, scan_landing, sha256_of, utf8_problem
from ingestion.reload import supersede_refused, take_reload_request
from ingestion.status import EMPTY_STATUSES, FAILED_STATUSES, LOADED_STATUSES, LoadStatus
from ingestion.typed import bad_sql, refresh_current, typed_sql
from ingestion.warehouse import (
    LINEAGE_COLUMNS,
    LOAD_LOG_COLUMNS,
    ensure_bookkeeping,
    ensure_object_tables,
    history_table,
    q,
)

__all__ = [
    "EMPTY_STATUSES",
    "FAILED_STATUSES",
    "LOADED_STATUSES",
    "FileResult",
    "load_landing",
    "load_object",
]


def new_load_id() -> str:
    return datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


@dataclass
class FileResult:
    load_id: str
    system: str | None  # None only for a row about the whole landing folder (no_extract)
    object: str | None
    extract_date: date | None
    file: str
    sha256: str | None
    status: str
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    drift_columns: list[str] = field(default_factory=list)
    message: str = ""
    started_at: datetime = field(default_factory=datetime.now)
    finished_at: datetime | None = None
    not_utf8: str | None = field(default=None, repr=False)
    data_after: int | None = field(default=None, repr=False)  # data rows are the lines numbered above it
    #: Load id of the earlier attempt this one replaces (``throughline reload``); None for a first attempt.
    reload_of: str | None = None
    #: The contract column that versions this file's records (the first of ``versioned_by`` it carries).
    version_column: str | None = None
    #: The file's size and modification time, taken before it is hashed or read (``raw.loaded_files``): a
    #: file changed while being read then differs from what was recorded, and is read again the next night.
    stat: os.stat_result | None = field(default=None, repr=False)

    @property
    def failed(self) -> bool:
        return self.status in FAILED_STATUSES


class _FileRejected(Exception):
    """The whole file is rejected; every data row goes to raw.rejects with this rule."""

    def __init__(self, rule: str, message: str, column: str | None = None) -> None:
        super().__init__(message)
        self.rule, self.message, self.column = rule, message, column


def _log(con: duckdb.DuckDBPyConnection, r: FileResult) -> FileResult:
    r.finished_at = datetime.now()
    con.execute(
        f"insert into raw.load_log ({', '.join(LOAD_LOG_COLUMNS)}) "
        f"values ({', '.join('?' for _ in LOAD_LOG_COLUMNS)})",
        [
            r.load_id,
            r.system,
            r.object,
            r.extract_date,
            r.file,
            r.sha256,
            r.status,
            r.rows_read,
            r.rows_loaded,
            r.rows_rejected,
            r.drift_columns,
            r.message,
            r.started_at,
            r.finished_at,
            r.reload_of,
            r.version_column,
        ],
    )
    return r


def _remember(con: duckdb.DuckDBPyConnection, r: FileResult) -> None:
    size, mtime = (r.stat.st_size, r.stat.st_mtime_ns) if r.stat else (None, None)
    con.execute(
        "insert into raw.loaded_files (sha256, system, object, file, extract_date, load_id, status,"
        " rows_read, loaded_at, bytes, modified_ns) values (?, ?, ?, ?, ?, ?, ?, ?, now(), ?, ?)",
        [
            *(r.sha256, r.system, r.object, r.file, r.extract_date, r.load_id, r.status, r.rows_read),
            *(size, mtime),
        ],
    )


def _unchanged_since_read(con: duckdb.DuckDBPyConnection, lf: LandedFile, st: os.stat_result) -> bool:
    """True when this file was read before and is, by every cheap sign, the same file: same path, size and
    modification time (to the nanosecond) as when it was read, and its completion marker, when it lists a
    SHA-256, still lists the one recorded then. Such a file is not hashed again: an incremental night would
    otherwise re-hash the whole landing (11 GB at xl, one core, ~12 s) to find one new day. A file rewritten
    in place changes its modification time, so it is hashed and loaded as before (rsync's quick check, as
    ``orchestration.unchanged.landing_unchanged``)."""
    rows = con.execute(
        "select count(*) from raw.loaded_files where file = ? and bytes = ? and modified_ns = ?"
        " and sha256 = coalesce(?, sha256)",
        [lf.rel_path, st.st_size, st.st_mtime_ns, (lf.marker_entry or {}).get("sha256")],
    ).fetchall()
    return bool(rows[0][0])


def _note_unchanged(con: duckdb.DuckDBPyConnection, lf: LandedFile, st: os.stat_result, sha256: str) -> None:
    """The file was hashed and found already read (a warehouse from before ``modified_ns``, or a file copied
    again with the same content): record its size and time, so the next night need not hash it."""
    con.execute(
        "update raw.loaded_files set bytes = ?, modified_ns = ? where file = ? and sha256 = ?",
        [st.st_size, st.st_mtime_ns, lf.rel_path, sha256],
    )


def _path_read_before(con: duckdb.DuckDBPyConnection, lf: LandedFile) -> bool:
    """Whether a file was read at this path before (whatever its content)."""
    return bool(
        con.execute("select count(*) from raw.loaded_files where file = ?", [lf.rel_path]).fetchone()[0]
    )


@dataclass(frozen=True)
class _Known:
    """A file whose content (``r.sha256``) was loaded before: what ``load_file`` returns for it."""

    result: FileResult | None


def _known_content(con: duckdb.DuckDBPyConnection, lf: LandedFile, r: FileResult) -> _Known | None:
    """None for content never loaded. Content loaded before at this path is noted (its size and time) and
    returns nothing; at another path, with rows, it is logged as a skipped duplicate."""
    assert r.sha256 is not None and r.stat is not None
    seen = con.execute(
        "select file, rows_read from raw.loaded_files where sha256 = ? order by loaded_at", [r.sha256]
    ).fetchall()
    if any(f == r.file for f, _ in seen):
        _note_unchanged(con, lf, r.stat, r.sha256)
        return _Known(None)
    if any(n and n > 0 for _, n in seen):
        first = next(f for f, n in seen if n and n > 0)
        r.status = LoadStatus.SKIPPED_DUPLICATE
        r.message = f"same content (sha256) as {first}, already loaded; no-op"
        _remember(con, r)
        return _Known(_log(con, r))
    return None


def _file_reject(
    con: duckdb.DuckDBPyConnection,
    r: FileResult,
    rule: str,
    message: str,
    column: str | None = None,
    row: int | None = None,
) -> None:
    con.execute(
        "insert into raw.rejects values (?, ?, ?, ?, ?, ?, ?, ?, null)",
        [r.load_id, r.system, r.object, r.file, row, column, rule, f"{r.file}: {message}"],
    )


def _parse_file(con: duckdb.DuckDBPyConnection, lf: LandedFile, obj: SourceObject, r: FileResult) -> None:
    """Fill ``_rows`` for the file (raises _FileRejected for problems that condemn the whole file)."""
    if r.not_utf8:
        parse.read_lines_lossy(con, lf.path, csv_records=obj.format == "csv")
        r.data_after = 1 if obj.format == "csv" else 0  # the first line of a CSV is its header
        r.rows_read = _count_data_rows(con, r.data_after)
        raise _FileRejected("not_utf8", r.not_utf8)
    if obj.format == "csv":
        first = parse.first_line(con)
        if first is None:  # empty file: no header, no rows
            _check_marker(lf, r)
            parse.csv_rows(con, obj, [], parse.map_header(obj, []), 0)
            r.message = "empty file (no header, no rows)"
            return
        header_lineno, header_line = first
        header = parse.csv_header(header_line)
        hmap = parse.map_header(obj, header)
        dupes = sorted({h for h in header if header.count(h) > 1})
        r.data_after = header_lineno
        r.rows_read = _count_data_rows(con, r.data_after)
        _check_marker(lf, r)
        if dupes:
            raise _FileRejected("duplicate_header", f"header repeats column(s) {', '.join(dupes)}", dupes[0])
    else:
        keys = parse.json_keys_present(con)
        hmap = parse.map_header(obj, keys)
        if not keys:  # no well-formed object line: each line is rejected on its own, not the file
            hmap.missing_required, hmap.missing_optional = [], []
        header_lineno = r.data_after = 0
        r.rows_read = _count_data_rows(con, r.data_after)
        _check_marker(lf, r)
    _judge_header(obj, hmap, r)
    if obj.format == "csv":
        parse.csv_rows(con, obj, header, hmap, header_lineno)
    else:
        parse.json_rows(con, obj, hmap)


def _judge_header(obj: SourceObject, hmap: parse.HeaderMap, r: FileResult) -> None:
    """The rules on a file's columns (raises _FileRejected); sets its version column, drift and notes."""
    if hmap.ambiguous:
        raise _FileRejected(
            "ambiguous_header",
            "several landed columns match contract column(s) " + ", ".join(hmap.ambiguous),
            hmap.ambiguous[0],
        )
    if hmap.missing_required and r.rows_read > 0:
        raise _FileRejected(
            "required_column_missing",
            f"required column(s) {', '.join(hmap.missing_required)} missing from the "
            f"{'header' if obj.format == 'csv' else 'records'}; file not loaded",
            hmap.missing_required[0],
        )
    notes = _choose_version_column(obj, hmap, r)
    r.drift_columns = list(hmap.extra)
    if hmap.extra:
        notes.append(f"schema drift: unknown column(s) {', '.join(hmap.extra)} kept in _overflow")
    if hmap.missing_optional and r.rows_read > 0:
        notes.append(f"optional column(s) absent, loaded as null: {', '.join(hmap.missing_optional)}")
    r.message = "; ".join(notes)


def _choose_version_column(obj: SourceObject, hmap: parse.HeaderMap, r: FileResult) -> list[str]:
    """Set ``r.version_column`` to the first ``versioned_by`` column the file carries; refuse a file that
    carries none of several declared ones. Returns the note for the load log when a fallback is used."""
    r.version_column = obj.version_column_for(set(hmap.source_of))
    if not obj.has_version_fallbacks or r.rows_read == 0:
        return []
    if r.version_column is None:
        where = "header" if obj.format == "csv" else "records"
        raise _FileRejected(
            "required_column_missing",
            f"none of the version columns {', '.join(obj.versioned_by)} (the contract's versioned_by: one is "
            f"needed to pick a record's latest version) is in the {where}; file not loaded",
            obj.versioned_by[0],
        )
    if r.version_column == obj.versioned_by[0]:
        return []
    absent = obj.versioned_by[: obj.versioned_by.index(r.version_column)]
    return [f"versioned by {r.version_column} ({', '.join(absent)} absent)"]


def marker_disagreements(
    entry: dict | None, rows: int, size: int, sha256: str | None
) -> list[tuple[str, str]]:
    """(rule, what disagrees) for every field of the file's completion-marker entry that the file contradicts.

    All three fields are checked: a file with more rows than promised, or another byte count, was changed or
    cut after the extract completed just as surely as one with fewer rows, and must not load silently."""
    entry = entry or {}
    found: list[tuple[str, str]] = []
    rows_expected = entry.get("rows")
    if rows_expected is not None and rows_expected != rows:
        fewer = isinstance(rows_expected, int) and rows < rows_expected
        rule = "truncated" if fewer else "row_count_mismatch"
        found.append((rule, f"data rows: marker says {rows_expected!r}, file has {rows}"))
    size_expected = entry.get("bytes")
    if size_expected is not None and size_expected != size:
        found.append(("size_mismatch", f"bytes: marker says {size_expected!r}, file has {size}"))
    sha_expected = entry.get("sha256")
    if sha_expected is not None and sha_expected != sha256:
        found.append(("checksum_mismatch", f"sha256: marker says {sha_expected}, file has {sha256}"))
    return found


#: Which rule names a file whose marker disagrees on several fields: the one that best says what happened.
_MARKER_RULE_ORDER = ("truncated", "checksum_mismatch", "size_mismatch", "row_count_mismatch")


def _check_marker(lf: LandedFile, r: FileResult) -> None:
    """Refuse the file (every row rejected) when its marker entry disagrees with it in any field."""
    found = marker_disagreements(lf.marker_entry, r.rows_read, lf.path.stat().st_size, r.sha256)
    if not found:
        return
    rule = min((rule for rule, _ in found), key=_MARKER_RULE_ORDER.index)
    raise _FileRejected(
        rule,
        "file disagrees with its completion marker (changed or cut after the extract completed?): "
        + "; ".join(what for _, what in found)
        + "; re-deliver the file or correct the marker",
    )


def _count_data_rows(con: duckdb.DuckDBPyConnection, data_after: int) -> int:
    return int(con.execute("select count(*) from _lines where lineno > ?", [data_after]).fetchone()[0])


def _already_reported(con: duckdb.DuckDBPyConnection, lf: LandedFile) -> bool:
    """A file that cannot be read at all (refused, missing, unlisted, no contract) is reported once, not
    every night, so re-running a night changes nothing; it is reported again once its situation changes."""
    status = (
        LoadStatus.REFUSED
        if lf.refused
        else LoadStatus.UNKNOWN_OBJECT
        if lf.obj is None
        else LoadStatus.MISSING
        if not lf.on_disk
        else LoadStatus.UNLISTED
        if lf.marker_entry is None
        else None
    )
    if status is None:
        return False
    return bool(
        con.execute(
            "select count(*) from raw.load_log where file = ? and status = ? and superseded_by is null",
            [lf.rel_path, status],
        ).fetchone()[0]
    )


def _read_lines(
    con: duckdb.DuckDBPyConnection, lf: LandedFile, obj: SourceObject, r: FileResult, hashed: bool
) -> None:
    """``_lines`` of the file; unless it was ``hashed`` before, ``r.sha256`` is taken in the same pass. A file
    that is not UTF-8 gets ``r.not_utf8`` (it is read again, lossily, to reject its rows)."""
    digest = None if hashed else hashlib.sha256()
    con.execute("drop view if exists _rows")
    con.execute("drop table if exists _lines")
    try:  # outside the transaction: a read error would abort it
        parse.read_lines(
            con, lf.path, json_keys=obj.format == "jsonl", csv_records=obj.format == "csv", digest=digest
        )
    except duckdb.Error:
        r.not_utf8 = utf8_problem(lf.path)
        if r.not_utf8 is None:
            raise
        digest = None  # the read stopped part-way: the file is hashed on its own
    if not hashed:
        r.sha256 = digest.hexdigest() if digest is not None else sha256_of(lf.path)


def _read_fast(
    con: duckdb.DuckDBPyConnection, lf: LandedFile, obj: SourceObject, r: FileResult, hashed: bool
) -> bool:
    """A JSON-lines file read and typed by ``ingestion.fast_json`` into ``_typed``; True when it is clean
    (every line one row of the same keys, no row or column rule broken, its marker agreeing). Unless it was
    ``hashed`` before, ``r.sha256`` is taken in the same pass, whatever the outcome. False sends the file
    to the line path, which reads it again and judges every line."""
    if obj.format != "jsonl" or not fast_json.enabled():
        return False
    digest = None if hashed else hashlib.sha256()
    scan = fast_json.read(con, lf.path, digest)
    if digest is not None:
        r.sha256 = digest.hexdigest()
    if not scan.ok:
        return False
    hmap = parse.map_header(obj, sorted(scan.keys))  # the line path's key order: by first line, then by name
    r.data_after, r.rows_read = 0, scan.lines
    try:
        _check_marker(lf, r)
        _judge_header(obj, hmap, r)
    except _FileRejected:
        return False
    clean = _type_fast(con, lf, obj, r, scan, hmap)
    if not clean:
        fast_json.drop(con)
    return clean


def _type_fast(
    con: duckdb.DuckDBPyConnection,
    lf: LandedFile,
    obj: SourceObject,
    r: FileResult,
    scan: fast_json.Scan,
    hmap: parse.HeaderMap,
) -> bool:
    """``_typed`` and ``_typed_rows`` (numbered) read straight from the file; False when the reader refuses a
    line, returns other than one row per line, or any row breaks a rule."""
    try:
        fast_json.rows_view(con, obj, lf.path, scan.keys, hmap)
        con.execute(typed_sql(obj, r.version_column, control_characters=scan.escaped))
    except duckdb.Error:  # a line the keys pass read and read_json refuses (a key twice in one object)
        return False
    if not fast_json.numbered(con, scan.lines):
        return False
    con.execute(bad_sql(obj, with_text=False, source="_typed_rows"))
    return not con.execute("select count(*) from _bad").fetchone()[0]


def load_file(
    con: duckdb.DuckDBPyConnection, lf: LandedFile, load_id: str, reload_of: str | None = None
) -> FileResult | None:
    """Load one landed file; None when this exact file (path and content) was loaded before.

    ``reload_of``: the load id of the earlier attempt that ``take_reload_request`` just superseded."""
    obj = lf.obj
    r = FileResult(
        load_id,
        lf.folder.system,
        obj.name if obj else None,
        lf.folder.extract_date,
        lf.rel_path,
        None,
        LoadStatus.LOADED,
        reload_of=reload_of,
    )
    if _already_reported(con, lf):
        return None
    if lf.refused:
        r.status, r.message = LoadStatus.REFUSED, f"refused: {lf.refused}"
        _file_reject(con, r, "path_escape", r.message)
        return _log(con, r)
    if obj is None:
        r.status, r.message = (
            LoadStatus.UNKNOWN_OBJECT,
            f"no contract for {lf.name!r} in {lf.folder.system}; not loaded",
        )
        return _log(con, r)
    if not lf.on_disk:
        r.status, r.message = LoadStatus.MISSING, "listed in the completion marker but not on disk"
        _file_reject(con, r, "file_missing", r.message)
        return _log(con, r)
    if lf.marker_entry is None:
        r.status, r.message = (
            LoadStatus.UNLISTED,
            "on disk but not listed in the completion marker (written late?); not loaded",
        )
        return _log(con, r)
    r.stat = lf.path.stat()
    if _unchanged_since_read(con, lf, r.stat):
        return None
    # A path read before is most likely the same content copied again: hashed first, it is not read at all.
    # A new path is hashed while it is read (one pass over the file, the hash beside DuckDB's split).
    hash_first = _path_read_before(con, lf)
    if hash_first:
        r.sha256 = sha256_of(lf.path)
        if (known := _known_content(con, lf, r)) is not None:
            return known.result
    fast = _read_fast(con, lf, obj, r, hashed=hash_first)
    if not fast:
        _read_lines(con, lf, obj, r, hashed=r.sha256 is not None)
    if not hash_first and (known := _known_content(con, lf, r)) is not None:
        return known.result
    con.execute("begin transaction")
    try:
        if r.reload_of is None:  # new content at the path of an earlier refusal: it replaces that refusal
            r.reload_of = supersede_refused(con, obj, r.file, r.load_id)
        if fast:
            _append_loaded(con, obj, r, "_typed_rows")
        else:
            _load_parsed(con, lf, obj, r)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return r


def _reject_whole_file(con: duckdb.DuckDBPyConnection, r: FileResult, exc: _FileRejected) -> None:
    r.status, r.rows_loaded = LoadStatus.REJECTED, 0
    r.message = f"file rejected ({exc.rule}): {exc.message}"
    if r.data_after is not None and r.rows_read:
        con.execute(
            "insert into raw.rejects select ?, ?, ?, ?, lineno, ?, ?, ?, line from _lines where lineno > ?",
            [
                r.load_id,
                r.system,
                r.object,
                r.file,
                exc.column,
                exc.rule,
                f"{r.file}: {exc.message}",
                r.data_after,
            ],
        )
        r.rows_rejected = r.rows_read
    else:
        _file_reject(con, r, exc.rule, exc.message, exc.column)
        r.rows_rejected = r.rows_read


def _load_parsed(con: duckdb.DuckDBPyConnection, lf: LandedFile, obj: SourceObject, r: FileResult) -> None:
    try:
        _parse_file(con, lf, obj, r)
    except _FileRejected as exc:
        _reject_whole_file(con, r, exc)
        _remember(con, r)
        _log(con, r)
        return
    if r.rows_read == 0:  # header-only or empty: nothing to type or load
        r.status = LoadStatus.LOADED
        _flag_empty(con, lf, r)
        _remember(con, r)
        _log(con, r)
        return
    con.execute(typed_sql(obj, r.version_column))
    con.execute(bad_sql(obj))
    r.rows_rejected = int(con.execute("select count(distinct _source_row) from _bad").fetchone()[0])
    source = "_typed"
    if r.rows_rejected:
        con.execute(
            """
            insert into raw.rejects
            select ?, ?, ?, ?, _source_row, e['column'], e['rule'],
                   ? || ' line ' || _source_row || coalesce(', column ' || e['column'], '')
                     || ': ' || e['message'],
                   _raw
            from _bad order by _source_row
            """,
            [r.load_id, r.system, r.object, r.file, r.file],
        )
        con.execute(
            "create or replace temp view _loaded as select * from _typed "  # a view: not a second copy
            "anti join (select distinct _source_row from _bad) b using (_source_row)"
        )
        source = "_loaded"
    _append_loaded(con, obj, r, source)


def _append_loaded(con: duckdb.DuckDBPyConnection, obj: SourceObject, r: FileResult, source: str) -> None:
    """Append the file's loaded rows (``source``: its typed rows less the rejected ones) to the object's
    history, refresh the current rows of the keys they touch, and log the file."""
    pred = obj.delete_marker.sql_predicate() if obj.delete_marker else "false"
    cols = ", ".join(q(c) for c in obj.column_names)
    lineage = ", ".join(q(n) for n, _ in LINEAGE_COLUMNS)
    fresh = not con.execute(f"select count(*) from {history_table(obj)}").fetchone()[0]
    con.execute(
        f"insert into {history_table(obj)} ({cols}, {lineage}) "
        f"select {cols}, ?, ?, _source_row, ?, now()::timestamp, {pred}, _overflow from {source}",
        [r.load_id, r.file, r.extract_date],
    )
    refresh_current(con, obj, source, fresh)
    r.rows_loaded = r.rows_read - r.rows_rejected
    r.status = LoadStatus.LOADED_WITH_REJECTS if r.rows_rejected else LoadStatus.LOADED
    if r.rows_rejected:
        rules = con.execute(
            "select e['rule'], count(distinct _source_row) from _bad group by 1 order by 2 desc, 1"
        ).fetchall()
        summary = "rejected rows: " + ", ".join(f"{n} {rule}" for rule, n in rules) + " (see raw.rejects)"
        r.message = "; ".join(m for m in (summary, r.message) if m)
    _remember(con, r)
    _log(con, r)


def _extract_type(folder: Path) -> str | None:
    """The ``extract_type`` (full/delta) of a folder's marker, None when the marker is gone or unreadable."""
    try:
        marker = json.loads((folder / COMPLETION_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return marker.get("extract_type") if isinstance(marker, dict) else None


def _previous_rows(con: duckdb.DuckDBPyConnection, lf: LandedFile, r: FileResult) -> tuple[date, int] | None:
    """Extract date and rows of the latest earlier extract of this object of the same type (full vs delta: a
    delta after a full is naturally small), from the load log; None when there is none."""
    tonight = (lf.folder.marker or {}).get("extract_type")
    earlier = con.execute(
        "select extract_date, rows_read from raw.load_log where system = ? and object = ? "
        "and extract_date < ? and status in (select unnest(?)) and superseded_by is null "
        "order by extract_date desc",
        [r.system, r.object, r.extract_date, sorted(LOADED_STATUSES | {LoadStatus.EMPTY})],
    ).fetchall()
    for extract_date, rows in earlier:
        before = _extract_type(lf.folder.path.parent / extract_date.isoformat())
        if tonight is None or before is None or before == tonight:
            return extract_date, int(rows)
    return None


def _flag_empty(con: duckdb.DuckDBPyConnection, lf: LandedFile, r: FileResult) -> None:
    """Status ``empty`` (a warning in the summary) for a file with no rows that should have had some."""
    if r.data_after is None and lf.obj is not None and lf.obj.format == "csv":
        r.status = LoadStatus.EMPTY
        r.message = "empty file: no header, no rows (a CSV extract always has a header); check the export"
        return
    previous = _previous_rows(con, lf, r)
    if previous and previous[1] > 0:
        r.status = LoadStatus.EMPTY
        r.message = (
            f"no rows tonight, while the previous extract ({previous[0]}) had {previous[1]}; "
            "check the export before trusting this object's numbers"
        )


def object_files(
    landing: Path, obj: SourceObject, folders: list[ExtractFolder] | None = None
) -> list[LandedFile]:
    """The files of ``obj`` in every complete folder of its system, oldest extract first."""
    folders = scan_landing(landing) if folders is None else folders
    out = []
    for folder in folders:
        if folder.system == obj.system and folder.complete:
            out.extend(lf for lf in folder_files(landing, folder) if lf.name == obj.file)
    return out


def load_object(
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    obj: SourceObject,
    load_id: str,
    folders: list[ExtractFolder] | None = None,
) -> list[FileResult]:
    """Load every not-yet-loaded file of one contract object; returns one result per file processed."""
    ensure_bookkeeping(con)
    ensure_object_tables(con, obj)
    results = []
    for lf in object_files(landing, obj, folders):
        res = load_file(con, lf, load_id, take_reload_request(con, obj, lf.rel_path, load_id))
        if res is not None:
            results.append(res)
    for v in ("_rows", "_loaded", "_typed_rows"):
        con.execute(f"drop view if exists {v}")
    for t in ("_lines", "_typed", "_bad", "_keys"):
        con.execute(f"drop table if exists {t}")
    return results


def audit_landing(con: duckdb.DuckDBPyConnection, landing: Path, load_id: str) -> list[FileResult]:
    """Log what the object loads never see: folders waiting for a marker, bad folders, files with no contract,
    file names that try to leave the landing folder."""
    ensure_bookkeeping(con)
    folders = scan_landing(landing)
    results = [_log(con, r) for r in no_extract_found(landing, folders, load_id)]
    for folder in folders:
        rel = f"{folder.system}/{folder.name}"
        if not folder.complete:
            kind = (folder.problem or "").split(":")[0]
            msg = {
                "waiting": "waiting: no completion marker yet; the folder will be loaded once it is complete",
                "invalid_folder": "folder name is not an extract date (YYYY-MM-DD); not loaded",
                "unknown_system": f"no contract for system {folder.system!r}; not loaded",
            }.get(kind, f"completion marker unreadable ({folder.problem}); not loaded")
            results.append(
                _log(
                    con,
                    FileResult(
                        load_id, folder.system, None, folder.extract_date, rel, None, kind, message=msg
                    ),
                )
            )
            continue
        for lf in folder_files(landing, folder):
            if lf.obj is None:
                res = load_file(con, lf, load_id)
                if res is not None:
                    results.append(res)
    return results


def no_extract_found(landing: Path, folders: list[ExtractFolder], load_id: str) -> list[FileResult]:
    """One ``no_extract`` warning when the landing folder holds no complete extract folder at all: an empty
    landing folder, or ``--landing`` one level off, must not pass for a quiet night."""
    if any(f.complete for f in folders):
        return []
    subfolders = sorted(p.name for p in landing.iterdir() if p.is_dir()) if landing.is_dir() else []
    seen = f"; its subfolders are: {', '.join(subfolders[:8])}" if subfolders else "; it has no subfolders"
    message = (
        f"no complete extract folder in {landing} (expected <system>/<YYYY-MM-DD>/ with its "
        f"{COMPLETION_MARKER}, system one of {', '.join(SYSTEMS)}){seen}; nothing was loaded: "
        "check --landing"
    )
    return [FileResult(load_id, None, None, None, str(landing), None, LoadStatus.NO_EXTRACT, message=message)]


def load_landing(
    con: duckdb.DuckDBPyConnection, landing: Path, load_id: str | None = None
) -> list[FileResult]:
    """Everything at once (what the Dagster job does object by object): audit, then every contract object."""
    from ingestion.contract import all_objects

    load_id = load_id or new_load_id()
    folders = scan_landing(landing)
    results = audit_landing(con, landing, load_id)
    for obj in all_objects():
        results.extend(load_object(con, landing, obj, load_id, folders))
    return results
