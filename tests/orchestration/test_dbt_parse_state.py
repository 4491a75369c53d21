"""dbt sees one database path per warehouse, and its parse state is kept between runs (dbt_parse_state).

The end-to-end proof (a second night on the same warehouse parses only what changed) is in
tests/bench/test_bench_smoke.py, which runs three nights on one warehouse anyway.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.builds import build_path
from orchestration.dbt_parse_state import (
    PARTIAL_PARSE_FILE,
    dbt_build_link,
    dbt_opens_build,
    keep_partial_parse,
    link_leftovers,
    partial_parse_store,
    restore_partial_parse,
)
from orchestration.prepare import prepare_build, sweep_builds


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A run's build of a new warehouse ``wh.duckdb`` (an empty database)."""
    return prepare_build(tmp_path / "wh.duckdb", "run-1")


def test_dbt_writes_the_runs_build_through_one_name_per_warehouse(tmp_path: Path, build: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    with dbt_opens_build(warehouse, build) as link:
        assert link == dbt_build_link(warehouse) == warehouse.with_name("wh.duckdb.builds") / "build.duckdb"
        assert link.samefile(build) and not link.is_symlink()
        with duckdb.connect(str(link)) as con:  # the database is named after the link, as dbt-duckdb names it
            assert con.execute("select current_database()").fetchall() == [("build",)]
            con.execute("create table t as select 42 as answer")
    assert not any(p.exists() for p in link_leftovers(warehouse))
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select answer from t").fetchall() == [(42,)]


def test_a_dbt_that_died_with_a_write_ahead_log_leaves_the_build_whole(tmp_path: Path, build: Path) -> None:
    """A process that exits without closing DuckDB leaves its last writes in a log named after the path it
    opened (here the link's); they are folded into the build before the link goes."""
    warehouse = tmp_path / "wh.duckdb"
    died = (
        "import duckdb, os, sys\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "con.execute('create table t as select 7 as answer')\n"
        "os._exit(0)\n"
    )
    with dbt_opens_build(warehouse, build) as link:
        subprocess.run([sys.executable, "-c", died, str(link)], check=True)
        assert link_leftovers(warehouse)[1].exists()
    with duckdb.connect(str(build), read_only=True) as con:
        assert con.execute("select answer from t").fetchall() == [(7,)]
    assert not any(p.exists() for p in link_leftovers(warehouse))


def test_a_killed_runs_link_and_log_are_swept_without_naming_them_builds(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    old = prepare_build(warehouse, "run-old")
    link, wal = link_leftovers(warehouse)
    link.hardlink_to(old)
    wal.write_bytes(b"not a log of this build")
    said: list[str] = []
    removed = sweep_builds(warehouse, "run-new", said.append)
    assert removed == [old]
    assert said == ["removed the build run-old.duckdb left by an earlier run that did not publish it"]
    assert not link.exists() and not wal.exists()


def test_a_stale_link_is_replaced_by_this_runs(tmp_path: Path, build: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    link, wal = link_leftovers(warehouse)
    link.write_bytes(b"a killed run's build")
    wal.write_bytes(b"stale")
    with dbt_opens_build(warehouse, build) as opened:
        assert opened.samefile(build) and not wal.exists()


def test_the_parse_state_is_kept_per_warehouse_and_given_back_to_the_next_run(tmp_path: Path) -> None:
    warehouse, other = tmp_path / "wh.duckdb", tmp_path / "other.duckdb"
    first, second = tmp_path / "target-1", tmp_path / "target-2"
    assert not restore_partial_parse(warehouse, first)  # a new warehouse: dbt parses everything
    assert not keep_partial_parse(warehouse, first)  # dbt stopped before parsing: nothing to keep
    first.mkdir()
    (first / PARTIAL_PARSE_FILE).write_bytes(b"state of night 1")
    assert keep_partial_parse(warehouse, first)
    assert partial_parse_store(warehouse).read_bytes() == b"state of night 1"
    assert restore_partial_parse(warehouse, second)
    assert (second / PARTIAL_PARSE_FILE).read_bytes() == b"state of night 1"
    assert not restore_partial_parse(other, tmp_path / "target-3")  # another warehouse has its own
    assert not list(partial_parse_store(warehouse).parent.glob("*.part"))  # no temporary copy left


def test_the_kept_state_survives_the_sweep_of_builds(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    prepare_build(warehouse, "run-1")
    target = tmp_path / "target"
    target.mkdir()
    (target / PARTIAL_PARSE_FILE).write_bytes(b"state")
    keep_partial_parse(warehouse, target)
    sweep_builds(warehouse, "run-2")
    assert partial_parse_store(warehouse).read_bytes() == b"state"
    assert not build_path(warehouse, "run-1").exists()
