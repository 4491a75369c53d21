"""Dagster as its users expect: one persistent home for `throughline run` and the UI, no dbt clutter.

- every nightly run (its steps, materializations, check results) is recorded in the Dagster instance at
  ``DAGSTER_HOME`` (default ``.dagster_home/``), so ``throughline ui`` / ``dagster dev`` show its history;
- a run leaves no ``dbt_project/target/throughline_dbt-<run id>-…`` folder behind;
- ``[tool.dagster]`` lets a bare ``dagster dev`` find the code location; ``throughline ui`` starts it.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import pytest

if TYPE_CHECKING:
    from conftest import CliRun

from orchestration.dbt_project import DBT_PROJECT_DIR, REPO_ROOT
from orchestration.instance import (
    DEFAULT_DAGSTER_HOME,
    dagster_dev_command,
    dagster_home,
    persistent_instance,
)

sys.path.insert(0, str(Path(__file__).parent / "ingestion"))
from landing_files import write_extract  # noqa: E402

GOOD_USERS = "Id,Name,SystemModstamp\nu1,Bob,2026-11-18 01:00:00\nu2,Ann,2026-11-18 01:00:00\n"


def _run_folders() -> set[str]:
    target = DBT_PROJECT_DIR / "target"
    return {p.name for p in target.glob("throughline_dbt-*")} if target.exists() else set()


def test_dagster_home_from_env_gets_a_dagster_yaml_once(tmp_path: Path, monkeypatch) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert dagster_home() == home.resolve()
    config = home / "dagster.yaml"
    assert "telemetry" in config.read_text()
    with persistent_instance() as instance:  # one sqlite file holds every run's events, inside the home
        assert type(instance.event_log_storage).__name__ == "PooledSqliteEventLogStorage"
    assert (home / "history" / "event_log.db").exists()
    config.write_text("telemetry:\n  enabled: false\n# edited by the operator\n")
    dagster_home()
    assert "edited by the operator" in config.read_text(), "an existing dagster.yaml is never overwritten"


def test_pooled_event_log_writes_through_one_engine_what_another_process_reads(
    tmp_path: Path, monkeypatch
) -> None:
    """The storage overrides Dagster's private ``_connect`` (Dagster is pinned): events stored through its one
    engine, from several threads and a forked child, are all in the file, read back by a new instance and by
    a fresh process."""
    import threading

    from orchestration.instance import PooledSqliteEventLogStorage

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))

    @dg.op
    def noop() -> None:
        pass

    @dg.job
    def job() -> None:
        noop()

    with persistent_instance() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        run = instance.create_run_for_job(job)

        def report(worker: int) -> None:
            for i in range(20):
                instance.report_engine_event(f"worker {worker} event {i}", run)

        threads = [threading.Thread(target=report, args=(w,)) for w in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        instance.report_engine_event("main thread", run)
        engine = storage._engine
        assert engine is not None and storage._engine is engine, "one engine for every event"
        with storage._connect() as conn:  # a commit waits for no fsync (WAL mode, synchronous=NORMAL)
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1
        child = os.fork()  # a forked child must not write through its parent's pooled connections
        if child == 0:
            code = 1
            try:
                instance.report_engine_event("forked child", run)
                code = 0 if storage._engine is not engine else 2  # its own engine, not its parent's
            finally:
                os._exit(code)
        assert os.waitpid(child, 0)[1] == 0, "the forked child stored its event"
        instance.report_engine_event("main thread after the fork", run)
        assert storage._engine is engine
    with persistent_instance() as again:
        events = again.all_logs(run.run_id)
    messages = {e.message for e in events}
    expected = {f"worker {w} event {i}" for w in range(3) for i in range(20)}
    assert expected | {"main thread", "forked child", "main thread after the fork"} <= messages
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "from orchestration.instance import persistent_instance as p; "
            f"i = p(); print(len(i.all_logs({run.run_id!r}))); i.dispose()",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
    ).stdout.split()[-1]
    assert int(count) == len(events)


def test_the_event_log_asks_once_whether_a_table_exists(tmp_path: Path, monkeypatch) -> None:
    """Dagster asks ``has_table`` before every asset and check event: a table found is not asked again in
    the process, one missing is (another process may add it), and the answers are the file's."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    with persistent_instance() as instance:
        storage = instance.event_log_storage
        connect = storage._connect
        opened: list[int] = []

        def counted():  # noqa: ANN202
            opened.append(1)
            return connect()

        monkeypatch.setattr(storage, "_connect", counted)
        assert storage.has_table("asset_check_executions") and storage.has_table("asset_event_tags")
        assert len(opened) == 2
        for _ in range(5):
            assert storage.has_table("asset_check_executions") and storage.supports_asset_checks
        assert len(opened) == 2, "a table found is not asked again"
        assert not storage.has_table("no_such_table") and not storage.has_table("no_such_table")
        assert len(opened) == 4, "a missing table is asked each time"
        with connect() as conn:
            conn.exec_driver_sql("create table no_such_table (x integer)")
        assert storage.has_table("no_such_table")


