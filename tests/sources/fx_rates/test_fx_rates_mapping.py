"""Supplied exchange rates (ingestion/contracts/fx_rates.yml) as the rate table of an ERP that exports none,
on a hand-made QuickBooks company whose rates are worked out by hand (macro supplied_rate_ctes).

One company, home currency USD, invoices in EUR (2025-01-15 at 1.1), GBP (2025-01-16 at 1.3) and CAD
(2025-01-20 at 0.7). Landed through the loader: the firm's daily_rates.csv (EUR,USD,1.08 on the 15th; the
base quoted the other way round, USD,EUR,0.925, on the 16th) and the ECB file as published (15th: USD 1.05,
GBP 0.84; 17th: USD 1.10, GBP 0.88; JPY N/A, CAD absent). By hand:

- EUR/USD: the 15th is quoted by both files, the firm's own 1.08 wins over the ECB's 1.05; the 16th stays as
  quoted (1 USD = 0.925 EUR: the FX model inverts it, 1 EUR = 1.081081 USD); the 17th from the ECB, 1.10;
- GBP has no quote against USD: crossed through EUR on the days both are quoted: the 15th 1.08 / 0.84 =
  1.285714 (the firm's EUR/USD, the ECB's EUR/GBP), the 17th 1.10 / 0.88 = 1.25; the 16th has no EUR/GBP, so
  no rate (a gap, not the GBP invoice's 1.3);
- JPY is no ledger currency; CAD is in no supplied file, so its document rate stays (0.7 on the 20th).

Without a rates file the same company gets today's document rates (tests/sources/quickbooks/
test_quickbooks_mapping.py, which lands none).
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest
from dbt_raw_fixtures import insert_rows, run_dbt

from ingestion.contract import load_contract
from ingestion.load import load_object, new_load_id
from ingestion.warehouse import ensure_warehouse

sys.path.insert(0, str(Path(__file__).parents[2] / "ingestion"))
from landing_files import csv_text, write_extract  # noqa: E402

pytestmark = pytest.mark.slow  # a dbt build (QuickBooks and FX models only)

TS = "2025-02-06 12:00:00"


def _invoice(i: str, day: str, currency: str, rate: float) -> dict:
    return {
        "id": i,
        "customer_id": "C1",
        "transaction_date": day,
        "currency_id": currency,
        "exchange_rate": rate,
        "total_amount": 100,
        "total_tax": 0,
        "balance": 100,
    }


ROWS: dict[str, list[dict]] = {
    "account": [
        {"id": "1", "name": "AR", "account_type": "Accounts Receivable", "currency_id": "USD"},
        {"id": "2", "name": "Fees", "account_type": "Income", "currency_id": "USD"},
    ],
    "customer": [{"id": "C1", "display_name": "Client One", "currency_id": "USD"}],
    "invoice": [
        _invoice("11", "2025-01-15", "EUR", 1.1),
        _invoice("12", "2025-01-16", "GBP", 1.3),
        _invoice("13", "2025-01-20", "CAD", 0.7),
    ],
    "invoice_line": [
        {"invoice_id": i, "index": 0, "detail_type": "SalesItemLineDetail", "amount": 100, "account_id": "2"}
        for i in ("11", "12", "13")
    ],
}
DAILY = csv_text(
    "rate_date,base_currency,quote_currency,rate",
    "2025-01-15,EUR,USD,1.08",
    "2025-01-16,USD,EUR,0.925",
)
ECB_CODES = [c.upper() for c in load_contract("fx_rates").object("ecb_reference_rates").column_names[1:]]


def _ecb_line(day: str, rates: dict[str, str]) -> str:
    return ",".join([day, *(rates.get(c, "N/A") for c in ECB_CODES if c != "CAD")]) + ","


ECB = csv_text(
    ",".join(["Date", *(c for c in ECB_CODES if c != "CAD")]) + ",",  # CAD's column absent: still loads
    _ecb_line("2025-01-17", {"USD": "1.10", "GBP": "0.88"}),
    _ecb_line("2025-01-15", {"USD": "1.05", "GBP": "0.84"}),
)


def _land_rates(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    write_extract(landing, "fx_rates", "2025-01-17", {"daily_rates.csv": DAILY, "eurofxref-hist.csv": ECB})
    load_id = new_load_id()
    for obj in load_contract("fx_rates").objects:
        for r in load_object(con, landing, obj, load_id):
            assert (r.rows_loaded, r.rows_rejected) == (2, 0), r.message


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The company and the supplied rates in a new warehouse, the QuickBooks mapping and FX models built."""
    tmp = tmp_path_factory.mktemp("fx_rates_mapping")
    path = tmp / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        ensure_warehouse(con)
        for table, records in ROWS.items():
            versioned = [{**r, ("_fivetran_synced" if "index" in r else "updated_at"): TS} for r in records]
            insert_rows(con, f'raw_quickbooks."{table}"', versioned, TS)
        _land_rates(con, tmp / "landing")
    select = ["path:models/staging/quickbooks", "path:models/intermediate/quickbooks"]
    select += ["path:models/intermediate/erp_inputs/quickbooks", "stg_psa__projects"]
    select += ["path:models/staging/fx_rates", "int_fx_base_rates_daily"]
    build = ["build", "--select", *select, "--indirect-selection", "cautious"]
    run_dbt(build, path, tmp / "target", {"THROUGHLINE_ERP": "quickbooks"})
    return path


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_ecb_file_is_unpivoted_with_base_eur(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select rate_date::varchar, base_currency_code, quote_currency_code, rate"
        " from staging.stg_fx_rates__ecb_reference_rates where quote_currency_code in ('USD', 'GBP', 'JPY')",
    )
    assert sorted(rows) == [
        ("2025-01-15", "EUR", "GBP", 0.84),
        ("2025-01-15", "EUR", "USD", 1.05),
        ("2025-01-17", "EUR", "GBP", 0.88),
        ("2025-01-17", "EUR", "USD", 1.10),
    ]  # JPY's N/A is no rate


