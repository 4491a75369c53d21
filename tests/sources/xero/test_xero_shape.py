"""Fast checks of the generator's Xero shape (``generate --erp xero``) on hand-made NetSuite files.

``shapes.xero.reshape_erp`` turns the NetSuite export's nights into Fivetran Xero tables, one organisation per
subsidiary with ``source_relation``. Each expected value below is worked out by hand from the few records
written here (a USD invoice of the GBP subsidiary, paid in two instalments over two nights), and every written
file loads through the Xero contract with no reject. One xs firm in HubSpot + Xero + Harvest shape checks that
the shapes compose.
"""

from __future__ import annotations

import csv
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import load_object
from throughline.samplefirm import generate
from throughline.samplefirm.defects.store import record_file
from throughline.samplefirm.shapes import ERP_SHAPES
from throughline.samplefirm.shapes.xero import reshape_erp

N1, N2 = date(2026, 11, 17), date(2026, 11, 18)
TS = "2026-11-01 09:00:00"
_SUB = {"iselimination": "false", "isinactive": "false"}
_TAL = {"accountingbook": 1, "posting": "true"}
_PAY = {"linktype": "Payment", "previoustype": "CustInvc", "nexttype": "CustPymt", "previousdoc": 2}
#: night -> NetSuite object -> records (every other contract column blank).
NIGHTS: dict[date, dict[str, list[dict[str, Any]]]] = {
    N1: {
        "subsidiary": [
            {"id": 1, "name": "Throughline US", "legalname": "TL Inc.", "externalid": "US01", "currency": 1}
            | _SUB,
            {"id": 2, "name": "Throughline UK", "externalid": "UK01", "currency": 2, "parent": 1} | _SUB,
        ],
        "currency": [{"id": 1, "name": "USD"}, {"id": 2, "name": "GBP"}],
        "account": [
            {"id": 101, "acctnumber": 1100, "fullname": "Accounts Receivable", "accttype": "AcctRec"},
            {"id": 112, "acctnumber": 4000, "fullname": "Services Revenue", "accttype": "Income"},
            {
                "id": 106,
                "acctnumber": 2200,
                "fullname": "Sales Tax",
                "accttype": "OthCurrLiab",
                "sspecacct": "SalesTaxPay",
            },
            {"id": 100, "acctnumber": 1000, "fullname": "Cash at Bank", "accttype": "Bank"},
        ],
        "customer": [
            {
                "id": 2001,
                "entityid": "C-2001",
                "externalid": "CUST-1",
                "companyname": "Orion",
                "subsidiary": 1,
                "currency": 1,
            }
        ],
        "customersubsidiaryrelationship": [
            {"id": 1, "entity": 2001, "subsidiary": 1},
            {"id": 2, "entity": 2001, "subsidiary": 2},
        ],
        "employee": [{"id": 5001, "entityid": "E1", "subsidiary": 2}],
        "transaction": [
            {
                "id": 1,
                "tranid": "SO-1",
                "type": "SalesOrd",
                "status": "B",
                "trandate": "2026-09-20",
                "enddate": "2027-03-31",
                "entity": 2001,
                "currency": 1,
                "exchangerate": 0.8,
                "foreigntotal": 80,
                "custbody_contract_type": "FF",
                "custbody_sf_opportunity_id": "006-1",
                "voided": "false",
                "lastmodifieddate": TS,
            },
            {
                "id": 2,
                "tranid": "INV-UK-2",
                "type": "CustInvc",
                "status": "A",
                "trandate": "2026-10-01",
                "duedate": "2026-10-31",
                "currency": 1,
                "exchangerate": 0.8,
                "entity": 2001,
                "foreigntotal": 100,
                "taxtotal": 20,
                "otherrefnum": "PO-9",
                "voided": "false",
                "lastmodifieddate": TS,
            },
            {
                "id": 3,
                "tranid": "PY-3",
                "type": "CustPymt",
                "trandate": "2026-10-10",
                "currency": 1,
                "exchangerate": 0.8,
                "entity": 2001,
                "foreigntotal": 60,
                "lastmodifieddate": TS,
            },
        ],
        "transactionline": [
            {
                "id": 1,
                "transaction": 1,
                "mainline": "false",
                "taxline": "false",
                "foreignamount": 80,
                "subsidiary": 2,
                "quantity": 1,
                "rate": 80,
                "memo": "Contract value",
            },
            {
                "id": 0,
                "transaction": 2,
                "mainline": "true",
                "taxline": "false",
                "foreignamount": 100,
                "subsidiary": 2,
            },
            {
                "id": 1,
                "transaction": 2,
                "mainline": "false",
                "taxline": "false",
                "foreignamount": 80,
                "subsidiary": 2,
                "quantity": 8,
                "rate": 10,
                "memo": "Advice",
                "createdfrom": 1,
            },
            {
                "id": 2,
                "transaction": 2,
                "mainline": "false",
                "taxline": "true",
                "foreignamount": 20,
                "subsidiary": 2,
            },
            {
                "id": 0,
                "transaction": 3,
                "mainline": "true",
                "taxline": "false",
                "foreignamount": 60,
                "subsidiary": 2,
            },
        ],
        "transactionaccountingline": [
            {"transaction": 2, "transactionline": 0, "account": 101, "netamount": 80} | _TAL,
            {"transaction": 2, "transactionline": 1, "account": 112, "netamount": -64} | _TAL,
            {"transaction": 2, "transactionline": 2, "account": 106, "netamount": -16} | _TAL,
            {"transaction": 3, "transactionline": 0, "account": 100, "netamount": 48} | _TAL,
            {"transaction": 3, "transactionline": 1, "account": 101, "netamount": -48} | _TAL,
        ],
        "previoustransactionlinelink": [
            {"nextdoc": 3, "linkdate": "2026-10-10", "foreignamount": 60, "amount": 48} | _PAY
        ],
    },
    N2: {
        "transaction": [
            {
                "id": 2,
                "tranid": "INV-UK-2",
                "type": "CustInvc",
                "status": "B",
                "trandate": "2026-10-01",
                "duedate": "2026-10-31",
                "currency": 1,
                "exchangerate": 0.8,
                "entity": 2001,
                "foreigntotal": 100,
                "taxtotal": 20,
                "otherrefnum": "PO-9",
                "voided": "false",
                "lastmodifieddate": "2026-11-02 10:00:00",
            },
            {
                "id": 4,
                "tranid": "PY-4",
                "type": "CustPymt",
                "trandate": "2026-11-02",
                "currency": 1,
                "exchangerate": 0.8,
                "entity": 2001,
                "foreigntotal": 40,
                "lastmodifieddate": TS,
            },
        ],
        "transactionline": [
            {
                "id": 0,
                "transaction": 4,
                "mainline": "true",
                "taxline": "false",
                "foreignamount": 40,
                "subsidiary": 2,
            },
        ],
        "transactionaccountingline": [
            {"transaction": 4, "transactionline": 0, "account": 100, "netamount": 32} | _TAL,
            {"transaction": 4, "transactionline": 1, "account": 101, "netamount": -32} | _TAL,
        ],
        "previoustransactionlinelink": [
            {"nextdoc": 4, "linkdate": "2026-11-02", "foreignamount": 40, "amount": 32} | _PAY
        ],
    },
}


