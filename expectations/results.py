"""Store GX results in the warehouse (``quality.gx_results``), one row per expectation per run.

The Dagster UI keeps each check's metadata, but analysts and the report read the warehouse: a table lets them
ask "which expectations failed last night, and since when" in SQL. Rows are only appended (one set per run),
so the history of every expectation stays queryable.
"""

from __future__ import annotations

import json
from datetime import datetime

import duckdb

from expectations.catalog import SPEC_BY_NAME
from expectations.validate import SuiteResult

TABLE = "quality.gx_results"

DDL = f"""
create schema if not exists quality;
create table if not exists {TABLE} (
    run_id varchar,           -- the Dagster run (or any caller's id) that validated
    run_at timestamp,         -- when the validation ran (UTC)
    suite varchar,            -- expectations.catalog suite name, e.g. marts.kpi_dso_monthly
    asset_key varchar,        -- the Dagster asset the suite checks, e.g. raw/landing_audit
    check_name varchar,       -- the Dagster asset check, e.g. gx_row_volume
    rows_validated bigint,    -- rows in the frame GX saw (a sample for very large marts)
    expectation varchar,      -- GX expectation type
    column_name varchar,      -- column(s) it reads ("a, b" for pairs)
    severity varchar,         -- critical | warning | info
    success boolean,
    unexpected_count bigint,
    unexpected_sample varchar,  -- JSON: the first unexpected values
    unexpected_index varchar,   -- JSON: identifying columns of the first unexpected rows (e.g. the extract)
    observed_value varchar,     -- JSON: what an aggregate expectation measured
    error varchar               -- why GX could not evaluate it, if it could not
)
"""


def write_results(
    con: duckdb.DuckDBPyConnection, run_id: str, run_at: datetime, results: list[SuiteResult]
) -> int:
    """Append one row per expectation of ``results``; returns how many rows were written."""
    con.execute(DDL)
    rows = []
    for suite in results:
        spec = SPEC_BY_NAME.get(suite.suite_name)
        asset = "/".join(spec.asset_key) if spec else suite.suite_name.replace(".", "/")
        check = spec.check_name if spec else "gx_expectations"
        for r in suite.results:
            rows.append(
                (
                    run_id,
                    run_at,
                    suite.suite_name,
                    asset,
                    check,
                    suite.row_count,
                    r.expectation_type,
                    r.column,
                    r.severity,
                    r.success,
                    r.unexpected_count,
                    json.dumps(r.unexpected_values),
                    json.dumps(r.unexpected_index),
                    json.dumps(r.observed_value),
                    r.error,
                )
            )
    if rows:
        con.executemany(f"insert into {TABLE} values ({', '.join('?' for _ in rows[0])})", rows)
    return len(rows)
