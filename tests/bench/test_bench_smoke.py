"""The benchmark end to end at xs on the session's xs firm: three nightlies (slow: not in ``make test-fast``).

Also the proof that an incremental night is sound: every mart of the bench's warehouse (every night but the
last built from empty, then the last night landed and built incrementally) equals the session's
``xs_warehouse`` (all nights built from empty), run-stamp columns aside.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from warehouse_diff import table_differences

from bench.harness import FINISHED, run_scale

MART_SCHEMAS = ("marts", "reconciliation")
#: recon_break_history records the nights as they were built: a break first found on the held-back night's
#: build is "new" there, while the all-at-once build first sees it on the last night. Its lifecycle columns
#: legitimately differ; every other column must agree.
LIFECYCLE_COLUMNS = {
    "recon_break_history": {
        "first_seen_on",
        "last_seen_on",
        "status",
        "resolved_on",
        "times_reopened",
        "age_days",
    }
}


@pytest.mark.slow
def test_bench_at_xs(tmp_path: Path, xs_firm: Path, xs_warehouse: Path) -> None:
    work = tmp_path / "xs"
    res = run_scale("xs", 42, work, firm=xs_firm)
    assert set(res.steps) == {"full", "incremental", "rerun", "floor"}
    assert all(res.steps[s]["returncode"] in FINISHED for s in res.steps)
    assert res.held_back and len({h.split("/")[1] for h in res.held_back}) == 1  # one night, every system
    rerun_log = (work / "logs" / "rerun.log").read_text()
    assert "nothing new" in rerun_log, rerun_log[-2000:]
    assert res.steps["rerun"]["seconds"] < res.steps["full"]["seconds"]
    assert res.warehouse_bytes > 0 and res.floor_bytes > 0
    assert (
        table_differences(xs_warehouse, work / "warehouse.duckdb", MART_SCHEMAS, LIFECYCLE_COLUMNS, 30) == {}
    )
