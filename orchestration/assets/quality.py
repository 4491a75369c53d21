"""GX expectation suites on the marts, as Dagster asset checks (``gx_expectations`` on each mart).

One ``multi_asset_check`` step evaluates every suite of ``expectations.suites``: it depends on the mart
assets, so in the nightly job it runs after ``dbt build`` has finished and closed the warehouse. It opens
the warehouse read-only once, pulls the columns each suite reads, closes the connection and only then
validates (a connection is never held across steps). Severity: a failed CRITICAL expectation fails the
check with ERROR, which blocks publishing (the checks are ``blocking``); a failed WARNING expectation
(defective source data) fails it with WARN, which does not block.
"""

import os
from collections.abc import Iterator
from typing import Any

import dagster as dg
import pandas as pd
from dagster import AssetCheckExecutionContext

from expectations.catalog import SUITE_NAMES
from orchestration.resources import WarehouseResource

CHECK_NAME = "gx_expectations"

#: Largest frame handed to GX. A mart beyond it (20 M time entries at the xl scale) is validated on a
#: repeatable random sample of this many rows, so the check's memory stays bounded whatever the firm's size.
MAX_ROWS = int(os.environ.get("THROUGHLINE_GX_MAX_ROWS", "1000000"))


def suite_asset_key(suite_name: str) -> dg.AssetKey:
    """``marts.fct_time_entries`` -> ``AssetKey(["marts", "fct_time_entries"])`` (the dbt asset key)."""
    return dg.AssetKey(suite_name.split("."))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def read_frames(
    warehouse_path: str, suite_names: list[str], max_rows: int = MAX_ROWS
) -> dict[str, pd.DataFrame | str]:
    """Each suite's columns from its mart (read-only, one short connection); an error text if unreadable.

    A mart with more than ``max_rows`` rows is read as a repeatable reservoir sample of ``max_rows`` rows;
    ``frame.attrs["rows_total"]`` always holds the mart's full row count.
    """
    import duckdb

    from expectations.validate import suite_columns

    frames: dict[str, pd.DataFrame | str] = {}
    with duckdb.connect(warehouse_path, read_only=True) as con:
        for name in suite_names:
            schema, table = name.split(".")
            cols = ", ".join(_quoted(c) for c in suite_columns(name))
            relation = f"{_quoted(schema)}.{_quoted(table)}"
            try:
                total = con.execute(f"select count(*) from {relation}").fetchall()[0][0]
                sample = ""
                if total > max_rows:
                    sample = f" using sample reservoir({max_rows} rows) repeatable (7)"
                frame = con.execute(f"select {cols} from {relation}{sample}").df()
                frame.attrs["rows_total"] = total
                frames[name] = frame
            except duckdb.Error as exc:
                frames[name] = f"cannot read {name} from {warehouse_path}: {exc}"
    return frames


def check_result(suite_name: str, frame: pd.DataFrame | str) -> dg.AssetCheckResult:
    """Validate one frame and turn the suite result into an ``AssetCheckResult`` with metadata."""
    from expectations.validate import validate_frame

    key = suite_asset_key(suite_name)
    if isinstance(frame, str):
        return dg.AssetCheckResult(
            asset_key=key,
            check_name=CHECK_NAME,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=frame,
            metadata={"error": frame},
        )
    res = validate_frame(suite_name, frame)
    failed: list[dict[str, Any]] = [
        {
            "expectation": r.expectation_type,
            "column": r.column,
            "severity": r.severity,
            "unexpected_count": r.unexpected_count,
            "unexpected_values": r.unexpected_values,
            **({"error": r.error} if r.error else {}),
        }
        for r in res.failed
    ]
    summary = "; ".join(
        f"{f['severity']} {f['expectation']}({f['column']}): "
        + (
            f["error"]
            if "error" in f
            else f"{f['unexpected_count']} unexpected, e.g. {f['unexpected_values'][:3]}"
        )
        for f in failed
    )
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=CHECK_NAME,
        passed=res.success,
        description=f"{len(failed)} of {len(res.results)} expectations failed: {summary}"
        if failed
        else f"all {len(res.results)} expectations passed",
        severity=dg.AssetCheckSeverity.ERROR if res.critical_failed else dg.AssetCheckSeverity.WARN,
        metadata={
            "suite": suite_name,
            "rows": res.row_count,
            "rows_total": int(frame.attrs.get("rows_total", res.row_count)),
            "sampled": int(frame.attrs.get("rows_total", res.row_count)) > res.row_count,
            "expectations_evaluated": len(res.results),
            "expectations_failed": len(failed),
            "critical_failed": len(res.critical_failed),
            "unexpected_rows": sum(f["unexpected_count"] or 0 for f in failed),
            "failed": dg.MetadataValue.json(failed),
        },
    )


def build_quality_checks(suite_names: list[str] | None = None) -> dg.AssetChecksDefinition:
    """One step checking every suite's mart; ``can_subset`` so a run that skips a mart skips its check."""
    names = suite_names or list(SUITE_NAMES)
    specs = [
        dg.AssetCheckSpec(
            name=CHECK_NAME,
            asset=suite_asset_key(n),
            blocking=True,
            description=f"Great Expectations suite {n} (expectations/suites.py): CRITICAL failures -> ERROR, "
            "which blocks publishing; WARNING failures (defective source data) -> WARN, which does not.",
        )
        for n in names
    ]

    @dg.multi_asset_check(specs=specs, name="gx_mart_expectations", can_subset=True)
    def _gx_checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = {k.asset_key for k in context.selected_asset_check_keys}
        todo = [n for n in names if suite_asset_key(n) in selected]
        for name in todo:  # one mart in memory at a time; the connection is closed before GX runs
            result = check_result(name, read_frames(warehouse.database, [name])[name])
            log = context.log.info if result.passed else context.log.warning
            log(f"{name}: {result.description}")
            yield result

    return _gx_checks


quality_asset_checks: list[dg.AssetChecksDefinition] = [build_quality_checks()]
