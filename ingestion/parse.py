"""Set-based parsing of one landed file inside DuckDB, line by line, so every rejected row keeps its line.

``read_lines`` turns the file into ``_lines(lineno, line, unterminated)`` (BOM and CR stripped, blank
lines dropped); for a CSV, one row per RFC 4180 record: a quoted field may hold delimiters, "" quotes and
line breaks, and a record spanning lines carries its first line's number. ``csv_rows`` / ``json_rows``
then build ``_rows(lineno, unterminated, parse_rule, parse_message, parse_column, <one VARCHAR per contract
column>, _overflow)`` where parse_rule is NULL for a well-formed record. The line's text stays in ``_lines``
only: a rejected row fetches it from there by its number, so the text of a 10 GB file is not copied into
every step's temporary table.

Why not DuckDB's ``read_csv``: it gives no line number per record and drops the raw text of a rejected
row, and the loader promises both (``raw.rejects`` names file, line and column, and keeps the line).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

import duckdb

from ingestion.contract import SourceObject, normalize_header
from ingestion.warehouse import q

# One CSV field per match on ',' || line: a quoted field ("" escapes a quote) or an unquoted one.
_CSV_FIELD = ',("(?:[^"]|"")*"|[^,"]*)'


def sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def json_path(key: str) -> str:
    """SQL literal of the JSON path selecting top-level ``key``."""
    return sql_str('$."' + key.replace('"', '\\"') + '"')


@dataclass
class HeaderMap:
    """How the landed header (CSV) or key set (JSONL) maps onto the contract."""

    source_of: dict[str, str] = field(default_factory=dict)  # contract column -> landed name
    extra: list[str] = field(default_factory=list)  # landed names with no contract column (drift)
    missing_required: list[str] = field(default_factory=list)
    missing_optional: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)  # contract columns matched by several landed names


def map_header(obj: SourceObject, names: list[str]) -> HeaderMap:
    by_key: dict[str, list[str]] = {}
    for n in names:
        by_key.setdefault(normalize_header(n), []).append(n)
    m = HeaderMap()
    used: set[str] = set()
    for col in obj.columns:
        hits = [n for k in sorted(col.header_keys) for n in by_key.get(k, [])]
        if len(hits) > 1:
            m.ambiguous.append(col.name)
        if hits:
            m.source_of[col.name] = hits[0]
            used.update(hits)
        elif col.name in obj.required_columns:
            m.missing_required.append(col.name)
        else:
            m.missing_optional.append(col.name)
    m.extra = [n for n in names if n not in used]
    return m


#: Files above this are read in parts cut at line ends. ``read_text`` holds a file as one string and
#: ``string_split`` makes a list of its lines: about twice the part's size in memory that DuckDB cannot spill.
#: At 2 GiB (DuckDB refuses read_text above ~3.9 GiB) the xl firm's time entries asked for one 4 GiB block
#: under the nightly's 3 GB memory limit and the load failed; 256 MiB parts keep a load's peak far below it.
READ_TEXT_MAX_BYTES = 256 << 20

_SPLIT_SELECT = """
    select generate_subscripts(l, 1) + $offset as lineno, unnest(l) as raw, len(l) + $offset as n, nl
    from (select string_split(content, chr(10)) as l, ends_with(content, chr(10)) as nl from read_text($path))
"""


class Digest(Protocol):
    """What ``read_lines`` feeds a file's bytes to (a ``hashlib`` hash)."""

    def update(self, data: bytes, /) -> None: ...


#: Bytes a part's reader takes at a time.
_CHUNK = 1 << 20


def count_line_ends(part: Path, digest: Digest | None) -> int:
    """The number of line ends in ``part``, feeding its bytes to ``digest`` (runs beside DuckDB's read)."""
    lines = 0
    with part.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            lines += chunk.count(b"\n")
            if digest is not None:
                digest.update(chunk)
    return lines


