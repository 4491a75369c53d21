"""QuickBooks mapped onto the canonical ERP inputs, on a hand-made company whose ledger is worked out by hand.

One company (USD home currency): invoice 10 on a job of customer C1 (a sales line on the item's income
account, a discount, a subtotal that posts nothing, a second sales line, 80 of tax); EUR invoice 11 at 1.1;
credit memo 20 (50 + 4 of tax); payment 30 settling invoice 10 with cash and credit memo 20; EUR payment 31
at 1.2 paying 300 of invoice 11 (a realized exchange gain of 300 x (1.2 - 1.1) = 30); a journal entry.
Estimates: 50 on the job, accepted (a fixed fee of 1,200: 1,000 and 300 of I1 less a 100 discount, with a
description line), invoice 10 created from it; 51 on the job, closed (a capped T&M amendment of 200: the job's
second contract); 52 pending (a quote, no contract, though invoice 11 names it); 10 accepted on C1 (its id is
invoice 10's: EST-10). Only the QuickBooks models are built (a few seconds of dbt).

Several companies (``TWO_COMPANIES``, a second hand-made warehouse): US01 (USD) and UK01 (GBP) in one sync,
naming their company in ``source_relation``. Both number an invoice 10 and a customer C1 (made unique with the
company), share accounts 1-3 (same names: one chart) but not account 4 (a different tax account each); UK01's
invoice 11 is in USD at 0.8; UK01's credit memo 20 is applied to its invoice 10 by a zero payment 32 (how
QuickBooks records an application), so payment 30 settles the remaining 216; US01's customer ``IC UK01`` is
the sister company.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import insert_rows, run_dbt

from ingestion.warehouse import ensure_warehouse

pytestmark = pytest.mark.slow  # a dbt build (QuickBooks models only)

TS = "2025-02-06 12:00:00"
ACCOUNTS = [  # id, type, detail type
    ("1", "Accounts Receivable", "AccountsReceivable"),
    ("2", "Bank", "Checking"),
    ("3", "Income", "ServiceFeeIncome"),
    ("4", "Other Current Liability", "GlobalTaxPayable"),
    ("5", "Other Expense", "ExchangeGainOrLoss"),
    ("6", "Income", "DiscountsRefundsGiven"),
    ("7", "Other Current Liability", "DeferredRevenue"),
    ("8", "Other Current Asset", "UndepositedFunds"),
]
ROWS: dict[str, list[dict]] = {
    "account": [
        {
            "id": i,
            "name": f"A{i}",
            "account_type": t,
            "account_sub_type": s,
            "currency_id": "USD",
            "active": True,
        }
        for i, t, s in ACCOUNTS
    ],
    "customer": [
        {"id": "C1", "display_name": "Client One", "currency_id": "USD", "active": True},
        {
            "id": "J1",
            "display_name": "Client One:Job",
            "parent_customer_id": "C1",
            "job": True,
            "active": True,
        },
    ],
    "item": [{"id": "I1", "name": "Consulting", "type": "Service", "income_account_id": "3", "active": True}],
    "invoice": [
        {
            "id": "10",
            "doc_number": "1001",
            "customer_id": "J1",
            "transaction_date": "2025-01-10",
            "due_date": "2025-02-09",
            "currency_id": "USD",
            "total_amount": 1080,
            "total_tax": 80,
            "balance": 0,
        },
        {
            "id": "11",
            "doc_number": "1002",
            "customer_id": "C1",
            "transaction_date": "2025-01-15",
            "due_date": "2025-02-14",
            "currency_id": "EUR",
            "exchange_rate": 1.1,
            "total_amount": 500,
            "total_tax": 0,
            "balance": 200,
        },
    ],
    "invoice_line": [
        {
            "invoice_id": "10",
            "index": 0,
            "detail_type": "SalesItemLineDetail",
            "amount": 1000,
            "sales_item_item_id": "I1",
            "sales_item_quantity": 10,
            "sales_item_unit_price": 100,
        },
        {
            "invoice_id": "10",
            "index": 1,
            "detail_type": "DiscountLineDetail",
            "amount": 100,
            "discount_account_id": "6",
        },
        {"invoice_id": "10", "index": 2, "detail_type": "SubTotalLineDetail", "amount": 900},
        {
            "invoice_id": "10",
            "index": 3,
            "detail_type": "SalesItemLineDetail",
            "amount": 100,
            "sales_item_item_id": "I1",
            "sales_item_account_id": "3",
        },
        {
            "invoice_id": "11",
            "index": 0,
            "detail_type": "SalesItemLineDetail",
            "amount": 500,
            "sales_item_item_id": "I1",
        },
    ],
    "credit_memo": [
        {
            "id": "20",
            "doc_number": "CM1",
            "customer_id": "C1",
            "transaction_date": "2025-01-20",
            "currency_id": "USD",
            "total_amount": 54,
            "remaining_credit": 0,
        },
    ],
    "credit_memo_line": [{"credit_memo_id": "20", "index": 0, "amount": 50, "sales_item_item_id": "I1"}],
    "payment": [
        {
            "id": "30",
            "customer_id": "C1",
            "transaction_date": "2025-01-25",
            "currency_id": "USD",
            "total_amount": 1026,
            "unapplied_amount": 0,
            "deposit_to_account_id": "2",
        },
        {
            "id": "31",
            "customer_id": "C1",
            "transaction_date": "2025-02-05",
            "currency_id": "EUR",
            "exchange_rate": 1.2,
            "total_amount": 300,
            "unapplied_amount": 0,
        },
    ],
    "payment_line": [
        {"payment_id": "30", "index": 0, "amount": 1080, "invoice_id": "10"},
        {"payment_id": "30", "index": 1, "amount": 54, "credit_memo_id": "20"},
        {"payment_id": "31", "index": 0, "amount": 300, "invoice_id": "11"},
    ],
    "estimate": [
        {"id": "50", "doc_number": "E50", "customer_id": "J1", "transaction_date": "2025-01-05"}
        | {"expiration_date": "2025-06-30", "transaction_status": "Accepted", "currency_id": "USD"}
        | {"total_amount": 1200, "custom_crm_opportunity_id": "OPP1", "custom_contract_type": "Fixed fee"},
        {"id": "51", "doc_number": "E51", "customer_id": "J1", "transaction_date": "2025-02-01"}
        | {"expiration_date": "2025-07-31", "transaction_status": "Closed", "currency_id": "USD"}
        | {"total_amount": 200, "custom_contract_type": "TM", "custom_not_to_exceed": 250},
        {"id": "52", "doc_number": "E52", "customer_id": "C1", "transaction_date": "2025-01-12"}
        | {"transaction_status": "Pending", "currency_id": "EUR", "exchange_rate": 1.1, "total_amount": 500},
        {"id": "10", "doc_number": "E10", "customer_id": "C1", "transaction_date": "2025-01-01"}
        | {"expiration_date": "2025-12-31", "transaction_status": "Accepted", "total_amount": 500}
        | {"custom_contract_type": "RT"},
    ],
    "estimate_line": [
        {"estimate_id": "50", "index": 0, "amount": 1000, "sales_item_item_id": "I1"}
        | {"sales_item_service_date": "2025-01-06"},
        {"estimate_id": "50", "index": 1, "description": "Phase one"},
        {"estimate_id": "50", "index": 2, "amount": 100, "discount_account_id": "6"},
        {"estimate_id": "50", "index": 3, "amount": 300, "sales_item_item_id": "I1"}
        | {"sales_item_service_date": "2025-01-02"},
        {"estimate_id": "51", "index": 0, "amount": 200, "sales_item_item_id": "I1"},
        {"estimate_id": "52", "index": 0, "amount": 500, "sales_item_item_id": "I1"},
        {"estimate_id": "10", "index": 0, "amount": 500, "sales_item_item_id": "I1"},
    ],
    "invoice_linked_txn": [
        {"invoice_id": "10", "index": 0, "estimate_id": "50"},
        {"invoice_id": "10", "index": 1, "payment_id": "30"},
        {"invoice_id": "11", "index": 0, "estimate_id": "52"},
    ],
    "journal_entry": [
        {"id": "40", "doc_number": "JE1", "transaction_date": "2025-01-31", "currency_id": "USD"}
    ],
    "journal_entry_line": [
        {"journal_entry_id": "40", "index": 0, "account_id": "3", "amount": 100, "posting_type": "Debit"},
        {"journal_entry_id": "40", "index": 1, "account_id": "7", "amount": 100, "posting_type": "Credit"},
    ],
}


def _company(relation: str, rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {t: [{**r, "source_relation": relation} for r in rs] for t, rs in rows.items()}


def _acct(i: str, name: str, kind: str, detail: str, currency: str) -> dict:
    return {"id": i, "name": name, "account_type": kind, "account_sub_type": detail, "currency_id": currency}


def _chart(currency: str, tax_name: str) -> list[dict]:
    return [
        _acct("1", "AR", "Accounts Receivable", "AccountsReceivable", currency),
        _acct("2", "Bank", "Bank", "Checking", currency),
        _acct("3", "Fees", "Income", "ServiceFeeIncome", currency),
        _acct("4", tax_name, "Other Current Liability", "GlobalTaxPayable", currency),
    ]


def _invoice(i: str, total: int, tax: int, currency: str, rate: float = 1.0) -> dict:
    return {
        "id": i,
        "customer_id": "C1",
        "transaction_date": "2025-01-10",
        "currency_id": currency,
        "exchange_rate": rate,
        "total_amount": total,
        "total_tax": tax,
        "balance": 0,
    }


def _line(i: str, amount: int) -> dict:
    return {"invoice_id": i, "index": 0, "detail_type": "SalesItemLineDetail", "amount": amount} | {
        "account_id": "3"
    }


def _payment(i: str, total: int, currency: str) -> dict:
    head = {"id": i, "customer_id": "C1", "transaction_date": "2025-01-25", "currency_id": currency}
    return head | {"total_amount": total, "deposit_to_account_id": "2"}


US01 = _company(
    "US01",
    {
        "account": _chart("USD", "Sales tax"),
        "customer": [
            {"id": "C1", "display_name": "Client One", "currency_id": "USD"},
            {"id": "IC1", "display_name": "IC UK01", "currency_id": "USD"},
        ],
        "invoice": [_invoice("10", 110, 10, "USD")],
        "invoice_line": [_line("10", 100)],
        "payment": [_payment("31", 110, "USD")],
        "payment_line": [{"payment_id": "31", "index": 0, "amount": 110, "invoice_id": "10"}],
    },
)
UK01 = _company(
    "UK01",
    {
        "account": _chart("GBP", "VAT"),
        "customer": [{"id": "C1", "display_name": "Client UK", "currency_id": "GBP"}],
        "invoice": [_invoice("10", 240, 40, "GBP"), _invoice("11", 50, 0, "USD", 0.8)],
        "invoice_line": [_line("10", 200), _line("11", 50)],
        "credit_memo": [
            {"id": "20", "customer_id": "C1", "transaction_date": "2025-01-20", "currency_id": "GBP"}
            | {"total_amount": 24}
        ],
        "credit_memo_line": [
            {"credit_memo_id": "20", "index": 0, "amount": 20, "sales_item_account_id": "3"}
        ],
        "payment": [_payment("30", 216, "GBP"), _payment("32", 0, "GBP")],
        "payment_line": [
            {"payment_id": "30", "index": 0, "amount": 216, "invoice_id": "10"},
            {"payment_id": "32", "index": 0, "amount": 24, "invoice_id": "10"},
            {"payment_id": "32", "index": 1, "amount": 24, "credit_memo_id": "20"},
        ],
    },
)
TWO_COMPANIES = {t: US01.get(t, []) + UK01.get(t, []) for t in {*US01, *UK01}}


def _build(tmp: Path, rows: dict[str, list[dict]]) -> Path:
    """``rows`` in raw_quickbooks of a new warehouse, the QuickBooks staging and ERP mapping built on it."""
    path = tmp / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_warehouse(con)
        for table, records in rows.items():
            insert_rows(con, f'raw_quickbooks."{table}"', [_versioned(r) for r in records], TS)
    select = ["path:models/staging/quickbooks", "path:models/intermediate/quickbooks"]
    select += ["path:models/intermediate/erp_inputs/quickbooks", "stg_psa__projects"]  # jobs are PSA projects
    select += ["path:models/staging/fx_rates"]  # supplied rates (none landed here: document rates only)
    build = ["build", "--select", *select, "--indirect-selection", "cautious"]
    run_dbt(build, path, tmp / "target", {"THROUGHLINE_ERP": "quickbooks"})
    return path


def _versioned(row: dict) -> dict:
    """A line table (it has ``index``) is versioned by Fivetran's sync time, a header by ``updated_at``."""
    return {**row, ("_fivetran_synced" if "index" in row else "updated_at"): TS}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made single company (no source_relation), mapped."""
    return _build(tmp_path_factory.mktemp("quickbooks_mapping"), ROWS)


@pytest.fixture(scope="module")
def two_companies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made US01 and UK01 companies of one sync, mapped."""
    return _build(tmp_path_factory.mktemp("quickbooks_two_companies"), TWO_COMPANIES)


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_documents_become_transactions_with_unique_ids(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select transaction_id, transaction_type, entity_id, status, currency_id, exchange_rate"
        " from intermediate.int_quickbooks__erp_transactions",
    )
    assert set(rows) == {
        ("10", "invoice", "C1", "paid_in_full", "USD", 1.0),  # on job J1: the client is its parent
        ("11", "invoice", "C1", "open", "EUR", 1.1),
        ("CM-20", "credit_memo", "C1", "paid_in_full", "USD", 1.0),
        ("PMT-30", "payment", "C1", "closed", "USD", 1.0),
        ("PMT-31", "payment", "C1", "closed", "EUR", 1.2),
        ("JE-40", "journal", None, "paid_in_full", "USD", 1.0),
        ("50", "sales_order", "C1", "paid_in_full", "USD", 1.0),  # accepted estimates are contracts
        ("51", "sales_order", "C1", "closed", "USD", 1.0),  # closed: invoiced, still a contract
        ("EST-10", "sales_order", "C1", "paid_in_full", "USD", 1.0),  # invoice 10 has the id
    }  # the pending estimate 52 is a quote


