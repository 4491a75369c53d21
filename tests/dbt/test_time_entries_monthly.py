"""The time entries summed per month (fct_time_entries_monthly) night by night equal a build from empty.

On the mini firm (its entries are all in January 2025), with ingestion's history table and one rate card:
a first night adds entries in February, March and April; the next night deletes April's only entry, moves
March's to May and changes February's hours. That night must sum again exactly the four months it touched,
leave January's rows as they were, and hold what a build from empty holds. A changed rate card sums every
month again, with the new rate.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
from dbt_raw_fixtures import compiled_sql, land_versions, query, run_dbt

MODEL = "fct_time_entries_monthly"
MODELS = ["run", "-s", "stg_psa__time_entries", "fct_time_entries", MODEL]
SUMS = (
    "select cast(month_start_date as varchar), psa_resource_id, project_key, psa_role_id, time_entry_status,"
    " is_billable, entry_count, hours, billable_hours, billable_hours_unrated, standard_value_amount,"
    f" cost_amount_cost_currency from marts.{MODEL} order by all"
)
STAMPS = f"select cast(month_start_date as varchar), max(_built_at) from marts.{MODEL} group by 1 order by 1"
RAW, HISTORY = "raw_psa.time_entries", "raw_psa.time_entries__history"


def _entry(entry_id: int, spent_date: str, hours: float) -> dict:
    """An approved billable entry of resource 1 on project 1 in role 7, billed in GBP."""
    return {
        "id": entry_id,
        "resource_id": 1,
        "project_id": 1,
        "role_id": 7,
        "spent_date": spent_date,
        "hours": hours,
        "is_billable": True,
        "status": "approved",
        "bill_rate": 100,
        "cost_rate": 50,
        "currency": "GBP",
        "cost_currency": "GBP",
    }


def _rate_card(bill_rate: float) -> dict:
    return {
        "id": 1,
        "rate_card": "Role 7",
        "role_id": 7,
        "currency": "GBP",
        "bill_rate": bill_rate,
        "effective_from": "2025-01-01",
    }


def _months_summed(target: Path) -> set[str] | None:
    """The months the last build summed, as its compiled filter names them; None for every month."""
    sql = compiled_sql(target, MODEL)
    where = sql[sql.rindex("where") :]
    if "1 = 1" in where:
        return None
    return set(re.findall(r"spent_date >= cast\('(\d{4}-\d{2}-\d{2})' as date\)", where))


def _same_as_from_empty(warehouse: Path, tmp_path: Path, name: str) -> list[tuple]:
    """The model's sums, asserted equal to those of a build from empty of the same data."""
    from_empty = tmp_path / f"{name}.duckdb"
    shutil.copy(warehouse, from_empty)
    run_dbt(["run", "-s", MODEL, "--full-refresh"], from_empty, tmp_path / f"target_{name}")
    nightly = query(warehouse, SUMS)
    assert nightly == query(from_empty, SUMS)
    return nightly


def test_monthly_sums_built_night_by_night_equal_a_build_from_empty(
    mini_warehouse: Path, tmp_path: Path
) -> None:
    warehouse, target = tmp_path / "wh.duckdb", tmp_path / "target"
    shutil.copy(mini_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        # the mini firm's entries loaded long before: the fact's lookback does not re-read them
        for table in (RAW, "staging.stg_psa__time_entries", "marts.fct_time_entries"):
            con.execute(f"update {table} set _loaded_at = '2024-12-01'")
        con.execute(f"create table {HISTORY} as from {RAW}")
        con.execute("create table raw_psa.rate_cards__history as from raw_psa.rate_cards")
        land_versions(con, "raw_psa.rate_cards", [_rate_card(120)], "2025-01-07")
        first_night = [_entry(5, "2025-02-03", 3), _entry(6, "2025-03-03", 2), _entry(7, "2025-04-01", 1)]
        land_versions(con, RAW, first_night, "2025-01-07")
    run_dbt(MODELS, warehouse, target)
    # a new rate card: every month is summed again
    assert _months_summed(target) is None
    assert [r for r in query(warehouse, SUMS) if r[0] == "2025-02-01"] == [
        ("2025-02-01", "1", "1", "7", "approved", True, 1, 3, 3, 0, 360, 150),  # 3 h x 120, cost 3 x 50
    ]
    january_stamp = query(warehouse, STAMPS)[0]

    with duckdb.connect(str(warehouse)) as con:
        next_night = [
            {**_entry(7, "2025-04-01", 1), "_is_deleted": True},
            _entry(6, "2025-05-05", 2),
            _entry(5, "2025-02-03", 5),
        ]
        land_versions(con, RAW, next_night, "2025-01-08")
    run_dbt(MODELS, warehouse, target)
    assert _months_summed(target) == {"2025-02-01", "2025-03-01", "2025-04-01", "2025-05-01"}
    assert query(warehouse, STAMPS)[0] == january_stamp  # January's rows were not rewritten
    nightly = _same_as_from_empty(warehouse, tmp_path, "next")
    assert {r[0] for r in nightly} == {"2025-01-01", "2025-02-01", "2025-05-01"}
    assert [r[6:] for r in nightly if r[0] == "2025-02-01"] == [(1, 5, 5, 0, 600, 250)]

    # nothing landed: the fact re-reads the entries of the last loads (var incremental_lookback_days) and
    # re-stamps them; their months alone are summed again, to the same sums
    run_dbt(MODELS, warehouse, target)
    assert _months_summed(target) == {"2025-02-01", "2025-05-01"}
    assert query(warehouse, SUMS) == nightly

    # another rate: every month is summed again with it
    with duckdb.connect(str(warehouse)) as con:
        land_versions(con, "raw_psa.rate_cards", [_rate_card(130)], "2025-01-09")
    run_dbt(MODELS, warehouse, target)
    assert _months_summed(target) is None
    rerated = _same_as_from_empty(warehouse, tmp_path, "rerated")
    assert [r[10] for r in rerated if r[0] != "2025-01-01"] == [650, 260]  # 5 h and 2 h x 130
