"""The one Dagster ``Definitions`` of Throughline: assets, checks, resources, the nightly job and schedule.

Extend by adding to ``ASSETS`` / ``ASSET_CHECKS`` / ``RESOURCES``. The executor is in-process because the
DuckDB warehouse accepts a single writer process.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import dbt_resource, throughline_dbt_assets
from orchestration.assets.quality import quality_asset_checks
from orchestration.assets.raw import raw_asset_checks, raw_assets
from orchestration.assets.recon_checks import recon_asset_checks
from orchestration.resources import LandingResource, WarehouseResource

ASSETS: list = [*raw_assets, throughline_dbt_assets]
ASSET_CHECKS: list = [*raw_asset_checks, *quality_asset_checks, *recon_asset_checks]
RESOURCES: dict = {"warehouse": WarehouseResource(), "landing": LandingResource(), "dbt": dbt_resource()}

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Load every complete extract not loaded yet, then build everything downstream.",
)
nightly_schedule = dg.ScheduleDefinition(
    name="nightly_at_2am", job=nightly_job, cron_schedule="0 2 * * *", execution_timezone="UTC"
)

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=ASSET_CHECKS,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    resources=RESOURCES,
    executor=dg.in_process_executor,
)
