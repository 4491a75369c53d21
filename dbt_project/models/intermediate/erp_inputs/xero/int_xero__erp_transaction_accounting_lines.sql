-- Xero journal lines as the canonical ERP accounting lines (the columns of
-- stg_netsuite__transaction_accounting_lines): one accounting book ('1'), amounts in the base currency as
-- Xero posted them (net_amount, debit positive). A line belongs to its journal's source document (the
-- invoice, bill, credit note or payment; a journal without a source is its own document) and points at that
-- document's main line: Xero's journal lines name no document line. The account is the canonical one
-- (int_xero__shared_records: one code in several organisations is one account). Xero has no per-line amount unpaid.
with documents as (
    select transaction_id, currency_rate from {{ ref('int_xero__documents') }}
)

select
    l.journal_line_id as transaction_accounting_line_id,
    {{ composite_key(['coalesce(j.source_id, j.journal_id)', '0']) }} as transaction_line_id,
    coalesce(j.source_id, j.journal_id) as transaction_id,
    cast(0 as {{ dbt.type_bigint() }}) as line_id,
    cast('1' as {{ dbt.type_string() }}) as accounting_book_id,
    coalesce(r.canonical_id, l.account_id, a.account_id) as account_id,
    cast(l.net_amount as decimal(18, 2)) as amount_functional,
    cast(case when l.net_amount > 0 then l.net_amount end as decimal(18, 2)) as debit_amount,
    cast(case when l.net_amount < 0 then -l.net_amount end as decimal(18, 2)) as credit_amount,
    cast(l.net_amount as decimal(18, 2)) as net_amount,
    cast(1.0 / coalesce(d.currency_rate, 1) as double) as exchange_rate,
    true as is_posting,
    cast(null as decimal(18, 2)) as amount_unpaid,
    cast(coalesce(l.modified_at, j.modified_at) as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    l._source_file,
    l._source_row,
    l._loaded_at
from {{ ref('stg_xero__journal_lines') }} as l
inner join {{ ref('stg_xero__journals') }} as j on j.journal_id = l.journal_id
left join {{ ref('stg_xero__accounts') }} as a on l.account_id is null and a.account_code = l.account_code
left join documents as d on d.transaction_id = coalesce(j.source_id, j.journal_id)
left join {{ ref('int_xero__shared_records') }} as r
    on r.record_type = 'account' and r.record_id = coalesce(l.account_id, a.account_id)
