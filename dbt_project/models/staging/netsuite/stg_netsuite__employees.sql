-- Employees (payroll side of the people master).
with source as (
    select * from {{ source('netsuite', 'employee') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as employee_id,
    {{ id_str('entityid') }} as employee_number,
    firstname as first_name,
    lastname as last_name,
    {{ label_str('email') }} as email,
    {{ id_str('subsidiary') }} as subsidiary_id,
    {{ id_str('department') }} as department_id,
    {{ adapter.quote('title') }} as title,
    hiredate as hire_date,
    releasedate as release_date,
    laborcost as labor_cost_rate,
    {{ id_str('supervisor') }} as supervisor_employee_id,
    {{ id_str('custentity_psa_resource_id') }} as psa_resource_id,
    isinactive as is_inactive,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
