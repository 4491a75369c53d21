-- Harvest has no billing milestones: an empty canonical input (columns of stg_psa__milestones).
select
    cast(null as {{ dbt.type_string() }}) as milestone_id,
    cast(null as {{ dbt.type_string() }}) as project_id,
    cast(null as {{ dbt.type_string() }}) as milestone_name,
    cast(null as {{ dbt.type_bigint() }}) as milestone_sequence,
    cast(null as decimal(18, 2)) as amount,
    cast(null as date) as due_date,
    cast(null as {{ dbt.type_string() }}) as milestone_status,
    cast(null as date) as completed_date,
    cast(null as date) as accepted_date,
    cast(null as {{ dbt.type_string() }}) as erp_invoice_id,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'harvest' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
where 1 = 0
