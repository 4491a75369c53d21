"""The GX suites on source loads and value ranges, on hand-built load logs and frames (no dbt, no firm).

Row volume: an object whose extract shrinks by more than 40% against its previous comparable extract fails
its WARNING expectation and names the extract; deltas are never compared with the full extract before them.
Freshness: a source trailing the others, or missing, fails. Ranges: one bad value fails its expectation.
Results: every expectation lands in quality.gx_results and in the GX Data Docs.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from expectations.sources import freshness_frame, volume_frame
from expectations.suites import MAX_SHRINK
from expectations.validate import validate_frame
from ingestion.contract import COMPLETION_MARKER
from orchestration.assets.quality import (
    DATA_DOCS_DIR,
    build_quality_checks,
    read_frames,
    store_and_publish,
    suite_check_key,
)
from orchestration.builds import build_path
from orchestration.resources import LandingResource, WarehouseResource

LOAD_LOG = """
create schema raw;
create table raw.load_log (
    load_id varchar, system varchar, object varchar, extract_date date, file varchar, sha256 varchar,
    status varchar, rows_read bigint, rows_loaded bigint, rows_rejected bigint, drift_columns varchar[],
    message varchar, started_at timestamp, finished_at timestamp
)
"""

#: (load, system, object, extract date, rows): three nights loaded by three loads (L0, L1, L2).
NIGHTS = [
    ("L0", "salesforce", "account", "2026-11-17", 2000),
    ("L1", "salesforce", "account", "2026-11-18", 1000),  # shrank 50%, but an old load: not judged
    ("L2", "salesforce", "account", "2026-11-19", 500),  # shrank 50% tonight: the failure
    ("L1", "salesforce", "opportunity", "2026-11-18", 1000),
    ("L2", "salesforce", "opportunity", "2026-11-19", 700),  # shrank 30%: within 40%
    ("L1", "psa", "time_entries", "2026-11-18", 5000),  # full extract
    ("L2", "psa", "time_entries", "2026-11-19", 100),  # delta: not compared with the full one
    ("L1", "salesforce", "user", "2026-11-18", 40),  # too few rows to compare
    ("L2", "salesforce", "user", "2026-11-19", 1),
    ("L2", "netsuite", "customer", "2026-11-16", 10),  # a source three days behind
]
TYPES = {("psa", "2026-11-18"): "full", ("psa", "2026-11-19"): "delta"}


def _load_log(path: Path, nights: list[tuple[str, str, str, str, int]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(LOAD_LOG)
        for i, (load, system, obj, day, rows) in enumerate(nights):
            finished = f"2026-11-{20 + int(load[1])} 03:00:{i:02d}"
            con.execute(
                "insert into raw.load_log (load_id, system, object, extract_date, file, status, rows_read, "
                "finished_at) values (?, ?, ?, ?, ?, 'loaded', ?, ?)",
                [load, system, obj, day, f"{system}/{day}/{obj}.csv", rows, finished],
            )
    return path


def _landing(root: Path) -> Path:
    for (system, day), kind in TYPES.items():
        folder = root / system / day
        folder.mkdir(parents=True)
        (folder / COMPLETION_MARKER).write_text(json.dumps({"extract_type": kind}), encoding="utf-8")
    return root


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return _load_log(tmp_path / "warehouse.duckdb", NIGHTS)


def test_shrinking_extract_fails_the_volume_expectation_and_names_it(warehouse: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = volume_frame(con, _landing(tmp_path / "landing"))
    by_extract = frame.set_index("extract")
    assert len(frame) == 5  # only the latest load's extracts are judged
    assert by_extract.loc["salesforce.account@2026-11-19", "shrink_share"] == pytest.approx(0.5)
    assert by_extract.loc["salesforce.opportunity@2026-11-19", "shrink_share"] == pytest.approx(0.3)
    assert pd.isna(by_extract.loc["psa.time_entries@2026-11-19", "shrink_share"])  # delta after a full
    assert by_extract.loc["salesforce.user@2026-11-19", "previous_rows"] == 40
    assert pd.isna(by_extract.loc["salesforce.user@2026-11-19", "shrink_share"])  # 40 rows before: too few
    res = validate_frame("sources.row_volume", frame)
    assert MAX_SHRINK == 0.4 and not res.success
    (failed,) = res.failed
    assert failed.severity == "warning" and failed.unexpected_count == 1
    assert [r["extract"] for r in failed.unexpected_index] == ["salesforce.account@2026-11-19"]


def test_without_extract_types_a_delta_is_compared_with_the_previous_extract(warehouse: Path) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        frame = volume_frame(con, landing=None)
    shrink = frame.set_index("extract")["shrink_share"]
    assert shrink["psa.time_entries@2026-11-19"] == pytest.approx(0.98)


def test_first_load_has_nothing_to_compare(tmp_path: Path) -> None:
    path = _load_log(tmp_path / "w.duckdb", [("L0", "psa", "projects", "2026-11-17", 400)])
    with duckdb.connect(str(path), read_only=True) as con:
        frame = volume_frame(con)
    assert frame["shrink_share"].isna().all() and validate_frame("sources.row_volume", frame).success


def test_a_source_behind_the_others_or_missing_fails_freshness(tmp_path: Path) -> None:
    nights = [n for n in NIGHTS if n[1] != "salesforce"]  # salesforce never delivered
    path = _load_log(tmp_path / "w.duckdb", nights)
    with duckdb.connect(str(path), read_only=True) as con:
        frame = freshness_frame(con, run_date=date(2026, 11, 21))
    rows = frame.set_index("system")
    assert rows.loc["psa", "lag_days"] == 0 and rows.loc["psa", "age_days"] == 2
    assert rows.loc["netsuite", "lag_days"] == 3 and rows.loc["netsuite", "age_days"] == 5
    assert pd.isna(rows.loc["salesforce", "latest_extract_date"])
    res = validate_frame("sources.freshness", frame)
    failed = {r.column: r for r in res.failed}
    assert set(failed) == {"latest_extract_date", "lag_days"}
    assert [r["system"] for r in failed["lag_days"].unexpected_index] == ["netsuite"]
    assert [r["system"] for r in failed["latest_extract_date"].unexpected_index] == ["salesforce"]


@pytest.mark.parametrize(
    ("suite", "good", "column", "bad"),
    [
        ("raw_psa.time_entries", {"id": 1, "hours": 3.5, "spent_date": "2026-11-02", "currency": "GBP",
                                  "bill_rate": 150.0}, "hours", 30.0),
        ("raw_psa.time_entries", {"id": 1, "hours": 8.0, "spent_date": "2026-11-02", "currency": "EUR",
                                  "bill_rate": 150.0}, "currency", "EURO"),
        ("raw_psa.expenses", {"amount": 12.5, "currency": "USD", "markup_pct": 10.0}, "amount", None),
        ("marts.kpi_utilization_monthly", {"billable_utilization": 0.8, "productive_utilization": 0.9,
                                           "total_utilization": 1.0, "capacity_hours": 160.0,
                                           "resource_key": "7"}, "billable_utilization", 1.7),
        ("marts.kpi_dso_monthly", {"dso_simple_days": 45.0, "dso_countback_days": 41.0, "bpdso_days": 30.0,
                                   "legal_entity_key": "GROUP"}, "dso_countback_days", -5.0),
    ],
)  # fmt: skip
def test_ranges_catch_one_bad_value(suite: str, good: dict, column: str, bad: object) -> None:
    rows = pd.DataFrame([good, good, good])  # three rows: one bad value does not move a median
    assert validate_frame(suite, rows).success
    rows.loc[1, column] = bad
    res = validate_frame(suite, rows)
    assert [(r.column, r.unexpected_count, r.severity) for r in res.failed] == [(column, 1, "warning")]


def test_results_table_is_written_and_appended(warehouse: Path, tmp_path: Path) -> None:
    names = ["sources.row_volume", "sources.freshness"]
    frames = read_frames(str(warehouse), names, landing=_landing(tmp_path / "landing"))
    results = [validate_frame(name, frame) for name, frame in frames.items()]  # type: ignore[arg-type]
    written, index = store_and_publish(str(warehouse), "run-1", results)
    assert written == sum(len(r.results) for r in results) >= 3
    store_and_publish(str(warehouse), "run-2", results)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        runs = con.execute("select run_id, count(*) from quality.gx_results group by 1 order by 1").fetchall()
        row = con.execute(
            "select asset_key, check_name, severity, success, unexpected_count, unexpected_index "
            "from quality.gx_results where run_id = 'run-1' and suite = 'sources.row_volume'"
        ).fetchone()
    assert runs == [("run-1", written), ("run-2", written)]
    assert row[:5] == ("raw/landing_audit", "gx_row_volume", "warning", False, 1)
    assert json.loads(row[5]) == [{"extract": "salesforce.account@2026-11-19"}]
    assert index == warehouse.parent / DATA_DOCS_DIR / "index.html" and index.exists()
    assert "sources.row_volume" in index.read_text(encoding="utf-8")


def test_volume_and_freshness_are_checks_on_the_landing_audit(warehouse: Path, tmp_path: Path) -> None:
    names = ["sources.row_volume", "sources.freshness"]
    checks = build_quality_checks(names)
    defs = dg.Definitions(
        assets=[dg.AssetSpec(dg.AssetKey(["raw", "landing_audit"]))],
        asset_checks=[checks],
        jobs=[dg.define_asset_job("q", selection=dg.AssetSelection.all_asset_checks())],
        resources={
            "warehouse": WarehouseResource(path=str(warehouse)),
            "landing": LandingResource(path=str(_landing(tmp_path / "landing"))),
        },
    )
    result = defs.resolve_job_def("q").execute_in_process()
    evals = {dg.AssetCheckKey(e.asset_key, e.check_name): e for e in result.get_asset_check_evaluations()}
    volume, fresh = evals[suite_check_key(names[0])], evals[suite_check_key(names[1])]
    assert not volume.passed and volume.severity == dg.AssetCheckSeverity.WARN
    assert "salesforce.account@2026-11-19" in (volume.description or "")
    assert not fresh.passed and "netsuite" in (fresh.description or "")
    assert (warehouse.parent / DATA_DOCS_DIR / "index.html").exists()  # beside the published warehouse
    with duckdb.connect(str(build_path(warehouse.resolve(), result.run_id)), read_only=True) as con:
        stored = con.execute(
            "select count(distinct suite) from quality.gx_results where run_id = ?", [result.run_id]
        ).fetchone()
    assert stored == (2,)
