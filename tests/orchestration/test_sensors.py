"""The extract sensor, the configurable schedule and the run-failure summary.

- the sensor starts one run per new completion marker the warehouse has not loaded, never two for the same
  marker, forgets a marker once it is loaded, and ignores folders still waiting for their marker;
- the schedule's cron and timezone come from the environment, with a one-line error for a bad value;
- a failed run leaves ``<warehouse>.last_failure.txt`` naming the step, the error's first line, the run id
  and what to do, and the same text in the run's event log.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.load import load_landing
from ingestion.warehouse import ensure_bookkeeping
from orchestration.resources import LandingResource, WarehouseResource
from orchestration.sensors import (
    AutomationConfigError,
    build_extract_sensor,
    build_failure_sensor,
    build_nightly_schedule,
    extract_run_request,
    failure_file,
    schedule_settings,
)

sys.path.insert(0, str(Path(__file__).parents[1] / "ingestion"))
from landing_files import write_extract  # noqa: E402

USERS = "Id,Name,SystemModstamp\nu1,Bob,2026-11-18 01:00:00\n"
JOB = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())


def _tick(sensor: dg.SensorDefinition, landing: Path, warehouse: Path, cursor: str | None):
    """One evaluation of the sensor: (run requests, new cursor)."""
    resources = {
        "landing": LandingResource(path=str(landing)),
        "warehouse": WarehouseResource(path=str(warehouse)),
    }
    with dg.build_sensor_context(cursor=cursor, resources=resources) as context:
        data = sensor.evaluate_tick(context)
    return data.run_requests or [], data.cursor


def test_extract_sensor_starts_one_run_per_new_marker_and_forgets_loaded_ones(tmp_path: Path) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    write_extract(landing, "salesforce", "2026-11-18", {"user.csv": USERS})
    write_extract(landing, "salesforce", "2026-11-19", {"user.csv": USERS}, marker=False)  # still arriving
    sensor = build_extract_sensor(JOB)

    requests, cursor = _tick(sensor, landing, warehouse, None)
    assert len(requests) == 1
    assert requests[0].tags["throughline/extracts"] == "salesforce/2026-11-18"
    assert requests[0].tags["throughline/warehouse"] == str(warehouse)
    assert json.loads(cursor) == ["salesforce/2026-11-18"]

    again, cursor2 = _tick(sensor, landing, warehouse, cursor)
    assert again == [] and json.loads(cursor2) == ["salesforce/2026-11-18"], "one run per marker"

    write_extract(landing, "salesforce", "2026-11-19", {"user.csv": USERS})  # the marker lands last
    requests, cursor = _tick(sensor, landing, warehouse, cursor2)
    assert [r.tags["throughline/extracts"] for r in requests] == ["salesforce/2026-11-19"]
    assert requests[0].run_key != again and json.loads(cursor) == [
        "salesforce/2026-11-18",
        "salesforce/2026-11-19",
    ]

    with duckdb.connect(str(warehouse)) as con:  # the run loads both folders
        ensure_bookkeeping(con)
        load_landing(con, landing)
    requests, cursor = _tick(sensor, landing, warehouse, cursor)
    assert requests == [] and json.loads(cursor) == [], "loaded markers leave the cursor"
    # the warehouse is the truth: a fresh cursor (e.g. the sensor was reset) starts nothing for loaded folders
    assert _tick(sensor, landing, warehouse, None)[0] == []


def test_run_key_is_the_same_for_the_same_markers() -> None:
    first, _ = extract_run_request({"psa/2026-11-18", "netsuite/2026-11-18"}, set(), [])
    second, _ = extract_run_request({"netsuite/2026-11-18", "psa/2026-11-18"}, set(), [])
    assert first is not None and second is not None and first.run_key == second.run_key
    none, cursor = extract_run_request({"psa/2026-11-18"}, {"psa/2026-11-18"}, ["psa/2026-11-18"])
    assert none is None and cursor == []


def test_schedule_cron_and_timezone_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THROUGHLINE_SCHEDULE_CRON", raising=False)
    monkeypatch.delenv("THROUGHLINE_SCHEDULE_TIMEZONE", raising=False)
    monkeypatch.delenv("THROUGHLINE_SCHEDULE_ENABLED", raising=False)
    default = build_nightly_schedule(JOB)
    assert (default.name, default.cron_schedule, default.execution_timezone) == (
        "nightly_at_2am",
        "0 2 * * *",
        "UTC",
    )
    assert default.default_status == dg.DefaultScheduleStatus.STOPPED

    monkeypatch.setenv("THROUGHLINE_SCHEDULE_CRON", "30 5 * * 1-5")
    monkeypatch.setenv("THROUGHLINE_SCHEDULE_TIMEZONE", "Europe/London")
    monkeypatch.setenv("THROUGHLINE_SCHEDULE_ENABLED", "1")
    moved = build_nightly_schedule(JOB)
    assert (moved.cron_schedule, moved.execution_timezone) == ("30 5 * * 1-5", "Europe/London")
    assert moved.default_status == dg.DefaultScheduleStatus.RUNNING

    monkeypatch.setenv("THROUGHLINE_SCHEDULE_CRON", "every night")
    with pytest.raises(AutomationConfigError, match="THROUGHLINE_SCHEDULE_CRON='every night'"):
        schedule_settings()
    monkeypatch.setenv("THROUGHLINE_SCHEDULE_CRON", "0 2 * * *")
    monkeypatch.setenv("THROUGHLINE_SCHEDULE_TIMEZONE", "Mars/Olympus")
    with pytest.raises(AutomationConfigError, match="not an IANA timezone"):
        schedule_settings()
    monkeypatch.setenv("THROUGHLINE_EXTRACT_SENSOR_INTERVAL", "1m")
    with pytest.raises(AutomationConfigError, match="THROUGHLINE_EXTRACT_SENSOR_INTERVAL='1m'"):
        build_extract_sensor(JOB)


@dg.asset
def _sound() -> int:
    return 1


@dg.asset(deps=[_sound])
def _broken() -> None:
    raise OSError("IO Error: Could not set lock on file warehouse.duckdb\nsecond line of the trace")


def test_failure_sensor_writes_a_summary_next_to_the_warehouse_and_into_the_run_log(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    job = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())
    defs = dg.Definitions(assets=[_sound, _broken], jobs=[job])
    sensor = build_failure_sensor([job])
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("nightly").execute_in_process(
            instance=instance, raise_on_error=False, tags={"throughline/warehouse": str(warehouse)}
        )
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        with dg.build_run_status_sensor_context(
            sensor_name=sensor.name,
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=result.dagster_run,
            resources={"warehouse": WarehouseResource(path=str(tmp_path / "unused.duckdb"))},
        ) as context:
            sensor(context.for_run_failure())
        text = failure_file(warehouse).read_text()
        assert failure_file(warehouse).name == "warehouse.duckdb.last_failure.txt"
        assert result.run_id in text
        assert "step _broken: OSError: IO Error: Could not set lock on file warehouse.duckdb" in text
        assert "second line" not in text, "only the error's first line"
        assert "_sound" not in text, "a step that succeeded is not named"
        assert "What to do" in text and "rerun" in text
        logged = [
            r.dagster_event.message
            for r in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT)
        ]
        assert any(m and "Failure summary written to" in m and "step _broken" in m for m in logged)


def test_a_failed_cli_run_leaves_the_same_summary(tmp_path: Path) -> None:
    """`throughline run` executes in process (no daemon sees it): the CLI writes the summary itself."""
    from orchestration.instance import persistent_instance
    from throughline.cli import _record_failure

    warehouse = tmp_path / "warehouse.duckdb"
    job = dg.define_asset_job("nightly", selection=dg.AssetSelection.all())
    defs = dg.Definitions(assets=[_sound, _broken], jobs=[job])
    with persistent_instance() as instance:  # the test session's DAGSTER_HOME (conftest)
        failed = defs.resolve_job_def("nightly").execute_in_process(instance=instance, raise_on_error=False)
        passed = (
            dg.Definitions(assets=[_sound], jobs=[job])
            .resolve_job_def("nightly")
            .execute_in_process(instance=instance)
        )
    _record_failure(warehouse, passed.run_id)
    assert not failure_file(warehouse).exists(), "a run that succeeded leaves no failure summary"
    _record_failure(warehouse, failed.run_id)
    assert f"Throughline run {failed.run_id}" in failure_file(warehouse).read_text()


def test_a_bad_schedule_variable_stops_the_cli_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The code location would not load: `throughline run` says which variable, exit 2."""
    import orchestration.nightly
    from throughline.cli import main

    def load_definitions(*_args: object, **_kwargs: object) -> None:
        schedule_settings()  # what importing orchestration.definitions does first

    monkeypatch.setenv("THROUGHLINE_SCHEDULE_CRON", "at two")
    monkeypatch.setattr(orchestration.nightly, "run_nightly", load_definitions)
    landing = tmp_path / "landing"
    landing.mkdir()
    assert main(["run", "--landing", str(landing), "--warehouse", str(tmp_path / "w.duckdb")]) == 2
    assert capsys.readouterr().err.strip() == (
        "throughline run: THROUGHLINE_SCHEDULE_CRON='at two' is not a cron string; "
        "use five fields, e.g. '0 2 * * *'"
    )
