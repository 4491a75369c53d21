"""Fast checks of the generator's QuickBooks shape (``generate --erp quickbooks``), no nightly.

The xs firm (seed 7) is generated once with ``--crm hubspot --erp quickbooks --psa harvest`` and compared with
the same firm in the default shape (the session's ``xs_firm``): every QuickBooks file loads through the
contract with no reject, and every document, application and ledger line NetSuite has is there, in the company
of its subsidiary, with the same amounts. A few seconds of generation and loading.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import duckdb
import pytest

from ingestion.contract import COMPLETION_MARKER, load_contract
from ingestion.load import load_object
from ingestion.parse import sql_str
from throughline.samplefirm import generate
from throughline.samplefirm.shapes.quickbooks import CREDIT_APPLICATION_ID_OFFSET

XS_SEED = 7  # the seed of tests/conftest.py's xs_firm


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The xs firm landed as HubSpot + QuickBooks + Harvest."""
    out = tmp_path_factory.mktemp("quickbooks_shape")
    generate(scale="xs", seed=XS_SEED, out=out, crm="hubspot", erp="quickbooks", psa="harvest")
    return out


@pytest.fixture(scope="module")
def con(mixed: Path, xs_firm: Path) -> duckdb.DuckDBPyConnection:
    """``ns_<file>``: the default firm's NetSuite files; ``qb_<file>``: the QuickBooks ones (every night)."""
    c = duckdb.connect()
    for folder, prefix in (
        (xs_firm / "landing" / "netsuite", "ns"),
        (mixed / "landing" / "quickbooks", "qb"),
    ):
        for name in {p.stem for p in folder.glob("*/*.csv")}:
            pattern = sql_str(str(folder / "*" / f"{name}.csv"))
            c.execute(
                f"create table {prefix}_{name} as select * from read_csv({pattern}, all_varchar = true,"
                " union_by_name = true, ignore_errors = true)"
            )
    c.execute(
        "create table company as select t.id, any_value(s.externalid) as code"
        " from ns_transaction as t join ns_transactionline as l on l.transaction = t.id"
        " join ns_subsidiary as s on s.id = l.subsidiary group by t.id"
    )
    return c


def _rows(con: duckdb.DuckDBPyConnection, sql: str) -> set[tuple]:
    return set(con.execute(sql).fetchall())


def test_the_systems_compose_and_every_file_loads(mixed: Path, tmp_path: Path) -> None:
    landing = mixed / "landing"
    systems = {
        "hubspot",
        "quickbooks",
        "harvest",
        "controller",
        "fx_rates",
    }  # fx_rates: QuickBooks has no rate table
    assert {p.name for p in landing.iterdir()} == systems
    contract = load_contract("quickbooks")
    night = sorted((landing / "quickbooks").iterdir())[0]
    marker = json.loads((night / COMPLETION_MARKER).read_text(encoding="utf-8"))
    assert set(marker["files"]) == {o.file for o in contract.objects}
    with duckdb.connect(str(tmp_path / "w.duckdb")) as c:
        results = [r for obj in contract.objects for r in load_object(c, landing, obj, "t1")]
        companies = c.execute("select distinct source_relation from raw_quickbooks.invoice").fetchall()
    assert sum(r.rows_rejected for r in results) == 0 and sum(r.rows_loaded for r in results) > 800
    assert sorted(companies) == [("DE01",), ("UK01",), ("US01",)]
    # the malformed lines the defects appended to NetSuite files are not carried, and leave the manifest
    with (mixed / "_truth" / "defects.csv").open(encoding="utf-8") as fh:
        assert not [r for r in csv.DictReader(fh) if r["system"] == "netsuite" and r["file"]]
    with (mixed / "_truth" / "quickbooks_not_carried.csv").open(encoding="utf-8") as fh:
        assert {r["what"] for r in csv.DictReader(fh)} == {"malformed_line"}


