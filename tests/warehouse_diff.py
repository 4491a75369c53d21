"""Row-level comparison of two warehouses, shared by the re-run and incremental-night tests.

Both ask the same question (did rebuilding give the same rows?), so both use this one function instead of a
copy each: per table, the rows only in one warehouse (``except all`` both ways), run-stamp columns aside.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from ingestion.parse import sql_str
from ingestion.warehouse import RUN_STAMP_COLUMNS

__all__ = ["RUN_STAMP_COLUMNS", "attach_read_only", "table_differences"]


def attach_read_only(con: duckdb.DuckDBPyConnection, path: Path, alias: str) -> None:
    """Attach ``path`` read-only as ``alias``, whatever quotes its path holds."""
    # the session's warehouse sits under a path with quotes
    con.execute(f"attach {sql_str(str(path))} as {alias} (read_only)")


def table_differences(
    before: Path,
    after: Path,
    schemas: Iterable[str],
    skip_columns: Mapping[str, set[str]] | None = None,
    min_tables: int = 1,
) -> dict[str, tuple[int, int]]:
    """``{schema.table: (rows only before, rows only after)}`` for every table of ``schemas`` that differs.

    ``skip_columns`` names, per table, columns that may legitimately differ besides the run stamps.
    """
    with duckdb.connect() as con:
        attach_read_only(con, before, "a")
        attach_read_only(con, after, "b")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'a' "
            "and schema_name in (select unnest(?)) order by all",
            [list(schemas)],
        ).fetchall()
        assert len(tables) >= min_tables, f"expected at least {min_tables} tables in {list(schemas)}"
        out = {}
        for schema, table in tables:
            cols = [r[0] for r in con.execute(f'describe a."{schema}"."{table}"').fetchall()]
            skip = RUN_STAMP_COLUMNS | (skip_columns or {}).get(table, set())
            sel = ", ".join(f'"{c}"' for c in cols if c not in skip)
            a, b = f'a."{schema}"."{table}"', f'b."{schema}"."{table}"'
            diff = "select count(*) from (select {s} from {x} except all select {s} from {y})"
            counts = tuple(
                con.execute(diff.format(s=sel, x=x, y=y)).fetchall()[0][0] for x, y in ((a, b), (b, a))
            )
            if any(counts):
                out[f"{schema}.{table}"] = counts
        return out
