"""DuckDB's memory limit and spill folder for every connection a night opens on its build.

dbt reads the same environment variables in ``dbt_project/profiles.yml``, so the raw loader and dbt are
bounded alike. A bounded DuckDB spills sorts, joins and aggregates to ``temp_directory`` instead of growing
until the machine runs out of memory (docs/performance.md).

    THROUGHLINE_DUCKDB_MEMORY_LIMIT     default 3GB (any DuckDB size: 512MB, 3GB, 75%)
    THROUGHLINE_DUCKDB_TEMP_DIRECTORY   default <database>.tmp next to the file (DuckDB's own default)
"""

from __future__ import annotations

import os
from pathlib import Path

MEMORY_LIMIT_ENV = "THROUGHLINE_DUCKDB_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "THROUGHLINE_DUCKDB_TEMP_DIRECTORY"
DEFAULT_MEMORY_LIMIT = "3GB"


def duckdb_config(database: Path | str) -> dict[str, str]:
    """``duckdb.connect(database, config=...)`` settings: the memory limit and the spill folder."""
    temp = os.environ.get(TEMP_DIRECTORY_ENV, "").strip() or f"{database}.tmp"
    return {
        "memory_limit": os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT,
        "temp_directory": temp,
    }
