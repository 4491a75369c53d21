"""The benchmark end to end at xs on the session's xs firm: three nightlies (slow: not in ``make test-fast``).

Also the proof that an incremental night is sound: every mart of the bench's warehouse (every night but the
last built from empty, then the last night landed and built incrementally) equals the session's
``xs_warehouse`` (all nights built from empty), run-stamp columns aside.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from warehouse_diff import table_differences

from bench.harness import FINISHED, START, run_scale
from orchestration.builds import builds_dir
from orchestration.dbt_parse_state import PARTIAL_PARSE_FILE

MART_SCHEMAS = ("marts", "reconciliation")
#: The history marts record the nights as they were built: a break or signal first found on the held-back
#: night's build is "new" there, while the all-at-once build first sees it on the last night. Their lifecycle
#: columns legitimately differ; every other column must agree.
_LIFECYCLE = {"first_seen_on", "last_seen_on", "status", "resolved_on", "times_reopened", "age_days"}
LIFECYCLE_COLUMNS = {
    "recon_break_history": _LIFECYCLE,
    "anomaly_signal_history": _LIFECYCLE,
    "exceptions": _LIFECYCLE,
}
#: Forecasts are frozen each night: the night-by-night build holds one more nightly snapshot (the held-back
#: night's), and every snapshot the all-at-once build froze must be in it unchanged.
SNAPSHOTS = "marts.kpi_forecast_snapshots"


@pytest.mark.slow
def test_bench_at_xs(tmp_path: Path, xs_firm: Path, xs_warehouse: Path) -> None:
    work = tmp_path / "xs"
    res = run_scale("xs", 42, work, firm=xs_firm, keep_start=True)
    assert set(res.steps) == {"full", "incremental", "rerun", "floor"}
    assert all(res.steps[s]["returncode"] in FINISHED for s in res.steps)
    assert res.held_back and len({h.split("/")[1] for h in res.held_back}) == 1  # one night, every system
    rerun_log = (work / "logs" / "rerun.log").read_text()
    assert "nothing new" in rerun_log, rerun_log[-2000:]
    assert not (work / "logs" / "rerun.nightly.log").exists()  # nothing new: no Dagster run, no run log
    # each night that ran is profiled from its run log (bench.night_profile): Dagster's steps, dbt's nodes
    assert "profile" not in res.steps["rerun"]
    for night in ("full", "incremental"):
        profile = res.steps[night]["profile"]
        assert {"raw_psa", "throughline_dbt", "warehouse__published"} <= set(profile["steps"])
        kinds = profile["dbt_by_kind"]  # the night's ~120 table models and ~300 data tests were all read
        assert kinds["test"]["nodes"] > 100 and kinds["table model"]["nodes"] > 100
        assert 0 < profile["dbt_node_seconds"] < res.steps[night]["seconds"]
    # The full build is a new firm's first night: the whole project parsed, though the suite's nights share
    # a parse state (THROUGHLINE_DBT_STATE_DIR, which the bench leaves out). The incremental night parsed
    # only what changed: dbt opened the run's build under the warehouse's stable name and got the first
    # night's parse state, kept in the warehouse's own folder.
    full_log = (work / "logs" / "full.nightly.log").read_text()
    assert "(partial parsing)" not in full_log
    night_log = (work / "logs" / "incremental.nightly.log").read_text()
    assert "since this warehouse's last build (partial parsing)" in night_log
    assert "Unable to do partial parsing" not in night_log
    assert (builds_dir(work / "warehouse.duckdb") / "dbt" / PARTIAL_PARSE_FILE).is_file()
    assert res.steps["rerun"]["seconds"] < res.steps["full"]["seconds"]
    # --keep-start kept what the incremental night started from (python -m bench.replay runs it again): the
    # full build's warehouse with its loads aged, before the held-back night was loaded
    start = work / START
    assert (start / "warehouse.duckdb.builds" / "dbt" / PARTIAL_PARSE_FILE).is_file()
    assert (start / "dagster_home" / "dagster.yaml").is_file()
    with duckdb.connect(str(start / "warehouse.duckdb"), read_only=True) as con:
        [(kept_night,)] = con.execute(
            "select max(_extract_date) from raw_psa.time_entries__history"
        ).fetchall()
    assert kept_night.isoformat() < res.held_back[0].split("/")[1]
    assert res.warehouse_bytes > 0 and res.floor_bytes > 0
    differences = table_differences(
        xs_warehouse, work / "warehouse.duckdb", MART_SCHEMAS, LIFECYCLE_COLUMNS, 30
    )
    only_one_shot, only_nightly = differences.pop(SNAPSHOTS, (0, 0))
    assert differences == {}
    assert only_one_shot == 0
    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as con:
        [(extra_nightly,)] = con.execute(
            f"select count(*) from {SNAPSHOTS} where snapshot_type = 'nightly' and snapshot_date < "
            f"(select max(snapshot_date) from {SNAPSHOTS})"
        ).fetchall()
    assert only_nightly == extra_nightly > 0
