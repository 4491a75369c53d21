"""The cash-risk features' stored sums (``orchestration/assets/cash_risk_features.py``): a night recomputes
only the invoices a changed input reaches, and its features equal those of a build from empty after every
kind of change an ERP night brings (a settlement, a credit, a new invoice, a deletion, a re-dating, an
invoice moved to another client, another late threshold)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import duckdb
import numpy as np
import pandas as pd
import pytest

from orchestration.assets import cash_risk_features
from orchestration.assets.anomalies import FEATURE_VERSION, RECENCY_HALF_LIFE_DAYS, load_features
from orchestration.assets.cash_risk_features import HISTORY_TABLE, refresh_history

START = date(2026, 1, 1)


def _firm(seed: int = 7, invoices: int = 60) -> duckdb.DuckDBPyConnection:
    """Three clients' invoices over a year, two thirds settled (some late), and credits on a few."""
    rng = np.random.default_rng(seed)
    con = duckdb.connect()
    con.execute("create schema anomalies; create schema intermediate")
    rows = []
    for n in range(invoices):
        issued = START + timedelta(days=int(rng.integers(0, 360)))
        due = issued + timedelta(days=30)
        settled = issued + timedelta(days=int(rng.integers(5, 90))) if rng.uniform() < 0.67 else None
        amount = round(float(rng.uniform(100, 5000)), 2)
        rows.append((f"i{n:02d}", f"c{n % 3}", issued, due, amount, settled))
    frame = pd.DataFrame(rows, columns=["id", "client", "issued", "due", "amount", "settled"])
    con.register("_rows", frame)
    con.execute(
        """create table anomalies.anomaly_invoice_outcomes as select id as invoice_transaction_id,
            id as invoice_number, client as erp_customer_id, 'k' || client as client_key, 'p' as project_key,
            'e1' as legal_entity_key, 'USD' as transaction_currency_code, issued::date as invoice_date,
            due::date as due_date, amount::decimal(18, 2) as original_amount,
            0::decimal(38, 2) as open_amount,
            settled::date as settled_on, settled is null as is_open, true as is_outcome_known,
            false as is_late, 0::bigint as days_past_due_tonight, date '2027-01-31' as as_of_date
        from _rows"""
    )
    con.execute(
        """create table intermediate.int_ar_applications as select * from (values
            ('i03', 'credit_memo', date '2026-03-01', 10.0), ('i07', 'credit_memo', date '2026-06-15', 20.0),
            ('i07', 'payment', date '2026-06-20', 30.0)
        ) t(invoice_transaction_id, application_type, application_date, applied_amount)"""
    )
    return con


def _from_empty(con: duckdb.DuckDBPyConnection, late_days: int = 30) -> pd.DataFrame:
    """The features a build from empty computes on the same data (the stored sums dropped first)."""
    con.execute(f"drop table if exists {HISTORY_TABLE}")
    return load_features(con, late_days)


def _id(con: duckdb.DuckDBPyConnection, n: int) -> str:
    """The n-th invoice of the firm by date (ids are random in time)."""
    return con.execute(
        "select invoice_transaction_id from anomalies.anomaly_invoice_outcomes "
        "order by invoice_date, invoice_transaction_id limit 1 offset ?",
        [n],
    ).fetchall()[0][0]


def _settle_an_open_invoice(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "update anomalies.anomaly_invoice_outcomes set settled_on = invoice_date + 45, is_open = false "
        "where invoice_transaction_id = (select min(invoice_transaction_id) "
        "from anomalies.anomaly_invoice_outcomes where settled_on is null)"
    )


def _credit_an_old_invoice(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "insert into intermediate.int_ar_applications values (?, 'credit_memo', date '2026-04-02', 5)",
        [_id(con, 10)],
    )


def _credit_dated_before_its_invoice(con: duckdb.DuckDBPyConnection) -> None:
    """A data error the features still count: the credit counts from its own date, before its invoice's."""
    con.execute(
        "insert into intermediate.int_ar_applications values (?, 'credit_memo', date '2026-02-01', 5)",
        [_id(con, 50)],
    )


def _add_an_invoice(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "insert into anomalies.anomaly_invoice_outcomes select * replace ('new' as invoice_transaction_id, "
        "invoice_date - 100 as invoice_date, due_date - 100 as due_date, null as settled_on) "
        "from anomalies.anomaly_invoice_outcomes where invoice_transaction_id = ?",
        [_id(con, 40)],
    )


