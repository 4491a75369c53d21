"""Hand the DuckDB raw layer to Spark: export it to Parquet and register each table in Spark's catalog.

Why a hand-off and not a Spark-native loader: the loader's contracts, quarantine rules and row accounting
(``ingestion.load``) are set-based DuckDB SQL over the extract files, and the raw layer they produce is
small next to what dbt derives from it. Exporting that layer as Parquet keeps ONE loader (one set of
rules, one ``load_log``) and gives Spark exactly the tables DuckDB's staging views read: the same schemas
(``raw``, ``raw_netsuite``, ...), the same table names, the same rows. docs/scale-out.md says when a
Spark-native loader becomes worth it.

The Spark side is an external Parquet table per raw table (``CREATE TABLE ... USING parquet LOCATION``),
created by dbt itself at the start of every invocation on the Spark target when ``THROUGHLINE_SPARK_RAW``
names the export (``on-run-start``, macros/spark_raw.sql), in the metastore of that target.

Usage: ``python -m ingestion.spark_handoff --warehouse W.duckdb --spark-dir DIR`` (exit 0 done, 2 bad
input), then ``THROUGHLINE_SPARK_DIR=DIR THROUGHLINE_SPARK_RAW=DIR/raw dbt build --target spark``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.parse import sql_str

#: Schemas of the raw layer: the bookkeeping schema and one per source system.
RAW_SCHEMA_PATTERN = "raw%"

#: DuckDB types exported as another type: JSON is text to Spark; a naive TIMESTAMP would arrive as Spark's
#: TIMESTAMP_NTZ, unlike every timestamp Spark computes, so it is written as UTC instants (the session and
#: the Spark target both run in UTC, so the wall-clock values are unchanged).
_EXPORT_CASTS = {"JSON": "varchar", "TIMESTAMP": "timestamptz"}


@dataclass(frozen=True)
class ExportedTable:
    """One raw table written as Parquet: where it lives and how many rows it holds."""

    schema: str
    table: str
    path: Path
    rows: int


def _select_list(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """Columns of a raw table, with types Spark cannot read from Parquet cast to text."""
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    parts = []
    for name, data_type in columns:
        quoted = '"' + name.replace('"', '""') + '"'
        cast = _EXPORT_CASTS.get(data_type)
        parts.append(f"cast({quoted} as {cast}) as {quoted}" if cast else quoted)
    return ", ".join(parts)


def export_raw(warehouse: Path, out_dir: Path) -> list[ExportedTable]:
    """Write every table of the raw schemas to ``out_dir/<schema>/<table>/data.parquet`` (replacing it)."""
    out_dir = Path(out_dir).resolve()
    exported: list[ExportedTable] = []
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema like ? and table_type = 'BASE TABLE' order by 1, 2",
            [RAW_SCHEMA_PATTERN],
        ).fetchall()
        for schema, table in tables:
            target = out_dir / schema / table
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            path = target / "data.parquet"
            source = f'"{schema}"."{table}"'
            # DuckDB's COPY takes no parameter for its target: the path goes in as a quoted string literal.
            con.execute(
                f"copy (select {_select_list(con, schema, table)} from {source}) "
                f"to {sql_str(str(path))} (format parquet)"
            )
            rows = con.execute(f"select count(*) from {source}").fetchone()
            exported.append(ExportedTable(schema, table, target, int(rows[0]) if rows else 0))
    return exported


def raw_dir(spark_dir: Path) -> Path:
    """Where the raw layer's Parquet goes under the Spark target's folder (``THROUGHLINE_SPARK_RAW``)."""
    return Path(spark_dir).resolve() / "raw"


def hand_off(warehouse: Path, spark_dir: Path) -> list[ExportedTable]:
    """Export the raw layer of ``warehouse`` for the Spark target under ``spark_dir``.

    dbt registers the tables when it next runs on Spark with ``THROUGHLINE_SPARK_RAW`` set to
    ``raw_dir(spark_dir)`` (macros/spark_raw.sql): one Spark start, not one here and one in dbt.
    """
    return export_raw(warehouse, raw_dir(spark_dir))


def main(argv: list[str] | None = None) -> int:
    """CLI: exit 0 done, 2 missing warehouse."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="the DuckDB warehouse with a raw layer")
    parser.add_argument(
        "--spark-dir",
        type=Path,
        default=Path(os.environ.get("THROUGHLINE_SPARK_DIR", "demo/spark")),
        help="the Spark target's directory (env THROUGHLINE_SPARK_DIR): metastore, warehouse, raw Parquet",
    )
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        print(
            f"error: no warehouse at {args.warehouse}: pass --warehouse an existing .duckdb file",
            file=sys.stderr,
        )
        return 2
    exported = hand_off(args.warehouse, args.spark_dir)
    rows = sum(t.rows for t in exported)
    print(f"exported {len(exported)} raw tables ({rows} rows) to {raw_dir(args.spark_dir)}")
    print(f"next: THROUGHLINE_SPARK_DIR={args.spark_dir} THROUGHLINE_SPARK_RAW={raw_dir(args.spark_dir)} ...")
    print("      dbt build --target spark")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