def test_supplied_rates_are_the_rate_table_documents_fill_uncovered_pairs(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select currency_rate_id, base_currency_id, transaction_currency_id, effective_date::varchar,"
        " round(exchange_rate, 6), source_system from intermediate.int_quickbooks__erp_currency_rates",
    )
    assert sorted(rows) == [
        ("1", "USD", "EUR", "2025-01-15", 1.08, "fx_rates"),  # the firm's own rate beats the ECB's 1.05
        ("2", "EUR", "USD", "2025-01-16", 0.925, "fx_rates"),  # 1 USD = 0.925 EUR, kept the way it was quoted
        ("3", "USD", "EUR", "2025-01-17", 1.10, "fx_rates"),
        ("4", "USD", "GBP", "2025-01-15", 1.285714, "fx_rates"),  # 1.08 / 0.84 through EUR
        ("5", "USD", "GBP", "2025-01-17", 1.25, "fx_rates"),  # 1.10 / 0.88
        ("CAD-2025-01-20", "USD", "CAD", "2025-01-20", 0.7, "quickbooks"),  # no file quotes CAD
    ]


def test_daily_rates_to_the_base(warehouse: Path) -> None:
    rows = _query(
        warehouse,
        "select rate_date::varchar, currency_code, round(rate_to_base, 6), rate_status"
        " from intermediate.int_fx_base_rates_daily"
        " where currency_code in ('EUR', 'GBP') and rate_date <= date '2025-01-17'",
    )
    assert sorted(rows) == [
        ("2025-01-15", "EUR", 1.08, "observed"),
        ("2025-01-15", "GBP", 1.285714, "observed"),
        ("2025-01-16", "EUR", 1.081081, "observed"),  # 1 / 0.925
        ("2025-01-16", "GBP", 1.285714, "carried_forward"),  # not the GBP invoice's 1.3
        ("2025-01-17", "EUR", 1.10, "observed"),
        ("2025-01-17", "GBP", 1.25, "observed"),
    ]
