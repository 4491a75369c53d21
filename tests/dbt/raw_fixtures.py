"""Create the raw current-state tables (typed from the contracts) in a scratch DuckDB, optionally with rows.

Lets the dbt tests build staging and the marts on hand-made data without running ingestion.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from ingestion.contract import all_objects
from throughline.dbt_sources import LINEAGE_COLUMNS


def create_raw_tables(path: Path) -> None:
    """Create every ``raw_<system>.<object>`` table, empty, with contract and lineage columns."""
    with duckdb.connect(str(path)) as con:
        for obj in all_objects():
            con.execute(f"create schema if not exists {obj.schema}")
            cols = [f'"{c.name}" {c.type}' for c in obj.columns]
            cols += [f'"{n}" {t}' for n, t, _ in LINEAGE_COLUMNS]
            con.execute(f'create or replace table {obj.schema}."{obj.name}" ({", ".join(cols)})')
