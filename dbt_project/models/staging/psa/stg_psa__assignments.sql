-- Staffing: a resource on a project in a role for a date range.
with source as (
    select * from {{ source('psa', 'assignments') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as assignment_id,
    {{ id_str('project_id') }} as project_id,
    {{ id_str('resource_id') }} as resource_id,
    {{ id_str('role_id') }} as role_id,
    start_date,
    end_date,
    hours_per_week,
    bill_rate,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