def test_accepted_estimates_are_contracts(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select transaction_id, contract_type, nte_amount, parent_contract_transaction_id,"
        " crm_opportunity_id, contract_start_date::varchar, contract_end_date::varchar, total_amount,"
        " is_posting"
        " from intermediate.int_quickbooks__erp_transactions where transaction_type = 'sales_order'",
    )
    d = Decimal
    assert set(rows) == {
        # custom fields: opportunity and type; the earliest line service date starts it, expiration ends it
        ("50", "fixed_fee", None, None, "OPP1", "2025-01-02", "2025-06-30", d("1200.00"), False),
        # the job's second contract estimate amends its first
        ("51", "time_and_materials", d("250.00"), "50", None, None, "2025-07-31", d("200.00"), False),
        ("EST-10", "retainer", None, None, None, None, "2025-12-31", d("500.00"), False),  # not on a job
    }
    lines = _query(
        warehouse,
        "select transaction_id, line_id, item_id, amount_transaction, created_from_transaction_id"
        " from intermediate.int_quickbooks__erp_transaction_lines"
        " where transaction_id in ('50', '51', 'EST-10') or created_from_transaction_id is not null"
        " or transaction_id = '11'",
    )
    assert set(lines) == {
        ("50", 1, "I1", d("1000.00"), None),
        ("50", 3, None, d("-100.00"), None),  # the discount; the description line (index 1) is no line
        ("50", 4, "I1", d("300.00"), None),
        ("51", 1, "I1", d("200.00"), None),
        ("EST-10", 1, "I1", d("500.00"), None),
        # invoice 10 was created from estimate 50 (invoice_linked_txn): its total and item lines name it
        ("10", 0, None, d("1080.00"), "50"),
        ("10", 1, "I1", d("1000.00"), "50"),
        ("10", 2, None, d("-100.00"), "50"),
        ("10", 4, "I1", d("100.00"), "50"),
        # invoice 11 names the pending estimate 52, which is no contract
        ("11", 0, None, d("500.00"), None),
        ("11", 1, "I1", d("500.00"), None),
    }


