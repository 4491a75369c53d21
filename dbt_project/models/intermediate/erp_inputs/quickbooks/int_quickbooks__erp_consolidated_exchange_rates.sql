-- Canonical consolidation rates (the columns of stg_netsuite__consolidated_exchange_rates): one company has
-- nothing to consolidate, so none; monthly rates are derived from the daily rates (int_fx_rates_periodic).
select
    cast(null as {{ dbt.type_string() }}) as consolidated_exchange_rate_id,
    cast(null as {{ dbt.type_string() }}) as accounting_period_id,
    cast(null as {{ dbt.type_string() }}) as from_subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as to_subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as from_currency_id,
    cast(null as {{ dbt.type_string() }}) as to_currency_id,
    cast(null as {{ throughline.ratio_type() }}) as average_rate,
    cast(null as {{ throughline.ratio_type() }}) as closing_rate,
    cast(null as {{ throughline.ratio_type() }}) as historical_rate,
    cast(null as {{ dbt.type_string() }}) as accounting_book_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'quickbooks' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
where 1 = 0
