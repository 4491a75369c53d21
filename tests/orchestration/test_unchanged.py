"""Nothing new landed, project unchanged => nothing rebuilt (orchestration.unchanged), on tiny tables."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from orchestration.unchanged import (
    SKIP_ENV,
    last_fingerprint,
    loaded_anything,
    project_fingerprint,
    record_build,
    unchanged_reason,
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