def test_default_dagster_home_is_in_the_project_and_ignored_by_git() -> None:
    assert DEFAULT_DAGSTER_HOME == REPO_ROOT / ".dagster_home"
    ignored = (REPO_ROOT / ".gitignore").read_text().splitlines()
    assert ".dagster_home/" in ignored


def test_nightly_run_is_recorded_in_the_persistent_home(tmp_path: Path, monkeypatch) -> None:
    from orchestration.assets.raw import raw_assets
    from orchestration.nightly import run_nightly

    home = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "warehouse.duckdb"
    write_extract(landing, "salesforce", "2026-11-18", {"user.csv": GOOD_USERS})
    # one raw object is enough to prove the run is recorded (every raw step would triple the test's time)
    raw_keys = [k for a in raw_assets for k in a.keys if k == dg.AssetKey(["raw_salesforce", "user"])]
    assert raw_keys, "the raw layer has the Salesforce user object"
    result = run_nightly(landing, warehouse, echo=False, asset_selection=raw_keys)
    assert result.run_id is not None

    # A separate instance object on the same folder, as the UI process would open it.
    with dg.DagsterInstance.from_config(str(home)) as instance:
        run = instance.get_run_by_id(result.run_id)
        assert run is not None and run.job_name == "nightly"
        assert run.status == dg.DagsterRunStatus.SUCCESS
        mat = instance.get_latest_materialization_event(dg.AssetKey(["raw_salesforce", "user"]))
        assert mat is not None and mat.run_id == result.run_id
        assert mat.asset_materialization.metadata["rows_loaded"].value == 2
        checks = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        assert checks, "the raw layer's asset checks are recorded with the run"
        # a second night adds to the history instead of replacing it
        second = run_nightly(landing, warehouse, echo=False, asset_selection=raw_keys)
        assert {r.run_id for r in instance.get_runs()} >= {result.run_id, second.run_id}


@pytest.mark.slow
def test_a_full_run_leaves_no_dbt_target_folder_in_the_repository(xs_cli_run: CliRun) -> None:
    """The session's ``xs_cli_run`` (tests/conftest.py) ran ``throughline run`` in its own Dagster home."""
    facts = xs_cli_run.facts
    with dg.DagsterInstance.from_config(facts["dagster_home"]) as instance:
        [run] = instance.get_runs(limit=1)
        mat = instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_revenue"]))
    assert mat is not None and mat.run_id == run.run_id, "the dbt models ran and were recorded"
    new_folders = set(facts["target_folders_after"]) - set(facts["target_folders_before"])
    assert new_folders == set(), "the dbt build left a per-run folder in dbt_project/target"
    prefix = f"throughline_dbt-{run.run_id[:8]}-"
    leftovers = [name for name in facts["temp_dbt_folders"] if name.startswith(prefix)]
    assert leftovers == [], "the per-run dbt target folder is removed after the run"


