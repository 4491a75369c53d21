"""Raw layer assets: one per contract object (``raw_<system>/<object>``) plus a landing audit.

Thin wrappers: the loading logic lives in ``ingestion`` (pure Python + DuckDB). Each asset loads every
complete, not-yet-loaded file of its object, and its ``rows_accounted_for`` check, evaluated in the same step,
re-counts them from the warehouse. The assets of one source system are one multi-asset (``raw_<system>``):
one Dagster step and one warehouse connection per system, not per object (docs/performance.md, item 16);
any subset of them can still be materialized on its own.

Upstream of each raw asset is its extract file, ``landing/<system>/<object>``: an external asset (Dagster
observes nothing and runs nothing for it; the source system writes it), so the UI's lineage starts where the
data does, at the files in ``<landing>/<system>/<YYYY-MM-DD>/``.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.contract import SourceObject, all_objects
from ingestion.landing import ExtractFolder, scan_landing
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


def _rows_check_result(tie_out: RowTieOut, obj: SourceObject) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=asset_key(obj),
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


def raw_asset_spec(obj: SourceObject) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=asset_key(obj),
        deps=[extract_file_key(obj)],
        group_name=obj.schema,
        kinds={"duckdb"},
        description=f"{obj.description}\n\nLanded as `{obj.file}`; primary key "
        f"({', '.join(obj.primary_key)}); history in `{obj.schema}.{obj.name}__history`.",
        metadata={"file": obj.file, "primary_key": list(obj.primary_key), "modified_at": obj.modified_at},
    )


def _load_one(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    root: Path,
    obj: SourceObject,
    folders: list[ExtractFolder],
) -> dg.MaterializeResult:
    """Load ``obj``'s new files and re-count them on the same connection: its result and its row check."""
    results = load_object(con, root, obj, context.run.run_id, folders)
    for r in results:
        warn = r.failed or r.rows_rejected or r.status in EMPTY_STATUSES
        log = context.log.warning if warn else context.log.info
        log(f"{r.file}: {r.status}, {r.rows_loaded} loaded, {r.rows_rejected} rejected. {r.message}")
    check = dg.AssetCheckKey(asset_key(obj), ROWS_CHECK)
    selected = check in context.selected_asset_check_keys
    checks = [_rows_check_result(tie_out_rows(con, obj), obj)] if selected else []
    return dg.MaterializeResult(asset_key=asset_key(obj), metadata=_metadata(results), check_results=checks)


def build_raw_system_asset(system: str, objs: list[SourceObject]) -> dg.AssetsDefinition:
    """The raw assets of one source system: one step and one connection load each selected object's new
    files, then re-count them (``rows_accounted_for``), object by object. A step per object cost a Dagster
    step, a warehouse connection and a landing scan each: 92 of them a night."""

    @dg.multi_asset(
        name=f"raw_{system}",
        specs=[raw_asset_spec(o) for o in objs],
        check_specs=[rows_check_spec(o) for o in objs],
        can_subset=True,
    )
    def _load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, landing: LandingResource
    ) -> Iterator[dg.MaterializeResult]:
        selected = [o for o in objs if asset_key(o) in context.selected_asset_keys]
        folders = scan_landing(landing.root)
        with warehouse.connect() as con:
            for obj in selected:
                yield _load_one(context, con, landing.root, obj, folders)
        pause_point("load")  # test hook: a run killed here has written part of the raw layer

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
RAW_SYSTEMS: dict[str, list[SourceObject]] = {}
for _obj in RAW_OBJECTS:
    RAW_SYSTEMS.setdefault(_obj.system, []).append(_obj)
raw_assets: list[dg.AssetsDefinition] = [
    landing_audit,
    *(build_raw_system_asset(system, objs) for system, objs in RAW_SYSTEMS.items()),
]
