-- Harvest tasks.
with source as (
    select * from {{ source('harvest', 'tasks') }}
)

select
    {{ id_str('id') }} as task_id,
    {{ adapter.quote('name') }} as task_name,
    billable_by_default,
    default_hourly_rate,
    is_default,
    is_active,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