def test_dbt_target_dir_is_removed_and_stale_ones_from_killed_runs_are_swept(tmp_path: Path) -> None:
    from orchestration.assets.dbt import STALE_TARGET_DIR_SECONDS, TARGET_DIR_PREFIX, dbt_target_dir

    temp = Path(tempfile.gettempdir())
    stale = Path(tempfile.mkdtemp(prefix=f"{TARGET_DIR_PREFIX}killed00-"))
    recent = Path(tempfile.mkdtemp(prefix=f"{TARGET_DIR_PREFIX}running0-"))
    old = time.time() - STALE_TARGET_DIR_SECONDS - 60
    os.utime(stale, (old, old))
    try:
        with dbt_target_dir("abcdef1234") as target:
            assert target.parent == temp and target.name.startswith(f"{TARGET_DIR_PREFIX}abcdef12-")
            (target / "run_results.json").write_text("{}")
            assert REPO_ROOT not in target.parents
        assert not target.exists()
        assert not stale.exists(), "a folder left by a killed run a day ago is swept"
        assert recent.exists(), "a folder of a run that may still be going is kept"
    finally:
        shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(recent, ignore_errors=True)


def test_pyproject_names_the_code_location_for_a_bare_dagster_dev() -> None:
    block = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["dagster"]
    assert block["module_name"] == "orchestration.definitions"
    assert block["code_location_name"] == "throughline"


def test_ui_command_runs_dagster_dev_on_the_persistent_home(tmp_path: Path, monkeypatch, capsys) -> None:
    from throughline.cli import main

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    argv, env, cwd = dagster_dev_command(port=3999)
    assert argv[1:] == ["dev", "--port", "3999", "--host", "127.0.0.1"]
    assert env["DAGSTER_HOME"] == str((tmp_path / "home").resolve()) and cwd == REPO_ROOT
    assert main(["ui", "--port", "3999", "--print-only"]) == 0
    assert "DAGSTER_HOME=" + str((tmp_path / "home").resolve()) in capsys.readouterr().out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_throughline_ui_serves_the_code_location_and_the_cli_runs(
    tmp_path: Path, monkeypatch, xs_cli_run: CliRun
) -> None:
    """The UI on a copy of the Dagster home the session's ``throughline run`` recorded into (a copy: the
    UI's daemon writes to its home), so this test pays for no nightly of its own."""
    shutil.copytree(xs_cli_run.facts["dagster_home"], tmp_path / "home")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    with dg.DagsterInstance.from_config(str(tmp_path / "home")) as instance:
        [night] = instance.get_runs(limit=1)
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "throughline.cli", "ui", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        body = b""
        deadline = time.monotonic() + 120
        query = (
            b'{"query":"{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"}'
        )
        while time.monotonic() < deadline:
            time.sleep(2)
            try:
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=query,
                    headers={"Content-Type": "application/json"},
                )
                body = urllib.request.urlopen(req, timeout=5).read()
            except OSError:
                continue
            if b"LOADED" in body or b"ERROR" in body:
                break
        assert b'"name":"throughline"' in body and b'"loadStatus":"LOADED"' in body, body
        assert (tmp_path / "home" / "dagster.yaml").exists()
        runs_query = b'{"query":"{ runsOrError { ... on Runs { results { runId jobName status } } } }"}'
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/graphql", data=runs_query, headers={"Content-Type": "application/json"}
        )
        runs = urllib.request.urlopen(req, timeout=10).read().decode()
        assert night.run_id in runs and '"jobName":"nightly"' in runs, runs
    finally:
        _stop_group(proc)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the UI's process group (dagster dev, its webserver, daemon, code server); wait till gone."""
    os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        proc.poll()
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
