"""DDL of the raw layer: per-object history and current tables, and the bookkeeping tables in ``raw``.

Everything is derived from the contracts, so adding a column to a YAML contract adds it here (existing
history tables get the new column with ``ALTER TABLE``; old rows read NULL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ingestion.contract import SYSTEMS, SourceObject, all_objects

BOOKKEEPING_SCHEMA = "raw"

#: Lineage columns appended after the contract columns of every history and current table.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_load_id", "VARCHAR"),
    ("_source_file", "VARCHAR"),
    ("_source_row", "BIGINT"),
    ("_extract_date", "DATE"),
    ("_loaded_at", "TIMESTAMP"),
    ("_is_deleted", "BOOLEAN"),
    ("_overflow", "JSON"),
)

#: Columns that record *when* a run happened, not what it computed: two builds of the same data differ
#: only there (lineage stamps, the facts' build stamp, incremental models' load watermarks, dbt snapshot
#: validity, the forecasts' freeze time).
#: Every comparison of two warehouses (re-run identity, incremental vs full, Spark vs DuckDB) leaves them out.
RUN_STAMP_COLUMNS = frozenset(
    {
        "_loaded_at",
        "_load_id",
        "_built_at",
        # the newest _loaded_at an incremental model had seen when it wrote the row (its watermark)
        "entries_loaded_through",
        "inputs_loaded_through",
        # the rate cards' newest _loaded_at and count that fct_time_entries_monthly's rows were summed with
        "rate_cards_loaded_through",
        "dbt_updated_at",
        "dbt_valid_from",
        "dbt_valid_to",
        "dbt_scd_id",
        "recorded_at",
    }
)

BOOKKEEPING_DDL = """
create table if not exists raw.load_log (
    load_id VARCHAR, system VARCHAR, object VARCHAR, extract_date DATE, file VARCHAR, sha256 VARCHAR,
    status VARCHAR, rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, drift_columns VARCHAR[],
    message VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP
);
create table if not exists raw.rejects (
    load_id VARCHAR, system VARCHAR, object VARCHAR, file VARCHAR, "row" BIGINT, "column" VARCHAR,
    rule VARCHAR, message VARCHAR, raw_text VARCHAR
);
create table if not exists raw.loaded_files (
    sha256 VARCHAR, system VARCHAR, object VARCHAR, file VARCHAR, extract_date DATE, load_id VARCHAR,
    status VARCHAR, rows_read BIGINT, loaded_at TIMESTAMP
);
create table if not exists raw.reload_requests (
    file VARCHAR, replaces_load_id VARCHAR, requested_at TIMESTAMP, load_id VARCHAR
);
alter table raw.load_log add column if not exists reload_of VARCHAR;
alter table raw.load_log add column if not exists superseded_by VARCHAR;
alter table raw.load_log add column if not exists version_column VARCHAR;
alter table raw.loaded_files add column if not exists bytes BIGINT;
alter table raw.loaded_files add column if not exists modified_ns BIGINT;
"""

#: Columns of ``raw.load_log`` in the order the loader writes them (the last two were added later:
#: warehouses from before them get them with ``ALTER TABLE``, so inserts always name their columns).
LOAD_LOG_COLUMNS = (
    "load_id",
    "system",
    "object",
    "extract_date",
    "file",
    "sha256",
    "status",
    "rows_read",
    "rows_loaded",
    "rows_rejected",
    "drift_columns",
    "message",
    "started_at",
    "finished_at",
    "reload_of",
    "version_column",
)


#: Descriptions of the lineage columns, written as DuckDB column comments beside the contract's own.
LINEAGE_DESCRIPTIONS = {
    "_load_id": "Nightly load that landed this version (raw.load_log.load_id).",
    "_source_file": "Landed file, relative to the landing folder.",
    "_source_row": "Line number of the record in that file.",
    "_extract_date": "Extract folder date the version arrived in.",
    "_loaded_at": "When Throughline loaded it (UTC).",
    "_is_deleted": "The source flagged the record deleted (contract delete marker).",
    "_overflow": "Columns the contract does not declare (schema drift), as JSON.",
}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _describe(con: duckdb.DuckDBPyConnection, table: str, obj: SourceObject, history: bool) -> None:
    """Write the contract's descriptions as DuckDB comments, so analysts see them in any SQL client."""
    kind = "Every landed version (append-only) of" if history else "Current state (latest version per key) of"
    about = f"{kind} {obj.system}.{obj.name}: {obj.description}"
    con.execute(f"comment on table {table} is {_literal(about)}")
    descriptions = {c.name: c.description for c in obj.columns} | LINEAGE_DESCRIPTIONS
    for name, text in descriptions.items():
        if text:
            con.execute(f"comment on column {table}.{q(name)} is {_literal(text)}")


