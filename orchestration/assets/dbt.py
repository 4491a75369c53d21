"""Every dbt model and snapshot as a Dagster asset, every dbt test as an asset check.

Lineage: each dbt source carries ``meta.dagster.asset_key = [raw_<system>, <object>]`` (generated from the
contracts), so the raw ingestion assets are the parents of the staging models. Models are keyed
``[<schema>, <model>]`` (``staging/stg_psa__time_entries``, ``marts/fct_invoice_lines``) and grouped by
layer. ``dbt build`` runs in a subprocess against the warehouse file named by the WarehouseResource
(passed as ``THROUGHLINE_WAREHOUSE``: the run's build, see ``orchestration.resources``); the nightly job's
in-process executor guarantees no raw loader holds the DuckDB file while dbt writes it.
"""

import importlib.metadata
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, FreshnessPolicy
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)
from packaging import version

from orchestration.dbt_parse_state import (
    dbt_opens_build,
    keep_partial_parse,
    partial_parse_store,
    restore_partial_parse,
)
from orchestration.dbt_project import (
    DBT_PROJECT,
    SPARK_DIR_ENV,
    SPARK_RAW_ENV,
    dbt_env,
    dbt_executable,
    dbt_target,
    engine,
    ensure_manifest,
    parse_state_variant,
    spark_dir,
    venv_dbt,
)
from orchestration.duckdb_settings import MEMORY_LIMIT_ENV, child_limit_env
from orchestration.resources import WarehouseResource
from orchestration.run_lock import note_child
from orchestration.unchanged import (
    first_build_threads,
    project_fingerprint,
    record_build,
    unchanged_reason,
    unit_tests_due,
)

#: dbt folder under models/ (fqn[1]) -> Dagster group.
LAYER_GROUPS = {
    "staging": "dbt_staging",
    "intermediate": "dbt_intermediate",
    "marts": "dbt_marts",
    "kpis": "dbt_kpis",
    "reconciliation": "dbt_reconciliation",
    "anomalies": "dbt_anomalies",
    "semantic": "dbt_semantic",
}

#: Who answers for an asset, by dbt folder: the data team for the plumbing, finance ops for what it reads.
LAYER_OWNERS = {
    "kpis": "team:finance-ops",
    "reconciliation": "team:finance-ops",
    "anomalies": "team:finance-ops",
}
DEFAULT_OWNER = "team:data-engineering"
#: The nightly rebuilds every mart: finance-facing marts warn after a missed night and fail after two.
#: A rule on the folder, so a new mart under kpis/ or reconciliation/ inherits it.
MART_FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(hours=50), warn_window=timedelta(hours=26))
FRESHNESS_LAYERS = frozenset({"kpis", "reconciliation"})


def _layer(dbt_resource_props: Mapping[str, Any]) -> str:
    """The folder under models/ (``kpis`` for models/kpis/margin/x.sql), '' for other resources."""
    fqn = dbt_resource_props.get("fqn", [])
    return fqn[1] if len(fqn) > 2 else ""


class ThroughlineDbtTranslator(DagsterDbtTranslator):
    """Keys models by schema and name, groups them by layer; sources keep their meta asset key."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "snapshot", "seed"):
            schema = dbt_resource_props.get("config", {}).get("schema") or dbt_resource_props["schema"]
            return AssetKey([schema, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        resource_type = dbt_resource_props["resource_type"]
        if resource_type == "snapshot":
            return "dbt_snapshots"
        if resource_type in ("model", "seed"):
            return LAYER_GROUPS.get(_layer(dbt_resource_props), "dbt_other")
        return super().get_group_name(dbt_resource_props)

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        """Owners on every model and snapshot; a freshness policy on the KPI and reconciliation marts."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] not in ("model", "snapshot", "seed"):
            return spec
        layer = _layer(props)
        spec = spec.replace_attributes(owners=[LAYER_OWNERS.get(layer, DEFAULT_OWNER)])
        if layer in FRESHNESS_LAYERS:
            spec = spec.replace_attributes(freshness_policy=MART_FRESHNESS)
        return spec


