"""Step 2 of ``throughline run``, execute: the ``nightly`` Dagster job, in process, on the persistent home.

The job is the same one the schedule, the sensors and the UI launch: its warehouse resource prepares the
run's build (step 1, ``orchestration.prepare``) and its last asset publishes it (step 3,
``orchestration.publish``). Here we only choose the landing folder and the warehouse, send dbt's event
stream to the run log, and record the run in the Dagster home the UI reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from orchestration.instance import persistent_instance
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.run_log import RUN_CONFIG, captured_run_output


def run_log_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".nightly.log")


#: What a restricted run builds: asset keys (their checks come with them), or any Dagster selection, e.g.
#: every asset less some asset checks (dagster-dbt then runs only the dbt tests still selected).
Selection = Sequence[dg.AssetKey] | dg.AssetSelection


def nightly_definitions(
    landing: Path, warehouse: Path, asset_selection: Selection | None = None
) -> dg.Definitions:
    """``orchestration.definitions`` pointed at ``landing`` and ``warehouse``.

    ``asset_selection`` restricts the run (e.g. to the raw layer); the publish asset is always added, so a
    restricted run publishes through the same step.
    """
    from orchestration import definitions
    from orchestration.assets.dbt import dbt_resource
    from orchestration.assets.publish import PUBLISH_KEY

    job = definitions.nightly_job
    if asset_selection is not None:
        chosen = (
            asset_selection
            if isinstance(asset_selection, dg.AssetSelection)
            else dg.AssetSelection.assets(*asset_selection)
        )
        job = dg.define_asset_job("nightly", selection=chosen | dg.AssetSelection.assets(PUBLISH_KEY))
    return dg.Definitions(
        assets=[*definitions.EXTRACT_FILES, *definitions.ASSETS],
        asset_checks=definitions.ASSET_CHECKS,
        jobs=[job],
        resources={
            **definitions.RESOURCES,
            "dbt": dbt_resource(),  # THROUGHLINE_ENGINE as it is now, not when definitions was imported
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingResource(path=str(landing)),
        },
        executor=dg.in_process_executor,
    )


def execute_nightly(
    landing: Path,
    warehouse: Path,
    asset_selection: Selection | None,
    echo: bool,
    run_id: str | None = None,
) -> dg.ExecuteInProcessResult:
    """Run the job; the full Dagster and dbt log goes to ``run_log_path(warehouse)``, stages and progress
    to the terminal (``orchestration.run_log``)."""
    run_defs = nightly_definitions(landing, warehouse, asset_selection)
    with captured_run_output(run_log_path(warehouse), echo), persistent_instance() as instance:
        return run_defs.resolve_job_def("nightly").execute_in_process(
            instance=instance, run_id=run_id, raise_on_error=False, run_config=RUN_CONFIG
        )
