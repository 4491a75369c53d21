"""The ``publish`` asset: the last step of every run that includes it, the only writer of the published file.

It depends on every other asset, so Dagster runs it after the whole build, and skips it when a blocking
check failed upstream (``orchestration.publish`` says which checks block). Its ``dagster/priority`` is the
lowest, so the in-process executor also runs every non-blocking check before it: all of them read the
build, which no longer exists under its name once published. A run that leaves ``publish`` out of its
selection (a subset launched from the UI) is a dry run: it builds and checks, and publishes nothing.

Its ``analysts_can_read`` check re-opens what analysts now open: the published file, read-only, is a DuckDB
database with tables, and is the rollback point just recorded (so ``throughline rollback`` can come back to
it). ERROR but not blocking: nothing but the report comes after it, and a failure fails the night (exit 1).
"""

import os
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.publish import blocking_failures, publish_build, run_check_evaluations
from orchestration.resources import WarehouseResource

PUBLISH_KEY = dg.AssetKey(["warehouse", "published"])
#: Lower than any other step: among the steps ready to run, the in-process executor picks it last.
LAST = "-1000"


CHECK_NAME = "analysts_can_read"


def _same_file(a: Path, b: Path) -> bool:
    """One file under two names (a hard link), or its copy (``shutil.copy2`` keeps size and mtime)."""
    if os.path.samefile(a, b):
        return True
    sa, sb = a.stat(), b.stat()
    return (sa.st_size, sa.st_mtime_ns) == (sb.st_size, sb.st_mtime_ns)


def published_check(published: Path, entry: Path) -> dg.AssetCheckResult:
    """``analysts_can_read``: ``published`` opens read-only, has tables, is the rollback point ``entry``."""
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            row = con.execute("select count(*) from duckdb_tables()").fetchone()
        tables = int(row[0]) if row else 0
    except (duckdb.Error, OSError) as exc:
        first = (str(exc).splitlines() or [""])[0]
        problem, tables = f"does not open read-only ({type(exc).__name__}: {first})", 0
    else:
        problem = "" if tables else "opens but holds no table"
    if not problem and not (entry.exists() and _same_file(published, entry)):
        problem = f"is not the rollback point {entry} just recorded"
    return dg.AssetCheckResult(
        check_name=CHECK_NAME,
        passed=not problem,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"the published warehouse {published} {problem}"
        if problem
        else f"{published} opens read-only with {tables} tables; rollback point {entry.stem}",
        metadata={"tables": tables, "rollback_point": entry.stem},
    )


def build_publish_asset(upstream: Iterable[dg.AssetKey]) -> dg.AssetsDefinition:
    """``warehouse/published``, downstream of every key in ``upstream``."""

    @dg.asset(
        key=PUBLISH_KEY,
        deps=sorted(set(upstream), key=lambda k: k.to_user_string()),
        group_name="publish",
        kinds={"duckdb"},
        op_tags={"dagster/priority": LAST},
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=PUBLISH_KEY,
                description="the published file opens read-only with tables and is the rollback point "
                "this run recorded",
            )
        ],
        description="The warehouse analysts read: the run's build, switched in by an atomic rename once "
        "every asset is built and no blocking check failed. The last N published builds are kept "
        "(`throughline rollback`).",
    )
    def publish(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        blocked = blocking_failures(run_check_evaluations(context.instance, context.run.run_id))
        if blocked:
            raise dg.Failure(
                description=f"not published, blocking check(s) failed: {', '.join(blocked)}; the last "
                f"published warehouse is unchanged, the blocked build is kept at {warehouse.database}",
                metadata={"blocked_by": dg.MetadataValue.json(blocked)},
                allow_retries=False,  # a failed check fails again: no retry (definitions.TRANSIENT_RETRY)
            )
        if warehouse.database == str(warehouse.published):
            raise dg.Failure(
                description="publish ran outside a Dagster run: there is no build to publish",
                allow_retries=False,
            )
        done = publish_build(
            warehouse.published, Path(warehouse.database), context.run.run_id, warehouse.keep_builds
        )
        context.log.info(f"published {warehouse.published} (rollback point {done.entry.name})")
        return dg.MaterializeResult(
            metadata={
                "warehouse": dg.MetadataValue.path(str(warehouse.published)),
                "rollback_point": done.entry.stem,
                "pruned": dg.MetadataValue.json([p.stem for p in done.pruned]),
                "keep_builds": warehouse.keep_builds,
            },
            check_results=[published_check(warehouse.published, done.entry)],
        )

    return publish
