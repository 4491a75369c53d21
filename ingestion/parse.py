"""Set-based parsing of one landed file inside DuckDB, line by line, so every rejected row keeps its line.

``read_lines`` turns the file into ``_lines(lineno, line, unterminated)`` (BOM and CR stripped, blank
lines dropped). ``csv_rows`` / ``json_rows`` then build ``_rows(lineno, line, unterminated, parse_rule,
parse_message, <one VARCHAR per contract column>, _overflow)`` where parse_rule is NULL for a well-formed
line. Records span exactly one physical line (the extract contract); a quoted field with an embedded newline
is reported as an unbalanced quote on both lines rather than silently merged.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

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


#: DuckDB's read_text refuses files above ~3.9 GiB; bigger files are read in parts cut at line ends.
READ_TEXT_MAX_BYTES = 1 << 31

_SPLIT_SELECT = """
    select generate_subscripts(l, 1) + $offset as lineno, unnest(l) as raw, len(l) + $offset as n, nl
    from (select string_split(content, chr(10)) as l, ends_with(content, chr(10)) as nl from read_text($path))
"""


def _split_in_parts(con: duckdb.DuckDBPyConnection, path: Path, max_bytes: int) -> None:
    """``_split`` of a file too big for one read_text: parts of ~max_bytes ending at a line end."""
    con.execute("create or replace temp table _split (lineno BIGINT, raw VARCHAR, n BIGINT, nl BOOLEAN)")
    offset = 0
    with tempfile.TemporaryDirectory(prefix="throughline_parts_") as tmp, path.open("rb") as fh:
        part = Path(tmp) / "part.txt"
        while block := fh.read(max_bytes):
            block += fh.readline()  # finish the line the block cut
            part.write_bytes(block)
            con.execute(f"insert into _split {_SPLIT_SELECT}", {"offset": offset, "path": str(part)})
            offset += block.count(b"\n")


def read_lines(
    con: duckdb.DuckDBPyConnection, path: Path, json_keys: bool = False, max_bytes: int = READ_TEXT_MAX_BYTES
) -> None:
    """Load the file's physical lines into ``_lines`` (with ``keys``, the top-level JSON keys or NULL when
    the line is not JSON, if ``json_keys``). Raises duckdb.InvalidInputException if not UTF-8.

    Two statements: the split of the one big string runs on one thread, so it does nothing else; the
    cleaning (BOM, CR, blank lines) and JSON work then run in parallel over the split lines."""
    if path.stat().st_size > max_bytes:
        _split_in_parts(con, path, max_bytes)
    else:
        con.execute(
            f"create or replace temp table _split as {_SPLIT_SELECT}", {"offset": 0, "path": str(path)}
        )
    keys = ", try(json_keys(line)) as keys" if json_keys else ""
    con.execute(
        f"""
        create or replace temp table _lines as
        with c as (
            select lineno, n, nl,
                   case when lineno = 1 then rtrim(ltrim(raw, chr(65279)), chr(13))
                        when ends_with(raw, chr(13)) then rtrim(raw, chr(13)) else raw end as line
            from _split
        )
        select lineno, line, lineno = n and not nl as unterminated{keys} from c
        where case when ascii(line) > 32 then true else trim(line) <> '' end
        """
    )
    con.execute("drop table _split")


def read_lines_lossy(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """``_lines`` for a file that is not valid UTF-8 (bad bytes shown as U+FFFD), so its rows can be rejected
    with their text. Vectorised: one decode and split, handed to DuckDB as an Arrow table."""
    import pyarrow as pa

    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = text.split("\n")
    table = pa.table({"lineno": pa.array(range(1, len(lines) + 1), pa.int64()), "raw": pa.array(lines)})
    con.register("_lossy", table)
    try:
        con.execute(
            """
            create or replace temp table _lines as
            with c as (
                select lineno, regexp_replace(
                    case when lineno = 1 then ltrim(raw, chr(65279)) else raw end, '\\r$', '') as line,
                    lineno = (select max(lineno) from _lossy) and not ? as unterminated
                from _lossy
            )
            select lineno, line, unterminated from c where trim(line) <> ''
            """,
            [text.endswith("\n")],
        )
    finally:
        con.unregister("_lossy")


def first_line(con: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    row = con.execute("select lineno, line from _lines order by lineno limit 1").fetchone()
    return (int(row[0]), str(row[1])) if row else None


def csv_header(line: str) -> list[str]:
    return next(csv.reader([line]))


def _overflow_sql(pairs: list[tuple[str, str]]) -> str:
    if not pairs:
        return "null::json"
    return "json_object(" + ", ".join(f"{sql_str(k)}, {v}" for k, v in pairs) + ")"


def csv_rows(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, header: list[str], hmap: HeaderMap, header_lineno: int
) -> None:
    """Split each data line into fields and name them by the contract (``_rows``)."""
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
    overflow = _overflow_sql([(e, val(e)) for e in hmap.extra])
    con.execute(
        f"""
        create or replace temp table _rows as
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
        select lineno, line, unterminated,
            case when not well_formed and quotes % 2 = 1 then 'unbalanced_quote'
                 when not well_formed then 'malformed_quoting'
                 when len(f) <> {n} then 'wrong_field_count' end as parse_rule,
            case when not well_formed and quotes % 2 = 1
                      then 'unbalanced quote: the line has an odd number of double quotes'
                 when not well_formed then 'malformed quoting: text after a closing quote'
                 when len(f) <> {n}
                      then 'wrong field count: expected {n} fields (as in the header), found ' || len(f)
            end as parse_message,
            {cols},
            case when well_formed and len(f) = {n} then {overflow} end as _overflow
        from p
        """
    )


def json_keys_present(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every key used by a JSON object line, in first-seen order."""
    rows = con.execute(
        "select k from (select unnest(keys) as k, lineno from _lines where keys is not null) "
        "group by k order by min(lineno), k"
    ).fetchall()
    return [r[0] for r in rows]


def json_rows(con: duckdb.DuckDBPyConnection, obj: SourceObject, hmap: HeaderMap) -> None:
    """Extract each contract column from each JSON line (``_rows``), one more parse per line."""
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
    overflow = _overflow_sql([(e, f"x[{i + 1}]") for i, e in enumerate(hmap.extra)])
    extra_sql = f"case when ok then json_extract(line, {extra_paths}) end" if extra_paths else "null"
    con.execute(
        f"""
        create or replace temp table _rows as
        with p as (
            select lineno, line, unterminated, keys is not null as valid,
                   keys is not null and starts_with(ltrim(line), '{{') as ok
            from _lines
        ),
        q as (
            select *, case when ok then json_extract_string(line, {paths}) end as v, {extra_sql} as x,
                   case when valid and not ok then json_type(line) end as jtype
            from p
        )
        select lineno, line, unterminated,
            case when not valid then 'invalid_json' when not ok then 'not_an_object' end as parse_rule,
            case when not valid then 'invalid JSON: the line does not parse as JSON'
                 when not ok then 'not a JSON object: found a JSON ' || lower(jtype) end as parse_message,
            {cols},
            case when ok then {overflow} end as _overflow
        from q
        """
    )
