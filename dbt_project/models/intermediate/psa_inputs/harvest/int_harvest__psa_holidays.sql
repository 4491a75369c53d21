-- Harvest has no holiday calendar (public holidays are tracked as time off): an empty canonical input.
select
    cast(null as {{ dbt.type_string() }}) as holiday_id,
    cast(null as {{ dbt.type_string() }}) as country_code,
    cast(null as date) as holiday_date,
    cast(null as {{ dbt.type_string() }}) as holiday_name,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'harvest' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
where 1 = 0