def _delete_an_invoice(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "delete from anomalies.anomaly_invoice_outcomes where invoice_transaction_id = ?", [_id(con, 5)]
    )


def _redate_an_invoice_later(con: duckdb.DuckDBPyConnection) -> None:
    """Its old date still counts: the invoices between its old and new date lose it."""
    con.execute(
        "update anomalies.anomaly_invoice_outcomes set invoice_date = invoice_date + 120, "
        "due_date = due_date + 120 where invoice_transaction_id = ?",
        [_id(con, 8)],
    )


def _move_an_invoice_to_another_client(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "update anomalies.anomaly_invoice_outcomes set erp_customer_id = 'c9' "
        "where invoice_transaction_id = ?",
        [_id(con, 12)],
    )


CHANGES: dict[str, Callable[[duckdb.DuckDBPyConnection], None]] = {
    "settlement": _settle_an_open_invoice,
    "credit": _credit_an_old_invoice,
    "early credit": _credit_dated_before_its_invoice,
    "new invoice": _add_an_invoice,
    "deletion": _delete_an_invoice,
    "re-dating": _redate_an_invoice_later,
    "another client": _move_an_invoice_to_another_client,
}


def _assert_same(night: pd.DataFrame, empty: pd.DataFrame) -> None:
    key = ["invoice_transaction_id"]
    pd.testing.assert_frame_equal(
        night.sort_values(key).reset_index(drop=True), empty.sort_values(key).reset_index(drop=True)
    )


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_night_after_a_change_equals_a_build_from_empty(change: str) -> None:
    con = _firm()
    load_features(con)  # last night: every invoice computed and stored
    CHANGES[change](con)
    night = load_features(con)
    recomputed = night.attrs["history_recomputed"]
    assert 0 < recomputed < len(night), change  # something, not everything
    _assert_same(night, _from_empty(con))


def test_every_change_on_one_night_equals_a_build_from_empty() -> None:
    con = _firm(seed=11)
    load_features(con)
    for change in CHANGES.values():
        change(con)
    _assert_same(load_features(con), _from_empty(con))


def test_a_night_with_nothing_changed_recomputes_nothing() -> None:
    con = _firm()
    first = load_features(con)
    assert first.attrs["history_recomputed"] == len(first)  # nothing stored yet: every invoice
    again = load_features(con)
    assert again.attrs["history_recomputed"] == 0
    _assert_same(again, first)


def test_a_settlement_recomputes_only_the_clients_invoices_dated_after_the_settled_invoice() -> None:
    """The settled invoice counts only for its client's later invoices (and itself): none other is read."""
    con = _firm()
    load_features(con)
    [(settled, client, issued)] = con.execute(
        "select invoice_transaction_id, erp_customer_id, invoice_date "
        "from anomalies.anomaly_invoice_outcomes where settled_on is null "
        "order by invoice_transaction_id limit 1"
    ).fetchall()
    _settle_an_open_invoice(con)
    [(later,)] = con.execute(
        "select count(*) from anomalies.anomaly_invoice_outcomes "
        "where erp_customer_id = ? and invoice_date > ?",
        [client, issued],
    ).fetchall()
    assert load_features(con).attrs["history_recomputed"] == later + 1, settled


def test_another_late_threshold_recomputes_every_invoice() -> None:
    con = _firm()
    load_features(con, late_days=30)
    night = load_features(con, late_days=45)
    assert night.attrs["history_recomputed"] == len(night)
    _assert_same(night, _from_empty(con, late_days=45))


def test_a_stored_table_of_another_layout_is_rebuilt() -> None:
    """An older or damaged table (a column missing) is not trusted: every invoice is recomputed."""
    con = _firm()
    load_features(con)
    con.execute(f"alter table {HISTORY_TABLE} drop column prior_credits")
    assert refresh_history(con, 30, RECENCY_HALF_LIFE_DAYS, FEATURE_VERSION) == len(
        con.execute("select * from anomalies.anomaly_invoice_outcomes").fetchall()
    )
    [(rows,)] = con.execute(
        f"select count(*) from {HISTORY_TABLE} where prior_credits is not null"
    ).fetchall()
    assert rows > 0


def test_an_edit_of_the_sums_sql_recomputes_every_invoice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored sums computed by other SQL are not trusted, even under the same feature version."""
    con = _firm()
    load_features(con)
    monkeypatch.setattr(cash_risk_features, "HISTORY_SQL_DIGEST", "edited")
    night = load_features(con)
    assert night.attrs["history_recomputed"] == len(night)
