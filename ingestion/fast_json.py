"""A clean JSON-lines file read by DuckDB's parallel JSON reader instead of line by line.

The line-by-line path (``ingestion.parse``) keeps every line's text and number so that a rejected row can be
reported with both. Most nights' files have nothing to reject, and for them the text is written twice (the
split lines, then the cleaned ones) and every line parsed twice (its keys, then its values): at xl, 57 s of
the time entries' 136-s load before any value was typed. This path reads such a file as the benchmark's
floor does, with ``read_json`` (parallel), straight into the typing step, and keeps the line path's promises
by checking them instead of assuming them:

- every line is one JSON object, and every object has the same keys (a keys pass over
  ``read_ndjson_objects`` finds one key list; an object holding a key twice makes ``read_json`` fail);
- the reader returned one row per line of the file (the file's line ends are counted while it is hashed):
  a blank line, a line the reader skipped or split, would change the count;
- the rows are numbered in file order: the typed table is written with DuckDB's insertion order preserved
  (checked on the connection), so its ``rowid`` is the line number less one;
- every value is the text ``json_extract_string`` gives the line path (numbers, booleans, nested objects
  and escapes alike);
- no row breaks a rule: the typing step's checks and the duplicate keys run as on the line path.

Anything else goes to the line path, which then reads the file again from the start: the fast path only
ever loads what the line path would have loaded, row for row, with the same line numbers
(``tests/ingestion/test_fast_json.py`` loads each case both ways and compares every table the loader
writes). ``THROUGHLINE_FAST_JSON=0`` turns it off.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import duckdb

from ingestion.contract import SourceObject
from ingestion.parse import Digest, HeaderMap, count_line_ends, overflow_sql, sql_str
from ingestion.warehouse import q

FAST_JSON_ENV = "THROUGHLINE_FAST_JSON"


def enabled() -> bool:
    """Whether JSON-lines files try the fast path first (``THROUGHLINE_FAST_JSON``, default on)."""
    return os.environ.get(FAST_JSON_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def count_lines(path: Path, digest: Digest | None) -> int:
    """The file's lines as the line path numbers them (a last line without a line end counts), feeding
    every byte to ``digest``: the one pass over the bytes that hashing needs anyway."""
    line_ends = count_line_ends(path, digest)
    if path.stat().st_size == 0:
        return 0
    with path.open("rb") as fh:
        fh.seek(-1, os.SEEK_END)
        return line_ends + (fh.read(1) != b"\n")


class Scan(NamedTuple):
    """What the keys pass and the byte scan found in a file."""

    keys: list[str]  #: the key list every line shares (empty when they do not share one)
    lines: int  #: the file's lines, as the line path numbers them
    ok: bool  #: every line one object with those keys, one row per line: the fast path can go on
    escaped: bool  #: some line holds a backslash or a DEL: a value may hold a control character


def _the_one_key_list(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[str], int, bool] | None:
    """The key list every line of the file shares, the count of lines read and whether any line holds a
    backslash or a DEL; None when the lines do not share one key list (then the line path names each line's
    problem).

    Lines are grouped by a hash of their key list (carrying the lists themselves through the group-by took
    three times as long); with one group, the first line's list is every line's. JSON forbids a raw C0
    control character inside a string (RFC 8259, section 7; the reader refuses one), so a value holds one
    only through an escape, or holds DEL, which JSON allows raw: a file with neither cannot break the
    control-character rule, and its typing step skips that search (a third of the step)."""
    groups = con.execute(
        "select count(*), bool_or(contains(json, chr(92)) or contains(json, chr(127)))"
        " from read_ndjson_objects($path) group by hash(json_keys(json))",
        {"path": str(path)},
    ).fetchall()
    if len(groups) != 1:
        return None
    first = con.execute("select json_keys(json) from read_ndjson_objects($path) limit 1", {"path": str(path)})
    keys = list(first.fetchone()[0])
    if not keys or len(set(keys)) != len(keys):
        return None
    return keys, int(groups[0][0]), bool(groups[0][1])


def _values_sql(path: Path, keys: list[str], extra: list[str]) -> str:
    """The file read by ``read_json``, one column per key: text for the contract's keys (what
    ``json_extract_string`` gives), JSON for the extra ones (what ``json_extract`` gives: ``_overflow``)."""
    extras = set(extra)
    columns = ", ".join(f"{sql_str(k)}: {sql_str('JSON' if k in extras else 'VARCHAR')}" for k in keys)
    return (
        f"read_json({sql_str(str(path))}, format = 'newline_delimited', records = true, auto_detect = false, "
        f"columns = {{{columns}}})"
    )


def read(con: duckdb.DuckDBPyConnection, path: Path, digest: Digest | None) -> Scan:
    """Scan the file's bytes (``digest`` fed, lines counted) beside DuckDB's keys pass. ``digest`` is fed the
    whole file whatever the outcome: the caller's hash never depends on the fast path."""
    if not con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]:
        return Scan([], count_lines(path, digest), False, True)  # rows written in any order: no line numbers
    with ThreadPoolExecutor(1) as pool:
        counted = pool.submit(count_lines, path, digest)
        try:
            found = _the_one_key_list(con, path)
        except duckdb.Error:  # malformed JSON, not UTF-8, a line too long: the line path says which line
            found = None
        lines = counted.result()
    if found is None or found[1] != lines:
        return Scan([], lines, False, True)
    return Scan(found[0], lines, True, found[2])


def rows_view(
    con: duckdb.DuckDBPyConnection, obj: SourceObject, path: Path, keys: list[str], hmap: HeaderMap
) -> None:
    """``_rows`` straight over ``read_json``, shaped as ``ingestion.parse.json_rows`` shapes it over
    ``_lines`` (no row has a parse problem), except the line number: a parallel read cannot number its rows,
    so ``lineno`` is NULL here and ``numbered`` gives it from the typed table's ``rowid``."""
    cols = ", ".join(
        f"{q(hmap.source_of[c.name])} as {q(c.name)}"
        if c.name in hmap.source_of
        else f"null::varchar as {q(c.name)}"
        for c in obj.columns
    )
    overflow = overflow_sql([(e, q(e)) for e in hmap.extra])
    con.execute(
        f"""
        create or replace temp view _rows as
        select null::bigint as lineno, false as unterminated, null::varchar as parse_rule,
               null::varchar as parse_message, null::varchar as parse_column, {cols}, {overflow} as _overflow
        from {_values_sql(path, keys, hmap.extra)}
        """
    )


def numbered(con: duckdb.DuckDBPyConnection, lines: int) -> bool:
    """``_typed_rows``: ``_typed`` with each row's line number, its position in the file (``rowid`` + 1:
    the table was written with DuckDB's insertion order preserved). False when the reader did not return
    one row per line of the file."""
    rows = int(con.execute("select count(*) from _typed").fetchone()[0])
    if rows != lines:
        return False
    con.execute(
        "create or replace temp view _typed_rows as select * replace (rowid + 1 as _source_row) from _typed"
    )
    return True


def drop(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what the fast path made (``_typed`` is the line path's name too, and stays)."""
    con.execute("drop view if exists _typed_rows")
    con.execute("drop view if exists _rows")
