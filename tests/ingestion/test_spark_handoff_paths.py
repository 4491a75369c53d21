"""The Spark hand-off writes under any folder the operator names (THROUGHLINE_SPARK_DIR / --spark-dir).

DuckDB's ``COPY ... TO`` takes no parameter for its target, so the path is a string literal in the SQL; a
quote in the folder name once ended that literal early (a parser error, or a file written elsewhere)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.spark_handoff import export_raw, raw_dir


def test_export_raw_under_a_folder_with_quotes_spaces_and_non_ascii(tmp_path: Path) -> None:
    wh = tmp_path / "o'brien wäre.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("create schema raw_psa; create table raw_psa.roles (id varchar)")
        con.execute("insert into raw_psa.roles values ('R1'), ('it''s')")
    spark_dir = tmp_path / "spärk 'dir'"
    exported = export_raw(wh, raw_dir(spark_dir))
    assert [(t.schema, t.table, t.rows) for t in exported] == [("raw_psa", "roles", 2)]
    written = raw_dir(spark_dir) / "raw_psa" / "roles" / "data.parquet"
    with duckdb.connect() as con:
        rows = con.execute("select id from read_parquet(?) order by id", [str(written)]).fetchall()
    assert rows == [("R1",), ("it's",)]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o'brien wäre.duckdb", "spärk 'dir'"]
