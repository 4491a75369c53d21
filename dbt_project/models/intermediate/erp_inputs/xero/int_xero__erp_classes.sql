-- Xero has no classes (NetSuite's service-line segment); its tracking categories are free analysis dimensions whose
-- line assignments the contract does not carry: an empty input in the columns of stg_netsuite__classes.
select
    cast(null as {{ dbt.type_string() }}) as class_id,
    cast(null as {{ dbt.type_string() }}) as class_name,
    cast(null as {{ dbt.type_string() }}) as class_full_name,
    cast(null as {{ dbt.type_string() }}) as parent_class_id,
    cast(null as boolean) as is_inactive,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from {{ ref('int_xero__organisation') }}
where 1 = 0
