"""What starts a nightly run without an operator, and what is left behind when one fails.

- ``nightly_schedule``: the nightly job on a cron (``THROUGHLINE_SCHEDULE_CRON``, default ``0 2 * * *``) in a
  timezone (``THROUGHLINE_SCHEDULE_TIMEZONE``, default ``UTC``). Off until switched on in the UI, or on from
  the start with ``THROUGHLINE_SCHEDULE_ENABLED=1``.
- ``extract_sensor``: starts the nightly job when a ``<landing>/<system>/<date>/_SUCCESS.json`` appears that
  the published warehouse has not loaded yet (off by default, ``THROUGHLINE_EXTRACT_SENSOR_ENABLED=1``).
- ``failure_summary_sensor``: when a run of the nightly job fails, writes ``<warehouse>.last_failure.txt``
  (which step, the error's first line, the run id, what to do) and the same text into the run's log.

Schedules and sensors only tick while the Dagster daemon runs: ``throughline ui`` (``dagster dev``) starts
one beside the webserver; ``dagster-daemon run`` with the same ``DAGSTER_HOME`` runs it alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import duckdb
from dagster._utils.schedules import is_valid_cron_string

from ingestion.landing import scan_landing
from orchestration.freshness import has_table
from orchestration.resources import LandingResource, WarehouseResource

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "UTC"
#: Seconds between two looks at the landing folder (``THROUGHLINE_EXTRACT_SENSOR_INTERVAL``).
DEFAULT_SENSOR_INTERVAL = 60
#: A run started by the sensor or the schedule is tagged with the warehouse it publishes to.
WAREHOUSE_TAG = "throughline/warehouse"
TRIGGER_TAG = "throughline/trigger"
FAILURE_SUFFIX = ".last_failure.txt"


class AutomationConfigError(ValueError):
    """An environment variable that configures the schedule or a sensor has an unusable value."""


def _enabled(var: str) -> bool:
    return os.environ.get(var, "").strip().lower() in ("1", "true", "yes", "on")


def schedule_settings() -> tuple[str, str]:
    """The nightly schedule's cron and timezone from the environment, validated with a one-line error."""
    cron = os.environ.get("THROUGHLINE_SCHEDULE_CRON", "").strip() or DEFAULT_CRON
    tz = os.environ.get("THROUGHLINE_SCHEDULE_TIMEZONE", "").strip() or DEFAULT_TIMEZONE
    if not is_valid_cron_string(cron):
        raise AutomationConfigError(
            f"THROUGHLINE_SCHEDULE_CRON={cron!r} is not a cron string; use five fields, e.g. '0 2 * * *'"
        )
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise AutomationConfigError(
            f"THROUGHLINE_SCHEDULE_TIMEZONE={tz!r} is not an IANA timezone; use e.g. 'Europe/London' or 'UTC'"
        ) from None
    return cron, tz