TRANSLATOR = ThroughlineDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


class ThroughlineDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of each night's ``dbt build`` that buy us nothing.

    Before starting dbt, ``DbtCliResource.cli`` runs ``dbt --version`` in a subprocess (a Python start and
    dbt's imports) to learn the version, then builds a dbt adapter inside the Dagster process (dbt's config
    and adapter imports, the project and profile read again) for ``fetch_row_counts`` and
    ``fetch_column_metadata``, which this project does not call. The dbt we run is the venv's, so its
    version is the installed dbt-core's; and with no adapter, dagster-dbt streams events as it does for
    dbt Fusion (docs/performance.md, item 37). dagster-dbt is pinned: ``tests/dbt/test_dbt_dagster.py``
    checks both overrides against the versions installed.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        if Path(self.dbt_executable).resolve() == venv_dbt().resolve():
            return version.parse(importlib.metadata.version("dbt-core"))
        return DbtCliResource._cli_version.func(self)  # another dbt: ask it, as dagster-dbt does

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource() -> DbtCliResource:
    """The ``dbt`` resource the assets below need (profiles.yml lives in the project folder).

    Its target follows ``THROUGHLINE_ENGINE`` (``dev`` = DuckDB, ``spark``): one Definitions object, the
    same assets, checks and lineage, whichever engine builds the models.
    """
    return ThroughlineDbtCliResource(
        project_dir=DBT_PROJECT,
        profiles_dir=str(DBT_PROJECT.profiles_dir),
        dbt_executable=dbt_executable(),
        target=dbt_target(),
    )


#: dbt's level for its log file in the run's target folder (``none`` by default: the folder is removed).
DBT_FILE_LOG_ENV = "DBT_LOG_LEVEL_FILE"


@contextmanager
def _warehouse_env(warehouse: Path) -> Iterator[None]:
    """Point profiles.yml at the warehouse file for the dbt subprocess started inside the block, and give
    its DuckDB the night's memory limit less a reserve for this process (``duckdb_settings.child_limit``).

    dbt's own debug log file is off (``DBT_LOG_LEVEL_FILE=none`` unless set): dagster-dbt writes it into the
    run's target folder, which is removed when the step ends, so every SQL statement was written for nothing
    (docs/performance.md, item 48). dbt's events still stream into the Dagster run and the nightly run log."""
    keys = (
        "THROUGHLINE_WAREHOUSE",
        "PATH",
        "DBT_SEND_ANONYMOUS_USAGE_STATS",
        DBT_FILE_LOG_ENV,
        SPARK_DIR_ENV,
        SPARK_RAW_ENV,
        MEMORY_LIMIT_ENV,
    )
    saved = {k: os.environ.get(k) for k in keys}
    file_log = {DBT_FILE_LOG_ENV: os.environ.get(DBT_FILE_LOG_ENV) or "none"}
    os.environ.update({**dbt_env(warehouse), **child_limit_env(), **file_log})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


TARGET_DIR_PREFIX = "throughline_dbt-"
#: A per-run target folder older than this was left by a killed run (a night's build takes minutes).
STALE_TARGET_DIR_SECONDS = 24 * 3600


def _sweep_stale_target_dirs() -> None:
    """Remove per-run target folders that a killed run (no ``finally``) left in the temp folder."""
    cutoff = time.time() - STALE_TARGET_DIR_SECONDS
    for old in Path(tempfile.gettempdir()).glob(f"{TARGET_DIR_PREFIX}*"):
        try:
            if old.is_dir() and old.stat().st_mtime < cutoff:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            continue


