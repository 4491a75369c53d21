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
from dbt_raw_fixtures import run_dbt

MODEL = "int_time_entry_days_checked"
FLAGS = (
    f"select time_entry_id, check_id, day_hours, original_time_entry_id, cast(spent_date as varchar),"
    f" max_daily_hours from intermediate.{MODEL} order by 1, 2"
)
RAW, HISTORY = "raw_psa.time_entries", "raw_psa.time_entries__history"
MORNING, NEXT_MORNING = "timestamp '2025-01-06 10:00'", "timestamp '2025-01-07 10:00'"  # after the others


def _q(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _land(con: duckdb.DuckDBPyConnection, loaded_at: str, entries: dict[int, dict[str, str]]) -> None:
    """Land new versions of entries (copies of entry 1 with the given fields) in the current and history
    tables, as ingestion does; a version with ``_is_deleted`` leaves the current table."""
    for entry_id, fields in entries.items():
        replaced = ", ".join(
            [f"{entry_id} as id", f"timestamp '{loaded_at}' as _loaded_at"]
            + [f"{value} as {column}" for column, value in fields.items()]
        )
        con.execute(f"delete from {RAW} where id = {entry_id}")
        con.execute(
            f"insert into {RAW} by name select * replace ({replaced}) from {HISTORY} where id = 1 limit 1"
        )
        con.execute(f"insert into {HISTORY} by name select * from {RAW} where id = {entry_id}")
    con.execute(f"delete from {RAW} where _is_deleted")


def _compiled(target: Path) -> str:
    return next(target.glob(f"compiled/**/{MODEL}.sql")).read_text()


def test_day_checks_built_night_by_night_equal_a_build_from_empty(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"
    shutil.copy(mini_warehouse, warehouse)
    models = ["run", "-s", "stg_psa__time_entries", MODEL]
    with duckdb.connect(str(warehouse)) as con:
        for table in (RAW, "staging.stg_psa__time_entries"):
            con.execute(f"update {table} set _loaded_at = '2024-12-01', created_at = '2025-01-06 09:00'")
        con.execute(f"create table {HISTORY} as from {RAW}")
        _land(
            con,
            "2025-01-07",
            {
                5: {"spent_date": "date '2025-01-02'", "hours": 5, "created_at": MORNING},
                6: {"resource_id": 2, "spent_date": "date '2025-01-10'", "hours": 2},  # alike to entry 3
                8: {"resource_id": 3, "spent_date": "date '2025-01-06'", "hours": 10},
                9: {"resource_id": 3, "spent_date": "date '2025-01-06'", "hours": 3},
            },
        )
    run_dbt(models, warehouse, target)
    assert _q(warehouse, FLAGS) == [
        ("5", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-02", 12),  # 8 h (entry 1) + 5 h
        ("6", "PSA_DUPLICATE_TIME", None, "3", "2025-01-10", 12),
        ("9", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-06", 12),
    ]

    with duckdb.connect(str(warehouse)) as con:
        _land(
            con,
            "2025-01-08",
            {
                3: {"resource_id": 2, "spent_date": "date '2025-01-10'", "hours": 2, "_is_deleted": "true"},
                5: {"spent_date": "date '2025-01-04'", "hours": 5, "created_at": MORNING},
                7: {"spent_date": "date '2025-01-03'", "hours": 9, "created_at": NEXT_MORNING},
            },
        )
    run_dbt(models, warehouse, target)
    assert "touched_days" in _compiled(target)  # this night re-checked only the days its loads touched
    nightly = _q(warehouse, FLAGS)
    assert nightly == [
        ("7", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-03", 12),  # 4 h (entry 2) + 9 h
        ("9", "PSA_OVER_DAILY_MAX", 13, None, "2025-01-06", 12),  # a day no load touched keeps its flag
    ]
    from_empty = tmp_path / "from_empty.duckdb"
    shutil.copy(warehouse, from_empty)
    run_dbt(["run", "-s", MODEL, "--full-refresh"], from_empty, tmp_path / "target_empty")
    assert _q(from_empty, FLAGS) == nightly

    # another maximum: every day is checked again with it (no day of the history was touched tonight)
    run_dbt([*models, "--vars", "{recon_psa_max_daily_hours: 12.5}"], warehouse, target)
    assert "touched_days" not in _compiled(target)
    assert [(r[0], r[-1]) for r in _q(warehouse, FLAGS)] == [("7", 12.5), ("9", 12.5)]