def build_nightly_schedule(job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """The nightly schedule of ``job`` with the cron, timezone and default status from the environment."""
    cron, tz = schedule_settings()
    return dg.ScheduleDefinition(
        name="nightly_at_2am" if cron == DEFAULT_CRON else "nightly_schedule",
        job=job,
        cron_schedule=cron,
        execution_timezone=tz,
        tags={TRIGGER_TAG: "schedule"},
        description=f"Nightly run at '{cron}' ({tz}); set THROUGHLINE_SCHEDULE_CRON / _TIMEZONE to move it.",
        default_status=dg.DefaultScheduleStatus.RUNNING
        if _enabled("THROUGHLINE_SCHEDULE_ENABLED")
        else dg.DefaultScheduleStatus.STOPPED,
    )


# --- the extract sensor ------------------------------------------------------------------------------


def completed_extracts(landing: Path) -> set[str]:
    """``system/YYYY-MM-DD`` of every extract folder whose completion marker is in place and readable."""
    return {f"{f.system}/{f.name}" for f in scan_landing(landing) if f.complete}


def loaded_extracts(warehouse: Path) -> set[str]:
    """``system/YYYY-MM-DD`` of every extract folder the warehouse has a load-log entry for (read-only)."""
    if not warehouse.exists():
        return set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        if not has_table(con, "raw", "load_log"):
            return set()
        rows = con.execute(
            "select distinct system, strftime(extract_date, '%Y-%m-%d') from raw.load_log "
            "where object is not null and extract_date is not null"
        ).fetchall()
    return {f"{s}/{d}" for s, d in rows}


def extract_run_request(
    completed: set[str], loaded: set[str], cursor: Iterable[str], tags: dict[str, str] | None = None
) -> tuple[dg.RunRequest | None, list[str]]:
    """The run to start (None when nothing new) and the new cursor.

    The cursor holds the markers a run was already requested for and the warehouse has not loaded yet, so
    a marker starts one run, not one per tick; once loaded it leaves the cursor (which stays small). The
    run key is derived from the markers, so Dagster also refuses a second run for the same set.
    """
    requested = set(cursor) - loaded
    new = sorted(completed - loaded - requested)
    if not new:
        return None, sorted(requested)
    key = hashlib.sha256("\n".join(new).encode()).hexdigest()[:16]
    request = dg.RunRequest(
        run_key=f"extracts-{key}",
        tags={TRIGGER_TAG: "extract_sensor", "throughline/extracts": ",".join(new)[:200], **(tags or {})},
    )
    return request, sorted(requested | set(new))


def build_extract_sensor(job: dg.UnresolvedAssetJobDefinition) -> dg.SensorDefinition:
    """A sensor on completion markers in the landing folder that starts ``job`` for new extracts."""
    raw = os.environ.get("THROUGHLINE_EXTRACT_SENSOR_INTERVAL", "").strip() or str(DEFAULT_SENSOR_INTERVAL)
    if not raw.isdigit() or int(raw) < 1:
        raise AutomationConfigError(
            f"THROUGHLINE_EXTRACT_SENSOR_INTERVAL={raw!r} is not a number of seconds >= 1, e.g. 60"
        )
    interval = int(raw)

    @dg.sensor(
        name="extract_sensor",
        job=job,
        minimum_interval_seconds=interval,
        default_status=dg.DefaultSensorStatus.RUNNING
        if _enabled("THROUGHLINE_EXTRACT_SENSOR_ENABLED")
        else dg.DefaultSensorStatus.STOPPED,
        description="Starts the nightly run when an extract folder's _SUCCESS.json appears that the "
        "warehouse has not loaded yet.",
    )
    def extract_sensor(
        context: dg.SensorEvaluationContext, landing: LandingResource, warehouse: WarehouseResource
    ) -> dg.SensorResult | dg.SkipReason:
        try:
            loaded = loaded_extracts(Path(warehouse.path))
        except duckdb.Error as exc:  # a publish holds the file for a moment: look again next tick
            return dg.SkipReason(
                f"warehouse {warehouse.path} is busy ({type(exc).__name__}); retry next tick"
            )
        cursor = json.loads(context.cursor) if context.cursor else []
        request, new_cursor = extract_run_request(
            completed_extracts(landing.root), loaded, cursor, tags={WAREHOUSE_TAG: str(warehouse.path)}
        )
        if request is None:
            context.update_cursor(json.dumps(new_cursor))
            return dg.SkipReason(f"no new completed extract in {landing.root}")
        return dg.SensorResult(run_requests=[request], cursor=json.dumps(new_cursor))

    return extract_sensor


# --- the failure summary -----------------------------------------------------------------------------


def _first_line(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[0] if lines else "(no message)"


def error_line(error: object) -> str:
    """First line of the error a step raised, looking through Dagster's wrapper to the user's exception."""
    while getattr(error, "cause", None) is not None and str(getattr(error, "cls_name", "")).startswith(
        "DagsterExecution"
    ):
        error = error.cause  # type: ignore[attr-defined]
    return _first_line(getattr(error, "message", None))


def failure_summary(instance: dg.DagsterInstance, run: dg.DagsterRun) -> str:
    """A plain-text account of a failed run: failed steps with their error, blocking checks, what to do."""
    steps, checks = [], []
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None:
            continue
        if event.is_step_failure:
            steps.append(f"  - step {event.step_key}: {error_line(event.step_failure_data.error)}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            if not ev.passed and ev.severity == dg.AssetCheckSeverity.ERROR:
                desc = _first_line(ev.description)
                checks.append(f"  - check {ev.asset_key.to_user_string()}:{ev.check_name}: {desc}")
        elif event.event_type == dg.DagsterEventType.RUN_FAILURE and not steps:
            steps.append(f"  - run: {_first_line(event.message)}")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    lines = [
        f"Throughline run {run.run_id} of job '{run.job_name}' FAILED (summary written {stamp}).",
        "Failed steps:",
        *(steps or ["  - (no step failed: the run failed before or between steps; see its log)"]),
    ]
    if checks:
        lines += ["Failed ERROR checks:", *checks]
    lines += [
        "What to do:",
        "  1. Only a run that succeeds publishes the warehouse: analysts still see the last good build.",
        f"  2. Read the failed step's log: `throughline ui`, Runs, run {run.run_id[:8]}"
        " (or the run's .nightly.log next to the warehouse).",
        "  3. Fix the cause (a locked or missing file and a full disk are transient: just rerun), then rerun",
        "     `throughline run` or launch the job again from the UI.",
    ]
    return "\n".join(lines) + "\n"


def failure_file(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + FAILURE_SUFFIX)


def write_failure_summary(instance: dg.DagsterInstance, run: dg.DagsterRun, warehouse: Path) -> Path:
    """Write :func:`failure_summary` next to the warehouse and into the run's own event log."""
    text = failure_summary(instance, run)
    path = failure_file(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    instance.report_engine_event(f"Failure summary written to {path}:\n{text}", dagster_run=run)
    return path


def build_failure_sensor(jobs: list[dg.UnresolvedAssetJobDefinition]) -> dg.SensorDefinition:
    """The run-failure sensor writing the failure summary of a failed run of ``jobs``."""

    @dg.run_failure_sensor(
        name="failure_summary_sensor",
        monitored_jobs=jobs,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description=f"Writes <warehouse>{FAILURE_SUFFIX} (failed step, error, run id, what to do) and logs "
        "it in the failed run.",
    )
    def failure_summary_sensor(context: dg.RunFailureSensorContext, warehouse: WarehouseResource) -> None:
        run = context.dagster_run
        target = Path(run.tags.get(WAREHOUSE_TAG) or warehouse.path)
        path = write_failure_summary(context.instance, run, target)
        context.log.info(f"failure summary of run {run.run_id} written to {path}")

    return failure_summary_sensor