def test_the_ledger_posts_each_document_as_quickbooks_does(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select transaction_id, line_id, account_id, amount_functional"
        " from intermediate.int_quickbooks__erp_transaction_accounting_lines",
    )
    d = Decimal
    assert {(t, n, a, v) for t, n, a, v in rows} == {
        ("10", 0, "1", d("1080.00")),  # receivable: the total
        ("10", 1, "3", d("-1000.00")),  # the item's income account
        ("10", 2, "6", d("100.00")),  # the discount is a debit; the subtotal (index 2) posts nothing
        ("10", 4, "3", d("-100.00")),
        ("10", 9999, "4", d("-80.00")),  # sales tax
        ("11", 0, "1", d("550.00")),  # EUR 500 at 1.1
        ("11", 1, "3", d("-550.00")),
        ("CM-20", 0, "1", d("-54.00")),  # the reverse of an invoice
        ("CM-20", 1, "3", d("50.00")),
        ("CM-20", 9999, "4", d("4.00")),  # its tax: the total less its lines
        ("PMT-30", 0, "2", d("1026.00")),
        ("PMT-30", 1, "1", d("-1026.00")),
        ("PMT-31", 0, "8", d("360.00")),  # no deposit account: undeposited funds, EUR 300 at 1.2
        ("PMT-31", 1, "1", d("-330.00")),  # receivable relieved at the invoice's 1.1
        ("PMT-31", 2, "5", d("-30.00")),  # the realized exchange gain
        ("JE-40", 1, "3", d("100.00")),
        ("JE-40", 2, "7", d("-100.00")),
    }


