"""A run killed at any point (``kill -9`` of ``throughline run`` and its dbt child) leaves the published
warehouse byte-identical; the next run clears the lock, removes the dead run's build and completes.

That next run re-runs a night already loaded (rebuilding although nothing is new), so it is also the proof
that re-running a night changes nothing: one end-to-end rebuild serves both.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest
from warehouse_diff import table_differences

from orchestration.builds import builds_dir, published_builds
from orchestration.dbt_parse_state import DBT_BUILD_LINK
from orchestration.publish import PAUSE_ENV

#: Schemas a re-run must leave identical (run stamps aside).
RERUN_SCHEMAS = ("raw_salesforce", "raw_netsuite", "raw_psa", "intermediate", "marts", "snapshots")
REPO = Path(__file__).resolve().parents[2]
#: (where to kill, the output line that says the run got there, whether the run loads the raw layer only).
#: ``load`` and ``publish`` are pause hooks (orchestration.publish.pause_point); dbt is killed at its first
#: progress line, mid-build. The run killed while publishing loads the raw layer only: the publish step and
#: the switch it makes are the same whatever the run built, and it gets there without a whole night's build.
KILL_POINTS = (
    ("load", "paused at load", False),
    ("dbt", "dbt: ", False),
    ("publish", "paused at publish", True),
)
#: ``run_nightly`` restricted to the raw layer (``throughline run`` has no such option): landing, warehouse.
RAW_ONLY_RUN = (
    "import sys; from pathlib import Path; from orchestration.assets.raw import raw_assets; "
    "from orchestration.nightly import run_nightly; "
    "keys = [key for asset in raw_assets for key in asset.keys]; "
    "sys.exit(0 if run_nightly(Path(sys.argv[1]), Path(sys.argv[2]), asset_selection=keys).success else 1)"
)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _row_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select schema_name, table_name from duckdb_tables() order by all").fetchall()
        return {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]  # type: ignore[index]
            for s, t in tables
        }


def _start(
    landing: Path, warehouse: Path, pause: str | None, raw_only: bool = False
) -> tuple[subprocess.Popen[str], queue.Queue]:
    # the same landing again on a built warehouse: rebuild anyway (orchestration.unchanged would skip it)
    env = {**os.environ, "PYTHONPATH": str(REPO), "THROUGHLINE_SKIP_UNCHANGED": "0"}
    env["THROUGHLINE_DBT_UNIT_TESTS"] = "auto"  # the default: the project is the one already built here
    env.pop(PAUSE_ENV, None)
    if pause:
        env[PAUSE_ENV] = pause
    if raw_only:
        cmd = [sys.executable, "-c", RAW_ONLY_RUN, str(landing), str(warehouse)]
    else:
        cmd = [sys.executable, "-m", "throughline.cli", "run", "--landing", str(landing)]
        cmd += ["--warehouse", str(warehouse)]
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill takes dbt's subprocess with it
    )
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def _wait_for(lines: queue.Queue, text: str, timeout: float = 900) -> list[str]:
    seen: list[str] = []
    while True:
        line = lines.get(timeout=timeout)
        if line is None:
            raise AssertionError(f"the run ended before {text!r}:\n{''.join(seen[-40:])}")
        seen.append(line)
        if text in line:
            return seen


@pytest.mark.slow
def test_a_run_killed_at_any_point_leaves_the_published_warehouse_and_the_next_run_completes(
    tmp_path: Path, xs_firm: Path, xs_warehouse: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(xs_warehouse, warehouse)
    sha, counts = _sha(warehouse), _row_counts(warehouse)
    landing = xs_firm / "landing"
    dead: list[Path] = []
    for point, text, raw_only in KILL_POINTS:
        proc, lines = _start(landing, warehouse, None if point == "dbt" else point, raw_only)
        _wait_for(lines, text)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _sha(warehouse) == sha, f"killed at {point}: the published file changed"
        assert _row_counts(warehouse) == counts
        # a run killed during dbt also leaves dbt's second name of its build (dbt_parse_state): not a build
        builds = sorted(p for p in builds_dir(warehouse).glob("*.duckdb") if p.name != DBT_BUILD_LINK)
        assert len(builds) == 1 and builds[0] not in dead, f"killed at {point}: one build, the dead run's"
        assert all(not d.exists() for d in dead), "the next run removed the previous dead run's build"
        dead.append(builds[0])

    proc, lines = _start(landing, warehouse, pause=None)
    out = "".join(_wait_for(lines, "nightly run "))
    assert proc.wait(timeout=600) == 0, out[-3000:]
    # the sweep of the dead build is in the run's log file (the terminal is quiet: one line per stage)
    log = warehouse.with_name(warehouse.name + ".nightly.log").read_text(encoding="utf-8")
    assert "stale run lock" in out and "removed the build" in out + log
    # the project is the one xs_warehouse was built from: the unit tests, code checks, are not re-run
    assert "dbt unit tests skipped" in log and " START unit_test " not in log
    assert "first dbt build" not in log  # a built warehouse: the profile's one dbt thread
    assert "warehouse published" in out
    assert not any(d.exists() for d in dead)
    assert list(builds_dir(warehouse).glob("*.duckdb*")) == []
    [entry] = published_builds(warehouse)
    assert entry.current and _sha(warehouse) != sha
    after = _row_counts(warehouse)
    assert after["marts.fct_time_entries"] == counts["marts.fct_time_entries"] > 0
    # ... and that run re-ran a night already loaded: rebuilding the same data gave the same rows, in every
    # layer (raw loads are no-ops by content hash; every model, incremental ones included, rebuilt)
    assert table_differences(xs_warehouse, warehouse, RERUN_SCHEMAS, min_tables=60) == {}
