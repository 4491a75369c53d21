-- One Xero organisation is one subsidiary: nothing to consolidate, an empty input in the columns of
-- stg_netsuite__consolidated_exchange_rates (period rates then come from the daily document rates).
select
    cast(null as {{ dbt.type_string() }}) as consolidated_exchange_rate_id,
    cast(null as {{ dbt.type_string() }}) as accounting_period_id,
    cast(null as {{ dbt.type_string() }}) as from_subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as to_subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as from_currency_id,
    cast(null as {{ dbt.type_string() }}) as to_currency_id,
    cast(null as double) as average_rate,
    cast(null as double) as closing_rate,
    cast(null as double) as historical_rate,
    cast(null as {{ dbt.type_string() }}) as accounting_book_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from {{ ref('int_xero__organisation') }}
where 1 = 0
