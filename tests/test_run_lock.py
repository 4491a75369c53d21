"""One run per warehouse: a second run stops at once (exit 3) and a killed run's lock is cleared."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestration.run_lock import RunInProgress, lock_path, read_holder, run_lock
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


def _hold_in_subprocess(warehouse: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_run_stops_at_once_with_exit_3_and_leaves_the_first_runs_files_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "w.duckdb"
    landing.mkdir()
    building = tmp_path / "w.duckdb.building"
    building.write_text("the first run's work")
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
