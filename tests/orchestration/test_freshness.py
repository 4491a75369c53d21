"""Source freshness: the dbt sources' thresholds, evaluated on what arrived (raw.load_log), as checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.warehouse import ensure_bookkeeping
from orchestration.freshness import (
    SourceThresholds,
    build_freshness_checks,
    by_system,
    evaluate,
    load_thresholds,
    source_thresholds,
)
from orchestration.resources import WarehouseResource

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
WARN, ERROR = timedelta(hours=36), timedelta(hours=84)


def _source(system: str, table: str) -> SourceThresholds:
    return SourceThresholds(system, table, dg.AssetKey([f"raw_{system}", table]), WARN, ERROR)


SOURCES = [
    _source("psa", "clients"),
    _source("psa", "projects"),
    _source("psa", "roles"),
    _source("psa", "x"),
]


def _log(con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, date, datetime]]) -> None:
    ensure_bookkeeping(con)
    for system, obj, status, extract_date, finished in rows:
        con.execute(
            "insert into raw.load_log (load_id, system, object, extract_date, file, status, finished_at) "
            "values ('l', ?, ?, ?, ?, ?, ?)",
            [
                system,
                obj,
                extract_date,
                f"{system}/{extract_date}/{obj}",
                status,
                finished.replace(tzinfo=None),
            ],
        )


def _warehouse(tmp_path: Path, now: datetime = NOW) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        _log(
            con,
            [
                # clients: 10 h old -> fresh; the older file does not count
                ("psa", "clients", "loaded", date(2026, 11, 19), now - timedelta(hours=10)),
                ("psa", "clients", "loaded", date(2026, 11, 17), now - timedelta(hours=60)),
                # projects: last good file 40 h ago (warn); the newer one was rejected whole: not an arrival
                ("psa", "projects", "loaded_with_rejects", date(2026, 11, 18), now - timedelta(hours=40)),
                ("psa", "projects", "rejected", date(2026, 11, 19), now - timedelta(hours=2)),
                # roles: an empty delta 90 h ago is an arrival, but 90 h is past the error threshold
                ("psa", "roles", "empty", date(2026, 11, 16), now - timedelta(hours=90)),
            ],
        )
    return path


def test_thresholds_come_from_the_dbt_sources() -> None:
    sources = load_thresholds()
    users = next(s for s in sources if (s.system, s.table) == ("salesforce", "user"))
    assert users.asset_key == dg.AssetKey(["raw_salesforce", "user"])
    assert (users.warn_after, users.error_after) == (WARN, ERROR)  # throughline.dbt_sources.FRESHNESS
    assert {s.system for s in sources} == {"salesforce", "netsuite", "psa", "controller"}
    manifest = {
        "sources": {
            "s": {
                "source_name": "erp",
                "name": "t",
                "schema": "raw_erp",
                "freshness": {"warn_after": {"count": 2, "period": "day"}, "error_after": None},
            }
        }
    }
    manifest["sources"]["none"] = {
        "source_name": "raw",
        "name": "load_log",
        "schema": "raw",
        "freshness": None,
    }
    (only,) = source_thresholds(manifest)  # a source without freshness is not evaluated
    assert only.asset_key == dg.AssetKey(["raw_erp", "t"])
    assert (only.warn_after, only.error_after) == (timedelta(days=2), None)


def test_freshness_states_from_the_load_log(tmp_path: Path) -> None:
    with duckdb.connect(str(_warehouse(tmp_path)), read_only=True) as con:
        results = {f.source.table: f for f in evaluate(con, SOURCES, now=NOW)}
    assert results["clients"].state == "fresh" and results["clients"].age_hours == 10.0
    assert results["clients"].last_extract_date == date(2026, 11, 19)
    assert results["projects"].state == "warn" and results["projects"].age_hours == 40.0
    assert results["roles"].state == "error" and results["roles"].age_hours == 90.0
    assert results["x"].state == "never" and results["x"].age is None
    (psa,) = by_system(list(results.values()))
    assert psa.state == "never" and psa.stale_tables == [
        ("projects", "warn"),
        ("roles", "error"),
        ("x", "never"),
    ]
    assert psa.last_extract_date == date(2026, 11, 19) and psa.age == timedelta(hours=10)


def test_an_empty_warehouse_has_nothing_fresh(tmp_path: Path) -> None:
    with duckdb.connect(str(tmp_path / "new.duckdb")) as con:
        assert {f.state for f in evaluate(con, SOURCES, now=NOW)} == {"never"}


def test_freshness_checks_run_in_a_job_with_severity_and_metadata(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path, now=datetime.now(UTC))  # the check measures against the clock
    sources = [_source("psa", "clients"), _source("psa", "projects"), _source("psa", "roles")]
    check = build_freshness_checks(sources)
    job = dg.define_asset_job("freshness", selection=dg.AssetSelection.all_asset_checks())
    defs = dg.Definitions(
        assets=[dg.AssetSpec(s.asset_key) for s in sources],
        asset_checks=[check],
        jobs=[job],
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
    )
    result = defs.resolve_job_def("freshness").execute_in_process(raise_on_error=False)
    assert result.success
    evals = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert set(evals) == {"clients", "projects", "roles"}
    assert evals["clients"].passed
    assert not evals["projects"].passed and evals["projects"].severity == dg.AssetCheckSeverity.WARN
    assert not evals["roles"].passed and evals["roles"].severity == dg.AssetCheckSeverity.ERROR
    assert evals["roles"].metadata["state"].value == "error"
    assert evals["roles"].metadata["last_extract_date"].value == "2026-11-16"
    assert all(not c.blocking for c in check.check_specs), "a late source never blocks publishing the rest"