def test_documents_keep_their_ids_amounts_and_company(con: duckdb.DuckDBPyConnection) -> None:
    # a document on a project is billed to its job, a sub-customer of the NetSuite customer
    on_jobs = con.execute(
        "select count(*) from qb_invoice where customer_id in (select id from qb_customer where job = 'true')"
    ).fetchone()[0]
    assert on_jobs > 50
    for ns_type, table in (("CustInvc", "invoice"), ("CustCred", "credit_memo")):
        ns = _rows(
            con,
            "select t.id, t.tranid, t.entity, t.foreigntotal::decimal(18, 2), t.exchangerate::double, c.code"
            f" from ns_transaction as t join company as c using (id) where t.type = '{ns_type}'"
            " and t.tranid is not null qualify row_number() over (partition by t.id"
            " order by t._fivetran_synced desc, t.lastmodifieddate desc) = 1",
        )
        qb = _rows(
            con,
            "select d.id, d.doc_number, coalesce(j.parent_customer_id, d.customer_id),"
            " d.total_amount::decimal(18, 2), d.exchange_rate::double, d.source_relation"
            f" from qb_{table} as d"
            " left join (select distinct id, parent_customer_id from qb_customer where job = 'true') as j"
            " on j.id = d.customer_id"
            " qualify row_number() over (partition by d.id order by d.updated_at desc) = 1",
        )
        assert len(ns) > 1 and ns == qb


def test_sales_orders_are_accepted_estimates_on_the_jobs(con: duckdb.DuckDBPyConnection) -> None:
    """Every sales order is an estimate with its id, total, company, customer (through its job), custom
    fields and dates; an invoice created from one names it in invoice_linked_txn."""
    ns = _rows(
        con,
        "select t.id, t.tranid, t.entity, t.foreigntotal::decimal(18, 2), c.code,"
        " case t.status when 'C' then 'Closed' else 'Accepted' end, t.custbody_sf_opportunity_id,"
        " t.custbody_contract_type, t.custbody_nte_amount::decimal(18, 2), t.enddate"
        " from ns_transaction as t join company as c using (id) where t.type = 'SalesOrd'"
        " qualify row_number() over (partition by t.id order by t._fivetran_synced desc) = 1",
    )
    qb = _rows(
        con,
        "select e.id, e.doc_number, j.parent_customer_id, e.total_amount::decimal(18, 2), e.source_relation,"
        " e.transaction_status, e.custom_crm_opportunity_id, e.custom_contract_type,"
        " e.custom_not_to_exceed::decimal(18, 2), e.expiration_date"
        " from qb_estimate as e"
        " join (select distinct id, parent_customer_id from qb_customer where job = 'true') as j"
        " on j.id = e.customer_id"  # every contract is on its project's job
        " qualify row_number() over (partition by e.id order by e.updated_at desc) = 1",
    )
    assert len(ns) > 30 and ns == qb
    ns_lines = _rows(
        con,
        "select transaction, sum(amount) from (select l.transaction, l.id,"
        " any_value(l.foreignamount::decimal(18, 2)) as amount from ns_transactionline as l"
        " where l.mainline = 'false' and l.taxline = 'false'"
        " and l.transaction in (select id from ns_transaction where type = 'SalesOrd') group by all)"
        " group by all",
    )
    qb_lines = _rows(
        con,
        "select estimate_id, sum(amount) from (select estimate_id, index,"
        " any_value(amount::decimal(18, 2)) as amount from qb_estimate_line group by all) group by all",
    )
    assert ns_lines == qb_lines
    created_from = _rows(
        con,
        "select distinct l.transaction, l.createdfrom from ns_transactionline as l"
        " join ns_transaction as t on t.id = l.transaction and t.type = 'CustInvc'"
        " where l.createdfrom in (select id from ns_transaction where type = 'SalesOrd')",
    )
    linked = _rows(con, "select distinct invoice_id, estimate_id from qb_invoice_linked_txn")
    assert len(created_from) > 90 and created_from == linked


