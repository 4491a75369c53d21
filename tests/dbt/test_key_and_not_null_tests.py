"""The project's own generic data tests that stand for several of dbt's, each one node a night:
``throughline.not_null_columns`` (a model's not-null columns), ``primary_key`` (a key column unique and set)
and ``throughline.relationships_columns`` (a model's foreign keys of one severity).

The three share two dbt runs (``tampered``): all three pass on a copy of the mini firm's warehouse, then the
copy is tampered once for all of them and they run again with ``--store-failures``. Each test below reads
its own part of that second run (six dbt runs before, two now)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import run_dbt

MODEL = "int_psa_project_context"
TEST = f"not_null_columns_{MODEL}"
RELATIONSHIPS_TEST = f"relationships_columns_{MODEL}"
KEYED = "int_deals_matched"
KEY_TEST = f"primary_key_{KEYED}_deal_key"


@dataclass(frozen=True)
class Tampered:
    """The warehouse after the failing run, that run's output and the rows the tampering touched."""

    warehouse: Path
    log: str
    first_project: str
    second_project: str
    projects: int
    first_deal: str
    second_deal: str


def _schema_of(con: duckdb.DuckDBPyConnection, table: str) -> str:
    return con.execute("select schema_name from duckdb_tables() where table_name = ?", [table]).fetchone()[0]  # type: ignore[index]


def _first_two(con: duckdb.DuckDBPyConnection, table: str, column: str) -> tuple[str, str]:
    first, second = (
        r[0] for r in con.execute(f"select {column} from {table} order by {column} limit 2").fetchall()
    )
    return first, second


def _tamper_projects(con: duckdb.DuckDBPyConnection) -> tuple[str, str, int]:
    """Every project's client becomes one no dimension holds; then the first project loses its client key
    (and its practice, which may be NULL: not a listed column) and points at a service line no dimension
    holds; the second loses its contract key and entity currency and has no service line (NULL)."""
    table = f"{_schema_of(con, MODEL)}.{MODEL}"
    first, second = _first_two(con, table, "psa_project_id")
    con.execute(f"update {table} set client_key = 'no-such-client'")
    con.execute(
        f"update {table} set client_key = null, psa_practice_id = null, service_line_key = 'no-such-line' "
        "where psa_project_id = ?",
        [first],
    )
    con.execute(
        f"update {table} set contract_key = null, entity_currency_code = null, service_line_key = null "
        "where psa_project_id = ?",
        [second],
    )
    projects = con.execute(f"select count(*) from {table}").fetchone()[0]  # type: ignore[index]
    return first, second, projects


def _tamper_deals(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """One deal's row copied (a repeated key) and another's key set to NULL."""
    table = f"{_schema_of(con, KEYED)}.{KEYED}"
    first, second = _first_two(con, table, "deal_key")
    con.execute(f"insert into {table} select * from {table} where deal_key = ?", [first])
    con.execute(f"update {table} set deal_key = null where deal_key = ?", [second])
    return first, second


@pytest.fixture(scope="module")
def tampered(mini_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Tampered:
    folder = tmp_path_factory.mktemp("key_tests")
    warehouse, target = folder / "warehouse.duckdb", folder / "target"
    shutil.copy(mini_warehouse, warehouse)
    tests = [TEST, KEY_TEST, RELATIONSHIPS_TEST]
    run_dbt(["test", "-s", *tests], warehouse, target)  # raises unless all three pass on the mini firm
    with duckdb.connect(str(warehouse)) as con:
        first, second, projects = _tamper_projects(con)
        first_deal, second_deal = _tamper_deals(con)
    log = run_dbt(["test", "-s", *tests, "--store-failures"], warehouse, target, check=False)
    return Tampered(warehouse, log, first, second, projects, first_deal, second_deal)


def _stored_failures(warehouse: Path, test: str, columns: str) -> list[tuple]:
    """``columns`` of the rows a ``--store-failures`` run of ``test`` kept, in order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(f"select {columns} from {_schema_of(con, test)}.{test} order by all").fetchall()


def test_not_null_columns_fails_on_each_row_with_a_null_and_names_its_columns(tampered: Tampered) -> None:
    """Passes on the mini firm; with a NULL in one listed column of one row and in two of another, it fails
    with those two rows (not three NULLs), each naming its empty listed columns."""
    assert f"FAIL 2 {TEST}" in tampered.log, tampered.log[-3000:]
    rows = _stored_failures(tampered.warehouse, TEST, "psa_project_id, null_columns")
    assert rows == [
        (tampered.first_project, "client_key"),
        (tampered.second_project, "contract_key entity_currency_code"),
    ]


def test_primary_key_fails_on_each_repeated_or_null_key(tampered: Tampered) -> None:
    """Passes on the mini firm; with one row copied and another row's key set to NULL, it fails with two
    rows: the repeated key (two records) and the NULL (one)."""
    assert f"FAIL 2 {KEY_TEST}" in tampered.log, tampered.log[-3000:]
    rows = _stored_failures(tampered.warehouse, KEY_TEST, "deal_key, n_records")
    assert rows == [(tampered.first_deal, 2), (None, 1)]


def test_relationships_columns_fails_on_each_value_missing_from_its_model(tampered: Tampered) -> None:
    """Passes on the mini firm; with a client key and a service line key that no dimension holds, it fails
    with those two values, each naming its column and counting its rows; a NULL key (the first project's
    client, the second's service line) is not a dangling one."""
    assert f"WARN 2 {RELATIONSHIPS_TEST}" in tampered.log  # the model's keys that may not resolve: warn
    assert tampered.projects >= 2
    rows = _stored_failures(tampered.warehouse, RELATIONSHIPS_TEST, "column_name, column_value, n_records")
    assert rows == [
        ("client_key", "no-such-client", tampered.projects - 1),
        ("service_line_key", "no-such-line", 1),
    ]
