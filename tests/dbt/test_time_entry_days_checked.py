"""The resource-day PSA checks (int_time_entry_days_checked) built night by night equal a build from empty.

On the mini firm, with ingestion's history table: a first night flags an entry past the daily maximum and a
duplicate; the next night deletes the duplicate's original, moves the flagged entry to another day and adds
an entry that takes a third day past the maximum, while a fourth flagged day is not touched. The
incremental night re-checks only the touched days and must hold exactly the flags a build from empty of the
same data holds; changing the maximum makes a night check every day again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dbt_raw_fixtures import compiled_sql, land_versions, query, run_dbt

MODEL = "int_time_entry_days_checked"
FLAGS = (
    f"select time_entry_id, check_id, day_hours, original_time_entry_id, cast(spent_date as varchar),"
    f" max_daily_hours from intermediate.{MODEL} order by 1, 2"
)
RAW, HISTORY = "raw_psa.time_entries", "raw_psa.time_entries__history"
CREATED = "2025-01-06 09:00"  # the mini firm's entries, as the test sets them
MORNING, NEXT_MORNING = "2025-01-06 10:00", "2025-01-07 10:00"  # after the others


def _entry(entry_id: int, resource_id: int, spent_date: str, hours: float, **more: object) -> dict:
    """An entry on project 1 (no work type, no notes), created with the mini firm's entries unless given."""
    return {
        "id": entry_id,
        "resource_id": resource_id,
        "project_id": 1,
        "spent_date": spent_date,
        "hours": hours,
        "created_at": CREATED,
        **more,
    }


def test_day_checks_built_night_by_night_equal_a_build_from_empty(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"
    shutil.copy(mini_warehouse, warehouse)
    models = ["run", "-s", "stg_psa__time_entries", MODEL]
    with duckdb.connect(str(warehouse)) as con:
        for table in (RAW, "staging.stg_psa__time_entries"):
            con.execute(f"update {table} set _loaded_at = '2024-12-01', created_at = '{CREATED}'")
        con.execute(f"create table {HISTORY} as from {RAW}")
        first_night = [
            _entry(5, 1, "2025-01-02", 5, created_at=MORNING),
            _entry(6, 2, "2025-01-10", 2),  # alike to entry 3
            _entry(8, 3, "2025-01-06", 10),
            _entry(9, 3, "2025-01-06", 3),
        ]
        land_versions(con, RAW, first_night, "2025-01-07")
    run_dbt(models, warehouse, target)
    assert query(warehouse, FLAGS) == [
        ("5", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-02", 12),  # 8 h (entry 1) + 5 h
        ("6", "PSA_DUPLICATE_TIME", None, "3", "2025-01-10", 12),
        ("9", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-06", 12),
    ]

    with duckdb.connect(str(warehouse)) as con:
        next_night = [
            _entry(3, 2, "2025-01-10", 2, _is_deleted=True),
            _entry(5, 1, "2025-01-04", 5, created_at=MORNING),
            _entry(7, 1, "2025-01-03", 9, created_at=NEXT_MORNING),
        ]
        land_versions(con, RAW, next_night, "2025-01-08")
    run_dbt(models, warehouse, target)
    # this night re-checked only the days its loads touched
    assert "touched_days" in compiled_sql(target, MODEL)
    nightly = query(warehouse, FLAGS)
    assert nightly == [
        ("7", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-03", 12),  # 4 h (entry 2) + 9 h
        ("9", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-06", 12),  # a day no load touched keeps its flag
    ]
    from_empty = tmp_path / "from_empty.duckdb"
    shutil.copy(warehouse, from_empty)
    run_dbt(["run", "-s", MODEL, "--full-refresh"], from_empty, tmp_path / "target_empty")
    assert query(from_empty, FLAGS) == nightly

    # another maximum: every day is checked again with it (no day of the history was touched tonight)
    run_dbt([*models, "--vars", "{recon_psa_max_daily_hours: 12.5}"], warehouse, target)
    assert "touched_days" not in compiled_sql(target, MODEL)
    assert [(r[0], r[-1]) for r in query(warehouse, FLAGS)] == [("7", 12.5), ("9", 12.5)]
