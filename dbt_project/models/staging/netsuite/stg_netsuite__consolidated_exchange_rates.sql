-- Period consolidation rates from each subsidiary to its parent.
with source as (
    select * from {{ source('netsuite', 'consolidatedexchangerate') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as consolidated_exchange_rate_id,
    {{ id_str('postingperiod') }} as accounting_period_id,
    {{ id_str('fromsubsidiary') }} as from_subsidiary_id,
    {{ id_str('tosubsidiary') }} as to_subsidiary_id,
    {{ id_str('fromcurrency') }} as from_currency_id,
    {{ id_str('tocurrency') }} as to_currency_id,
    averagerate as average_rate,
    currentrate as closing_rate,
    historicalrate as historical_rate,
    {{ id_str('accountingbook') }} as accounting_book_id,
    _fivetran_synced as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