def _copy_range(src: BinaryIO, dst: BinaryIO, offset: int, count: int) -> None:
    """``count`` bytes of ``src`` from ``offset`` appended to ``dst``, copied by the kernel (``sendfile``)
    where it can: the bytes of a 10 GB file need not pass through Python."""
    while count > 0:
        try:
            sent = os.sendfile(dst.fileno(), src.fileno(), offset, count)
        except (AttributeError, OSError):  # no sendfile between two files here
            src.seek(offset)
            while count > 0 and (chunk := src.read(min(count, _CHUNK))):
                dst.write(chunk)
                count -= len(chunk)
            return
        if sent == 0:  # the file ended early (shrank while being read)
            return
        offset, count = offset + sent, count - sent


def _part_end(fh: BinaryIO, start: int, max_bytes: int, size: int) -> int:
    """Where the part starting at ``start`` ends: after the line end that finishes the line holding byte
    ``start + max_bytes`` (so no line is cut), or at the end of the file."""
    if start + max_bytes >= size:
        return size
    fh.seek(start + max_bytes)
    fh.readline()
    return fh.tell()


def _split_in_parts(
    con: duckdb.DuckDBPyConnection, path: Path, max_bytes: int, digest: Digest | None
) -> None:
    """``_split`` of a file too big for one read_text: parts of ~max_bytes ending at a line end.

    Each part is copied to a file of its own by the kernel; while DuckDB splits it (one thread), another
    thread counts its line ends (the next part's first line number) and feeds it to ``digest``."""
    con.execute("create or replace temp table _split (lineno BIGINT, raw VARCHAR, n BIGINT, nl BOOLEAN)")
    offset, start, size = 0, 0, path.stat().st_size
    with (
        tempfile.TemporaryDirectory(prefix="throughline_parts_") as tmp,
        path.open("rb") as fh,
        ThreadPoolExecutor(1) as pool,
    ):
        part = Path(tmp) / "part.txt"
        while start < size:
            end = _part_end(fh, start, max_bytes, size)
            with part.open("wb") as out:
                _copy_range(fh, out, start, end - start)
            counted = pool.submit(count_line_ends, part, digest)
            con.execute(f"insert into _split {_SPLIT_SELECT}", {"offset": offset, "path": str(part)})
            offset += counted.result()
            start = end


def _read_whole(con: duckdb.DuckDBPyConnection, path: Path, digest: Digest | None) -> None:
    """``_split`` of a file in one read_text; ``digest`` is fed the file beside it, on another thread."""
    split = f"create or replace temp table _split as {_SPLIT_SELECT}"
    if digest is None:
        con.execute(split, {"offset": 0, "path": str(path)})
        return
    with ThreadPoolExecutor(1) as pool:
        hashed = pool.submit(count_line_ends, path, digest)
        try:
            con.execute(split, {"offset": 0, "path": str(path)})
        finally:
            hashed.result()


def read_lines(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    json_keys: bool = False,
    max_bytes: int = READ_TEXT_MAX_BYTES,
    csv_records: bool = False,
    digest: Digest | None = None,
) -> None:
    """Load the file's lines into ``_lines`` (with ``key_set``, a hash of the line's top-level JSON keys, NULL
    when the line is not JSON, if ``json_keys``: the key lists themselves would almost double the table; with
    ``csv_records``, RFC 4180 records: see ``merge_csv_records``). Raises duckdb.InvalidInputException if
    not UTF-8. ``digest`` (a ``hashlib`` hash) is fed every byte of the file, read beside DuckDB's read: the
    loader hashes a new file this way instead of reading it once more before.

    Two statements: the split of the one big string runs on one thread, so it does nothing else; the
    cleaning (BOM, CR, blank lines) and JSON work then run in parallel over the split lines."""
    if path.stat().st_size > max_bytes:
        _split_in_parts(con, path, max_bytes, digest)
    else:
        _read_whole(con, path, digest)
    _lines_from_split(con, json_keys, csv_records)