def test_payments_settle_the_same_invoices(con: duckdb.DuckDBPyConnection) -> None:
    ns = _rows(
        con,
        "select nextdoc, previousdoc, foreignamount::decimal(18, 2) from ns_previoustransactionlinelink"
        " where nexttype = 'CustPymt'",
    )
    qb = _rows(
        con,
        "select payment_id, invoice_id, amount::decimal(18, 2) from qb_payment_line"
        f" where payment_id::bigint < {CREDIT_APPLICATION_ID_OFFSET}",
    )
    assert len(ns) > 50 and ns == qb
    # a credit memo applied to an invoice: a zero payment naming both, for the same amount
    ns_credits = _rows(
        con,
        "select previousdoc, nextdoc, foreignamount::decimal(18, 2) from ns_previoustransactionlinelink"
        " where nexttype = 'CustCred'",
    )
    qb_credits = _rows(
        con,
        "select max(invoice_id), max(credit_memo_id), max(amount::decimal(18, 2)) from qb_payment_line"
        f" where payment_id::bigint > {CREDIT_APPLICATION_ID_OFFSET} group by payment_id",
    )
    zero = _rows(
        con,
        "select distinct total_amount::decimal(18, 2) from qb_payment"
        f" where id::bigint > {CREDIT_APPLICATION_ID_OFFSET}",
    )
    assert len(ns_credits) > 0 and ns_credits == qb_credits and zero == {(0,)}


def test_the_ledger_of_journals_bills_and_revaluations_is_carried(con: duckdb.DuckDBPyConnection) -> None:
    ns = _rows(
        con,
        "select a.transaction, a.account, sum(a.amount::decimal(18, 2))"
        " from ns_transactionaccountingline as a join ns_transaction as t on t.id = a.transaction"
        " where t.type in ('Journal', 'VendBill', 'FxReval')"
        " group by all",
    )
    home = _rows(
        con,
        "select l.journal_entry_id, l.account_id, sum(case l.posting_type when 'Debit' then 1 else -1 end"
        " * round(l.amount::decimal(18, 2) * j.exchange_rate::decimal(18, 9), 2))"
        " from qb_journal_entry_line as l join qb_journal_entry as j on j.id = l.journal_entry_id"
        " group by all",
    )
    assert len(ns) > 100
    # in the home currency at the entry's rate, every account of every entry posts what NetSuite posted, but
    # for a cent of rounding on a foreign line
    posted = {(t, a): v for t, a, v in home}
    assert [(t, a, v, posted.get((t, a))) for t, a, v in ns if abs(v - posted.get((t, a), 0)) > 0.02] == []
    accounts = con.execute(
        "select count(*), count(distinct id), count(distinct source_relation) from qb_account"
    ).fetchone()
    assert accounts[0] == 3 * accounts[1] and accounts[2] == 3  # the chart in each company


def _night(landing: Path, night: str, csv_text: str) -> None:
    """One night's customer.csv and its completion marker."""
    folder = landing / "quickbooks" / night
    folder.mkdir(parents=True)
    data = csv_text.encode("utf-8")
    (folder / "customer.csv").write_bytes(data)
    entry = {"rows": csv_text.count("\n") - 1, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    marker = {"system": "quickbooks", "extract_date": night, "extract_type": "delta"}
    marker |= {"created_at": f"{night}T03:00:00", "files": {"customer.csv": entry}}
    (folder / COMPLETION_MARKER).write_text(json.dumps(marker), encoding="utf-8")


def test_source_relation_is_an_optional_key(tmp_path: Path) -> None:
    """A single-company export has no source_relation (null key part, compared null-safely: night 2's edit
    replaces night 1's row); in a multi-company one the same id in two companies is two records."""
    obj = load_contract("quickbooks").object("customer")
    single, multi = tmp_path / "single", tmp_path / "multi"
    _night(single, "2026-11-17", "id,display_name,updated_at\n1,Acme,2026-11-01 10:00:00\n")
    _night(single, "2026-11-18", "id,display_name,updated_at\n1,Acme Ltd,2026-11-02 10:00:00\n")
    _night(
        multi,
        "2026-11-17",
        "id,display_name,updated_at,source_relation\n1,Acme,2026-11-01 10:00:00,US01\n"
        "1,Globex,2026-11-01 10:00:00,UK01\n",
    )
    for landing, expected in (
        (single, [(None, "1", "Acme Ltd")]),
        (multi, [("UK01", "1", "Globex"), ("US01", "1", "Acme")]),
    ):
        with duckdb.connect(str(landing / "w.duckdb")) as c:
            results = list(load_object(c, landing, obj, "t1"))
            rows = c.execute(
                "select source_relation, id, display_name from raw_quickbooks.customer order by all"
            ).fetchall()
        assert sum(r.rows_rejected for r in results) == 0 and rows == expected
