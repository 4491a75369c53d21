"""Definitions a user could not tell from the extracts alone, pinned on the xs sample firm (with defects).

- Billing sign: NetSuite lands credit memo amounts positive; fct_invoice_lines.net_amount_* are signed so
  their sum is net billings (docs/model/billing.md).
- AR month-ends: a month-end snapshot exists once the NetSuite extract date reaches it
  (docs/model/revenue-and-ar.md).
- Cost of time: a cost rate in another currency converts at the spot rate of spent_date
  (docs/model/currency.md).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


RAW_BILLINGS = """
    select s.externalid as legal_entity_key, c.name as currency_code,
           sum(case when t.type = 'CustInvc' then l.foreignamount else 0 end) as invoiced_transaction,
           sum(case when t.type = 'CustCred' then l.foreignamount else 0 end) as credited_transaction,
           sum(case when t.type = 'CustInvc' then l.netamount else 0 end) as invoiced_entity,
           sum(case when t.type = 'CustCred' then l.netamount else 0 end) as credited_entity
    from raw_netsuite.transactionline l
    join raw_netsuite."transaction" t on t.id = l."transaction" and not t._is_deleted
    join raw_netsuite.subsidiary s on s.id = l.subsidiary
    join raw_netsuite.currency c on c.id = t.currency
    where t.type in ('CustInvc', 'CustCred') and not coalesce(l.mainline, false) and not l._is_deleted
    group by 1, 2
"""


def test_credit_memo_amounts_land_positive(xs_warehouse: Path) -> None:
    """The sign as landed: credit memo lines are positive magnitudes, like invoice lines."""
    ((n_lines, n_negative),) = _rows(
        xs_warehouse,
        """
        select count(*), count(*) filter (where l.foreignamount < 0 or l.netamount < 0)
        from raw_netsuite.transactionline l
        join raw_netsuite."transaction" t on t.id = l."transaction"
        where t.type = 'CustCred' and not l._is_deleted
        """,
    )
    assert n_lines > 0
    assert n_negative == 0


def test_net_billings_are_invoices_minus_credit_memos_per_entity(xs_warehouse: Path) -> None:
    raw = {(r[0], r[1]): r[2:] for r in _rows(xs_warehouse, RAW_BILLINGS)}
    fact = {
        (r[0], r[1]): r[2:]
        for r in _rows(
            xs_warehouse,
            """
            select legal_entity_key, transaction_currency_code,
                   sum(net_amount_transaction), sum(net_amount_entity), sum(amount_transaction),
                   count(*) filter (where billing_sign is null or billing_sign not in (1, -1))
            from marts.fct_invoice_lines group by 1, 2
            """,
        )
    }
    assert set(fact) == set(raw) and len(raw) >= 3
    credited_total = Decimal(0)
    for key, (inv_t, cred_t, inv_e, cred_e) in raw.items():
        net_t, net_e, gross_t, bad_signs = fact[key]
        assert net_t == inv_t - cred_t, key
        assert net_e == inv_e - cred_e, key
        assert gross_t == inv_t + cred_t, key  # amount_* as landed: gross billings plus credits
        assert bad_signs == 0
        credited_total += cred_t
    assert credited_total > 0, "the xs firm has credit memos, so net and gross billings differ"


def test_net_reporting_amounts_are_signed_reporting_amounts(xs_warehouse: Path) -> None:
    ((n, n_off, net, signed),) = _rows(
        xs_warehouse,
        """
        select count(*),
               count(*) filter (where abs(net_amount_reporting - billing_sign * amount_reporting) > 0.005),
               sum(net_amount_reporting), sum(billing_sign * amount_reporting)
        from marts.fct_invoice_lines where not is_fx_rate_missing
        """,
    )
    assert n > 0 and n_off == 0
    assert abs(float(net) - signed) <= 0.005 * n


def test_ar_month_ends_run_to_the_netsuite_extract_date(xs_warehouse: Path) -> None:
    """A month end has a snapshot iff it falls on or before the latest NetSuite extract date."""
    ((extract_date, last_doc_date),) = _rows(
        xs_warehouse,
        "select max(_extract_date), max(transaction_date) from staging.stg_netsuite__transactions",
    )
    ((expected_last, first_month, n_expected),) = _rows(
        xs_warehouse,
        f"""
        with months as (
            select last_day(d) as month_end
            from range(
                (select date_trunc('month', min(invoice_date)) from intermediate.int_ar_invoices),
                date '{extract_date}' + interval 1 day, interval 1 month) as t(d)
        )
        select max(month_end) filter (where month_end <= date '{extract_date}'),
               min(month_end), count(*) filter (where month_end <= date '{extract_date}')
        from months
        """,
    )
    snapshots = [
        r[0]
        for r in _rows(xs_warehouse, "select distinct as_of_date from marts.fct_ar_open_items order by 1")
    ]
    assert snapshots[-1] == expected_last
    assert snapshots[0] == first_month
    assert len(snapshots) == n_expected  # one per month end, no gap
    assert all(d <= extract_date for d in snapshots)
    unapplied = _rows(xs_warehouse, "select max(as_of_date) from marts.fct_ar_unapplied_cash")
    assert unapplied[0][0] <= expected_last
    assert last_doc_date is not None


def test_cost_of_time_converts_at_the_spot_rate_of_spent_date(xs_warehouse: Path) -> None:
    ((n_foreign, n_off_reporting, n_off_entity, n_month_end_differs),) = _rows(
        xs_warehouse,
        """
        select count(*),
               count(*) filter (where abs(t.cost_amount_reporting - t.cost_amount_cost_currency * r.rate)
                   > 1e-6 * greatest(1, abs(t.cost_amount_reporting))),
               count(*) filter (where abs(t.cost_amount_entity - t.cost_amount_cost_currency
                   * case when t.cost_currency_code = t.entity_currency_code then 1 else e.rate end)
                   > 1e-6 * greatest(1, abs(t.cost_amount_entity))),
               count(*) filter (where m.rate <> r.rate)
        from marts.fct_time_entries t
        join intermediate.int_fx_rates_daily r
            on r.rate_date = t.spent_date and r.from_currency = t.cost_currency_code
            and r.to_currency = t.reporting_currency_code
        left join intermediate.int_fx_rates_daily e
            on e.rate_date = t.spent_date and e.from_currency = t.cost_currency_code
            and e.to_currency = t.entity_currency_code
        left join intermediate.int_fx_rates_daily m
            on m.rate_date = last_day(t.spent_date) and m.from_currency = t.cost_currency_code
            and m.to_currency = t.reporting_currency_code
        where t.cost_currency_code <> t.reporting_currency_code and t.cost_amount_cost_currency <> 0
        """,
    )
    assert n_foreign > 0, "the xs firm has costs in a currency other than the reporting currency"
    assert n_off_reporting == 0
    assert n_off_entity == 0
    # the test can tell spent_date from month-end conversion: the two rates differ on most rows
    assert n_month_end_differs > 0