def test_payments_and_credit_memos_settle_invoices(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select previous_transaction_id, next_transaction_id, link_type, amount_transaction,"
        " amount_functional from intermediate.int_quickbooks__erp_transaction_links",
    )
    d = Decimal
    assert set(rows) == {
        ("10", "CM-20", "credit_memo_application", d("54.00"), d("54.00")),  # the credit memo goes first
        ("10", "PMT-30", "payment", d("1026.00"), d("1026.00")),
        ("11", "PMT-31", "payment", d("300.00"), d("360.00")),
    }


def test_one_company_its_currencies_rates_and_chart(warehouse: Path) -> None:
    subs = _query(
        warehouse,
        "select subsidiary_id, currency_id, legal_entity_code"
        " from intermediate.int_quickbooks__erp_subsidiaries",
    )
    assert subs == [("1", "USD", None)]
    rates = _query(
        warehouse,
        "select base_currency_id, transaction_currency_id, effective_date::varchar, exchange_rate"
        " from intermediate.int_quickbooks__erp_currency_rates",
    )
    assert set(rates) == {("USD", "EUR", "2025-01-15", 1.1), ("USD", "EUR", "2025-02-05", 1.2)}
    currencies = _query(
        warehouse,
        "select currency_id, is_base_currency, exchange_rate_to_base"
        " from intermediate.int_quickbooks__erp_currencies",
    )
    assert set(currencies) == {("USD", True, 1.0), ("EUR", False, 1.2)}
    types = dict(
        _query(warehouse, "select account_id, account_type from intermediate.int_quickbooks__erp_accounts")
    )
    assert types == {
        "1": "accounts_receivable",
        "2": "bank",
        "3": "income",
        "4": "other_current_liability",
        "5": "other_expense",
        "6": "income",
        "7": "deferred_revenue",
        "8": "other_current_asset",
    }


