-- GL impact per transaction line and accounting book, in the subsidiary's functional currency.
with source as (
    select * from {{ source('netsuite', 'transactionaccountingline') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ composite_key([adapter.quote('transaction'), 'transactionline', 'accountingbook']) }} as transaction_accounting_line_id,
    {{ composite_key([adapter.quote('transaction'), 'transactionline']) }} as transaction_line_id,
    {{ id_str(adapter.quote('transaction')) }} as transaction_id,
    transactionline as line_id,
    {{ id_str('accountingbook') }} as accounting_book_id,
    {{ id_str(adapter.quote('account')) }} as account_id,
    amount as amount_functional,
    debit as debit_amount,
    credit as credit_amount,
    netamount as net_amount,
    exchangerate as exchange_rate,
    {{ adapter.quote('posting') }} as is_posting,
    amountunpaid as amount_unpaid,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
