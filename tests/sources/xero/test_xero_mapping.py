"""Xero quotes mapped onto the canonical ERP inputs as contracts, on a hand-made organisation worked out by
hand.

One organisation (no source_relation; base currency USD): contact C1 (account number C-1); PSA project 7 coded
P-7. Quotes: Q1 ACCEPTED, reference OPP-1 (the CRM opportunity), title P-7 (the PSA project), terms
"Fixed fee", expiring 2025-06-30, two lines of 600 and 400; Q2 INVOICED with the same reference a month
later (an amendment of Q1: a capped T&M extension of 250, terms "T&M"); Q3 SENT (a quote, not a contract) in
EUR; Q4 DECLINED.
Invoice I1 (reference OPP-1, as Xero copies it from the quote it is made from) has one line of 500 and 50 of
tax; invoice I2 (reference PO-9) names no quote. Only the Xero staging and ERP mapping are built.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import insert_rows, run_dbt

from ingestion.warehouse import ensure_warehouse

pytestmark = pytest.mark.slow  # a dbt build (Xero models only)

TS = "2025-02-06 12:00:00"


def _quote(qid: str, status: str, date: str, total: int, **extra: object) -> dict:
    head = {"quote_id": qid, "contact_id": "C1", "quote_number": f"QU-{qid}", "status": status, "date": date}
    return head | {"currency_code": "USD", "currency_rate": 1, "total": total, "sub_total": total} | extra


def _invoice(iid: str, reference: str, total: int, tax: int) -> dict:
    head = {"invoice_id": iid, "contact_id": "C1", "invoice_number": f"INV-{iid}", "reference": reference}
    return (
        head
        | {"type": "ACCREC", "status": "AUTHORISED", "date": "2025-02-01", "currency_code": "USD"}
        | {
            "currency_rate": 1,
            "line_amount_types": "Exclusive",
            "sub_total": total - tax,
            "total_tax": tax,
            "total": total,
            "amount_due": total,
        }
    )


def _line(key: str, doc: str, lid: str, amount: int, tax: int = 0) -> dict:
    return {key: doc, "line_item_id": lid, "item_code": "CONS", "quantity": 1, "unit_amount": amount} | {
        "line_amount": amount,
        "tax_amount": tax,
    }


ROWS: dict[str, list[dict]] = {
    "organization": [
        {"organisation_id": "ORG", "name": "Firm", "short_code": "US01", "base_currency": "USD"},
    ],
    "contact": [{"contact_id": "C1", "name": "Client One", "account_number": "C-1", "is_customer": True}],
    "quote": [
        _quote("Q1", "ACCEPTED", "2025-01-05", 1000, reference="OPP-1", title="P-7", terms="Fixed fee")
        | {"expiry_date": "2025-06-30"},
        _quote("Q2", "INVOICED", "2025-02-05", 250, reference="OPP-1", title="P-7", terms="T&M")
        | {"expiry_date": "2025-07-31"},
        _quote("Q3", "SENT", "2025-01-20", 800, reference="OPP-2") | {"currency_code": "EUR"},
        _quote("Q4", "DECLINED", "2025-01-21", 900, reference="OPP-3"),
    ],
    "quote_line_item": [
        _line("quote_id", "Q1", "Q1-a", 600),
        _line("quote_id", "Q1", "Q1-b", 400),
        _line("quote_id", "Q2", "Q2-a", 250),
        _line("quote_id", "Q3", "Q3-a", 800),
    ],
    "invoice": [_invoice("I1", " OPP-1 ", 550, 50), _invoice("I2", "PO-9", 100, 0)],
    "invoice_line_item": [
        _line("invoice_id", "I1", "I1-a", 500, 50),
        _line("invoice_id", "I2", "I2-a", 100),
    ],
}
PROJECTS = [
    {"id": 7, "code": "P-7", "name": "Project seven", "legal_entity": "US01", "billing_type": "fixed_fee"},
]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made organisation in raw_xero (and its PSA project), the Xero staging and mapping built."""
    tmp = tmp_path_factory.mktemp("xero_mapping")
    path = tmp / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_warehouse(con)
        for table, records in ROWS.items():
            insert_rows(con, f'raw_xero."{table}"', [{**r, "_fivetran_synced": TS} for r in records], TS)
        insert_rows(con, "raw_psa.projects", [{**r, "updated_at": TS} for r in PROJECTS], TS)
    select = ["path:models/staging/xero", "path:models/intermediate/erp_inputs/xero", "stg_psa__projects"]
    select += ["path:models/staging/fx_rates"]  # supplied rates (none landed here: document rates only)
    build = ["build", "--select", *select, "--indirect-selection", "cautious"]
    run_dbt(build, path, tmp / "target", {"THROUGHLINE_ERP": "xero"})
    return path


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_accepted_and_invoiced_quotes_are_contracts(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select transaction_id, status, entity_id, contract_type, parent_contract_transaction_id,"
        " crm_opportunity_id, psa_project_id, contract_end_date::varchar, total_amount, is_posting"
        " from intermediate.int_xero__erp_transactions where transaction_type = 'sales_order'",
    )
    d = Decimal
    assert set(rows) == {
        # reference = the opportunity, title = the PSA project's code, terms = the type, expiry = the end
        ("Q1", "paid_in_full", "C1", "fixed_fee", None, "OPP-1", "7", "2025-06-30", d("1000.00"), False),
        # invoiced: closed; a later contract quote with the same reference amends the first
        ("Q2", "closed", "C1", "time_and_materials", "Q1", "OPP-1", "7", "2025-07-31", d("250.00"), False),
    }  # Q3 (SENT) and Q4 (DECLINED) are quotes, not contracts


def test_quote_lines_and_the_invoice_made_from_the_quote(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select transaction_id, line_id, is_tax_line, amount_transaction, created_from_transaction_id"
        " from intermediate.int_xero__erp_transaction_lines where transaction_id in ('Q1', 'Q2', 'I1', 'I2')",
    )
    d = Decimal
    assert set(rows) == {
        ("Q1", 1, False, d("600.00"), None),
        ("Q1", 2, False, d("400.00"), None),
        ("Q2", 1, False, d("250.00"), None),
        # I1 carries the quote's reference: made from the first contract quote (Q1), on its total and item
        # lines, not its tax line
        ("I1", 0, False, d("550.00"), "Q1"),
        ("I1", 1, False, d("500.00"), "Q1"),
        ("I1", 9999, True, d("50.00"), None),
        ("I2", 0, False, d("100.00"), None),  # a PO reference: no quote
        ("I2", 1, False, d("100.00"), None),
    }
    postings = _query(
        warehouse,
        "select count(*) from intermediate.int_xero__erp_transaction_accounting_lines"
        " where transaction_id in ('Q1', 'Q2')",
    )
    assert postings == [(0,)]  # a contract posts nothing
