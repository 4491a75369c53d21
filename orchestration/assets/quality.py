"""GX expectation suites as Dagster asset checks, their results in the warehouse and as GX Data Docs.

Two ``multi_asset_check`` steps evaluate the suites of ``expectations.catalog``: ``gx_source_expectations``
(raw objects' value ranges, and the source loads: ``gx_row_volume`` and ``gx_source_freshness`` on
``raw/landing_audit``, from ``raw.load_log``) after the raw loads, and ``gx_mart_expectations`` (the marts
and KPI marts, ``gx_expectations`` on each) after ``dbt build`` has finished and closed the file. Each reads
each suite's frame over a short read-only connection, validates with no connection open, then appends the
results to ``quality.gx_results`` (one short write) and renders GX Data Docs into ``gx-data-docs/`` beside
the published warehouse. Every read and write goes to the run's own build (``warehouse.database``, write-
audit-publish). Severity: a failed CRITICAL expectation fails the check with ERROR, which blocks publishing
(the checks are ``blocking``); a failed WARNING expectation (defective source data) fails it with WARN,
which does not block.
"""

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd
from dagster import AssetCheckExecutionContext

from expectations.catalog import SPEC_BY_NAME, SUITE_NAMES, SuiteSpec
from orchestration.duckdb_settings import duckdb_config
from orchestration.resources import LandingResource, WarehouseResource

CHECK_NAME = "gx_expectations"
#: Folder of the GX Data Docs site, beside the warehouse file.
DATA_DOCS_DIR = "gx-data-docs"

#: Largest frame handed to GX. A mart beyond it (20 M time entries at the xl scale) is validated on a
#: repeatable random sample of about this many rows, so the check's memory stays bounded whatever the firm's
#: size.
MAX_ROWS = int(os.environ.get("THROUGHLINE_GX_MAX_ROWS", "1000000"))


def suite_asset_key(suite_name: str) -> dg.AssetKey:
    """The asset a suite checks: ``marts.fct_time_entries`` -> ``AssetKey(["marts", "fct_time_entries"])``."""
    spec = SPEC_BY_NAME.get(suite_name)
    return dg.AssetKey(list(spec.asset_key) if spec else suite_name.split("."))


def suite_check_key(suite_name: str) -> dg.AssetCheckKey:
    spec = SPEC_BY_NAME.get(suite_name)
    return dg.AssetCheckKey(suite_asset_key(suite_name), spec.check_name if spec else CHECK_NAME)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _judged_rows(con: Any, schema: str, table: str) -> tuple[str, list[Any], str]:
    """The rows a table suite judges, as (SQL condition, its parameters, what they are).

    What tonight wrote, not the history earlier nights judged: an incremental fact's rows of its last build
    (``_built_at``, dbt_project/macros/build_stamp.sql: every row after a build from empty, the re-read rows
    after an incremental night), a raw object's records of its latest load (the ``_load_id`` of its newest
    ``_loaded_at``: load ids are Dagster run ids, random, so their own order says nothing). Any other table
    is rebuilt whole each night and judged whole. The stamp is looked up first and compared as a constant,
    which lets DuckDB skip the row groups of older nights (a scalar subquery in the filter is a join, and
    read every row of a 20 M-row raw table).
    """
    relation = f"{_quoted(schema)}.{_quoted(table)}"
    columns = {
        c
        for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }
    if "_built_at" in columns:
        built = con.execute(f"select max(_built_at) from {relation}").fetchall()[0][0]
        return "_built_at = ?", [built], "rows of the last build"
    if schema.startswith("raw_") and "_loaded_at" in columns:  # raw tables keep deleted records (flagged)
        load_id = con.execute(f"select arg_max(_load_id, _loaded_at) from {relation}").fetchall()[0][0]
        return "not coalesce(_is_deleted, false) and _load_id = ?", [load_id], "records of the latest load"
    return "true", [], "every row"


