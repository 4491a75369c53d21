-- Harvest has no change orders: an empty canonical input (columns of stg_psa__change_orders).
select
    cast(null as {{ dbt.type_string() }}) as change_order_id,
    cast(null as {{ dbt.type_string() }}) as project_id,
    cast(null as {{ dbt.type_string() }}) as change_order_number,
    cast(null as {{ dbt.type_string() }}) as title,
    cast(null as {{ dbt.type_string() }}) as change_order_status,
    cast(null as decimal(18, 2)) as amount_change,
    cast(null as decimal(18, 2)) as hours_change,
    cast(null as date) as new_end_date,
    cast(null as {{ throughline.ratio_type() }}) as bill_rate_change_pct,
    cast(null as date) as requested_date,
    cast(null as date) as approved_date,
    cast(null as {{ dbt.type_string() }}) as erp_sales_order_id,
    cast(null as {{ dbt.type_timestamp() }}) as created_at,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'harvest' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
where 1 = 0
