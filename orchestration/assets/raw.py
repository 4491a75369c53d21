"""Raw layer assets: one per contract object (``raw_<system>/<object>``) plus a landing audit.

Thin wrappers: the loading logic lives in ``ingestion`` (pure Python + DuckDB). Each asset loads every
complete, not-yet-loaded file of its object, and its ``rows_accounted_for`` check, evaluated in the same step,
re-counts them from the warehouse.

Upstream of each raw asset is its extract file, ``landing/<system>/<object>``: an external asset (Dagster
observes nothing and runs nothing for it; the source system writes it), so the UI's lineage starts where the
data does, at the files in ``<landing>/<system>/<YYYY-MM-DD>/``.
"""

from collections.abc import Iterator

import dagster as dg

from ingestion.contract import SourceObject, all_objects
from ingestion.load import EMPTY_STATUSES, FileResult, audit_landing, load_object
from ingestion.row_tieout import RowTieOut, tie_out_rows
from orchestration.publish import pause_point
from orchestration.resources import LandingResource, WarehouseResource

AUDIT_KEY = dg.AssetKey(["raw", "landing_audit"])


def asset_key(obj: SourceObject) -> dg.AssetKey:
    return dg.AssetKey([obj.schema, obj.name])


def extract_file_key(obj: SourceObject) -> dg.AssetKey:
    return dg.AssetKey(["landing", obj.system, obj.name])


def extract_file_spec(obj: SourceObject) -> dg.AssetSpec:
    """The extract file of ``obj`` as an external asset: written by the source system, never by a run."""
    return dg.AssetSpec(
        key=extract_file_key(obj),
        group_name=f"landing_{obj.system}",
        kinds={obj.format},
        description=f"`{obj.file}` in each extract folder `<landing>/{obj.system}/<YYYY-MM-DD>/`, written by "
        f"{obj.system}'s export; a folder is complete when its `_SUCCESS.json` marker is there. Loaded into "
        f"`{obj.schema}.{obj.name}`.",
        metadata={"file": obj.file, "system": obj.system, "format": obj.format},
    )


def _metadata(results: list[FileResult]) -> dict[str, dg.MetadataValue | int | str | list]:
    drift = sorted({c for r in results for c in r.drift_columns})
    return {
        "rows_read": sum(r.rows_read for r in results),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_rejected": sum(r.rows_rejected for r in results),
        "drift_columns": dg.MetadataValue.json(drift),
        "files": dg.MetadataValue.json(
            [
                {
                    "file": r.file,
                    "status": r.status,
                    "rows_loaded": r.rows_loaded,
                    "rows_rejected": r.rows_rejected,
                    "message": r.message,
                }
                for r in results
            ]
        ),
        "failed_files": dg.MetadataValue.json([r.file for r in results if r.failed]),
    }


#: The row tie-out of every raw asset, evaluated in the asset's own step on the connection that loaded it.
ROWS_CHECK = "rows_accounted_for"


def rows_check_spec(obj: SourceObject) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        ROWS_CHECK,
        asset=asset_key(obj),
        blocking=False,
        description="For every file of the latest load: rows read = rows loaded + rows rejected (re-counted "
        "in the history table and raw.rejects); fails when a file was rejected whole, refused or missing.",
    )


def _rows_check_result(tie_out: RowTieOut) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=ROWS_CHECK,
        passed=tie_out.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=tie_out.description,
        metadata={
            "load_id": tie_out.load_id or "",
            "files_checked": tie_out.files_checked,
            "problems": dg.MetadataValue.json(tie_out.problems),
        },
    )


def build_raw_asset(obj: SourceObject) -> dg.AssetsDefinition:
    """The raw asset of ``obj``: load its new files, then re-count them (``rows_accounted_for``) in the same
    step and connection. One step per object, not two: half the Dagster steps and build connections of a
    night's raw stage (docs/performance.md, item 12)."""
    key = asset_key(obj)

    @dg.asset(
        key=key,
        deps=[extract_file_key(obj)],
        group_name=obj.schema,
        kinds={"duckdb"},
        description=f"{obj.description}\n\nLanded as `{obj.file}`; primary key "
        f"({', '.join(obj.primary_key)}); history in `{obj.schema}.{obj.name}__history`.",
        metadata={"file": obj.file, "primary_key": list(obj.primary_key), "modified_at": obj.modified_at},
        check_specs=[rows_check_spec(obj)],
    )
    def _load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource
    ) -> dg.MaterializeResult:
        with warehouse.connect() as con:
            results = load_object(con, landing.root, obj, context.run.run_id)
            tie_out = tie_out_rows(con, obj)
        pause_point("load")  # test hook: a run killed here has written part of the raw layer
        for r in results:
            warn = r.failed or r.rows_rejected or r.status in EMPTY_STATUSES
            log = context.log.warning if warn else context.log.info
            log(f"{r.file}: {r.status}, {r.rows_loaded} loaded, {r.rows_rejected} rejected. {r.message}")
        return dg.MaterializeResult(metadata=_metadata(results), check_results=[_rows_check_result(tie_out)])

    return _load


@dg.asset(
    key=AUDIT_KEY,
    group_name="raw",
    kinds={"duckdb"},
    description="Scan of the landing folder: extract folders still waiting for their completion marker, "
    "files with no contract, file names that try to leave the landing folder (all logged in raw.load_log).",
    check_specs=[
        dg.AssetCheckSpec(
            "landing_clean",
            asset=AUDIT_KEY,
            description="no unknown files, refused names or unreadable folders",
        )
    ],
)
def landing_audit(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource
) -> Iterator[dg.MaterializeResult]:
    with warehouse.connect() as con:
        results = audit_landing(con, landing.root, context.run.run_id)
    waiting = [r.file for r in results if r.status == "waiting"]
    problems = [f"{r.file}: {r.message}" for r in results if r.status != "waiting"]
    for line in problems:
        context.log.warning(line)
    yield dg.MaterializeResult(
        metadata={
            "waiting_folders": dg.MetadataValue.json(waiting),
            "problems": dg.MetadataValue.json(problems),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name="landing_clean",
                passed=not problems,
                severity=dg.AssetCheckSeverity.WARN,
                description="; ".join(problems) or "nothing unexpected in the landing folder",
            )
        ],
    )


RAW_OBJECTS: list[SourceObject] = all_objects()
#: The extract files, upstream of the raw assets (external: not part of any job, not published).
extract_file_specs: list[dg.AssetSpec] = [extract_file_spec(o) for o in RAW_OBJECTS]
raw_assets: list[dg.AssetsDefinition] = [landing_audit, *(build_raw_asset(o) for o in RAW_OBJECTS)]