def _table_frame(con: Any, name: str, max_rows: int) -> pd.DataFrame:
    from expectations.validate import suite_columns

    schema, table = name.split(".")
    columns = suite_columns(name)
    cols = ", ".join(_quoted(c) for c in columns)
    relation = f"{_quoted(schema)}.{_quoted(table)}"
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0][0]
    if not exists and schema.startswith("raw_"):  # nothing of this object delivered yet: nothing to judge
        frame = pd.DataFrame(columns=columns)
        frame.attrs.update(rows_total=0, judged="nothing delivered")
        return frame
    where, params, judged = _judged_rows(con, schema, table)
    total = con.execute(f"select count(*) from {relation} where {where}", params).fetchall()[0][0]
    # Bernoulli: each row in or out on its own draw (seeded), about max_rows of them. A reservoir of exactly
    # max_rows rows took 10 s on 20.8 M time entries at xl, this 1.3 s (docs/performance.md item 29).
    share = 100.0 * max_rows / total if total > max_rows else None
    sample = f" using sample {share:.12g} percent (bernoulli, 7)" if share is not None else ""
    frame = con.execute(f"select {cols} from {relation} where {where}{sample}", params).df()
    frame.attrs.update(rows_total=total, judged=judged)
    return frame


def read_frames(
    warehouse_path: str,
    suite_names: list[str],
    max_rows: int = MAX_ROWS,
    landing: Path | None = None,
    run_date: date | None = None,
) -> dict[str, pd.DataFrame | str]:
    """Each suite's frame (read-only, one short connection); an error text when it cannot be read.

    A suite judges what tonight wrote (``_judged_rows``): an incremental fact's last build, a raw object's
    latest load, any other table whole. More than ``max_rows`` such rows are read as a repeatable random
    sample of about ``max_rows`` rows; ``frame.attrs["rows_total"]`` always holds their full count.
    ``landing`` (extract types for the volume suite) and ``run_date`` (freshness age) are only used by the
    ``sources.*`` suites.
    """
    import duckdb

    from expectations.sources import freshness_frame, volume_frame

    frames: dict[str, pd.DataFrame | str] = {}
    with duckdb.connect(warehouse_path, read_only=True, config=duckdb_config(warehouse_path)) as con:
        for name in suite_names:
            kind = SPEC_BY_NAME[name].kind if name in SPEC_BY_NAME else "table"
            try:
                if kind == "volume":
                    frames[name] = volume_frame(con, landing)
                elif kind == "freshness":
                    frames[name] = freshness_frame(con, run_date)
                else:
                    frames[name] = _table_frame(con, name, max_rows)
            except duckdb.Error as exc:
                frames[name] = f"cannot read {name} from {warehouse_path}: {exc}"
    return frames


def _failed(res: Any) -> list[dict[str, Any]]:
    return [
        {
            "expectation": r.expectation_type,
            "column": r.column,
            "severity": r.severity,
            "unexpected_count": r.unexpected_count,
            "unexpected_values": r.unexpected_values,
            **({"unexpected_rows": r.unexpected_index} if r.unexpected_index else {}),
            **({"error": r.error} if r.error else {}),
        }
        for r in res.failed
    ]


def _summary(failed: list[dict[str, Any]]) -> str:
    def one(f: dict[str, Any]) -> str:
        if "error" in f:
            return f"{f['severity']} {f['expectation']}({f['column']}): {f['error']}"
        example = f.get("unexpected_rows") or f["unexpected_values"]
        head = f"{f['severity']} {f['expectation']}({f['column']})"
        return f"{head}: {f['unexpected_count']} unexpected, e.g. {example[:3]}"

    return "; ".join(one(f) for f in failed)


def evaluate(suite_name: str, frame: pd.DataFrame | str) -> tuple[dg.AssetCheckResult, Any]:
    """Validate one frame: the ``AssetCheckResult`` with metadata and the ``SuiteResult`` (None: unread)."""
    from expectations.validate import validate_frame

    key = suite_check_key(suite_name)
    if isinstance(frame, str):
        result = dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=False,
            severity=dg.AssetCheckSeverity.ERROR,
            description=frame,
            metadata={"error": frame},
        )
        return result, None
    res = validate_frame(suite_name, frame)
    failed = _failed(res)
    rows_total = int(frame.attrs.get("rows_total", res.row_count))
    result = dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=res.success,
        description=f"{len(failed)} of {len(res.results)} expectations failed: {_summary(failed)}"
        if failed
        else f"all {len(res.results)} expectations passed",
        severity=dg.AssetCheckSeverity.ERROR if res.critical_failed else dg.AssetCheckSeverity.WARN,
        metadata={
            "suite": suite_name,
            "rows": res.row_count,
            "rows_total": rows_total,
            "judged": str(frame.attrs.get("judged", "every row")),
            "sampled": rows_total > res.row_count,
            "expectations_evaluated": len(res.results),
            "expectations_failed": len(failed),
            "critical_failed": len(res.critical_failed),
            "unexpected_rows": sum(f["unexpected_count"] or 0 for f in failed),
            "failed": dg.MetadataValue.json(failed),
        },
    )
    return result, res


