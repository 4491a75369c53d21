"""Run ``bench/floor.sql`` on a landing folder: ``python -m bench.floor LANDING DATABASE``.

The floor is the cost of the four headline KPIs in one plain DuckDB script on the same extracts (no dbt, no
Dagster, no checks), so the benchmark can say how far the governed nightly is from the bare work.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")
#: The tables the script leaves, one per headline KPI.
KPI_TABLES = ("kpi_utilization", "kpi_backlog", "kpi_margin", "kpi_dso")


def floor_sql(landing: Path) -> str:
    """The script with its landing folder filled in (a quote in the path is doubled for SQL)."""
    folder = str(landing.resolve()).replace("'", "''")
    return FLOOR_SQL.read_text().replace("__LANDING__", folder)


def run_floor(landing: Path, database: Path, memory_limit: str | None = None) -> dict[str, int]:
    """Build the floor's tables into ``database`` (replaced); return the row count of each KPI table."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        if memory_limit:
            con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute(floor_sql(landing))
        return {t: int(con.execute(f"select count(*) from {t}").fetchall()[0][0]) for t in KPI_TABLES}


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.floor", description=__doc__)
    p.add_argument("landing", type=Path)
    p.add_argument("database", type=Path)
    args = p.parse_args()
    for table, rows in run_floor(args.landing, args.database).items():
        print(f"{table}: {rows} rows")


if __name__ == "__main__":
    main()
