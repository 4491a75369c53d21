"""dbt sees one database path per warehouse, and its parse state is kept between runs (dbt_parse_state).

The end-to-end proof (a second night on the same warehouse parses only what changed) is in
tests/bench/test_bench_smoke.py, which runs three nights on one warehouse anyway. The suite's nights share
one folder per worker (``THROUGHLINE_DBT_STATE_DIR``, tests/conftest.py); these tests set it themselves.
"""

from __future__ import annotations

import errno
import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from orchestration.builds import build_path
from orchestration.dbt_parse_state import (
    PARTIAL_PARSE_FILE,
    SHARED_STATE_ENV,
    STATE_LOCK,
    dbt_build_link,
    dbt_opens_build,
    keep_partial_parse,
    link_leftovers,
    partial_parse_store,
    restore_partial_parse,
)
from orchestration.prepare import prepare_build, sweep_builds


@pytest.fixture(autouse=True)
def _own_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default: each warehouse's own ``<warehouse>.builds/`` (the suite shares one folder per worker)."""
    monkeypatch.delenv(SHARED_STATE_ENV, raising=False)


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


def test_warehouses_sharing_a_folder_give_dbt_one_path_and_one_parse_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt's profile (the database path, the spill folder beside it) is then the same for every warehouse,
    so a warehouse's first night can use the parse state another warehouse's night left."""
    shared = tmp_path / "dbt-state"
    monkeypatch.setenv(SHARED_STATE_ENV, str(shared))
    one, two = tmp_path / "one" / "wh.duckdb", tmp_path / "two" / "wh.duckdb"
    assert dbt_build_link(one) == dbt_build_link(two) == shared / "build.duckdb"
    assert partial_parse_store(one) == partial_parse_store(two) == shared / "dbt" / PARTIAL_PARSE_FILE
    target = tmp_path / "target"
    target.mkdir()
    (target / PARTIAL_PARSE_FILE).write_bytes(b"state of one's night")
    assert keep_partial_parse(one, target)
    assert restore_partial_parse(two, tmp_path / "target-two")
    build_two = prepare_build(two, "run-2")
    with dbt_opens_build(two, build_two) as link:
        assert link == shared / "build.duckdb" and link.samefile(build_two)
        with duckdb.connect(str(link)) as con:
            assert con.execute("select current_database()").fetchall() == [("build",)]
    assert not any(p.exists() for p in link_leftovers(two))
    assert not (two.with_name("wh.duckdb.builds") / "build.duckdb").exists()
    (shared / "build.duckdb.tmp").mkdir()  # a killed dbt's spill folder: the sweep does not reach it here
    (shared / "build.duckdb.tmp" / "duckdb_temp_storage-0.tmp").write_bytes(b"spilled")
    with dbt_opens_build(one, prepare_build(one, "run-1")):
        assert not (shared / "build.duckdb.tmp").exists()


def test_runs_sharing_a_folder_take_turns_for_the_dbt_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: Path
) -> None:
    shared = tmp_path / "dbt-state"
    shared.mkdir()
    monkeypatch.setenv(SHARED_STATE_ENV, str(shared))
    said: list[str] = []
    entered = threading.Event()

    def run() -> None:
        with dbt_opens_build(tmp_path / "wh.duckdb", build, said.append):
            entered.set()

    with open(shared / STATE_LOCK, "a+") as other_run:  # another warehouse's run is in its dbt step
        fcntl.flock(other_run, fcntl.LOCK_EX)
        waiting = threading.Thread(target=run)
        waiting.start()
        waiting.join(timeout=2)
        assert waiting.is_alive() and not entered.is_set()
        assert said == [f"waiting for another run's dbt step in {shared} ({SHARED_STATE_ENV} is shared)"]
    waiting.join(timeout=30)
    assert entered.is_set()


def test_a_shared_folder_on_another_file_system_falls_back_to_the_warehouses_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build: Path
) -> None:
    """A hard link cannot cross file systems: the night goes on (a full parse), and says why."""
    shared = tmp_path / "elsewhere"
    monkeypatch.setenv(SHARED_STATE_ENV, str(shared))
    real_link = os.link

    def link_across(src: object, dst: object) -> None:
        if Path(str(dst)).parent == shared:
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        real_link(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", link_across)
    said: list[str] = []
    warehouse = tmp_path / "wh.duckdb"
    with dbt_opens_build(warehouse, build, said.append) as link:
        assert link == warehouse.with_name("wh.duckdb.builds") / "build.duckdb" and link.samefile(build)
    assert said == [f"{SHARED_STATE_ENV}={shared} is on another file system than {build}: dbt opens it there"]
    assert not link.exists()


def test_the_sweep_leaves_the_shared_folder_to_the_run_using_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another warehouse's dbt may have its build open under the shared name: a run's sweep (under its own
    warehouse's lock only) removes the links in its own folder, never the shared one's."""
    shared = tmp_path / "dbt-state"
    monkeypatch.setenv(SHARED_STATE_ENV, str(shared))
    warehouse = tmp_path / "wh.duckdb"
    old = prepare_build(warehouse, "run-old")
    in_use = prepare_build(tmp_path / "other.duckdb", "run-other")
    shared.mkdir()
    (shared / "build.duckdb").hardlink_to(in_use)
    (warehouse.with_name("wh.duckdb.builds") / "build.duckdb").hardlink_to(
        old
    )  # before the folder was shared
    assert sweep_builds(warehouse, "run-new") == [old]
    assert (shared / "build.duckdb").samefile(in_use)
    assert not (warehouse.with_name("wh.duckdb.builds") / "build.duckdb").exists()


def test_a_spark_or_vendor_night_keeps_its_parse_state_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt's parse state depends on the engine's profile and the chosen systems (env vars read in
    dbt_project.yml): each keeps its own, so in a shared folder one does not replace another's."""
    from orchestration.dbt_project import parse_state_variant

    warehouse = Path("/firm/wh.duckdb")
    for name in ("THROUGHLINE_ENGINE", "THROUGHLINE_CRM", "THROUGHLINE_ERP", "THROUGHLINE_PSA"):
        monkeypatch.delenv(name, raising=False)
    assert parse_state_variant() == ""
    default = partial_parse_store(warehouse, parse_state_variant())
    assert default == partial_parse_store(warehouse) == Path("/firm/wh.duckdb.builds/dbt", PARTIAL_PARSE_FILE)
    monkeypatch.setenv("THROUGHLINE_ERP", "xero")
    assert parse_state_variant() == "systems-erp-xero"
    monkeypatch.setenv("THROUGHLINE_ENGINE", "spark")
    assert parse_state_variant() == "spark-systems-erp-xero"
    spark_xero = partial_parse_store(warehouse, parse_state_variant())
    assert spark_xero == Path("/firm/wh.duckdb.builds/dbt/spark-systems-erp-xero") / PARTIAL_PARSE_FILE
