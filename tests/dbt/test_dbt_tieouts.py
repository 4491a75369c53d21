"""Tie-outs of the core marts against the raw layer on the xs sample firm built by the nightly pipeline.

The clean firm must tie exactly (per entity and currency); the firm with defects must still lose no fact row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

RAW_INVOICE_LINES = """
    select s.externalid as legal_entity_key, c.name as currency_code,
           sum(l.foreignamount) as amount_transaction, sum(l.netamount) as amount_entity, count(*) as n
    from raw_netsuite.transactionline l
    join raw_netsuite."transaction" t on t.id = l."transaction" and not t._is_deleted
    join raw_netsuite.subsidiary s on s.id = l.subsidiary
    join raw_netsuite.currency c on c.id = t.currency
    where t.type in ('CustInvc', 'CustCred') and not coalesce(l.mainline, false) and not l._is_deleted
    group by 1, 2
"""

FACT_INVOICE_LINES = """
    select legal_entity_key, transaction_currency_code, sum(amount_transaction), sum(amount_entity), count(*)
    from marts.fct_invoice_lines
    group by 1, 2
"""


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_invoice_lines_tie_out_per_entity_and_currency(xs_clean_warehouse: Path) -> None:
    raw = sorted(_rows(xs_clean_warehouse, RAW_INVOICE_LINES))
    fact = sorted(_rows(xs_clean_warehouse, FACT_INVOICE_LINES))
    assert len(raw) >= 3
    assert fact == raw


def test_time_entry_hours_tie_out(xs_clean_warehouse: Path) -> None:
    (raw,) = _rows(
        xs_clean_warehouse, "select count(*), sum(hours) from raw_psa.time_entries where not _is_deleted"
    )
    (fact,) = _rows(xs_clean_warehouse, "select count(*), sum(hours) from marts.fct_time_entries")
    assert raw[0] > 0
    assert fact == raw


def test_clean_firm_resolves_every_entity_and_rate(xs_clean_warehouse: Path) -> None:
    unresolved = _rows(
        xs_clean_warehouse,
        """
        select 'time', count(*) from marts.fct_time_entries
        where legal_entity_key = '-1' or is_fx_rate_missing
        union all
        select 'invoice', count(*) from marts.fct_invoice_lines
        where legal_entity_key = '-1' or is_fx_rate_missing
        union all
        select 'gl', count(*) from marts.fct_gl_lines
        where legal_entity_key = '-1' or is_fx_rate_missing
        union all
        select 'payment', count(*) from marts.fct_payments
        where legal_entity_key = '-1' or is_fx_rate_missing
        """,
    )
    assert dict(unresolved) == {"time": 0, "invoice": 0, "gl": 0, "payment": 0}


def test_no_fact_row_lost_on_the_firm_with_defects(xs_warehouse: Path) -> None:
    (counts,) = _rows(
        xs_warehouse,
        """
        select
          (select count(*) from marts.fct_time_entries), (select count(*) from staging.stg_psa__time_entries),
          (select count(*) from marts.fct_expenses), (select count(*) from staging.stg_psa__expenses),
          (select count(*) from marts.fct_opportunities),
          (select count(*) from staging.stg_salesforce__opportunities),
          (select count(*) from marts.fct_gl_lines),
          (select count(*) from staging.stg_netsuite__transaction_accounting_lines a
             where exists (select 1 from staging.stg_netsuite__transactions t
                           where t.transaction_id = a.transaction_id)),
          (select count(*) from marts.fct_payments where row_type = 'application'),
          (select count(*) from staging.stg_netsuite__transaction_links l
             join staging.stg_netsuite__transactions t on t.transaction_id = l.next_transaction_id
            where l.link_type = 'payment' and t.transaction_type = 'payment')
        """,
    )
    assert counts[0] > 0
    assert counts[0::2] == counts[1::2]