#: Table comments of the bookkeeping tables (what a controller reading the warehouse needs to know).
BOOKKEEPING_DESCRIPTIONS = {
    "load_log": "One row per landed file per nightly load: status, rows read = loaded + rejected, "
    "schema drift (columns the contract does not declare) and a message. A row of `throughline reload` "
    "names the attempt it replaces (reload_of); that attempt names it back (superseded_by) and no longer "
    "counts. version_column: the contract column (first of the object's versioned_by the file carries) "
    "that versions the file's records.",
    "rejects": "Quarantined rows: file, line number, column and rule they broke, a message an analyst can "
    "act on, and the raw text. Nothing landed is dropped: it is loaded or it is here.",
    "loaded_files": "Content hashes of processed files: landing a file twice is a no-op. bytes and "
    "modified_ns: the file's size and modification time (ns) when it was read; a later night does not "
    "hash a file again while its path, size, modification time and marker's SHA-256 are unchanged.",
    "reload_requests": "Files `throughline reload` asked to re-read, and the load (load_id) that did it.",
}


def q(name: str) -> str:
    """Quote an identifier for DuckDB SQL."""
    return '"' + name.replace('"', '""') + '"'


def history_table(obj: SourceObject) -> str:
    return f"{q(obj.schema)}.{q(obj.name + '__history')}"


def current_table(obj: SourceObject) -> str:
    return f"{q(obj.schema)}.{q(obj.name)}"


def _table_columns(obj: SourceObject) -> list[tuple[str, str]]:
    return [(c.name, c.type) for c in obj.columns] + list(LINEAGE_COLUMNS)


def _existing_columns(con: duckdb.DuckDBPyConnection, schema: str, tables: list[str]) -> dict[str, set[str]]:
    """``{table: its columns}`` for those of ``tables`` that exist in ``schema`` (one catalog query)."""
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() where database_name = current_database()"
        " and schema_name = ? and list_contains(?, table_name)",
        [schema, tables],
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


@contextmanager
def _one_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Run DDL as one transaction: a commit per statement made creating a warehouse's ~200 raw tables and
    their ~3,000 column comments several seconds slower, paid by every test that loads a landing."""
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _ensure_table(
    con: duckdb.DuckDBPyConnection, table: str, obj: SourceObject, name: str, existing: set[str]
) -> None:
    cols = _table_columns(obj)
    con.execute(f"create table if not exists {table} ({', '.join(f'{q(n)} {t}' for n, t in cols)})")
    for n, t in cols:
        if existing and n not in existing:
            con.execute(f"alter table {table} add column {q(n)} {t}")
    if not existing or any(n not in existing for n, _ in cols):
        _describe(con, table, obj, history=name.endswith("__history"))


def ensure_object_tables(con: duckdb.DuckDBPyConnection, obj: SourceObject) -> None:
    """Create (or widen, after a contract gained columns) the object's history and current tables.

    Every night after the first finds both complete: one catalog query, no DDL. Call outside a transaction.
    """
    names = {obj.name + "__history": history_table(obj), obj.name: current_table(obj)}
    existing = _existing_columns(con, obj.schema, list(names))
    wanted = {n for n, _ in _table_columns(obj)}
    if all(wanted <= existing.get(name, set()) for name in names):
        return
    with _one_transaction(con):
        con.execute(f"create schema if not exists {q(obj.schema)}")
        for name, table in names.items():
            _ensure_table(con, table, obj, name, existing.get(name, set()))


def ensure_bookkeeping(con: duckdb.DuckDBPyConnection) -> None:
    """Create the bookkeeping tables (``raw.load_log`` ...), once: a warehouse that has them is left alone.

    ``loaded_files.modified_ns`` is the newest column BOOKKEEPING_DDL adds, so a warehouse that has it has
    them all.
    """
    existing = _existing_columns(con, BOOKKEEPING_SCHEMA, ["loaded_files"]).get("loaded_files", set())
    if "modified_ns" in existing:
        return
    with _one_transaction(con):
        con.execute(f"create schema if not exists {BOOKKEEPING_SCHEMA}")
        con.execute(BOOKKEEPING_DDL)
        for table, text in BOOKKEEPING_DESCRIPTIONS.items():
            con.execute(f"comment on table {BOOKKEEPING_SCHEMA}.{table} is {_literal(text)}")


def ensure_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Create every raw schema and table (idempotent), so dbt sources exist even before the first load."""
    ensure_bookkeeping(con)
    for system in SYSTEMS:
        con.execute(f"create schema if not exists raw_{system}")
    for obj in all_objects():
        ensure_object_tables(con, obj)