def _lines_from_split(con: duckdb.DuckDBPyConnection, json_keys: bool, csv_records: bool) -> None:
    """``_split`` (physical lines) -> ``_lines``: BOM, trailing CR and blank lines dropped. ``_phys`` is a
    view, so a file without a multi-line record costs one pass more than before only over its quoted lines."""
    con.execute(
        """
        create or replace temp view _phys as
        select lineno, case when lineno = 1 then ltrim(raw, chr(65279)) else raw end as raw,
               lineno = n and not nl as unterminated
        from _split
        where lineno < n or not nl  -- not the empty rest after a file's (or a part's) last line end
        """
    )
    if csv_records and has_open_quote(con):
        merge_csv_records(con)
    else:
        keys = ", try(json_keys(line)) as k" if json_keys else ""
        key_set = ", case when k is not null then hash(k) end as key_set" if json_keys else ""
        con.execute(
            f"""
            create or replace temp table _lines as
            with c as (select lineno, {_NO_CR} as line, unterminated from _phys),
            n as (select lineno, line, unterminated{keys} from c where {_NOT_BLANK})
            select lineno, line, unterminated{key_set} from n
            """
        )
    con.execute("drop view _phys")
    con.execute("drop table _split")


#: The line without its CR (of a CRLF line end); rtrim on every line would cost more than the whole split.
_NO_CR = "case when ends_with(raw, chr(13)) then rtrim(raw, chr(13)) else raw end"
_NO_CR_C = _NO_CR.replace("raw", "c.raw")

#: A line that is not only white space (the ascii test spares the trim on almost every line).
_NOT_BLANK = "case when ascii(line) > 32 then true else trim(line) <> '' end"

# RFC 4180 state of a line, read as Python's csv module reads it (a quote opens a field only at its start;
# after a closing quote, text up to the next comma is kept). Q is the inside of a quoted field (""
# escapes a quote); a closed quote is never followed by another quote (that would be an escape).
_Q = '(?:[^"]|"")*'
_FIELD = f'(?:"{_Q}"(?:[^,"][^,]*)?|[^,"][^,]*)?'
#: The line, read from outside any field, ends inside a quoted field it opened.
OPENS_FROM_OUTSIDE = f'(?:{_FIELD},)*"{_Q}'
#: The line, read from inside a quoted field (a continuation), still ends inside one.
OPENS_FROM_INSIDE = f'{_Q}(?:"(?:[^,"][^,]*)?(?:,{_FIELD})*,"{_Q})?'


