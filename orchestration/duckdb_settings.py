"""DuckDB's memory limit and spill folder for every connection a night opens on its build.

dbt reads the same environment variables in ``dbt_project/profiles.yml``, so the raw loader and dbt are
bounded alike. A bounded DuckDB spills sorts, joins and aggregates to ``temp_directory`` instead of growing
until the machine runs out of memory (docs/performance.md).

    THROUGHLINE_DUCKDB_MEMORY_LIMIT     default 3GB (any DuckDB size: 512MB, 3GB, 2.5GiB, 75%)
    THROUGHLINE_DUCKDB_TEMP_DIRECTORY   default <database>.tmp next to the file (DuckDB's own default)

The limit is the night's, not each process's: dbt runs as a child while the Dagster process that started it
stays resident (its imports and what the loader and the source checks left: about 0.7 GB), so dbt's DuckDB
gets the limit less a fixed reserve for it (``child_limit``). Every phase of the night then peaks near the
limit plus Python's own memory: the loader alone, or dbt beside an idle parent (before, at xl, the two
together went 0.2 GiB past 4 GiB).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import psutil

MEMORY_LIMIT_ENV = "THROUGHLINE_DUCKDB_MEMORY_LIMIT"
TEMP_DIRECTORY_ENV = "THROUGHLINE_DUCKDB_TEMP_DIRECTORY"
DEFAULT_MEMORY_LIMIT = "3GB"
#: What the Dagster process holds while dbt runs beside it: 0.66-0.71 GB measured at l and xl (its imports,
#: what the loader and the source suites left). A constant, not tonight's measurement: dbt's profile is part
#: of its parse state, and a limit that moved from night to night would make dbt parse the whole project.
PARENT_RESERVE = 768 << 20
#: dbt's share never falls below this fraction of the limit, however small the limit.
MIN_SHARE = 0.5

_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*|%)\s*$", re.IGNORECASE)


def memory_limit() -> str:
    """The configured limit as written (``THROUGHLINE_DUCKDB_MEMORY_LIMIT``, else 3GB)."""
    return os.environ.get(MEMORY_LIMIT_ENV, "").strip() or DEFAULT_MEMORY_LIMIT


def duckdb_config(database: Path | str) -> dict[str, str]:
    """``duckdb.connect(database, config=...)`` settings: the memory limit and the spill folder."""
    temp = os.environ.get(TEMP_DIRECTORY_ENV, "").strip() or f"{database}.tmp"
    return {"memory_limit": memory_limit(), "temp_directory": temp}


def size_bytes(size: str) -> int:
    """Bytes in a DuckDB size: ``3GB``, ``512 MiB``, ``75%`` (of this machine's memory)."""
    match = _SIZE.match(size)
    unit = match.group(2).lower() if match else ""
    if not match or (unit != "%" and unit not in _UNITS):
        raise ValueError(f"{MEMORY_LIMIT_ENV}={size!r}: use a DuckDB size such as 3GB, 2.5GiB, 512MB or 75%")
    number = float(match.group(1))
    if unit == "%":
        return int(psutil.virtual_memory().total * number / 100)
    return int(number * _UNITS[unit])


def child_limit() -> str:
    """DuckDB's limit for dbt, the child process started beside the Dagster process: the night's limit less
    ``PARENT_RESERVE``, and never under ``MIN_SHARE`` of the limit (a MiB size DuckDB reads)."""
    limit = size_bytes(memory_limit())
    share = max(limit - PARENT_RESERVE, int(limit * MIN_SHARE))
    return f"{share >> 20}MiB"


def child_limit_env() -> dict[str, str]:
    """The environment entry that gives dbt its share (``child_limit``)."""
    return {MEMORY_LIMIT_ENV: child_limit()}
