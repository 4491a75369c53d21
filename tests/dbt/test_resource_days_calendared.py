"""The capacity calendar (int_resource_days_calendared) built night by night equals a build from empty.

On the mini firm, with ingestion's history tables: a first night calendars three resources; the next night
moves a time-off record from one resource to another, terminates one resource, deletes another and extends the
span by an approved entry six days later. That night recomputes only the changed resources and adds the new
days for the others, and must hold exactly the rows a build from empty of the same data holds. A changed
public holiday makes the following night rebuild every day.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from dbt_raw_fixtures import compiled_sql, land_versions, query, run_dbt

MODEL = "int_resource_days_calendared"
BUILD = [
    "build",
    "-s",
    f"+{MODEL}",
    "--exclude-resource-type",
    "test",
    "--exclude-resource-type",
    "unit_test",
]
CALENDAR = (
    "select psa_resource_id, cast(calendar_date as varchar), gross_capacity_hours, holiday_hours,"
    f" time_off_hours, net_capacity_hours from intermediate.{MODEL} order by 1, 2"
)
HISTORIES = ("resources", "time_off", "holidays")


def _resource(rid: int, hire: str, hours: int, country: str, **more: object) -> dict[str, object]:
    return {"id": rid, "hire_date": hire, "weekly_capacity_hours": hours, "country_code": country, **more}


def test_calendar_built_night_by_night_equals_a_build_from_empty(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"
    shutil.copy(mini_warehouse, warehouse)
    approved_off = {"hours": 4, "status": "approved"}
    with duckdb.connect(str(warehouse)) as con:
        for table in HISTORIES:
            con.execute(f"create table raw_psa.{table}__history as from raw_psa.{table}")
        night = "2025-01-07 02:00"
        resources = [
            _resource(1, "2024-06-01", 40, "GB"),
            _resource(2, "2025-01-02", 20, "GB"),
            _resource(3, "2024-01-01", 40, "DE"),
        ]
        land_versions(con, "raw_psa.resources", resources, night)
        off = [{"id": 1, "resource_id": 1, "off_date": "2025-01-02", **approved_off}]
        land_versions(con, "raw_psa.time_off", off, night)
        holiday = [{"id": 1, "country_code": "GB", "holiday_date": "2025-01-01"}]
        land_versions(con, "raw_psa.holidays", holiday, night)
    run_dbt(BUILD, warehouse, target)
    # span: the month of the first entry (2025-01-01) to the latest approved one (2025-01-03)
    first = query(warehouse, CALENDAR)
    assert [(r[0], r[1]) for r in first] == [
        ("1", "2025-01-01"), ("1", "2025-01-02"), ("1", "2025-01-03"),
        ("2", "2025-01-02"), ("2", "2025-01-03"),
        ("3", "2025-01-01"), ("3", "2025-01-02"), ("3", "2025-01-03"),
    ]  # fmt: skip
    assert first[0][2:] == (8, 8, 0, 0)  # New Year's Day in GB
    assert first[1][2:] == (8, 0, 4, 4)  # resource 1's time off

    with duckdb.connect(str(warehouse)) as con:
        night = "2025-01-08 02:00"
        # an approved entry on 2025-01-09 moves the span's end
        con.execute(
            "insert into raw_psa.time_entries by name select * replace (7 as id,"
            f" date '2025-01-09' as spent_date, timestamp '{night}' as _loaded_at)"
            " from raw_psa.time_entries where id = 1"
        )
        resources = [
            _resource(1, "2024-06-01", 40, "GB", termination_date="2025-01-06"),
            _resource(3, "2024-01-01", 40, "DE", _is_deleted=True),
        ]
        land_versions(con, "raw_psa.resources", resources, night)
        off = [{"id": 1, "resource_id": 2, "off_date": "2025-01-08", **approved_off}]
        land_versions(con, "raw_psa.time_off", off, night)
    run_dbt(BUILD, warehouse, target)
    assert "changed_resources" in compiled_sql(target, MODEL)  # this night recomputed only what changed
    nightly = query(warehouse, CALENDAR)
    assert {r[0]: sum(1 for s in nightly if s[0] == r[0]) for r in nightly} == {"1": 6, "2": 8}
    assert ("2", "2025-01-08", 4, 0, 4, 0) in nightly  # the time off moved to resource 2
    assert all(r[4] == 0 for r in nightly if r[0] == "1")  # and left resource 1
    from_empty = tmp_path / "from_empty.duckdb"
    shutil.copy(warehouse, from_empty)
    run_dbt(["run", "-s", MODEL, "--full-refresh"], from_empty, tmp_path / "target_empty")
    assert query(from_empty, CALENDAR) == nightly

    with duckdb.connect(str(warehouse)) as con:  # a public holiday arrives: every day is rebuilt
        holiday = [{"id": 2, "country_code": "GB", "holiday_date": "2025-01-08"}]
        land_versions(con, "raw_psa.holidays", holiday, "2025-01-09 02:00")
    run_dbt(BUILD, warehouse, target)
    assert "changed_resources" not in compiled_sql(target, MODEL)
    assert ("2", "2025-01-08", 4, 4, 0, 0) in query(warehouse, CALENDAR)
