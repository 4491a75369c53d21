"""The working store: one DuckDB table per contract object, ``<system>__<object>``, plus ``_gen_`` helpers.

Every table gets ``_gen_created`` (when the record first existed, for delta versioning). Billing helper
columns are created here with neutral defaults so the defects hooks can set them before billing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ingestion.contract import SourceObject, all_objects

from .context import GenContext

#: Extra helper columns (name, type, default) per table, beyond ``_gen_created``.
HELPER_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "psa__time_entries": [
        ("_gen_skip_billing", "BOOLEAN", "false"),
        ("_gen_bill_rate_factor", "DOUBLE", "1.0"),
        ("_gen_bill_hours_factor", "DOUBLE", "1.0"),
    ],
    "psa__expenses": [("_gen_skip_billing", "BOOLEAN", "false")],
    "psa__milestones": [
        ("_gen_skip_billing", "BOOLEAN", "false"),
        ("_gen_bill_early", "BOOLEAN", "false"),
    ],
    "psa__projects": [("_gen_overbill_factor", "DOUBLE", "1.0")],
    "salesforce__opportunity": [("_gen_prev_stage", "VARCHAR", "NULL")],
}


def table_name(obj: SourceObject) -> str:
    return f"{obj.system}__{obj.name}"


def create_tables(ctx: GenContext) -> None:
    """Create every contract table (typed as declared), the helper columns and the random macros."""
    for obj in all_objects():
        cols = [f'"{c.name}" {c.type}' for c in obj.columns]
        cols.append("_gen_created TIMESTAMP")
        for name, typ, default in HELPER_COLUMNS.get(table_name(obj), []):
            cols.append(f"{name} {typ} DEFAULT {default}")
        ctx.sql(f"CREATE OR REPLACE TABLE {table_name(obj)} ({', '.join(cols)})")
    seed = int(ctx.seed)
    # Deterministic uniform [0,1) and integer draws from a hash of the given keys (order independent).
    ctx.sql(f"CREATE OR REPLACE MACRO u(a, b) AS ((hash(a, b, {seed}) % 1000003)::DOUBLE / 1000003.0)")
    ctx.sql(f"CREATE OR REPLACE MACRO u3(a, b, c) AS ((hash(a, b, c, {seed}) % 1000003)::DOUBLE / 1000003.0)")
    ctx.sql(f"CREATE OR REPLACE MACRO ri(a, b, n) AS ((hash(a, b, {seed}, 7) % n)::BIGINT)")


def insert_df(ctx: GenContext, table: str, df: pd.DataFrame) -> int:
    """Insert a DataFrame by column name (missing columns take their defaults/NULL)."""
    if df.empty:
        return 0
    name = f"_df_{table}"
    ctx.con.register(name, df)
    try:
        ctx.sql(f"INSERT INTO {table} BY NAME SELECT * FROM {name}")
    finally:
        ctx.con.unregister(name)
    return len(df)


def insert_sql(ctx: GenContext, table: str, select_sql: str, params: list[Any] | None = None) -> None:
    ctx.sql(f"INSERT INTO {table} BY NAME {select_sql}", params)
