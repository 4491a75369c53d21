-- Daily rates: 1 transaction_currency = exchange_rate base_currency from effective_date.
with source as (
    select * from {{ source('netsuite', 'currencyrate') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as currency_rate_id,
    {{ id_str('basecurrency') }} as base_currency_id,
    {{ id_str('transactioncurrency') }} as transaction_currency_id,
    exchangerate as exchange_rate,
    effectivedate as effective_date,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
