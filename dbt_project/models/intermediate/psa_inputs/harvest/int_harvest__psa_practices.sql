-- Harvest has no practices: an empty canonical input (columns of stg_psa__practices).
select
    cast(null as {{ dbt.type_string() }}) as practice_id,
    cast(null as {{ dbt.type_string() }}) as practice_code,
    cast(null as {{ dbt.type_string() }}) as practice_name,
    cast(null as {{ dbt.type_string() }}) as service_line_name,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'harvest' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
where 1 = 0