def has_open_quote(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any line of ``_phys`` opens a quoted field it does not close (the rare case: a field holding
    a line break); files without one skip the record merge."""
    row = con.execute(
        f"""
        select count(*) from _phys
        where contains(raw, '"') and regexp_full_match({_NO_CR}, {sql_str(OPENS_FROM_OUTSIDE)})
        """
    ).fetchone()
    return bool(row and row[0])


def merge_csv_records(con: duckdb.DuckDBPyConnection) -> None:
    """``_lines`` as RFC 4180 records: a quoted field may hold line breaks, and its record (the lines joined
    with their own line ends, bytes kept) carries the number of its first line.

    Set-based, over the lines holding a quote only (a line without one never changes the state): each is a
    function of the quote state it starts in (outside / inside a quoted field): keep it, flip it, or force
    it. The state after a line is the last forcing line's value flipped once per flipping line since, so a
    few window passes find where each multi-line record starts and ends, and an ASOF join collects its
    lines. A merged record whose quoting is still malformed (a quote opened and never closed, or text after
    a closing quote) is split back into its lines, each then judged (and rejected with its line number) on
    its own, so one stray quote cannot swallow the rest of the file."""
    con.execute(
        f"""
        create or replace temp table _lines as
        with l as (select lineno, {_NO_CR} as line from _phys where contains(raw, '"')),
        q as (
            select lineno, regexp_full_match(line, {sql_str(OPENS_FROM_OUTSIDE)}) as fo,
                   regexp_full_match(line, {sql_str(OPENS_FROM_INSIDE)}) as fi
            from l
        ),
        s1 as (select *, sum((fo and not fi)::int) over (order by lineno) as flips from q),
        s2 as (
            select lineno, (coalesce((max(case when fo = fi then lineno * 2 + fo::int end) over w) % 2, 0)
                            + flips - coalesce(max(case when fo = fi then flips end) over w, 0)) % 2 as after
            from s1 window w as (order by lineno)
        ),
        s3 as (select lineno, after, lag(after, 1, 0) over (order by lineno) as before from s2),
        s4 as (select *, sum((before = 0 and after = 1)::int) over (order by lineno) as span from s3),
        spans as (
            select span, min(lineno) filter (where before = 0 and after = 1) as first_line,
                   coalesce(min(lineno) filter (where before = 1 and after = 0), 9223372036854775807)
                       as last_line
            from s4 where span > 0 group by span
        ),
        covered as materialized (
            select p.lineno, p.raw, p.unterminated, s.span
            from _phys p asof join spans s on p.lineno >= s.first_line  -- the span starting last before
            where p.lineno <= s.last_line
        ),
        merged as materialized (
            select span, min(lineno) as lineno, bool_or(unterminated) as unterminated,
                   rtrim(string_agg(raw, chr(10) order by lineno), chr(13)) as line
            from covered group by span
        ),
        ok as materialized (
            select *, array_to_string(regexp_extract_all(',' || line, '{_CSV_FIELD}', 0), '') = ',' || line
                      as keep
            from merged
        ),
        r as (
            select lineno, {_NO_CR} as line, unterminated
            from _phys anti join covered using (lineno)
            union all
            select lineno, line, unterminated from ok where keep
            union all
            select c.lineno, {_NO_CR_C}, c.unterminated
            from covered c semi join ok on c.span = ok.span and not ok.keep
        )
        select lineno, line, unterminated from r where {_NOT_BLANK}
        """
    )


def read_lines_lossy(con: duckdb.DuckDBPyConnection, path: Path, csv_records: bool = False) -> None:
    """``_lines`` for a file that is not valid UTF-8 (bad bytes shown as U+FFFD), so its rows can be rejected
    with their text. Vectorised: one decode and split, handed to DuckDB as an Arrow table."""
    import pyarrow as pa

    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.split("\n")
    table = pa.table({"lineno": pa.array(range(1, len(lines) + 1), pa.int64()), "raw": pa.array(lines)})
    con.register("_lossy", table)
    try:
        con.execute(
            "create or replace temp table _split as select lineno, raw, ? as n, ? as nl from _lossy",
            [len(lines), text.endswith("\n")],
        )
    finally:
        con.unregister("_lossy")
    _lines_from_split(con, False, csv_records)


def first_line(con: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    row = con.execute("select lineno, line from _lines order by lineno limit 1").fetchone()
    return (int(row[0]), str(row[1])) if row else None


def csv_header(line: str) -> list[str]:
    return next(csv.reader(io.StringIO(line)))


def overflow_sql(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return "null::json"
    return "json_object(" + ", ".join(f"{sql_str(k)}, {v}" for k, v in pairs) + ")"


def _field_at_fault(names: list[str]) -> str:
    """SQL naming the column whose quoting breaks a malformed line: the field after the longest prefix of
    well-formed fields (``names`` maps field positions to column names)."""
    prefix = f"regexp_extract(',' || line, '^(?:{_CSV_FIELD})*', 0)"
    position = f"len(regexp_extract_all({prefix}, '{_CSV_FIELD}', 0))"
    if not names:
        return "null"
    return f"list_extract([{', '.join(sql_str(n) for n in names)}]::varchar[], greatest({position}, 1))"


def csv_rows(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, header: list[str], hmap: HeaderMap, header_lineno: int
) -> None:
    """Split each data record into fields and name them by the contract (``_rows``, a view read once by the
    typing step)."""
    idx = {name: i + 1 for i, name in enumerate(header)}
    n = len(header)

    def val(name: str) -> str:
        x = f"f[{idx[name]}]"
        return (
            f"case when starts_with({x}, '\"') then replace({x}[2:-2], '\"\"', '\"') "
            f"when {x} = '' then null else {x} end"
        )

    cols = ", ".join(
        f"{val(hmap.source_of[c.name]) if c.name in hmap.source_of else 'null::varchar'} as {q(c.name)}"
        for c in obj.columns
    )
    contract_name = {landed: col for col, landed in hmap.source_of.items()}
    at_fault = _field_at_fault([contract_name.get(h, h) for h in header])
    overflow = overflow_sql([(e, val(e)) for e in hmap.extra])
    con.execute(
        f"""
        create or replace temp view _rows as
        with m as materialized (
            select lineno, line, unterminated,
                   case when contains(line, '"')
                        then regexp_extract_all(',' || line, '{_CSV_FIELD}', 0) end as m
            from _lines where lineno > {header_lineno}
        ),
        p as materialized (
            select lineno, line, unterminated,
                   case when m is null then string_split(line, ',')
                        else list_transform(m, lambda x: x[2:]) end as f,
                   case when m is null then true else array_to_string(m, '') = ',' || line end as well_formed,
                   length(line) - length(replace(line, '"', '')) as quotes
            from m
        )
        select lineno, unterminated,
            case when not well_formed and quotes % 2 = 1 then 'unbalanced_quote'
                 when not well_formed then 'malformed_quoting'
                 when len(f) <> {n} then 'wrong_field_count' end as parse_rule,
            case when not well_formed and quotes % 2 = 1
                      then 'unbalanced quote: a quoted field opened here is never closed '
                           || '(the line has an odd number of double quotes)'
                 when not well_formed then 'malformed quoting: text after a closing quote'
                 when len(f) <> {n}
                      then 'wrong field count: expected {n} fields (as in the header), found ' || len(f)
            end as parse_message,
            case when not well_formed then {at_fault} end as parse_column,
            {cols},
            case when well_formed and len(f) = {n} then {overflow} end as _overflow
        from p
        """
    )


def json_keys_present(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every key used by a JSON object line, in first-seen order: the keys of the first line of each key set
    (a file has a handful), so only those lines are parsed again."""
    rows = con.execute(
        "select k from (select unnest(json_keys(line)) as k, lineno from _lines where lineno in "
        "(select min(lineno) from _lines where key_set is not null group by key_set)) "
        "group by k order by min(lineno), k"
    ).fetchall()
    return [r[0] for r in rows]


def json_rows(con: duckdb.DuckDBPyConnection, obj: SourceObject, hmap: HeaderMap) -> None:
    """Extract each contract column from each JSON line (``_rows``, a view: the typing step reads it once,
    so the extracted text is never written to a table of its own), one more parse per line."""
    keys = list(dict.fromkeys(hmap.source_of.values()))
    pos = {k: i + 1 for i, k in enumerate(keys)}
    paths = "[" + ", ".join(json_path(k) for k in keys) + "]" if keys else "[]::varchar[]"
    cols = ", ".join(
        f"v[{pos[hmap.source_of[c.name]]}] as {q(c.name)}"
        if c.name in hmap.source_of
        else f"null::varchar as {q(c.name)}"
        for c in obj.columns
    )
    extra_paths = "[" + ", ".join(json_path(e) for e in hmap.extra) + "]" if hmap.extra else None
    overflow = overflow_sql([(e, f"x[{i + 1}]") for i, e in enumerate(hmap.extra)])
    extra_sql = f"case when ok then json_extract(line, {extra_paths}) end" if extra_paths else "null"
    con.execute(
        f"""
        create or replace temp view _rows as
        with p as (
            select lineno, line, unterminated, key_set is not null as valid,
                   key_set is not null and starts_with(ltrim(line), '{{') as ok
            from _lines
        ),
        q as (
            select *, case when ok then json_extract_string(line, {paths}) end as v, {extra_sql} as x,
                   case when valid and not ok then json_type(line) end as jtype
            from p
        )
        select lineno, unterminated,
            case when not valid then 'invalid_json' when not ok then 'not_an_object' end as parse_rule,
            case when not valid then 'invalid JSON: the line does not parse as JSON'
                 when not ok then 'not a JSON object: found a JSON ' || lower(jtype) end as parse_message,
            null::varchar as parse_column,
            {cols},
            case when ok then {overflow} end as _overflow
        from q
        """
    )
