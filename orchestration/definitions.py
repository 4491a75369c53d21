"""The one Dagster ``Definitions`` of Throughline: assets, checks, resources, the nightly job and schedule.

Extend by adding to ``ASSETS`` / ``ASSET_CHECKS`` / ``RESOURCES``. The executor is in-process because the
DuckDB warehouse accepts a single writer process. Every run builds into its own file and only the
``warehouse/published`` asset, downstream of every other asset, switches it in (write-audit-publish:
``orchestration.prepare``, ``orchestration.publish``); a new asset is added to ``ASSETS`` *before* the
publish asset is built from them, so it is published too.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.dbt import dbt_resource, throughline_dbt_assets
from orchestration.assets.publish import build_publish_asset
from orchestration.assets.quality import quality_asset_checks
from orchestration.assets.raw import raw_asset_checks, raw_assets
from orchestration.resources import LandingResource, WarehouseResource

ASSETS: list = [*raw_assets, throughline_dbt_assets]
publish_asset = build_publish_asset(key for a in ASSETS for key in a.keys)
ASSETS.append(publish_asset)
ASSET_CHECKS: list = [*raw_asset_checks, *quality_asset_checks]
RESOURCES: dict = {"warehouse": WarehouseResource(), "landing": LandingResource(), "dbt": dbt_resource()}

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Load every complete extract not loaded yet, build everything downstream into this run's "
    "own copy of the warehouse, check it, and publish it unless a blocking check failed.",
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
