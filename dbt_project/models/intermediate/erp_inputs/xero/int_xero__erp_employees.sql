-- Xero (accounting) exports no employees: an empty input in the columns of stg_netsuite__employees, so resources
-- match on the PSA side only.
select
    cast(null as {{ dbt.type_string() }}) as employee_id,
    cast(null as {{ dbt.type_string() }}) as employee_number,
    cast(null as {{ dbt.type_string() }}) as first_name,
    cast(null as {{ dbt.type_string() }}) as last_name,
    cast(null as {{ dbt.type_string() }}) as email,
    cast(null as {{ dbt.type_string() }}) as subsidiary_id,
    cast(null as {{ dbt.type_string() }}) as department_id,
    cast(null as {{ dbt.type_string() }}) as title,
    cast(null as date) as hire_date,
    cast(null as date) as release_date,
    cast(null as decimal(18, 2)) as labor_cost_rate,
    cast(null as {{ dbt.type_string() }}) as supervisor_employee_id,
    cast(null as {{ dbt.type_string() }}) as psa_resource_id,
    cast(null as boolean) as is_inactive,
    cast(null as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    cast(null as {{ dbt.type_string() }}) as _source_file,
    cast(null as {{ dbt.type_bigint() }}) as _source_row,
    cast(null as {{ dbt.type_timestamp() }}) as _loaded_at
from {{ ref('int_xero__organisation') }}
where 1 = 0
