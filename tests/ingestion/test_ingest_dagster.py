"""Dagster wiring: Definitions load, raw assets materialize on a tiny landing, a rejected file fails."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from landing_files import write_extract

from ingestion.contract import all_objects
from orchestration.assets.raw import ROWS_CHECK, asset_key, raw_assets
from orchestration.definitions import publish_asset
from orchestration.nightly import run_nightly
from orchestration.resources import LandingResource, WarehouseResource

GOOD_USERS = "Id,Name,SystemModstamp\nu1,Bob,2026-11-18 01:00:00\nu2,Ann,2026-11-18 01:00:00\n"
NO_NAME_ACCOUNTS = "Id,Type,SystemModstamp\n001,Customer,2026-11-18 01:00:00\n"


def test_definitions_load_with_one_asset_and_check_per_object() -> None:
    from orchestration.definitions import defs

    keys = {s.key for s in defs.resolve_all_asset_specs()}
    for obj in all_objects():
        assert dg.AssetKey([f"raw_{obj.system}", obj.name]) in keys
    assert defs.resolve_job_def("nightly") is not None
    assert defs.get_schedule_def("nightly_at_2am").cron_schedule == "0 2 * * *"
    # each object's row tie-out is a check of its raw asset, evaluated in its system's step (one per system)
    loaders = [
        a
        for a in raw_assets
        if a.node_def.name.startswith("raw_") and a.node_def.name != "raw__landing_audit"
    ]
    assert sorted(a.node_def.name for a in loaders) == sorted({f"raw_{o.system}" for o in all_objects()})
    assert sorted(k for a in loaders for k in a.keys) == sorted(asset_key(o) for o in all_objects())
    checks = {c.key for a in loaders for c in a.check_specs}
    assert checks == {dg.AssetCheckKey(asset_key(o), ROWS_CHECK) for o in all_objects()}
    assert all(a.can_subset for a in loaders)


def test_materialize_raw_assets_and_check_fails_for_rejected_file(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    write_extract(
        landing, "salesforce", "2026-11-18", {"user.csv": GOOD_USERS, "account.csv": NO_NAME_ACCOUNTS}
    )
    selected = [dg.AssetKey(["raw_salesforce", "user"]), dg.AssetKey(["raw_salesforce", "account"])]
    result = dg.materialize(  # with the publish asset: its build is switched in as w.duckdb
        [*raw_assets, publish_asset],
        selection=dg.AssetSelection.assets(*selected, publish_asset.key),  # two of salesforce's assets
        resources={
            "warehouse": WarehouseResource(path=str(tmp_path / "w.duckdb")),
            "landing": LandingResource(path=str(landing)),
        },
    )
    assert result.success
    evals = {e.asset_key.path[1]: e for e in result.get_asset_check_evaluations()}
    assert evals["user"].passed
    assert not evals["account"].passed and evals["account"].severity == dg.AssetCheckSeverity.ERROR
    assert "account.csv: REJECTED" in (evals["account"].description or "")
    assert "required column(s) name missing" in (evals["account"].description or "")
    mats = {m.asset_key.path[1]: m for m in result.get_asset_materialization_events()}
    assert mats["user"].materialization.metadata["rows_loaded"].value == 2
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw_salesforce.user").fetchone() == (2,)


def test_run_nightly_publishes_and_reports_failed_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landing, warehouse = tmp_path / "landing", tmp_path / "wh" / "warehouse.duckdb"
    write_extract(
        landing, "salesforce", "2026-11-18", {"user.csv": GOOD_USERS, "account.csv": NO_NAME_ACCOUNTS}
    )
    raw_keys = [k for a in raw_assets for k in a.keys]
    result = run_nightly(landing, warehouse, echo=True, asset_selection=raw_keys)
    assert not result.success
    # the console names the object, the file and the reason, not only the failed check
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAILED raw_")]
    assert len(failed) == 1, failed
    assert failed[0].startswith("FAILED raw_salesforce.account: salesforce/2026-11-18/account.csv: ")
    assert "required column(s) name missing" in failed[0]
    status = {s.name: s for s in result.summary}
    assert status["raw_salesforce.account"].status == "FAILED"
    assert (status["raw_salesforce.user"].status, status["raw_salesforce.user"].rows_loaded) == ("OK", 2)
    assert result.artifacts["warehouse"] == warehouse.resolve() and warehouse.exists()
    assert not warehouse.with_name("warehouse.duckdb.building").exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_salesforce.user").fetchone() == (2,)
