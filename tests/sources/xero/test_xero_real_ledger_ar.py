"""The issue's proof on the real Xero ledger (../shared/external/xero, Fivetran's dbt_xero seeds): with Xero
as the firm's ERP, the canonical AR open items, aging and DSO agree with figures this test computes itself
from the raw CSV files with pandas (docs/metrics.md, "DSO, aging, WIP and lock-up"), and what does not join is
reported. Skips when the folder is absent. One dbt run of the AR chain (about a minute alone).
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from throughline import xero

pytestmark = [
    pytest.mark.shared,
    pytest.mark.slow,
    pytest.mark.skipif(
        not xero.XERO_FOLDER.is_dir(),
        reason=f"the real Xero ledger is not on this machine ({xero.XERO_FOLDER}); set THROUGHLINE_XERO_DIR",
    ),
]

BASE = "CAD"  # the organisation's base currency (every CAD document is booked at rate 1)
AR_ACCOUNT = "610"
MAX_GAP_DAYS = 5  # var fx_max_gap_days
BUCKETS = ((0, "Current"), (30, "1-30"), (60, "31-60"), (90, "61-90"))  # var ar_aging_bucket_edges
SELECT = "+kpi_dso_monthly +kpi_ar_aging_monthly +int_ar_open_items_as_of int_xero__unjoined"


def _csv(table: str) -> pd.DataFrame:
    return pd.read_csv(xero.XERO_FOLDER / f"xero_{table}_data.csv", dtype=str, keep_default_na=False)


def _num(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    for c in cols:
        frame[c] = pd.to_numeric(frame[c].replace("", "0"))
    return frame


@pytest.fixture(scope="module")
def raw() -> dict[str, pd.DataFrame]:
    """The raw files, typed here (not by the loader)."""
    return read_raw()


def read_raw() -> dict[str, pd.DataFrame]:
    """The raw files as pandas frames, typed here (not by the loader); posted = authorised or paid."""
    inv = _num(_csv("invoice"), "total", "total_tax", "amount_paid", "amount_credited", "amount_due")
    inv["currency_rate"] = pd.to_numeric(inv["currency_rate"].replace("", "1"))
    for c in ("date", "due_date", "fully_paid_on_date"):
        inv[c] = pd.to_datetime(inv[c].replace("", None)).dt.date
    inv["updated"] = pd.to_datetime(inv["updated_date_utc"].str.removesuffix(" UTC"), format="ISO8601")
    lines = _num(_csv("invoice_line_item"), "line_amount", "tax_amount")
    journals = _csv("journal")
    journals["journal_date"] = pd.to_datetime(journals["journal_date"]).dt.date
    jl = _num(_csv("journal_line"), "net_amount").merge(journals, on="journal_id")
    posted = inv[inv["status"].isin(["AUTHORISED", "PAID"])]
    return {
        "sales": posted[posted["type"] == "ACCREC"].copy(),
        "posted": posted,
        "lines": lines,
        "gl": jl,
        "journals": journals,
        "contacts": _csv("contact"),
        "invoices": inv,
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed export loaded and the AR chain built with THROUGHLINE_ERP=xero."""
    tmp = tmp_path_factory.mktemp("xero_ar")
    built = tmp / "xero.duckdb"
    xero.load(xero.XERO_FOLDER, built, tmp / "landing")
    done = xero.build(built, tmp / "target", select=SELECT, command="run")
    assert done.returncode == 0, done.stdout[-4000:]
    return built


def _query(warehouse: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).df()


def _bucket(days_past_due: int) -> str:
    return next((name for edge, name in BUCKETS if days_past_due <= edge), "90+")


