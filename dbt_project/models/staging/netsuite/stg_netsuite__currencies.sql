-- Currencies; the base currency is the parent subsidiary's.
with source as (
    select * from {{ source('netsuite', 'currency') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as currency_id,
    {{ code_str(adapter.quote('name')) }} as currency_code,
    symbol as currency_symbol,
    displaysymbol as display_symbol,
    isbasecurrency as is_base_currency,
    exchangerate as exchange_rate_to_base,
    currencyprecision as currency_precision,
    isinactive as is_inactive,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