def _write_nights(landing: Path) -> None:
    """The NetSuite nights above (every contract column; every object's file, most header only), plus one
    malformed line appended to the first night's vendor file."""
    contract = load_contract("netsuite")
    for night, objects in NIGHTS.items():
        folder = landing / "netsuite" / night.isoformat()
        folder.mkdir(parents=True)
        for obj in contract.objects:
            with (folder / obj.file).open("w", newline="", encoding="utf-8") as fh:
                w = csv.DictWriter(fh, fieldnames=obj.column_names)
                w.writeheader()
                for rec in objects.get(obj.name, []):
                    w.writerow({"_fivetran_deleted": "false", "_fivetran_synced": TS} | rec)
    with (landing / "netsuite" / N1.isoformat() / "vendor.csv").open("a", encoding="utf-8") as fh:
        fh.write('9,"broken\n')


def _rows(landing: Path, night: date, table: str) -> list[dict[str, str]]:
    with (landing / "xero" / night.isoformat() / f"{table}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def reshaped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    landing = tmp_path_factory.mktemp("xero_shape") / "landing"
    _write_nights(landing)
    ctx = SimpleNamespace(con=duckdb.connect(), extract_dates=[N1, N2])
    rel = f"netsuite/{N1}/vendor.csv"
    record_file(ctx, "MALFORMED_UNBALANCED_QUOTE", "netsuite", "vendor", rel, 2, "{}", "", "bad", str(N1))
    reshape_erp(ctx, landing)
    assert ctx.con.execute("select count(*) from _gen_defects").fetchone()[0] == 0  # line not carried
    return landing


def test_one_organisation_per_subsidiary_with_its_own_chart_and_contacts(reshaped: Path) -> None:
    assert not (reshaped / "netsuite").exists()
    orgs = {r["source_relation"]: r for r in _rows(reshaped, N1, "organization")}
    assert {k: (r["short_code"], r["base_currency"]) for k, r in orgs.items()} == {
        "xero_us01": ("US01", "USD"),
        "xero_uk01": ("UK01", "GBP"),
    }
    accounts = {(r["account_id"], r["source_relation"]): r for r in _rows(reshaped, N1, "account")}
    assert len(accounts) == 8  # four accounts in each organisation
    ar_uk = accounts[("101-UK01", "xero_uk01")]
    assert (ar_uk["code"], ar_uk["type"], ar_uk["system_account"]) == ("1100", "CURRENT", "DEBTORS")
    assert accounts[("100-UK01", "xero_uk01")]["currency_code"] == "GBP"
    contacts = {r["contact_id"]: r for r in _rows(reshaped, N1, "contact")}
    assert {k: (r["source_relation"], r["account_number"]) for k, r in contacts.items()} == {
        "2001": ("xero_us01", "CUST-1"),
        "2001-UK01": ("xero_uk01", "CUST-1"),
    }


def test_invoice_header_follows_its_payments_night_by_night(reshaped: Path) -> None:
    [first] = _rows(reshaped, N1, "invoice")
    assert (first["contact_id"], first["source_relation"], first["currency_code"]) == (
        "2001-UK01",
        "xero_uk01",
        "USD",
    )
    money = ("currency_rate", "sub_total", "total_tax", "total", "amount_paid", "amount_due")
    assert [Decimal(first[k]) for k in money] == [Decimal(x) for x in ("1.25", "80", "20", "100", "60", "40")]
    # made from the sales order's quote: Xero copies the quote's reference (the opportunity), not the PO
    assert (first["status"], first["fully_paid_on_date"], first["reference"]) == ("AUTHORISED", "", "006-1")
    [second] = _rows(reshaped, N2, "invoice")
    assert (second["status"], second["fully_paid_on_date"], Decimal(second["amount_due"])) == (
        "PAID",
        "2026-11-02",
        0,
    )
    [line] = _rows(reshaped, N1, "invoice_line_item")
    assert (line["account_code"], Decimal(line["line_amount"]), Decimal(line["tax_amount"])) == (
        "4000",
        80,
        20,
    )


def test_journals_carry_the_ledger_and_payments(reshaped: Path) -> None:
    journals = {r["journal_id"]: r for r in _rows(reshaped, N1, "journal")}
    assert {k: (r["source_id"], r["source_type"]) for k, r in journals.items()} == {
        "J2": ("2", "ACCREC"),
        "J3": ("3", "ACCRECPAYMENT"),
    }  # the sales order posts nothing: it is a quote
    lines = {r["journal_line_id"]: r for r in _rows(reshaped, N2, "journal_line")}
    assert {k: (r["account_id"], Decimal(r["net_amount"])) for k, r in lines.items()} == {
        "4-0": ("100-UK01", 32),
        "4-1": ("101-UK01", -32),
    }
    with (reshaped.parent / "_truth" / "xero_not_carried.csv").open(encoding="utf-8") as fh:
        rows = [(r["what"], r["record_id"], r["line"]) for r in csv.DictReader(fh)]
    assert rows == [("employee", "5001", ""), ("malformed_line", "", "2")]


def test_the_sales_order_is_an_accepted_quote(reshaped: Path) -> None:
    [quote] = _rows(reshaped, N1, "quote")
    cols = ("quote_id", "contact_id", "source_relation", "reference", "terms", "status", "expiry_date")
    assert tuple(quote[c] for c in cols) == (
        "1",
        "2001-UK01",  # the customer's copy in the UK organisation, where its line is
        "xero_uk01",
        "006-1",  # the opportunity id
        "Fixed fee",
        "ACCEPTED",  # NetSuite's running sales order (B)
        "2027-03-31",
    )
    assert (Decimal(quote["currency_rate"]), Decimal(quote["total"])) == (Decimal("1.25"), 80)
    [line] = _rows(reshaped, N1, "quote_line_item")
    assert (line["quote_id"], line["line_item_id"], Decimal(line["line_amount"])) == ("1", "1-1", 80)


def test_every_xero_file_loads_through_the_contract(reshaped: Path, tmp_path: Path) -> None:
    marker = json.loads((reshaped / "xero" / N2.isoformat() / COMPLETION_MARKER).read_text())
    contract = load_contract("xero")
    assert (marker["system"], set(marker["files"])) == ("xero", {o.file for o in contract.objects})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    results = [r for obj in contract.objects for r in load_object(con, reshaped, obj, "t1")]
    assert sum(r.rows_rejected for r in results) == 0
    loaded = {
        o: sum(r.rows_loaded for r in results if r.object == o)
        for o in ("invoice", "journal_line", "account")
    }
    assert (loaded["invoice"], loaded["journal_line"], loaded["account"]) == (2, 7, 8)  # over both nights


def test_the_xs_firm_composes_hubspot_xero_and_harvest(tmp_path: Path) -> None:
    """``generate --crm hubspot --erp xero --psa harvest``: each system lands in its own shape only."""
    assert "xero" in ERP_SHAPES
    generate(scale="xs", seed=7, out=tmp_path, crm="hubspot", erp="xero", psa="harvest")
    landing = tmp_path / "landing"
    assert {p.name for p in landing.iterdir()} >= {"hubspot", "xero", "harvest"}
    assert not {"salesforce", "netsuite", "psa"} & {p.name for p in landing.iterdir()}
    contract = load_contract("xero")
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    results = [r for obj in contract.objects for r in load_object(con, landing, obj, "t1")]
    assert sum(r.rows_rejected for r in results) == 0
    loaded = {
        o: sum(r.rows_loaded for r in results if r.object == o)
        for o in ("organization", "invoice", "journal_line")
    }
    assert loaded["organization"] == 3 and loaded["invoice"] > 100 and loaded["journal_line"] > 500
    relations = con.execute("select count(distinct source_relation) from raw_xero.journal_line").fetchone()[0]
    assert relations == 3