def _open_at(sales: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Open sales invoices at ``day`` by the header: the whole total until the day it was fully settled."""
    items = sales[sales["date"] <= day].copy()
    settled = items["fully_paid_on_date"].notna() & (items["fully_paid_on_date"] <= day)
    items["open"] = items["total"] - (items["amount_paid"] + items["amount_credited"]).where(settled, 0)
    items["bucket"] = [_bucket((day - d).days) for d in items["due_date"]]
    return items[items["open"] != 0]


def _gl_ar(raw: dict[str, pd.DataFrame], day: dt.date) -> float:
    gl = raw["gl"]
    return float(gl.loc[(gl["account_code"] == AR_ACCOUNT) & (gl["journal_date"] <= day), "net_amount"].sum())


def _daily_rates(raw: dict[str, pd.DataFrame]) -> dict[str, pd.Series]:
    """Base per unit of each foreign currency by day: the rate of the day's most recently changed posted
    document (1 / Xero's currency_rate), carried forward at most MAX_GAP_DAYS days."""
    docs = raw["posted"][raw["posted"]["currency_code"] != BASE].sort_values("updated")
    out = {}
    for code, d in docs.groupby("currency_code"):
        observed = (1 / d.groupby("date")["currency_rate"].last()).sort_index()
        days = pd.date_range(min(observed.index), max(observed.index) + dt.timedelta(MAX_GAP_DAYS)).date
        out[code] = observed.reindex(days).ffill(limit=MAX_GAP_DAYS)
        out[code].attrs["observed"] = set(observed.index)
    return out


def _closing(rates: dict[str, pd.Series], code: str, month_end: dt.date) -> float:
    return 1.0 if code == BASE else float(rates[code].get(month_end, float("nan")))


def _average(rates: dict[str, pd.Series], code: str, start: dt.date, end: dt.date) -> float:
    if code == BASE:
        return 1.0
    s = rates[code]
    month = s[[start <= d <= end for d in s.index]]
    seen = month[[d in s.attrs["observed"] for d in month.index]]
    return float((seen if len(seen) else month).mean())


def test_open_items_per_contact_and_aging_at_the_ledger_date(warehouse: Path, raw: dict) -> None:
    """As of the ledger's last document date, each contact's open AR is what Xero says is still due."""
    items = _query(warehouse, "select * from intermediate.int_ar_open_items_as_of where open_amount <> 0")
    as_of = items["as_of_date"].iloc[0].date()
    last = max(
        raw["invoices"].loc[raw["invoices"]["status"] != "DELETED", "date"].max(),
        raw["journals"]["journal_date"].max(),
    )
    assert as_of == last == dt.date(2021, 3, 17)
    sales = raw["sales"][raw["sales"]["amount_due"] != 0]
    expected = sales.groupby("contact_id")["amount_due"].sum().round(2).to_dict()
    got = items.groupby("erp_customer_id")["open_amount"].sum().astype(float).round(2).to_dict()
    assert got == expected and len(expected) >= 5 and round(sum(expected.values()), 2) == 42841.00
    buckets = sales.assign(b=[_bucket((as_of - d).days) for d in sales["due_date"]]).groupby("b")[
        "amount_due"
    ]
    got_buckets = items.groupby("aging_bucket")["open_amount"].sum().astype(float).round(2).to_dict()
    assert got_buckets == buckets.sum().round(2).to_dict()


def test_month_end_ar_ties_to_the_gl_control_account(warehouse: Path, raw: dict) -> None:
    """At every month end the open items at their invoices' own rates are the GL balance of the AR control
    account: the payment dates read from the payment journals are right, instalments included."""
    items = _query(
        warehouse, "select as_of_date, invoice_transaction_id, open_amount from marts.fct_ar_open_items"
    )
    rate = raw["sales"].set_index("invoice_id")["currency_rate"]
    items["base"] = items["open_amount"].astype(float) / items["invoice_transaction_id"].map(rate)
    month_ends = sorted(items["as_of_date"].dt.date.unique())
    assert len(month_ends) == 16 and month_ends[-1] == dt.date(2021, 2, 28)
    for m in month_ends:
        sub = float(items.loc[items["as_of_date"].dt.date == m, "base"].sum())
        assert abs(sub - _gl_ar(raw, m)) < 0.05, m


def test_month_end_open_items_and_aging_match_the_raw_files(warehouse: Path, raw: dict) -> None:
    """Per invoice and per aging bucket at each month end where the invoice headers alone settle the question
    (their open total ties to the GL); at the other month end an invoice was part-paid in instalments."""
    items = _query(warehouse, "select * from marts.fct_ar_open_items where open_amount <> 0")
    aging = _query(warehouse, "select * from marts.kpi_ar_aging_monthly where not is_consolidated")
    rates = _daily_rates(raw)
    checked = []
    for m in sorted(items["as_of_date"].dt.date.unique()):
        expected = _open_at(raw["sales"], m)
        if abs((expected["open"] / expected["currency_rate"]).sum() - _gl_ar(raw, m)) > 0.05:
            continue  # a partial payment the header cannot date: covered by the GL tie-out
        checked.append(m)
        got = items[items["as_of_date"].dt.date == m]
        assert dict(
            zip(got["invoice_transaction_id"], got["open_amount"].astype(float).round(2), strict=True)
        ) == dict(zip(expected["invoice_id"], expected["open"].round(2), strict=True)), m
        kpi = aging[aging["month_end_date"].dt.date == m].groupby("aging_bucket")
        expected["entity"] = [
            o * _closing(rates, c, m)
            for o, c in zip(expected["open"], expected["currency_code"], strict=True)
        ]
        want = expected.groupby("bucket").agg(n=("invoice_id", "count"), amount=("entity", "sum"))
        assert kpi["open_invoice_count"].sum().to_dict() == want["n"].to_dict(), m
        got_amount = kpi["open_amount_entity"].sum().astype(float)
        assert (got_amount - want["amount"]).abs().max() < 0.05, m
    assert len(checked) == 15 and dt.date(2021, 2, 28) not in checked


def test_dso_follows_the_written_definition(warehouse: Path, raw: dict) -> None:
    """Simple DSO per month end (entity rows, base currency): AR net of tax at the closing rate over the last
    three calendar months' credit sales (lines net of tax, at each month's average rate) times their days."""
    dso = _query(warehouse, "select * from marts.kpi_dso_monthly where not is_consolidated")
    items = _query(warehouse, "select * from marts.fct_ar_open_items where open_amount <> 0")
    rates = _daily_rates(raw)
    lines = raw["lines"].merge(raw["sales"], on="invoice_id", suffixes=("", "_inv"))
    inclusive = lines["line_amount_types"] == "Inclusive"
    lines["net"] = lines["line_amount"] - lines["tax_amount"].where(inclusive, 0)
    lines["month"] = [d.replace(day=1) for d in lines["date"]]
    first = min(lines["month"])
    assert len(dso) == 16
    for row in dso.itertuples():
        m = row.month_end_date.date()
        months = [(m.replace(day=1) - pd.DateOffset(months=k)).date() for k in range(3)]
        months = [s for s in months if s >= first]  # the entity's spine starts at its first billing month
        days = sum(calendar.monthrange(s.year, s.month)[1] for s in months)
        sales = sum(
            g["net"].sum() * _average(rates, code, s, (s + pd.offsets.MonthEnd(0)).date())
            for s in months
            for code, g in lines[lines["month"] == s].groupby("currency_code")
        )
        open_m = items[items["as_of_date"].dt.date == m]
        ar = sum(
            float(o) * (1 - float(t) / float(g)) * _closing(rates, c, m)
            for o, t, g, c in zip(
                open_m["open_amount"],
                open_m["tax_amount"],
                open_m["original_amount"],
                open_m["transaction_currency_code"],
                strict=True,
            )
        )
        assert row.dso_window_days == days, m
        assert (
            abs(float(row.ar_entity) - ar) < 0.05
            and abs(float(row.credit_sales_window_entity) - sales) < 0.05
        )
        assert float(row.dso_simple_days) == round(ar / sales * days, 2), m


def test_what_does_not_join_is_reported(warehouse: Path, raw: dict) -> None:
    """The seeds join almost entirely: the one contact no document names is reported, nothing is dropped."""
    got = _query(warehouse, "select entity, record_id, link, missing_id from intermediate.int_xero__unjoined")
    named = set(raw["invoices"]["contact_id"]) | set(_csv("credit_note")["contact_id"])
    named |= set(_csv("bank_transaction")["contact_id"])
    unused = sorted(set(raw["contacts"]["contact_id"]) - named)
    orphans = {
        ("journal_line", "account_id"): set(raw["gl"]["account_id"]) - set(_csv("account")["account_id"])
    }
    orphans = {k: v - {""} for k, v in orphans.items()}
    assert (
        sorted(got.loc[got["link"] == "referenced_by_document", "record_id"]) == unused and len(unused) == 1
    )
    assert set(got["link"]) == {"referenced_by_document"} and orphans == {
        ("journal_line", "account_id"): set()
    }
