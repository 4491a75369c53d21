"""One run per warehouse: a second run stops at once (exit 3) and a killed run's lock is cleared."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from orchestration.run_lock import RunInProgress, lock_path, note_child, read_holder, run_lock
from throughline.cli import main

REPO = Path(__file__).resolve().parents[1]

# A run stand-in in another process: takes the warehouse's lock, says so, holds it until stdin closes.
HOLDER = """
import sys
from pathlib import Path
from orchestration.run_lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


# The same, with a child process recorded in the lock as the run records its `dbt build` (prints its pid).
HOLDER_WITH_CHILD = """
import subprocess, sys
from pathlib import Path
from orchestration.run_lock import note_child, run_lock
with run_lock(Path(sys.argv[1])):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    note_child(Path(sys.argv[1]), child.pid)
    print("held", child.pid, flush=True)
    sys.stdin.read()
"""


def _hold_in_subprocess(warehouse: Path, script: str = HOLDER) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().startswith("held")
    return proc


def test_a_second_run_stops_at_once_with_exit_3_and_leaves_the_first_runs_files_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    building = tmp_path / "w.duckdb.building"
    building.write_text("the first run's work")
    import orchestration.nightly
    import orchestration.sensors  # noqa: F401  imported first: the timing is of the refusal, not Dagster's import

    first = _hold_in_subprocess(warehouse)
    try:
        started = time.perf_counter()
        assert main(["run", "--landing", str(landing), "--warehouse", str(warehouse)]) == 3
        assert time.perf_counter() - started < 5
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "another run is in progress" in err[0]
        assert f"pid {first.pid} on " in err[0] and "since " in err[0]
        assert building.read_text() == "the first run's work" and not warehouse.exists()
        with pytest.raises(RunInProgress), run_lock(warehouse):  # the library call says the same
            pass
    finally:
        first.communicate("")
    assert first.returncode == 0
    assert read_holder(lock_path(warehouse)) is None  # a clean release empties the lock file


def test_a_lock_left_by_a_killed_run_is_reported_and_cleared(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    killed = _hold_in_subprocess(warehouse)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    left = read_holder(lock_path(warehouse))
    assert left is not None and left.pid == killed.pid  # the killed run never released it
    said: list[str] = []
    with run_lock(warehouse, say=said.append):
        assert read_holder(lock_path(warehouse)).pid == os.getpid()  # type: ignore[union-attr]
    assert len(said) == 1 and "stale run lock" in said[0] and f"pid {killed.pid} on " in said[0]
    said.clear()
    with run_lock(warehouse, say=said.append):  # cleared: the next run says nothing
        pass
    assert said == []


def test_a_killed_runs_leftover_dbt_child_is_stopped_before_the_next_run_starts(tmp_path: Path) -> None:
    """A ``kill -9`` of a run leaves its ``dbt build`` child running (writing the dead run's build): the
    run that clears the stale lock stops it, and says so."""
    warehouse = tmp_path / "w.duckdb"
    killed = subprocess.Popen(
        [sys.executable, "-c", HOLDER_WITH_CHILD, str(warehouse)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert killed.stdout is not None
    child = psutil.Process(int(killed.stdout.readline().split()[1]))
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    assert child.is_running() and child.status() != psutil.STATUS_ZOMBIE  # orphaned, still running
    said: list[str] = []
    with run_lock(warehouse, say=said.append):
        assert not psutil.pid_exists(child.pid) or child.status() == psutil.STATUS_ZOMBIE
    assert len(said) == 1 and f"stopped its leftover process(es) {child.pid}" in said[0]


def test_a_recorded_pid_now_used_by_another_process_is_left_alone(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        dead = {"pid": 999999, "host": socket.gethostname(), "user": "x", "started": "2026-01-01T00:00:00"}
        children = [{"pid": other.pid, "created": psutil.Process(other.pid).create_time() - 60}]
        lock_path(warehouse).write_text(json.dumps({**dead, "children": children}))
        said: list[str] = []
        with run_lock(warehouse, say=said.append):
            pass
        assert other.poll() is None and "stale run lock" in said[0] and "stopped" not in said[0]
    finally:
        other.kill()
        other.wait()


def test_note_child_outside_a_held_lock_records_nothing(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    note_child(warehouse, os.getpid())
    assert not lock_path(warehouse).exists()
    with run_lock(warehouse):
        note_child(warehouse, os.getpid())
        recorded = json.loads(lock_path(warehouse).read_text())
        assert recorded["pid"] == os.getpid() and [c["pid"] for c in recorded["children"]] == [os.getpid()]
    assert read_holder(lock_path(warehouse)) is None


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    """`demo` holds the lock while it regenerates the firm, then `run_nightly` takes it again inside."""
    warehouse = tmp_path / "w.duckdb"
    with run_lock(warehouse), run_lock(warehouse):
        assert read_holder(lock_path(warehouse)).pid == os.getpid()  # type: ignore[union-attr]
    assert read_holder(lock_path(warehouse)) is None


def test_a_second_demo_on_the_same_folder_does_not_regenerate_the_running_ones_firm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _hold_in_subprocess(tmp_path / "warehouse.duckdb")
    try:
        assert main(["demo", "--scale", "xs", "--dir", str(tmp_path)]) == 3
    finally:
        first.communicate("")
    assert "another run is in progress" in capsys.readouterr().err
    assert not (tmp_path / "landing").exists()
