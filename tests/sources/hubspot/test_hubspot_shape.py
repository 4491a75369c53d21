"""Fast checks of the HubSpot setting and of the generator's HubSpot shape, on hand-made Salesforce files.

``shapes.hubspot.reshape_crm`` turns one night of Salesforce extracts into Fivetran HubSpot tables; each
expected value below is worked out by hand from the two records written here.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER, chosen_systems, load_contract
from orchestration.dbt_project import systems_target_path
from throughline.samplefirm.defects.store import record_file
from throughline.samplefirm.shapes import apply
from throughline.samplefirm.shapes.hubspot import reshape_crm

NIGHT = date(2026, 11, 18)
TS = "2026-11-01 09:00:00"
RECORDS: dict[str, list[dict[str, str]]] = {
    "user.csv": [{"id": "U1", "name": "Ann Lee", "email": "ann@x.example", "is_active": "true"}],
    "account.csv": [
        {
            "id": "A1",
            "name": "Orion Corp",
            "type": "Customer",
            "billing_country_code": "GB",
            "currency_iso_code": "GBP",
            "erp_customer_id_c": "2017",
            "is_deleted": "false",
        },
        {"id": "A2", "name": "Horizon", "type": "Prospect", "is_deleted": "false"},
    ],
    "product_2.csv": [{"id": "P1", "name": "Data - T&M", "product_code": "DAT-TM", "family": "Data & AI"}],
    "opportunity.csv": [
        {
            "id": "O1",
            "account_id": "A1",
            "name": "Orion - Data",
            "stage_name": "Closed Won",
            "amount": "1000.00",
            "currency_iso_code": "GBP",
            "close_date": "2026-10-31",
            "probability": "35.0",
            "forecast_category": "BestCase",
            "type": "Renewal",
            "contract_type_c": "Fixed Fee",
            "psa_project_id_c": "77",
            "is_deleted": "false",
        },
    ],
    "opportunity_history.csv": [
        {
            "id": "H1",
            "opportunity_id": "O1",
            "stage_name": "Negotiation",
            "created_date": "2026-10-20 10:00:00",
        },
        {
            "id": "H2",
            "opportunity_id": "O1",
            "stage_name": "Closed Won",
            "created_date": "2026-10-31 16:00:00",
        },
    ],
}


def _write_salesforce_night(landing: Path, malformed: str | None = None) -> Path:
    """One night of Salesforce files with the contract's header; optionally a malformed line appended."""
    contract = load_contract("salesforce")
    folder = landing / "salesforce" / NIGHT.isoformat()
    folder.mkdir(parents=True)
    for obj in contract.objects:
        with (folder / obj.file).open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=obj.column_names, lineterminator="\n")
            w.writeheader()
            for rec in RECORDS.get(obj.file, []):
                w.writerow({"system_modstamp": TS, "created_date": TS, "_fivetran_synced": TS, **rec})
    if malformed:
        with (folder / "account.csv").open("a", encoding="utf-8") as fh:
            fh.write(malformed + "\n")
    return folder


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def reshaped(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    _write_salesforce_night(landing, malformed='A9BADROW1,"Unclosed quote, Ltd')
    ctx = SimpleNamespace(con=duckdb.connect(), extract_dates=[NIGHT])
    rel = f"salesforce/{NIGHT}/account.csv"
    record_file(
        ctx, "MALFORMED_UNBALANCED_QUOTE", "salesforce", "account", rel, 4, "{}", "name", "bad", str(NIGHT)
    )
    reshape_crm(ctx, landing)
    assert (
        ctx.con.execute("select count(*) from _gen_defects").fetchone()[0] == 0
    )  # its line is not carried over
    return landing


def test_reshape_maps_each_record_by_hand(reshaped: Path) -> None:
    night = reshaped / "hubspot" / NIGHT.isoformat()
    assert not (reshaped / "salesforce").exists()
    companies = {r["id"]: r for r in _read(night / "company.csv")}
    assert set(companies) == {"A1", "A2"}  # the malformed line is gone
    assert (companies["A1"]["property_lifecyclestage"], companies["A1"]["property_type"]) == ("customer", "")
    assert companies["A1"]["property_account_currency"] == "GBP"
    assert companies["A1"]["property_erp_customer_id"] == "2017"
    assert companies["A2"]["property_type"] == "PROSPECT"
    [deal] = _read(night / "deal.csv")
    assert deal["deal_pipeline_stage_id"] == "closedwon" and deal["property_dealtype"] == "renewal"
    assert float(deal["property_hs_forecast_probability"]) == pytest.approx(0.35)
    assert deal["property_hs_manual_forecast_category"] == "BEST_CASE"
    assert deal["property_closedate"] == "2026-10-31 00:00:00" and deal["property_psa_project_id"] == "77"
    assert [(r["deal_id"], r["company_id"], r["type_id"]) for r in _read(night / "deal_company.csv")] == [
        ("O1", "A1", "5")
    ]
    stages = sorted(
        (r["_fivetran_start"], r["value"], r["_fivetran_active"]) for r in _read(night / "deal_stage.csv")
    )
    assert stages == [
        ("2026-10-20 10:00:00", "negotiation", "false"),
        ("2026-10-31 16:00:00", "closedwon", "true"),
    ]
    assert {r["stage_id"] for r in _read(night / "deal_pipeline_stage.csv")} >= {"closedwon", "closedlost"}
    [product] = _read(night / "product.csv")
    assert (product["property_hs_sku"], product["property_service_line"]) == ("DAT-TM", "Data & AI")


def test_reshape_writes_a_marker_describing_every_hubspot_file(reshaped: Path) -> None:
    night = reshaped / "hubspot" / NIGHT.isoformat()
    marker = json.loads((night / COMPLETION_MARKER).read_text())
    assert (marker["system"], marker["extract_type"]) == ("hubspot", "full")
    assert set(marker["files"]) == {o.file for o in load_contract("hubspot").objects}
    assert marker["files"]["company.csv"]["rows"] == 2 and marker["files"]["deal_stage.csv"]["rows"] == 2


def test_the_default_shape_is_left_alone_and_an_unknown_one_refused(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write_salesforce_night(landing)
    apply(SimpleNamespace(con=None, extract_dates=[NIGHT]), landing, "salesforce")
    assert (landing / "salesforce").exists() and not (landing / "hubspot").exists()
    with pytest.raises(ValueError, match="unknown CRM 'pipedrive'"):
        apply(SimpleNamespace(con=None, extract_dates=[NIGHT]), landing, "pipedrive")


def test_the_setting_picks_one_crm(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {"salesforce", "netsuite", "psa"} <= chosen_systems({}) and "hubspot" not in chosen_systems({})
    hubspot = chosen_systems({"THROUGHLINE_CRM": "hubspot"})
    assert "hubspot" in hubspot and "salesforce" not in hubspot
    with pytest.raises(ValueError, match="THROUGHLINE_CRM='pipedrive' is not a crm system"):
        chosen_systems({"THROUGHLINE_CRM": "pipedrive"})
    monkeypatch.delenv("THROUGHLINE_CRM", raising=False)
    monkeypatch.delenv("THROUGHLINE_ERP", raising=False)
    monkeypatch.delenv("THROUGHLINE_PSA", raising=False)
    assert systems_target_path() == Path("target")
    monkeypatch.setenv("THROUGHLINE_CRM", "HubSpot ")
    assert systems_target_path() == Path("target/systems-crm-hubspot")
