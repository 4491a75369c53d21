"""The xs sample firm landed with HubSpot as its CRM (HubSpot + NetSuite + PSA) gives the same answers.

``generate --crm hubspot`` writes the same firm and truth with the CRM in Fivetran's HubSpot shape; the
nightly run with ``THROUGHLINE_CRM=hubspot`` must find the same commercial-chain (R) and client-master breaks
and the same KPIs as the Salesforce run of the same seed (the shared ``xs_warehouse``). One extra build a
session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from warehouse_diff import attach_read_only

pytestmark = pytest.mark.slow  # one nightly build of the HubSpot firm (plus the shared xs_warehouse)

REPO_ROOT = Path(__file__).resolve().parents[3]
XS_SEED = 7  # the seed of tests/conftest.py's xs_firm / xs_warehouse
#: Break columns that must agree (break_id and source_system/source_object name the CRM, so they differ).
BREAK_COLUMNS = (
    "check_id, severity, record_key, related_keys, client_key, project_key, legal_entity_key, currency_code,"
    " expected_amount, actual_amount, difference_amount, amount_at_risk, amount_at_risk_reporting,"
    " event_date, detected_on"
)
KPI_TABLES = (
    "kpi_ar_aging_monthly",
    "kpi_invoice_cycle_times",
    "kpi_lockup_monthly",
    "kpi_utilization_entity_monthly",
    "kpi_backlog_monthly",
    "kpi_backlog_rollforward",
    "kpi_cycle_times",
    "kpi_cycle_times_monthly",
    "kpi_firm_monthly",
    "kpi_dso_monthly",
    "kpi_leakage_monthly",
    "kpi_project_margin_monthly",
    "kpi_utilization_monthly",
)


@pytest.fixture(scope="session")
def xs_hubspot_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs firm (seed 7, default defects) generated in HubSpot shape and run with THROUGHLINE_CRM=hubspot.

    The run is a subprocess so its Dagster definitions and dbt target (``target/systems-crm-hubspot``) never
    mix with the Salesforce runs of this session.
    """
    root = tmp_path_factory.getbasetemp()
    root = root.parent if os.environ.get("PYTEST_XDIST_WORKER") else root
    target = root / "throughline-cache" / "xs_hubspot"
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not (target / ".done").exists():
            env = {**os.environ, "THROUGHLINE_CRM": "hubspot", "PYTHONPATH": str(REPO_ROOT)}
            cli = [sys.executable, "-m", "throughline.cli"]
            gen = [*cli, "generate", "--scale", "xs", "--seed", str(XS_SEED), "--crm", "hubspot"]
            subprocess.run([*gen, "--out", str(target)], env=env, check=True, capture_output=True)
            run = [
                *cli,
                "run",
                "--landing",
                str(target / "landing"),
                "--warehouse",
                str(target / "wh.duckdb"),
            ]
            proc = subprocess.run(run, env=env, capture_output=True, text=True, check=False)
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
            (target / ".done").write_text("ok")
    return target / "wh.duckdb"


@pytest.fixture(scope="module")
def both(xs_warehouse: Path, xs_hubspot_warehouse: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    attach_read_only(con, xs_warehouse, "sf")  # the session's warehouse sits under a path with quotes
    attach_read_only(con, xs_hubspot_warehouse, "hs")
    yield con
    con.close()


def _diff(con: duckdb.DuckDBPyConnection, query: str) -> tuple[int, list[tuple], list[tuple]]:
    """Row count of the Salesforce side and the rows only one side has."""
    sf, hs = query.format(db="sf"), query.format(db="hs")
    n = con.execute(f"select count(*) from ({sf})").fetchone()[0]
    only_sf = con.execute(f"{sf} except all {hs}").fetchall()
    only_hs = con.execute(f"{hs} except all {sf}").fetchall()
    return n, only_sf, only_hs


def test_hubspot_landing_has_no_salesforce_folder(xs_hubspot_warehouse: Path) -> None:
    landing = xs_hubspot_warehouse.parent / "landing"
    assert not (landing / "salesforce").exists()
    assert {p.name for p in (landing / "hubspot").iterdir()} == {p.name for p in (landing / "psa").iterdir()}
    with duckdb.connect(str(xs_hubspot_warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw_salesforce.opportunity").fetchone()[0] == 0
        assert con.execute("select count(*) from raw_hubspot.deal").fetchone()[0] > 100


def test_every_break_matches_the_salesforce_run(both: duckdb.DuckDBPyConnection) -> None:
    n, only_sf, only_hs = _diff(both, f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks")
    assert n > 40 and (only_sf[:3], only_hs[:3]) == ([], [])


def test_r_family_and_client_breaks_match_the_salesforce_run(both: duckdb.DuckDBPyConnection) -> None:
    query = (
        f"select {BREAK_COLUMNS} from {{db}}.marts.recon_breaks "
        "where check_family like 'R%' or check_family = 'CLIENT'"
    )
    n, only_sf, only_hs = _diff(both, query)
    assert (only_sf, only_hs) == ([], [])
    families = both.execute(
        "select count(distinct check_family) from hs.marts.recon_breaks where check_family like 'R%'"
    ).fetchone()[0]
    assert n >= 10 and families == 6  # the xs firm's defects hit every R family (seed 7: 12 R/CLIENT breaks)
    # the CRM's breaks point at HubSpot deals, where the CRM user will look
    crm = both.execute(
        "select distinct source_system, source_object from hs.marts.recon_breaks"
        " where check_family in ('R1', 'R3')"
    ).fetchall()
    assert crm == [("hubspot", "deal")]


@pytest.mark.parametrize("table", KPI_TABLES)
def test_kpis_match_the_salesforce_run(both: duckdb.DuckDBPyConnection, table: str) -> None:
    n, only_sf, only_hs = _diff(both, f"select * from {{db}}.marts.{table}")
    assert n > 0
    assert (only_sf[:3], only_hs[:3]) == ([], [])


def test_opportunities_mart_matches(both: duckdb.DuckDBPyConnection) -> None:
    cols = (
        "opportunity_id, client_key, contract_key, project_key, crm_account_id, stage_category, is_won,"
        " is_closed, opportunity_type, forecast_category, probability, contract_type, legal_entity_key,"
        " close_date, first_won_at, first_lost_at, stage_change_count, amount_transaction,"
        " transaction_currency_code"
    )
    n, only_sf, only_hs = _diff(both, f"select {cols} from {{db}}.marts.fct_opportunities")
    assert n > 100
    assert (only_sf[:3], only_hs[:3]) == ([], [])
