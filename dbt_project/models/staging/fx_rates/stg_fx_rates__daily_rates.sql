-- The firm's own daily rates (ingestion/contracts/fx_rates.yml, daily_rates.csv): 1 base_currency_code =
-- rate quote_currency_code on rate_date. Codes trimmed and upper-cased; a rate that is not positive, or a pair
-- of one currency with itself, is no rate and is left out (the loader has already quarantined unreadable rows).
with source as (
    select * from {{ source('fx_rates', 'daily_rates') }}
    where not coalesce(_is_deleted, false)
)

select
    rate_date,
    {{ code_str('base_currency') }} as base_currency_code,
    {{ code_str('quote_currency') }} as quote_currency_code,
    cast(rate as double) as rate,
    cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
    coalesce(nullif(trim(rate_source), ''), 'daily_rates') as rate_source,
    'fx_rates' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
where rate > 0
    and {{ code_str('base_currency') }} <> {{ code_str('quote_currency') }}
