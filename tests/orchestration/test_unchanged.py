"""Nothing new landed, project unchanged => nothing rebuilt (orchestration.unchanged), on tiny tables."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.unchanged import (
    SKIP_ENV,
    THREADS_ENV,
    UNIT_TESTS_ENV,
    first_build_threads,
    landing_unchanged,
    last_fingerprint,
    loaded_anything,
    project_fingerprint,
    record_build,
    unchanged_reason,
    unit_tests_due,
)


def _con_with_log(rows: list[tuple[str, str]]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute("create table raw.load_log (load_id varchar, status varchar)")
    if rows:
        con.executemany("insert into raw.load_log values (?, ?)", rows)
    return con


def test_a_first_night_has_no_load_log_and_is_news() -> None:
    assert loaded_anything(duckdb.connect(), "run1")


def test_only_this_runs_rows_count_and_waiting_folders_are_not_news() -> None:
    con = _con_with_log([("old", "loaded"), ("run1", "waiting")])
    assert not loaded_anything(con, "run1")
    for status in ("loaded", "rejected", "empty", "no_extract", "skipped_duplicate"):
        assert loaded_anything(_con_with_log([("run1", status)]), "run1"), status


def test_skip_needs_a_recorded_build_of_the_same_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SKIP_ENV, raising=False)
    con = _con_with_log([("old", "loaded")])
    assert last_fingerprint(con) is None
    assert unchanged_reason(con, "run1", "abc") is None  # never built by dbt here
    record_build(con, "old", "abc")
    assert last_fingerprint(con) == "abc"
    assert unchanged_reason(con, "run1", "abc") is not None
    assert unchanged_reason(con, "run1", "def") is None  # the models changed since
    con.execute("insert into raw.load_log values ('run1', 'loaded')")
    assert unchanged_reason(con, "run1", "abc") is None  # a file was loaded tonight
    monkeypatch.setenv(SKIP_ENV, "0")
    assert unchanged_reason(_con_with_log([]), "run1", "abc") is None


def test_unit_tests_run_when_the_project_is_new_to_the_warehouse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UNIT_TESTS_ENV, raising=False)
    con = duckdb.connect()
    assert unit_tests_due(con, "abc")  # a first night: no build recorded
    record_build(con, "r1", "abc")
    assert not unit_tests_due(con, "abc")  # same code as the last build: they would prove nothing new
    assert unit_tests_due(con, "def")  # a changed model, macro or test: verify before publishing
    monkeypatch.setenv(UNIT_TESTS_ENV, "always")
    assert unit_tests_due(con, "abc")
    monkeypatch.setenv(UNIT_TESTS_ENV, " Never ")
    assert not unit_tests_due(con, "def")
    monkeypatch.setenv(UNIT_TESTS_ENV, "sometimes")
    with pytest.raises(ValueError, match="THROUGHLINE_DBT_UNIT_TESTS='sometimes': use one of auto"):
        unit_tests_due(con, "abc")


def test_a_first_build_runs_two_dbt_threads_unless_the_operator_set_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    con = duckdb.connect()
    assert first_build_threads(con) == 2  # nothing built here yet: every model from empty
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    assert first_build_threads(con) is None  # one core: the profile's one thread
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.setenv(THREADS_ENV, "1")
    assert first_build_threads(con) is None  # the operator's choice holds for every build
    monkeypatch.setenv(THREADS_ENV, " ")
    assert first_build_threads(con) == 2
    record_build(con, "r1", "abc")
    assert first_build_threads(con) is None  # a nightly on a built warehouse: the profile's one thread


def test_the_latest_build_decides() -> None:
    con = duckdb.connect()
    record_build(con, "r1", "old")
    con.execute("update ops.dbt_builds set built_at = built_at - interval 1 day")
    record_build(con, "r2", "new")
    assert last_fingerprint(con) == "new"


def test_fingerprint_follows_models_not_targets(tmp_path: Path) -> None:
    (tmp_path / "models").mkdir()
    (tmp_path / "target").mkdir()
    (tmp_path / "dbt_project.yml").write_text("name: x\n")
    model = tmp_path / "models" / "a.sql"
    model.write_text("select 1")
    first = project_fingerprint(tmp_path)
    (tmp_path / "target" / "manifest.json").write_text("{}")
    assert project_fingerprint(tmp_path) == first
    model.write_text("select 2")
    assert project_fingerprint(tmp_path) != first


sys.path.insert(0, str(Path(__file__).parents[1] / "ingestion"))
from landing_files import write_extract  # noqa: E402

USERS = "Id,Name,SystemModstamp\nu1,Bob,2026-11-18 01:00:00\nu2,Ann,2026-11-18 01:00:00\n"


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A one-folder landing loaded by the real loader into a warehouse whose dbt build is recorded."""
    from ingestion.load import load_landing

    monkeypatch.delenv(SKIP_ENV, raising=False)
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    write_extract(landing, "salesforce", "2026-11-18", {"user.csv": USERS})
    with duckdb.connect(str(warehouse)) as con:
        load_landing(con, landing, "night1")
        record_build(con, "night1", project_fingerprint())
    return landing, warehouse


def test_a_landing_loaded_before_needs_no_run(loaded: tuple[Path, Path]) -> None:
    landing, warehouse = loaded
    assert landing_unchanged(landing, warehouse) == (
        "all 1 files of the landing were loaded before and the dbt project is unchanged since the "
        "published build"
    )


def test_a_new_folder_a_changed_file_or_a_changed_project_needs_a_run(
    loaded: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    landing, warehouse = loaded
    waiting = write_extract(landing, "salesforce", "2026-11-19", {"user.csv": USERS}, marker=False)
    assert landing_unchanged(landing, warehouse) is None  # a folder waiting for its marker
    write_extract(landing, "salesforce", "2026-11-19", {"user.csv": USERS})
    assert landing_unchanged(landing, warehouse) is None  # a complete new folder
    shutil.rmtree(waiting)
    user = landing / "salesforce" / "2026-11-18" / "user.csv"
    user.write_text(USERS + "u3,Cy,2026-11-18 01:00:00\n")
    assert landing_unchanged(landing, warehouse) is None  # the file is not the one its marker lists
    user.write_text(USERS)
    assert landing_unchanged(landing, warehouse) is not None
    with duckdb.connect(str(warehouse)) as con:
        record_build(con, "night2", "another project")
    assert landing_unchanged(landing, warehouse) is None
    assert landing_unchanged(landing, warehouse.with_name("none.duckdb")) is None
