-- People who record time, with capacity and cost.
with source as (
    select * from {{ source('psa', 'resources') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as resource_id,
    {{ id_str('employee_number') }} as employee_number,
    {{ id_str('erp_employee_id') }} as erp_employee_id,
    first_name,
    last_name,
    {{ label_str('email') }} as email,
    {{ code_str('legal_entity') }} as legal_entity_code,
    {{ code_str('country_code') }} as country_code,
    {{ id_str('role_id') }} as role_id,
    {{ id_str('practice_id') }} as practice_id,
    {{ label_str('employment_type') }} as employment_type,
    hire_date,
    termination_date,
    weekly_capacity_hours,
    cost_rate,
    {{ code_str('cost_currency') }} as cost_currency_code,
    utilization_target,
    is_active,
    created_at,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