def check_result(suite_name: str, frame: pd.DataFrame | str) -> dg.AssetCheckResult:
    """Validate one frame and turn the suite result into an ``AssetCheckResult`` with metadata."""
    return evaluate(suite_name, frame)[0]


def store_and_publish(
    warehouse_path: str, run_id: str, results: list[Any], docs_dir: Path | None = None
) -> tuple[int, Path]:
    """Append ``results`` to ``quality.gx_results`` in ``warehouse_path`` and render the GX Data Docs into
    ``docs_dir`` (default ``gx-data-docs/`` beside ``warehouse_path``)."""
    import duckdb

    from expectations.results import write_results
    from expectations.validate import publish_data_docs

    with duckdb.connect(warehouse_path, config=duckdb_config(warehouse_path)) as con:
        written = write_results(con, run_id, datetime.now(UTC).replace(tzinfo=None), results)
    index = publish_data_docs(docs_dir or Path(warehouse_path).resolve().parent / DATA_DOCS_DIR)
    return written, index


def _spec(name: str) -> dg.AssetCheckSpec:
    spec: SuiteSpec = SPEC_BY_NAME[name]
    key = suite_check_key(name)
    return dg.AssetCheckSpec(
        name=key.name,
        asset=key.asset_key,
        blocking=True,
        description=f"Great Expectations suite {name} (expectations/suites.py, {spec.kind}): CRITICAL "
        "failures -> ERROR, which blocks publishing; WARNING failures (defective source data) -> WARN, "
        "which does not.",
    )


def build_quality_checks(
    suite_names: list[str] | None = None, name: str = "gx_mart_expectations"
) -> dg.AssetChecksDefinition:
    """One step checking ``suite_names``; ``can_subset`` so a run that skips an asset skips its check."""
    names = suite_names or list(SUITE_NAMES)

    @dg.multi_asset_check(specs=[_spec(n) for n in names], name=name, can_subset=True)
    def _gx_checks(
        context: AssetCheckExecutionContext, warehouse: WarehouseResource, landing: LandingResource
    ) -> Iterator[dg.AssetCheckResult]:
        selected = set(context.selected_asset_check_keys)
        todo = [n for n in names if suite_check_key(n) in selected]
        results = []
        for suite in todo:  # one table in memory at a time; the connection is closed before GX runs
            frame = read_frames(warehouse.database, [suite], landing=landing.root)[suite]
            result, suite_result = evaluate(suite, frame)
            log = context.log.info if result.passed else context.log.warning
            log(f"{suite}: {result.description}")
            if suite_result is not None:
                results.append(suite_result)
            yield result
        if results:  # into the run's build; the Data Docs go beside the published warehouse
            docs = Path(warehouse.path).resolve().parent / DATA_DOCS_DIR
            written, index = store_and_publish(warehouse.database, context.run.run_id, results, docs)
            context.log.info(f"GX: {written} results appended to quality.gx_results; Data Docs at {index}")

    return _gx_checks


#: Two steps, because the checks are blocking: the source suites (raw objects, row volume, freshness) run
#: right after the raw loads and before dbt, the mart suites after dbt. One step checking both would sit
#: on both sides of dbt, and Dagster would split dbt into two runs of `dbt build` to break the cycle.
SOURCE_SUITES = [n for n in SUITE_NAMES if SPEC_BY_NAME[n].asset_key[0] != "marts"]
MART_SUITES = [n for n in SUITE_NAMES if SPEC_BY_NAME[n].asset_key[0] == "marts"]

quality_asset_checks: list[dg.AssetChecksDefinition] = [
    build_quality_checks(SOURCE_SUITES, "gx_source_expectations"),
    build_quality_checks(MART_SUITES, "gx_mart_expectations"),
]
