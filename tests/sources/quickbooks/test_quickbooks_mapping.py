"""QuickBooks mapped onto the canonical ERP inputs, on a hand-made company whose ledger is worked out by hand.

One company (USD home currency): invoice 10 on a job of customer C1 (a sales line on the item's income
account, a discount, a subtotal that posts nothing, a second sales line, 80 of tax); EUR invoice 11 at 1.1;
credit memo 20 (50 + 4 of tax); payment 30 settling invoice 10 with cash and credit memo 20; EUR payment 31
at 1.2 paying 300 of invoice 11 (a realized exchange gain of 300 x (1.2 - 1.1) = 30); a journal entry. Only
the QuickBooks models are built (a few seconds of dbt).
"""

from __future__ import annotations

import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from ingestion.warehouse import ensure_warehouse
from orchestration.dbt_project import DBT_PROJECT_DIR, dbt_env, dbt_executable

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
    "journal_entry": [
        {"id": "40", "doc_number": "JE1", "transaction_date": "2025-01-31", "currency_id": "USD"}
    ],
    "journal_entry_line": [
        {"journal_entry_id": "40", "index": 0, "account_id": "3", "amount": 100, "posting_type": "Debit"},
        {"journal_entry_id": "40", "index": 1, "account_id": "7", "amount": 100, "posting_type": "Credit"},
    ],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made company in raw_quickbooks, with the QuickBooks staging and ERP mapping built on it."""
    tmp = tmp_path_factory.mktemp("quickbooks_mapping")
    path = tmp / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_warehouse(con)
        for table, rows in ROWS.items():
            for i, row in enumerate(rows, 1):
                full = {**row, "_source_file": f"quickbooks/{table}.csv", "_source_row": i}
                full |= {"_extract_date": TS[:10], "_loaded_at": TS, "_is_deleted": False}
                full |= {"updated_at": TS} if "index" not in row else {"_fivetran_synced": TS}
                cols = ", ".join(f'"{k}"' for k in full)
                marks = ", ".join("?" for _ in full)
                con.execute(
                    f'insert into raw_quickbooks."{table}" ({cols}) values ({marks})', list(full.values())
                )
    select = ["path:models/staging/quickbooks", "path:models/intermediate/quickbooks"]
    select += ["path:models/intermediate/erp_inputs/quickbooks"]
    cmd = [dbt_executable(), "build", "--select", *select, "--profiles-dir", str(DBT_PROJECT_DIR)]
    cmd += ["--target-path", str(tmp / "target")]
    env = {**dbt_env(path), "THROUGHLINE_ERP": "quickbooks"}
    proc = subprocess.run(cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-4000:]
    return path


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
