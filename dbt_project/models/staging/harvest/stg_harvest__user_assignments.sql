-- Users assigned to projects, with the rate they bill there.
with source as (
    select * from {{ source('harvest', 'user_assignments') }}
)

select
    {{ id_str('id') }} as user_assignment_id,
    {{ id_str(throughline.json_field('project', 'id')) }} as project_id,
    {{ id_str(throughline.json_field(adapter.quote('user'), 'id')) }} as user_id,
    is_project_manager,
    is_active,
    use_default_rates,
    hourly_rate,
    budget,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
