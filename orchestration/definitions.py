"""The one Dagster ``Definitions`` of Throughline: assets, checks, resources, the nightly job and schedule.

Extend by adding to ``ASSETS`` / ``ASSET_CHECKS`` / ``RESOURCES``. The executor is in-process because the
DuckDB warehouse accepts a single writer process. Every run builds into its own file and only the
``warehouse/published`` asset, downstream of every other asset, switches it in (write-audit-publish:
``orchestration.prepare``, ``orchestration.publish``); a new asset is added to ``ASSETS`` *before* the
publish asset is built from them, so it is published too.
"""

from __future__ import annotations

import dagster as dg

from orchestration.assets.anomalies import anomaly_asset_checks, anomaly_assets
from orchestration.assets.dbt import dbt_resource, throughline_dbt_assets
from orchestration.assets.forecasts import forecast_statistical_monthly
from orchestration.assets.publish import build_publish_asset
from orchestration.assets.quality import quality_asset_checks
from orchestration.assets.raw import extract_file_specs, raw_assets
from orchestration.assets.recon_checks import recon_asset_checks
from orchestration.assets.report import build_report_asset
from orchestration.freshness import build_freshness_checks
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.sensors import build_extract_sensor, build_failure_sensor, build_nightly_schedule

#: The extract files in the landing folder: external assets upstream of raw (lineage only, never run).
EXTRACT_FILES: list = extract_file_specs
ASSETS: list = [*raw_assets, throughline_dbt_assets, forecast_statistical_monthly, *anomaly_assets]
publish_asset = build_publish_asset(key for a in ASSETS for key in a.keys)
ASSETS.append(publish_asset)
ASSETS.append(build_report_asset(key for a in ASSETS for key in a.keys))  # after publish: reads it
ASSET_CHECKS: list = [*quality_asset_checks, *recon_asset_checks, *anomaly_asset_checks]
ASSET_CHECKS.append(build_freshness_checks())  # dbt source freshness on every raw asset (freshness.py)
#: Every step of the nightly job retries a failure up to 3 times, 10 s then 20 s then 40 s later: a locked
#: warehouse file or a landing folder on a network share that blinks. Data problems never raise (they are
#: rejects and check results), and a dbt compile/model error raises ``Failure(allow_retries=False)``.
TRANSIENT_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL)
RESOURCES: dict = {"warehouse": WarehouseResource(), "landing": LandingResource(), "dbt": dbt_resource()}

nightly_job = dg.define_asset_job(
    "nightly",
    selection=dg.AssetSelection.all(),
    description="Load every complete extract not loaded yet, build everything downstream into this run's "
    "own copy of the warehouse, check it, and publish it unless a blocking check failed.",
    op_retry_policy=TRANSIENT_RETRY,
)
# Cron and timezone: THROUGHLINE_SCHEDULE_CRON / _TIMEZONE (orchestration/sensors.py, README "Scheduling").
nightly_schedule = build_nightly_schedule(nightly_job)
SENSORS: list = [build_extract_sensor(nightly_job), build_failure_sensor([nightly_job])]

defs = dg.Definitions(
    assets=[*EXTRACT_FILES, *ASSETS],
    asset_checks=ASSET_CHECKS,
    jobs=[nightly_job],
    schedules=[nightly_schedule],
    sensors=SENSORS,
    resources=RESOURCES,
    executor=dg.in_process_executor,
)
