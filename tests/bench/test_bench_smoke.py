"""The benchmark end to end at xs on the session's xs firm: three nightlies (slow: not in ``make test-fast``).

Also the proof that an incremental night is sound: every mart of the bench's warehouse (every night but the
last built from empty, then the last night landed and built incrementally) equals the session's
``xs_warehouse`` (all nights built from empty), run-stamp columns aside.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.harness import FINISHED, run_scale

#: Columns that record when a run happened, not what it computed.
RUN_STAMP_COLUMNS = {
    "_loaded_at",
    "_load_id",
    "dbt_updated_at",
    "dbt_valid_from",
    "dbt_valid_to",
    "dbt_scd_id",
}
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


def mart_differences(full: Path, incremental: Path) -> dict[str, tuple[int, int]]:
    """Rows only in one of the two warehouses, per mart table (empty when they agree)."""
    with duckdb.connect() as con:
        for alias, path in (("a", full), ("b", incremental)):
            quoted = str(path).replace("'", "''")  # the session's warehouse sits under a path with quotes
            con.execute(f"attach '{quoted}' as {alias} (read_only)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'a' "
            "and schema_name in (select unnest(?)) order by all",
            [list(MART_SCHEMAS)],
        ).fetchall()
        assert len(tables) > 30, "the warehouse should hold the marts"
        out = {}
        for schema, table in tables:
            cols = [r[0] for r in con.execute(f"describe a.{schema}.{table}").fetchall()]
            skip = RUN_STAMP_COLUMNS | LIFECYCLE_COLUMNS.get(table, set())
            sel = ", ".join(f'"{c}"' for c in cols if c not in skip)
            a, b = f"a.{schema}.{table}", f"b.{schema}.{table}"
            diff = "select count(*) from (select {s} from {x} except all select {s} from {y})"
            counts = tuple(
                con.execute(diff.format(s=sel, x=x, y=y)).fetchall()[0][0] for x, y in ((a, b), (b, a))
            )
            if any(counts):
                out[f"{schema}.{table}"] = counts
        return out


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
    assert mart_differences(xs_warehouse, work / "warehouse.duckdb") == {}
