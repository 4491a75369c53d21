-- Harvest projects with the client reference unpacked.
with source as (
    select * from {{ source('harvest', 'projects') }}
)

select
    {{ id_str('id') }} as project_id,
    {{ id_str(throughline.json_field('client', 'id')) }} as client_id,
    {{ code_str(throughline.json_field('client', 'currency')) }} as currency_code,
    {{ adapter.quote('name') }} as project_name,
    {{ id_str('code') }} as project_code,
    is_active,
    is_billable,
    is_fixed_fee,
    {{ label_str('bill_by') }} as bill_by,
    hourly_rate,
    budget,
    {{ label_str('budget_by') }} as budget_by,
    budget_is_monthly,
    cost_budget,
    fee,
    notes,
    starts_on as start_date,
    ends_on as end_date,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
