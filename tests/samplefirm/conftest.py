"""Fixtures for the generator tests: the landed clean xs firm loaded back into DuckDB as final state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import all_objects


def load_final_state(landing: Path, con: duckdb.DuckDBPyConnection) -> None:
    """Create ``<system>__<object>`` tables holding the latest version of every non-deleted record."""
    for obj in all_objects():
        files = sorted((landing / obj.system).glob(f"*/{obj.file}"))
        cols = "{" + ", ".join(f"'{c.name}': '{c.type}'" for c in obj.columns) + "}"
        parts = []
        for i, f in enumerate(files):
            if obj.format == "csv":
                parts.append(f"SELECT *, {i} AS _n FROM read_csv('{f}', header = true, columns = {cols})")
            elif f.stat().st_size:
                parts.append(
                    f"SELECT *, {i} AS _n FROM read_json('{f}', format = 'newline_delimited', "
                    f"columns = {cols})"
                )
        if not parts:  # no rows in any extract: an empty, typed table
            typed = ", ".join(f'NULL::{c.type} AS "{c.name}"' for c in obj.columns)
            parts.append(f"SELECT {typed}, 0 AS _n WHERE false")
        pk = ", ".join(f'"{k}"' for k in obj.primary_key)
        deleted = obj.delete_marker.sql_predicate() if obj.delete_marker else "false"
        con.execute(f"""
            CREATE TABLE {obj.system}__{obj.name} AS
            SELECT * EXCLUDE (_n) FROM ({" UNION ALL ".join(parts)})
            QUALIFY row_number() OVER (PARTITION BY {pk} ORDER BY _n DESC) = 1 AND NOT ({deleted})
        """)
        con.execute(f"CREATE TABLE all_{obj.system}__{obj.name} AS {' UNION ALL '.join(parts)}")


@pytest.fixture(scope="module")
def clean_db(xs_clean_firm: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect() as con:
        load_final_state(xs_clean_firm / "landing", con)
        yield con
