-- Tasks enabled on projects, billable or not there.
with source as (
    select * from {{ source('harvest', 'task_assignments') }}
)

select
    {{ id_str('id') }} as task_assignment_id,
    {{ id_str(throughline.json_field('project', 'id')) }} as project_id,
    {{ id_str(throughline.json_field('task', 'id')) }} as task_id,
    billable as is_billable,
    is_active,
    hourly_rate,
    budget,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