@contextmanager
def dbt_target_dir(run_id: str) -> Iterator[Path]:
    """A per-run dbt target folder outside the repository, removed when the block ends.

    dagster-dbt would otherwise leave ``dbt_project/target/throughline_dbt-<run id>-…`` behind on every
    run. The run's artifacts (``run_results.json``, ``manifest.json``) are read inside the block; dbt's log
    of the run is streamed into the Dagster run (and the nightly run log) as it happens.
    """
    _sweep_stale_target_dirs()
    folder = Path(tempfile.mkdtemp(prefix=f"{TARGET_DIR_PREFIX}{run_id[:8]}-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@dbt_assets(
    manifest=ensure_manifest(),
    project=DBT_PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="throughline_dbt",
)
def throughline_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """``dbt build`` (models, snapshots and tests) for the selected subset of the project.

    Every data test is reported as an asset check. A failing ``warn`` test lets the run go on; a failing
    ``error`` test is a blocking check (dagster-dbt): dbt skips the models below it, the step fails after
    the build with the test's name, and the run does not publish. A model, snapshot or unit test (run when
    the project changed: ``unit_tests_due``) that errors is a code problem and fails the step too.
    """
    fingerprint = project_fingerprint()
    whole = set(context.selected_asset_keys) == set(context.assets_def.keys)  # not a subset from the UI
    reason = _unchanged(context, warehouse, fingerprint) if whole else None
    if reason:  # yields nothing: the checks, the publish and the report below are skipped by Dagster
        context.log.info(f"nothing new: {reason}; dbt build, checks and publish skipped")
        return
    with (
        dbt_opens_build(warehouse.published, Path(warehouse.database), context.log.info) as database,
        _warehouse_env(database),
        dbt_target_dir(context.run.run_id) as target,
    ):
        if (dbt.target or "dev") != dbt_target():  # a resource made before THROUGHLINE_ENGINE changed
            raise Failure(
                description=f"the dbt resource's target is {dbt.target!r} but THROUGHLINE_ENGINE={engine()} "
                f"needs {dbt_target()!r}: restart the process (or code location) after changing the engine",
                allow_retries=False,
            )
        context.log.info(
            f"dbt's DuckDB memory limit: {os.environ[MEMORY_LIMIT_ENV]} (the night's limit less a reserve "
            "for the Dagster process beside it)"
        )
        if engine() == "spark":  # inside the block: the Spark variables are restored with the others
            _hand_off_to_spark(context, warehouse)
        kept = partial_parse_store(warehouse.published, parse_state_variant())
        if restore_partial_parse(warehouse.published, target, kept):
            context.log.info("dbt parses what changed since this warehouse's last build (partial parsing)")
        invocation = dbt.cli(
            _build_args(context, warehouse, fingerprint),
            context=context,
            raise_on_error=False,
            target_path=target,
        )
        note_child(warehouse.published, invocation.process.pid)  # a killed run's dbt is stopped by the next
        yield from invocation.stream()
        keep_partial_parse(warehouse.published, target, kept)
        broken = _invocation_errors(invocation)
        if engine() == "spark" and not broken:  # later steps and analysts read DuckDB: bring the build back
            _hand_back_from_spark(context, warehouse, invocation, target)
    if whole and not broken:  # only a build of every model vouches for the whole project
        with warehouse.connect() as con:
            record_build(con, context.run.run_id, fingerprint)
    if broken:
        # A model that does not compile fails alike on every attempt: no retry (the job retries the others).
        raise Failure(description="dbt build errors:\n" + "\n".join(broken), allow_retries=False)


def _build_args(context: AssetExecutionContext, warehouse: WarehouseResource, fingerprint: str) -> list[str]:
    """``dbt build``, minus the unit tests when the project is the one last built here (unit_tests_due), with
    more threads on the warehouse's first build (first_build_threads)."""
    with warehouse.connect(read_only=True) as con:
        due = unit_tests_due(con, fingerprint)
        threads = first_build_threads(con)
    args = ["build"]
    if threads:
        context.log.info(
            f"the warehouse's first dbt build: {threads} dbt threads (THROUGHLINE_DBT_THREADS sets them)"
        )
        args += ["--threads", str(threads)]
    if due:
        return args
    context.log.info("dbt unit tests skipped: the dbt project is unchanged since this warehouse's last build")
    return [*args, "--exclude-resource-type", "unit_test"]


def _unchanged(context: AssetExecutionContext, warehouse: WarehouseResource, fingerprint: str) -> str | None:
    """Why this nightly need not run dbt (``orchestration.unchanged``), None when it must."""
    with warehouse.connect(read_only=True) as con:
        return unchanged_reason(con, context.run.run_id, fingerprint)


def _hand_off_to_spark(context: AssetExecutionContext, warehouse: WarehouseResource) -> None:
    """Spark engine: export the raw layer this run loaded to Parquet (ingestion.spark_handoff) before dbt.

    ``THROUGHLINE_SPARK_DIR`` (default ``<warehouse>.spark``) and ``THROUGHLINE_SPARK_RAW`` are set for
    the dbt subprocess: its Spark session opens that metastore and registers the raw tables on start.
    """
    from ingestion.spark_handoff import hand_off, raw_dir

    folder = spark_dir(warehouse.published)
    exported = hand_off(Path(warehouse.database), folder)
    os.environ[SPARK_DIR_ENV] = str(folder)
    os.environ[SPARK_RAW_ENV] = str(raw_dir(folder))
    context.log.info(f"exported {len(exported)} raw tables for Spark to {raw_dir(folder)}")


def _hand_back_from_spark(
    context: AssetExecutionContext, warehouse: WarehouseResource, invocation: DbtCliInvocation, target: Path
) -> None:
    """Spark engine: copy every table dbt built on Spark into the run's DuckDB build and build its views
    and lifecycle histories there on DuckDB (orchestration.spark_handback), so the checks, Python assets,
    report and publish after dbt read the Spark build. Fails the step (no retry, no publish) when the copy
    fails."""
    from orchestration.spark_handback import hand_back

    started = time.monotonic()
    try:
        copied, on_duckdb = hand_back(
            Path(warehouse.database),
            spark_dir(warehouse.published),
            invocation.get_artifact("manifest.json"),
            invocation.get_artifact("run_results.json"),
            target / "duckdb_views",
        )
    except (OSError, RuntimeError, duckdb.Error) as exc:
        raise Failure(
            description=f"copying the Spark build into DuckDB failed: {exc}", allow_retries=False
        ) from exc
    context.log.info(
        f"copied {len(copied)} tables ({sum(t.rows for t in copied)} rows) from Spark and built "
        f"{len(on_duckdb)} views and histories on DuckDB ({' '.join(on_duckdb)}) "
        f"in {time.monotonic() - started:.1f}s"
    )


def _invocation_errors(invocation: DbtCliInvocation) -> list[str]:
    """What went wrong in the dbt build, as lines an operator can act on.

    When dbt stops before running any node (profile, connection or project error) it writes no
    ``run_results.json``: the errors dbt logged are then the message, not a ``FileNotFoundError`` for the
    missing artifact."""
    try:
        run_results = invocation.get_artifact("run_results.json")
    except FileNotFoundError:
        # dagster-dbt keeps dbt's error-level log lines here (no public accessor; get_error() wraps them).
        logged = [
            " ".join(str(m).split())
            for m in getattr(invocation, "_error_messages", [])
            if not str(m).startswith("Traceback")  # dbt logs its stack trace as an error line too
        ]
        code = invocation.process.wait()
        return [
            f"dbt stopped before building anything (exit {code}): "
            + (" | ".join(logged) or "see the run log")
        ]
    return build_errors(run_results)


def build_errors(run_results: Mapping[str, Any]) -> list[str]:
    """Nodes other than data tests that errored, as ``unique_id: message`` lines."""
    return [
        f"{r['unique_id']}: {(r.get('message') or '').strip()}"
        for r in run_results.get("results", [])
        if r.get("status") in ("error", "runtime error", "fail") and not r["unique_id"].startswith("test.")
    ]
