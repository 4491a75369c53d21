-- The ledger QuickBooks posts for each document line (int_quickbooks__document_lines) as canonical accounting
-- lines (the columns of stg_netsuite__transaction_accounting_lines): one book ('1'), in the home currency at
-- the document's exchange rate (a payment's receivable line at its invoices' rates, its exchange gain or loss
-- line the difference), debit positive. amount_unpaid: the open balance on an invoice's or credit
-- memo's receivable line (document currency), as QuickBooks reports it.
with lines as (
    select * from {{ ref('int_quickbooks__document_lines') }}
),

docs as (
    select transaction_id, exchange_rate from {{ ref('int_quickbooks__documents') }}
),

valued as (
    select
        l.*,
        d.exchange_rate,
        cast(coalesce(l.amount_home, round(l.gl_amount * d.exchange_rate, 2)) as decimal(18, 2))
            as amount_home_currency
    from lines as l
    inner join docs as d on l.transaction_id = d.transaction_id
)

select
    {{ composite_key(['transaction_id', 'line_id', "'1'"]) }} as transaction_accounting_line_id,
    {{ composite_key(['transaction_id', 'line_id']) }} as transaction_line_id,
    transaction_id,
    cast(line_id as {{ dbt.type_bigint() }}) as line_id,
    '1' as accounting_book_id,
    account_id,
    amount_home_currency as amount_functional,
    cast(case when amount_home_currency > 0 then amount_home_currency else 0 end as decimal(18, 2)) as debit_amount,
    cast(case when amount_home_currency < 0 then -amount_home_currency else 0 end as decimal(18, 2)) as credit_amount,
    amount_home_currency as net_amount,
    cast(exchange_rate as {{ throughline.ratio_type() }}) as exchange_rate,
    true as is_posting,
    amount_unpaid,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from valued
