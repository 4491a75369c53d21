"""Fast checks of the generator's Harvest shape (``generate --psa harvest``) on hand-made PSA files.

``shapes.harvest.reshape_psa`` turns the PSA export's nights into Harvest API v2 records; each expected value
below is worked out by hand from the few records written here, and every written file loads through the
Harvest contract with no reject.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import load_object
from throughline.cli import _demo_systems
from throughline.samplefirm.defects.store import record_file
from throughline.samplefirm.shapes import apply
from throughline.samplefirm.shapes.harvest import TIME_OFF_ID_OFFSET, reshape_psa

NIGHT = date(2026, 11, 18)
TS = "2026-11-01 09:00:00"
RECORDS: dict[str, list[dict[str, Any]]] = {
    "clients": [{"id": 1, "name": "Orion", "currency": "GBP", "is_active": True}],
    "resources": [
        {
            "id": 10,
            "first_name": "Ann",
            "last_name": "Lee",
            "legal_entity": "GB01",
            "role_id": 2,
            "employment_type": "employee",
            "hire_date": "2024-03-01",
            "weekly_capacity_hours": 37.5,
            "cost_rate": 60.0,
            "cost_currency": "GBP",
            "is_active": True,
        }
    ],
    "rate_cards": [
        {"id": 5, "role_id": 2, "currency": "USD", "bill_rate": 150.0, "effective_from": "2025-01-01"},
        {"id": 6, "role_id": 2, "currency": "GBP", "bill_rate": 120.0, "effective_from": "2025-01-01"},
    ],
    "projects": [
        {
            "id": 100,
            "code": "P-100",
            "name": "Orion - Retainer",
            "client_id": 1,
            "billing_type": "retainer",
            "is_billable": True,
            "currency": "GBP",
            "budget_amount": 50000.0,
            "budget_hours": 400.0,
            "retainer_monthly_amount": 10000.0,
            "status": "active",
            "project_manager_id": 10,
        },
        {
            "id": 101,
            "code": "P-101",
            "name": "Orion - Milestones",
            "client_id": 1,
            "billing_type": "milestone",
            "is_billable": True,
            "currency": "GBP",
            "budget_amount": 30000.0,
            "budget_hours": 200.0,
            "status": "closed",
        },
        {
            "id": 900001,
            "code": "INT-ADM",
            "name": "Internal",
            "billing_type": "non_billable",
            "is_billable": False,
        },
    ],
    "assignments": [{"id": 7, "project_id": 100, "resource_id": 10, "role_id": 2, "bill_rate": 140.0}],
    "time_entries": [
        {
            "id": 1,
            "resource_id": 10,
            "project_id": 100,
            "assignment_id": 7,
            "spent_date": "2026-10-05",
            "hours": 6.5,
            "is_billable": True,
            "work_type": "client",
            "status": "approved",
            "bill_rate": 140.0,
            "cost_rate": 60.0,
            "currency": "GBP",
            "erp_invoice_id": "55",
        },
        {
            "id": 2,
            "resource_id": 10,
            "project_id": 900001,
            "spent_date": "2026-10-06",
            "hours": 1.5,
            "is_billable": False,
            "work_type": "admin",
            "status": "submitted",
            "currency": "GBP",
        },
        {
            "id": 3,
            "resource_id": 10,
            "project_id": 100,
            "spent_date": "2026-10-07",
            "hours": 2.0,
            "work_type": "client",
            "status": "approved",
            "deleted_at": "2026-11-02 10:00:00",
        },
    ],
    "time_off": [{"id": 1, "resource_id": 10, "off_date": "2026-10-09", "hours": 8.0, "type": "vacation"}],
    "expenses": [
        {
            "id": 1,
            "resource_id": 10,
            "project_id": 101,
            "spent_date": "2026-10-08",
            "category": "travel",
            "amount": 100.5,
            "currency": "GBP",
            "is_billable": True,
            "status": "approved",
            "erp_invoice_id": "55",
        }
    ],
}


def _write_nights(landing: Path) -> None:
    """One PSA night (every contract column, records above; a malformed line appended to time_off) and the
    NetSuite transaction file the invoice numbers come from."""
    psa = landing / "psa" / NIGHT.isoformat()
    psa.mkdir(parents=True)
    for obj in load_contract("psa").objects:
        with (psa / obj.file).open("w", encoding="utf-8") as fh:
            for rec in RECORDS.get(obj.name, []):
                row = {c: None for c in obj.column_names} | {"created_at": TS, "updated_at": TS} | rec
                fh.write(json.dumps(row) + "\n")
    with (psa / "time_off.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"id": 2, "resource_id": \n')
    ns = landing / "netsuite" / NIGHT.isoformat()
    ns.mkdir(parents=True)
    (ns / "transaction.csv").write_text("id,tranid,type\n55,INV-GB-0000055,CustInvc\n", encoding="utf-8")


def _records(folder: Path, stream: str) -> dict[int, dict[str, Any]]:
    lines = (folder / f"{stream}.jsonl").read_text(encoding="utf-8").splitlines()
    return {r["id"]: r for r in map(json.loads, lines)}


@pytest.fixture(scope="module")
def reshaped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("harvest_shape") / "landing"
    _write_nights(landing)
    ctx = SimpleNamespace(con=duckdb.connect(), extract_dates=[NIGHT])
    rel = f"psa/{NIGHT}/time_off.jsonl"
    record_file(ctx, "MALFORMED_INVALID_JSON", "psa", "time_off", rel, 2, "{}", "", "bad", str(NIGHT))
    reshape_psa(ctx, landing)
    assert ctx.con.execute("select count(*) from _gen_defects").fetchone()[0] == 0  # line not carried
    return landing


def test_people_rates_and_clients_by_hand(reshaped: Path) -> None:
    night = reshaped / "harvest" / NIGHT.isoformat()
    assert not (reshaped / "psa").exists()
    assert {i: c["name"] for i, c in _records(night, "clients").items()} == {1: "Orion", 999001: "Internal"}
    user = _records(night, "users")[10]
    assert (user["weekly_capacity"], user["roles"], user["default_hourly_rate"]) == (135000, ["GB01"], 150.0)
    assert (user["created_at"], user["cost_rate"], user["is_contractor"]) == (
        "2024-03-01 09:00:00",
        60.0,
        False,
    )
    # only the account currency's (USD) rate card is a Harvest billable rate
    assert [(r["parent_id"], r["amount"]) for r in _records(night, "billable_rates").values()] == [
        (10, 150.0)
    ]
    assert _records(night, "roles")[1]["user_ids"] == [10]
    [ua] = _records(night, "user_assignments").values()
    assert (ua["is_project_manager"], ua["use_default_rates"], ua["hourly_rate"]) == (True, False, 140.0)


def test_projects_keep_their_commercial_model_where_harvest_can(reshaped: Path) -> None:
    projects = _records(reshaped / "harvest" / NIGHT.isoformat(), "projects")
    retainer, milestone, internal = projects[100], projects[101], projects[900001]
    assert (retainer["budget_is_monthly"], retainer["budget_by"], retainer["cost_budget"]) == (
        True,
        "project_cost",
        10000.0,
    )
    assert (retainer["is_fixed_fee"], retainer["budget"], retainer["client"]["currency"]) == (
        False,
        None,
        "GBP",
    )
    assert (milestone["is_fixed_fee"], milestone["fee"], milestone["budget"]) == (True, 30000.0, 200.0)
    assert (milestone["is_active"], milestone["budget_by"]) == (False, "project")
    assert (internal["client"]["id"], internal["is_billable"]) == (999001, False)
    assert projects[999002]["name"] == "Time Off"


def test_time_expenses_and_invoices_by_hand(reshaped: Path) -> None:
    night = reshaped / "harvest" / NIGHT.isoformat()
    entries = _records(night, "time_entries")
    assert set(entries) == {1, 2, TIME_OFF_ID_OFFSET + 1}  # the deleted entry 3 cannot be carried
    work, admin, off = entries[1], entries[2], entries[TIME_OFF_ID_OFFSET + 1]
    assert (work["task"]["name"], work["is_closed"], work["is_billed"]) == ("Client Work", True, True)
    assert work["invoice"] == {"id": 55, "number": "INV-GB-0000055"}
    assert (work["hours"], work["billable_rate"], work["user_assignment"]) == (6.5, 140.0, {"id": 7})
    assert (admin["task"]["name"], admin["is_closed"], admin["client"]["id"]) == ("Admin", False, 999001)
    assert (off["task"]["name"], off["project"]["id"], off["hours"]) == ("Vacation", 999002, 8.0)
    [expense] = _records(night, "expenses").values()
    assert (expense["total_cost"], expense["expense_category"]["name"]) == (100.5, "travel")
    assert expense["invoice"] == {"id": 55, "number": "INV-GB-0000055"} and expense["is_closed"]
    assert _records(night, "invoices")[55]["number"] == "INV-GB-0000055"
    with (reshaped.parent / "_truth" / "harvest_not_carried.csv").open(encoding="utf-8") as fh:
        rows = [(r["what"], r["record_id"], r["line"]) for r in csv.DictReader(fh)]
    assert rows == [("deleted_time_entry", "3", ""), ("malformed_line", "", "2")]


def test_every_harvest_file_loads_through_the_contract(reshaped: Path, tmp_path: Path) -> None:
    marker = json.loads((reshaped / "harvest" / NIGHT.isoformat() / COMPLETION_MARKER).read_text())
    contract = load_contract("harvest")
    assert (marker["system"], set(marker["files"])) == ("harvest", {o.file for o in contract.objects})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    results = [r for obj in contract.objects for r in load_object(con, reshaped, obj, "t1")]
    assert sum(r.rows_rejected for r in results) == 0
    loaded = {r.object: r.rows_loaded for r in results}
    assert (loaded["time_entries"], loaded["projects"], loaded["clients"]) == (3, 4, 2)


def test_the_default_psa_is_left_alone_an_unknown_one_refused_and_demo_sets_the_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "psa").mkdir()
    apply(SimpleNamespace(con=None, extract_dates=[NIGHT]), tmp_path, "salesforce", "psa")
    assert (tmp_path / "psa").exists() and not (tmp_path / "harvest").exists()
    with pytest.raises(ValueError, match="unknown PSA 'kantata'"):
        apply(SimpleNamespace(con=None, extract_dates=[NIGHT]), tmp_path, "salesforce", "kantata")
    monkeypatch.setenv("THROUGHLINE_CRM", "hubspot")
    # set, then delete: monkeypatch then restores the variable's original state (absent) after the
    # test; a bare delenv of an absent variable records nothing, and the "harvest" _demo_systems sets
    # would leak into the worker's later tests (the Spark parity build then ran the Harvest PSA)
    monkeypatch.setenv("THROUGHLINE_PSA", "psa")
    monkeypatch.delenv("THROUGHLINE_PSA")
    monkeypatch.setenv("THROUGHLINE_ERP", "xero")
    _demo_systems(SimpleNamespace(crm="salesforce", erp="netsuite", psa="harvest"))
    assert "THROUGHLINE_CRM" not in os.environ and os.environ["THROUGHLINE_PSA"] == "harvest"
    assert "THROUGHLINE_ERP" not in os.environ  # the default ERP clears a stale choice
