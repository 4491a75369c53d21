"""AR open items (ar v1) on the warehouses the nightly pipeline builds: the month-end snapshots tie to the
invoice, payment and credit-memo history recomputed here from staging, and the rebuilt open amount at the
latest date equals what NetSuite reports as unpaid today (clean firm)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import duckdb

# Open amount per currency at a date, recomputed from staging without the finance models.
HISTORY_OPEN_SQL = """
with inv as (
    select t.transaction_id, c.currency_code, t.total_amount
    from staging.stg_netsuite__transactions as t
    join staging.stg_netsuite__currencies as c on t.currency_id = c.currency_id
    where t.transaction_type = 'invoice' and not coalesce(t.is_voided, false) and t.transaction_date <= $d
),
app as (
    select l.previous_transaction_id as transaction_id,
        sum(l.amount_transaction) filter (where l.link_type = 'payment') as paid,
        sum(l.amount_transaction) filter (where l.link_type = 'credit_memo_application') as credited
    from staging.stg_netsuite__transaction_links as l
    join staging.stg_netsuite__transactions as n on l.next_transaction_id = n.transaction_id
    where l.link_date <= $d and not coalesce(n.is_voided, false)
    group by 1
)
select inv.currency_code, sum(inv.total_amount), sum(coalesce(paid, 0)), sum(coalesce(credited, 0))
from inv left join app using (transaction_id)
group by 1 order by 1
"""


def _latest_month_end(con: duckdb.DuckDBPyConnection):
    return con.execute("select max(as_of_date) from marts.fct_ar_open_items").fetchone()[0]


def test_ar_at_latest_month_end_ties_to_history(xs_clean_warehouse: Path) -> None:
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        as_of = _latest_month_end(con)
        max_doc = con.execute(
            "select max(transaction_date) from staging.stg_netsuite__transactions"
        ).fetchone()
        # the latest snapshot is the last month end on or before the latest document date
        assert as_of <= max_doc[0] and (as_of + timedelta(days=1)).month == max_doc[0].month
        expected = {
            ccy: (total, paid, credited)
            for ccy, total, paid, credited in con.execute(HISTORY_OPEN_SQL, {"d": as_of}).fetchall()
        }
        got = dict(
            con.execute(
                "select transaction_currency_code, sum(open_amount) from marts.fct_ar_open_items "
                "where as_of_date = ? group by 1",
                [as_of],
            ).fetchall()
        )
    assert expected, "no invoices in the clean firm"
    for ccy, (total, paid, credited) in expected.items():
        assert got.get(ccy, 0) == total - paid - credited, ccy
    assert set(got) <= set(expected)


def test_every_month_end_is_snapshotted_and_components_add_up(xs_clean_warehouse: Path) -> None:
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        month_ends = con.execute("select distinct as_of_date from marts.fct_ar_open_items order by 1")
        dates = [r[0] for r in month_ends.fetchall()]
        first_invoice = con.execute(
            "select min(transaction_date) from staging.stg_netsuite__transactions "
            "where transaction_type = 'invoice'"
        ).fetchone()[0]
        bad = con.execute(
            "select count(*) from marts.fct_ar_open_items "
            "where open_amount <> original_amount - applied_payments - applied_credits or open_amount = 0 "
            "or (days_past_due <= 0) <> (aging_bucket = 'Current')"
        ).fetchone()[0]
        # each earlier month end, checked against history too
        mismatched = []
        for d in dates:
            want = sum(t - p - c for _, t, p, c in con.execute(HISTORY_OPEN_SQL, {"d": d}).fetchall())
            have = con.execute(
                "select coalesce(sum(open_amount), 0) from marts.fct_ar_open_items where as_of_date = ?", [d]
            ).fetchone()[0]
            if want != have:
                mismatched.append((d, want, have))
    assert bad == 0
    assert mismatched == []
    assert len(dates) >= 3
    assert dates[0].year == first_invoice.year and dates[0].month == first_invoice.month
    months = [(d.year * 12 + d.month) for d in dates]
    assert months == list(range(months[0], months[0] + len(months))), "a month end is missing"


def test_open_amount_today_equals_netsuite_amount_unpaid(xs_clean_warehouse: Path) -> None:
    """At the latest data date the rebuilt open amount equals NetSuite's amountunpaid (same-currency invoices,
    where amountunpaid, kept in subsidiary currency, is directly comparable)."""
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        rows = con.execute(
            """
            with unpaid as (
                select cast("transaction" as varchar) as tid, sum(amountunpaid) as unpaid
                from raw_netsuite.transactionaccountingline
                where amountunpaid is not null and not coalesce(_is_deleted, false)
                group by 1
            )
            select i.invoice_transaction_id, coalesce(o.open_amount, 0), coalesce(u.unpaid, 0)
            from intermediate.int_ar_invoices as i
            left join intermediate.int_ar_open_items_as_of as o using (invoice_transaction_id)
            left join unpaid as u on u.tid = i.invoice_transaction_id
            where i.transaction_currency_code = i.entity_currency_code
            """
        ).fetchall()
    assert len(rows) > 20
    assert [r for r in rows if r[1] != r[2]] == []
    assert sum(r[1] for r in rows) > 0


def test_unapplied_cash_is_kept_apart(xs_clean_warehouse: Path) -> None:
    with duckdb.connect(str(xs_clean_warehouse), read_only=True) as con:
        as_of = _latest_month_end(con)
        unapplied = con.execute(
            "select coalesce(sum(unapplied_amount), 0) from marts.fct_ar_unapplied_cash where as_of_date = ?",
            [as_of],
        ).fetchone()[0]
        want = con.execute(
            """
            select coalesce(sum(t.total_amount - coalesce(a.applied, 0)), 0)
            from staging.stg_netsuite__transactions as t
            left join (
                select next_transaction_id, sum(amount_transaction) as applied
                from staging.stg_netsuite__transaction_links where link_date <= $d group by 1
            ) as a on a.next_transaction_id = t.transaction_id
            where t.transaction_type in ('payment', 'credit_memo') and t.transaction_date <= $d
                and not coalesce(t.is_voided, false)
            """,
            {"d": as_of},
        ).fetchone()[0]
    assert unapplied == want


def test_ar_builds_on_the_defect_firm(xs_warehouse: Path) -> None:
    """With defects (over-applied payments, unlinked credits, ...) the snapshot still holds one row per
    invoice and month end and its components add up; no row with a zero open amount."""
    with duckdb.connect(str(xs_warehouse), read_only=True) as con:
        n, dup, bad = con.execute(
            """
            select count(*), count(*) - count(distinct (as_of_date, invoice_transaction_id)),
                count(*) filter (where open_amount <> original_amount - applied_payments - applied_credits
                    or open_amount = 0)
            from marts.fct_ar_open_items
            """
        ).fetchone()
    assert n > 0 and dup == 0 and bad == 0