def test_each_company_is_a_legal_entity_and_its_keys_stay_apart(two_companies: Path) -> None:
    subs = _query(
        two_companies,
        "select subsidiary_id, currency_id, legal_entity_code, parent_subsidiary_id"
        " from intermediate.int_quickbooks__erp_subsidiaries",
    )
    # US01 keeps the reporting currency (USD): the base company, UK01's parent
    assert set(subs) == {("US01", "USD", "US01", None), ("UK01", "GBP", "UK01", "US01")}
    customers = _query(
        two_companies,
        "select customer_id, subsidiary_id, is_intercompany, representing_subsidiary_id"
        " from intermediate.int_quickbooks__erp_customers",
    )
    assert set(customers) == {
        ("US01:C1", "US01", False, None),  # both companies number a customer C1
        ("UK01:C1", "UK01", False, None),
        ("IC1", "US01", True, "UK01"),  # named IC UK01: the sister company
    }
    accounts = _query(two_companies, "select account_id from intermediate.int_quickbooks__erp_accounts")
    # accounts 1-3 have the same name in both companies (one chart); each company has its own tax account 4
    assert sorted(a for (a,) in accounts) == ["1", "2", "3", "UK01:4", "US01:4"]


def test_documents_post_in_their_company(two_companies: Path) -> None:
    rows = _query(
        two_companies,
        "select a.transaction_id, a.line_id, a.account_id, a.amount_functional, l.subsidiary_id"
        " from intermediate.int_quickbooks__erp_transaction_accounting_lines as a"
        " join intermediate.int_quickbooks__erp_transaction_lines as l using (transaction_line_id)",
    )
    d = Decimal
    assert set(rows) == {
        ("US01:10", 0, "1", d("110.00"), "US01"),
        ("US01:10", 1, "3", d("-100.00"), "US01"),
        ("US01:10", 9999, "US01:4", d("-10.00"), "US01"),  # US01's own tax account
        ("UK01:10", 0, "1", d("240.00"), "UK01"),
        ("UK01:10", 1, "3", d("-200.00"), "UK01"),
        ("UK01:10", 9999, "UK01:4", d("-40.00"), "UK01"),
        ("11", 0, "1", d("40.00"), "UK01"),  # USD 50 at 0.8 into UK01's GBP
        ("11", 1, "3", d("-40.00"), "UK01"),
        ("CM-20", 0, "1", d("-24.00"), "UK01"),
        ("CM-20", 1, "3", d("20.00"), "UK01"),
        ("CM-20", 9999, "UK01:4", d("4.00"), "UK01"),
        ("PMT-30", 0, "2", d("216.00"), "UK01"),
        ("PMT-30", 1, "1", d("-216.00"), "UK01"),
        ("PMT-31", 0, "2", d("110.00"), "US01"),
        ("PMT-31", 1, "1", d("-110.00"), "US01"),
    }  # the zero payment 32 posts nothing
    types = _query(two_companies, "select transaction_id from intermediate.int_quickbooks__erp_transactions")
    assert "PMT-32" not in {t for (t,) in types} and len(types) == 6
    links = _query(
        two_companies,
        "select previous_transaction_id, next_transaction_id, link_type, amount_transaction"
        " from intermediate.int_quickbooks__erp_transaction_links",
    )
    assert set(links) == {
        ("US01:10", "PMT-31", "payment", d("110.00")),
        ("UK01:10", "CM-20", "credit_memo_application", d("24.00")),  # the zero payment's application
        ("UK01:10", "PMT-30", "payment", d("216.00")),
    }
    # only the base company's documents quote rates to the base currency: UK01's USD invoice is GBP per USD
    rates = "select count(*) from intermediate.int_quickbooks__erp_currency_rates"
    assert _query(two_companies, rates) == [(0,)]
